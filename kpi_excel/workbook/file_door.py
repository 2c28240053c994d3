"""The headless door: read a workbook file, apply a plan, save it losslessly.

Reading and writing go through :class:`~kpi_excel.ooxml.XlsxPackage`,
which rewrites only the zip parts and XML elements a change needs and saves
atomically (temp file beside the target, re-opened to verify, then swapped
in), so charts, text boxes, macros, comments and the rest of an officer's
workbook are kept, and a crash never leaves it half-written.

* :func:`read_inputs` - KPIs, Data and Settings as the core wants them;
* :func:`apply_plan` - the plan, translated to package edits;
* :func:`add_report_sheets` - the template's sheets (``new`` and ``init``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from kpi_excel.core.palette import HEADER
from kpi_excel.core.plan import Block, Cell, Chart, ColumnSpec, FormatRule, KpiUpdate, LogEntry, Plan, SheetSpec
from kpi_excel.core.report import RefreshInputs, SheetCells, WorkbookContent, find_kpi_table
from kpi_excel.core.template import (DATA_SHEET, KPI_COLUMNS, KPI_OUTPUT_SPECS, KPI_SHEET, LOG_COLUMNS, LOG_SHEET,
                                     SETTINGS_SHEET)
from kpi_excel.errors import InputError, WorkbookError, officer_errors
from kpi_excel.ooxml.errors import OoxmlValueError, PackageError
from kpi_excel.ooxml import (
    KEEP,
    CellIsRule,
    ChartSeries,
    ChartSpec,
    ConditionalFormat,
    DxfStyle,
    KPI_SHEET_LIMITS,
    IconSetRule,
    ListValidation,
    SheetLimits,
    SheetSettings,
    SheetValues,
    SparklineGroup,
    TableSpec,
    XlsxPackage,
    column_letter,
    parse_range,
)
from kpi_excel.workbook.plan_writer import PlanWriter, write_plan

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"

__all__ = ["read_inputs", "apply_plan", "add_report_sheets", "WrittenReport", "sheet_cells", "KPI_SHEET_LIMITS",
           "last_refresh"]


@dataclass
class WrittenReport:
    """What applying a plan did, for the summary and the tests."""

    columns_added: list[str] = field(default_factory=list)
    sheets_written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@officer_errors()
def sheet_cells(values: SheetValues, date1904: bool = False, with_formats: bool = True,
                by_column: bool = False) -> SheetCells:
    """A sheet as the core reads it: rows from the first with a cell, columns from A.

    Dates come back as datetimes (the package keeps Excel's serial numbers).
    Rows are only as long as their last cell, and empty rows cost nothing, so
    memory follows the cells present (see :meth:`SheetValues.grid`). With
    ``by_column`` (a sheet read a column at a time: the Data sheet), rows are
    made only when asked for (see :meth:`SheetValues.block`).
    """
    grid = (values.block if by_column else values.grid)(date1904=date1904, with_formats=with_formats)
    return SheetCells(values.sheet, grid.values, grid.formats, top=grid.top)


def _find(pkg: XlsxPackage, wanted: str) -> str | None:
    """The sheet called ``wanted``: its exact name, else the one name equal but for case and spaces.

    Two such names (a crafted file; Excel itself refuses them) are refused
    rather than guessed between.
    """
    names = pkg.sheet_names()
    if wanted in names:
        return wanted
    matches = [n for n in names if n.lower().strip() == wanted.lower()]
    if len(matches) > 1:
        listed = " and ".join(f"'{n}'" for n in matches)
        raise WorkbookError(f"sheets {listed} have the same name but for case or spaces, which Excel does not "
                            f"allow; rename all but the {wanted} sheet", path=pkg.path)
    return matches[0] if matches else None




def _cells(pkg: XlsxPackage, name: str, *, with_formats: bool = True,
           limits: SheetLimits | None = None, keep: bool = False, by_column: bool = False) -> SheetCells:
    try:
        values = pkg.read_sheet(name, limits=limits, keep=keep)
        return sheet_cells(values, pkg.date1904, with_formats=with_formats, by_column=by_column)
    except PackageError as exc:
        if exc.path is None:
            exc.path = pkg.path
        raise


@officer_errors()
def read_inputs(pkg: XlsxPackage, directory: Path | None = None) -> RefreshInputs:
    """KPIs (by name, else the first sheet with an indicator header), Data and Settings."""
    kpis_name = _find(pkg, KPI_SHEET)
    kpis = None
    if kpis_name is not None:
        kpis = _cells(pkg, kpis_name, limits=KPI_SHEET_LIMITS, keep=True)  # read again by _apply_kpis
    else:
        for info in pkg.sheets():
            if info.kind != "worksheet":
                continue
            candidate = _cells(pkg, info.name, limits=KPI_SHEET_LIMITS)
            try:
                find_kpi_table(candidate)
            except InputError:
                continue
            kpis = candidate
            break
    if kpis is not None:
        kpis = SheetCells(kpis.name, kpis.values, kpis.formats, kpis.top, _table_at(pkg, kpis))
    data_name = _find(pkg, DATA_SHEET)
    settings_name = _find(pkg, SETTINGS_SHEET)
    data = _cells(pkg, data_name, by_column=True) if data_name else None  # read a column at a time
    settings = _cells(pkg, settings_name, with_formats=False) if settings_name else None
    content = WorkbookContent(tuple(pkg.sheet_names()), kpis, settings)
    return RefreshInputs(content, data, directory, previous_refresh=last_refresh(pkg))


@officer_errors()
def last_refresh(pkg: XlsxPackage, back: int = 1) -> str | None:
    """The When of the Log's last entry (``back`` = 2: the one before it); None when there is none."""
    name = _find(pkg, LOG_SHEET)
    if name is None:
        return None
    values = pkg.read_sheet(name)
    if values.value(1, 1) != LOG_COLUMNS[0]:
        return None  # an officer's own sheet called Log
    used = values.used_range
    entries = [r for r in range(2, (used.max_row if used else 1) + 1) if values.value(r, 1) not in (None, "")]
    if len(entries) < back:
        return None
    when = values.value(entries[-back], 1)
    return when.strftime("%Y-%m-%d %H:%M") if isinstance(when, dt.datetime) else str(when)


def _table_at(pkg: XlsxPackage, cells: SheetCells) -> str | None:
    """The Excel table whose header row is the KPI header row, if there is one."""
    try:
        header_row = find_kpi_table(cells).header_row
    except InputError:
        return None
    for table in pkg.tables(cells.name):
        if table.ref.min_row == header_row and table.header_row_count:
            return table.name
    return None


# --- applying a plan -------------------------------------------------------------------


class _Styles:
    """Cell styles derived once per (base style, look)."""

    def __init__(self, pkg: XlsxPackage) -> None:
        self.pkg = pkg
        self.cache: dict[tuple, int] = {}
        self.by_name: dict[tuple[str | None, str | None], int | None] = {}
        self.by_format: dict[tuple[int, str], int] = {}

    def get(self, base: int, **look: object) -> int:
        key = (base, tuple(sorted(look.items())))
        if key not in self.cache:
            self.cache[key] = self.pkg.add_cell_style(base, **look)  # type: ignore[arg-type]
        return self.cache[key]

    def formatted(self, base: int, number_format: str) -> int:
        """:meth:`get` with only a number format, looked up once per (base, format): asked per cell."""
        key = (base, number_format)
        style = self.by_format.get(key)
        if style is None:
            style = self.by_format[key] = self.get(base, number_format=number_format)
        return style

    def named(self, name: str | None, number_format: str | None = None) -> int | None:
        key = (name, number_format)  # asked once per cell of an owned sheet: worked out once per look
        if key not in self.by_name:
            self.by_name[key] = self._named(name, number_format)
        return self.by_name[key]

    def _named(self, name: str | None, number_format: str | None) -> int | None:
        look: dict[str, object] = {}
        if name == "header":
            look.update(bold=True, fill=HEADER.fill, font_color=HEADER.font, wrap=True)
        elif name == "title":
            look.update(bold=True)
        elif name == "note":
            look.update(wrap=False)
        elif name in ("bold",):
            look.update(bold=True)
        elif name == "wrap":
            look.update(wrap=True)
        if number_format:
            look["number_format"] = number_format
        return self.get(0, **look) if look else None


def _header_key(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


def _structure_locked(pkg: XlsxPackage) -> bool:
    """Review > Protect Workbook (structure): Excel allows no new sheets."""
    workbook = next(r.part for r in pkg.opc.related("", _OFFICE_DOCUMENT) if r.part)
    protection = pkg.opc.xml(workbook).find(f"{{{_MAIN_NS}}}workbookProtection")
    return protection is not None and protection.get("lockStructure") in ("1", "true")


def _check_can_add(pkg: XlsxPackage, names: Sequence[str]) -> None:
    missing = [n for n in names if _find(pkg, n) is None]
    if missing and _structure_locked(pkg):
        raise WorkbookError(f"the workbook's structure is protected, so the {', '.join(missing)} sheet(s) cannot "
                            "be added; unprotect it (Review > Protect Workbook) and run again",
                            path=pkg.path)


@officer_errors()
def apply_plan(pkg: XlsxPackage, plan: Plan) -> WrittenReport:
    """Translate a plan into package edits (saving is the caller's)."""
    _check_can_add(pkg, [s.name for s in plan.sheets] + ([plan.log_sheet.name] if plan.log_sheet else []))
    return write_plan(_PackageWriter(pkg, plan.after_kpis), plan)


class _PackageWriter(PlanWriter[WrittenReport]):
    """The plan as edits to the workbook's package."""

    def __init__(self, pkg: XlsxPackage, after_kpis: Sequence[str]) -> None:
        self.pkg = pkg
        self.after_kpis = after_kpis
        self.report = WrittenReport()
        self.styles = _Styles(pkg)
        self.after = ""  # the sheet a sheet placed after KPIs goes after

    def write_kpis(self, update: KpiUpdate) -> None:
        _apply_kpis(self.pkg, update, self.styles, self.report)
        # Each large sheet is serialised once written and its tree let go, so the trees of
        # KPIs and KPI history are never held together (memory follows the largest sheet).
        self.pkg.settle_sheet(update.sheet)
        self.after = update.sheet

    def write_sheet(self, spec: SheetSpec, later: Sequence[SheetSpec]) -> None:
        pkg = self.pkg
        name = _find(pkg, spec.name)
        if name is not None and not pkg.is_owned(name):
            self.report.skipped.append(f"{spec.name} sheet not written: a sheet of that name exists that kpi_excel "
                                       "did not create; rename it to let kpi_excel write its own")
            return
        placed = spec.name in self.after_kpis
        write_sheet(pkg, spec, self.styles, after=self.after if placed else None)
        if placed:
            self.after = _find(pkg, spec.name) or self.after  # the next one goes after this one, when first created
        self.report.sheets_written.append(spec.name)
        if spec.name not in _charted(later):  # later charts read ours from its tree
            pkg.settle_sheet(spec.name)

    def append_log(self, spec: SheetSpec | None, entry: LogEntry | None) -> None:
        if entry is not None and spec is not None and not _append_log(self.pkg, spec, entry, self.styles):
            self.report.skipped.append(f"{spec.name} sheet not written: a sheet of that name exists that is not "
                                       "kpi_excel's log; rename it to let kpi_excel keep its own")

    def done(self) -> WrittenReport:
        return self.report


def _charted(specs: Sequence[SheetSpec]) -> set[str]:
    """The sheets these sheets' charts draw from."""
    refs = [ref for spec in specs for chart in spec.charts
            for ref in (chart.categories_ref, *(r for s in chart.series for r in (s.values_ref, s.x_ref)))]
    return {_range_of(ref)[0] for ref in refs if ref}


def _apply_kpis(pkg: XlsxPackage, update: KpiUpdate, styles: _Styles, report: WrittenReport) -> None:
    sheet = update.sheet
    values = pkg.read_sheet(sheet)  # kept from read_inputs when unchanged
    header_row = update.header_row
    headers: dict[str, int] = {}
    last_col = 0
    for col in range(1, values.last_col + 1):
        text = values.value(header_row, col)
        if text not in (None, ""):
            headers.setdefault(_header_key(text), col)
            last_col = col
    if update.add_columns:
        names = [spec.header for spec in update.add_columns]
        added = False
        if update.table:
            try:
                table = pkg.add_table_columns(sheet, update.table, names)
                first_new = table.ref.max_col - len(names) + 1
                added = True
            except OoxmlValueError:
                added = False  # cells to the right are in use: add plain columns after the used range
        if not added:
            first_new = max(last_col, values.last_col) + 1
            header_style = values.style(header_row, last_col) if last_col else None
            pkg.write_rows(sheet, (header_row, first_new), [names],
                           styles=[[header_style] * len(names)] if header_style else None)
        for offset, spec in enumerate(update.add_columns):
            headers[_header_key(spec.header)] = first_new + offset
            report.columns_added.append(spec.header)
        widths = {first_new + i: spec.width for i, spec in enumerate(update.add_columns)}
        pkg.apply_sheet_settings(sheet, SheetSettings(column_widths=widths), only_if_absent=False)
    if not update.body_rows:
        return
    first, last = update.body_rows[0], update.body_rows[-1]
    position = {row: i for i, row in enumerate(update.body_rows)}
    rows = range(first, last + 1)
    every_row = list(update.body_rows) == list(rows)  # then a write's cells line up with the rows
    style_at = values.style
    columns: dict[int, list[object]] = {}
    cell_styles: dict[int, list[int | None]] = {}
    # Every row's long texts wrap, rows an officer added since the sheet was made too, so none is cut.
    wrapped = {headers[key] for key in WRAPPED_KPI_HEADERS if key in headers}
    wrapping: dict[tuple[int, str | None], int] = {}  # (base style, number format) -> the style that wraps
    for write in update.writes:
        col = headers.get(_header_key(write.header))
        if col is None:
            continue
        cells = write.cells if every_row and len(write.cells) == len(rows) else \
            [write.cells[position[row]] if row in position else None for row in rows]
        columns[col] = [KEEP if cell is None else cell.value for cell in cells]
        looks: list[int | None] = []
        if col in wrapped:
            for row, cell in zip(rows, cells):
                if cell is None:
                    looks.append(None)
                    continue
                key = (style_at(row, col), cell.number_format)
                look = wrapping.get(key)
                if look is None:
                    look = wrapping[key] = styles.get(key[0], wrap=True,
                                                      **({"number_format": key[1]} if key[1] else {}))
                looks.append(look)
        else:
            looks = [None if cell is None or not cell.number_format else
                     styles.formatted(style_at(row, col), cell.number_format) for row, cell in zip(rows, cells)]
        cell_styles[col] = looks
    # On a KPIs sheet kpi_excel made (new, init), its input columns and headers wrap as the template's
    # do; an officer's own sheet keeps its formats: only the columns we compute are ours to style.
    # A sheet the registry does not name is told by its code name once the computed columns are
    # written: read from the sheet's frame then, not from the whole part inflated once more.
    ours = pkg.is_owned(sheet, registered_only=True)
    written = dict(columns)  # what goes in the write still to be made
    if not ours and columns:
        pkg.write_columns(sheet, first, columns, styles=cell_styles)
        written = {}
        ours = pkg.is_owned(sheet)
    for col in (wrapped - columns.keys()) if ours else ():  # the officer's text, kept, wraps
        columns[col] = written[col] = [KEEP] * (last - first + 1)
        cell_styles[col] = [styles.get(style_at(row, col), wrap=True) if row in position else None for row in rows]
    if written:
        pkg.write_columns(sheet, first, written, styles=cell_styles)
    if ours:  # an officer's own sheet keeps its rows as they are (heights too)
        _fit_added_rows(pkg, sheet, values, headers, columns, first, last, position)
    # Headers wrap in their cells rather than being cut ("Previous Valu").
    header_cols = sorted(set(headers.values()))
    if ours and header_cols:
        pkg.write_rows(sheet, (header_row, 1), [[KEEP] * header_cols[-1]],
                       styles=[[styles.get(values.style(header_row, c), wrap=True) if c in header_cols else None
                                for c in range(1, header_cols[-1] + 1)]])
    last_rule_row = _rule_end(first, last)
    pkg.set_managed_conditional_formats(sheet, _rules(update.rules, headers, first, last_rule_row))
    named = _list_names(pkg)
    dropdowns = [_dropdown(spec, f"{column_letter(col)}{first}:{column_letter(col)}{last_rule_row}")
                 for spec in update.dropdowns
                 if (col := headers.get(_header_key(spec.header))) is not None
                 and (spec.choices or spec.choices_from.lower() in named)]  # a list range the workbook has
    pkg.set_managed_validations(sheet, dropdowns)
    _sparklines(pkg, update, headers, report)


def _sparklines(pkg: XlsxPackage, update: KpiUpdate, headers: dict[str, int], report: WrittenReport) -> None:
    """Our sparklines in their column; the group the previous refresh wrote is replaced."""
    spec = update.sparklines
    col = headers.get(_header_key(spec.header)) if spec is not None else None
    if spec is None or col is None:
        pkg.set_managed_sparklines(update.sheet, [])  # nothing to draw: remove ours, keep the officer's
        return
    letter = column_letter(col)
    cells = [(f"{letter}{row}", _sparkline_source(ref)) for row, ref in spec.cells]
    pkg.set_managed_sparklines(update.sheet, [SparklineGroup(cells, spec.colour, spec.last_colour)])


# A sheet name Excel writes without quotes in a sparkline's range, unless it reads as a cell.
_BARE_NAME, _CELL_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*"), re.compile(r"[A-Za-z]{1,3}\d+")


def _sparkline_source(reference: str) -> str:
    """``'History'!$O$5:$V$5`` as Excel writes a sparkline's range: ``History!O5:V5``."""
    sheet, _, cells = reference.rpartition("!")
    name = sheet.strip("'").replace("''", "'")
    if _BARE_NAME.fullmatch(name) and not _CELL_LIKE.fullmatch(name):
        sheet = name
    return f"{sheet}!{cells.replace('$', '')}"


# The KPIs sheet's columns whose text wraps (Topic, Indicator, Target, RAG Reason, ...).
WRAPPED_KPI_HEADERS = frozenset(_header_key(c.header) for c in (*KPI_COLUMNS, *KPI_OUTPUT_SPECS.values()) if c.wrap)

# Rules and dropdowns reach this far below the first row, so rows an officer
# adds before the next refresh are coloured and checked too.
RULE_ROWS = 500


def _rule_end(first: int, last: int) -> int:
    return max(last, first + RULE_ROWS - 1)


def _rules(rules: Sequence[FormatRule], headers: dict[str, int], first: int, last: int) -> list[ConditionalFormat]:
    out = []
    for rule in rules:
        col = headers.get(_header_key(rule.header))
        if col is None:
            continue
        letter = column_letter(col)
        sqref = f"{letter}{first}:{letter}{last}"
        if rule.kind == "arrows":
            # Grey arrows: up, flat or down by the sign alone; whether that is good
            # depends on the polarity, which the Direction column says in words.
            out.append(ConditionalFormat(sqref, IconSetRule(
                "3ArrowsGray", (("num", 0), ("num", 0), ("num", 1e-9)))))
            continue
        literal = rule.text if re.fullmatch(r"-?\d+(\.\d+)?", rule.text) else '"' + rule.text.replace('"', '""') + '"'
        out.append(ConditionalFormat(sqref, CellIsRule(
            "equal", (literal,), DxfStyle(fill=rule.fill or None, font_color=rule.font or None,
                                          bold=True if rule.bold else None))))
    return out


_UNSET = object()  # a look not worked out yet (None is a look: the cell's own)


def write_sheet(pkg: XlsxPackage, spec: SheetSpec, styles: _Styles, *, after: str | None = None) -> None:
    """Write a sheet we own whole: titles, header, rows, table, rules, charts, print setup."""
    rows: list[Sequence[object]] = []  # a row of plain values goes as it is (a tuple)
    looks: list[list[int | None]] = []
    for line in spec.title:
        rows.append([line.value])
        looks.append([styles.named(line.style)])
    if spec.title:
        rows.append([])
        looks.append([])
    # A table's style colours its header; the cells still wrap, so no header is cut.
    header_style = styles.named("wrap") if spec.table else styles.named("header")
    rows.append([c.header for c in spec.columns])
    looks.append([header_style] * len(spec.columns))
    formats = [c.number_format for c in spec.columns]
    wraps = [c.wrap for c in spec.columns]
    # A value's look is its column's, or its Cell's in its column: worked out once per (column,
    # number format, named look), not per cell (when first asked for, so new styles are made in
    # the order they always were). A row of plain values is written as it is.
    plain: dict[int, int | None] = {}
    cell_looks: dict[tuple[int, str | None, str | None], int | None] = {}
    n_formats = len(formats)
    for body in spec.rows:
        look = []
        has_cell = False
        for i, item in enumerate(body):
            if not isinstance(item, Cell):
                if i < n_formats:
                    style = plain.get(i, _UNSET)
                    if style is _UNSET:
                        style = plain[i] = styles.named("wrap" if wraps[i] else None, formats[i])
                else:
                    style = styles.named(None, None)
                look.append(style)
                continue
            has_cell = True
            key = (i, item.number_format, item.style)
            style = cell_looks.get(key, _UNSET)
            if style is _UNSET:
                number_format = item.number_format or (formats[i] if i < n_formats else None)
                wrap = wraps[i] if i < len(wraps) else False
                style = cell_looks[key] = styles.named(item.style or ("wrap" if wrap else None), number_format)
            look.append(style)
        rows.append([item.value if isinstance(item, Cell) else item for item in body] if has_cell else body)
        looks.append(look)
    header_row = spec.header_row
    settings = SheetSettings(
        freeze=(header_row, 0) if spec.freeze else None,
        column_widths={i + 1: c.width for i, c in enumerate(spec.columns)},
        tab_color=spec.tab_colour,
        landscape=spec.landscape,
        fit_to_width=True,
        paper_size=PAPER_SIZES[spec.paper],
        margins=NARROW_MARGINS,
        row_breaks=spec.page_breaks,
        row_heights=_row_heights(spec, header_row),
        # Rows an officer adds later wrap too: Excel gives a new cell its column's style.
        column_styles={i + 1: styles.named("wrap") for i, c in enumerate(spec.columns) if c.wrap},
    )
    table = TableSpec(spec.table, style="TableStyleMedium2") if spec.table else None
    charts = [_chart(chart) for chart in spec.charts]
    pkg.write_owned_sheet(spec.name, rows, styles=looks, after=after, settings=settings, table=table,
                          autofilter=False, print_titles=True, charts=[], header_row=header_row)
    for block in spec.blocks:
        _write_block(pkg, spec.name, block, styles)
    if charts:  # after the blocks, so the charts' caches hold their data (one read for all of them)
        pkg.add_charts(spec.name, charts)
    if spec.print_through:
        through = next(i for i, c in enumerate(spec.columns) if c.header == spec.print_through) + 1
        last = spec.print_last_row or max(spec.last_row, header_row + RULE_ROWS)
        pkg.set_print_area(spec.name, f"A1:{column_letter(through)}{last}")
    first = spec.first_body_row
    last = _rule_end(first, spec.last_row)
    headers = {_header_key(c.header): i + 1 for i, c in enumerate(spec.columns)}
    if spec.rules:
        pkg.set_managed_conditional_formats(spec.name, _rules(spec.rules, headers, first, last))
    dropdowns = [_dropdown(c, f"{column_letter(headers[_header_key(c.header)])}{first}:"
                              f"{column_letter(headers[_header_key(c.header)])}{last}")
                 for c in spec.columns if c.choices or c.choices_from]
    if dropdowns:
        pkg.set_managed_validations(spec.name, dropdowns)
    for name, header in spec.names:  # a column's body as a workbook name (a dropdown's list)
        letter = column_letter(headers[_header_key(header)])
        pkg.set_workbook_name(name, spec.name, f"{letter}{first}:{letter}{max(spec.last_row, first)}")
    if spec.hidden:
        pkg.hide_and_protect(spec.name)


def _list_names(pkg: XlsxPackage) -> set[str]:
    """Workbook names (lower case) of ranges on sheets the workbook has: a dropdown's list that
    is there to read (a name left behind by a deleted Lists sheet points nowhere)."""
    sheets = {name.lower() for name in pkg.sheet_names()}
    found = set()
    for name in pkg.defined_names():
        where, bang, _ = name.value.rpartition("!")
        if name.local_sheet is None and bang and where.strip("'").replace("''", "'").lower() in sheets:
            found.add(name.name.lower())
    return found


def _dropdown(spec: ColumnSpec, sqref: str) -> ListValidation:
    """A column's dropdown: its choices inline, or the workbook name of the range holding them."""
    return ListValidation(sqref, f"={spec.choices_from}" if spec.choices_from else list(spec.choices),
                          prompt_title=spec.header[:32], prompt=spec.help[:255] or None,
                          show_error=not spec.free_text)


# Excel's paperSize codes, and Excel's "Narrow" margins (inches: left, right, top, bottom),
# which leave the most of the page for a sheet fitted to its width.
PAPER_SIZES = {"A4": 9, "A3": 8}
NARROW_MARGINS = (0.25, 0.25, 0.75, 0.75)

# Points per line of 11-point text, and characters per unit of column width.
LINE_HEIGHT, CHARS_PER_WIDTH = 15.0, 1.15


def characters_per_line(width: float) -> int:
    """How many characters one line of a column ``width`` wide holds (at least one)."""
    return max(int(width * CHARS_PER_WIDTH), 1)


def wrapped_lines(text: object, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` wide, breaking between words as
    Excel does (a word longer than the line runs on to the next)."""
    per_line = characters_per_line(width)
    text = str(text or "")
    if len(text) <= per_line and "\n" not in text:
        return 1  # fits on one line however its words fall: most cells
    lines, used = 1, 0
    for paragraph_index, paragraph in enumerate(text.split("\n")):
        if paragraph_index:
            lines, used = lines + 1, 0
        for word in paragraph.split():
            need = len(word) + (1 if used else 0)
            if used and used + need > per_line:
                lines, used = lines + 1, 0
                need = len(word)
            while need > per_line:  # a long word fills whole lines
                lines, need = lines + 1, need - per_line
            used += need
    return lines


def _row_heights(spec: SheetSpec, header_row: int) -> dict[int, float]:
    """Heights for rows whose wrapped text needs more than one line.

    Worked out a column at a time, each distinct text of a column once (a column's texts
    repeat: frequencies, periods, RAG reasons)."""
    heights = {}
    header_lines = max((wrapped_lines(c.header, c.width) for c in spec.columns), default=1)
    if header_lines > 1:
        heights[header_row] = LINE_HEIGHT * min(header_lines, 4)
    lines = [1] * len(spec.rows)
    for i, column in enumerate(spec.columns):
        if not column.wrap:
            continue
        width = column.width
        one_line = characters_per_line(width)
        known: dict[str, int] = {}
        for offset, row in enumerate(spec.rows):
            if i >= len(row):
                continue
            item = row[i]
            text = item.value if isinstance(item, Cell) else item
            if type(text) is str:
                if len(text) <= one_line and "\n" not in text:
                    continue  # one line, as wrapped_lines says without looking at words: most cells
                count = known.get(text)
                if count is None:
                    count = known[text] = wrapped_lines(text, width)
            else:
                count = wrapped_lines(text, width)
            if count > lines[offset]:
                lines[offset] = count
    for offset, count in enumerate(lines):
        if count > 1:
            heights[header_row + 1 + offset] = LINE_HEIGHT * min(count, 8)
    return heights


_KPI_WIDTHS = {_header_key(c.header): c.width for c in (*KPI_COLUMNS, *KPI_OUTPUT_SPECS.values())}


def _fit_added_rows(pkg: XlsxPackage, sheet: str, values: SheetValues, headers: dict[str, int],
                    columns: dict[int, list[object]], first: int, last: int, position: dict[int, int]) -> None:
    """On a KPIs sheet kpi_excel made, a row with no height of its own (one an officer added) is made
    tall enough for the text of the columns that wrap, so a long Indicator or RAG Reason prints
    whole rather than its first lines being cut off; heights already set are left alone."""
    wrapped = [(col, _KPI_WIDTHS[key]) for key, col in headers.items() if key in WRAPPED_KPI_HEADERS]
    heights = {}
    for row in position:
        lines = 1
        for col, width in wrapped:
            written = columns.get(col, ())
            text = written[row - first] if row - first < len(written) else KEEP
            lines = max(lines, wrapped_lines(values.value(row, col) if text is KEEP else text, width))
        if lines > 1:
            heights[row] = LINE_HEIGHT * min(lines, 8)
    if heights:
        pkg.apply_sheet_settings(sheet, SheetSettings(row_heights=heights), only_if_absent=True)


def _write_block(pkg: XlsxPackage, name: str, block: Block, styles: _Styles) -> None:
    """A chart's data below the sheet's table: title, note, header, rows."""
    rows: list[list[object]] = [[block.title]]
    looks: list[list[int | None]] = [[styles.named("bold")]]
    if block.note:
        rows.append([block.note])
        looks.append([styles.named("note")])
    rows.append([c.header for c in block.columns])
    looks.append([styles.named("header")] * len(block.columns))
    formats = [c.number_format for c in block.columns]
    by_length: dict[int, list[int | None]] = {}  # a row's looks depend on its length alone
    for body in block.rows:
        rows.append(list(body))
        look = by_length.get(len(body))
        if look is None:
            look = by_length[len(body)] = [styles.named(None, formats[i] if i < len(formats) else None)
                                           for i in range(len(body))]
        looks.append(look)
    pkg.write_rows(name, (block.top, 1), rows, styles=looks)


def _range_of(reference: str) -> tuple[str, object]:
    sheet, _, cells = reference.rpartition("!")
    sheet = sheet.strip("'").replace("''", "'")
    return sheet, parse_range(cells.replace("$", ""))


def _chart(chart: Chart) -> ChartSpec:
    if chart.kind == "scatter":
        return _scatter(chart)
    sheet, categories = _range_of(chart.categories_ref)
    series = []
    for item in chart.series:
        values = _range_of(item.values_ref)[1] if item.values_ref else categories
        series.append(ChartSeries(item.name, categories, values, kind="line" if chart.kind == "line" else "bar",  # type: ignore[arg-type]
                                  color=item.colour or "2E75B6", marker=item.marker, sheet=sheet,
                                  literal=None if item.values_ref else item.values,
                                  point_colors=item.point_colours))
    return ChartSpec(
        kind=chart.kind, title=chart.title, series=series, alt_text=chart.alt_text, alt_title=chart.title,
        anchor=chart.anchor, width_cols=chart.width, height_rows=chart.height,
        y_title=chart.value_axis_title or None, legend=None if len(series) == 1 else "b",
        y_number_format=chart.value_format or None, x_title=chart.x_axis_title or None,
        y_max=chart.value_axis_max,
    )


# A scatter series' look: points, a bigger point for our authority, or a line.
_SCATTER_LOOKS = {"markers": ("scatter", 5), "highlight": ("scatter", 10), "line": ("line", 5)}


def _scatter(chart: Chart) -> ChartSpec:
    series = []
    for item in chart.series:
        sheet, x_values = _range_of(item.x_ref or chart.categories_ref)
        _, values = _range_of(item.values_ref)
        kind, size = _SCATTER_LOOKS.get(item.style, ("scatter", 5))
        series.append(ChartSeries(item.name, x_values, values, kind=kind, color=item.colour or None,  # type: ignore[arg-type]
                                  sheet=sheet, marker_size=size))
    return ChartSpec(
        kind="scatter", title=chart.title, series=series, alt_text=chart.alt_text, alt_title=chart.title,
        anchor=chart.anchor, width_cols=chart.width, height_rows=chart.height,
        x_title=chart.x_axis_title or None, y_title=chart.value_axis_title or None, legend="b",
        y_max=chart.value_axis_max,
    )


def _append_log(pkg: XlsxPackage, spec: SheetSpec, entry: LogEntry, styles: _Styles) -> bool:
    """Append the log line; False when a Log sheet exists that is the officer's own."""
    name = _find(pkg, spec.name)
    if name is None:
        write_sheet(pkg, SheetSpec(spec.name, spec.columns, (entry.values,), spec.title, None, spec.freeze,
                                   spec.landscape, spec.tab_colour), styles)
        return True
    values = pkg.read_sheet(name)
    headers = [_header_key(values.value(1, c + 1)) for c in range(2)]
    if not pkg.is_owned(name) and headers != [_header_key(c.header) for c in spec.columns[:2]]:
        return False
    used = values.used_range
    next_row = (used.max_row + 1) if used is not None else 1
    pkg.write_rows(name, (next_row, 1), [list(entry.values)])
    return True


@officer_errors()
def add_report_sheets(pkg: XlsxPackage, sheets: Sequence[SheetSpec], *, replace: bool = False) -> list[str]:
    """Add each sheet the workbook does not have yet (``replace``: also rewrite
    ones kpi_excel owns, for a brand-new report); returns the names written."""
    _check_can_add(pkg, [s.name for s in sheets])
    styles = _Styles(pkg)
    written = []
    for spec in sheets:
        name = _find(pkg, spec.name)
        if name is not None and not (replace and pkg.is_owned(name)):
            continue
        write_sheet(pkg, spec, styles)
        written.append(spec.name)
    return written
