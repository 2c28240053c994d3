"""What a committee paper says, read from a refreshed report workbook.

Nothing is re-rated: RAG, direction, reasons and benchmark positions are the
KPIs sheet's own (an officer's hand edit counts, as it would in print). The
history is the KPI history sheet the refresh wrote (the same values as the
sparklines), or, for a workbook refreshed before that sheet existed, the Data
sheet read the refresh's way. The Log says when and from what the report was
refreshed; the summary sentences come from :mod:`kpi_excel.core.summary`, the
same as the Summary sheet's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from kpi_excel.core.history import HISTORY_TITLE, History, HistoryPoint, describe_history
from kpi_excel.core.periods import PeriodError, parse_frequency
from kpi_excel.core.report import KpiTable, find_kpi_table, published_statuses, settings_from
from kpi_excel.core.summary import IndicatorStatus, ReportSummary, exception_reason, summarise
from kpi_excel.core.targets import MAINTAIN, TargetError, parse_target
from kpi_excel.core.template import BENCHMARK_SHEET, HISTORY_SHEET, LOG_COLUMNS, LOG_SHEET
from kpi_excel.core.values import ValueReadError, format_number, parse_value
from kpi_excel.errors import InputError, officer_errors
from kpi_excel.workbook.file_door import last_refresh, read_inputs
from kpi_excel.ooxml import SheetValues, XlsxPackage

__all__ = ["PaperOptions", "PaperIndicator", "PaperContent", "read_paper", "parse_only", "ONLY_WORDS", "cell_text",
           "PAPER_COLUMNS"]

# --only words: a RAG, a direction, or the exceptions rule. Several words: any of them.
ONLY_WORDS = ("red", "amber", "green", "na", "improving", "declining", "unchanged", "exceptions")

# The published table's columns (the KPIs sheet's Topic ... Comment), by the field
# the refresh reads them as. Topic heads each group of rows; Theme, Code and
# Frequency are left out to fit a landscape page; each period sits with its value.
PAPER_COLUMNS = (
    ("indicator", "Indicator"), ("polarity", "Polarity"), ("previous", "Previous"), ("latest", "Latest"),
    ("change", "Change"), ("trend", "Trend"), ("direction", "Direction"), ("target", "Target"), ("rag", "RAG"),
    ("rag_reason", "RAG Reason"), ("quartile", "Quartile"), ("sn_average", "Stat Neighbour Avg"),
    ("comment", "Comment"),
)


@dataclass(frozen=True)
class PaperOptions:
    """What to put in the paper: ``topic`` (one topic), ``only`` (words of :data:`ONLY_WORDS`), a title."""

    topic: str | None = None
    only: tuple[str, ...] = ()
    title: str | None = None


@dataclass(frozen=True)
class PaperIndicator:
    """One indicator: how the table shows it, its history and benchmark, and its chart's alt text."""

    status: IndicatorStatus
    cells: dict[str, str]  # PAPER_COLUMNS field -> text as published
    history: History | None = None
    target: str = ""
    target_value: float | None = None  # in the history's units (77.6 for 77.6%)
    england: float | None = None
    band: tuple[float, float] | None = None  # the comparators' lower and upper quartile
    benchmark_period: str = ""
    alt_text: str = ""
    benchmark_value: float | None = None  # the figure Quartile and Rank were worked out on, in the history's units


@dataclass(frozen=True)
class PaperContent:
    """Everything the document writer needs, already in words and numbers."""

    title: str
    workbook: str
    authority: str
    refreshed: str  # the Log's last refresh ("" never refreshed)
    sources: str
    version: str
    as_of: str  # the latest periods reported, with how many indicators each
    made: str  # when the paper was made
    headers: dict[str, str]  # PAPER_COLUMNS field -> the sheet's header text
    indicators: tuple[PaperIndicator, ...]
    summary: ReportSummary
    selection: str = ""  # what --topic / --only kept, in words
    notes: tuple[str, ...] = field(default=())


