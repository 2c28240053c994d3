"""Rate a whole table of indicator rows, a column at a time: the rating engine.

The steps, each over every row at once:

1. read each input column once per distinct cell (polarity, frequency, periods,
   values, target) and name what cannot be read;
2. put a fraction and a percentage on one scale (0.776 beside 76.0% is 77.6%);
3. take a missing polarity from a one-sided target, and name a target that
   points the other way from the polarity;
4. trend: change, Increase/Decrease/Same, direction;
5. statistics: intervals, significant change, vs England (rows with counts);
   with "trend needs significance", a change that is not significant reads Same;
6. read quartile, rule and override; rate; add the move and its significance
   to the reason;
7. check the periods and any published trend or RAG;
8. rows marked as parts of a group (a Group column naming the total's Code) give
   way to their total, the rated row.

A row with no indicator, code, value or target is blank (a heading or an empty
row): no answers and no problems. Problems come back per row in the order
above, which is the order an officer reads them in.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from kpi_excel.core.engine.cells import RowCells
from kpi_excel.core.engine.checks import check_periods, check_published, effective_frequencies, frequency_of
from kpi_excel.core.engine.options import RateOptions
from kpi_excel.core.engine.parsed import (
    any_of,
    D_DECLINING,
    D_IMPROVING,
    D_NO_CHANGE,
    D_NOT_APPLICABLE,
    DIRECTIONS,
    K_AUTO,
    K_TARGET,
    K_TREND,
    OP_TOP_QUARTILE,
    POLARITIES,
    RAGS,
    W_NA,
    W_SAME,
    WORDS,
    ToleranceColumn,
    objects,
)
from kpi_excel.core.engine.groups import rate_as_groups
from kpi_excel.core.engine.problems import ProblemLog
from kpi_excel.core.engine.rag_columns import RagInputs, rag_columns
from kpi_excel.core.engine.reading import (
    inferred_polarity,
    read_frequency,
    read_override,
    read_period,
    read_polarity,
    read_quartile,
    read_rules,
    read_target,
    read_values,
)
from kpi_excel.core.engine.results import Ratings
from kpi_excel.core.engine.statistics_columns import StatisticsColumns, statistics_columns
from kpi_excel.core.engine.trend_columns import trend_columns, with_significance
from kpi_excel.core.engine.units import same_units
from kpi_excel.core.significance import NOT_SIGNIFICANT, SIGNIFICANT

__all__ = ["rate_rows", "ESSENTIAL"]

# A row with none of these is a heading or an empty row.
ESSENTIAL = ("indicator", "code", "latest_value", "previous_value", "target")


def rate_rows(
    cells: Mapping[str, object] | RowCells,
    formats: Mapping[str, object] | None = None,
    options: RateOptions = RateOptions(),
    *,
    size: int | None = None,
    skip: np.ndarray | None = None,
) -> Ratings:
    """Rate every row. ``cells`` maps canonical field names (see
    :mod:`kpi_excel.core.columns`) to columns of raw cell values, a row each;
    ``formats`` gives Excel number formats by field where the rows came from a
    workbook. ``skip`` marks rows that are not indicators (footnotes under a
    table): they come back blank, like empty rows."""
    if not isinstance(cells, RowCells):
        if size is None:
            size = len(next(iter(cells.values()))) if cells else 0  # type: ignore[arg-type]
        cells = RowCells(size, cells, formats)
    size = cells.size
    log = ProblemLog(size)
    # Names and codes are seldom repeated: only their presence is looked at here.
    blank = ~np.any([cells.present(name) if name in ("indicator", "code") else cells.distinct(name).present
                     for name in ESSENTIAL], axis=0) if size else np.zeros(0, bool)
    if skip is not None:
        blank = blank | skip
    active = ~blank

    polarity = read_polarity(cells, active, log)
    frequency = read_frequency(cells, active, log)
    latest_period = read_period(cells, "latest_period", active, log)
    previous_period = read_period(cells, "previous_period", active, log)
    latest = read_values(cells, "latest_value", active, log)
    previous = read_values(cells, "previous_value", active, log)
    target = read_target(cells, active, log)
    same_units(latest, previous, target, active, log)
    pole = inferred_polarity(polarity, target, log, active)

    same_within = None
    if options.same_within is not None:
        same_within = ToleranceColumn.of([options.same_within] * size)
    trend = trend_columns(previous, latest, pole, target, same_within)
    statistics = statistics_columns(cells, active, latest, previous, pole, options.confidence, log)
    if options.trend_needs_significance:
        with_significance(trend, statistics.significance == NOT_SIGNIFICANT)

    quartile = read_quartile(cells, active, log)
    rules = read_rules(cells, options, active, log)
    override = read_override(cells, active, log)
    needs_benchmark = active & (target.op == OP_TOP_QUARTILE) & (quartile.number == 0) & \
        any_of(rules.kind, (K_AUTO, K_TARGET))
    rows = np.flatnonzero(needs_benchmark)
    log.add(rows, "target", [f"'{target.shown[row]}' needs benchmark data (Settings: Benchmark data) or a Quartile "
                             "to say where the top quartile starts" for row in rows])

    stretch = read_target(cells, active, log, "stretch_target") if cells.distinct("stretch_target").present.any() \
        else None
    rated = rag_columns(RagInputs(
        kind=rules.kind, green=rules.green, amber=rules.amber, latest=latest, previous=previous, target=target,
        polarity=pole, polarity_known=polarity.known, no_polarity_reason=polarity.no_polarity_reason,
        direction=_rag_direction(trend.direction, statistics, rules.kind, options), quartile=quartile.number,
        half=quartile.half, override=override, rules=rules.specs, own=rules.own, stretch=stretch,
    ))
    reasons = rated.reason
    _with_change(reasons, trend.word, trend.direction, statistics)
    rag = RAGS[rated.rag]
    rag = council_names(rag, reasons, rules.specs, rules.named)

    working = np.flatnonzero(active)
    frequencies = effective_frequencies(cells, frequency)
    check_periods(working, latest_period, cells.distinct("latest_period").slots, previous_period,
                  cells.distinct("previous_period").slots, frequencies, log)
    check_published(cells, working, trend.word, trend.direction, latest.shown, previous.shown, rag, reasons, log,
                    rules.specs)
    rule = rated.rule
    if cells.distinct("group").present.any():
        rag, rule = rag.copy(), rule.copy()
        rate_as_groups(cells, working, rag, reasons, rule, log)

    return _ratings(blank, trend, rag, reasons, rule, log, latest, previous, polarity, pole, target,
                    frequencies, latest_period, previous_period, quartile.quartiles, statistics)


def council_names(rag: np.ndarray, reasons: np.ndarray, specs: np.ndarray, named: np.ndarray) -> np.ndarray:
    """Each status in the council's own word where its key names it ("Green star"),
    the reason starting with that word too."""
    if not named.any():
        return rag
    rag = rag.copy()
    for row in np.flatnonzero(named).tolist():
        word = specs[row].name_of(rag[row])
        if word != rag[row]:
            if str(reasons[row]).startswith(f"{rag[row]}:"):
                reasons[row] = f"{word}:{reasons[row][len(rag[row]) + 1:]}"
            rag[row] = word
    return rag


def _rag_direction(direction: np.ndarray, statistics: StatisticsColumns, kind: np.ndarray,
                   options: RateOptions) -> np.ndarray:
    """The direction the RAG key reads: a move the counts show is not significant
    is no change to the quartile key (the trend rule keeps its own direction)."""
    if not options.quartile_needs_significance:
        return direction
    noise = (statistics.significance == NOT_SIGNIFICANT) & (kind != K_TREND) & \
        ((direction == D_IMPROVING) | (direction == D_DECLINING))
    return np.where(noise, D_NO_CHANGE, direction).astype(direction.dtype)


def _with_change(reasons: np.ndarray, word: np.ndarray, direction: np.ndarray, statistics: StatisticsColumns) -> None:
    """The reason with the move and its significance: ``...; Improving (not
    significant: 40% to 45% on 100 cases)``."""
    rows = np.flatnonzero((statistics.significance != "") & (statistics.change_text != ""))
    for row in rows:
        if direction[row] in (D_IMPROVING, D_DECLINING, D_NO_CHANGE):
            label = DIRECTIONS[direction[row]]
        elif word[row] != W_NA:
            label = WORDS[word[row]]
        else:
            continue
        significance = statistics.significance[row]
        if direction[row] == D_NOT_APPLICABLE and word[row] == W_SAME and significance == SIGNIFICANT:
            label = "Same as displayed"
        reasons[row] = f"{reasons[row]}; {label} ({significance}: {statistics.change_text[row]})"


def _ratings(blank, trend, rag, reasons, rule, log, latest, previous, polarity, pole, target,  # type: ignore[no-untyped-def]
             frequencies, latest_period, previous_period, quartiles, statistics) -> Ratings:
    empty = np.full(len(blank), "", dtype=object)
    nothing = np.full(len(blank), None, dtype=object)
    some_blank = bool(blank.any())

    def unless_blank(column: np.ndarray, instead: np.ndarray) -> np.ndarray:
        return np.where(blank, instead, column) if some_blank else column

    polarities = np.where(polarity.known, objects(list(POLARITIES))[pole], nothing)
    every_frequency = objects([frequency_of(code) for code in range(int(frequencies.max(initial=0)) + 1)])
    return Ratings(
        blank=blank, change=unless_blank(trend.change, np.full(len(blank), np.nan)),
        trend=unless_blank(WORDS[trend.word], empty), direction=unless_blank(DIRECTIONS[trend.direction], empty),
        rag=unless_blank(rag, empty), rag_reason=unless_blank(reasons, empty), rule=unless_blank(rule, empty),
        problems=log, latest=unless_blank(latest.values, nothing), previous=unless_blank(previous.values, nothing),
        polarity=unless_blank(polarities, nothing), target=unless_blank(target.targets, nothing),
        frequency=unless_blank(every_frequency[frequencies], nothing),
        latest_period=unless_blank(latest_period, nothing), previous_period=unless_blank(previous_period, nothing),
        quartile=unless_blank(quartiles, nothing), statistics=statistics,
    )
