"""Data codes that match no indicator: named, with the nearest indicator code suggested.

An officer who types ``CSC1`` for ``CSC01`` in the Data sheet would otherwise see
nothing: the rows are read, match no KPI row, and are never used. The refresh
names each such code (where its rows are, and the closest indicator code by
:mod:`difflib`, compared without regard to case) in the Checks of the row it
probably meant, in the Summary sheet and in the Log.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, Sequence

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
    with_rows = set(codes) & present
    found: dict[str, list[int]] = {}
    for code, row in zip(codes, rows):
        if code and code not in present:
            found.setdefault(code, []).append(int(row))
    return [UnmatchedCode(code, tuple(where), source, _nearest(code, known, with_rows))
            for code, where in found.items()]


def _nearest(code: str, known: list[str], with_rows: set[str]) -> str | None:
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(code.casefold())  # difflib caches details of seq2: the code, compared with each candidate
    scored = []
    for order, candidate in enumerate(known):
        matcher.set_seq1(candidate.casefold())
        if matcher.real_quick_ratio() >= _CUTOFF and matcher.quick_ratio() >= _CUTOFF:
            ratio = matcher.ratio()
            if ratio >= _CUTOFF:
                scored.append((ratio, candidate not in with_rows, -order, candidate))
    return max(scored)[3] if scored else None
