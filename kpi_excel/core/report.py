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
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import pandas as pd

from kpi_excel.core.assess import Assessment, RateOptions, assess_row
from kpi_excel.core.columns import column_letter, match_columns, normalise_header
from kpi_excel.core.plan import (
    Cell,
    Chart,
    ColumnSpec,
    ColumnWrite,
    KpiUpdate,
    LogEntry,
    Plan,
    Series,
    SheetSpec,
    Summary,
)
from kpi_excel.core.history import History, HistoryRow, describe_history, history_sheet
from kpi_excel.core.palette import QUARTILE_COLOURS, RAG_COLOURS
from kpi_excel.core.plan import FormatRule, Sparklines
from kpi_excel.core.rag import Quartile, RagError, parse_quartile, parse_rag_word
from kpi_excel.core.settings import ReportSettings, read_settings
from kpi_excel.core.summary import IndicatorStatus, missed_target, summarise, summary_sheet
from kpi_excel.core.template import (
    BENCHMARK_SHEET,
    HISTORY_SHEET,
    KPI_COLUMNS,
    KPI_OUTPUTS,
    KPI_SHEET,
    SUMMARY_SHEET,
    kpi_rules,
    log_sheet,
    rag_key_sheet,
)
from kpi_excel.core.values import PERCENT_UNKNOWN_PRECISION, Value, ValueReadError, format_number, parse_value
from kpi_excel.errors import InputError, Problem

__all__ = [
    "SheetCells",
    "WorkbookContent",
    "KpiTable",
    "find_kpi_table",
    "settings_from",
    "plan_refresh",
    "published_statuses",
    "excel_cell",
    "CHART_LIMIT",
]

