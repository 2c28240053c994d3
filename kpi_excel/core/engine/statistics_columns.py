"""Intervals, significant change and "vs England" for whole columns of indicator rows.

What each row can be tested for comes from its Measure Type (else its Unit; a
percentage with counts is a proportion) and its counts (Numerator/Denominator
cells, or a value written ``3% (420)``). The arithmetic is
:func:`kpi_excel.core.significance.judge`, called once for every row that has
something to test; the words (``35.6% to 54.8%``, "significant", Better /
Similar / Worse) and the problems an officer should fix are the same as
:mod:`kpi_excel.core.significance` describes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kpi_excel.core.engine.cells import RowCells
from kpi_excel.core.engine.parsed import any_of, P_HIGH, P_LOW, ValueColumn, objects
from kpi_excel.core.engine.problems import ProblemLog
from kpi_excel.core.engine.rounding import round_columns
from kpi_excel.core.engine.statistics_counts import place_bracketed_counts, read_count_cells
from kpi_excel.core.engine.statistics_england import england_values
from kpi_excel.core.measures import COUNT, PERCENTAGE, PROPORTION, RATE, STANDARDISED, Measure, measure_from_unit, \
    parse_measure_type
from kpi_excel.core.significance import (
    COUNT_FIELDS,
    NOT_SIGNIFICANT,
    ROUNDING_LIMIT,
    SIGNIFICANT,
    Interval,
    RowStatistics,
    judge,
    versus_words,
)
from kpi_excel.core.stats import LEVEL_95, LEVEL_998, compare_with
from kpi_excel.core.values import Value, format_number
from kpi_excel.errors import CellError

__all__ = ["StatisticsColumns", "statistics_columns"]

_STANDARDISED = "no interval: a directly standardised rate needs its age-specific counts"
_NO_KIND = ("counts are given but neither the Measure Type nor the Unit says whether this is a percentage, a rate "
            "or a count; no interval")


@dataclass
class StatisticsColumns:
    """What the statistics say, a row each (empty where a row has nothing to test)."""

    level: float
    measure: np.ndarray  # Measure or None
    low95: np.ndarray
    high95: np.ndarray
    low998: np.ndarray
    high998: np.ndarray
    significance: np.ndarray  # "significant" / "not significant" / ""
    change_text: np.ndarray
    vs_england: np.ndarray
    percent: np.ndarray
    decimals: np.ndarray  # -1: not known
    counts: np.ndarray  # x_latest, n_latest, x_previous, n_previous (NaN: none), 4 columns
    problems: ProblemLog  # the statistics' own problems (they are in the row's problems too)

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """The interval at ``level`` (95% or 99.8%), NaN where there is none."""
        if abs(level - LEVEL_998) < 1e-9:
            return self.low998, self.high998
        return self.low95, self.high95

    def has_interval(self) -> np.ndarray:
        return ~np.isnan(self.low95) | ~np.isnan(self.low998)

    def row(self, index: int) -> RowStatistics:
        """The row's statistics as one :class:`RowStatistics`."""
        return self.rows(np.asarray([index], dtype=np.intp))[0]

    def rows(self, index: np.ndarray) -> list[RowStatistics]:
        """The statistics of the rows at ``index``, each column read once for them all."""
        bounds = [(level, low[index].tolist(), high[index].tolist())
                  for level, low, high in ((LEVEL_95, self.low95, self.high95), (LEVEL_998, self.low998, self.high998))]
        measure, significance = self.measure[index].tolist(), self.significance[index].tolist()
        change_text, vs_england = self.change_text[index].tolist(), self.vs_england[index].tolist()
        percent, decimals, counts = self.percent[index].tolist(), self.decimals[index].tolist(), \
            self.counts[index].tolist()
        problems = self.problems.row
        out = []
        for k, row in enumerate(index.tolist()):
            intervals = tuple(Interval(level, low[k], high[k]) for level, low, high in bounds if low[k] == low[k])
            found = [None if c != c else c for c in counts[k]]
            places = decimals[k]
            out.append(RowStatistics(
                measure=measure[k], level=self.level, intervals=intervals,
                significance=significance[k], change_text=change_text[k],
                vs_england=vs_england[k], percent=percent[k],
                decimals=None if places < 0 else places, latest_counts=(found[0], found[1]),
                previous_counts=(found[2], found[3]), problems=problems(row),
            ))
        return out


