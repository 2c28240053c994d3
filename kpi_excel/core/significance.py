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
  England's value, read through the polarity (proportions and rates only: a
  count is of our population and England's of England's); Higher / Similar / Lower when the
  indicator has no polarity (Fingertips' blue), as Fingertips shows it.

:func:`judge` works on whole columns (numpy arrays); the rating engine calls it
once for every row with counts (:mod:`kpi_excel.core.engine.statistics_columns`,
which also writes the words and names the problems).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kpi_excel.core.measures import COUNT, PROPORTION, RATE, Measure
from kpi_excel.core.polarity import Polarity
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
from kpi_excel.core.values import format_number
from kpi_excel.errors import Problem

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
    "versus_word",
    "versus_words",
    "versus_from_counts",
    "ROUNDING_LIMIT",
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
    out["versus"] = _versus(kinds, mult, x_latest, n_latest, _column(comparator, size), level)
    return out


def _versus(kinds: np.ndarray, mult: np.ndarray, x: np.ndarray, n: np.ndarray, comparator: np.ndarray,
            level: float) -> np.ndarray:
    """+1, 0, -1 or NaN: the interval at ``level`` against ``comparator`` (:func:`compare_with`)."""
    low, high = _interval(kinds, mult, x, n, level)
    # England's count is of another population: a count is never compared with it.
    comparable = (kinds == PROPORTION) | (kinds == RATE)
    return np.where(comparable, compare_with(low, high, comparator), np.nan)


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
        # 0.0% of 612 is 0 of them: the rounding allows less than half a case.
        pinned = (value == 0) & (np.nan_to_num(rounding) * n / mult < 0.5)
        need_x = proportion & np.isnan(x) & ~np.isnan(n) & ~np.isnan(value) & (precise | pinned)
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


def versus_words(sign: np.ndarray, high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Fingertips' word for each interval above (+1), around (0) or below (-1) the comparator,
    read through the polarity (``high``: high is good; ``low``: low is good; neither: Higher /
    Lower); empty where ``sign`` is NaN (no comparison)."""
    above = sign > 0
    words = np.where(high, np.where(above, BETTER, WORSE),
                     np.where(low, np.where(above, WORSE, BETTER), np.where(above, HIGHER, LOWER)))
    words = np.where(sign == 0, SIMILAR, words)
    return np.where(np.isnan(sign), "", words).astype(object)


def versus_word(sign: float, polarity: Polarity) -> str:
    """:func:`versus_words` for one comparison."""
    return versus_words(np.array([float(sign)]), np.array([polarity is Polarity.HIGH]),
                        np.array([polarity is Polarity.LOW]))[0]


def versus_from_counts(measure: Measure, value: float, numerator: float, denominator: float, comparator: float,
                       polarity: Polarity, level: float = LEVEL_95, rounding: float = 0.0) -> str:
    """Better / Similar / Worse (or Higher / Lower) from one set of counts, as the
    benchmark gives them; empty when they give no interval."""
    return versus_word(_versus_of_counts(measure.kind, measure.multiplier, value, numerator, denominator,
                                         comparator, level, rounding), polarity)


@lru_cache(maxsize=4096)
def _versus_of_counts(kind: str, multiplier: float, value: float, numerator: float, denominator: float,
                      comparator: float, level: float, rounding: float) -> float:
    """:func:`judge`'s ``versus`` for one row of counts, and only that (a benchmarked row asks for
    nothing else): kept, as a server benchmarks the same rows click after click."""
    kinds = np.asarray([kind], dtype=object)
    mult = _column(multiplier, 1)
    x, n = _complete(kinds, mult, _column(value, 1), _column(numerator, 1), _column(denominator, 1),
                     _column(rounding, 1))
    return float(_versus(kinds, mult, x, n, _column(comparator, 1), level)[0])
