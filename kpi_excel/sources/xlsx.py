"""Read a worksheet's cells (value and number format) from an .xlsx file.

One small function, so the reader behind it can change (openpyxl's read-only
mode today) without touching the sources that use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from kpi_excel.errors import UnreadableFileError

__all__ = ["Cell", "SheetRows", "read_sheet"]


class Cell(NamedTuple):
    """A cell's value (as Excel stores it) and its number format."""

    value: object
    number_format: str | None


class SheetRows(NamedTuple):
    """A sheet's name and its rows; ``rows[i]`` is sheet row ``first_row + i``."""

    name: str
    rows: list[list[Cell]]
    first_row: int = 1


def read_sheet(path: Path, sheet: str | None = None, *, prefer: tuple[str, ...] = ()) -> SheetRows:
    """The cells of ``sheet`` (or of the first sheet named in ``prefer``, else
    the first sheet). Raises :class:`UnreadableFileError` for a missing sheet or
    a file that is not a workbook."""
    from openpyxl import load_workbook  # imported here: CSV and parquet users never pay for it

    from kpi_excel.tablefile import check_zip

    path = Path(path)
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    check_zip(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise UnreadableFileError(f"cannot open as a workbook ({type(error).__name__}: {error})",
                                  source=str(path)) from None
    try:
        names = book.sheetnames
        name = _pick(names, sheet, prefer, path)
        # Read-only iter_rows starts at row 1 and fills gaps with empty cells.
        rows = [[Cell(getattr(c, "value", None), getattr(c, "number_format", None)) for c in row]
                for row in book[name].iter_rows(min_row=1)]
        return SheetRows(name, rows, 1)
    finally:
        book.close()


def _pick(names: list[str], sheet: str | None, prefer: tuple[str, ...], path: Path) -> str:
    if sheet is not None:
        for name in names:
            if name == sheet or name.strip().lower() == sheet.strip().lower():
                return name
        raise UnreadableFileError(f"no sheet named '{sheet}' (sheets: {', '.join(names)})", source=str(path))
    for wanted in prefer:
        for name in names:
            if name.strip().lower() == wanted.lower():
                return name
    if not names:
        raise UnreadableFileError("the workbook has no sheets", source=str(path))
    return names[0]
