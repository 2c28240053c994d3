"""Read a worksheet's cells (value and number format) from an .xlsx file.

One small function, so the reader behind it can change (openpyxl's read-only
mode today) without touching the sources that use it. Lists that need only
values (neighbour lists, code lists, comparator groups) use
:func:`read_sheet_values`, which reads the sheet's XML itself: a tenth of the
time, and no openpyxl import.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple

from kpi_excel.errors import CorruptWorkbookError, UnreadableFileError

__all__ = ["Cell", "SheetRows", "check_zip", "open_workbook", "read_sheet", "read_sheet_values"]



class Cell(NamedTuple):
    """A cell's value (as Excel stores it) and its number format."""

    value: object
    number_format: str | None


class SheetRows(NamedTuple):
    """A sheet's name and its rows; ``rows[i]`` is sheet row ``first_row + i``."""

    name: str
    rows: list[list[Cell]]
    first_row: int = 1


def check_zip(path: Path) -> None:
    """Refuse a workbook whose zip would unpack to something absurd (a zip bomb),
    with the same guard the workbook writer uses."""
    from kpi_excel.workbook.xlsx.zipio import ZipLimits, read_zip

    try:
        read_zip(path.read_bytes(), limits=ZipLimits(), path=path)
    except CorruptWorkbookError as error:
        raise UnreadableFileError(f"not a valid .xlsx file ({error.message})", source=str(path)) from None


@contextmanager
def open_workbook(path: Path) -> Iterator[object]:
    """An openpyxl read-only workbook (cached values, not formulas), after the
    zip-bomb guard; any reason it cannot be read becomes one clear error."""
    from openpyxl import load_workbook  # imported here: CSV and parquet users never pay for it

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
        yield book
    finally:
        book.close()


def read_sheet(path: Path, sheet: str | None = None, *, prefer: tuple[str, ...] = ()) -> SheetRows:
    """The cells of ``sheet`` (or of the first sheet named in ``prefer``, else
    the first sheet). Raises :class:`UnreadableFileError` for a missing sheet or
    a file that is not a workbook."""
    path = Path(path)
    with open_workbook(path) as book:
        names = book.sheetnames  # type: ignore[attr-defined]
        name = _pick(names, sheet, prefer, path)
        # Read-only iter_rows starts at row 1 and fills gaps with empty cells.
        rows = [[Cell(getattr(c, "value", None), getattr(c, "number_format", None)) for c in row]
                for row in book[name].iter_rows(min_row=1)]  # type: ignore[index]
        return SheetRows(name, rows, 1)


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


def read_sheet_values(path: Path, sheet: str | None = None, *, prefer: tuple[str, ...] = ()) -> SheetRows:
    """Cell values only (numbers, text, booleans; no dates or formats), read by
    the workbook package's own fast reader (no openpyxl). Same sheet choice and
    errors as :func:`read_sheet`."""
    from kpi_excel.errors import WorkbookError
    from kpi_excel.workbook.xlsx import XlsxPackage

    path = Path(path)
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    try:
        package = XlsxPackage.open(path)
        name = _pick(package.sheet_names(), sheet, prefer, path)
        values = package.read_sheet(name)
    except WorkbookError as error:
        raise UnreadableFileError(f"cannot open as a workbook ({error.message})", source=str(path)) from None
    pad = [Cell(None, None)] * (values.first_col - 1)
    body = [pad + [Cell(_plain(v), None) for v in row] for row in zip(*values.columns)] if values.columns else []
    return SheetRows(name, [[] for _ in range(values.first_row - 1)] + body, 1)


def _plain(value: object) -> object:
    """Whole numbers as int, as the lists' LA numbers are written; error cells as their text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is not None and not isinstance(value, (int, float, str, bool)):
        return str(value)
    return value