# Per-indicator charts on the Benchmark sheet; the table lists every indicator.
CHART_LIMIT = 24


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
         "england")


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
            body = tuple(
                i for i in range(index + 1, len(cells.values))
                if any(v not in (None, "") for v in list(cells.values[i])[:width])
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
    history: History | None = None


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
    histories: Mapping[str, History] | None = None,
    previous_refresh: str | None = None,
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
    indicator_name, dps``). ``histories`` (by indicator code) fill the History
    sheet and the KPIs sparklines; ``previous_refresh`` is when the Log says
    the previous refresh was ("" when it has one of unknown time, None when
    none): the Summary sheet then says what changed since.
    """
    if content.kpis is None:
        raise InputError("the workbook has no KPIs sheet", sheet=KPI_SHEET)
    table = find_kpi_table(content.kpis)
    settings = settings or settings_from(content.settings)
    options = RateOptions(settings.rag_rule, settings.amber_within, settings.same_within)
    now = now or dt.datetime.now()

    rows = [_read_row(table, index) for index in table.body]
    # Row lookups in plain dicts: one pandas .loc per indicator would cost more than rating it.
    chosen = _by_code(selected)
    benchmarks = _by_code(benchmark)
    for row in rows:
        _apply_selection(row, chosen, selection_problems or {})
        _apply_benchmark(row, benchmarks, settings)
        if not _is_blank(row):
            row.assessment = assess_row(row.fields, row.formats, options)
            row.history = (histories or {}).get(_code(row))
        row.checks = _checks_text(table, row)

    writes, add_columns = _writes(table, rows)
    rated = [r for r in rows if r.assessment is not None and not r.assessment.blank]
    counts: dict[str, int] = {}
    for row in rated:
        counts[row.assessment.rag] = counts.get(row.assessment.rag, 0) + 1  # type: ignore[union-attr]
    changes = tuple(_changes(table, rows))
    problems = tuple(f"row {table.sheet_row(r.index)}: {r.checks}" for r in rows if r.checks)
    settings_problems = tuple(str(p) for p in settings.problems) + tuple(source_problems)
    summary = Summary(rated=len(rated), counts=counts, changes=changes, problems=settings_problems + problems,
                      sources=tuple(sources), benchmarked=sum(1 for r in rows if r.bench is not None))
    statuses = [_status(table, row) for row in rated]
    narrative = summarise(statuses, previous_refresh=previous_refresh)
    when = now.strftime("%Y-%m-%d %H:%M")
    rag_rules = tuple(FormatRule("RAG", "equals", w, c.fill, c.font, bold=True) for w, c in RAG_COLOURS.items())
    sheets = [rag_key_sheet(settings), summary_sheet(narrative, name=SUMMARY_SHEET, when=when, rules=rag_rules)]
    if benchmark is not None:
        sheets.append(_benchmark_sheet(rows, settings, table))
    sparklines = None
    with_history = [(r, s) for r, s in zip(rated, statuses) if r.history is not None]
    if with_history:
        history_spec, refs = history_sheet([_history_row(r, s) for r, s in with_history], name=HISTORY_SHEET,
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
        rules=kpi_rules(),
        dropdowns=tuple(spec for spec in KPI_COLUMNS if spec.choices),
        table=content.kpis.table,
        sparklines=sparklines,
    )
    log = LogEntry((
        when, user, door, "; ".join(sources) or "Data sheet", len(rated),
        counts.get("Green", 0), counts.get("Amber", 0), counts.get("Red", 0), counts.get("N/A", 0),
        "; ".join(changes)[:2000] or None, len(summary.problems), version,
    ))
    placed = tuple(name for name in (SUMMARY_SHEET, BENCHMARK_SHEET, HISTORY_SHEET) if any(s.name == name for s in sheets))
    return Plan(kpis=kpi_update, sheets=tuple(sheets), log_sheet=log_sheet(), log=log, summary=summary,
                after_kpis=placed)


def _code(row: _Row) -> str:
    code = row.fields.get("code")
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return "" if code is None else str(code).strip()


def _status(table: KpiTable, row: _Row) -> IndicatorStatus:
    """A rated row as the summary reads it; the previous RAG is what the sheet held before."""
    result = row.assessment
    assert result is not None
    before = ""
    if "rag" in table.outputs:
        before = parse_rag_word(table.cells.value(row.index, table.outputs["rag"])) or ""
    quartile = None
    if row.bench is not None and not _missing(row.bench.get("quartile")):
        quartile = int(row.bench["quartile"])  # type: ignore[call-overload]
    elif result.quartile is not None:
        quartile = result.quartile.number
    rank = ""
    if row.bench is not None and not _missing(row.bench.get("rank")) and not _missing(row.bench.get("n_areas")):
        rank = f"{int(row.bench['rank'])} of {int(row.bench['n_areas'])}"  # type: ignore[call-overload]
    return IndicatorStatus(
        indicator=_name(table, row), code=_code(row), topic=str(row.fields.get("topic") or "").strip(),
        rag=result.rag, direction=result.direction, rag_reason=result.rag_reason, quartile=quartile, rank=rank,
        comment=str(row.fields.get("comment") or "").strip(),
        below_target=missed_target(result.latest, result.target, result.polarity), previous_rag=before,
    )


def _name(table: KpiTable, row: _Row) -> str:
    return str(row.fields.get("indicator") or row.fields.get("code") or f"row {table.sheet_row(row.index)}").strip()


def _history_row(row: _Row, status: IndicatorStatus) -> HistoryRow:
    """The History sheet's line for a row: values as Excel holds them, target line, alt text."""
    history = row.history
    result = row.assessment
    assert history is not None and result is not None
    percent = history.percent or _unit_percent(row)
    cells = tuple(_point_cell(p.value, p.shown, percent) for p in history.points)
    target = result.target
    target_text = target.display() if target is not None else ""
    line = None
    if target is not None and target.op != "band":
        places = target.decimals
        line = excel_cell(Value(target.value, percent=percent, decimals=places), percent)
        if line is not None and line.value is None:
            line = None
    frequency = result.frequency.value if result.frequency else ""
    return HistoryRow(status.indicator, status.code, frequency, target_text, status.rag, status.previous_rag,
                      tuple(p.period for p in history.points), cells, line,
                      describe_history(status.indicator, replace(history, percent=percent), target_text))


