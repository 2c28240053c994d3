"""A report's own benchmark: the authority against every other, each KPI row at its own time.

What a refresh needs from the benchmark data (LAIT's files or any source in
their shape): for every KPI row that names a benchmark code, the authority's
quartile, rank, neighbour average, England and the cut points, worked out on
the benchmark period that matches the row's *own* latest period (the same span,
else the latest one ending before it; never one after "As of"), plus the counts
behind the value and England's where LAIT publishes them, and funnel plots.

Two KPI rows may share a benchmark code and still be benchmarked at different
periods (a quarterly dashboard row and an annual DfE row of the same measure):
each result row carries ``kpi_period``, the KPI row's latest period it answers
for, and the plan looks a row up by (benchmark code, latest period) first.

:func:`kpi_excel.core.benchmark.benchmark` does the computing; this module only
chooses periods and gathers its inputs, so the core stays pure.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Hashable, Mapping

import numpy as np
import pandas as pd

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.benchmark import benchmark_label_period
from kpi_excel.core.funnel import CountPair, Funnel, counts_at, funnel_for, is_text_categorical, rows_by_code, text_in
from kpi_excel.core.periods import PeriodError, parse_period
from kpi_excel.core.report import period_key
from kpi_excel.core.settings import ReportSettings
from kpi_excel.errors import InputError, KpiExcelError
from kpi_excel.sources.file_cache import file_key, remembered
from kpi_excel.sources.policy import EXAMPLE_BENCHMARK, Source, SourcePolicy

__all__ = ["authority_benchmark"]


def authority_benchmark(settings: ReportSettings, table: Any, authority: str | None, areas: AreaDirectory,
                        policy: SourcePolicy, source: Source, group_file: tuple[Source, Path] | None,
                        selected: pd.DataFrame | None = None,
                        cutoff: str | None = None) -> tuple[pd.DataFrame, tuple[Funnel, ...]]:
    """The authority's benchmark rows (indexed by benchmark code, one per code and
    KPI latest period, column ``kpi_period``) and the funnel plots of proportions
    with counts across authorities."""
    if authority is None:
        raise InputError("Benchmark data is set but Authority is empty: say which authority to benchmark",
                         sheet="Settings")
    from kpi_excel.app.benchmark_table import load_benchmark_data, pick_neighbours, read_group
    from kpi_excel.core.benchmark import benchmark
    from kpi_excel.sources.lait_files import read_count_pairs, read_dictionary

    bundled = resources.files("kpi_excel").joinpath("data/benchmark")
    made_from = areas.made_from  # what the directory holds before the benchmark data's areas join it
    with policy.reading(source, "Benchmark data"):
        if settings.benchmark_source.strip().lower() == EXAMPLE_BENCHMARK:
            dictionary = Path(str(bundled.joinpath("lait_dictionary.csv")))
        else:
            dictionary = dictionary_beside(source.spec)
        try:
            # Read once a process (the server benchmarks click after click), again when a file changes.
            loaded = load_benchmark_data(source.spec, areas, reuse=True)
            indicators = read_dictionary(dictionary, reuse=True)
        except KpiExcelError as error:
            raise InputError(f"Benchmark data: {error}", sheet="Settings") from None
    wanted = _wanted(table, selected)
    codes = {code for code, _, _ in wanted}
    counts_file = Path(str(bundled.joinpath("lait_counts.csv")))
    group = None
    if settings.comparator_members:
        group = {areas.resolve(name, lenient=True, source="Settings") for name in settings.comparator_members}
    elif group_file is not None:
        group_source, group_path = group_file
        with policy.reading(group_source, "Comparator group"):
            group = read_group(group_path, areas)
    list_files = [Path(str(bundled.joinpath(name))) for name in ("sn_may_2025.xlsx", "sn_april_2021.xlsx")]

    def answer() -> tuple[pd.DataFrame, tuple[Funnel, ...]]:
        pairs = read_count_pairs(counts_file, reuse=True)
        count_codes = codes | {code for c in codes if c in pairs for code in pairs[c].codes}
        with_counts = _rows_of_codes(loaded.values, count_codes, loaded.derived)
        values = with_counts[text_in(with_counts["code"], codes)]
        labels = _matching_labels(values, wanted, cutoff, loaded.derived)
        lists = [_neighbours(path, loaded.directory, made_from, loaded.derived) for path in list_files]
        neighbours, list_labels = pick_neighbours(lists, settings.neighbours)
        regions = {name: loaded.directory.region_of(name) or "" for name in loaded.authorities}
        results = []
        for layer in _layers(labels):  # one pass per period a code is wanted at (nearly always one)
            frame = benchmark(values, indicators, loaded.authorities, areas=[authority], period=layer,
                              latest_by=loaded.latest_by, period_order=loaded.period_order,  # type: ignore[arg-type]
                              group=group, neighbours=neighbours, neighbour_list=list_labels, regions=regions)
            results.append(frame[frame["area"] == authority])
        found = pd.concat(results, ignore_index=True) if results else pd.DataFrame(columns=["indicator", "period"])
        frame = _per_kpi_period(found, labels)
        frame = frame.rename(columns={"derived_target": "derived_target_value",
                                      "derived_target_text": "derived_target"})
        frame["dps"] = indicators["dps"].reindex(frame.index).to_numpy() if "dps" in indicators.columns else None
        funnels = _with_counts(frame, with_counts, pairs, indicators, authority, group or set(loaded.authorities),
                               adjusted=settings.funnel_adjusted, memo=loaded.derived, everyone=group is None)
        return frame, funnels

    try:  # everything the answer is worked out from, beside the benchmark data the memo is kept with
        key = (authority, tuple(wanted), cutoff, None if group is None else frozenset(group), settings.neighbours,
               settings.funnel_adjusted, made_from, file_key(dictionary), file_key(counts_file),
               *(file_key(path) for path in list_files))
        hash(key)
    except (OSError, TypeError):  # a file gone (its reader names it), or a period that is no key
        key = None
    frame, funnels = _kept_answer(loaded.derived, key, answer)
    return frame.copy(deep=False), funnels  # a frame of its own (copy-on-write: its data is shared until changed)


# Answers kept with one read of the benchmark data: a few reports refreshed in turn.
ANSWERS_KEPT = 8


def _kept_answer(memo: dict[Hashable, Any] | None, key: Hashable | None,
                 make: Callable[[], tuple[pd.DataFrame, tuple[Funnel, ...]]]
                 ) -> tuple[pd.DataFrame, tuple[Funnel, ...]]:
    """``make()`` for a report's benchmark, kept with the benchmark data read once a process.

    The server benchmarks a report click after click, and what it gets depends on the
    report's codes and periods, its authority and Settings and the reference files (``key``),
    not on the values the officer changed since: kept, the second click reads the answer
    instead of ranking every authority again. At most :data:`ANSWERS_KEPT` are kept (the
    oldest go first), so no request can grow what the process keeps; a changed file is
    another key (or another read, for the benchmark data itself)."""
    if memo is None or key is None:
        return make()
    answers: dict[Hashable, tuple[pd.DataFrame, tuple[Funnel, ...]]] = remembered(memo, ("answers",), dict)
    found = answers.get(key)
    if found is None:
        found = make()
        while len(answers) >= ANSWERS_KEPT:
            try:
                del answers[next(iter(answers))]
            except (KeyError, RuntimeError, StopIteration):  # another thread took it first
                break
        answers[key] = found
    return found


def _neighbours(path: Path, directory: AreaDirectory, made_from: tuple[str, ...] | None,
                memo: dict[Hashable, Any] | None) -> Any:
    """A neighbour list with its names looked up in ``directory``, from ``memo`` when it has it.

    ``memo``: kept with benchmark data read once a process, whose areas joined a directory
    ``made_from`` (None: filled some other way, so not known to be the same). Such a directory
    is the same for every request, so the names are looked up once, not on every click; a
    changed neighbour file is another key (its cells are read again, as read_neighbours does)."""
    from kpi_excel.sources.lait_files import read_neighbours

    try:
        key = ("neighbours", made_from, file_key(path)) if memo is not None and made_from is not None else None
    except OSError:
        key = None  # read_neighbours names the missing file
    # A frozen NeighbourList: read, never changed, by its users.
    return remembered(memo, key, lambda: read_neighbours(path, directory, reuse=True))


def _rows_of_codes(values: pd.DataFrame, codes: set[str], memo: dict[Hashable, Any] | None) -> pd.DataFrame:
    """``values``' rows whose code is one of ``codes``, in the file's order.

    ``memo``: kept with benchmark data read once a process. Each code's row positions
    are found once there; a request then takes its few codes' rows instead of
    turning the whole file's code column (641k rows of LAIT) into text again."""
    def positions_by_code() -> dict[str, np.ndarray]:
        code = values["code"]
        if is_text_categorical(code):  # LAIT's: rows sorted by category number, not every code made text
            numbers = code.cat.codes.to_numpy()
            order = np.argsort(numbers, kind="stable")  # each category's rows stay in row order
            ends = np.cumsum(np.bincount(numbers + 1, minlength=len(code.cat.categories) + 1))
            return {name: order[ends[i]:ends[i + 1]] for i, name in enumerate(code.cat.categories)
                    if ends[i + 1] > ends[i]}  # [0:ends[0]]: rows with no code, as a groupby drops them
        text = code.astype(str).to_numpy()
        return pd.Series(np.arange(len(text))).groupby(text, sort=False).indices

    positions = remembered(memo, ("row positions by code",), positions_by_code)
    found = [positions[code] for code in codes if code in positions]
    return values.iloc[np.sort(np.concatenate(found)) if found else np.array([], dtype=np.intp)]


