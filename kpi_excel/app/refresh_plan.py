"""One refresh for every door: what the workbook holds → a plan.

The file door (``kpi-excel refresh``), the desktop add-in and the web add-in
each read the workbook their own way and apply the plan their own way; between
the two they all call :func:`plan_workbook_refresh`, so a rule fixed here is
fixed everywhere:

1. the Settings sheet (defaults when there is none), and which sources it names
   that this door may open (:mod:`kpi_excel.sources.policy`: the user's own files
   for the command and the desktop add-in, only an administrator's sources on the web);
2. observations from the Data sheet, then from the Settings' extra sources and
   any given on the command line (for one indicator and period the newest wins);
3. each indicator's latest and comparable previous period;
4. the benchmark against other authorities, when the Settings name benchmark data,
   each indicator on the benchmark period matching its own latest period (or
   the latest before it, never after "as of");
5. the core's plan (:func:`kpi_excel.core.report.plan_refresh`).
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

import numpy as np
import pandas as pd

from kpi_excel.version import __version__
from kpi_excel.core.areas import AreaDirectory, AreaError
from kpi_excel.core.code_match import UnmatchedCode, unmatched_codes
from kpi_excel.core.history import History, indicator_histories
from kpi_excel.core.observations import (
    Observations,
    SourceProblem,
    choose_periods_and_values,
    combine_observations,
    winning_values,
)
from kpi_excel.core.percent_entry import read_percent_entries
from kpi_excel.core.periods import PeriodError, effective_frequency, parse_frequency, parse_period
from kpi_excel.core.plan import Plan
from kpi_excel.core.report import RefreshInputs, SheetCells, find_kpi_table, plan_refresh, settings_from
from kpi_excel.core.settings import ALL_AUTHORITIES, ReportSettings
from kpi_excel.errors import InputError, MissingColumnError
from kpi_excel.app.authority_benchmark import authority_benchmark
from kpi_excel.sources.policy import EXAMPLE_BENCHMARK, SourcePolicy

__all__ = ["plan_workbook_refresh", "RefreshInputs", "EXAMPLE_BENCHMARK", "data_observations", "data_histories"]


def plan_workbook_refresh(
    inputs: RefreshInputs,
    *,
    sources: Sequence[str] = (),
    as_of: str | None = None,
    now: dt.datetime | None = None,
    user: str = "",
    door: str = "file",
    policy: SourcePolicy | None = None,
) -> Plan:
    """Read settings and sources, choose periods, benchmark, and plan the writes.

    ``policy`` says which sources may be opened (default: the user's own files,
    as the command and the desktop add-in act for the user). Every source the
    Settings name is checked against it before any is opened.
    """
    policy = policy or SourcePolicy.as_user()
    content = inputs.content
    if content.kpis is None:
        raise InputError("the workbook has no KPIs sheet: add one with 'kpi-excel init', or name your "
                         "indicator sheet KPIs", sheet="KPIs")
    settings = settings_from(content.settings)
    # The workbook's own texts, then the ones the user gave (--data), which may name any database.
    extra = [*(policy.source(spec, inputs.directory) for spec in settings.sources),
             *(policy.given(spec, inputs.directory) for spec in sources)]
    benchmark_source = policy.benchmark(settings.benchmark_source, inputs.directory) \
        if settings.benchmark_source else None
    group_file = policy.comparator_group(settings.comparator, inputs.directory) \
        if benchmark_source and not settings.comparator_members and settings.comparator != ALL_AUTHORITIES else None
    table = find_kpi_table(content.kpis)
    indicators = _indicators(table)
    from kpi_excel.sources.lait_files import load_directory

    areas = load_directory()
    authority = _authority(settings, areas)

    percent_codes = _percent_codes(table)
    wanted = _wanted(indicators, percent_codes)
    found = []
    data_unusable = None
    unmatched: list[UnmatchedCode] = []
    if inputs.data is not None:
        try:
            found.append(data_observations(inputs.data, areas, percent_codes, wanted))
            unmatched = _unmatched(found[-1], indicators, inputs.data.name)
        except MissingColumnError as error:
            # An officer's own sheet called Data: say so, refresh from the rest.
            data_unusable = f"{inputs.data.name} sheet not read: {error.message}"
    for source in extra:
        found.append(policy.read(source, areas))
    observations = _percent_entries_read(_for_indicators(combine_observations(found), wanted),
                                         table, percent_codes)
    cutoff = as_of or settings.as_of or None
    if cutoff:
        try:
            parse_period(cutoff)
        except PeriodError as error:
            raise InputError(f"as of: {error}") from None
    choice, values = choose_periods_and_values(observations, indicators, area=authority or "", as_of=cutoff)

    by_code: dict[str, list[str]] = {}
    general: list[str] = [data_unusable] if data_unusable else []
    for problem in [*observations.problems, *choice.problems]:
        if problem.code:
            by_code.setdefault(problem.code, []).append(f"{problem.where}: {problem.message}")
        else:
            general.append(str(problem))
    for code in unmatched:  # in the Checks of the indicator it probably meant; else with the sheet's problems
        if code.nearest:
            by_code.setdefault(code.nearest, []).append(code.for_nearest())
        else:
            general.append(code.message())
    selected = _selected(choice.frame)
    histories = indicator_histories(values, dict(zip(indicators["code"], indicators["frequency"])),
                                    settings.history_periods)
    benchmark, funnels = (authority_benchmark(settings, table, authority, areas, policy, benchmark_source,
                                              group_file, selected, cutoff)
                          if benchmark_source else (None, ()))
    source_names = ["Data sheet"] if inputs.data is not None and not data_unusable else []
    source_names += [source.label for source in extra]
    if benchmark_source:
        source_names.append(f"benchmark: {_benchmark_named(benchmark_source.spec, benchmark_source.label)}")
    return plan_refresh(
        content, selected=selected, selection_problems=by_code, source_problems=general, benchmark=benchmark,
        settings=settings, sources=source_names, now=now, user=user, door=door, version=__version__,
        funnels=funnels, histories=histories, previous_refresh=inputs.previous_refresh,
        not_used=tuple(code.message() for code in unmatched),
    )


# What the bundled benchmark data is (see kpi_excel/data/README.md), for the Log and the paper's Sources.
EXAMPLE_BENCHMARK_NAME = "DfE LAIT extract bundled with kpi_excel (LAIT rebuild of 8 April 2026)"


def _benchmark_named(spec: str, label: str) -> str:
    """The benchmark data by what it is, not only by the Settings' word for it ("example")."""
    if label.strip().lower() == EXAMPLE_BENCHMARK:
        return EXAMPLE_BENCHMARK_NAME
    if spec.startswith("lait:"):
        return f"DfE LAIT data ({label})"
    return label


