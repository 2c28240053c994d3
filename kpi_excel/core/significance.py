"""Was it real? Confidence intervals, significant change and "vs England" for indicator rows.

The arithmetic lives in :mod:`kpi_excel.core.stats`. This module decides what
each row can be tested for (its kind, from :mod:`kpi_excel.core.measures`, and
its counts), works out a count a source left out when the value gives it (``3%
(420)`` is 420 of about 14,000), and says the answers in an officer's words:

* ``95% CI``: ``35.6% to 54.8%``;
* the change from the comparable previous period: ``significant`` when the
  interval for the difference (Newcombe, for proportions) or for the ratio
  (exact Poisson, for rates and counts) leaves out "no change";
* ``vs England``: Better / Similar / Worse by whether the interval holds
  England's value, read through the polarity; Higher / Similar / Lower when the
  indicator has no polarity (Fingertips' blue), as Fingertips shows it.

:func:`judge` works on whole columns (numpy arrays), ready for a column-at-a-time
engine; :func:`judge_row` is the same for one row, as the row assessor uses it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Mapping

import numpy as np

from kpi_excel.core.measures import COUNT, PERCENTAGE, PROPORTION, RATE, Measure, measure_from_unit, \
    parse_measure_type
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.rag import Rating
from kpi_excel.core.stats import (
    LEVEL_95,
    LEVEL_998,
    compare_with,
    count_interval,
    newcombe_difference,
    poisson_ratio_interval,
    rate_interval,
    wilson_interval,
)
from kpi_excel.core.trend import (
    DECLINING,
    DECREASE,
    IMPROVING,
    INCREASE,
    NO_CHANGE,
    NOT_APPLICABLE,
    SAME,
    Trend,
    same_at_precision,
)
from kpi_excel.core.values import Value, ValueReadError, format_number, parse_value
from kpi_excel.errors import CellError, Problem

__all__ = [
    "SIGNIFICANT",
    "NOT_SIGNIFICANT",
    "BETTER",
    "SIMILAR",
    "WORSE",
    "HIGHER",
    "LOWER",
    "COUNT_FIELDS",
    "Interval",
    "RowStatistics",
    "judge",
    "judge_row",
    "row_measure",
    "versus_word",
    "versus_from_counts",
    "trend_with_significance",
    "reason_with_change",
]

SIGNIFICANT, NOT_SIGNIFICANT = "significant", "not significant"
BETTER, SIMILAR, WORSE, HIGHER, LOWER = "Better", "Similar", "Worse", "Higher", "Lower"
COUNT_FIELDS = ("previous_numerator", "previous_denominator", "latest_numerator", "latest_denominator")
LEVELS = (LEVEL_95, LEVEL_998)


@dataclass(frozen=True)
class Interval:
    """A confidence interval in the value's own units (points for a percentage)."""

    level: float
    low: float
    high: float


@dataclass(frozen=True)
class RowStatistics:
    """What the statistics say about one row; empty strings where they cannot say."""

    measure: Measure | None = None
    level: float = LEVEL_95
    intervals: tuple[Interval, ...] = ()
    significance: str = ""
    change_text: str = ""  # "40% to 45% on 100 cases"
    vs_england: str = ""
    percent: bool = False
    decimals: int | None = None
    latest_counts: tuple[float | None, float | None] = (None, None)
    previous_counts: tuple[float | None, float | None] = (None, None)
    problems: tuple[Problem, ...] = ()

    def interval(self, level: float = LEVEL_95) -> Interval | None:
        return next((i for i in self.intervals if abs(i.level - level) < 1e-9), None)

    def interval_text(self, level: float = LEVEL_95) -> str:
        """``35.6% to 54.8%``; empty when there is no interval."""
        found = self.interval(level)
        if found is None:
            return ""
        sign = "%" if self.percent else ""
        places = max(self.decimals if self.decimals is not None else 1, 1)  # one place at least: 35.6% to 54.8%
        return f"{format_number(found.low, places)}{sign} to {format_number(found.high, places)}{sign}"


# --- whole columns --------------------------------------------------------------------------