def _wanted(table: Any, selected: pd.DataFrame | None) -> list[tuple[str, str, object]]:
    """(benchmark code, KPI latest period key, that period) for every KPI row to benchmark.

    The latest period is the one chosen from the sources, else the one typed on
    the KPIs sheet. A LAIT code typed in the Code column is benchmarked too.
    """
    chosen = {} if selected is None else {str(code): period for code, period in selected["latest_period"].items()}
    found: dict[tuple[str, str], object] = {}
    for index in table.body:
        def cell(name: str) -> object:
            return table.cells.value(index, table.inputs[name]) if name in table.inputs else None

        code = str(cell("code") or "").strip()
        bench_code = str(cell("benchmark_code") or "").strip() or code
        if not bench_code:
            continue
        period = chosen.get(code) if code in chosen else cell("latest_period")
        period = None if period in ("", None) else period
        found.setdefault((bench_code, period_key(period)), period)
        if str(cell("benchmark_code") or "").strip() and code:
            found.setdefault((code, period_key(period)), period)
    return [(code, key, period) for (code, key), period in found.items()]


def _matching_labels(values: pd.DataFrame, wanted: list[tuple[str, str, object]],
                     cutoff: str | None, memo: dict[Hashable, Any] | None = None) -> dict[tuple[str, str], str]:
    """(benchmark code, KPI period key) → the benchmark period label to use."""
    from kpi_excel.core.benchmark import matching_period

    as_of = parse_period(cutoff) if cutoff else None
    labels_by_code = _labels_by_code(values, {code for code, _, _ in wanted}, memo)
    chosen: dict[tuple[str, str], str] = {}
    for code, key, period in wanted:
        if not labels_by_code.get(code):
            continue
        try:
            own = parse_period(period) if period is not None else None
        except PeriodError:
            own = None  # the assessor names the unreadable period on the row
        label = matching_period(own, list(labels_by_code[code]), as_of)
        if label is not None:
            chosen[(code, key)] = label
    return chosen


