"""The plan of a refresh: what to write where, for any writer to apply.

The core decides everything (values, number formats, which rules colour which
column, what the Benchmark sheet holds, the log line); a writer only
translates: the lossless file writer rewrites zip parts, the xlwings writer
sets ranges on a live book. Columns are named by header text, never by
letter, because officers move columns around.

All classes are frozen: a plan is a value, easy to compare between writers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from kpi_excel.ooxml.cell_content import EXCEL_CELL_LIMIT

__all__ = [
    "CUT_MARK",
    "fit_text",
    "short_text",
    "fit_plan",
    "Cell",
    "ColumnSpec",
    "FormatRule",
    "Series",
    "Chart",
    "Block",
    "SheetSpec",
    "ColumnWrite",
    "Sparklines",
    "KpiUpdate",
    "LogEntry",
    "Summary",
    "Plan",
]


@dataclass(frozen=True, init=False, slots=True)
class Cell:
    """A value with an optional Excel number format and a named look.

    ``style`` is one of: None, "header", "title", "note", "wrap", "bold".
    Text is always written as text, never as a formula.
    """

    value: object
    number_format: str | None = None
    style: str | None = None

    def __init__(self, value: object, number_format: str | None = None, style: str | None = None) -> None:
        # A refresh of 10,000 indicators makes some 300,000 cells: the frozen dataclass' own __init__
        # (object.__setattr__ by name, per field) cost twice this, and slots keep each cell a third smaller.
        _set_value(self, value)
        _set_number_format(self, number_format)
        _set_style(self, style)


_set_value, _set_number_format, _set_style = Cell.value.__set__, Cell.number_format.__set__, Cell.style.__set__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ColumnSpec:
    """A column of a sheet we write: header, width, format, dropdown, help."""

    header: str
    width: float = 14.0
    number_format: str | None = None
    wrap: bool = False
    choices: tuple[str, ...] = ()
    computed: bool = False
    help: str = ""
    free_text: bool = False  # the dropdown suggests; other text is allowed (a RAG Rule with tolerances)
    # A dropdown whose list is too long to write inline (Excel's 255 characters): the workbook
    # name of a range holding it (a column of the Lists sheet, see SheetSpec.names).
    choices_from: str = ""


@dataclass(frozen=True)
class FormatRule:
    """A conditional format over one column's body cells.

    ``kind`` "equals": cells whose value equals ``text`` get ``fill``/``font``
    (so a word typed by hand recolours too); "arrows": a grey up/flat/down icon
    set by the sign of the number.
    """

    header: str
    kind: str
    text: str = ""
    fill: str = ""
    font: str = ""
    bold: bool = False


@dataclass(frozen=True)
class Series:
    """One data series: its name, the cells it reads, and their values now
    (cached in the chart so it draws before Excel recalculates).

    In a scatter chart ``x_ref``/``x_values`` hold the horizontal positions;
    ``style`` is "markers", "line" or "highlight" (a bigger marker for "ours")
    and ``colour`` RRGGBB; empty lets the writer choose."""

    name: str
    values_ref: str  # e.g. 'Benchmark'!$D$5:$I$5; "" for values only the chart holds (a target line)
    values: tuple[float | None, ...]
    x_ref: str = ""
    x_values: tuple[float | None, ...] = ()
    style: str = ""
    colour: str = ""  # RRGGBB; empty: the writer's default
    marker: bool = True  # markers on a line series
    point_colours: tuple[tuple[int, str], ...] = ()  # (0-based point, RRGGBB): our authority's bar apart


@dataclass(frozen=True)
class Chart:
    """A native Excel chart reading cells of the sheet it sits on."""

    kind: str  # "bar" (horizontal bars) | "column" | "line" (one line per series) | "scatter" (x from x_ref)
    title: str
    alt_text: str
    categories_ref: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    anchor: str  # top-left cell, e.g. "Q3"
    width: int = 8  # in columns of the default width
    height: int = 15  # in rows
    value_axis_title: str = ""
    x_axis_title: str = ""
    value_axis_max: float | None = None  # e.g. 100 for a percentage
    value_format: str = ""  # the values' number format, for the value axis too ("0.0%", not 0.2)
    source_ref: str = ""  # scatter: the whole block (x column first) a live-Excel writer builds it from


@dataclass(frozen=True)
class Block:
    """Cells below a sheet's table (a chart's data): a title, a note, a header row
    and rows, from column A at sheet row ``top``. Not part of the sheet's table."""

    top: int
    title: str
    columns: tuple[ColumnSpec, ...]
    rows: tuple[tuple[object, ...], ...] = ()
    note: str = ""

    @property
    def header_row(self) -> int:
        return self.top + (2 if self.note else 1)

    @property
    def first_body_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + len(self.rows)


