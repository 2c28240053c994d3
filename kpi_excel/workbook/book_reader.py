"""Read a live ``xlwings.Book``'s KPIs, Data and Settings sheets in bulk.

One ``.value`` read per sheet (the block from A1 to the last cell of the used
range), never a cell at a time: over COM every cell read is a round trip to
Excel, and through the remote engine the values are already in the payload.
Columns are found by their header text, so officers may move them.

What each engine gives (and does not):

* values: text, numbers (float over COM; a whole number arrives as ``int``
  from Office.js), ``bool``, ``datetime`` for date-formatted cells (the Office.js
  client sends ISO text, which xlwings turns back into ``datetime``), ``None``
  for empty cells (Office.js sends ``""``; xlwings converts it);
* number formats: **not** read. Office.js sends none in the payload, and over
  COM a block's format is only reported when every cell shares it. So ``77.6%``
  arrives as ``0.776``; the core reads the KPIs sheet's *Unit* column (``%``) to
  know it is a percentage and how to show it.
* ``current_region`` is not available from the remote engine without a client
  round trip, so the used range is used instead; trailing empty rows and
  columns are trimmed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import pandas as pd

from kpi_excel.core.columns import normalise_header
from kpi_excel.core.report import SheetCells, WorkbookContent, find_kpi_table
from kpi_excel.core.template import DATA_SHEET, KPI_SHEET, SETTINGS_SHEET

if TYPE_CHECKING:  # xlwings is imported by the caller; keep this module importable without it
    import xlwings as xw

__all__ = [
    "BookSheets",
    "find_sheet",
    "read_block",
    "read_book",
    "kpis_frame",
    "data_frame",
    "settings_pairs",
    "settings_frame",
    "DATA_COLUMNS",
]

# Data sheet (long format): canonical column -> header texts that mean it.
DATA_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "indicator code", "kpi code", "measure code"),
    "period": ("period", "time period", "year", "quarter"),
    "value": ("value", "figure", "result", "actual"),
    "area": ("area", "authority", "local authority", "la"),
    "note": ("note", "notes", "source", "comment"),
}
_DATA_LOOKUP = {normalise_header(word): name for name, words in DATA_COLUMNS.items() for word in words}


@dataclass(frozen=True)
class BookSheets:
    """What a refresh reads from a book: the three sheets as blocks from A1."""

    sheet_names: tuple[str, ...]
    kpis: SheetCells | None
    data: SheetCells | None
    settings: SheetCells | None

    def content(self) -> WorkbookContent:
        """The reader's hand-over to the core's ``plan_refresh``."""
        return WorkbookContent(self.sheet_names, self.kpis, self.settings)


def find_sheet(book: "xw.Book", name: str) -> "xw.Sheet | None":
    """The sheet called ``name``, ignoring case and surrounding spaces."""
    wanted = name.strip().lower()
    for sheet in book.sheets:
        if sheet.name.strip().lower() == wanted:
            return sheet
    return None


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    """Drop trailing empty rows and columns (formatting-only cells widen a used range)."""
    def empty(v: Any) -> bool:
        return v is None or (isinstance(v, str) and not v.strip())

    while rows and all(empty(v) for v in rows[-1]):
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    while width and all(empty(r[width - 1]) for r in rows if len(r) >= width):
        width -= 1
    return [list(r[:width]) for r in rows]


# Desktop Excel counts formatted-but-empty cells in the used range, so a sheet
# whose formatting reaches row 1,048,576 would be read whole; past this many
# rows the read goes in blocks and stops at the first empty block.
BLOCK_ROWS = 10_000


def read_block(sheet: "xw.Sheet") -> SheetCells:
    """Bulk read: the values from A1 to the last used cell, as a 2-D list.

    One ``.value`` read, or one per :data:`BLOCK_ROWS` rows on a sheet whose
    used range is taller than that.
    """
    used = sheet.used_range
    last_row = used.row + used.shape[0] - 1
    last_col = used.column + used.shape[1] - 1
    values: list[list[Any]] = []
    for top in range(1, last_row + 1, BLOCK_ROWS):
        bottom = min(top + BLOCK_ROWS - 1, last_row)
        block = sheet.range((top, 1), (bottom, last_col)).options(ndim=2).value or []
        if top > 1 and not _trim([list(r) for r in block]):
            break  # an empty block: the rest is formatting, not data
        values.extend(list(r) for r in block)
    rows = _trim(values)
    table = None
    try:
        names = [t.name for t in sheet.tables]
        table = names[0] if names else None
    except Exception:  # noqa: BLE001 - a client without table support: plain ranges are fine
        table = None
    return SheetCells(sheet.name, rows, formats=None, top=1, table=table)


def read_book(book: "xw.Book") -> BookSheets:
    """Read KPIs, Data and Settings (each optional) with one bulk read apiece."""
    names = tuple(s.name for s in book.sheets)
    blocks: dict[str, SheetCells | None] = {}
    for wanted in (KPI_SHEET, DATA_SHEET, SETTINGS_SHEET):
        sheet = find_sheet(book, wanted)
        blocks[wanted] = read_block(sheet) if sheet is not None else None
    return BookSheets(names, blocks[KPI_SHEET], blocks[DATA_SHEET], blocks[SETTINGS_SHEET])


def _header_row(rows: Sequence[Sequence[Any]], needed: set[str], lookup: dict[str, str], scan: int = 15) -> int | None:
    for index, row in enumerate(rows[:scan]):
        found = {lookup.get(normalise_header(v)) for v in row if v not in (None, "")}
        if needed <= found:
            return index
    return None


def kpis_frame(block: SheetCells) -> pd.DataFrame:
    """The KPIs sheet's indicator rows under their own headers, indexed by sheet row.

    The header row is found by text the way the core finds it (an Indicator
    column and a Code, Polarity, Latest Value or Target column, in the top 30
    rows); raises :class:`~kpi_excel.errors.InputError` naming the sheet if there
    is none.
    """
    table = find_kpi_table(block)
    headers = [("" if h is None else str(h).strip()) or f"Column {i + 1}"
               for i, h in enumerate(list(block.values[table.header_index])[: table.width])]
    rows = [list(block.values[i])[: table.width] + [None] * (table.width - len(block.values[i]))
            for i in table.body]
    return pd.DataFrame(rows, columns=headers, index=pd.Index([table.sheet_row(i) for i in table.body], name="row"))


def data_frame(block: SheetCells | None) -> pd.DataFrame:
    """The Data sheet in long format: columns code, period, value, area, note.

    The header row is the first (of the top 15) with Code, Period and Value.
    Rows without a code are skipped. Values keep their type (a number stays a
    number, ``c`` stays ``c``); a period typed as a date stays a ``datetime``.
    Returns an empty frame with those columns when there is no such sheet or
    header.
    """
    columns = list(DATA_COLUMNS)
    if block is None:
        return pd.DataFrame(columns=columns + ["row"])
    rows = block.values
    header = _header_row(rows, {"code", "period", "value"}, _DATA_LOOKUP)
    if header is None:
        return pd.DataFrame(columns=columns + ["row"])
    positions: dict[str, int] = {}
    for position, text in enumerate(rows[header]):
        name = _DATA_LOOKUP.get(normalise_header(text))
        if name and name not in positions:
            positions[name] = position
    records = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        cell = {name: (row[pos] if pos < len(row) else None) for name, pos in positions.items()}
        code = cell.get("code")
        if code is None or (isinstance(code, str) and not code.strip()):
            continue
        record = {name: cell.get(name) for name in columns}
        record["code"] = str(code).strip() if not isinstance(code, float) else f"{code:g}"
        if isinstance(record["period"], str):
            record["period"] = record["period"].strip()
        record["row"] = block.top + index  # the sheet row, for messages
        records.append(record)
    return pd.DataFrame.from_records(records, columns=columns + ["row"])


def settings_pairs(block: SheetCells | None) -> list[tuple[Any, Any]]:
    """The Settings sheet as (setting, value) pairs from columns A and B."""
    if block is None:
        return []
    pairs = []
    for row in block.values:
        key = row[0] if len(row) > 0 else None
        value = row[1] if len(row) > 1 else None
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            value = value.date()
        pairs.append((key, value))
    return pairs


def settings_frame(block: SheetCells | None) -> pd.DataFrame:
    """The Settings sheet as a two-column frame (setting, value), blank keys dropped."""
    pairs = [(k, v) for k, v in settings_pairs(block) if k is not None and str(k).strip()]
    return pd.DataFrame(pairs, columns=["setting", "value"])
