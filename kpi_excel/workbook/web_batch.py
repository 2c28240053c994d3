"""A refresh plan as one batch for the web add-in's own client code to apply.

Excel on the web pays a network round trip for every ``context.sync()``. The
remote engine turns each xlwings call into one action, and xlwings Server's
client syncs after every action: a refresh of 30 indicators cost ~1,100
round trips. So the web door does not write through the remote engine: the
script answers with a single ``runMacro`` action whose argument is this batch,
and ``kpiApplyRefresh`` in the add-in's ``ribbon.js`` applies it inside one
``Excel.run`` with a handful of syncs. That also lets it check, at the moment
of writing, what a server can never see:

* **the guard**: the KPIs header row and the Code (and Indicator) cells of
  every row that was read. A co-author who sorted, inserted or edited a code
  since the click makes the whole batch stand down with one alert, so a
  rating can never land on the wrong indicator;
* **which sheets are ours**: a hidden workbook name (:func:`marker_name`)
  points at each sheet kpi_excel made. A sheet of the same name without the
  marker is the officer's and is never touched; ours goes beside it
  (:func:`beside_name`). Ours are cleared and rewritten in place, so formulas
  elsewhere that point at them keep working;
* **where the Log ends**: read when writing, so every refresh adds a row.

Addresses are A1 references on the named sheet; values are JSON scalars (a
date becomes Excel's serial number with a date format; text that would run as
a formula gets Excel's ``'`` prefix).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING, Any, Sequence

from kpi_excel.ooxml.a1 import column_letter
from kpi_excel.core.plan import Block, Cell, Chart, FormatRule, KpiUpdate, LogEntry, Plan, SheetSpec
from kpi_excel.core.report import SheetCells
from kpi_excel.workbook.plan_layout import (FORMULA_STARTS, KPIS_CHANGED, address, column_of,
                                            header_positions, kpis_guard, plain, rule_formula, runs, title_prefix)
from kpi_excel.workbook.plan_writer import PlanWriter, write_plan

if TYPE_CHECKING:
    import xlwings as xw

__all__ = ["web_batch", "marker_name", "beside_name", "BATCH_VERSION", "APPLY_FUNCTION"]

BATCH_VERSION = 1
APPLY_FUNCTION = "kpiApplyRefresh"  # registered by ribbon.js with xlwings.registerCallback

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_DATE_FORMAT = "yyyy-mm-dd hh:mm"
# Chart size is given in columns and rows of the default size (points).
_COLUMN_POINTS, _ROW_POINTS = 48.0, 15.0
_CHART_TYPES = {"bar": "BarClustered", "line": "LineMarkers", "column": "ColumnClustered"}
_SCATTER_TYPES = {"line": "XYScatterLinesNoMarkers", "markers": "XYScatter", "highlight": "XYScatter"}


def marker_name(sheet: str) -> str:
    """The hidden workbook name that marks ``sheet`` (our default name for it) as kpi_excel's.

    Workbook-scoped names are sent by Excel on the web with every request and
    follow a sheet when it moves; ``KPI_EXCEL_SHEET_RAG_KEY`` for "RAG key".
    """
    return "KPI_EXCEL_SHEET_" + re.sub(r"[^A-Za-z0-9]+", "_", sheet).strip("_").upper()


def beside_name(sheet: str) -> str:
    """Our sheet's name when the officer already has a sheet called ``sheet`` (31 characters at most)."""
    return f"{sheet} (KPI Report)"[:31]


def _json_value(value: Any) -> Any:
    """A cell value as JSON the client can set: no NaN, dates as serial numbers."""
    if isinstance(value, Cell):
        value = value.value
    kind = type(value)  # text and plain numbers first: most of a batch's cells
    if kind is str:
        return "'" + value if len(value) > 1 and value.startswith(FORMULA_STARTS) else value
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else ("" if value != value else None)
    value = plain(value)
    if isinstance(value, dt.datetime):
        return (value - _EXCEL_EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - _EXCEL_EPOCH.date()).days)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return "" if value is None else value