@officer_errors()
def read_paper(path: Path, options: PaperOptions = PaperOptions(), *, now: dt.datetime | None = None) -> PaperContent:
    """Read a refreshed report workbook into a :class:`PaperContent`."""
    package = XlsxPackage.open(path)
    inputs = read_inputs(package, path.parent)
    content = inputs.content
    if content.kpis is None:
        raise InputError("the workbook has no KPIs sheet: is it a kpi_excel report?", source=str(path))
    table = find_kpi_table(content.kpis)
    settings = settings_from(content.settings)
    history_rows = _history_sheet(package)
    previous = {code: rag for code, (_, _, rag) in history_rows.items() if rag}
    statuses = published_statuses(content, previous, settings)
    by_row = _rows_by_code(table)
    histories = {code: h for code, (h, _, _) in history_rows.items()}
    notes: list[str] = []
    if not history_rows:
        histories = _data_histories(inputs, settings)
        if histories:
            notes.append("History from the Data sheet: the workbook has no KPI history sheet (refresh it to add one).")
    benchmark = _benchmark_rows(package)
    indicators = []
    for status in statuses:
        row = by_row.get(status.code) if status.code else None
        cells = _cells(table, row) if row is not None else {"indicator": status.indicator}
        indicators.append(_indicator(status, cells, table, row, histories.get(status.code), benchmark))
    chosen, selection = _select(indicators, options)
    log = _log(package)
    # The Log's last entry is the refresh that made this state; the one before it is "the previous refresh".
    previous_refresh = last_refresh(package, back=2)
    summary = summarise([i.status for i in chosen], previous_refresh=previous_refresh)
    periods: dict[str, int] = {}
    for item in chosen:
        if item.cells.get("latest_period"):
            periods[item.cells["latest_period"]] = periods.get(item.cells["latest_period"], 0) + 1
    ranked = sorted(periods.items(), key=lambda kv: (-kv[1], kv[0]))
    latest = "; ".join(f"{p} ({n} indicator{'s' if n != 1 else ''})" for p, n in ranked[:3])
    if len(ranked) > 3:
        latest += f"; {len(ranked) - 3} other period{'s' if len(ranked) > 4 else ''}"
    made = (now or dt.datetime.now()).strftime("%d %B %Y")
    authority = settings.authority
    title = options.title or f"{authority + ' ' if authority else ''}KPI performance report".strip()
    return PaperContent(
        title=title, workbook=path.name, authority=authority, refreshed=log.get("When", ""),
        sources=log.get("Sources", ""), version=log.get("kpi_excel version", ""),
        as_of=f"as of {settings.as_of}" if settings.as_of else latest, made=made,
        headers={name: _header(table, name, label) for name, label in PAPER_COLUMNS},
        indicators=tuple(chosen), summary=summary, selection=selection, notes=tuple(notes),
    )


def _header(table: KpiTable, name: str, label: str) -> str:
    for kind in (table.inputs, table.outputs):
        if name in kind:
            text = table.cells.value(table.header_index, kind[name])
            if text not in (None, ""):
                return str(text)
    return label


def _rows_by_code(table: KpiTable) -> dict[str, int]:
    out: dict[str, int] = {}
    if "code" not in table.inputs:
        return out
    for index in table.body:
        code = table.cells.value(index, table.inputs["code"])
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        if code not in (None, ""):
            out.setdefault(str(code).strip(), index)
    return out


def _field(table: KpiTable, index: int, name: str) -> tuple[object, str | None]:
    column = table.inputs.get(name, table.outputs.get(name))
    if column is None:
        return None, None
    return table.cells.value(index, column), table.cells.number_format(index, column)


def _cells(table: KpiTable, index: int) -> dict[str, str]:
    out = {}
    for name, _ in PAPER_COLUMNS:
        if name in ("previous", "latest"):
            period = cell_text(*_field(table, index, f"{name}_period"))
            value = cell_text(*_field(table, index, f"{name}_value"))
            out[f"{name}_period"] = period
            out[name] = f"{value} ({period})" if period and value else value or period
        else:
            out[name] = cell_text(*_field(table, index, name))
    ranked = cell_text(*_field(table, index, "benchmark_value"))
    if out.get("quartile") and ranked:
        # The figure the quartile is of, and its period: it may not be the Latest shown beside it.
        period = cell_text(*_field(table, index, "benchmark_period"))
        out["quartile"] += f" (on {ranked}{' in ' + period if period else ''})"
    return out


_DECIMALS = re.compile(r"0\.(0+)")


