"""England's value on a row, read in the row's own unit, or named when it cannot be.

An England cell is typed by an officer beside the row's own figures. A bare
``0.4`` beside ``45%`` is the fraction 40%; a bare ``1`` beside ``1.5%`` is 1%,
not 100%. Of the two readings of a bare number beside a proportion (as typed, or
a fraction × 100 beside a percentage / points ÷ 100 beside a proportion of 1)
the one within a factor of :data:`CLOSE` of the row's own value (from its
counts, in its interval's units) is taken; when neither is, the cell is
ambiguous and is named rather than guessed. A count is never compared
with England's: England's count is of a different population.
"""

from __future__ import annotations

import numpy as np

from kpi_excel.core.engine.cells import RowCells
from kpi_excel.core.engine.problems import ProblemLog
from kpi_excel.core.measures import COUNT, PROPORTION
from kpi_excel.core.values import ValueReadError, format_number, parse_value

__all__ = ["england_values", "CLOSE"]

# England and an authority rarely differ by more than this factor; a reading further
# from the row's own value than this (on both readings) is not a reading we can choose.
CLOSE = 5.0
_NOT_COMPARABLE = "England's count is not comparable with ours (a count of a different population); not compared"


def england_values(cells: RowCells, rows: np.ndarray, kinds: np.ndarray, multiplier: np.ndarray,
                   own: np.ndarray, shown: np.ndarray, compared: np.ndarray, log: ProblemLog) -> np.ndarray:
    """England's value on each of ``rows`` (NaN: none, or not comparable) in the
    units of the row's interval; ``own`` is the row's value worked out from its
    counts in those units (``shown`` as the row shows it). Only rows ``compared``
    (they have an interval) are told why England is left out."""
    field = cells.with_format("england")
    read = field.apply(_england_of_key, blank=(np.nan, False, None))
    slots = field.slots[rows]
    number = np.array([read[s][0] for s in slots], dtype=np.float64)
    typed_percent = np.array([read[s][1] for s in slots], dtype=bool)
    problem = np.array([read[s][2] is not None for s in slots], dtype=bool)
    log.add(rows[problem], "england", [read[s][2] for s in slots[problem]])

    count = (kinds == COUNT) & ~np.isnan(number)
    log.same(rows[count & compared], "england", _NOT_COMPARABLE)
    number = np.where(count, np.nan, number)

    proportion = kinds == PROPORTION
    # "45%" typed beside a proportion of 1 is 0.45; beside a percentage, 45.
    number = np.where(proportion & typed_percent, number * multiplier / 100, number)
    bare = proportion & ~typed_percent & ~np.isnan(number) & (number != 0)
    # Above 1 beside a proportion of 1, a bare number can only be points.
    number = np.where(bare & (multiplier == 1) & (np.abs(number) > 1) & (np.abs(number) <= 100), number / 100,
                      number)
    # At most 1 beside a percentage it may be points or a fraction: the one near our value is taken.
    two = bare & (multiplier == 100) & (np.abs(number) <= 1)
    other = number * 100
    with np.errstate(invalid="ignore", divide="ignore"):
        as_typed, as_other = _within(number, own), _within(other, own)
    switch = two & as_other & ~as_typed
    ambiguous = two & ~as_other & ~as_typed
    named = ambiguous & compared
    log.add(rows[named], "england", [_ambiguous(float(e), text) for e, text in zip(number[named], shown[rows[named]])])
    return np.where(switch, other, np.where(ambiguous, np.nan, number))


def _ambiguous(typed: float, ours: str) -> str:
    return (f"England's {format_number(typed, None)} could be {format_number(typed, None)}% or "
            f"{format_number(typed * 100, None)}% beside our {ours}: type it with its % sign; not compared with "
            "England")


def _within(reading: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Readings within a factor of :data:`CLOSE` of the row's own (positive) value."""
    ratio = np.abs(reading) / np.abs(own)
    return (own != 0) & (ratio <= CLOSE) & (ratio >= 1 / CLOSE)


def _england_of_key(key: object) -> tuple[float, bool, str | None]:
    raw, number_format = key  # type: ignore[misc]
    try:
        value = parse_value(raw, number_format)
    except ValueReadError as error:
        return np.nan, False, f"{error}; not compared with England"
    if value.number is None:
        return np.nan, False, None
    return value.number, value.percent, None