def _column(values: object, length: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    return np.broadcast_to(array, (length,)).copy() if array.ndim == 0 else array.astype(np.float64)


def judge(
    kind: object,
    multiplier: object,
    latest_value: object,
    latest_numerator: object,
    latest_denominator: object,
    previous_value: object = np.nan,
    previous_numerator: object = np.nan,
    previous_denominator: object = np.nan,
    comparator: object = np.nan,
    level: float = LEVEL_95,
    latest_rounding: object = 0.0,
    previous_rounding: object = 0.0,
) -> dict[str, np.ndarray]:
    """Intervals, change and comparison for whole columns of indicators.

    ``kind`` holds ``proportion``, ``rate``, ``count`` or anything else (no
    statistics); values are in display units (a percentage in points, a rate per
    ``multiplier``). A missing numerator or denominator is worked out from the
    value where it can be. Returns arrays: ``low95``, ``high95``, ``low998``,
    ``high998``; ``change_low``/``change_high`` (a difference of proportions or a
    ratio of rates); ``significant`` (1, 0 or NaN); ``versus`` (+1 interval above
    the comparator, -1 below, 0 holds it, NaN); and the counts used.
    """
    kinds = np.asarray(kind, dtype=object).reshape(-1)
    size = len(kinds)
    mult = _column(multiplier, size)
    latest = _column(latest_value, size)
    previous = _column(previous_value, size)
    x_latest, n_latest = _complete(kinds, mult, latest, _column(latest_numerator, size),
                                   _column(latest_denominator, size), _column(latest_rounding, size))
    x_previous, n_previous = _complete(kinds, mult, previous, _column(previous_numerator, size),
                                       _column(previous_denominator, size), _column(previous_rounding, size))
    out: dict[str, np.ndarray] = {"x_latest": x_latest, "n_latest": n_latest, "x_previous": x_previous,
                                  "n_previous": n_previous}
    for chosen in LEVELS:
        low, high = _interval(kinds, mult, x_latest, n_latest, chosen)
        suffix = "95" if chosen == LEVEL_95 else "998"
        out[f"low{suffix}"], out[f"high{suffix}"] = low, high
    proportion, poisson = kinds == PROPORTION, (kinds == RATE) | (kinds == COUNT)
    change_low = np.full(size, np.nan)
    change_high = np.full(size, np.nan)
    significant = np.full(size, np.nan)
    if proportion.any():
        _, low, high = newcombe_difference(x_latest[proportion], n_latest[proportion], x_previous[proportion],
                                           n_previous[proportion], level)
        change_low[proportion], change_high[proportion] = low, high
        significant[proportion] = np.where(np.isnan(low), np.nan, (low > 0) | (high < 0))
    if poisson.any():
        counts_only = kinds[poisson] == COUNT
        exposure_latest = np.where(counts_only, 1.0, n_latest[poisson])
        exposure_previous = np.where(counts_only, 1.0, n_previous[poisson])
        _, low, high = poisson_ratio_interval(x_latest[poisson], exposure_latest, x_previous[poisson],
                                              exposure_previous, level)
        change_low[poisson], change_high[poisson] = low, high
        significant[poisson] = np.where(np.isnan(low), np.nan, (low > 1) | (high < 1))
    out["change_low"], out["change_high"], out["significant"] = change_low, change_high, significant
    low, high = _interval(kinds, mult, x_latest, n_latest, level)
    out["versus"] = compare_with(low, high, _column(comparator, size))
    return out


# A count worked out from a value rounded by more than this share of it is not worked out.
ROUNDING_LIMIT = 0.05


def _complete(kinds: np.ndarray, mult: np.ndarray, value: np.ndarray, x: np.ndarray, n: np.ndarray,
              rounding: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numerators and denominators, the missing one worked out from the value."""
    x, n = x.copy(), n.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        proportion = kinds == PROPORTION
        rate = kinds == RATE
        count = kinds == COUNT
        precise = ~(np.nan_to_num(rounding) > ROUNDING_LIMIT * np.abs(value))
        need_x = proportion & np.isnan(x) & ~np.isnan(n) & ~np.isnan(value) & precise
        x[need_x] = value[need_x] * n[need_x] / mult[need_x]
        need_n = (proportion | rate) & np.isnan(n) & ~np.isnan(x) & (value > 0) & precise
        n[need_n] = x[need_n] * mult[need_n] / value[need_n]
        x[count & np.isnan(x)] = value[count & np.isnan(x)]
        n[count] = np.nan
    return x, n


def _interval(kinds: np.ndarray, mult: np.ndarray, x: np.ndarray, n: np.ndarray,
              level: float) -> tuple[np.ndarray, np.ndarray]:
    low, high = np.full(len(kinds), np.nan), np.full(len(kinds), np.nan)
    proportion, rate, count = kinds == PROPORTION, kinds == RATE, kinds == COUNT
    if proportion.any():
        p_low, p_high = wilson_interval(x[proportion], n[proportion], level)
        low[proportion], high[proportion] = p_low * mult[proportion], p_high * mult[proportion]
    if rate.any():
        low[rate], high[rate] = rate_interval(x[rate], n[rate], mult[rate], level)
    if count.any():
        low[count], high[count] = count_interval(x[count], level)
    return low, high


def versus_word(sign: float, polarity: Polarity) -> str:
    """Fingertips' word for an interval above (+1), around (0) or below (-1) the comparator."""
    if sign != sign:  # NaN: no comparison
        return ""
    if sign == 0:
        return SIMILAR
    if polarity is Polarity.HIGH:
        return BETTER if sign > 0 else WORSE
    if polarity is Polarity.LOW:
        return WORSE if sign > 0 else BETTER
    return HIGHER if sign > 0 else LOWER


def versus_from_counts(measure: Measure, value: float, numerator: float, denominator: float, comparator: float,
                       polarity: Polarity, level: float = LEVEL_95, rounding: float = 0.0) -> str:
    """Better / Similar / Worse (or Higher / Lower) from one set of counts, as the
    benchmark gives them; empty when they give no interval."""
    result = judge([measure.kind], measure.multiplier, value, numerator, denominator, comparator=comparator,
                   level=level, latest_rounding=rounding)
    return versus_word(float(result["versus"][0]), polarity)


# --- one row --------------------------------------------------------------------------------


def row_measure(row: Mapping[str, object], latest: Value | None = None) -> tuple[Measure | None, list[Problem]]:
    """The row's kind: its Measure Type, else its Unit; a percentage value that
    comes with counts is a proportion (the counts say "x of n")."""
    problems: list[Problem] = []
    try:
        measure = parse_measure_type(_blank_to_none(row.get("measure_type")))
    except CellError as error:
        problems.append(Problem("measure_type", str(error)))
        measure = None
    if measure is None and not problems:
        measure = measure_from_unit(_blank_to_none(row.get("unit")))
    if measure is None and not problems and latest is not None and latest.percent:
        has_counts = latest.count is not None or any(_blank_to_none(row.get(f)) is not None for f in COUNT_FIELDS)
        if has_counts:
            measure = PERCENTAGE
    return measure, problems


def judge_row(
    row: Mapping[str, object],
    formats: Mapping[str, str | None],
    latest: Value,
    previous: Value,
    polarity: Polarity,
    level: float = LEVEL_95,
) -> RowStatistics:
    """Intervals, change and "vs England" for one KPI row (cells by canonical name).

    Counts come from ``latest_numerator`` ... ``previous_denominator`` cells, or
    a value written ``3% (420)``; England's value from the ``england`` cell.
    Problems (an unreadable count, counts that disagree with the value) are
    returned, not raised.
    """
    if latest.count is None and previous.count is None and all(
            _blank_to_none(row.get(name)) is None for name in ("measure_type", "unit", *COUNT_FIELDS)):
        return RowStatistics(level=level)  # nothing says what kind of number this is, and no counts
    measure, problems = row_measure(row, latest)
    counts = {name: _count(row, name, problems) for name in COUNT_FIELDS}
    if latest.count is not None and counts["latest_numerator"] is None:
        counts["latest_numerator"] = latest.count
    if previous.count is not None and counts["previous_numerator"] is None:
        counts["previous_numerator"] = previous.count
    if measure is None or not measure.has_interval:
        if measure is None and any(v is not None for v in counts.values()) and not problems:
            problems.append(Problem("unit", "counts are given but neither the Measure Type nor the Unit says "
                                            "whether this is a percentage, a rate or a count; no interval"))
        return RowStatistics(measure=measure, level=level, problems=tuple(problems))
    given = any(v is not None for v in counts.values())
    if measure.kind != COUNT and not given:
        return RowStatistics(measure=measure, level=level, problems=tuple(problems))  # no counts: nothing to say
    england = _comparator(row, formats, latest, problems)
    result = judge(
        [measure.kind], measure.multiplier, _number(latest), _or_nan(counts["latest_numerator"]),
        _or_nan(counts["latest_denominator"]), _number(previous), _or_nan(counts["previous_numerator"]),
        _or_nan(counts["previous_denominator"]), england, level, _rounding(latest), _rounding(previous),
    )
    _check_counts(measure, latest, counts["latest_numerator"], counts["latest_denominator"], "latest", problems)
    _check_counts(measure, previous, counts["previous_numerator"], counts["previous_denominator"], "previous",
                  problems)
    intervals = tuple(
        Interval(chosen, float(result[f"low{suffix}"][0]), float(result[f"high{suffix}"][0]))
        for chosen, suffix in ((LEVEL_95, "95"), (LEVEL_998, "998"))
        if not math.isnan(result[f"low{suffix}"][0])
    )
    if not intervals and latest.ok:
        if _rounding(latest) > ROUNDING_LIMIT * abs(latest.number):  # type: ignore[arg-type]
            problems.append(Problem("latest_value", f"{latest.display()} is too rounded to work out the "
                                                    f"{'denominator' if counts['latest_numerator'] is not None else 'numerator'} "
                                                    "from it; give both counts for an interval"))
        else:
            problems.append(Problem("latest_value", f"no interval for this {measure.describe()}: "
                                                    + _what_is_missing(measure, counts, "latest")))
    significant = float(result["significant"][0])
    significance = "" if math.isnan(significant) else (SIGNIFICANT if significant else NOT_SIGNIFICANT)
    previous_given = counts["previous_numerator"] is not None or counts["previous_denominator"] is not None
    if not significance and intervals and previous.ok and previous_given and \
            _rounding(previous) > ROUNDING_LIMIT * abs(previous.number):  # type: ignore[arg-type]
        problems.append(Problem("previous_value", f"{previous.display()} is too rounded to work out its other "
                                                  "count; give both counts to test the change"))
    decimals = latest.decimals if latest.decimals is not None else previous.decimals
    return RowStatistics(
        measure=measure,
        level=level,
        intervals=intervals,
        significance=significance,
        change_text=_change_text(measure, latest, previous, result) if significance else "",
        vs_england=versus_word(float(result["versus"][0]), polarity),
        percent=measure.percent or latest.percent,
        decimals=decimals,
        latest_counts=(_or_none(result["x_latest"][0]), _or_none(result["n_latest"][0])),
        previous_counts=(_or_none(result["x_previous"][0]), _or_none(result["n_previous"][0])),
        problems=tuple(problems),
    )


def _blank_to_none(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _count(row: Mapping[str, object], name: str, problems: list[Problem]) -> float | None:
    raw = _blank_to_none(row.get(name))
    if raw is None:
        return None
    try:
        value = parse_value(raw, None)  # a count is a count whatever its cell format says
    except ValueReadError as error:
        problems.append(Problem(name, f"{error}; no interval"))
        return None
    if value.number is None:
        return None  # suppressed ("c", "x"): no count, no interval
    if value.percent:
        problems.append(Problem(name, f"'{value.display()}' is a percentage, not a count; no interval"))
        return None
    if value.number < 0:
        problems.append(Problem(name, f"{value.display()} is a negative count; no interval"))
        return None
    return value.number


def _comparator(row: Mapping[str, object], formats: Mapping[str, str | None], latest: Value,
                problems: list[Problem]) -> float:
    raw = _blank_to_none(row.get("england"))
    if raw is None:
        return math.nan
    try:
        value = parse_value(raw, formats.get("england"))
    except ValueReadError as error:
        problems.append(Problem("england", f"{error}; not compared with England"))
        return math.nan
    if value.number is None:
        return math.nan
    number = value.number
    if latest.ok and latest.percent and not value.percent and abs(number) <= 1 < abs(latest.number):  # type: ignore[arg-type]
        number *= 100  # 0.88 beside 93.8%: England's 88%
    return number


def _rounding(value: Value) -> float:
    """Half a unit of the value's last shown digit (0 when its precision is not known)."""
    if value.number is None or value.decimals is None:
        return 0.0
    return 0.5 * 10.0 ** -value.decimals


def _number(value: Value) -> float:
    return math.nan if value.number is None else float(value.number)


def _or_nan(number: float | None) -> float:
    return math.nan if number is None else float(number)


def _or_none(number: float) -> float | None:
    return None if number != number else float(number)


def _check_counts(measure: Measure, value: Value, x: float | None, n: float | None, when: str,
                  problems: list[Problem]) -> None:
    """Counts that disagree with the value shown are named (the interval uses the counts)."""
    if not value.ok or x is None:
        return
    field = f"{when}_value"
    if measure.kind == COUNT:
        implied = x
    elif n is None:
        return
    elif n <= 0:
        problems.append(Problem(f"{when}_denominator", f"a denominator of {format_number(n, None)} gives no "
                                                       "interval"))
        return
    else:
        if measure.kind == PROPORTION and x > n:
            problems.append(Problem(f"{when}_numerator", f"{format_number(x, None)} of {format_number(n, None)} "
                                                         "is more than all of them; no interval"))
            return
        implied = x / n * measure.multiplier
    places = value.decimals
    if not same_at_precision(implied, value.number, places):  # type: ignore[arg-type]
        shown = format_number(implied, places if places is not None else 2, value.percent)
        of = format_number(x, None) if measure.kind == COUNT else \
            f"{format_number(x, None)} of {format_number(n, None)}"  # type: ignore[arg-type]
        problems.append(Problem(field, f"{value.display()} does not match its counts ({of} is {shown}); "
                                       "the interval uses the counts"))


def _what_is_missing(measure: Measure, counts: Mapping[str, float | None], when: str) -> str:
    if measure.kind == PROPORTION:
        return "it needs a numerator and a denominator (or a value with one of them)"
    if measure.kind == RATE:
        return "it needs the count of events (the numerator)"
    return "it needs the count"


def _change_text(measure: Measure, latest: Value, previous: Value, result: Mapping[str, np.ndarray]) -> str:
    """``40% to 45% on 100 cases``: the move and what it rests on."""
    move = f"{previous.display()} to {latest.display()}"
    if measure.kind == PROPORTION:
        before, after = result["n_previous"][0], result["n_latest"][0]
        if round(before) == round(after):
            return f"{move} on {_whole(after)} cases"
        return f"{move} on {_whole(before)} and {_whole(after)} cases"
    if measure.kind == RATE:
        return (f"{move} per {measure.multiplier:,.0f}; {_whole(result['x_previous'][0])} and "
                f"{_whole(result['x_latest'][0])} events")
    return move


def _whole(number: float) -> str:
    text = f"{number:,.0f}"
    return text if abs(number - round(number)) < 1e-9 else f"about {text}"


# --- trend and reason ------------------------------------------------------------------------


def trend_with_significance(trend: Trend, statistics: RowStatistics | None, needs_significance: bool) -> Trend:
    """With "Trend needs significance", a change that is not significant reads Same
    (direction No change), so the quartile key does not count noise as a trend."""
    if not needs_significance or statistics is None or statistics.significance != NOT_SIGNIFICANT:
        return trend
    if trend.word not in (INCREASE, DECREASE):
        return trend
    direction = NO_CHANGE if trend.direction in (IMPROVING, DECLINING) else trend.direction
    return replace(trend, word=SAME, direction=direction,
                   note=f"{trend.word.lower()} treated as no change: not significant")


def reason_with_change(rating: Rating, trend: Trend, statistics: RowStatistics | None) -> Rating:
    """The RAG reason with the move and its significance:
    ``...; Improving (not significant: 40% to 45% on 100 cases)``."""
    if statistics is None or not statistics.significance or not statistics.change_text:
        return rating
    if trend.direction in (IMPROVING, DECLINING, NO_CHANGE):
        label = trend.direction
    elif trend.word in (INCREASE, DECREASE, SAME):
        label = trend.word
    else:
        return rating
    if trend.direction == NOT_APPLICABLE and trend.word == SAME and statistics.significance == SIGNIFICANT:
        label = "Same as displayed"
    return replace(rating, reason=f"{rating.reason}; {label} ({statistics.significance}: {statistics.change_text})")