def _json_cells(cells: Sequence[Any]) -> list[Any]:
    """:func:`_json_value` of each cell; plain numbers and text, most of a batch, without a call each."""
    out: list[Any] = []
    append = out.append
    for value in cells:
        if value.__class__ is Cell:
            value = value.value
        kind = value.__class__
        if kind is int or (kind is float and value - value == 0.0):  # a finite number, as it is
            append(value)
        elif kind is str and not (len(value) > 1 and value.startswith(FORMULA_STARTS)):
            append(value)
        elif value is None:
            append("")
        elif kind is not float and isinstance(value, float) and math.isfinite(value):  # numpy's, as it is
            append(value)
        else:
            append(_json_value(value))
    return out


# Types that are never dates: most of a batch's cells, answered without the date checks.
_NOT_DATES = frozenset({str, int, float, bool, type(None)})


def _date_format(value: Any) -> str | None:
    """A date's format where the plan gives none: shown as the file door writes it (2025-03-01)."""
    raw = value.value if isinstance(value, Cell) else value
    if raw.__class__ in _NOT_DATES:
        return None
    if isinstance(raw, dt.datetime) and raw.time() != dt.time(0):
        return _DATE_FORMAT
    return "yyyy-mm-dd" if isinstance(raw, (dt.date, dt.datetime)) else None


def _cell_formats(cells: Sequence[Cell]) -> list[str | None]:
    """Each cell's number format: its own, else a date's (:func:`_date_format`)."""
    out: list[str | None] = []
    append = out.append
    for cell in cells:
        fmt = cell.number_format
        if not fmt and cell.value.__class__ not in _NOT_DATES:
            fmt = _date_format(cell) or fmt
        append(fmt)
    return out


def _column_points(characters: float) -> float:
    """Excel's column width (characters of the default font) in points, which Office.js takes."""
    return round(characters * 5.25 + 3.75, 2)


def _rules(rules: Sequence[FormatRule], letter: str, first_row: int) -> list[dict[str, Any]]:
    out = []
    for rule in rules:
        if rule.kind == "arrows":
            out.append({"kind": "arrows"})  # down below zero, flat at zero, up above it
        else:
            out.append({"kind": "custom", "formula": rule_formula(rule, letter, first_row),
                        "fill": f"#{rule.fill}" if rule.fill else None,
                        "font": f"#{rule.font}" if rule.font else None, "bold": bool(rule.bold)})
    return out


def _kpis(book: "xw.Book", update: KpiUpdate, block: SheetCells | None) -> dict[str, Any]:
    headers = list(block.values[update.header_row - block.top]) if block is not None else []
    while headers and headers[-1] in (None, ""):
        headers.pop()
    part: dict[str, Any] = {"sheet": update.sheet, "add_columns": None, "blocks": [], "formats": [], "rules": []}
    if update.add_columns:
        new = [spec.header for spec in update.add_columns]
        start = len(headers) + 1
        part["add_columns"] = {
            "table": update.table if _table_ends_at(book, update, len(headers)) else None,
            "headers": new,
            "address": address(update.header_row, start, update.header_row, start + len(new) - 1),
        }
        headers += new
    positions = header_positions(headers)
    for write in update.writes:
        column = column_of(positions, write.header)
        if column is None:
            continue
        for first_row, cells in runs(update.body_rows, write.cells):
            where = address(first_row, column, first_row + len(cells) - 1, column)
            part["blocks"].append({"address": where, "values": [[value] for value in _json_cells(cells)]})
            _add_format(part, where, _cell_formats(cells))
    if update.body_rows and update.rules:
        first, last = min(update.body_rows), max(update.body_rows)
        for header in dict.fromkeys(rule.header for rule in update.rules):
            column = column_of(positions, header)
            if column is None:
                continue
            part["rules"].append({"address": address(first, column, last, column), "rules": _rules(
                [r for r in update.rules if r.header == header], column_letter(column), first)})
    return part


