"""Read a worksheet's cells (value and number format) from an .xlsx file.

One small function, so the reader behind it can change (openpyxl's read-only
mode today) without touching the sources that use it. Lists that need only
values (neighbour lists, code lists, comparator groups) use
:func:`read_sheet_values`, which reads the sheet's XML itself: a tenth of the
time, and no openpyxl import.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from kpi_excel.errors import UnreadableFileError

__all__ = ["Cell", "SheetRows", "read_sheet", "read_sheet_values"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


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


def read_sheet_values(path: Path, sheet: str | None = None, *, prefer: tuple[str, ...] = ()) -> SheetRows:
    """Cell values only (numbers, text, booleans; no dates or formats), straight
    from the sheet's XML. Same sheet choice and errors as :func:`read_sheet`."""
    import posixpath
    import zipfile

    from defusedxml.ElementTree import fromstring  # no DTDs, no entity expansion

    from kpi_excel.tablefile import check_zip

    path = Path(path)
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    check_zip(path)
    try:
        with zipfile.ZipFile(path) as archive:
            book = fromstring(archive.read("xl/workbook.xml"))
            rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target") for r in rels}
            sheets = [(s.get("name"), targets.get(s.get(_REL))) for s in book.iter(f"{_NS}sheet")]
            name = _pick([n for n, _ in sheets], sheet, prefer, path)
            target = dict(sheets)[name] or ""
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            strings = []
            if "xl/sharedStrings.xml" in archive.namelist():
                shared = fromstring(archive.read("xl/sharedStrings.xml"))
                strings = ["".join(t.text or "" for t in si.iter(f"{_NS}t")) for si in shared.iter(f"{_NS}si")]
            root = fromstring(archive.read(member))
    except (KeyError, zipfile.BadZipFile, ValueError) as error:
        raise UnreadableFileError(f"cannot open as a workbook ({type(error).__name__}: {error})",
                                  source=str(path)) from None
    except Exception as error:  # defusedxml refusals and XML parse errors
        raise UnreadableFileError(f"cannot read the workbook's XML ({type(error).__name__}: {error})",
                                  source=str(path)) from None
    rows: dict[int, list[Cell]] = {}
    for row in root.iter(f"{_NS}row"):
        number = int(row.get("r") or len(rows) + 1)
        cells: list[Cell] = []
        for c in row.iter(f"{_NS}c"):
            column = _column_index(c.get("r")) if c.get("r") else len(cells)
            while len(cells) < column:
                cells.append(Cell(None, None))
            cells.append(Cell(_cell_value(c, strings), None))
        rows[number] = cells
    last = max(rows, default=0)
    return SheetRows(name, [rows.get(i, []) for i in range(1, last + 1)], 1)


def _column_index(reference: str) -> int:
    index = 0
    for ch in reference:
        if ch.isalpha():
            index = index * 26 + ord(ch.upper()) - 64
        else:
            break
    return index - 1


def _cell_value(c, strings: list[str]) -> object:  # type: ignore[no-untyped-def]
    kind = c.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(f"{_NS}t"))
    v = c.find(f"{_NS}v")
    if v is None or v.text is None:
        return None
    if kind == "s":
        return strings[int(v.text)]
    if kind == "b":
        return v.text == "1"
    if kind in ("str", "e"):
        return v.text
    number = float(v.text)
    return int(number) if number.is_integer() and "." not in v.text and "E" not in v.text.upper() else number
