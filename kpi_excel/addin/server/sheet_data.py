"""The Data sheet as the add-in's client reads it: in chunks, beside the request's workbook.

Excel on the web refuses any one Office.js request or response over 5 MB, and
xlwings Server's client reads every included sheet in one. So the KPIs and
Settings ride in the workbook payload as usual, while ``ribbon.js`` reads the
Data sheet a few thousand rows at a time and sends it as the script's one
argument: ``{"sheet": "Data", "rows": [[...], ...]}`` with Office.js values
(text, numbers, booleans, "" for empty) and date-formatted cells as ISO text,
as xlwings Server's own client sends dates. Its size was checked with every
other sheet's before anything was built (:mod:`.sheet_sizes`, the file door's
limits); here each cell is checked to be a value.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kpi_excel.core.report import SheetCells
from kpi_excel.core.template import DATA_SHEET
from kpi_excel.errors import InputError

__all__ = ["data_block", "OUT_OF_DATE"]
OUT_OF_DATE = ("This add-in page is out of date and did not send the Data sheet: close and reopen the "
               "workbook (or reload the add-in), then press the button again. Nothing was changed.")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z")
_SCALARS = (str, int, float, bool)


def _row(cells: list[Any], row: int) -> list[Any]:
    """:func:`_cell` of each cell; numbers and text, nearly all of them, without a call each."""
    out: list[Any] = []
    append = out.append
    for column, value in enumerate(cells, start=1):
        kind = value.__class__
        if kind is int or kind is float:
            append(value)
        elif kind is str and value and (len(value) < 20 or _ISO.fullmatch(value) is None):
            append(value)
        else:
            append(_cell(value, row, column))
    return out


def _cell(value: Any, row: int, column: int) -> Any:
    if value is None or value == "":
        return None
    if not isinstance(value, _SCALARS):
        raise InputError("the Data sheet sent by the add-in has a cell that is not a value", sheet=DATA_SHEET,
                         row=row, column=column)
    if isinstance(value, str) and len(value) >= 20 and _ISO.fullmatch(value):
        return dt.datetime.fromisoformat(value[:-1])
    return value


def data_block(arg: Any) -> SheetCells | None:
    """The Data sheet sent beside the workbook, or None when the workbook has none.

    Raises :class:`InputError` for anything that is not the add-in's shape.
    """
    if arg is None:
        return None
    rows = arg.get("rows") if isinstance(arg, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise InputError("the Data sheet sent by the add-in is not a table of rows", sheet=DATA_SHEET)
    values = [_row(row, r) for r, row in enumerate(rows, start=1)]
    name = arg.get("sheet") if isinstance(arg.get("sheet"), str) else DATA_SHEET
    return SheetCells(name, values, formats=None, top=1)
