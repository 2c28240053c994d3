"""Excel's A1 column letters: a leaf module, so errors and readers can share it.

Nothing here imports anything, which keeps ``ooxml.errors`` (which names
columns by letter in its messages), and kpi_excel's errors built on it, below
every other module.
"""

from __future__ import annotations

__all__ = ["column_letter"]


def column_letter(column: int) -> str:
    """Excel's letters for a 1-based column number: 1 → A, 27 → AA."""
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