def statistics_columns(cells: RowCells, active: np.ndarray, latest: ValueColumn, previous: ValueColumn,
                       polarity: np.ndarray, level: float, log: ProblemLog) -> StatisticsColumns:
    """Test every ``active`` row that has a kind and counts; problems go to ``log``
    (in the order an officer reads them) and stay with each row's statistics."""
    size = cells.size
    own = ProblemLog(size)
    empty_text = np.full(size, "", dtype=object)
    out = StatisticsColumns(
        level=level, measure=np.full(size, None, dtype=object), low95=np.full(size, np.nan), high95=np.full(size, np.nan),
        low998=np.full(size, np.nan), high998=np.full(size, np.nan), significance=empty_text.copy(),
        change_text=empty_text.copy(), vs_england=empty_text.copy(), percent=np.zeros(size, dtype=bool),
        decimals=np.full(size, -1, dtype=np.int64), counts=np.full((size, 4), np.nan), problems=own,
    )
    described = [cells.distinct(name).present for name in ("measure_type", "unit", *COUNT_FIELDS)]
    any_cell = np.any(described, axis=0)
    work = active & (any_cell | ~np.isnan(latest.count) | ~np.isnan(previous.count))
    if work.any():
        _judge_rows(cells, np.flatnonzero(work), latest, previous, polarity, level, own, out)
    log.extend(own)
    return out


def _judge_rows(cells: RowCells, rows: np.ndarray, latest: ValueColumn, previous: ValueColumn,
                polarity: np.ndarray, level: float, log: ProblemLog, out: StatisticsColumns) -> None:
    # The kind: Measure Type, else Unit; a percentage with counts is a proportion.
    kinds = cells.together("measure_type", "unit")
    answers = kinds.apply(_measure_of_key, blank=(None, None))
    slots = kinds.slots[rows]
    measure = objects([answers[s][0] for s in slots])
    kind_problem = np.array([answers[s][1] is not None for s in slots], dtype=bool)
    log.add(rows[kind_problem], "measure_type", [answers[s][1] for s in slots[kind_problem]])

    read = read_count_cells(cells, rows, log)
    counts, count_problem = read.numbers, read.problem
    has_counts = ~np.isnan(latest.count[rows]) | np.any(
        [cells.distinct(name).present[rows] for name in COUNT_FIELDS], axis=0)
    percentage = (measure == None) & ~kind_problem & latest.percent[rows] & has_counts  # noqa: E711
    measure[percentage] = PERCENTAGE
    kind_of = np.array(["" if m is None else m.kind for m in measure], dtype=object)
    multiplier = np.array([1.0 if m is None else m.multiplier for m in measure], dtype=np.float64)
    for when, column in (("latest", latest), ("previous", previous)):
        x, n = f"{when}_numerator", f"{when}_denominator"
        counts[x], counts[n] = place_bracketed_counts(rows, kind_of, multiplier, column, counts[x], counts[n], when,
                                                      log)
    given = np.any([~np.isnan(counts[name]) for name in COUNT_FIELDS], axis=0)
    out.measure[rows] = measure

    standardised = (kind_of == STANDARDISED) & given & latest.ok[rows]
    log.same(rows[standardised], "measure_type", _STANDARDISED)
    testable = any_of(kind_of, (PROPORTION, RATE, COUNT))
    unknown = (measure == None) & given & ~kind_problem & ~count_problem  # noqa: E711
    log.same(rows[unknown], "unit", _NO_KIND)
    judged = testable & ((kind_of == COUNT) | given)
    if not judged.any():
        return
    picked = rows[judged]
    suppressed = {when: read.suppressed_in(when)[judged] for when in ("latest", "previous")}
    _judge_picked(cells, picked, measure[judged], kind_of[judged], {n: c[judged] for n, c in counts.items()},
                  suppressed, latest, previous, polarity, level, log, out)


def _measure_of_key(key: object) -> tuple[Measure | None, str | None]:
    measure_type, unit = key  # type: ignore[misc]
    try:
        measure = parse_measure_type(measure_type)
    except CellError as error:
        return None, str(error)
    if measure is None:
        measure = measure_from_unit(unit)
    return measure, None


