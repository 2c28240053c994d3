"""A1 cell and range references.

Rows and columns are 1-based everywhere in this package, as in Excel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kpi_excel.ooxml.a1 import column_letter as letters_of
from kpi_excel.ooxml.errors import OoxmlValueError

__all__ = [
    "MAX_ROW",
    "MAX_COL",
    "CellRange",
    "column_letter",
    "column_index",
    "cell_ref",
    "parse_cell",
    "parse_range",
    "quote_sheet",
    "absolute_range",
]

MAX_ROW = 1_048_576
MAX_COL = 16_384

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


@cache
def column_letter(col: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    if not 1 <= col <= MAX_COL:
        raise OoxmlValueError(f"column {col} is outside Excel's 1..{MAX_COL}")
    return letters_of(col)


@cache
def column_index(letters: str) -> int:
    """'A' -> 1, 'aa' -> 27."""
    value = 0
    for ch in letters.upper():
        value = value * 26 + (ord(ch) - 64)
    return value


def cell_ref(row: int, col: int) -> str:
    """(2, 3) -> 'C2'."""
    return f"{column_letter(col)}{row}"


def parse_cell(ref: str) -> tuple[int, int]:
    """'C2' or '$C$2' -> (2, 3)."""
    match = _CELL.match(ref.strip())
    if match is None:
        raise OoxmlValueError(f"{ref!r} is not a cell reference")
    return int(match.group(2)), column_index(match.group(1))


@dataclass(frozen=True, order=True)
class CellRange:
    """A rectangular block of cells, inclusive on every side."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def ref(self) -> str:
        """'A1:D10', or 'A1' for a single cell."""
        first = cell_ref(self.min_row, self.min_col)
        if (self.min_row, self.min_col) == (self.max_row, self.max_col):
            return first
        return f"{first}:{cell_ref(self.max_row, self.max_col)}"

    def __str__(self) -> str:
        return self.ref

    @property
    def rows(self) -> int:
        """Number of rows."""
        return self.max_row - self.min_row + 1

    @property
    def cols(self) -> int:
        """Number of columns."""
        return self.max_col - self.min_col + 1

    def contains(self, row: int, col: int) -> bool:
        """Whether (row, col) lies in the range."""
        return self.min_row <= row <= self.max_row and self.min_col <= col <= self.max_col

    def union(self, other: CellRange) -> CellRange:
        """Smallest range covering both."""
        return CellRange(
            min(self.min_row, other.min_row),
            min(self.min_col, other.min_col),
            max(self.max_row, other.max_row),
            max(self.max_col, other.max_col),
        )

    def intersects(self, other: CellRange) -> bool:
        """Whether the two ranges share a cell."""
        return not (
            other.min_row > self.max_row
            or other.max_row < self.min_row
            or other.min_col > self.max_col
            or other.max_col < self.min_col
        )


def parse_range(ref: str) -> CellRange:
    """'A1:D10', '$A$1:$D$10' or 'B2' -> CellRange (corners normalised)."""
    first, _, last = ref.strip().partition(":")
    r1, c1 = parse_cell(first)
    r2, c2 = parse_cell(last) if last else (r1, c1)
    return CellRange(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def quote_sheet(name: str) -> str:
    """Sheet name as it appears in a formula: quoted when it needs to be."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not re.fullmatch(r"[A-Za-z]{1,3}[0-9]+", name):
        return name
    return "'" + name.replace("'", "''") + "'"


def absolute_range(sheet: str, rng: CellRange) -> str:
    """"'KPI Data'!$A$2:$A$10" for use in formulas, chart series and names."""
    first = f"${column_letter(rng.min_col)}${rng.min_row}"
    last = f"${column_letter(rng.max_col)}${rng.max_row}"
    body = first if first == last else f"{first}:{last}"
    return f"{quote_sheet(sheet)}!{body}"
