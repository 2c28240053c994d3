"""Data codes that match no indicator: named, with the nearest indicator code suggested.

An officer who types ``CSC1`` for ``CSC01`` in the Data sheet would otherwise see
nothing: the rows are read, match no KPI row, and are never used. The refresh
names each such code (where its rows are, and the closest indicator code by
:mod:`difflib`, compared without regard to case) in the Checks of the row it
probably meant, in the Summary sheet and in the Log.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["UnmatchedCode", "unmatched_codes"]

# How alike two codes must be to suggest one for the other (difflib's ratio):
# CSC1/CSC01 is 0.89, SC1/SC01 0.86; M07 is as near M00, M20 and 707 (0.67): no suggestion.
_CUTOFF = 0.75


@dataclass(frozen=True)
class UnmatchedCode:
    """A code of a source that no indicator has, the source rows holding it, and the nearest code."""

    code: str
    rows: tuple[int, ...]
    source: str
    nearest: str | None

    @property
    def where(self) -> str:
        shown = ", ".join(map(str, self.rows[:5])) + (f" and {len(self.rows) - 5} more" if len(self.rows) > 5 else "")
        return f"{self.source} row{'s' if len(self.rows) != 1 else ''} {shown}"

    def message(self) -> str:
        """For the Summary and the Log: what is not used, and what it may have meant."""
        hint = f"; did you mean {self.nearest}?" if self.nearest else ""
        return f"{self.where}: code '{self.code}' matches no indicator on the KPIs sheet{hint}"

    def for_nearest(self) -> str:
        """For the Checks of the indicator it probably meant."""
        return (f"{self.where}: code '{self.code}' matches no indicator; if these are this indicator's values, "
                f"correct the code to {self.nearest}")


def unmatched_codes(codes: Sequence[str], rows: Sequence[int], known: Iterable[str],
                    source: str) -> list[UnmatchedCode]:
    """Each code of ``codes`` (one per source row, row numbers in ``rows``) that is not in ``known``,
    in the order first met, with its rows and the nearest known code. Of codes equally near, one
    that has no rows of its own is suggested first: the mistyped rows are most likely its values."""
    known = [k for k in dict.fromkeys(known) if k]
    present = set(known)
    # Each distinct code once (a Data sheet has a million rows but some thousand codes).
    numbers, distinct = pd.factorize(np.asarray(codes, dtype=object), sort=False)
    distinct = distinct.tolist()
    with_rows = present.intersection(distinct)
    wanted = np.array([bool(code) and code not in present for code in distinct], dtype=bool)
    if not wanted.any():
        return []
    at = np.flatnonzero(wanted[numbers])  # the rows of unmatched codes, in sheet order
    by_code = np.argsort(numbers[at], kind="stable")
    at = at[by_code]
    groups = numbers[at]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]).tolist()
    row_numbers = np.asarray(rows, dtype=np.int64)[at].tolist()
    where = {distinct[number]: tuple(row_numbers[a:b])
             for number, a, b in zip(groups[starts].tolist(), starts, starts[1:] + [len(at)])}
    unmatched = [distinct[number] for number in np.flatnonzero(wanted).tolist()]
    return [UnmatchedCode(code, where[code], source, nearest)
            for code, nearest in zip(unmatched, _Nearest(known, with_rows).of_each(unmatched))]


class _Nearest:
    """The nearest known code, as difflib's ratio finds it, asking difflib only about the
    candidates its cheap bounds cannot rule out: real_quick_ratio and quick_ratio (lengths; the
    multiset of characters in common) and, tighter, the longest common subsequence, for every
    known code at once. Each bounds difflib's ratio from above (the blocks difflib matches are a
    common subsequence), so the answer is the one comparing each candidate in turn gives."""

    _MOST_COUNTS = 4_000_000  # known codes x distinct characters held as counts (16 MB); beyond, difflib's own
    _WORD = 64  # codes of up to 64 characters have their longest common subsequences counted in one uint64

    def __init__(self, known: list[str], with_rows: set[str]) -> None:
        self.known = known
        self.folded = [k.casefold() for k in known]
        self.without_rows = [k not in with_rows for k in known]
        self.without = np.array(self.without_rows, dtype=bool)
        self.lengths = np.fromiter(map(len, self.folded), np.int64, len(known))
        letters = dict.fromkeys(ch for k in self.folded for ch in k)
        self.column = {ch: j for j, ch in enumerate(letters)}
        self.counts = None
        self.spelt = None
        if len(known) * len(letters) <= self._MOST_COUNTS:
            self.counts = np.zeros((len(known), len(letters)), dtype=np.int32)
            for i, k in enumerate(self.folded):
                for ch, count in Counter(k).items():
                    self.counts[i, self.column[ch]] = count
            width = int(self.lengths.max(initial=0))
            if width <= self._WORD and len(known) * width <= self._MOST_COUNTS:
                # Each known code's characters as column numbers, padded with one past the last (none).
                self.spelt = np.full((len(known), width), len(letters), dtype=np.int32)
                for i, k in enumerate(self.folded):
                    self.spelt[i, :len(k)] = [self.column[ch] for ch in k]

    _MOST_AT_ONCE = 4_000_000  # codes x known codes x characters in one numpy step

    def of_each(self, codes: list[str]) -> list[str | None]:
        """:meth:`__call__` for each code, the bounds computed for many codes at once."""
        if not self.known or self.counts is None or not codes:
            return list(map(self, codes))
        step = max(1, self._MOST_AT_ONCE // max(1, self.counts.size))
        out: list[str | None] = []
        matcher = difflib.SequenceMatcher()
        for start in range(0, len(codes), step):
            chunk = [code.casefold() for code in codes[start:start + step]]
            mine = np.zeros((len(chunk), self.counts.shape[1]), dtype=np.int32)
            for k, code in enumerate(chunk):
                for ch, count in Counter(code).items():
                    if ch in self.column:
                        mine[k, self.column[ch]] = count
            common = self._in_common(mine)
            widths = np.fromiter(map(len, chunk), np.int64, len(chunk))
            # difflib's quick_ratio (never above its real_quick_ratio: the characters in common are at
            # most the shorter code's)
            code_at, near = np.nonzero(2.0 * common / (self.lengths[None, :] + widths[:, None]) >= _CUTOFF)
            total = self.lengths[near] + widths[code_at]
            in_common = common[code_at, near]
            bound = 2.0 * (self._common_subsequence(chunk, code_at, near, in_common) if self.spelt is not None
                           else in_common) / total
            kept = bound >= _CUTOFF
            code_at, near, bound = code_at[kept], near[kept], bound[kept]
            order = np.lexsort((near, ~self.without[near], -bound, code_at))
            code_at, near, bound = code_at[order], near[order], bound[order]
            ends = np.searchsorted(code_at, np.arange(1, len(chunk) + 1)).tolist()
            near_l, bound_l = near.tolist(), bound.tolist()
            begin = 0
            for code, end in zip(chunk, ends):
                matcher.set_seq2(code)  # difflib caches details of seq2: the code, compared with each candidate
                out.append(self._best(matcher, near_l[begin:end], bound_l[begin:end]))
                begin = end
        return out

    _MOST_LEVELS = 8  # a character more times than this in a code: the smaller counts summed as they are

    def _in_common(self, mine: np.ndarray) -> np.ndarray:
        """Characters in common (the multiset's intersection) of each code counted in ``mine`` and each
        known code. The sum over characters of the smaller count is, over thresholds t, the number of
        characters both have at least t of: with 64 characters or fewer, the bits in common of two
        uint64 masks a threshold (no BLAS, whose threads spin on a busy machine)."""
        letters = self.counts.shape[1]
        levels = min(int(mine.max(initial=0)), int(self.counts.max(initial=0)))
        if letters > self._WORD or levels > self._MOST_LEVELS:
            return np.minimum(self.counts[None, :, :], mine[:, None, :]).sum(axis=2)
        bits = np.uint64(1) << np.arange(letters, dtype=np.uint64)
        common = np.zeros((len(mine), len(self.known)), dtype=np.int64)
        for t in range(1, levels + 1):
            ours = np.bitwise_or.reduce(np.where(mine >= t, bits, np.uint64(0)), axis=1)
            theirs = np.bitwise_or.reduce(np.where(self.counts >= t, bits, np.uint64(0)), axis=1)
            common += np.bitwise_count(ours[:, None] & theirs[None, :])
        return common

    def _common_subsequence(self, codes: list[str], code_at: np.ndarray, near: np.ndarray,
                            common: np.ndarray) -> np.ndarray:
        """The length of the longest common subsequence of ``codes[code_at]`` and each known code
        ``near`` (bit-parallel, Hyyrö's; ``common``, the characters in common, for longer codes)."""
        assert self.spelt is not None
        masks = np.zeros((len(codes), self.counts.shape[1] + 1), dtype=np.uint64)  # the last: no character
        for k, code in enumerate(codes):
            if len(code) <= self._WORD:
                for j, ch in enumerate(code):
                    if ch in self.column:
                        masks[k, self.column[ch]] |= np.uint64(1 << j)
        v = np.full(len(near), ~np.uint64(0), dtype=np.uint64)
        spelt = self.spelt[near]
        for position in range(spelt.shape[1]):
            u = v & masks[code_at, spelt[:, position]]
            v = (v + u) | (v - u)
        widths = np.fromiter(map(len, codes), np.int64, len(codes))[code_at]
        low = np.where(widths >= self._WORD, ~np.uint64(0),
                       (np.uint64(1) << np.minimum(widths, self._WORD - 1).astype(np.uint64)) - np.uint64(1))
        found = widths - np.bitwise_count(v & low).astype(np.int64)
        return np.where(widths <= self._WORD, found, common)

    def __call__(self, code: str) -> str | None:
        """The nearest known code."""
        if not self.known:
            return None
        b = code.casefold()
        total = self.lengths + len(b)  # never 0: known codes and this code are not empty
        bound = 2.0 * np.minimum(self.lengths, len(b)) / total  # difflib's real_quick_ratio
        near = np.flatnonzero(bound >= _CUTOFF)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(b)  # difflib caches details of seq2: the code, compared with each candidate
        # of_each bounds codes many at once whenever the character counts were kept: a code comes
        # here one at a time only when they were not (too many known codes and letters to keep).
        quick = np.array([_quick(matcher, self.folded[i]) for i in near.tolist()], dtype=np.float64)
        passed = quick >= _CUTOFF
        near, quick = near[passed], quick[passed]
        order = np.lexsort((near, ~self.without[near], -quick))
        return self._best(matcher, near[order].tolist(), quick[order].tolist())

    def _best(self, matcher: difflib.SequenceMatcher, near: list[int], bounds: list[float]) -> str | None:
        """Of the candidates ``near`` (by bound descending, then without rows first, then as listed),
        the one difflib scores best: a candidate scores at most (bound, no rows, -order), as difflib's
        ratio never exceeds its bound; once that is below the best scored, neither it nor any after it
        can win."""
        best: tuple[float, bool, int] | None = None
        for i, bound_i in zip(near, bounds):
            if best is not None and (bound_i, self.without_rows[i], -i) < best:
                break
            matcher.set_seq1(self.folded[i])
            ratio = matcher.ratio()
            if ratio >= _CUTOFF and (best is None or (ratio, self.without_rows[i], -i) > best):
                best = (ratio, self.without_rows[i], -i)
        return self.known[-best[2]] if best is not None else None


def _quick(matcher: difflib.SequenceMatcher, candidate: str) -> float:
    matcher.set_seq1(candidate)
    return matcher.quick_ratio()