def _table_ends_at(book: "xw.Book", update: KpiUpdate, width: int) -> bool:
    """Whether the KPIs' Excel table ends at the last header, so new columns join it."""
    if not update.table:
        return False
    try:
        sheet = next(s for s in book.sheets if s.name == update.sheet)
        table = next((t for t in sheet.tables if t.name == update.table), None)
        header = table.header_row_range if table is not None else None
    except (StopIteration, NotImplementedError):
        return False
    return header is not None and header.row == update.header_row and header.column + header.shape[1] - 1 == width


def _sheet(spec: SheetSpec) -> dict[str, Any]:
    width = len(spec.columns)
    part: dict[str, Any] = {"name": spec.name, "marker": marker_name(spec.name), "beside": beside_name(spec.name),
                            "title_prefix": title_prefix(spec), "blocks": [], "formats": [], "bold": [],
                            "widths": [], "table": None, "rules": [], "charts": []}
    for offset, cell in enumerate(spec.title):
        part["blocks"].append({"address": address(1 + offset, 1), "values": [[_json_value(cell)]]})
        if cell.style == "title":
            part["bold"].append(address(1 + offset, 1))
    header_row = spec.header_row
    part["blocks"].append({"address": address(header_row, 1, header_row, width),
                           "values": [[c.header for c in spec.columns]]})
    part["bold"].append(address(header_row, 1, header_row, width))
    if spec.rows:
        first = spec.first_body_row
        _body(part, first, spec.columns, spec.rows, per_cell_formats=True)
        if spec.table:
            part["table"] = {"address": address(header_row, 1, spec.last_row, width), "name": spec.table,
                             "style": "TableStyleMedium2"}
        positions = {c.header: i for i, c in enumerate(spec.columns, start=1)}
        for header in dict.fromkeys(rule.header for rule in spec.rules):
            column = positions.get(header)
            if column is not None:
                part["rules"].append({"address": address(first, column, spec.last_row, column), "rules": _rules(
                    [r for r in spec.rules if r.header == header], column_letter(column), first)})
    part["widths"] = [{"address": f"{column_letter(i)}:{column_letter(i)}", "points": _column_points(c.width)}
                      for i, c in enumerate(spec.columns, start=1)]
    for block in spec.blocks:
        _block(part, block)
    part["charts"] = [chart for chart in (_chart(c) for c in spec.charts) if chart is not None]
    return part


def _body(part: dict[str, Any], first: int, columns: Sequence[Any], rows: Sequence[Sequence[Any]], *,
          per_cell_formats: bool) -> None:
    width = len(columns)
    last = first + len(rows) - 1
    # A short row is padded with empty cells ("" as JSON, no format of their own).
    part["blocks"].append({"address": address(first, 1, last, width),
                           "values": [_json_cells(row) + [""] * (width - len(row)) for row in rows]})
    if not per_cell_formats:
        for column, spec_col in enumerate(columns, start=1):
            if spec_col.number_format:
                part["formats"].append({"address": address(first, column, last, column),
                                        "format": spec_col.number_format, "rows": len(rows), "columns": 1})
        return
    padded = [list(row) + [None] * (width - len(row)) for row in rows]
    for column, (spec_col, cells) in enumerate(zip(columns, zip(*padded)), start=1):  # a column at a time
        default = spec_col.number_format
        _add_format(part, address(first, column, last, column),
                    [c.number_format if isinstance(c, Cell) and c.number_format else
                     default or (None if c.__class__ in _NOT_DATES else _date_format(c)) for c in cells])


def _add_format(part: dict[str, Any], where: str, formats: Sequence[str | None]) -> None:
    """One number-format entry for a column block ``where``: ``format`` when every cell shares it,
    else ``formats`` a cell (null leaves a cell's format as it is, as Office.js reads a 2-D array)."""
    shared = set(formats)
    if shared == {None}:
        return
    entry: dict[str, Any] = {"address": where, "rows": len(formats), "columns": 1}
    if len(shared) == 1:
        entry["format"] = formats[0]
    else:
        entry["formats"] = [[fmt] for fmt in formats]
    part["formats"].append(entry)