@dataclass(frozen=True)
class SheetSpec:
    """A sheet we own and write whole (Benchmark, RAG key, Log, a new KPIs)."""

    name: str
    columns: tuple[ColumnSpec, ...]
    rows: tuple[tuple[object, ...], ...] = ()
    title: tuple[Cell, ...] = ()  # lines above the header row
    table: str | None = None  # an Excel table over header + rows
    freeze: bool = True
    landscape: bool = True
    tab_colour: str | None = None
    rules: tuple[FormatRule, ...] = ()
    charts: tuple[Chart, ...] = ()
    print_through: str | None = None  # header of the last column a committee pack prints
    blocks: tuple[Block, ...] = ()  # chart data below the table (funnel plots)
    paper: str = "A4"  # or "A3", for a table too wide to read on A4
    print_last_row: int | None = None  # the last row printed (chart data below it stays on screen)
    page_breaks: tuple[int, ...] = ()  # rows a printed page starts at, so no chart straddles two pages
    hidden: bool = False  # hidden and protected from edits (the Lists sheet dropdowns read)
    names: tuple[tuple[str, str], ...] = ()  # (workbook name, header): a name for that column's body

    @property
    def header_row(self) -> int:
        """The sheet row of the header (1-based)."""
        return len(self.title) + (1 if self.title else 0) + 1

    @property
    def first_body_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + max(len(self.rows), 0)


@dataclass(frozen=True)
class ColumnWrite:
    """New values for one KPIs column; None leaves that row's cell alone."""

    header: str
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True)
class Sparklines:
    """Native sparklines in one KPIs column: one per row, each reading a range.

    ``cells`` pairs a sheet row with the range its sparkline draws, e.g.
    ``(5, "'History'!$O$5:$V$5")``. The latest point is marked; empty cells are
    gaps. A writer replaces only the sparklines it wrote before.
    """

    header: str
    cells: tuple[tuple[int, str], ...]
    colour: str = "1F4E79"
    last_colour: str = "C55A11"


@dataclass(frozen=True)
class KpiUpdate:
    """What changes on the officer's KPIs sheet: only computed columns."""

    sheet: str
    header_row: int
    body_rows: tuple[int, ...]  # sheet row of each KPI row, in order
    add_columns: tuple[ColumnSpec, ...] = ()  # computed columns the sheet lacks
    writes: tuple[ColumnWrite, ...] = ()
    rules: tuple[FormatRule, ...] = ()
    dropdowns: tuple[ColumnSpec, ...] = ()  # input columns whose dropdown is missing
    table: str | None = None  # the Excel table the KPIs sit in, if any
    sparklines: Sparklines | None = None


@dataclass(frozen=True)
class LogEntry:
    """One line for the Log sheet."""

    values: tuple[object, ...]


@dataclass(frozen=True)
class Summary:
    """What the officer is told after a refresh."""

    rated: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    changes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    benchmarked: int = 0

    def lines(self) -> list[str]:
        # Here, not at the top: reading a workbook's cells needs this module's limits, not the RAG rules.
        from kpi_excel.core.rag import counted_order

        words = ", ".join(f"{self.counts[w]} {w}" for w in counted_order(self.counts) if self.counts.get(w))
        out = [f"Rated {self.rated} indicator{'s' if self.rated != 1 else ''}: {words or 'none'}"]
        if self.benchmarked:
            out.append(f"Benchmarked {self.benchmarked} against other authorities")
        if self.changes:
            out.append(f"{len(self.changes)} RAG change{'s' if len(self.changes) != 1 else ''}: "
                       + "; ".join(self.changes[:5]) + (" …" if len(self.changes) > 5 else ""))
        if self.problems:
            out.append(f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} to check "
                       "(see the Checks column)")
        return out