def _labels_by_code(values: pd.DataFrame, codes: set[str], memo: dict[Hashable, Any] | None) -> dict[str, tuple[str, ...]]:
    """Each of ``codes``' period labels in ``values``, in the order they first appear (none: not there).

    ``memo``: kept with benchmark data read once a process, of which ``values`` holds every row
    of each code asked for (:func:`_rows_of_codes`, which keeps each code's rows there): a code's
    labels are the same on every request, so they are found once (a groupby over the codes' rows
    was 2% of a request). Only codes the data has are kept, so no request can grow the memo."""
    in_data = memo.get(("row positions by code",)) if memo is not None else None
    if in_data is None:
        return _labels_in(values, codes)
    found = {code: memo.get(("period labels", code), ()) if code in in_data else () for code in codes}
    if any(code in in_data and not labels for code, labels in found.items()):
        found = _labels_in(values, codes)
        for code, labels in found.items():
            if code in in_data:
                memo[("period labels", code)] = labels  # a tuple: shared, never changed
    return found


def _labels_in(values: pd.DataFrame, codes: set[str]) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {code: () for code in codes}
    code, period = values["code"], values["period"]
    if is_text_categorical(code) and is_text_categorical(period):
        found.update(_categorical_labels(code, period))
        return found
    found.update((str(code), tuple(str(label) for label in labels)) for code, labels in
                 values.groupby(values["code"].astype(str), observed=True)["period"].unique().items())
    return found


