"""Trend for whole columns: change, Increase/Decrease/Same, and direction by polarity.

The rules (see :mod:`kpi_excel.core.trend` for the words):

* Same means equal at the precision the values are shown with (the finer of
  the two), or, with a "same within" tolerance, a move no bigger than it.
* Direction reads the move through the polarity: Improving / Declining / No
  change; Not applicable without a polarity or a value. For "close to target"
  indicators, moving nearer the target (a band or a point) is Improving.
* A censored value (``<0.1%``) is a bound: the move is known only when the
  bounds settle it, the change is then not a number, and "close to target"
  cannot say whether it moved nearer.
* With "trend needs significance", a change that is not significant reads Same
  (direction No change).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from kpi_excel.core.engine.parsed import (
    any_of,
    D_DECLINING,
    D_IMPROVING,
    D_NO_CHANGE,
    D_NOT_APPLICABLE,
    OP_BAND,
    P_HIGH,
    P_LOW,
    P_NONE,
    P_TARGET,
    W_DECREASE,
    W_INCREASE,
    W_NA,
    W_SAME,
    DIRECTIONS,
    POLARITY_CODE,
    WORDS,
    TargetColumn,
    ToleranceColumn,
    ValueColumn,
)
from kpi_excel.core.engine.rounding import max_decimals, round_columns
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.targets import Target, Tolerance
from kpi_excel.core.trend import Trend
from kpi_excel.core.values import Value

__all__ = ["TrendColumns", "trend_columns", "with_significance", "assess_trends"]


@dataclass
class TrendColumns:
    """``change`` (NaN: none), ``word`` and ``direction`` codes, a row each."""

    change: np.ndarray
    word: np.ndarray
    direction: np.ndarray


def trend_columns(previous: ValueColumn, latest: ValueColumn, polarity: np.ndarray, target: TargetColumn,
                  same_within: ToleranceColumn | None = None) -> TrendColumns:
    """Compare each row's latest value with its previous one."""
    size = len(polarity)
    change = np.full(size, np.nan)
    word = np.full(size, W_NA, dtype=np.int8)
    direction = np.full(size, D_NOT_APPLICABLE, dtype=np.int8)
    both = latest.ok & previous.ok
    bounded = both & ((latest.bound != 0) | (previous.bound != 0))
    plain = np.flatnonzero(both & ~bounded)
    if len(plain):
        _plain(plain, previous, latest, polarity, target, same_within, change, word, direction)
    rows = np.flatnonzero(bounded)
    if len(rows):
        _bounded(rows, previous, latest, polarity, word, direction)
    return TrendColumns(change, word, direction)


def _plain(rows: np.ndarray, previous: ValueColumn, latest: ValueColumn, polarity: np.ndarray,
           target: TargetColumn, same_within: ToleranceColumn | None, change: np.ndarray, word: np.ndarray,
           direction: np.ndarray) -> None:
    now, before = latest.number[rows], previous.number[rows]
    places = max_decimals(previous.decimals[rows], latest.decimals[rows])
    change[rows] = round_columns(now - before, places)
    if same_within is not None:
        percent = latest.percent[rows] | previous.percent[rows]
        same = np.abs(now - before) <= same_within.take(rows).width(before, percent) + 1e-12
    else:
        same = round_columns(now, places) == round_columns(before, places)
    words = np.where(same, W_SAME, np.where(now > before, W_INCREASE, W_DECREASE)).astype(np.int8)
    word[rows] = words
    direction[rows] = _direction(words, polarity[rows], before, now, target, rows, places)