def _rounding(column: ValueColumn, rows: np.ndarray) -> np.ndarray:
    """Half a unit of each value's last shown digit (0 where its precision is not known)."""
    decimals = column.decimals[rows]
    halves = {int(d): 0.5 * 10.0 ** -int(d) for d in np.unique(decimals) if d >= 0}
    half = np.array([halves.get(int(d), 0.0) for d in decimals], dtype=np.float64) if halves else \
        np.zeros(len(rows))
    return np.where(column.ok[rows] & (decimals >= 0), half, 0.0)


def _judge_picked(cells: RowCells, rows: np.ndarray, measure: np.ndarray, kinds: np.ndarray,
                  counts: dict[str, np.ndarray], suppressed: dict[str, np.ndarray], latest: ValueColumn,
                  previous: ValueColumn, polarity: np.ndarray, level: float, log: ProblemLog,
                  out: StatisticsColumns) -> None:
    multiplier = np.array([m.multiplier for m in measure], dtype=np.float64)
    latest_rounding, previous_rounding = _rounding(latest, rows), _rounding(previous, rows)
    # A suppressed count is not worked back from the value: that period has no value to work from.
    latest_number = np.where(suppressed["latest"], np.nan, latest.number[rows])
    previous_number = np.where(suppressed["previous"], np.nan, previous.number[rows])
    result = judge(kinds, multiplier, latest_number, counts["latest_numerator"], counts["latest_denominator"],
                   previous_number, counts["previous_numerator"], counts["previous_denominator"], np.nan,
                   level, latest_rounding, previous_rounding)
    # England is read in the interval's units, beside the value the counts give.
    with np.errstate(invalid="ignore", divide="ignore"):
        own = np.where(kinds == COUNT, result["x_latest"], result["x_latest"] / result["n_latest"] * multiplier)
    low, high = (result["low998"], result["high998"]) if abs(level - LEVEL_998) < 1e-9 else \
        (result["low95"], result["high95"])
    england = england_values(cells, rows, kinds, multiplier, own, latest.shown, ~np.isnan(low), log)
    result["versus"] = compare_with(low, high, england)
    for when, column in (("latest", latest), ("previous", previous)):
        _check_counts(rows, measure, kinds, multiplier, column, counts[f"{when}_numerator"],
                      counts[f"{when}_denominator"], when, log)
    out.low95[rows], out.high95[rows] = result["low95"], result["high95"]
    out.low998[rows], out.high998[rows] = result["low998"], result["high998"]
    any_interval = ~np.isnan(result["low95"]) | ~np.isnan(result["low998"])
    lacking = np.flatnonzero(~any_interval & latest.ok[rows])
    log.add(rows[lacking], "latest_value", [
        _why_no_interval(latest.values[rows[k]], measure[k], counts["latest_numerator"][k], latest_rounding[k],
                         bool(suppressed["latest"][k])) for k in lacking])
    significant = result["significant"]
    significance = np.where(np.isnan(significant), "", np.where(significant == 1, SIGNIFICANT, NOT_SIGNIFICANT))
    # "Too rounded" only where a count was left out and the value was too rounded to give it.
    previous_given = ~np.isnan(counts["previous_numerator"]) | ~np.isnan(counts["previous_denominator"])
    previous_short = (kinds != COUNT) & (np.isnan(result["x_previous"]) | np.isnan(result["n_previous"]))
    too_rounded = (significance == "") & any_interval & previous.ok[rows] & previous_given & previous_short & \
        ~suppressed["previous"] & (previous_rounding > ROUNDING_LIMIT * np.abs(np.nan_to_num(previous.number[rows])))
    log.add(rows[too_rounded], "previous_value", [
        _too_rounded_previous(previous.shown[row], float(previous.number[row])) for row in rows[too_rounded]])
    hidden = (significance == "") & any_interval & suppressed["previous"]
    log.same(rows[hidden], "previous_numerator", "the previous period's numerator is suppressed; the change is not tested")
    out.significance[rows] = significance.astype(object)
    tested = np.flatnonzero(significance != "")
    out.change_text[rows[tested]] = objects([
        _change_text(measure[k], latest.shown[rows[k]], previous.shown[rows[k]], result, k) for k in tested])
    out.vs_england[rows] = versus_words(result["versus"], polarity[rows] == P_HIGH, polarity[rows] == P_LOW)
    out.percent[rows] = np.array([m.percent for m in measure], dtype=bool) | latest.percent[rows]
    out.decimals[rows] = np.where(latest.decimals[rows] >= 0, latest.decimals[rows], previous.decimals[rows])
    out.counts[rows] = np.column_stack([result["x_latest"], result["n_latest"], result["x_previous"],
                                        result["n_previous"]])