def _point_cell(number: float | None, shown: str, percent: bool) -> Cell:
    if number is None:
        return Cell(None)
    value = Value(number, percent=percent)
    if shown:
        try:
            parsed = parse_value(shown)
        except ValueReadError:
            parsed = None
        if parsed is not None and parsed.number is not None:
            value = Value(number, percent=percent or parsed.percent, decimals=parsed.decimals)
    return excel_cell(value, percent) or Cell(None)


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
    options = RateOptions(settings.rag_rule, settings.amber_within, settings.same_within)

    def output(row: _Row, name: str) -> object:
        column = table.outputs.get(name)
        value = table.cells.value(row.index, column) if column is not None else None
        return value.strip() if isinstance(value, str) else value

    out = []
    for index in table.body:
        row = _read_row(table, index)
        if _is_blank(row):
            continue
        result = assess_row(row.fields, row.formats, options)
        if result.blank:
            continue
        quartile = _quartile(output(row, "quartile"))
        code = _code(row)
        out.append(IndicatorStatus(
            indicator=_name(table, row), code=code, topic=str(row.fields.get("topic") or "").strip(),
            rag=parse_rag_word(output(row, "rag")) or "", direction=str(output(row, "direction") or ""),
            rag_reason=str(output(row, "rag_reason") or ""), quartile=quartile.number if quartile else None,
            rank=str(output(row, "rank") or ""), comment=str(row.fields.get("comment") or "").strip(),
            below_target=missed_target(result.latest, result.target, result.polarity),
            previous_rag=(previous or {}).get(code, ""),
        ))
    return out


def _quartile(raw: object) -> Quartile | None:
    """The sheet's quartile, or None when empty or not a quartile (the Checks column names that)."""
    if raw in (None, ""):
        return None
    try:
        return parse_quartile(raw)
    except RagError:
        return None


def _read_row(table: KpiTable, index: int) -> _Row:
    fields: dict[str, object] = {}
    formats: dict[str, str | None] = {}
    for name, column in table.inputs.items():
        value = table.cells.value(index, column)
        fields[name] = value.strip() if isinstance(value, str) else value
        number_format = table.cells.number_format(index, column)
        if number_format:
            formats[name] = number_format
    row = _Row(index, fields, formats)
    if _unit_percent(row):
        # Excel stores 77.6% as 0.776; where the reader cannot see the format
        # (Excel on the web) the Unit column says it is a percentage.
        for name in ("previous_value", "latest_value", "target"):
            if isinstance(fields.get(name), (int, float)) and not isinstance(fields.get(name), bool):
                if name not in formats or "%" not in str(formats[name]):
                    formats[name] = PERCENT_UNKNOWN_PRECISION
    return row


def _is_blank(row: _Row) -> bool:
    return all(row.fields.get(n) in (None, "") for n in ("indicator", "code", "latest_value", "target"))


def _by_code(frame: pd.DataFrame | None) -> dict[str, dict[str, object]] | None:
    if frame is None:
        return None
    return {str(code): record for code, record in zip(frame.index, frame.to_dict("records"))}


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
    for when in ("previous", "latest"):
        period, value = choice.get(f"{when}_period"), choice.get(f"{when}_value")
        row.fields[f"{when}_period"] = None if _missing(period) else period
        row.formats.pop(f"{when}_value", None)
        if _missing(value):
            value = None
        elif unit_percent and isinstance(value, (int, float)):
            value = f"{value:g}%"  # sources give percentages in points
        elif unit_percent and isinstance(value, str) and not value.strip().endswith("%") and _numeric(value):
            value = value.strip() + "%"
        row.fields[f"{when}_value"] = value
    source = "" if _missing(choice.get("source")) else str(choice.get("source"))
    note = "" if _missing(choice.get("note")) else str(choice.get("note"))
    row.source = source + (f" ({note})" if note else "")


def _unit_percent(row: _Row) -> bool:
    return str(row.fields.get("unit") or "").strip().lower() in ("%", "percent", "percentage", "per cent", "pct")


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value == ""