def _direction(words: np.ndarray, polarity: np.ndarray, before: np.ndarray, now: np.ndarray,
               target: TargetColumn, rows: np.ndarray, places: np.ndarray | None) -> np.ndarray:
    """Improving / Declining / No change / Not applicable from the move and the polarity."""
    up = words == W_INCREASE
    out = np.where(words == W_SAME, D_NO_CHANGE, np.where(up == (polarity == P_HIGH), D_IMPROVING, D_DECLINING))
    out = np.where(polarity == P_NONE, D_NOT_APPLICABLE, out)
    goldilocks = np.flatnonzero(polarity == P_TARGET)
    if len(goldilocks):
        picked = rows[goldilocks]
        has_target = target.present[picked]
        distance_before = _distance(before[goldilocks], target, picked)
        distance_now = _distance(now[goldilocks], target, picked)
        exact = places[goldilocks] if places is not None else np.full(len(goldilocks), -1)
        level = (words[goldilocks] == W_SAME) | (round_columns(distance_before, exact) ==
                                                round_columns(distance_now, exact))
        nearer = np.where(level, D_NO_CHANGE, np.where(distance_now < distance_before, D_IMPROVING, D_DECLINING))
        out[goldilocks] = np.where(has_target, nearer, D_NOT_APPLICABLE)
    return out.astype(np.int8)


def _distance(number: np.ndarray, target: TargetColumn, rows: np.ndarray) -> np.ndarray:
    """How far from a target band (0 inside it) or point."""
    low, high = target.value[rows], target.upper[rows]
    band = (target.op[rows] == OP_BAND) & ~np.isnan(high)
    in_band = np.where(number < low, low - number, np.where(number > high, number - high, 0.0))
    return np.where(band, in_band, np.abs(number - low))


def _bounded(rows: np.ndarray, previous: ValueColumn, latest: ValueColumn, polarity: np.ndarray,
             word: np.ndarray, direction: np.ndarray) -> None:
    """The move between values one or both of which are bounds, when the bounds settle it."""
    def span(column: ValueColumn) -> tuple[np.ndarray, np.ndarray]:
        number, bound = column.number[rows], column.bound[rows]
        return np.where(bound < 0, -np.inf, number), np.where(bound > 0, np.inf, number)

    (p_low, p_high), (l_low, l_high) = span(previous), span(latest)
    l_bound, p_bound = latest.bound[rows], previous.bound[rows]
    up = (l_low >= p_high) & ((l_low > p_high) | (l_bound > 0) | (p_bound < 0))
    down = ~up & (l_high <= p_low) & ((l_high < p_low) | (l_bound < 0) | (p_bound > 0))
    words = np.where(up, W_INCREASE, np.where(down, W_DECREASE, W_NA)).astype(np.int8)
    word[rows] = words
    pole = polarity[rows]
    moved = up | down
    directions = np.where(up == (pole == P_HIGH), D_IMPROVING, D_DECLINING)
    directions = np.where(any_of(pole, (P_HIGH, P_LOW)) & moved, directions, D_NOT_APPLICABLE)
    direction[rows] = directions


def with_significance(trend: TrendColumns, not_significant: np.ndarray) -> None:
    """A change that is not significant reads Same (direction No change)."""
    rows = not_significant & any_of(trend.word, (W_INCREASE, W_DECREASE))
    trend.word[rows] = W_SAME
    turning = rows & any_of(trend.direction, (D_IMPROVING, D_DECLINING))
    trend.direction[turning] = D_NO_CHANGE


def assess_trends(previous: Sequence[Value], latest: Sequence[Value], polarity: Sequence[Polarity],
                  target: Sequence[Target | None] | None = None, same_within: Tolerance | None = None) -> list[Trend]:
    """The trend of rows whose values are already parsed (one entry a row)."""
    size = len(latest)
    targets = TargetColumn.of(list(target or [None] * size))
    within = ToleranceColumn.of([same_within] * size) if same_within is not None else None
    found = trend_columns(ValueColumn.of(list(previous)), ValueColumn.of(list(latest)),
                          np.array([POLARITY_CODE[p] for p in polarity], dtype=np.int8), targets, within)
    return [Trend(None if np.isnan(c) else float(c), WORDS[w], DIRECTIONS[d])
            for c, w, d in zip(found.change, found.word, found.direction)]
