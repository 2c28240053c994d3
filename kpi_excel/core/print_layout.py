"""Where charts go on a sheet that prints: below its table, within the table's width, two to a
row, with a page starting before the charts and before every ``rows_per_page``-th row of them,
so no chart straddles a page break and the page is as wide as the table (readable when fitted).

Sizes are in columns and rows because charts are anchored to cells; a column's width in
pixels is Excel's for its 11-point Calibri (7 pixels a character, plus 5).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ChartGrid", "Slot"]


@dataclass(frozen=True)
class Slot:
    """One chart's place: top-left cell (0-based column, sheet row) and size in columns and rows."""

    column: int
    row: int
    width: int
    height: int


@dataclass(frozen=True)
class ChartGrid:
    """Charts laid out below a table whose columns have ``widths`` (in characters).

    ``top`` is the first row below the table for charts; a wide chart (``wide``
    rows high, 0 for none) fills the width on its own page first.
    """

    widths: tuple[float, ...]
    top: int
    count: int
    wide: int = 0
    height: int = 15
    rows_per_page: int = 2
    gap: int = 1

    @property
    def split(self) -> int:
        """The first column of the right-hand chart: where half the table's width is reached."""
        pixels = [int(w * 7 + 5) for w in self.widths]
        total, run = sum(pixels), 0
        for index, width in enumerate(pixels):
            run += width
            if run >= total / 2:
                return min(index + 1, len(pixels) - 1)
        return max(len(pixels) // 2, 1)

    @property
    def wide_slot(self) -> Slot | None:
        return Slot(0, self.top, len(self.widths), self.wide) if self.wide else None

    @property
    def _first_row(self) -> int:
        return self.top + (self.wide + self.gap if self.wide else 0)

    def slot(self, index: int) -> Slot:
        """The ``index``-th two-up chart's place."""
        row = self._first_row + (index // 2) * (self.height + self.gap)
        left = index % 2 == 0
        return Slot(0 if left else self.split, row, self.split if left else len(self.widths) - self.split,
                    self.height)

    @property
    def page_breaks(self) -> tuple[int, ...]:
        """Rows a printed page starts at: the charts' first row, then every ``rows_per_page`` rows of charts."""
        if not self.count and not self.wide:
            return ()
        rows = -(-self.count // 2)
        starts = [self.top] + ([self._first_row] if self.wide and rows else [])
        starts += [self._first_row + k * (self.height + self.gap)
                   for k in range(self.rows_per_page, rows, self.rows_per_page)]
        # Each page starts with the empty row above its charts: a chart's frame reaching a
        # point above its cell is then not drawn, clipped, at the foot of the page before.
        return tuple(row - self.gap for row in starts)

    @property
    def last_row(self) -> int:
        """The last row the charts cover (the table's last row when there are none)."""
        rows = -(-self.count // 2)
        if rows:
            return self._first_row + rows * (self.height + self.gap) - self.gap - 1
        return self.top + self.wide - 1 if self.wide else self.top - 1