def _apply_benchmark(row: _Row, benchmark: dict[str, dict[str, object]] | None, settings: ReportSettings) -> None:
    if benchmark is None:
        return
    code = str(row.fields.get("benchmark_code") or row.fields.get("code") or "").strip()
    if not code or code not in benchmark:
        if row.fields.get("benchmark_code"):
            row.problems.append(Problem("benchmark_code", f"'{code}' is not in the benchmark data"))
        return
    bench = benchmark[code]
    row.bench = bench
    quartile = bench.get("quartile")
    if not _missing(quartile):
        row.fields["quartile"] = int(quartile)
        row.fields["quartile_position"] = None if _missing(bench.get("position")) else bench.get("position")
    else:
        row.fields["quartile"] = None
    if settings.derive_targets and row.fields.get("target") in (None, "") and not _missing(bench.get("derived_target")):
        row.fields["target"] = str(bench.get("derived_target"))
        row.problems.append(Problem("target", f"no target set: aiming at the comparator group's top quartile "
                                              f"({bench.get('derived_target')})"))


def _writes(table: KpiTable, rows: list[_Row]) -> tuple[tuple[ColumnWrite, ...], tuple[ColumnSpec, ...]]:
    """One column write per computed column; missing columns are added after the last."""
    specs = {spec.header: spec for spec in KPI_COLUMNS}
    cells: dict[str, list[Cell | None]] = {field_name: [] for field_name in KPI_OUTPUTS}
    for row in rows:
        produced = _row_outputs(table, row)
        for field_name in KPI_OUTPUTS:
            cells[field_name].append(produced.get(field_name))
    writes = []
    add = []
    for field_name, header in KPI_OUTPUTS.items():
        column_cells = cells[field_name]
        if field_name in table.outputs:
            header_text = str(table.cells.value(table.header_index, table.outputs[field_name]))
        else:
            if all(c is None for c in column_cells):
                continue  # nothing to say: do not add the column
            header_text = header
            add.append(specs[header])
        writes.append(ColumnWrite(header_text, tuple(column_cells)))
    return tuple(writes), tuple(add)


def _row_outputs(table: KpiTable, row: _Row) -> dict[str, Cell | None]:
    result = row.assessment
    if result is None or result.blank:
        return {}
    out: dict[str, Cell | None] = {}
    unit_percent = _unit_percent(row)
    if row.source:
        for when in ("previous", "latest"):
            period = row.fields.get(f"{when}_period")
            out[f"{when}_period"] = Cell(period if not isinstance(period, (dt.date, dt.datetime)) else period,
                                        "dd/mm/yyyy" if isinstance(period, (dt.date, dt.datetime)) else None)
            value = result.latest if when == "latest" else result.previous
            out[f"{when}_value"] = excel_cell(value, unit_percent) if value is not None else Cell(None)
        out["source"] = Cell(row.source)
    percent = bool(result.latest and result.latest.percent)
    decimals = result.latest.decimals if result.latest and result.latest.ok else None
    if result.change is None:
        out["change"] = Cell(None)
    elif percent:
        places = 1 if decimals is None else decimals
        out["change"] = Cell(result.change, f"+0.{'0' * places};-0.{'0' * places};0" if places else "+0;-0;0")
    else:
        places = decimals or 0
        fmt = "+#,##0" + ("." + "0" * places if places else "")
        out["change"] = Cell(result.change, f"{fmt};-{fmt[1:]};0")
    out["trend"] = Cell(result.trend)
    out["direction"] = Cell(result.direction)
    out["rag"] = Cell(result.rag)
    out["rag_reason"] = Cell(result.rag_reason)
    if row.bench is not None:
        bench = row.bench
        quartile = bench.get("quartile")
        out["quartile"] = Cell(None if _missing(quartile) else int(quartile))
        out["quartile_position"] = Cell(None if _missing(bench.get("position")) else
                                        {"better": "Better half", "worse": "Worse half"}.get(str(bench["position"])))
        rank, n_areas = bench.get("rank"), bench.get("n_areas")
        out["rank"] = Cell(None if _missing(rank) else f"{int(rank)} of {int(n_areas)}")
        dps = None if _missing(bench.get("dps")) else int(bench["dps"])
        for name in ("sn_average", "england"):
            number = bench.get(name)
            out[name] = Cell(None) if _missing(number) else _bench_cell(float(number), percent, dps)
        out["derived_target"] = Cell(None if _missing(bench.get("derived_target")) else str(bench["derived_target"]))
        out["benchmark_period"] = Cell(None if _missing(bench.get("period")) else str(bench["period"]))
    checks = row.checks
    out["checks"] = Cell(checks or None)
    if row.history is not None:
        out["history"] = Cell(None)  # the cell a sparkline draws in
    return out


