"""Build the JSON that Excel's Office.js client sends to xlwings Server, from a real .xlsx.

This mirrors ``getBookData`` in xlwings Server's ``static/js/custom-scripts/index.js``
(xlwings-server 1.20.0), so tests and the benchmark can drive the real remote
engine (``xw.Book(json=payload)``) and the real server with what Excel would send:

* ``client`` ``"Office.js"`` and ``version`` (the remote engine accepts any
  version from Office.js, but we send the installed one as the client does);
* ``book``: ``name``, ``active_sheet_index``, ``selection`` (unqualified
  address), ``calculation``;
* ``names``: one entry per defined name as ``readNamedItems`` reports it;
* ``sheets``: for every sheet its metadata; for *included* sheets the values
  from A1 to the last cell of the values-only used range, else ``[[]]``.

Values are what Office.js' ``Range.values`` gives: text as text, numbers as
JSON numbers (a whole number has no decimal point, as JavaScript writes it),
booleans, error text such as ``#N/A``, ``""`` for an empty cell, and cells with
a date number format as ISO strings (``2022-09-30T00:00:00.000Z``), which is
what ``convertDateValues`` does. Number formats themselves are *not* sent, so a
cell shown as ``77.6%`` arrives as ``0.776``. Formulas arrive as their last
calculated value, which is what openpyxl's ``data_only`` mode reads.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Iterable

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["book_payload", "payload_bytes", "REFRESH_SHEETS", "WEB_SHEETS", "data_arg", "web_request"]

# The sheets the refresh reads; the web add-in sends only these. Summary's first
# cell tells the writer whether a sheet of that common name is kpi_excel's.
REFRESH_SHEETS = ("KPIs", "Data", "Settings", "Summary")
# What the web add-in's buttons send: these sheets' values in the payload
# (kpi_excel.addin.server.scripts.SCRIPT_SHEETS), and the Data sheet beside it
# as the script's argument, read in chunks by ribbon.js (see data_arg).
WEB_SHEETS = ("KPIs", "Settings", "Log")

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _iso(value: dt.datetime | dt.date | dt.time) -> str:
    """A date as JavaScript's ``Date.toISOString()`` writes it (UTC, milliseconds, Z)."""
    if isinstance(value, dt.time):
        value = dt.datetime.combine(_EXCEL_EPOCH.date(), value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _office_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _iso(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # JSON.stringify(3.0) is "3"
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def _used_bounds(ws: Worksheet) -> tuple[int, int, int, int] | None:
    """(min_row, min_col, max_row, max_col) of cells holding a value, or None if none do."""
    rows: list[int] = []
    cols: list[int] = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and cell.value != "":
                rows.append(cell.row)
                cols.append(cell.column)
    if not rows:
        return None
    return min(rows), min(cols), max(rows), max(cols)


def _address(min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    first = f"{get_column_letter(min_col)}{min_row}"
    last = f"{get_column_letter(max_col)}{max_row}"
    return first if first == last else f"{first}:{last}"


def _values(ws: Worksheet, bounds: tuple[int, int, int, int] | None) -> list[list[Any]]:
    if bounds is None:
        return [[""]]  # an empty sheet: the client falls back to A1
    _, _, max_row, max_col = bounds
    return [
        [_office_value(v) for v in row]
        for row in ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_col, values_only=True)
    ]


def _tables(ws: Worksheet) -> list[dict[str, Any]]:
    tables = []
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        headers = table.headerRowCount if table.headerRowCount is not None else 1
        totals = table.totalsRowCount or 0
        style = table.tableStyleInfo
        body_top = min_row + (1 if headers else 0)
        body_bottom = max_row - (1 if totals else 0)
        tables.append({
            "name": table.displayName or table.name,
            "range_address": _address(min_row, min_col, max_row, max_col),
            "row_count": max_row - min_row + 1,
            "column_count": max_col - min_col + 1,
            "columns": [c.name for c in table.tableColumns],
            "header_row_range_address": _address(min_row, min_col, min_row, max_col) if headers else None,
            "data_body_range_address": _address(body_top, min_col, max(body_bottom, body_top), max_col),
            "total_row_range_address": _address(max_row, min_col, max_row, max_col) if totals else None,
            "show_headers": bool(headers),
            "show_totals": bool(totals),
            "table_style": style.name if style is not None else None,
            "show_autofilter": table.autoFilter is not None,
            "show_table_style_first_column": bool(style and style.showFirstColumn),
            "show_table_style_last_column": bool(style and style.showLastColumn),
            "show_table_style_row_stripes": bool(style and style.showRowStripes),
            "show_table_style_column_stripes": bool(style and style.showColumnStripes),
        })
    return tables


def _names(wb: Any, positions: dict[str, int]) -> list[dict[str, Any]]:
    out = []

    def entry(name: str, defn: Any, scope: str | None) -> dict[str, Any]:
        destinations = list(defn.destinations) if defn.type == "RANGE" else []
        sheet_name, ref = destinations[0] if len(destinations) == 1 else (None, None)
        return {
            "name": name,
            "refers_to": "=" + str(defn.value),
            "type": "Range" if sheet_name else "String",
            "sheet_index": positions.get(sheet_name) if sheet_name else None,
            "address": ref.replace("$", "") if ref else None,
            "scope_sheet_name": scope,
            "scope_sheet_index": positions.get(scope) if scope else None,
            "book_scope": scope is None,
        }

    for name, defn in wb.defined_names.items():
        out.append(entry(name, defn, None))
    for ws in wb.worksheets:
        for name, defn in ws.defined_names.items():
            out.append(entry(name, defn, ws.title))
    return out


def book_payload(
    path: Path | str,
    *,
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    selection: str | None = None,
) -> dict[str, Any]:
    """The payload Excel on the web would send for the workbook at ``path``.

    ``include``/``exclude`` act as ``xlwings.runPython`` does: sheets left out
    still appear (name, position, used-range size) but with ``values`` ``[[]]``
    and no tables, so a script can still write to them.
    """
    path = Path(path)
    include_set = set(include) if include is not None else None
    exclude_set = set(exclude or ())
    if include_set and exclude_set:
        raise ValueError("Either use 'include' or 'exclude', but not both!")
    wb = load_workbook(path, data_only=True, read_only=False)
    try:
        positions = {ws.title: i for i, ws in enumerate(wb.worksheets)}
        sheets = []
        for ws in wb.worksheets:
            excluded = ws.title in exclude_set or (include_set is not None and ws.title not in include_set)
            bounds = _used_bounds(ws)
            sheets.append({
                "name": ws.title,
                "visibility": {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}.get(
                    ws.sheet_state, "Visible"),
                "show_gridlines": ws.sheet_view.showGridLines is not False,  # Excel's default: shown
                "print_area": None,
                "notes": [],
                "notes_supported": True,
                # The client loads the used range of included sheets only (rangeMetadata of
                # nothing: no address, 0 x 0): an excluded sheet's size is never sent.
                "used_range_address": _address(*bounds) if bounds and not excluded else None,
                "used_range_row_count": bounds[2] - bounds[0] + 1 if bounds and not excluded else 0,
                "used_range_column_count": bounds[3] - bounds[1] + 1 if bounds and not excluded else 0,
                "values": [[]] if excluded else _values(ws, bounds),
                "pictures": [],
                "shapes": [],
                "charts": [],
                "tables": [] if excluded else _tables(ws),
                "pivot_tables": [],
            })
        active = wb.worksheets.index(wb.active) if wb.active in wb.worksheets else 0
        if selection is None:  # the active sheet's selected cell, as saved
            selection = wb.worksheets[active].active_cell or "A1"
        return {
            "client": "Office.js",
            "version": package_version("xlwings"),
            "book": {"name": path.name, "active_sheet_index": active, "selection": selection,
                     "calculation": "Automatic"},
            "names": _names(wb, positions),
            "sheets": sheets,
        }
    finally:
        wb.close()


def payload_bytes(payload: dict[str, Any]) -> bytes:
    """The request body as the browser sends it (compact JSON, UTF-8)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def data_arg(path: Path | str, sheet: str = "Data") -> dict[str, Any] | None:
    """The Data sheet as ribbon.js's kpiReadData sends it: rows from A1 to the used range's end."""
    wb = load_workbook(Path(path), data_only=True)
    try:
        ws = next((w for w in wb.worksheets if w.title.strip().lower() == sheet.lower()), None)
        if ws is None:
            return None
        bounds = _used_bounds(ws)
        if bounds is None:
            return {"sheet": ws.title, "rows": []}
        return {"sheet": ws.title, "rows": _values(ws, (1, 1, bounds[2], bounds[3]))}
    finally:
        wb.close()


def web_request(path: Path | str) -> dict[str, Any]:
    """The body the web add-in's Refresh KPIs / Check inputs buttons post for the workbook at ``path``."""
    payload = book_payload(path, include=WEB_SHEETS)
    payload["args"] = [data_arg(path)]
    return payload