@dataclass(frozen=True)
class Plan:
    """Everything a refresh writes, in the order a writer should apply it."""

    kpis: KpiUpdate
    sheets: tuple[SheetSpec, ...] = ()  # created, or replaced whole if they exist
    log_sheet: SheetSpec | None = None  # created if missing, then the entry appended
    log: LogEntry | None = None
    summary: Summary = field(default_factory=Summary)
    after_kpis: tuple[str, ...] = ()  # sheets placed right after KPIs when first created, in this order


# ---- Excel's cell limit ------------------------------------------------------------------

CUT_MARK = "… [cut to Excel's 32,767-character cell limit]"


def short_text(text: str, length: int = 60) -> str:
    """``text`` cut to ``length`` characters with an ellipsis: a chart title, a log line."""
    return text if len(text) <= length else text[: length - 1] + "…"


def fit_text(text: str) -> str:
    """``text`` as it fits in one Excel cell: cut with a visible mark when longer."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    return text[:EXCEL_CELL_LIMIT - len(CUT_MARK)] + CUT_MARK


def _fit(value: object) -> object:
    kind = value.__class__
    if value is None or kind is float or kind is int:  # most cells: nothing to cut
        return value
    if kind is Cell:  # the owned sheets' cells: look only at a text inside
        inner = value.value  # type: ignore[attr-defined]
        if inner is None or inner.__class__ is float or not isinstance(inner, str) or len(inner) <= EXCEL_CELL_LIMIT:
            return value
        return replace(value, value=fit_text(inner))  # type: ignore[type-var]
    if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
        return fit_text(value)
    if isinstance(value, Cell) and isinstance(value.value, str) and len(value.value) > EXCEL_CELL_LIMIT:
        return replace(value, value=fit_text(value.value))
    return value


def _fit_chart(chart: Chart) -> Chart:
    texts = (chart.title, chart.alt_text, *chart.categories, *(s.name for s in chart.series))
    if all(len(text) <= EXCEL_CELL_LIMIT for text in texts):
        return chart  # every text fits (every chart a refresh makes): nothing to copy
    return replace(chart, title=fit_text(chart.title), alt_text=fit_text(chart.alt_text),
                   categories=tuple(fit_text(c) for c in chart.categories),
                   series=tuple(replace(s, name=fit_text(s.name)) for s in chart.series))


def _fitted(values: Sequence[object]) -> tuple[object, ...]:
    """``values`` as a tuple with every text cut to fit a cell (see :func:`_fit`). Nearly every
    value fits: they are looked at in one loop first, and only a sequence holding a text too
    long goes through :func:`_fit` value by value (a refresh of 10,000 indicators writes ~500,000)."""
    for value in values:
        kind = value.__class__
        if kind is Cell or (kind is not str and isinstance(value, Cell)):  # a cell: the text inside
            value = value.value
            kind = value.__class__
        if kind is str:  # the commonest kinds by their class alone, no isinstance
            if len(value) > EXCEL_CELL_LIMIT:
                return tuple(map(_fit, values))
        elif value is not None and kind is not float and kind is not int and isinstance(value, str) \
                and len(value) > EXCEL_CELL_LIMIT:
            return tuple(map(_fit, values))
    return values if values.__class__ is tuple else tuple(values)  # type: ignore[return-value]


def fit_plan(plan: Plan) -> Plan:
    """The plan with every text it writes cut to fit a cell (once, here, so every writer
    - the file, desktop Excel, Excel on the web - only ever sends cells Excel accepts).
    The refresh says in the Checks column which rows' texts were cut."""
    kpis = replace(plan.kpis, writes=tuple(
        replace(w, cells=_fitted(w.cells)) for w in plan.kpis.writes))  # type: ignore[arg-type]
    sheets = tuple(replace(
        sheet,
        rows=tuple(map(_fitted, sheet.rows)),
        title=_fitted(sheet.title),  # type: ignore[arg-type]
        charts=tuple(_fit_chart(c) for c in sheet.charts),
    ) for sheet in plan.sheets)
    log = replace(plan.log, values=_fitted(plan.log.values)) if plan.log is not None else None
    return replace(plan, kpis=kpis, sheets=sheets, log=log)