def data_histories(inputs: RefreshInputs, settings: ReportSettings) -> dict[str, History]:
    """Each indicator's history from the Data sheet alone, chosen as a refresh chooses it."""
    if inputs.data is None or inputs.content.kpis is None:
        return {}
    table = find_kpi_table(inputs.content.kpis)
    indicators = _indicators(table)
    areas = None
    authority = ""
    if settings.authority:
        from kpi_excel.sources.lait_files import load_directory

        areas = load_directory()
        authority = _authority(settings, areas) or ""
    try:
        percent_codes = _percent_codes(table)
        # data_observations keeps only the wanted codes' rows: nothing else to leave out.
        observations = _percent_entries_read(
            data_observations(inputs.data, areas, percent_codes, _wanted(indicators, percent_codes)), table,
            percent_codes)
    except MissingColumnError:
        return {}
    values = winning_values(observations, area=authority, as_of=settings.as_of or None)
    return indicator_histories(values, dict(zip(indicators["code"], indicators["frequency"])),
                               settings.history_periods)


def data_observations(cells: SheetCells, areas: AreaDirectory | None = None,
                      percent_codes: frozenset[str] = frozenset(),
                      wanted: frozenset[str] | None = None) -> Observations:
    """Observations from the Data sheet's cells, as any reader found them.

    Excel holds 77.6% as 0.776. Where the reader cannot see number formats
    (xlwings, Excel on the web) a number for an indicator whose KPI row says
    Unit % is read as such a fraction.
    """
    from kpi_excel.core.values import PERCENT_UNKNOWN_PRECISION
    from kpi_excel.sources.tables import column_letter, observations_from_grid

    formats = cells.formats
    if formats is None and percent_codes:
        header = [str(v or "").strip().lower() for v in (cells.values[0] if cells.values else [])]
        code_at = header.index("code") if "code" in header else None
        formats = [
            [PERCENT_UNKNOWN_PRECISION if isinstance(v, (int, float)) and not isinstance(v, bool) else None
             for v in row]
            if row and code_at is not None and code_at < len(row) and str(row[code_at] or "").strip() in percent_codes
            else () for row in cells.values]
    quoted = cells.name if cells.name.replace("_", "").isalnum() else f"'{cells.name}'"
    return observations_from_grid(
        cells.values, formats, source=f"{cells.name} sheet", first_row=cells.top, directory=areas, wanted=wanted,
        cell_ref=lambda row, column: f"{quoted}!{column_letter(column)}{row}",
    )