def _categorical_labels(code: pd.Series, period: pd.Series) -> dict[str, tuple[str, ...]]:
    """:func:`_labels_in`'s groupby for columns of text categories (LAIT's), on their category numbers: each
    code's (as text; no code: no group) period labels (as text; none: 'nan') in the order they first
    appear. A groupby turned every row's code into text first: 2% of a small book's refresh."""
    names = [str(name) for name in code.cat.categories]
    group_of = {name: i for i, name in enumerate(dict.fromkeys(names))}  # codes alike as text: one group
    groups = np.array([group_of[name] for name in names] + [-1], dtype=np.int64)  # [-1]: no code
    labels = [str(label) for label in period.cat.categories] + [str(np.nan)]  # [-1]: no period
    rows = groups[code.cat.codes.to_numpy()]
    periods = period.cat.codes.to_numpy().astype(np.int64)
    keep = rows >= 0
    pairs = rows[keep] * len(labels) + (periods[keep] + 1)
    _, first = np.unique(pairs, return_index=True)
    found: dict[str, list[str]] = {}
    texts = list(group_of)
    for key in pairs[np.sort(first)].tolist():
        group, at = divmod(key, len(labels))
        found.setdefault(texts[group], []).append(labels[at - 1])
    return {name: tuple(found_labels) for name, found_labels in found.items()}


def _layers(labels: dict[tuple[str, str], str]) -> list[dict[str, str]]:
    """code → label mappings, so that every (code, label) wanted is in one of them."""
    per_code: dict[str, list[str]] = {}
    for (code, _), label in labels.items():
        if label not in per_code.setdefault(code, []):
            per_code[code].append(label)
    depth = max((len(found) for found in per_code.values()), default=0)
    return [{code: found[i] for code, found in per_code.items() if i < len(found)} for i in range(depth)]


def _per_kpi_period(found: pd.DataFrame, labels: dict[tuple[str, str], str]) -> pd.DataFrame:
    """One row per (code, KPI period key) from the benchmark rows, indexed by code."""
    at = {(str(code), str(period)): i for i, (code, period) in enumerate(zip(found["indicator"], found["period"]))}
    rows, keys = [], []
    for (code, key), label in labels.items():
        position = at.get((code, label))
        if position is not None:
            rows.append(position)
            keys.append(key)
    frame = found.iloc[rows].copy()
    frame["kpi_period"] = keys
    return frame.set_index("indicator")


