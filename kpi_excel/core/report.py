"""Refresh: indicator rows + chosen values + benchmarks → results and a plan.

Readers (the file reader, the xlwings book reader) hand over what they found in
the workbook as :class:`SheetCells`; the sources and the benchmark hand over
pure tables. :func:`plan_refresh` works out every answer and returns a
:class:`~kpi_excel.core.plan.Plan` that any writer applies. Nothing here
touches a file.

Only computed columns are written. A value typed by the officer stays where no
source has the indicator; the Data sheet (and other sources) win where they do.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from kpi_excel.core.assess import Assessment, RateOptions, duplicate_codes
from kpi_excel.core.engine import rate_rows
from kpi_excel.core.benchmark_sheet import BenchmarkedRow, benchmark_sheet
from kpi_excel.core.cell_reading import absent
from kpi_excel.core.benchmark_figure import benchmarked_value, position_note
from kpi_excel.core.funnel import Funnel
from kpi_excel.core.measures import Measure
from kpi_excel.core.periods import PeriodError, parse_period
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.significance import COUNT_FIELDS, versus_from_counts, versus_word
from kpi_excel.core.stats import compare_with
from kpi_excel.core.columns import match_columns, normalise_header
from kpi_excel.core.plan import (
    EXCEL_CELL_LIMIT,
    Cell,
    ColumnSpec,
    ColumnWrite,
    KpiUpdate,
    LogEntry,
    Plan,
    Summary,
    fit_plan,
    short_text,
)
from kpi_excel.core.history import History, HistoryPoint, HistoryRow, describe_history, history_sheet
from kpi_excel.core.override_period import check_override
from kpi_excel.core.palette import RAG_COLOURS
from kpi_excel.core.plan import Sparklines
from kpi_excel.core.rag import (AMBER, BLUE, GREEN, NA, RED, YELLOW, Quartile, RagError, RuleSpec, parse_quartile,
                                row_rule, status_of_word)
from kpi_excel.core.settings import ReportSettings, read_settings
from kpi_excel.core.summary import IndicatorStatus, missed_targets, summarise, summary_sheet
from kpi_excel.core.targets import MAINTAIN
from kpi_excel.core.template import (
    BENCHMARK_SHEET,
    HISTORY_SHEET,
    KPI_COLUMNS,
    KPI_OUTPUT_SPECS,
    KPI_OUTPUTS,
    KPI_SHEET,
    SUMMARY_SHEET,
    kpi_rules,
    status_rules,
    log_sheet,
    rag_key_sheet,
)
from kpi_excel.core.values import PERCENT_UNKNOWN_PRECISION, Value, ValueReadError, parse_value
from kpi_excel.errors import InputError, Problem

__all__ = [
    "SheetCells",
    "WorkbookContent",
    "RefreshInputs",
    "KpiTable",
    "find_kpi_table",
    "settings_from",
    "plan_refresh",
    "published_statuses",
    "excel_cell",
    "period_key",
    "rate_options",
]

# Lines the Summary sheet gives to Data codes that match no indicator.
_NOT_USED_SHOWN = 10


@dataclass(frozen=True)
class SheetCells:
    """A block of a sheet as a reader found it: values (and number formats when
    the reader can see them) from sheet row ``top``, column A onwards."""

    name: str
    values: Sequence[Sequence[object]]
    formats: Sequence[Sequence[str | None]] | None = None
    top: int = 1
    table: str | None = None  # the Excel table whose header row is in this block

    def value(self, row: int, column: int) -> object:
        """The value at 0-based (row, column) of the block; None outside it."""
        if row < len(self.values) and column < len(self.values[row]):
            return self.values[row][column]
        return None

    def number_format(self, row: int, column: int) -> str | None:
        if self.formats is None or row >= len(self.formats) or column >= len(self.formats[row]):
            return None
        return self.formats[row][column]


@dataclass(frozen=True)
class WorkbookContent:
    """What a reader hands to the core."""

    sheet_names: tuple[str, ...]
    kpis: SheetCells | None
    settings: SheetCells | None = None


@dataclass(frozen=True)
class RefreshInputs:
    """What a door read (the workbook's content and Data sheet), and where relative source paths are resolved from."""

    content: WorkbookContent
    data: SheetCells | None
    directory: Path | None = None  # the workbook's folder, for relative paths in Settings
    # When the Log's last entry says the previous refresh was; "" when there was one at an
    # unknown time (the web does not send the Log's values), None when the Log has none.
    previous_refresh: str | None = None


@dataclass(frozen=True)
class KpiTable:
    """The KPIs sheet's header row, columns and body rows, found by header text."""

    cells: SheetCells
    header_index: int  # 0-based row of the header within the block
    inputs: dict[str, int]  # canonical field -> 0-based column
    outputs: dict[str, int]  # canonical output field -> 0-based column
    body: tuple[int, ...]  # 0-based block rows of the KPI rows
    width: int

    @property
    def header_row(self) -> int:
        return self.cells.top + self.header_index

    def sheet_row(self, index: int) -> int:
        return self.cells.top + index


_OUTPUT_SYNONYMS = {
    "sn_average": ("stat neighbour avg", "stat neighbour average", "statistical neighbour average", "sn average",
                   "sn avg", "most recent statistical neighbour average"),
    "quartile": ("quartile", "national benchmark quartile 1 top", "national quartile", "benchmark quartile"),
    "checks": ("checks", "problems", "data checks"),
    "rag": ("rag", "rag status", "status rag"),
    "trend": ("trend", "direction of travel"),
    "derived_target": ("top quartile target", "derived target"),
}
# Fields that are computed when a source has data, yet typed by officers in
# older workbooks: read as inputs, written as outputs.
_BOTH = ("previous_period", "previous_value", "latest_period", "latest_value", "quartile", "sn_average",
         "england", "override_period", *COUNT_FIELDS)


def _output_lookup() -> dict[str, str]:
    lookup = {normalise_header(header): field for field, header in KPI_OUTPUTS.items()}
    for field_name, words in _OUTPUT_SYNONYMS.items():
        for word in words:
            lookup.setdefault(normalise_header(word), field_name)
    return lookup


_OUTPUTS_BY_HEADER = _output_lookup()


def find_kpi_table(cells: SheetCells) -> KpiTable:
    """Find the header row (within the top 30 rows) and the columns by their text.

    Raises :class:`InputError` naming the sheet when there is no such header.
    """
    for index in range(min(len(cells.values), 30)):
        headers = ["" if v is None else str(v) for v in cells.values[index]]
        outputs: dict[str, int] = {}
        for position, header in enumerate(headers):
            name = _OUTPUTS_BY_HEADER.get(normalise_header(header))
            if name and name not in outputs:
                outputs[name] = position
        mapped = match_columns([h if _OUTPUTS_BY_HEADER.get(normalise_header(h)) not in
                                (set(KPI_OUTPUTS) - set(_BOTH)) else "" for h in headers])
        inputs = dict(mapped.by_name)
        if "indicator" in inputs and ({"code", "polarity", "latest_value", "target"} & set(inputs)):
            for name in _BOTH:
                if name in outputs:
                    inputs.setdefault(name, outputs[name])
            for name in ("published_trend", "published_rag", "published_direction", "published_change",
                         "published_rag_reason"):
                inputs.pop(name, None)  # in the report these columns are ours
            width = max(len(headers), 1)
            while width > 1 and not headers[width - 1].strip():
                width -= 1
            values = cells.values
            body = tuple(  # an empty row (a reader's ``()``) is skipped before any work
                i for i in range(index + 1, len(values))
                if values[i] and any(v not in (None, "") for v in list(values[i])[:width])
            )
            return KpiTable(cells, index, inputs, outputs, body, width)
    raise InputError("no header row with an Indicator column and a Code, Polarity, Latest Value or Target "
                     "column in the top 30 rows", sheet=cells.name)


def settings_from(cells: SheetCells | None) -> ReportSettings:
    """Read the Settings sheet's (setting, value) pairs; defaults when absent."""
    if cells is None:
        return ReportSettings()
    pairs = [(row[0] if len(row) > 0 else None, row[1] if len(row) > 1 else None) for row in cells.values]
    return read_settings(pairs, sheet=cells.name)


def excel_cell(value: Value, unit_percent: bool | None = None, decimals: int | None = None) -> Cell | None:
    """A value as Excel should hold it: a percentage as a fraction with a % format."""
    if value.number is None:
        return Cell(value.missing.split(" (")[-1].rstrip(")") if value.missing and "(" in value.missing else None)
    places = value.decimals if decimals is None else decimals
    if value.percent or unit_percent:
        places = 1 if places is None else places
        return Cell(round(value.number / 100, places + 2 + 6), "0" + ("." + "0" * places if places else "") + "%")
    if places is None:
        return Cell(value.number, "General")
    return Cell(value.number, "#,##0" + ("." + "0" * places if places else ""))


@dataclass
class _Row:
    """One KPI row on its way through the refresh."""

    index: int  # 0-based block row
    fields: dict[str, object]
    formats: dict[str, str | None]
    problems: list[Problem] = field(default_factory=list)
    source: str = ""
    bench: dict[str, object] | None = None
    assessment: Assessment | None = None
    checks: str = ""  # the row's problems as the Checks column shows them
    versus: str = ""  # vs England at the benchmark period, from the benchmark's counts
    counted: set[str] = field(default_factory=set)  # count fields a source gave (written back)
    history: History | None = None
    override_period: Cell | None = None  # the Override Period to write (None: leave the cell alone)


def plan_refresh(
    content: WorkbookContent,
    *,
    selected: pd.DataFrame | None = None,
    selection_problems: Mapping[str, Sequence[str]] | None = None,
    source_problems: Sequence[str] = (),
    benchmark: pd.DataFrame | None = None,
    settings: ReportSettings | None = None,
    sources: Sequence[str] = (),
    now: dt.datetime | None = None,
    user: str = "",
    door: str = "file",
    version: str = "",
    funnels: Sequence[Funnel] = (),
    histories: Mapping[str, History] | None = None,
    previous_refresh: str | None = None,
    not_used: Sequence[str] = (),
) -> Plan:
    """Work out every indicator's answers and the plan that writes them.

    ``selected`` is indexed by indicator code with columns ``previous_period,
    previous_value, latest_period, latest_value, source, note`` (the values
    chosen from the Data sheet and other sources; a value is best given as the
    source showed it, "77.6%", so it stays a percentage). ``selection_problems``
    are the sources' problems by code, ``source_problems`` the rest.
    ``benchmark`` is indexed by benchmark code with the authority's row of the
    benchmark (``period, value, quartile, position, rank, n_areas, q25, q50, q75,
    sn_average, england, derived_target, derived_target_value, polarity,
    indicator_name, dps``; optionally the counts behind ``value`` and England's:
    ``numerator, denominator, england_numerator, england_denominator,
    count_kind, count_multiplier``). ``funnels`` are drawn on the Benchmark sheet. ``histories`` (by indicator code) fill the History
    sheet and the KPIs sparklines; ``previous_refresh`` is when the Log says
    the previous refresh was ("" when it has one of unknown time, None when
    none): the Summary sheet then says what changed since. ``not_used`` names
    data the sources hold that no indicator takes (a Data code that matches no
    indicator): said on the Summary sheet and in the Log.
    """
    if content.kpis is None:
        raise InputError("the workbook has no KPIs sheet", sheet=KPI_SHEET)
    table = find_kpi_table(content.kpis)
    settings = settings or settings_from(content.settings)
    options = rate_options(settings)
    now = now or dt.datetime.now()

    rows = _read_rows(table)
    _name_duplicate_codes(table, rows)
    # Row lookups in plain dicts: one pandas .loc per indicator would cost more than rating it.
    chosen = _by_code(selected)
    benchmarks = _by_code(benchmark)
    for row in rows:
        _apply_selection(row, chosen, selection_problems or {})
        _apply_benchmark(row, benchmarks, settings)
        _hold_override_to_its_period(row)
    columns = _assess(rows, options)
    headers = _input_headers(table)
    for row in rows:
        if row.assessment is not None:
            row.versus = _benchmark_versus(row, settings.confidence)
            _say_what_was_ranked(row)
            row.history = (histories or {}).get(_code(row))
        row.problems.extend(_cut_texts(row))
        row.checks = _checks_text(row, headers)

    writes, add_columns = _writes(table, rows, settings.confidence)
    rated = [r for r in rows if r.assessment is not None and not r.assessment.blank]
    counts: dict[str, int] = {}
    for row in rated:
        counts[row.assessment.rag] = counts.get(row.assessment.rag, 0) + 1  # type: ignore[union-attr]
    changes = tuple(_changes(table, rows))
    problems = tuple(f"row {table.sheet_row(r.index)}: {r.checks}" for r in rows if r.checks)
    settings_problems = tuple(str(p) for p in settings.problems) + tuple(source_problems)
    summary = Summary(rated=len(rated), counts=counts, changes=changes, problems=settings_problems + problems,
                      sources=tuple(sources), benchmarked=sum(1 for r in rows if r.bench is not None))
    below = _below_targets(rated)
    status_word = _status_words(settings.rag_rule)
    statuses = [_status(table, row, missed, settings.rag_rule, before, status_word)
                for row, missed, before in zip(rated, below, _previous_period_rags(rated, options, columns))]
    narrative = summarise(statuses, previous_refresh=previous_refresh)
    when = now.strftime("%Y-%m-%d %H:%M")
    # The statuses a council's key adds (Blue, Yellow, its own names) get fills where they are used.
    own = {r.assessment.rag: status_of_word(r.assessment.rag, settings.rag_rule,  # type: ignore[union-attr]
                                            row_rule(r.fields.get("rag_rule"), settings.rag_rule))
           for r in rated if r.assessment.rag not in RAG_COLOURS}  # type: ignore[union-attr]
    rag_rules = tuple(status_rules("RAG", own))
    shown_not_used = list(not_used[:_NOT_USED_SHOWN])
    if len(not_used) > _NOT_USED_SHOWN:  # a pasted extract of another report's codes: a line each would bury the rest
        shown_not_used.append(f"… and {len(not_used) - _NOT_USED_SHOWN} more Data codes that match no indicator "
                              "(the Log lists them)")
    sheets = [rag_key_sheet(settings), summary_sheet(narrative, name=SUMMARY_SHEET, when=when, rules=rag_rules,
                                                     not_used=shown_not_used)]
    if benchmark is not None:
        sheets.append(benchmark_sheet([BenchmarkedRow(row.fields.get("indicator"), row.fields.get("benchmark_code"),
                                                      row.fields.get("code"), row.bench, _unit_label(row), row.versus)
                                       for row in rows if row.bench is not None], settings, funnels))
    sparklines = None
    with_history = [(r, s) for r, s in zip(rated, statuses) if r.history is not None]
    if with_history:
        point_cells: dict[tuple[float, str, bool], Cell] = {}  # a history repeats the same few thousand points
        history_spec, refs = history_sheet([_history_row(r, s, point_cells) for r, s in with_history],
                                           name=HISTORY_SHEET,
                                           periods=settings.history_periods)
        sheets.append(history_spec)
        sparklines = Sparklines(KPI_OUTPUTS["history"], tuple(
            (table.sheet_row(r.index), refs[s.code]) for r, s in with_history if s.code in refs))
    kpi_update = KpiUpdate(
        sheet=content.kpis.name,
        header_row=table.header_row,
        body_rows=tuple(table.sheet_row(i) for i in table.body),
        add_columns=add_columns,
        writes=writes,
        rules=kpi_rules(own),
        dropdowns=tuple(spec for spec in KPI_COLUMNS if spec.choices or spec.choices_from),
        table=content.kpis.table,
        sparklines=sparklines,
    )
    logged_sources = "; ".join(sources) or "Data sheet"
    if not_used:
        logged_sources += "; not used: " + "; ".join(not_used)
    log = LogEntry((
        when, user, door, logged_sources[:2000], len(rated),
        *_log_counts(rated, settings.rag_rule),
        "; ".join(changes)[:2000] or None, len(summary.problems), version,
    ))
    placed = tuple(name for name in (SUMMARY_SHEET, BENCHMARK_SHEET, HISTORY_SHEET) if any(s.name == name for s in sheets))
    # Every text written is cut to fit a cell here, once, for every writer (see fit_plan).
    return fit_plan(Plan(kpis=kpi_update, sheets=tuple(sheets), log_sheet=log_sheet(), log=log, summary=summary,
                         after_kpis=placed))


def _cut_texts(row: _Row) -> list[Problem]:
    """Say which of the row's texts will not fit a cell and are cut (by :func:`fit_plan`)."""
    found = []
    limit = f"longer than Excel's {EXCEL_CELL_LIMIT:,}-character cell limit"
    name = row.fields.get("indicator")
    if isinstance(name, str) and len(name) > EXCEL_CELL_LIMIT:
        found.append(Problem("indicator", f"{len(name):,} characters, {limit}: cut to fit where the report "
                                          "repeats it"))
    reason = row.assessment.rag_reason if row.assessment is not None else None
    if isinstance(reason, str) and len(reason) > EXCEL_CELL_LIMIT:
        quoted = [name for name, value in row.fields.items() if isinstance(value, str) and len(value) > 100
                  and value in reason]  # the officer's text the reason repeats: the one to shorten
        cause = max(quoted, key=lambda name: len(str(row.fields[name])), default="rag_override_reason")
        found.append(Problem(cause, f"makes the RAG Reason {len(reason):,} characters, {limit}: it is cut to fit, "
                                    "marked at its end"))
    return found


def _code(row: _Row) -> str:
    code = row.fields.get("code")
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return "" if code is None else str(code).strip()


def _below_targets(rows: Sequence[_Row]) -> list[bool | None]:
    """Whether each rated row's latest value misses its target, all rows at once."""
    return missed_targets([(r.assessment.latest, r.assessment.target, r.assessment.polarity,  # type: ignore[union-attr]
                            r.assessment.previous) for r in rows])  # type: ignore[union-attr]


def _log_counts(rated: Sequence[_Row], rule: RuleSpec) -> tuple[int, int, int, int]:
    """Green, Amber, Red and N/A for the Log, whose columns are those four: a key's Blue
    counts as Green and its Yellow as Amber, a council's own name as its status."""
    counts = {GREEN: 0, AMBER: 0, RED: 0, NA: 0}
    family = {BLUE: GREEN, YELLOW: AMBER}
    status_word = _status_words(rule)
    for row in rated:
        status = status_word(row.assessment.rag, _row_rule(row, rule)) or NA  # type: ignore[union-attr]
        status = family.get(status, status)
        counts[status if status in counts else NA] += 1
    return counts[GREEN], counts[AMBER], counts[RED], counts[NA]


def _row_rule(row: _Row, default: RuleSpec) -> RuleSpec:
    """The row's RAG Rule cell as a rule; most are empty, and an empty one is the default
    without reading it as a rule (a pattern per row at 10k rows)."""
    text = row.fields.get("rag_rule")
    return default if text is None or text == "" else row_rule(text, default)


def _rule_of(options: RateOptions) -> RuleSpec:
    return options.rule if isinstance(options.rule, RuleSpec) else RuleSpec(options.rule)


def _status_words(rule: RuleSpec) -> Callable[[object, RuleSpec], str | None]:
    """:func:`status_of_word` for a report whose default rule is ``rule``: a row on that rule (most are)
    reads each distinct word once, as 10,000 rows repeat a handful of RAG words."""
    known: dict[tuple[type, object], str | None] = {}

    def status_word(word: object, own_rule: RuleSpec) -> str | None:
        if own_rule is not rule:
            return status_of_word(word, rule, own_rule)
        key = (word.__class__, word)
        try:
            return known[key]
        except KeyError:
            found = known[key] = status_of_word(word, rule, own_rule)
            return found
        except TypeError:  # a cell value that cannot be a key
            return status_of_word(word, rule, own_rule)

    return status_word


def _status(table: KpiTable, row: _Row, below_target: bool | None, rule: RuleSpec, period_rag: str,
            status_word: Callable[[object, RuleSpec], str | None]) -> IndicatorStatus:
    """A rated row as the summary reads it; the previous RAG is what the sheet held before, ``period_rag``
    its RAG at the comparable previous period."""
    result = row.assessment
    assert result is not None
    before = ""
    own_rule = _row_rule(row, rule)
    if "rag" in table.outputs:
        before = status_word(table.cells.value(row.index, table.outputs["rag"]), own_rule) or ""
    quartile = None
    if row.bench is not None and not absent(row.bench.get("quartile")):
        quartile = int(row.bench["quartile"])  # type: ignore[call-overload]
    elif result.quartile is not None:
        quartile = result.quartile.number
    rank = ""
    if row.bench is not None and not absent(row.bench.get("rank")) and not absent(row.bench.get("n_areas")):
        rank = f"{int(row.bench['rank'])} of {int(row.bench['n_areas'])}"  # type: ignore[call-overload]
    ranked = benchmarked_value(row.bench, _bench_percent(row)) if row.bench is not None else None
    return IndicatorStatus(
        indicator=_name(table, row), code=_code(row), topic=str(row.fields.get("topic") or "").strip(),
        rag=status_word(result.rag, own_rule) or result.rag,
        shown_rag=result.rag, direction=result.direction, rag_reason=result.rag_reason, quartile=quartile, rank=rank,
        comment=str(row.fields.get("comment") or "").strip(),
        below_target=below_target, previous_rag=before, period_rag=period_rag,
        significance=result.statistics.significance if result.statistics is not None else "",
        benchmark_value=ranked.display() if ranked is not None else "",
        benchmark_period="" if row.bench is None or absent(row.bench.get("period")) else str(row.bench["period"]),
    )


def _name(table: KpiTable, row: _Row) -> str:
    return str(row.fields.get("indicator") or row.fields.get("code") or f"row {table.sheet_row(row.index)}").strip()


def _history_row(row: _Row, status: IndicatorStatus, point_cells: dict[tuple[float, str, bool], Cell]) -> HistoryRow:
    """The History sheet's line for a row: values as Excel holds them, target line, alt text.
    ``point_cells``: the cells made so far for (number, text shown, percent), shared by the rows."""
    history = row.history
    result = row.assessment
    assert history is not None and result is not None
    percent = history.percent or _unit_percent(row)
    cells = _point_cells(history.points, percent, point_cells)
    target = result.target
    target_text = target.display() if target is not None else ""
    line = None
    if target is not None and target.op == MAINTAIN:
        # The level to maintain is the comparable previous value: drawn there, or not at all.
        level = result.previous
        if level is not None and level.number is not None and not level.bound:
            line = excel_cell(Value(level.number, percent=percent, decimals=level.decimals), percent)
    elif target is not None and target.numeric and target.op != "band":
        places = target.decimals
        line = excel_cell(Value(target.value, percent=percent, decimals=places), percent)
    if line is not None and line.value is None:
        line = None
    frequency = result.frequency.value if result.frequency else ""
    return HistoryRow(status.indicator, status.code, frequency, target_text, status.rag, status.previous_rag,
                      tuple([p.period for p in history.points]), cells, line,
                      describe_history(status.indicator, history if history.percent == percent else
                                       replace(history, percent=percent), target_text))


def _point_cells(points: Sequence[HistoryPoint], percent: bool,
                 made: dict[tuple[float, str, bool], Cell]) -> tuple[Cell, ...]:
    """A history's points as cells; ``made``: the cells made so far by (number, text shown, percent)."""
    cells = []
    for point in points:
        number = point.value
        if number is None:
            cells.append(_GAP)
        elif number != 0:  # 0.0 and -0.0 are one key but two cells
            key = (number, point.shown, percent)
            found = made.get(key)
            if found is None:
                found = made[key] = _new_point_cell(number, point.shown, percent)
            cells.append(found)
        else:
            cells.append(_new_point_cell(number, point.shown, percent))
    return tuple(cells)


_GAP = Cell(None)  # a period with no value (cells are never changed once made: one serves every gap)


def _new_point_cell(number: float, shown: str, percent: bool) -> Cell:
    look = _shown_look(shown) if shown else None
    value = Value(number, percent=percent) if look is None else \
        Value(number, percent=percent or look[0], decimals=look[1])  # one Value a point, not two
    return excel_cell(value, percent) or Cell(None)


@lru_cache(maxsize=8192)
def _shown_look(shown: str) -> tuple[bool, int | None] | None:
    """Whether a value as shown is a percentage, and its decimals (None: not a number);
    once per text, as a history repeats the same few thousand texts across indicators."""
    try:
        parsed = parse_value(shown)
    except ValueReadError:
        return None
    return (parsed.percent, parsed.decimals) if parsed.number is not None else None


def published_statuses(content: WorkbookContent, previous: Mapping[str, str] | None = None,
                       settings: ReportSettings | None = None) -> list[IndicatorStatus]:
    """Each indicator as the KPIs sheet publishes it now (no re-rating).

    RAG, Direction, RAG Reason, Quartile and Rank are read from the sheet's
    own columns, so an officer's hand edits count; only whether the latest
    value misses its target is worked out (from the row's own value, target
    and polarity). ``previous`` gives each code's RAG at the previous refresh.
    """
    if content.kpis is None:
        raise InputError("the workbook has no KPIs sheet", sheet=KPI_SHEET)
    table = find_kpi_table(content.kpis)
    settings = settings or settings_from(content.settings)
    options = rate_options(settings)

    def output(row: _Row, name: str) -> object:
        column = table.outputs.get(name)
        value = table.cells.value(row.index, column) if column is not None else None
        return value.strip() if isinstance(value, str) else value

    rows = _read_rows(table)
    columns = _assess(rows, options)  # only to know whether each latest value misses its target
    rated = [row for row in rows if row.assessment is not None and not row.assessment.blank]
    out = []
    for row, below_target, before in zip(rated, _below_targets(rated), _previous_period_rags(rated, options,
                                                                                             columns)):
        quartile = _quartile(output(row, "quartile"))
        code = _code(row)
        out.append(IndicatorStatus(
            indicator=_name(table, row), code=code, topic=str(row.fields.get("topic") or "").strip(),
            rag=status_of_word(output(row, "rag"), _rule_of(options), row_rule(row.fields.get("rag_rule"),
                                                                                _rule_of(options))) or "",
            shown_rag=str(output(row, "rag") or ""), direction=str(output(row, "direction") or ""),
            rag_reason=str(output(row, "rag_reason") or ""), quartile=quartile.number if quartile else None,
            rank=str(output(row, "rank") or ""), comment=str(row.fields.get("comment") or "").strip(),
            below_target=below_target,
            previous_rag=(previous or {}).get(code, ""), period_rag=before,
            significance=str(output(row, "significance") or ""),
            benchmark_value=_shown(table, row, "benchmark_value"),
            benchmark_period=str(output(row, "benchmark_period") or ""),
        ))
    return out


def _shown(table: KpiTable, row: _Row, name: str) -> str:
    """An output cell's number as the sheet shows it (85.7% for 0.857 in a % format); "" when empty."""
    column = table.outputs.get(name)
    if column is None:
        return ""
    try:
        value = parse_value(table.cells.value(row.index, column), table.cells.number_format(row.index, column))
    except ValueReadError:
        return str(table.cells.value(row.index, column)).strip()
    return value.display() if value.number is not None else ""


def _previous_period_rags(rows: Sequence[_Row], options: RateOptions,
                          columns: _FieldColumns | None = None) -> list[str]:
    """Each rated row's RAG at its comparable previous period, where the row alone says it: its
    previous value rated against its target as if it were the latest. "" where it does not (rated
    by quartile or trend, which need that period's benchmark or the period before; no previous
    value). An override is the officer's word on the latest period only, so it is left out.

    The rows are shifted column by column (each previous cell read as the latest) and only the
    RAG and rule columns read back: no row copied, no whole assessment built for a word.
    ``columns``: the rows' fields as columns when the rating already made them (see _assess)."""
    if columns is None or not columns.are_of(rows):
        columns = _FieldColumns.of(rows)
    size = len(rows)
    cells = {name: [None] * size if name in _CLEARED else _column(columns.cells, _SHIFTED.get(name, name), size)
             for name in set(columns.cells) | set(_SHIFTED) | set(_CLEARED)}
    shown_names = {name for name in columns.shown if not name.startswith(("latest_", "previous_"))}
    shown_names |= {latest for latest, previous in _SHIFTED.items()
                    if previous in columns.shown and latest != "latest_period"}
    shown = {name: _column(columns.shown, _SHIFTED.get(name, name), size) for name in shown_names}
    # The rows the engine rates: those with a previous value and an assessment (the others say ""),
    # not blank once shifted (as _is_blank sees them). Rows are rated one by one, so leaving some out
    # changes none of the others.
    kept = [i for i, row in enumerate(rows)
            if row.assessment is not None and row.fields.get("previous_value") not in (None, "")
            and not all(cells[n][i] in (None, "") for n in ("indicator", "code", "latest_value", "target"))]
    out = [""] * len(rows)
    if not kept:
        return out
    if len(kept) == len(rows):
        shifted, shown_columns = cells, shown
    else:
        shifted = {name: [column[i] for i in kept] for name, column in cells.items()}
        shown_columns = {name: [column[i] for i in kept] for name, column in shown.items()}
    ratings = rate_rows(shifted, shown_columns, options, size=len(kept))
    for i, blank, rule, rag in zip(kept, ratings.blank.tolist(), ratings.rule.tolist(), ratings.rag.tolist()):
        if not blank and rule == "target":
            out[i] = rag
    return out


def _column(columns: Mapping[str, list[object]], name: str, size: int) -> list[object]:
    """A field's column; a field no row has is empty on every row."""
    found = columns.get(name)
    return [None] * size if found is None else found


@dataclass(frozen=True)
class _FieldColumns:
    """Rows' fields and number formats as columns, a row each: what the rating engine reads."""

    rows: tuple[_Row, ...]
    cells: dict[str, list[object]]
    shown: dict[str, list[object]]

    @classmethod
    def of(cls, rows: Sequence[_Row]) -> "_FieldColumns":
        # A column per field through C-level maps: 10,000 rows of ~30 fields each.
        fields, formats = [row.fields for row in rows], [row.formats for row in rows]
        cells = {name: list(map(dict.get, fields, repeat(name))) for name in set().union(*fields)}
        shown = {name: list(map(dict.get, formats, repeat(name))) for name in set().union(*formats)}
        return cls(tuple(rows), cells, shown)

    def are_of(self, rows: Sequence[_Row]) -> bool:
        """Whether these are the columns of ``rows`` (the same rows, in order)."""
        return len(rows) == len(self.rows) and all(a is b for a, b in zip(rows, self.rows))


# A previous period rated as the latest: each latest_ field read from its previous_ field, and
# what only the latest has (the officer's override) or the shifted row lacks (its own previous) empty.
_SHIFTED = {"latest_value": "previous_value", "latest_period": "previous_period",
            "latest_numerator": "previous_numerator", "latest_denominator": "previous_denominator"}
_CLEARED = ("rag_override", "previous_value", "previous_period", "previous_numerator", "previous_denominator")


def _quartile(raw: object) -> Quartile | None:
    """The sheet's quartile, or None when empty or not a quartile (the Checks column names that)."""
    if raw in (None, ""):
        return None
    try:
        return parse_quartile(raw)
    except RagError:
        return None


def rate_options(settings: ReportSettings) -> RateOptions:
    """How the Settings sheet asks every row to be rated."""
    return RateOptions(settings.rag_rule, settings.amber_within, settings.same_within, settings.green_within,
                       confidence=settings.confidence, trend_needs_significance=settings.trend_needs_significance)


def _assess(rows: list[_Row], options: RateOptions) -> _FieldColumns | None:
    """Every KPI row through the rating engine at once (blank rows are not rated). Returns the
    rated rows' fields as columns (None when there are none): the rows' fields are not changed
    after this, and rating their previous periods reads the same columns."""
    rated = [row for row in rows if not _is_blank(row)]
    if not rated:
        return None
    columns = _FieldColumns.of(rated)
    ratings = rate_rows(columns.cells, columns.shown, options, size=len(rated))
    for row, assessment in zip(rated, ratings.assessments()):
        row.assessment = assessment
    return columns if all(row.assessment is not None and not row.assessment.blank for row in rated) else None


def _read_rows(table: KpiTable) -> list[_Row]:
    """The KPI rows' input fields (texts stripped) and number formats."""
    names, columns = tuple(table.inputs), tuple(table.inputs.values())
    # A row as wide as its inputs' last column (most) has its cells taken in one C-level gather.
    take = itemgetter(*columns) if len(columns) > 1 else None
    reach = max(columns, default=-1) + 1  # how wide a row must be for that
    return [_read_row(table, index, names, columns, take, reach) for index in table.body]


def _read_row(table: KpiTable, index: int, names: tuple[str, ...], columns: tuple[int, ...],
              take: Callable[[Sequence[object]], tuple[object, ...]] | None, reach: int) -> _Row:
    # The row's lists once, not a bounds-checked lookup per cell: this runs for every cell of every KPI row.
    cells = table.cells
    values = cells.values[index] if index < len(cells.values) else ()
    shown = cells.formats[index] if cells.formats is not None and index < len(cells.formats) else ()
    width, shown_width = len(values), len(shown)
    found = take(values) if take is not None and width >= reach else \
        tuple(values[column] if column < width else None for column in columns)
    fields: dict[str, object] = {name: value.strip() if isinstance(value, str) else value
                                 for name, value in zip(names, found)}
    formats: dict[str, str | None] = {}
    if shown_width:
        looks = take(shown) if take is not None and shown_width >= reach else \
            tuple(shown[column] if column < shown_width else None for column in columns)
        formats = {name: look for name, look in zip(names, looks) if look}
    row = _Row(index, fields, formats)
    if _unit_percent(row):
        # Excel stores 77.6% as 0.776; where the reader cannot see the format
        # (Excel on the web) the Unit column says it is a percentage.
        for name in ("previous_value", "latest_value", "target", "england"):
            if isinstance(fields.get(name), (int, float)) and not isinstance(fields.get(name), bool):
                if name not in formats or "%" not in str(formats[name]):
                    formats[name] = PERCENT_UNKNOWN_PRECISION
    return row


def _name_duplicate_codes(table: KpiTable, rows: list[_Row]) -> None:
    """Two KPI rows with one code would be rated from the same data: say so on both."""
    codes = [None if _is_blank(row) else row.fields.get("code") for row in rows]
    where = [f"row {table.sheet_row(row.index)}" for row in rows]
    for index, message in duplicate_codes(codes, where).items():
        rows[index].problems.append(Problem("code", message))


def _is_blank(row: _Row) -> bool:
    return all(row.fields.get(n) in (None, "") for n in ("indicator", "code", "latest_value", "target"))


def _by_code(frame: pd.DataFrame | None) -> dict[object, dict[str, object]] | None:
    """Records by code; a benchmark with ``kpi_period`` (one row per code and KPI
    latest period) is also keyed by (code, period key)."""
    if frame is None:
        return None
    found: dict[object, dict[str, object]] = {}
    for code, record in zip(frame.index.tolist(), _records(frame)):
        found.setdefault(str(code), record)
        if "kpi_period" in record:
            found[(str(code), str(record["kpi_period"]))] = record
    return found


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """``frame.to_dict("records")``. A frame of numbers and texts only (the chosen values) is
    read a column at a time: pandas' own reading cost more than the 10,000 rows' rating."""
    if not frame.columns.is_unique or not all(map(_read_as_listed, frame.dtypes.tolist())):
        return frame.to_dict("records")
    names = frame.columns.tolist()
    # tolist gives what to_dict does: Python numbers from a numeric column, a text column's own cells.
    return [dict(zip(names, row)) for row in zip(*(frame.iloc[:, k].tolist() for k in range(len(names))))]


def _read_as_listed(dtype: object) -> bool:
    """Whether to_dict gives a column's cells as its tolist does: numpy numbers, and texts whose
    missing cell is NaN (pandas' default text; one whose missing cell is pd.NA gives None)."""
    if isinstance(dtype, pd.StringDtype):
        na = dtype.na_value
        return isinstance(na, float) and na != na
    return isinstance(dtype, np.dtype) and dtype.kind in "biuf"


def period_key(period: object) -> str:
    """How a latest period is matched between a KPI row and its benchmark row."""
    return "" if absent(period) else str(period).strip()


def _apply_selection(row: _Row, selected: dict[str, dict[str, object]] | None,
                     problems: Mapping[str, Sequence[str]]) -> None:
    code = str(row.fields.get("code") or "").strip()
    for message in problems.get(code, ()):
        row.problems.append(Problem("source", message))
    if selected is None or not code or code not in selected:
        if code and selected is not None and row.fields.get("latest_value") in (None, ""):
            row.problems.append(Problem("source", f"no values for code '{code}' in the Data sheet or sources"))
        return
    choice = selected[code]
    unit_percent = _unit_percent(row)
    for period_name, value_name, counts in _CHOSEN_FIELDS:
        period, value = choice.get(period_name), choice.get(value_name)
        row.fields[period_name] = None if absent(period) else period
        row.formats.pop(value_name, None)
        if absent(value):
            value = None
        elif unit_percent and isinstance(value, (int, float)):
            value = f"{value:g}%"  # sources give percentages in points
        elif unit_percent and isinstance(value, str) and not value.strip().endswith("%") and _numeric(value):
            value = value.strip() + "%"
        row.fields[value_name] = value
        for name in counts:  # a source's counts win; typed ones stay otherwise
            count = choice.get(name)
            if not absent(count):
                row.fields[name] = float(count)  # type: ignore[arg-type]
                row.counted.add(name)
    source = "" if absent(choice.get("source")) else str(choice.get("source"))
    note = "" if absent(choice.get("note")) else str(choice.get("note"))
    row.source = source + (f" ({note})" if note else "")


# The fields a chosen value sets, previous then latest: its period, value and counts
# (named once here, not put together for each of 10,000 rows).
_CHOSEN_FIELDS = tuple((f"{when}_period", f"{when}_value", (f"{when}_numerator", f"{when}_denominator"))
                       for when in ("previous", "latest"))


def _unit_percent(row: _Row) -> bool:
    return str(row.fields.get("unit") or "").strip().lower() in ("%", "percent", "percentage", "per cent", "pct")


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _apply_benchmark(row: _Row, benchmark: dict[str, dict[str, object]] | None, settings: ReportSettings) -> None:
    if benchmark is None:
        return
    code = str(row.fields.get("benchmark_code") or row.fields.get("code") or "").strip()
    # The benchmark row for this row's own latest period, when two rows share a code.
    bench = benchmark.get((code, period_key(row.fields.get("latest_period")))) or benchmark.get(code)
    if not code or bench is None:
        if row.fields.get("benchmark_code"):
            row.problems.append(Problem("benchmark_code", f"'{code}' is not in the benchmark data"))
        return
    row.bench = bench
    # England's value from the benchmark is for the benchmark's period: "vs England" is
    # judged there (see _benchmark_versus), never against a typed value of another period.
    row.fields.pop("england", None)
    quartile = bench.get("quartile")
    if not absent(quartile):
        row.fields["quartile"] = int(quartile)
        row.fields["quartile_position"] = None if absent(bench.get("position")) else bench.get("position")
    else:
        _keep_typed_quartile(row, bench)
    _resolve_top_quartile_target(row, bench)
    if settings.derive_targets and row.fields.get("target") in (None, "") and not absent(bench.get("derived_target")):
        row.fields["target"] = str(bench.get("derived_target"))
        row.problems.append(Problem("target", f"no target set: aiming at the comparator group's top quartile "
                                              f"({bench.get('derived_target')})"))


def _hold_override_to_its_period(row: _Row) -> None:
    """An override is applied only for the period it was made for (see override_period)."""
    check = check_override(row.fields.get("rag_override"), row.fields.get("override_period"),
                           row.fields.get("latest_period"))
    if check.record is not None:
        row.override_period = Cell(check.record or None)
    if not check.apply and row.fields.get("rag_override") not in (None, ""):
        row.fields["rag_override"] = None
        row.problems.append(Problem("rag_override", check.problem))


def _bench_percent(row: _Row) -> bool:
    """Whether the row's benchmark figures are percentages: its latest value is one, or its Unit says so."""
    latest = row.assessment.latest if row.assessment is not None else None
    return bool(latest is not None and latest.percent) or _unit_percent(row)


def _say_what_was_ranked(row: _Row) -> None:
    """Quartile and Rank are the benchmark value's: when that is not the Latest Value
    shown (another period, or another figure), Checks says so, and a RAG rated by
    quartile names the figure it was rated on."""
    result, bench = row.assessment, row.bench
    if bench is None or result is None or result.blank or absent(bench.get("quartile")):
        return
    value = benchmarked_value(bench, _bench_percent(row))
    if value is None:
        return
    period = "" if absent(bench.get("period")) else str(bench["period"])
    on = position_note(value, period, result.latest, row.fields.get("latest_period"))
    if on is None:
        return
    rank, n_areas = bench.get("rank"), bench.get("n_areas")
    ranked = "" if absent(rank) or absent(n_areas) else f" (rank {int(rank)} of {int(n_areas)})"  # type: ignore[call-overload]
    row.problems.append(Problem("quartile", f"{int(bench['quartile'])}{ranked} {on}"))  # type: ignore[call-overload]
    if result.rule == "quartile":
        first, _, rest = result.rag_reason.partition("; ")
        row.assessment = replace(result, rag_reason=f"{first}, {on}" + (f"; {rest}" if rest else ""))


def _keep_typed_quartile(row: _Row, bench: dict[str, object]) -> None:
    """No benchmark value for the authority at the matching period: the Quartile
    already on the sheet (an officer's, or an earlier refresh's) stays, and the
    Checks say so."""
    period = "" if absent(bench.get("period")) else f" for {bench.get('period')}"
    if row.fields.get("quartile") not in (None, ""):
        row.problems.append(Problem("quartile", f"no benchmark quartile{period}: the Quartile on the sheet "
                                                f"({row.fields.get('quartile')}) is kept"))
        row.fields["quartile_position"] = None


def _resolve_top_quartile_target(row: _Row, bench: dict[str, object]) -> None:
    """A "Top quartile" target becomes the comparator group's threshold, named in
    the target text the reason quotes ("Top quartile (>74.3)")."""
    from kpi_excel.core.targets import TOP_QUARTILE, TargetError, parse_target

    text = row.fields.get("target")
    if not isinstance(text, str) or absent(bench.get("derived_target")):
        return
    try:
        target = parse_target(text)
    except TargetError:
        return  # the assessor names it
    if target is not None and target.op == TOP_QUARTILE:
        period = "" if absent(bench.get("period")) else f" {bench.get('period')}"
        row.fields["target"] = f"{text.strip()} ({bench.get('derived_target')})"
        row.problems.append(Problem("target", f"'{text.strip()}' is the comparator group's{period} top-quartile "
                                              f"threshold, {bench.get('derived_target')}"))


# Columns of issue 12's statistics: added only when some row has something to say.
_STATISTICS_FIELDS = ("ci95", "ci998", "significance", "vs_england", *COUNT_FIELDS)


def _writes(table: KpiTable, rows: list[_Row], level: float = 0.95) -> tuple[tuple[ColumnWrite, ...],
                                                                            tuple[ColumnSpec, ...]]:
    """One column write per computed column; missing columns are added after the last."""
    specs = KPI_OUTPUT_SPECS
    made: dict[tuple[object, ...], Cell] = {}  # one cell per distinct content, shared by the rows
    produced = [_row_outputs(table, row, level, made) for row in rows]
    cells = {field_name: list(map(dict.get, produced, repeat(field_name))) for field_name in KPI_OUTPUTS}
    writes = []
    add = []
    for field_name, header in KPI_OUTPUTS.items():
        column_cells = cells[field_name]
        if field_name in _STATISTICS_FIELDS and field_name in table.outputs:
            column_cells = _only_changes(table, rows, field_name, column_cells)
        if field_name in table.outputs:
            header_text = str(table.cells.value(table.header_index, table.outputs[field_name]))
        else:
            if all(c is None for c in column_cells):
                continue  # nothing to say: do not add the column
            if field_name in _STATISTICS_FIELDS and all(c is None or c.value is None for c in column_cells):
                continue
            if field_name == "ci998" and abs(level - 0.998) > 1e-9:
                continue  # asked for with Confidence level 99.8%
            header_text = header
            add.append(specs[header])
        writes.append(ColumnWrite(header_text, tuple(column_cells)))
    return tuple(writes), tuple(add)


def _only_changes(table: KpiTable, rows: list[_Row], field_name: str,
                  cells: list[Cell | None]) -> list[Cell | None]:
    """An empty answer over an empty cell writes nothing: most rows have no counts,
    and clearing thousands of empty cells would cost a refresh its speed."""
    column = table.outputs[field_name]
    values = table.cells.values
    out = []
    for row, cell in zip(rows, cells):
        if cell is not None and cell.value is None:
            held = values[row.index] if row.index < len(values) else ()
            if (held[column] if column < len(held) else None) in (None, ""):
                cell = None
        out.append(cell)
    return out


def _row_outputs(table: KpiTable, row: _Row, level: float,
                 made: dict[tuple[object, ...], Cell]) -> dict[str, Cell | None]:
    """The row's computed cells by field. ``made``: the cells made so far, by content; an equal
    cell is taken from there (a period, a Checks text, an empty cell repeat down 10,000 rows)."""
    result = row.assessment
    if result is None or result.blank:
        return {}
    out: dict[str, Cell | None] = _statistics_outputs(row, level)
    unit_percent = _unit_percent(row)
    if row.source:
        for (period_name, value_name, _), value in zip(_CHOSEN_FIELDS, (result.previous, result.latest)):
            period = row.fields.get(period_name)
            out[period_name] = Cell(period, "dd/mm/yyyy" if isinstance(period, (dt.date, dt.datetime)) else None)
            out[value_name] = _value_cell(value, unit_percent)
        out["source"] = Cell(row.source)
    percent = bool(result.latest and result.latest.percent)
    decimals = result.latest.decimals if result.latest and result.latest.ok else None
    if result.change is None:
        out["change"] = Cell(None)
    elif percent:
        out["change"] = Cell(result.change, _change_format(True, 1 if decimals is None else decimals))
    else:
        out["change"] = Cell(result.change, _change_format(False, decimals or 0))
    out["trend"] = Cell(result.trend)
    out["direction"] = Cell(result.direction)
    out["rag"] = Cell(result.rag)
    out["rag_reason"] = Cell(result.rag_reason)
    if row.bench is not None:
        bench = row.bench
        quartile = bench.get("quartile")
        if not absent(quartile):  # with no benchmark quartile the sheet's own stays (None: left alone)
            out["quartile"] = Cell(int(quartile))
            out["quartile_position"] = Cell(None if absent(bench.get("position")) else
                                            {"better": "Better half", "worse": "Worse half"}.get(str(bench["position"])))
        rank, n_areas = bench.get("rank"), bench.get("n_areas")
        out["rank"] = Cell(None if absent(rank) else f"{int(rank)} of {int(n_areas)}")
        dps = None if absent(bench.get("dps")) else int(bench["dps"])
        for name in ("sn_average", "england"):
            number = bench.get(name)
            out[name] = Cell(None) if absent(number) else _bench_cell(float(number), percent, dps)
        out["derived_target"] = Cell(None if absent(bench.get("derived_target")) else str(bench["derived_target"]))
        out["benchmark_period"] = Cell(None if absent(bench.get("period")) else str(bench["period"]))
        ranked = benchmarked_value(bench, _bench_percent(row))
        out["benchmark_value"] = Cell(None) if ranked is None else excel_cell(ranked)
    if row.override_period is not None:
        out["override_period"] = row.override_period
    checks = row.checks
    out["checks"] = Cell(checks or None)
    if row.history is not None:
        out["history"] = Cell(None)  # the cell a sparkline draws in
    _share(out, made)
    return out


def _share(cells: dict[str, Cell | None], made: dict[tuple[object, ...], Cell]) -> None:
    """Each of ``cells`` replaced by the equal one made before, if any (cells are never changed
    once made); in one loop, as a row's twenty cells are 200,000 down 10,000 rows. A zero is not
    shared, as 0.0 and -0.0 are one key but two cells; nor is NaN, which is no key."""
    keep = made.setdefault
    for name, cell in cells.items():
        if cell is None:
            continue
        value = cell.value
        if value.__class__ is float and (value == 0 or value != value):
            continue
        try:
            cells[name] = keep((value.__class__, value, cell.number_format, cell.style), cell)
        except TypeError:  # a value that cannot be a key
            pass


@lru_cache(maxsize=64)
def _change_format(percent: bool, places: int) -> str:
    """The Change column's format: signed, in the latest value's places (a percentage's in points)."""
    if percent:
        return f"+0.{'0' * places};-0.{'0' * places};0" if places else "+0;-0;0"
    fmt = "+#,##0" + ("." + "0" * places if places else "")
    return f"{fmt};-{fmt[1:]};0"


def _statistics_outputs(row: _Row, level: float) -> dict[str, Cell | None]:
    """95% CI, 99.8% CI (when chosen), Significance, vs England, and the counts a source gave."""
    out: dict[str, Cell | None] = {}
    statistics = row.assessment.statistics if row.assessment is not None else None
    for name in row.counted:  # counts that came with the values (typed ones are the officer's: left alone)
        count = float(row.fields[name])  # type: ignore[arg-type]
        out[name] = Cell(count, "#,##0" if count.is_integer() else "#,##0.0")
    if statistics is None:
        return out
    out["ci95"] = Cell(statistics.interval_text(0.95) or None)
    out["ci998"] = Cell(statistics.interval_text(0.998) or None)  # its column is added only at 99.8%
    out["significance"] = Cell(statistics.significance or None)
    versus = row.versus if row.bench is not None else statistics.vs_england
    out["vs_england"] = Cell(versus or None)
    return out


def _benchmark_versus(row: _Row, level: float) -> str:
    """vs England at the benchmark's period: from the benchmark's counts (ours and
    England's value there), or from our own interval when the periods are the same."""
    bench, result = row.bench, row.assessment
    if bench is None or result is None or result.blank:
        return ""
    england, value = _float(bench.get("england")), _float(bench.get("value"))
    if england is None or value is None:
        return ""
    polarity = result.polarity or _bench_polarity(bench.get("polarity"))
    kind = bench.get("count_kind")
    if isinstance(kind, str) and kind:
        measure: Measure | None = Measure(kind, float(bench.get("count_multiplier") or 1))  # type: ignore[arg-type]
    else:
        measure = result.statistics.measure if result.statistics is not None else None
    if measure is None or not measure.compared_with_england:
        return ""
    numerator, denominator = _float(bench.get("numerator")), _float(bench.get("denominator"))
    if numerator is None:
        statistics = result.statistics
        interval = statistics.interval(level) if statistics is not None else None
        if interval is None or not _same_period(bench.get("period"), row.fields.get("latest_period")):
            return ""
        return versus_word(float(compare_with(interval.low, interval.high, england)), polarity)
    dps = _float(bench.get("dps"))
    rounding = 0.5 * 10 ** -dps if dps is not None else 0.0
    return versus_from_counts(measure, value, numerator, math.nan if denominator is None else denominator, england,
                              polarity, level, rounding)


def _bench_polarity(text: object) -> Polarity:
    """LAIT's High / Low / - as a polarity."""
    return {"high": Polarity.HIGH, "low": Polarity.LOW}.get(str(text or "").strip().lower(), Polarity.NONE)


def _float(value: object) -> float | None:
    if absent(value):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _same_period(a: object, b: object) -> bool:
    if absent(a) or absent(b):
        return False
    try:
        return parse_period(str(a)) == parse_period(str(b))
    except PeriodError:
        return str(a).strip() == str(b).strip()


def _value_cell(value: Value | None, unit_percent: bool) -> Cell:
    """A chosen value for the sheet: a number Excel can chart, or the source's own
    text where it said more than a number (``<0.1%``, ``10 (provisional)``,
    ``£1.2m``), so nothing the source said is lost."""
    if value is None:
        return Cell(None)
    if value.text and value.number is not None:
        return Cell(value.text)
    return excel_cell(value, unit_percent)  # type: ignore[return-value]


def _bench_cell(number: float, percent: bool, dps: int | None) -> Cell:
    # LAIT holds percentages as points (25.5); a percentage row shows them as 25.5%.
    return excel_cell(Value(number, percent=percent, decimals=dps if dps is not None else 1))  # type: ignore[return-value]


def _input_headers(table: KpiTable) -> dict[str, str]:
    """Each input field's header as the sheet writes it, for naming the column a problem is in."""
    return {name: str(table.cells.value(table.header_index, col)) for name, col in table.inputs.items()}


def _checks_text(row: _Row, headers: Mapping[str, str]) -> str:
    problems = list(row.problems) + list(row.assessment.problems if row.assessment else ())
    if not problems:
        return ""
    return "; ".join(
        f"{headers.get(p.column, p.column.replace('_', ' ').capitalize())}: {p.message}" for p in problems
    )


def _changes(table: KpiTable, rows: list[_Row]) -> list[str]:
    column = table.outputs.get("rag")
    if column is None:
        return []
    changes = []
    for row in rows:
        if row.assessment is None or row.assessment.blank:
            continue
        before = table.cells.value(row.index, column)
        before = str(before).strip() if before not in (None, "") else ""
        if before and before != row.assessment.rag:
            name = str(row.fields.get("indicator") or row.fields.get("code") or f"row {table.sheet_row(row.index)}")
            changes.append(f"{short_text(name)}: {before} → {row.assessment.rag}")
    return changes


def _unit_label(row: _Row) -> str:
    """The value axis' title: what the numbers are ("Per cent (%)", "Rate per 10,000", "Score")."""
    if _unit_percent(row):
        return "Per cent (%)"
    measure = str(row.fields.get("measure_type") or "").strip()
    per = measure[len("rate per"):].strip() if measure.lower().startswith("rate per") else ""
    if per.isdigit():
        return f"Rate per {int(per):,}"
    unit = str(row.fields.get("unit") or "").strip()
    label = measure or (f"Rate {unit}" if unit.lower().startswith("per ") else unit) or "Value"
    return label[:1].upper() + label[1:]