def _why_no_interval(value: Value, measure: Measure, numerator: float, rounding: float, suppressed: bool) -> str:
    if suppressed:
        return "the numerator is suppressed; it is not worked back from the value, so no interval"
    if value.number == 0 and not np.isnan(numerator):
        return f"no interval: the denominator cannot be worked out from {value.display()}; give it"
    if rounding > ROUNDING_LIMIT * abs(value.number):
        missing = "denominator" if not np.isnan(numerator) else "numerator"
        return f"{value.display()} is too rounded to work out the {missing} from it; give both counts for an interval"
    return f"no interval for this {measure.describe()}: " + _what_is_missing(measure)


def _too_rounded_previous(shown: str, number: float) -> str:
    if number == 0:
        return (f"the previous period's other count cannot be worked out from {shown}; give both counts to test "
                "the change")
    return f"{shown} is too rounded to work out its other count; give both counts to test the change"


def _check_counts(rows: np.ndarray, measure: np.ndarray, kinds: np.ndarray, multiplier: np.ndarray,
                  column: ValueColumn, x: np.ndarray, n: np.ndarray, when: str, log: ProblemLog) -> None:
    """Counts that disagree with the value shown are named (the interval uses the counts)."""
    number = column.number[rows]
    checked = column.ok[rows] & ~np.isnan(x)
    count = kinds == COUNT
    no_n = ~count & np.isnan(n)
    bad_n = checked & ~count & ~no_n & (n <= 0)
    log.add(rows[bad_n], f"{when}_denominator",
            [f"a denominator of {format_number(v, None)} gives no interval" for v in n[bad_n]])
    over = checked & ~count & ~no_n & ~bad_n & (kinds == PROPORTION) & (x > n)
    log.add(rows[over], f"{when}_numerator",
            [f"{format_number(a, None)} of {format_number(b, None)} is more than all of them; no interval"
             for a, b in zip(x[over], n[over])])
    compared = checked & (count | (~no_n & ~bad_n & ~over))
    with np.errstate(invalid="ignore", divide="ignore"):
        implied = np.where(count, x, x / n * multiplier)
    places = column.decimals[rows]
    differ = compared & (round_columns(implied, places) != round_columns(number, places))
    messages = []
    for k in np.flatnonzero(differ):
        value = column.values[rows[k]]
        shown = format_number(float(implied[k]), value.decimals if value.decimals is not None else 2, value.percent)
        of = format_number(float(x[k]), None) if count[k] else \
            f"{format_number(float(x[k]), None)} of {format_number(float(n[k]), None)}"
        messages.append(f"{value.display()} does not match its counts ({of} is {shown}); the interval uses the counts")
    log.add(rows[differ], f"{when}_value", messages)


def _what_is_missing(measure: Measure) -> str:
    if measure.kind == PROPORTION:
        return "it needs a numerator and a denominator (or a value with one of them)"
    if measure.kind == RATE:
        return "it needs the count of events (the numerator)"
    return "it needs the count"


def _change_text(measure: Measure, latest: str, previous: str, result: dict[str, np.ndarray], k: int) -> str:
    """``40% to 45% on 100 cases``: the move and what it rests on."""
    move = f"{previous} to {latest}"
    if measure.kind == PROPORTION:
        before, after = float(result["n_previous"][k]), float(result["n_latest"][k])
        if round(before) == round(after):
            return f"{move} on {_whole(after)} cases"
        return f"{move} on {_whole(before)} and {_whole(after)} cases"
    if measure.kind == RATE:
        return (f"{move} per {measure.multiplier:,.0f}; {_whole(float(result['x_previous'][k]))} and "
                f"{_whole(float(result['x_latest'][k]))} events")
    return move


def _whole(number: float) -> str:
    text = f"{number:,.0f}"
    return text if abs(number - round(number)) < 1e-9 else f"about {text}"