def _block(part: dict[str, Any], block: Block) -> None:
    """A chart's data below the table: title, note, header and rows."""
    part["blocks"].append({"address": address(block.top, 1), "values": [[_json_value(block.title)]]})
    part["bold"].append(address(block.top, 1))
    if block.note:
        part["blocks"].append({"address": address(block.top + 1, 1), "values": [[_json_value(block.note)]]})
    width = len(block.columns)
    part["blocks"].append({"address": address(block.header_row, 1, block.header_row, width),
                           "values": [[c.header for c in block.columns]]})
    part["bold"].append(address(block.header_row, 1, block.header_row, width))
    if block.rows:
        _body(part, block.first_body_row, block.columns, block.rows, per_cell_formats=False)


def _local(ref: str) -> str:
    """``'Benchmark'!$D$5:$I$5`` -> ``D5:I5`` (the chart sits on the sheet it reads)."""
    return ref.rsplit("!", 1)[-1].replace("$", "")


def _chart(chart: Chart) -> dict[str, Any] | None:
    if not chart.series:
        return None
    size = {"anchor": chart.anchor, "width": chart.width * _COLUMN_POINTS, "height": chart.height * _ROW_POINTS,
            "title": chart.title}
    if chart.kind == "scatter":
        return {**size, "type": "XYScatter", "source": _local(chart.source_ref), "series_by": "Columns",
                "categories": None, "value_axis_title": chart.value_axis_title or None,
                "value_axis_max": chart.value_axis_max, "category_axis_title": chart.x_axis_title or None,
                "series": [{"type": _SCATTER_TYPES.get(s.style, "XYScatter"),
                            "colour": f"#{s.colour}" if s.colour else None} for s in chart.series]}
    # One contiguous range, as on the desktop: a line chart's target line (a
    # second range) is drawn by the file door only.
    source = _local(chart.series[0].values_ref)
    one_row = _is_one_row(source)
    return {**size, "type": _CHART_TYPES.get(chart.kind, "ColumnClustered"), "source": source,
            "series_by": "Rows" if one_row else "Columns", "categories": _local(chart.categories_ref) or None,
            "value_axis_title": None, "value_axis_max": None, "category_axis_title": None, "series": []}


def _is_one_row(ref: str) -> bool:
    match = re.fullmatch(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", ref)
    return bool(match and match.group(3) and match.group(2) == match.group(4) and match.group(1) != match.group(3))


def _log(spec: SheetSpec | None, entry: LogEntry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    name = spec.name if spec is not None else "Log"
    headers = [c.header for c in spec.columns] if spec is not None else \
        [f"Column {i + 1}" for i in range(len(entry.values))]
    return {"name": name, "marker": marker_name(name), "beside": beside_name(name), "headers": headers,
            "values": [_json_value(v) for v in entry.values],
            "formats": [_date_format(v) for v in entry.values]}


def web_batch(book: "xw.Book", plan: Plan, kpis: SheetCells | None, *, message: dict[str, str]) -> dict[str, Any]:
    """The batch ``kpiApplyRefresh`` applies for ``plan``; ``message`` is the alert shown once it is written."""
    parts = write_plan(_BatchWriter(book, kpis), plan)
    return {
        "version": BATCH_VERSION,
        "guard": kpis_guard(plan.kpis, kpis),
        "kpis": parts["kpis"],
        "sheets": parts["sheets"],
        "after_kpis": list(plan.after_kpis),
        "log": parts["log"],
        "message": message,
        "changed": KPIS_CHANGED,  # the alert when the guard does not hold
    }


class _BatchWriter(PlanWriter[dict[str, Any]]):
    """The plan as the batch's parts (the client code writes them)."""

    def __init__(self, book: "xw.Book", kpis: SheetCells | None) -> None:
        self.book, self.kpis = book, kpis
        self.parts: dict[str, Any] = {"sheets": []}

    def write_kpis(self, update: KpiUpdate) -> None:
        self.parts["kpis"] = _kpis(self.book, update, self.kpis)

    def write_sheet(self, spec: SheetSpec, later: Sequence[SheetSpec]) -> None:
        self.parts["sheets"].append(_sheet(spec))

    def append_log(self, spec: SheetSpec | None, entry: LogEntry | None) -> None:
        self.parts["log"] = _log(spec, entry)

    def done(self) -> dict[str, Any]:
        return self.parts
