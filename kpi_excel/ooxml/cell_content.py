"""What one cell can hold, beyond Python's own types: a leaf of the library.

The sheet reader gives :class:`Uncalculated` for a formula whose result was never
saved, and refuses texts longer than :data:`EXCEL_CELL_LIMIT`; the core reads
values and cuts long texts with the same two, so they live here, below both.
"""

from __future__ import annotations

__all__ = ["EXCEL_CELL_LIMIT", "Uncalculated"]

EXCEL_CELL_LIMIT = 32_767  # characters a cell holds; Excel refuses a longer text, and so does the web


class Uncalculated(str):
    """A formula cell whose result was never saved (the file was written by a tool
    that does not calculate). It is blank text everywhere except to the value
    reader, which says so instead of calling it "no value"."""

    __slots__ = ()

    def __new__(cls) -> "Uncalculated":
        return super().__new__(cls, "")

    def __repr__(self) -> str:
        return "Uncalculated()"

    # Readers tidy text with strip(); the marker must survive that.
    def strip(self, chars: str | None = None) -> "Uncalculated":
        return self

    lstrip = rstrip = strip
