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
    candidates its cheap bounds (real_quick_ratio, quick_ratio) cannot rule out. The bounds are
    computed for every known code at once, as difflib computes them (lengths; the multiset of
    characters in common), so the answer is the one comparing each candidate in turn gives."""

    _MOST_COUNTS = 4_000_000  # known codes x distinct characters held as counts (16 MB); beyond, difflib's own

    def __init__(self, known: list[str], with_rows: set[str]) -> None:
        self.known = known
        self.folded = [k.casefold() for k in known]
        self.without_rows = [k not in with_rows for k in known]
        self.without = np.array(self.without_rows, dtype=bool)
        self.lengths = np.fromiter(map(len, self.folded), np.int64, len(known))
        letters = dict.fromkeys(ch for k in self.folded for ch in k)
        self.column = {ch: j for j, ch in enumerate(letters)}
        self.counts = None
        if len(known) * len(letters) <= self._MOST_COUNTS:
            self.counts = np.zeros((len(known), len(letters)), dtype=np.int32)
            for i, k in enumerate(self.folded):
                for ch, count in Counter(k).items():
                    self.counts[i, self.column[ch]] = count

    _MOST_AT_ONCE = 8_000_000  # codes x known codes x characters compared in one numpy step

    def of_each(self, codes: list[str]) -> list[str | None]:
        """:meth:`__call__` for each code, the characters in common counted for many codes at once."""
        if not self.known or self.counts is None or not codes:
            return list(map(self, codes))
        step = max(1, self._MOST_AT_ONCE // max(1, self.counts.size))
        out: list[str | None] = []
        for start in range(0, len(codes), step):
            chunk = codes[start:start + step]
            mine = np.zeros((len(chunk), self.counts.shape[1]), dtype=np.int32)
            for k, code in enumerate(chunk):
                for ch, count in Counter(code.casefold()).items():
                    if ch in self.column:
                        mine[k, self.column[ch]] = count
            common = np.minimum(self.counts[None, :, :], mine[:, None, :]).sum(axis=2)
            out.extend(self(code, in_common) for code, in_common in zip(chunk, common))
        return out

    def __call__(self, code: str, in_common: np.ndarray | None = None) -> str | None:
        """The nearest known code (``in_common``: each known code's characters in common with it)."""
        if not self.known:
            return None
        b = code.casefold()
        total = self.lengths + len(b)  # never 0: known codes and this code are not empty
        bound = 2.0 * np.minimum(self.lengths, len(b)) / total  # difflib's real_quick_ratio
        near = np.flatnonzero(bound >= _CUTOFF)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(b)  # difflib caches details of seq2: the code, compared with each candidate
        if in_common is not None:
            quick = 2.0 * in_common[near] / total[near]  # difflib's quick_ratio
        elif self.counts is not None:
            mine = [(self.column[ch], count) for ch, count in Counter(b).items() if ch in self.column]
            common = (np.minimum(self.counts[np.ix_(near, [j for j, _ in mine])], [c for _, c in mine]).sum(axis=1)
                      if mine else np.zeros(len(near), np.int64))
            quick = 2.0 * common / total[near]  # difflib's quick_ratio
        else:
            quick = np.array([_quick(matcher, self.folded[i]) for i in near.tolist()], dtype=np.float64)
        passed = quick >= _CUTOFF
        near, quick = near[passed], quick[passed]
        # Most promising first: by the bound, then the tie-breaks (no rows of its own, listed earlier). A
        # candidate scores at most (bound, no rows, -order), as difflib's ratio never exceeds quick_ratio:
        # once that is below the best scored, neither it nor any after it can win.
        best: tuple[float, bool, int] | None = None
        for i, bound_i in zip(*(part.tolist() for part in _ordered(near, quick, self.without[near]))):
            if best is not None and (bound_i, self.without_rows[i], -i) < best:
                break
            matcher.set_seq1(self.folded[i])
            ratio = matcher.ratio()
            if ratio >= _CUTOFF and (best is None or (ratio, self.without_rows[i], -i) > best):
                best = (ratio, self.without_rows[i], -i)
        return self.known[-best[2]] if best is not None else None


def _ordered(near: np.ndarray, quick: np.ndarray, without: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidates (and bounds) by bound descending, then without rows first, then as listed."""
    order = np.lexsort((near, ~without, -quick))
    return near[order], quick[order]


def _quick(matcher: difflib.SequenceMatcher, candidate: str) -> float:
    matcher.set_seq1(candidate)
    return matcher.quick_ratio()