def cell_text(value: object, number_format: str | None = None) -> str:
    """A cell as Excel shows it, near enough for print: 0.776 in ``0.00%`` is 77.60%."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float)):
        fmt = (number_format or "General").split(";")[0]
        match = _DECIMALS.search(fmt)
        decimals = len(match.group(1)) if match else (0 if "0" in fmt and fmt != "General" else None)
        sign = "+" if fmt.startswith("+") and value > 0 else ""
        if "%" in fmt:
            return sign + format_number(float(value) * 100, decimals, True)
        if fmt == "General" and isinstance(value, float) and value.is_integer():
            return str(int(value))
        return sign + format_number(float(value), decimals)
    return str(value).strip()


def _level_to_maintain(table: KpiTable, row: int) -> float | None:
    """A Maintain target's level: the comparable previous value, in the history's units
    (a percentage in points); None when there is none to draw."""
    raw, fmt = _field(table, row, "previous_value")
    try:
        value = parse_value(raw, fmt)
    except ValueReadError:
        return None
    return None if value.number is None or value.bound else float(value.number)


def _indicator(status: IndicatorStatus, cells: dict[str, str], table: KpiTable, row: int | None,
               history: History | None, benchmark: dict[str, dict[str, object]]) -> PaperIndicator:
    target_text = cells.get("target", "")
    target_value = None
    if row is not None and target_text:
        raw, fmt = _field(table, row, "target")
        try:
            target = parse_target(raw, fmt)
        except TargetError:
            target = None
        if target is not None and target.op == MAINTAIN:
            target_value = _level_to_maintain(table, row)
        elif target is not None and target.numeric and target.op != "band":
            target_value = target.value
            if history is not None and history.percent and not target.percent and abs(target.value) <= 1:
                target_value = target.value * 100  # a target typed as a fraction
    bench = None
    if row is not None:
        code = _field(table, row, "benchmark_code")[0] or status.code
        bench = benchmark.get(str(code).strip())
    england = _number(bench.get("England")) if bench else None
    low, high = (_number(bench.get("Lower quartile")), _number(bench.get("Upper quartile"))) if bench else (None, None)
    band = (min(low, high), max(low, high)) if low is not None and high is not None else None
    period = str(bench.get("Period") or "") if bench else ""
    ranked = _ranked_value(table, row) if row is not None else None
    if ranked is not None:
        period = cell_text(*_field(table, row, "benchmark_period")) or period  # type: ignore[arg-type]
    alt = ""
    if history is not None:
        alt = describe_history(status.indicator, history, target_text)
        if england is not None or band is not None:
            unit = "%" if history.percent else ""
            parts = []
            if england is not None:
                parts.append(f"England {format_number(england, None)}{unit}")
            if band is not None:
                parts.append(f"the comparators' middle half {format_number(band[0], None)}{unit} to "
                             f"{format_number(band[1], None)}{unit}")
            alt += f"; {' and '.join(parts)}" + (f" in {period}" if period else "")
        if ranked is not None:
            alt += (f"; the value ranked in the benchmark{' (' + period + ')' if period else ''} "
                    f"{format_number(ranked, None)}{'%' if history.percent else ''}, drawn as a diamond")
    return PaperIndicator(status, cells, history, target_text, target_value, england, band, period, alt, ranked)


def _ranked_value(table: KpiTable, row: int) -> float | None:
    """The KPIs sheet's Benchmark Value in the history's units (85.7 for 85.7%)."""
    raw, fmt = _field(table, row, "benchmark_value")
    try:
        value = parse_value(raw, fmt)
    except ValueReadError:
        return None
    return None if value.number is None else float(value.number)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _select(indicators: list[PaperIndicator], options: PaperOptions) -> tuple[list[PaperIndicator], str]:
    chosen = indicators
    words = []
    if options.topic:
        wanted = options.topic.strip().lower()
        topics = {i.status.topic.strip().lower() for i in indicators}
        if wanted not in topics:
            names = sorted({i.status.topic for i in indicators if i.status.topic})
            raise InputError(f"no topic '{options.topic}' on the KPIs sheet (topics: {'; '.join(names) or 'none'})",
                             sheet="KPIs")
        chosen = [i for i in chosen if i.status.topic.strip().lower() == wanted]
        words.append(f"topic {options.topic.strip()}")
    if options.only:
        chosen = [i for i in chosen if any(_matches(i.status, w) for w in options.only)]
        words.append("only " + ", ".join(options.only))
    return chosen, "; ".join(words)


def _matches(status: IndicatorStatus, word: str) -> bool:
    rag = {"red": "Red", "amber": "Amber", "green": "Green", "na": "N/A"}.get(word)
    if rag:
        return status.rag_word == rag
    if word == "exceptions":
        return exception_reason(status) is not None
    direction = {"improving": "Improving", "declining": "Declining", "unchanged": "No change"}[word]
    return status.direction == direction


def parse_only(text: str | None) -> tuple[str, ...]:
    """``red,declining`` → ("red", "declining"); an unknown word is an error naming the known ones."""
    if not text:
        return ()
    words = tuple(w.strip().lower().replace("n/a", "na") for w in text.split(",") if w.strip())
    unknown = [w for w in words if w not in ONLY_WORDS]
    if unknown:
        raise InputError(f"--only: unknown word(s) {', '.join(unknown)} (use {', '.join(ONLY_WORDS)})")
    return words


def _find(package: XlsxPackage, name: str) -> str | None:
    names = {n.lower(): n for n in package.sheet_names()}
    return names.get(name.lower())


def _history_sheet(package: XlsxPackage) -> dict[str, tuple[History, str, str]]:
    """code → (history, target text, RAG before the last refresh) from the KPI history sheet."""
    name = _find(package, HISTORY_SHEET)
    if name is None or not package.is_owned(name):
        return {}
    values = package.read_sheet(name)
    if not str(values.value(1, 1) or "").startswith(HISTORY_TITLE):
        return {}
    header_row, headers = _header_row(values, "Code")
    if header_row is None:
        return {}
    periods = [c for h, c in headers.items() if h.startswith("Period ")]
    value_cols = [c for h, c in headers.items() if h.startswith("Value ")]
    out = {}
    used = values.used_range
    for r in range(header_row + 1, (used.max_row if used else header_row) + 1):
        code = values.value(r, headers["Code"])
        if code in (None, ""):
            continue
        points = []
        percent = False
        for pc, vc in zip(periods, value_cols):
            label = values.value(r, pc)
            if label in (None, ""):
                continue
            number = values.value(r, vc)
            fmt = values.number_formats.get(values.style(r, vc) or 0, "General") if number is not None else ""
            is_percent = "%" in (fmt or "")
            percent = percent or is_percent
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                shown = cell_text(number, fmt)
                points.append(HistoryPoint(str(label), float(number) * (100 if is_percent else 1), shown))
            else:
                points.append(HistoryPoint(str(label), None, ""))
        try:
            frequency = parse_frequency(values.value(r, headers.get("Frequency", 0)) if "Frequency" in headers else None)
        except PeriodError:
            frequency = None
        text = str(code).strip()
        out[text] = (History(text, frequency, tuple(points), percent),
                     str(values.value(r, headers["Target"]) or "") if "Target" in headers else "",
                     str(values.value(r, headers.get("RAG before this refresh", 0)) or "")
                     if "RAG before this refresh" in headers else "")
    return out


def _header_row(values: SheetValues, first: str) -> tuple[int | None, dict[str, int]]:
    used = values.used_range
    for r in range(1, min(used.max_row if used else 0, 30) + 1):
        cells = {str(values.value(r, c) or "").strip(): c for c in range(1, used.max_col + 1)} if used else {}
        if first in cells:
            return r, {k: v for k, v in cells.items() if k}
    return None, {}


def _benchmark_rows(package: XlsxPackage) -> dict[str, dict[str, object]]:
    """Benchmark sheet rows by code: England, quartiles, period (kpi_excel's own sheet only)."""
    name = _find(package, BENCHMARK_SHEET)
    if name is None or not package.is_owned(name):
        return {}
    values = package.read_sheet(name)
    header_row, headers = _header_row(values, "Code")
    if header_row is None:
        return {}
    used = values.used_range
    out = {}
    for r in range(header_row + 1, (used.max_row if used else header_row) + 1):
        code = values.value(r, headers["Code"])
        if code in (None, ""):
            continue
        out[str(code).strip()] = {h: values.value(r, c) for h, c in headers.items()}
    return out


def _log(package: XlsxPackage) -> dict[str, str]:
    """The Log's last entry by column (empty when there is none)."""
    name = _find(package, LOG_SHEET)
    if name is None:
        return {}
    values = package.read_sheet(name)
    if values.value(1, 1) != LOG_COLUMNS[0]:
        return {}
    used = values.used_range
    rows = [r for r in range(2, (used.max_row if used else 1) + 1) if values.value(r, 1) not in (None, "")]
    if not rows:
        return {}
    out = {}
    for c, header in enumerate(LOG_COLUMNS, start=1):
        value = values.value(rows[-1], c)
        if isinstance(value, dt.datetime):
            value = value.strftime("%Y-%m-%d %H:%M")
        out[header] = "" if value is None else str(value)
    return out


def _data_histories(inputs, settings) -> dict[str, History]:  # type: ignore[no-untyped-def]
    """Histories from the Data sheet, chosen the refresh's way (for workbooks without a KPI history sheet)."""
    from kpi_excel.app.refresh_plan import data_histories

    return data_histories(inputs, settings)
