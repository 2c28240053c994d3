"""Apply a refresh :class:`~kpi_excel.core.plan.Plan` to a live ``xlwings.Book``.

One writer for both xlwings doors: desktop Excel (COM on Windows, AppleScript
on macOS) and Excel on the web through the remote engine, where every call
below becomes one JSON action (``setValues``, ``setNumberFormat``,
``addConditionalFormat``, ``addSheet``...) that the Office.js client replays.

Rules this writer keeps:

* **Only computed cells.** KPIs columns are found by header text; a
  :class:`~kpi_excel.core.plan.ColumnWrite` cell of ``None`` is left alone, so
  an officer's typed value, comment or target, and anything a co-author is
  editing elsewhere, is never overwritten.
* **Blocks, not cells.** Each column is written as one block per run of
  consecutive rows to change (one round trip over COM, one action on the web);
  number formats likewise per run of equal formats.
* **Text stays text.** A value starting with ``=``, ``+``, ``-`` or ``@`` is
  written with a leading apostrophe, Excel's own "this is text" prefix, so an
  indicator name can never run as a formula in either engine.
* **Idempotent formats.** Conditional formats on the columns the plan colours
  are cleared and added again (the remote engine cannot list existing rules
  without a client round trip, so "verify then add" is not possible there).
* **Sheets we own** (RAG key, Benchmark) are replaced whole: deleted and added
  again at the same place, because on the web their content is not sent, so we
  cannot know what tables are on them. The Log sheet is appended to.

Sheets we own get their Excel table and native charts (``charts.add`` with an
anchor cell, categories set with ``set_x_axis_values``). A funnel plot is an XY
scatter built from its data block below the table (the block's first column is
the x values); its limit lines become lines where the engine lets a series be
restyled (desktop), and stay as dotted curves of markers where it does not
(the remote engine cannot address a chart's series synchronously). Not done here
(the lossless file writer does them): charts' alternative text (each funnel's
description is written in the note above its data, beside the chart, so both
doors carry it), dropdowns on input columns, frozen panes and tab colours,
which the remote engine cannot set; the KPIs sheet's sparklines (Office.js has
no sparkline API, and xlwings has none either: the KPI history sheet's table and
charts carry the history on the web); the history charts' target line (the
remote engine charts one contiguous range). An existing sheet of one of our
names whose first cell is not our title is the officer's and is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from kpi_excel.core.columns import column_letter, normalise_header
from kpi_excel.core.plan import Block, Cell, Chart, FormatRule, KpiUpdate, LogEntry, Plan, SheetSpec
from kpi_excel.core.report import SheetCells
from kpi_excel.workbook.book_reader import find_sheet
from kpi_excel.workbook.plan_layout import (excel_text, format_runs, header_positions, plain, rule_formula, runs,
                                            title_prefix)
from kpi_excel.workbook.plan_writer import PlanWriter, write_plan

if TYPE_CHECKING:
    import xlwings as xw

__all__ = ["apply_plan", "WriteReport", "excel_text"]


@dataclass
class WriteReport:
    """What the writer did, counted (the tests and the benchmark read it)."""

    value_blocks: int = 0
    cells_written: int = 0
    format_blocks: int = 0
    rules_added: int = 0
    sheets_replaced: list[str] = field(default_factory=list)
    charts_drawn: int = 0
    charts_skipped: list[str] = field(default_factory=list)  # with the engine's reason
    log_row: int | None = None
    skipped: list[str] = field(default_factory=list)


def _header_row_values(sheet: "xw.Sheet", update: KpiUpdate, block: SheetCells | None) -> list[Any]:
    if block is not None and block.name == sheet.name:
        index = update.header_row - block.top
        if 0 <= index < len(block.values):
            return list(block.values[index])
    used = sheet.used_range
    last_col = used.column + used.shape[1] - 1
    values = sheet.range((update.header_row, 1), (update.header_row, last_col)).options(ndim=1).value
    return list(values or [])


def _write_kpis(book: "xw.Book", update: KpiUpdate, block: SheetCells | None, report: WriteReport) -> None:
    sheet = find_sheet(book, update.sheet)
    if sheet is None:
        raise LookupError(f"sheet '{update.sheet}' is not in the workbook")
    headers = _header_row_values(sheet, update, block)
    while headers and headers[-1] in (None, ""):
        headers.pop()
    # Computed columns the sheet lacks go after the last header.
    if update.add_columns:
        new = [spec.header for spec in update.add_columns]
        if not _add_table_columns(sheet, update, len(headers), new):
            start = len(headers) + 1
            target = sheet.range((update.header_row, start), (update.header_row, start + len(new) - 1))
            target.value = [new]
            target.font.bold = True
        headers += new
        report.value_blocks += 1
    positions = header_positions(headers)
    for write in update.writes:
        column = positions.get(write.header.strip()) or positions.get("~" + normalise_header(write.header))
        if column is None:
            continue
        for first_row, cells in runs(update.body_rows, write.cells):
            target = sheet.range((first_row, column), (first_row + len(cells) - 1, column))
            target.value = [[plain(c)] for c in cells]
            report.value_blocks += 1
            report.cells_written += len(cells)
            for fmt_row, count, fmt in format_runs(first_row, cells):
                sheet.range((fmt_row, column), (fmt_row + count - 1, column)).number_format = fmt
                report.format_blocks += 1
    if update.body_rows and update.rules:
        first, last = min(update.body_rows), max(update.body_rows)
        for header in dict.fromkeys(rule.header for rule in update.rules):
            column = positions.get(header) or positions.get("~" + normalise_header(header))
            if column is None:
                continue
            body = sheet.range((first, column), (last, column))
            body.conditional_formats.clear()
            for rule in (r for r in update.rules if r.header == header):
                _add_rule(body, rule, column_letter(column), first)
                report.rules_added += 1


def _add_table_columns(sheet: "xw.Sheet", update: KpiUpdate, width: int, headers: list[str]) -> bool:
    """Grow the KPIs' Excel table by ``headers`` when the table ends at the last header.

    Neither Office.js nor COM widens a table when cells beside it are written,
    so new columns are added to the table itself; otherwise (no table, or
    columns of the officer's own beyond it) they are plain cells.
    """
    if not update.table:
        return False
    try:
        table = next((t for t in sheet.tables if t.name == update.table), None)
        if table is None:
            return False
        header = table.header_row_range
        if header is None or header.row != update.header_row or header.column + header.shape[1] - 1 != width:
            return False
        for name in headers:
            table.columns.add(name)
        return True
    except NotImplementedError:
        return False


def _add_rule(body: "xw.Range", rule: FormatRule, letter: str, first_row: int) -> None:
    if rule.kind == "arrows":
        # Down below zero, flat at zero, up above it: thresholds are ">=".
        body.conditional_formats.add_icon_set("3_arrows_gray", thresholds=[0, 1e-9], threshold_type="number")
        return
    body.conditional_formats.add_custom(
        rule_formula(rule, letter, first_row),
        fill_color=f"#{rule.fill}" if rule.fill else None,
        font_color=f"#{rule.font}" if rule.font else None,
        font_bold=True if rule.bold else None,
    )


def _not_ours(sheet: "xw.Sheet", spec: SheetSpec) -> bool:
    """An existing sheet whose first cell is not our title: the officer's own, never deleted.

    Excel on the web sends no values for sheets the script did not ask for (A1
    reads as empty): those are replaced as before, by name.
    """
    prefix = title_prefix(spec)
    if not prefix:
        return False
    first = sheet.range("A1").value
    return first not in (None, "") and not str(first).startswith(prefix)


def _replace_sheet(book: "xw.Book", spec: SheetSpec, report: WriteReport) -> None:
    existing = find_sheet(book, spec.name)
    if existing is not None and _not_ours(existing, spec):
        report.skipped.append(f"{spec.name} sheet not written: a sheet of that name exists that kpi_excel did not "
                              "create; rename it to let kpi_excel write its own")
        return
    if existing is not None:
        index = existing.index  # 1-based
        existing.delete()
        # Back in its place: after the sheet that was before it (the remote engine's
        # positions of the sheets after a deleted one are stale until the next sync).
        if index > 1:
            sheet = book.sheets.add(spec.name, after=book.sheets[index - 2])
        else:
            sheet = book.sheets.add(spec.name, before=book.sheets[0])
    else:
        sheet = book.sheets.add(spec.name, after=book.sheets[-1])
    report.sheets_replaced.append(spec.name)
    _write_sheet(sheet, spec, report)


def _write_sheet(sheet: "xw.Sheet", spec: SheetSpec, report: WriteReport) -> None:
    width = len(spec.columns)
    for offset, cell in enumerate(spec.title):
        sheet.range((1 + offset, 1)).value = plain(cell)
        if cell.style == "title":
            sheet.range((1 + offset, 1)).font.bold = True
        report.value_blocks += 1
    header_row = spec.header_row
    header = sheet.range((header_row, 1), (header_row, width))
    header.value = [[c.header for c in spec.columns]]
    header.font.bold = True
    report.value_blocks += 1
    if spec.rows:
        first = spec.first_body_row
        body = sheet.range((first, 1), (first + len(spec.rows) - 1, width))
        body.value = [[plain(v) for v in list(row) + [None] * (width - len(row))] for row in spec.rows]
        report.value_blocks += 1
        report.cells_written += len(spec.rows) * width
        for column, spec_col in enumerate(spec.columns, start=1):
            cells = [row[column - 1] if column - 1 < len(row) else None for row in spec.rows]
            if spec_col.number_format:
                cells = [c if isinstance(c, Cell) and c.number_format else Cell(None, spec_col.number_format)
                         for c in cells]
            for fmt_row, count, fmt in format_runs(first, cells):
                sheet.range((fmt_row, column), (fmt_row + count - 1, column)).number_format = fmt
                report.format_blocks += 1
    for column, spec_col in enumerate(spec.columns, start=1):
        sheet.range((header_row, column)).column_width = spec_col.width
    if spec.rows:
        positions = {c.header: i for i, c in enumerate(spec.columns, start=1)}
        first, last = spec.first_body_row, spec.last_row
        if spec.table:
            sheet.tables.add(source=sheet.range((header_row, 1), (last, width)), name=spec.table,
                             table_style_name="TableStyleMedium2")
        for rule in spec.rules:
            column = positions.get(rule.header)
            if column is not None:
                _add_rule(sheet.range((first, column), (last, column)), rule, column_letter(column), first)
                report.rules_added += 1
    for block in spec.blocks:
        _write_block(sheet, block, report)
    for chart in spec.charts:
        _draw_chart(sheet, chart, report)


def _write_block(sheet: "xw.Sheet", block: Block, report: WriteReport) -> None:
    """A chart's data below the table: title, note, header and rows, one block each."""
    sheet.range((block.top, 1)).value = plain(block.title)
    sheet.range((block.top, 1)).font.bold = True
    if block.note:
        sheet.range((block.top + 1, 1)).value = plain(block.note)
    width = len(block.columns)
    header = sheet.range((block.header_row, 1), (block.header_row, width))
    header.value = [[c.header for c in block.columns]]
    header.font.bold = True
    report.value_blocks += 3 if block.note else 2
    if not block.rows:
        return
    first = block.first_body_row
    body = sheet.range((first, 1), (block.last_row, width))
    body.value = [[plain(v) for v in list(row) + [None] * (width - len(row))] for row in block.rows]
    report.value_blocks += 1
    report.cells_written += len(block.rows) * width
    for column, spec_col in enumerate(block.columns, start=1):
        if spec_col.number_format:
            sheet.range((first, column), (block.last_row, column)).number_format = spec_col.number_format
            report.format_blocks += 1


# Default column width and row height in points, to size charts given in columns and rows.
_COLUMN_POINTS, _ROW_POINTS = 48.0, 15.0


def _local(ref: str) -> str:
    """``'Benchmark'!$D$5:$I$5`` -> ``$D$5:$I$5`` (the chart sits on the sheet it reads)."""
    return ref.rsplit("!", 1)[-1]


def _draw_chart(sheet: "xw.Sheet", chart: Chart, report: WriteReport) -> None:
    if not chart.series:
        return
    if chart.kind == "scatter":
        _draw_scatter(sheet, chart, report)
        return
    # The remote engine charts one contiguous range and cannot add a series from
    # elsewhere: a line chart's target line (a second range) is drawn by the file door only.
    values = sheet.range(_local(chart.series[0].values_ref))
    rows, columns = values.shape
    try:
        drawn = sheet.charts.add(
            chart_type={"bar": "bar_clustered", "line": "line_markers"}.get(chart.kind, "column_clustered"),
            source=values,
            plot_by="rows" if rows == 1 and columns > 1 else "columns",
            anchor=sheet.range(chart.anchor),
            width=chart.width * _COLUMN_POINTS,
            height=chart.height * _ROW_POINTS,
        )
        drawn.set_x_axis_values(sheet.range(_local(chart.categories_ref)))
        drawn.title = chart.title
        report.charts_drawn += 1
    except NotImplementedError as error:  # an engine without charts still gets its table
        report.charts_skipped.append(f"{chart.title}: {error}")


# How each scatter series is drawn where series can be restyled.
_SCATTER_TYPES = {"line": "xy_scatter_lines_no_markers", "markers": "xy_scatter", "highlight": "xy_scatter"}


def _draw_scatter(sheet: "xw.Sheet", chart: Chart, report: WriteReport) -> None:
    """An XY scatter from the chart's block (x values in its first column)."""
    try:
        drawn = sheet.charts.add(
            chart_type="xy_scatter", source=sheet.range(_local(chart.source_ref)), plot_by="columns",
            anchor=sheet.range(chart.anchor), width=chart.width * _COLUMN_POINTS,
            height=chart.height * _ROW_POINTS,
        )
        drawn.title = chart.title
        drawn.value_axis.set(title=chart.value_axis_title or None, maximum_scale=chart.value_axis_max)
        drawn.category_axis.set(title=chart.x_axis_title or None)
        report.charts_drawn += 1
    except NotImplementedError as error:
        report.charts_skipped.append(f"{chart.title}: {error}")
        return
    try:
        for index, item in enumerate(chart.series, start=1):
            drawn.series(index).set(chart_type=_SCATTER_TYPES.get(item.style, "xy_scatter"),
                                    **({"line_color": f"#{item.colour}"} if item.style == "line" and item.colour
                                       else {}),
                                    **({"marker_background_color": f"#{item.colour}",
                                        "marker_foreground_color": f"#{item.colour}"}
                                       if item.style != "line" and item.colour else {}))
    except NotImplementedError:
        pass  # the remote engine cannot address series yet: the limits stay as dotted curves


def _append_log(book: "xw.Book", spec: SheetSpec | None, entry: LogEntry | None, report: WriteReport) -> None:
    if entry is None:
        return
    name = spec.name if spec is not None else "Log"
    sheet = find_sheet(book, name)
    if sheet is None:
        sheet = book.sheets.add(name, after=book.sheets[-1])
    # The web add-in does not send the Log sheet's values, but it does send its
    # used-range size, which is all an append needs.
    used = sheet.used_range
    empty = used.shape == (1, 1) and used.row == 1 and sheet.range("A1").value in (None, "")
    if empty:
        headers = [c.header for c in spec.columns] if spec is not None else \
            [f"Column {i + 1}" for i in range(len(entry.values))]
        header = sheet.range((1, 1), (1, len(headers)))
        header.value = [headers]
        header.font.bold = True
        report.value_blocks += 1
        row = 2
    else:
        first = sheet.range("A1").value  # None on the web, where the Log's values are not sent
        if first not in (None, "") and spec is not None and str(first).strip() != spec.columns[0].header:
            report.skipped.append(f"{name} sheet not written: it is not kpi_excel's log")
            return
        row = used.row + used.shape[0]
    sheet.range((row, 1), (row, len(entry.values))).value = [[plain(v) for v in entry.values]]
    report.value_blocks += 1
    report.log_row = row


def apply_plan(book: "xw.Book", plan: Plan, kpis: SheetCells | None = None) -> WriteReport:
    """Write ``plan`` into ``book``; ``kpis`` is the block the reader found (saves a header read)."""
    report = WriteReport()
    active = book.sheets.active
    sheets_before = len(book.sheets)
    _screen_updating(book, False)  # desktop: no flicker, fewer repaints; web: suspended until the next sync
    try:
        write_plan(_BookWriter(book, kpis, report), plan)
        if report.sheets_replaced or len(book.sheets) != sheets_before:
            # Desktop Excel activates every sheet it adds: bring the officer back.
            active.activate()
    finally:
        _screen_updating(book, True)
    return report


class _BookWriter(PlanWriter[WriteReport]):
    """The plan as calls on a live book."""

    def __init__(self, book: "xw.Book", kpis: SheetCells | None, report: WriteReport) -> None:
        self.book, self.kpis, self.report = book, kpis, report

    def write_kpis(self, update: KpiUpdate) -> None:
        _write_kpis(self.book, update, self.kpis, self.report)

    def write_sheet(self, spec: SheetSpec, later: Sequence[SheetSpec]) -> None:
        _replace_sheet(self.book, spec, self.report)

    def append_log(self, spec: SheetSpec | None, entry: LogEntry | None) -> None:
        _append_log(self.book, spec, entry, self.report)

    def done(self) -> WriteReport:
        return self.report


def _screen_updating(book: "xw.Book", on: bool) -> None:
    try:
        book.app.screen_updating = on
    except NotImplementedError:  # an engine without the setting: nothing to speed up
        pass
