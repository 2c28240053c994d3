"""Read a worksheet's cells (value and number format) from an .xlsx file.

One reader for every door: the workbook package's own (see
:mod:`kpi_excel.ooxml.sheet_values`), which keeps only the cells
present, checks the zip (sizes, CRCs, bomb ratios) and the XML (no DTD, no
character outside Unicode), and refuses a sheet beyond its limits in one line
naming the file and sheet. openpyxl's read-only mode is not used: it pads
every row to the sheet's widest and every gap from row 1, so one cell in
XFD1048576 would cost 17 billion.

A formula whose result was never saved reads as
:class:`~kpi_excel.ooxml.cell_content.Uncalculated`: blank to everything but the
value reader, which says "formula not calculated".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import pandas as pd

from kpi_excel.errors import NoSuchSheetError, UnreadableFileError
from kpi_excel.ooxml.errors import PackageError

__all__ = ["Cell", "SheetRows", "read_sheet", "read_sheets", "sheet_values", "sheet_table"]


class Cell(NamedTuple):
    """A cell's value (as Excel stores it, dates as datetimes) and its number format."""

    value: object
    number_format: str | None


class SheetRows(NamedTuple):
    """A sheet's name and its rows; ``rows[i]`` is sheet row ``first_row + i`` (an empty row is ``()``)."""

    name: str
    rows: list
    first_row: int = 1


def _open(path: Path):  # type: ignore[no-untyped-def]
    # The reader alone: XlsxPackage would import every editor module (~15 ms) to read a few cells.
    from kpi_excel.ooxml.workbook_reader import WorkbookReader

    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    if path.is_dir():
        raise UnreadableFileError("is a folder, not a workbook", source=str(path))
    try:
        return WorkbookReader.open(path)
    except PackageError as error:
        raise UnreadableFileError(f"not a valid .xlsx file ({error.message})", source=str(path)) from None


def _worksheets(package) -> list[str]:  # type: ignore[no-untyped-def]
    return [info.name for info in package.sheets() if info.kind == "worksheet"]


def _read(package, path: Path, name: str, *, formats: bool, dates: bool, limits=None):  # type: ignore[no-untyped-def]
    try:
        return package.read_sheet(name, limits=limits).grid(date1904=package.date1904, with_formats=formats,
                                                             dates=dates)
    except PackageError as error:
        raise UnreadableFileError(error.message, source=str(path)) from None


def _grid(path: Path, sheet: str | None, prefer: tuple[str, ...], *, formats: bool, dates: bool):  # type: ignore[no-untyped-def]
    package = _open(path)
    name = _pick(_worksheets(package), sheet, prefer, path)
    return name, _read(package, path, name, formats=formats, dates=dates)


def _with_formats(name: str, grid) -> SheetRows:  # type: ignore[no-untyped-def]
    rows = [list(map(Cell, values, looks)) if values else () for values, looks in zip(grid.values, grid.formats)]
    return SheetRows(name, rows, grid.top)


def read_sheet(path: Path, sheet: str | None = None, *, prefer: tuple[str, ...] = ()) -> SheetRows:
    """The cells of ``sheet`` (or of the first sheet named in ``prefer``, else
    the first sheet), with number formats; date-formatted cells as datetimes.
    Raises :class:`UnreadableFileError` for a missing sheet, a file that is not
    a workbook, or a sheet beyond the reading limits."""
    path = Path(path)
    name, grid = _grid(path, sheet, prefer, formats=True, dates=True)
    return _with_formats(name, grid)


def read_sheets(path: Path, sheet: str | None = None, *, limits=None) -> Iterator[SheetRows]:  # type: ignore[no-untyped-def]
    """Like :func:`read_sheet` for ``sheet``, or for every worksheet in tab order
    (read one at a time, from one opening of the file), each within ``limits``
    (default: a sheet read's, :class:`kpi_excel.ooxml.SheetLimits`)."""
    path = Path(path)
    package = _open(path)
    names = _worksheets(package)
    for name in [_pick(names, sheet, (), path)] if sheet is not None else names:
        yield _with_formats(name, _read(package, path, name, formats=True, dates=True, limits=limits))


def _pick(names: list[str], sheet: str | None, prefer: tuple[str, ...], path: Path) -> str:
    if sheet is not None:
        for name in names:
            if name == sheet:
                return name
        for name in names:
            if name.strip().lower() == sheet.strip().lower():
                return name
        raise NoSuchSheetError(f"no sheet named '{sheet}' (sheets: {', '.join(names)})", source=str(path))
    for wanted in prefer:
        for name in names:
            if name.strip().lower() == wanted.lower():
                return name
    if not names:
        raise UnreadableFileError("the workbook has no sheets", source=str(path))
    return names[0]


def sheet_values(path: Path, sheet: str | None = None, *, prefer: tuple[str, ...] = ()) -> list[list[object]]:
    """Cell values only (numbers, text, booleans; no dates or formats), a list a row (an empty
    row: ``[]``), rows from sheet row 1: for readers that want no number format (a neighbour
    list's 8,000 cells). Same sheet choice and errors as :func:`read_sheet`."""
    return _values(Path(path), sheet, prefer)[1]


def _values(path: Path, sheet: str | None, prefer: tuple[str, ...]) -> tuple[str, list[list[object]]]:
    name, grid = _grid(path, sheet, prefer, formats=False, dates=False)
    return name, [[] for _ in range(grid.top - 1)] + [list(map(_plain, values)) if values else []
                                                      for values in grid.values]


def _plain(value: object) -> object:
    """Whole numbers as int, as the lists' LA numbers are written; error cells as their text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is not None and not isinstance(value, (int, float, str, bool)):
        return str(value)
    return value


def sheet_table(path: Path, sheet: str | None = None) -> "pd.DataFrame":
    """A list-like sheet (a code list, a comparator group) as a table: row 1 names the
    columns, and every row below is cut or padded to them (rows are as long as their
    last cell, so they differ)."""
    import pandas as pd

    rows = sheet_values(path, sheet)
    if not rows:
        return pd.DataFrame()
    header = [str(c) for c in rows[0]]
    width = len(header)
    body = [row[:width] + [None] * (width - len(row)) for row in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=object)