def _bench_cell(number: float, percent: bool, dps: int | None) -> Cell:
    # LAIT holds percentages as points (25.5); a percentage row shows them as 25.5%.
    return excel_cell(Value(number, percent=percent, decimals=dps if dps is not None else 1))  # type: ignore[return-value]


def _checks_text(table: KpiTable, row: _Row) -> str:
    problems = list(row.problems) + list(row.assessment.problems if row.assessment else ())
    header = {name: str(table.cells.value(table.header_index, col)) for name, col in table.inputs.items()}
    return "; ".join(
        f"{header.get(p.column, p.column.replace('_', ' ').capitalize())}: {p.message}" for p in problems
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
            changes.append(f"{_short(name)}: {before} → {row.assessment.rag}")
    return changes


def _short(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# --- the Benchmark sheet -----------------------------------------------------------------

_BENCH_COLUMNS = (
    ColumnSpec("Indicator", 46, wrap=True), ColumnSpec("Code", 14), ColumnSpec("Period", 11),
    ColumnSpec("Value", 10), ColumnSpec("Stat neighbours", 11), ColumnSpec("England", 10),
    ColumnSpec("Lower quartile", 10), ColumnSpec("Median", 10), ColumnSpec("Upper quartile", 10),
    ColumnSpec("Quartile", 9), ColumnSpec("Rank", 9), ColumnSpec("Of", 6),
    ColumnSpec("Percentile (100 = best)", 12, "0"), ColumnSpec("Top quartile target", 12),
    ColumnSpec("Polarity", 10),
)
_VALUE_COLUMNS = ("Value", "Stat neighbours", "England", "Lower quartile", "Median", "Upper quartile")


def _col(index: int) -> str:
    """Letters of a 0-based column position of a sheet we lay out."""
    return column_letter(index + 1)


def _benchmark_sheet(rows: list[_Row], settings: ReportSettings, table: KpiTable) -> SheetSpec:
    authority = settings.authority or "Your authority"
    comparator = settings.comparator if not settings.comparator_members else \
        f"{len(settings.comparator_members)} comparator authorities"
    body: list[tuple[object, ...]] = []
    numbers: list[tuple[float | None, ...]] = []
    names: list[str] = []
    for row in rows:
        bench = row.bench
        if bench is None:
            continue
        polarity = str(bench.get("polarity") or "")
        dps = None if _missing(bench.get("dps")) else int(bench["dps"])
        values = tuple(None if _missing(bench.get(k)) else float(bench[k])
                       for k in ("value", "sn_average", "england", "q25", "q50", "q75"))
        rank, n_areas = bench.get("rank"), bench.get("n_areas")
        percentile = None
        if not _missing(rank) and not _missing(n_areas) and int(n_areas) > 1:
            percentile = round(100 * (int(n_areas) - int(rank)) / (int(n_areas) - 1))
        number_format = "#,##0" + ("." + "0" * dps if dps else "") if dps is not None else "General"
        name = str(row.fields.get("indicator") or bench.get("indicator_name") or "")
        names.append(name)
        numbers.append(values)
        body.append((
            name, str(row.fields.get("benchmark_code") or row.fields.get("code") or ""),
            None if _missing(bench.get("period")) else str(bench["period"]),
            *[Cell(v, number_format) for v in values],
            None if _missing(bench.get("quartile")) else int(bench["quartile"]),
            None if _missing(rank) else int(rank), None if _missing(n_areas) else int(n_areas),
            percentile,
            None if _missing(bench.get("derived_target")) else str(bench["derived_target"]),
            {"High": "High = Good", "Low": "Low = Good"}.get(polarity, polarity or None),
        ))
    title = (
        Cell(f"Benchmark: {authority} against {comparator}", style="title"),
        Cell("Quartile 1 = best. Lower/upper quartile are the 25th/75th percentiles of the comparator group's "
             "latest values. Percentile: 100 = best in the group. Charts show the first "
             f"{min(CHART_LIMIT, len(body))} indicators; the table lists all {len(body)}.", style="note"),
    )
    spec = SheetSpec(BENCHMARK_SHEET, _BENCH_COLUMNS, tuple(body), title=title, table="Benchmark",
                     tab_colour="2E75B6",
                     rules=tuple(FormatRule("Quartile", "equals", str(q), s.fill, s.font)
                                 for q, s in QUARTILE_COLOURS.items()))
    charts = _benchmark_charts(spec, names, numbers, authority)
    return replace(spec, charts=charts)


def _benchmark_charts(spec: SheetSpec, names: list[str], numbers: list[tuple[float | None, ...]],
                      authority: str) -> tuple[Chart, ...]:
    if not spec.rows:
        return ()
    headers = [c.header for c in spec.columns]
    sheet = "'" + spec.name.replace("'", "''") + "'"
    first_value = headers.index("Value")
    last_value = headers.index("Upper quartile")
    header_row = spec.header_row
    chart_left = _col(len(headers) + 1)
    charts = []
    percentile_col = headers.index("Percentile (100 = best)")
    shown = min(len(spec.rows), 60)
    percentiles = tuple(r[percentile_col] if isinstance(r[percentile_col], (int, float)) else None
                        for r in spec.rows[:shown])
    charts.append(Chart(
        kind="bar",
        title=f"Where {authority} stands (percentile, 100 = best)",
        alt_text=(f"Bar chart of {authority}'s percentile among comparators for {shown} indicators. "
                  + "; ".join(f"{_short(n, 40)}: {p if p is not None else 'no data'}"
                              for n, p in zip(names[:shown], percentiles))),
        categories_ref=f"{sheet}!$A${spec.first_body_row}:$A${spec.first_body_row + shown - 1}",
        categories=tuple(_short(n, 40) for n in names[:shown]),
        series=(Series("Percentile (100 = best)",
                       f"{sheet}!${_col(percentile_col)}${spec.first_body_row}:${_col(percentile_col)}$"
                       f"{spec.first_body_row + shown - 1}", percentiles),),
        anchor=f"{chart_left}{header_row}",
        width=12, height=max(12, shown // 2 + 4), value_axis_title="Percentile (100 = best)",
    ))
    categories = tuple(headers[first_value:last_value + 1])
    categories_ref = f"{sheet}!${_col(first_value)}${header_row}:${_col(last_value)}${header_row}"
    top = header_row + max(12, shown // 2 + 4) + 2
    for index, (name, values) in enumerate(zip(names[:CHART_LIMIT], numbers[:CHART_LIMIT])):
        row = spec.first_body_row + index
        described = ", ".join(f"{c.lower()} {format_number(v, None) if v is not None else 'no data'}"
                              for c, v in zip(categories, values))
        charts.append(Chart(
            kind="column",
            title=_short(name, 70),
            alt_text=f"Column chart for {name}: {authority} {described}.",
            categories_ref=categories_ref,
            categories=categories,
            series=(Series(_short(name, 40), f"{sheet}!${_col(first_value)}${row}:${_col(last_value)}${row}",
                           values),),
            anchor=f"{_col(len(headers) + 1 + (index % 2) * 9)}{top + (index // 2) * 16}",
            width=8, height=15,
        ))
    return tuple(charts)