def _with_counts(frame: pd.DataFrame, values: pd.DataFrame, pairs: dict[str, CountPair], indicators: pd.DataFrame,
                 authority: str, group: set[str], *, adjusted: bool = False,
                 memo: dict[Hashable, Any] | None = None, everyone: bool = False) -> tuple[Funnel, ...]:
    """Our and England's counts into ``frame`` (numerator, denominator, england_numerator,
    england_denominator, count_kind, count_multiplier), row by row; the funnel plots (with
    Spiegelhalter's overdispersion-adjusted limits when ``adjusted``, the Settings' choice).

    ``memo``: kept with benchmark data read once a process (``BenchmarkData.derived``): the
    counts across authorities at a code's period depend on that data and the code's count
    pair alone, so the server works them out once, not on every click; so are the funnels
    against every authority (``everyone``: ``group`` is all of them), one per code, period and
    authority at most. A comparator group is the officer's own: its funnels are not kept, so
    no request can grow what the process keeps."""
    columns: dict[str, list[object]] = {name: [] for name in ("numerator", "denominator", "england_numerator",
                                                             "england_denominator", "count_multiplier",
                                                             "count_kind")}
    funnels: dict[str, tuple[object, Funnel]] = {}  # code → (period, its funnel): one plot per indicator
    counts_by_period: dict[str, tuple[pd.DataFrame, dict[object, tuple[float, float]]]] = {}
    by_code: dict[str, pd.DataFrame] = {}  # split once, when first needed: a groupby a row cost most of this
    for code, period in zip(frame.index.astype(str), frame["period"]):
        label = "" if not isinstance(period, str) and period != period else str(period)
        pair = pairs.get(code)
        columns["count_kind"].append(pair.kind if pair is not None else None)
        columns["count_multiplier"].append(pair.multiplier if pair is not None else np.nan)
        key = f"{code}\x00{label}"
        if key not in counts_by_period:
            found = _counts_at(values, pairs, code, label, by_code, memo)
            counts_by_period[key] = found, _first_counts_at(found, (code, label, pairs.get(code)), memo)
        rows, per_area = counts_by_period[key]
        for area, prefix in ((authority, ""), ("England", "england_")):
            numerator, denominator = per_area.get(area, (np.nan, np.nan))
            columns[f"{prefix}numerator"].append(float(numerator))  # type: ignore[arg-type]
            columns[f"{prefix}denominator"].append(float(denominator))  # type: ignore[arg-type]
        when = benchmark_label_period(label)
        if pair is not None and (code not in funnels or _later(when, funnels[code][0])):
            name = str(indicators["name"].get(code, code)) if "name" in indicators.columns else code
            kept = ("funnel", code, label, pair, name, authority, adjusted) if memo is not None and everyone \
                else None
            funnel = remembered(memo, kept, lambda: funnel_for(  # a frozen Funnel (or None): shared, never changed
                rows, indicator=code, name=name, period=label, ours=authority, kind=pair.kind,
                multiplier=pair.multiplier, group=group, adjusted=adjusted))
            if funnel is not None:
                funnels[code] = (when, funnel)  # the latest period's plot, when rows differ in period
    for name, column in columns.items():
        frame[name] = column
    return tuple(funnels[code][1] for code in sorted(funnels))


def _counts_at(values: pd.DataFrame, pairs: dict[str, CountPair], code: str, label: str,
               by_code: dict[str, pd.DataFrame], memo: dict[Hashable, Any] | None) -> pd.DataFrame:
    """:func:`counts_at` for one code and period, from ``memo`` when it has them (read-only: shared)."""
    def count() -> pd.DataFrame:
        if not by_code:
            by_code.update(rows_by_code(values))
        return counts_at(values, pairs, {code: label}, by_code=by_code)

    return remembered(memo, ("counts_at", code, label, pairs.get(code)), count)


def _first_counts_at(rows: pd.DataFrame, key: tuple[object, ...], memo: dict[Hashable, Any] | None
                     ) -> Mapping[object, tuple[object, object]]:
    """:func:`_first_counts` of a code's counts at a period (``key``: code, label, count pair),
    from ``memo`` when it has them: every authority's, so the same for each request (read-only: shared)."""
    return remembered(memo, ("first counts",) + key, lambda: MappingProxyType(_first_counts(rows)))


def _first_counts(rows: pd.DataFrame) -> dict[object, tuple[object, object]]:
    """Each area's first (numerator, denominator) in ``rows``, as they are there: looked up once a
    period, not filtered out of the frame again for every KPI row that asks."""
    out: dict[object, tuple[object, object]] = {}
    for area, numerator, denominator in zip(rows["area"].tolist(), rows["numerator"].tolist(),
                                            rows["denominator"].tolist()):
        if area not in out:
            out[area] = (numerator, denominator)
    return out


def _later(when: object, than: object) -> bool:
    return when is not None and (than is None or when > than)  # type: ignore[operator]


def dictionary_beside(data_spec: str) -> Path:
    """LAIT's dictionary sits beside its data as lait_data_dictionary.csv."""
    path = Path(data_spec[5:] if data_spec.startswith("lait:") else data_spec.partition("#")[0])
    for name in ("lait_data_dictionary.csv", "lait_dictionary.csv"):
        candidate = path.parent / name
        if candidate.exists():
            return candidate
    raise InputError(f"Benchmark data: no lait_data_dictionary.csv beside {path} (it gives each indicator's "
                     "polarity)", sheet="Settings")