def _unmatched(data: Observations, indicators: pd.DataFrame, sheet: str) -> list[UnmatchedCode]:
    """The Data sheet's codes that no KPI row has (other sources hold many indicators a
    report does not use: only the officer's own sheet is checked)."""
    frame = data.frame
    codes, rows = frame["code"].to_numpy(dtype=object), frame["row"].to_numpy(dtype=np.int64)
    if data.others is not None:  # rows of codes not read: back in sheet order (a row holds one code)
        codes = np.concatenate([codes, data.others["code"].to_numpy(dtype=object)])
        rows = np.concatenate([rows, data.others["row"].to_numpy(dtype=np.int64)])
        order = np.argsort(rows, kind="stable")
        codes, rows = codes[order], rows[order]
    return unmatched_codes(codes, rows, indicators["code"], f"{sheet} sheet")


def _for_indicators(observations: Observations, wanted: frozenset[str]) -> Observations:
    """Only the rows of codes the KPIs table has (its indicators, its percentage codes): choosing
    periods and reading percentages look at nothing else, and a Data sheet pasted whole from a
    warehouse may hold ten times as many rows of other codes. Their problems stay (the codes that
    match no indicator are found before this)."""
    frame = observations.frame
    used = np.fromiter(map(wanted.__contains__, frame["code"].tolist()), dtype=bool, count=len(frame))
    if used.all():
        return observations
    return Observations(frame[used].reset_index(drop=True), observations.problems)


def _wanted(indicators: pd.DataFrame, percent_codes: frozenset[str]) -> frozenset[str]:
    """The codes a refresh reads observations of: its indicators' and its percentage codes."""
    return frozenset(indicators["code"]) | percent_codes


def _indicators(table) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Code and frequency of each KPI row; "year to date" in a name means YTD."""
    codes, frequencies = [], []
    for code, raw, name in zip(*(_body_column(table, field) for field in ("code", "frequency", "indicator"))):
        if code in (None, ""):
            continue
        name = str(name or "")
        try:
            frequency = parse_frequency(raw)
        except PeriodError:
            frequency = None  # the assessor names the problem on the row
        frequency = effective_frequency(frequency, name)
        codes.append(str(code).strip() if not isinstance(code, float) or not code.is_integer() else str(int(code)))
        frequencies.append(frequency)
    frame = pd.DataFrame({"code": codes, "frequency": frequencies})
    return frame.drop_duplicates("code") if len(set(codes)) < len(codes) else frame


def _body_column(table, field: str) -> list[object]:  # type: ignore[no-untyped-def]
    """An input column's cells down the KPI rows, as ``table.cells.value`` gives each (None past a
    row's end, or for a column the table lacks): one pass, not a bounds-checked call per cell."""
    column = table.inputs.get(field)
    if column is None:
        return [None] * len(table.body)
    values = table.cells.values
    rows = [values[index] if index < len(values) else () for index in table.body]
    return [row[column] if column < len(row) else None for row in rows]


