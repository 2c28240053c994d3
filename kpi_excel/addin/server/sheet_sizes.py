"""The sheets of a web request, counted before xlwings builds its book from them.

The limits on a sheet read in docs/security.md (1,000,000 cells present, a grid of
10,000,000; 500,000 cells on the KPIs sheet) hold on the web door too. The file
door counts ``<c>`` elements before parsing a sheet; here the cells are already
Python lists (``json.loads``, bounded by the request size limit), but the
remote engine copies a sheet's ``values`` on every range read and pads a
claimed used range with ``None``: a 19 MB body of 1.6M rows x 5 grew the server
to 23 GB. So each sheet is counted here, with C-speed ``len`` and ``count``
calls, and refused in one line before ``xw.Book(json=...)`` is made.

Excel on the web sends each sheet's block from A1 to the end of its used range,
empty cells as ``""`` (the Data sheet beside the workbook, as the script's
argument): the grid is every slot sent (or claimed by ``used_range_address``),
the cells present are the slots that are not empty.
"""

from __future__ import annotations

import re
from itertools import chain, repeat
from typing import Any

from kpi_excel.ooxml.cell_content import EXCEL_CELL_LIMIT
from kpi_excel.core.template import KPI_SHEET
from kpi_excel.ooxml.refs import MAX_COL, cell_ref, column_index
from kpi_excel.ooxml.sheet_values import KPI_SHEET_LIMITS, SheetLimits, too_many_cells

__all__ = ["SheetShapeError", "sheet_size_problem"]

# 'A1:E79', '$A$1:$E$79' or 'E79', maybe after a sheet name ('Data'!A1:E79).
_CORNER = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\Z")


class SheetShapeError(ValueError):
    """A sheet's ``values`` is not a list of rows: not a workbook the add-in sent."""


def _limits(name: str) -> SheetLimits:
    # The web reader finds the KPIs sheet by name, ignoring case and spaces (book_reader.find_sheet).
    return KPI_SHEET_LIMITS if name.strip().lower() == KPI_SHEET.lower() else SheetLimits()


def _claimed_grid(address: Any) -> int:
    """Slots from A1 to the far corner of ``used_range_address`` (0 when there is none to read)."""
    if not isinstance(address, str):
        return 0
    match = _CORNER.search(address[-40:])
    if match is None:
        return 0
    return int(match.group(2)) * column_index(match.group(1).upper())


def _sent_sheets(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The sheets in the payload, and the Data sheet ribbon.js sends beside it as the script's
    argument (``{"sheet": "Data", "rows": [...]}``, :mod:`.sheet_data`) when it has that shape."""
    sheets = list(request["sheets"])
    args = request.get("args")
    for arg in args if isinstance(args, list) else ():
        if isinstance(arg, dict) and isinstance(arg.get("rows"), list):
            sheets.append({"name": arg.get("sheet") or "Data", "values": arg["rows"]})
    return sheets


def sheet_size_problem(request: dict[str, Any]) -> str | None:
    """The first sheet of the request over the limits, as the one line the officer is shown; None when all fit.

    Raises :class:`SheetShapeError` when a sheet's ``values`` is not a list of lists.
    """
    for sheet in _sent_sheets(request):
        name, values = str(sheet.get("name"))[:31], sheet.get("values", [])  # Excel's names are <= 31
        if not isinstance(values, list) or not set(map(type, values)) <= {list}:  # C loops: no Python per row
            raise SheetShapeError(f"sheet {name!r}: values is not a list of rows")
        limits = _limits(name)
        grid = sum(map(len, values))
        claimed = _claimed_grid(sheet.get("used_range_address"))
        if max(grid, claimed) > limits.max_grid:
            return (f"sheet '{name}' spreads over {max(grid, claimed):,} cells from A1 to the end of its used "
                    f"range, more than the {limits.max_grid:,} grid cells kpi_excel reads from a sheet; delete "
                    "stray cells far below or to the right of the table")
        if grid > limits.max_cells:  # only then worth counting the empty slots
            present = grid - sum(map(list.count, values, repeat(""))) - sum(map(list.count, values, repeat(None)))
            if present > limits.max_cells:
                return str(too_many_cells(name, present, limits.max_cells))
        long_text = _long_text(name, values)
        if long_text:
            return long_text
    return None


def _long_text(name: str, values: list[list[Any]]) -> str | None:
    """A text longer than Excel's cell limit (no Excel sends one), named by its cell from A1."""
    if max(map(len, filter(str.__instancecheck__, chain.from_iterable(values))), default=0) <= EXCEL_CELL_LIMIT:
        return None  # the usual answer, found in C
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                return (f"sheet '{name}' cell {cell_ref(i + 1, j + 1) if j < MAX_COL else f'in row {i + 1}'} holds "
                        f"{len(value):,} characters, more than the {EXCEL_CELL_LIMIT:,} Excel allows in a cell")
    return None