def _percent_entries_read(observations: Observations, table,  # type: ignore[no-untyped-def]
                          percent_codes: frozenset[str]) -> Observations:
    """Plain fractions typed for percentage indicators read as percentages where the indicator
    makes that clear, and named where it does not (see kpi_excel.core.percent_entry).
    ``percent_codes``: the table's percentage codes (:func:`_percent_codes`), worked out once a refresh."""
    read = read_percent_entries(observations.frame, _percent_targets(table, percent_codes))
    if read.frame is observations.frame:
        return observations
    problems = [SourceProblem(where, message, code) for code, where, message in read.problems]
    return Observations(read.frame, [*observations.problems, *problems])


def _percent_targets(table, codes: frozenset[str]) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    """Each percentage indicator's code (of ``codes``, the table's percentage codes) and its
    target's level in points (None: no numeric target)."""
    from kpi_excel.core.targets import TargetError, parse_target
    from kpi_excel.core.values import PERCENT_UNKNOWN_PRECISION

    out: dict[str, float | None] = {}
    if not codes:
        return out
    column = table.inputs.get("target")
    for index, code in zip(table.body, _body_column(table, "code")):
        code = str(code or "").strip()
        if code not in codes or code in out:
            continue
        level = None
        if column is not None:
            raw = table.cells.value(index, column)
            look = table.cells.number_format(index, column)
            if isinstance(raw, (int, float)) and not isinstance(raw, bool) and "%" not in str(look or ""):
                look = PERCENT_UNKNOWN_PRECISION  # as the row is read: Unit % makes a plain target a fraction
            try:
                target = parse_target(raw, look)
            except TargetError:
                target = None
            if target is not None and target.numeric:
                level = target.value
        out[code] = level
    return out


def _percent_codes(table) -> frozenset[str]:  # type: ignore[no-untyped-def]
    if "unit" not in table.inputs or "code" not in table.inputs:
        return frozenset()
    codes = set()
    for unit, code in zip(_body_column(table, "unit"), _body_column(table, "code")):
        if str(unit or "").strip().lower() in ("%", "percent", "percentage", "per cent", "pct"):
            codes.add(str(code or "").strip())
    return frozenset(codes)


def _authority(settings: ReportSettings, areas: AreaDirectory) -> str | None:
    if not settings.authority:
        return None
    try:
        return areas.resolve(settings.authority, lenient=True, source="Settings")
    except AreaError as error:
        raise InputError(f"Authority: {error.message}", sheet="Settings") from None


def _selected(frame: pd.DataFrame) -> pd.DataFrame:
    """The chosen values, each as the source showed it (77.6% stays a percentage).

    The columns are gathered, then made a frame at once: a column set at a time cost more than
    the rest of this."""
    out: dict[str, object] = {}
    for when in ("previous", "latest"):
        period = frame[f"{when}_period"]
        out[f"{when}_period"] = period.where(period != "", None)
        out[f"{when}_value"] = [s if isinstance(s, str) and s else (None if n != n else n)
                                for s, n in zip(frame[f"{when}_shown"].tolist(), frame[f"{when}_value"].tolist())]
    for name in ("previous_numerator", "previous_denominator", "latest_numerator", "latest_denominator"):
        if name in frame.columns:  # counts behind the values, for intervals (NaN: not given)
            out[name] = frame[name]
    out["source"] = frame["latest_source"].where(frame["latest_source"] != "", None)
    out["note"] = frame["choice_note"]
    selected = pd.DataFrame(out, index=frame.index)
    return selected[selected["latest_period"].notna()]
