"""A row's counts: the Numerator/Denominator cells, and the count written with a value.

``25.0% (153)`` is read as 153 of about 612, the usual way of writing it; but a
count in brackets is not always the numerator. Where it cannot be (``0.0%
(612)``: no whole number of cases has 612 of them at 0.0%; or it equals the
Denominator cell) and it fits as the denominator, it is the denominator; where
it fits as neither (``26.0% (7)``) it is named and not used. A suppressed count
(``c``) stays suppressed: it is never worked back from the value.
"""

from __future__ import annotations

import numpy as np

from kpi_excel.core.engine.cells import RowCells
from kpi_excel.core.engine.parsed import ValueColumn
from kpi_excel.core.engine.problems import ProblemLog
from kpi_excel.core.measures import PROPORTION
from kpi_excel.core.significance import COUNT_FIELDS
from kpi_excel.core.values import ValueReadError, format_number, parse_value

__all__ = ["CountCells", "read_count_cells", "place_bracketed_counts"]

class CountCells:
    """The count cells of some rows: numbers (NaN: none), which were suppressed, which had problems."""

    def __init__(self, numbers: dict[str, np.ndarray], suppressed: dict[str, np.ndarray], problem: np.ndarray):
        self.numbers = numbers
        self.suppressed = suppressed
        self.problem = problem

    def suppressed_in(self, when: str) -> np.ndarray:
        """Rows whose numerator was suppressed: the count suppression protects."""
        return self.suppressed[f"{when}_numerator"]


def read_count_cells(cells: RowCells, rows: np.ndarray, log: ProblemLog) -> CountCells:
    numbers, suppressed = {}, {}
    problem_any = np.zeros(len(rows), dtype=bool)
    for name in COUNT_FIELDS:
        field = cells.distinct(name)
        read = field.apply(_count_of_key, blank=(np.nan, None, False))
        slots = field.slots[rows]
        numbers[name] = np.array([read[s][0] for s in slots], dtype=np.float64)
        suppressed[name] = np.array([read[s][2] for s in slots], dtype=bool)
        problem = np.array([read[s][1] is not None for s in slots], dtype=bool)
        log.add(rows[problem], name, [read[s][1] for s in slots[problem]])
        problem_any |= problem
    return CountCells(numbers, suppressed, problem_any)


def _count_of_key(raw: object) -> tuple[float, str | None, bool]:
    """A count cell: its number (NaN if none), the problem with it, and whether it was suppressed."""
    try:
        value = parse_value(raw, None)  # a count is a count whatever its cell format says
    except ValueReadError as error:
        return np.nan, f"{error}; no interval", False
    if value.number is None:
        return np.nan, None, True  # suppressed ("c", "x"): no count, no interval
    if value.percent:
        return np.nan, f"'{value.display()}' is a percentage, not a count; no interval", False
    if value.number < 0:
        return np.nan, f"{value.display()} is a negative count; no interval", False
    return value.number, None, False


def place_bracketed_counts(rows: np.ndarray, kinds: np.ndarray, multiplier: np.ndarray, column: ValueColumn,
                           x: np.ndarray, n: np.ndarray, when: str, log: ProblemLog) -> tuple[np.ndarray, np.ndarray]:
    """Numerators and denominators with the count written beside each value put
    where it fits; a count cell typed by the officer wins over the bracket."""
    bracket = column.count[rows]
    # A Numerator cell wins; a bracketed count that is neither it nor the Denominator is named.
    clash = ~np.isnan(bracket) & ~np.isnan(x) & (bracket != x) & (bracket != n)
    log.add(rows[clash], f"{when}_value", [
        f"the count in {column.values[row].display()} ({format_number(float(c), None)}) is neither the Numerator "
        f"({format_number(float(a), None)}) nor the Denominator; the interval uses the count cells"
        for row, c, a in zip(rows[clash], bracket[clash], x[clash])])
    x, n = x.copy(), n.copy()
    free = ~np.isnan(bracket) & np.isnan(x)
    proportion = free & (kinds == PROPORTION) & column.ok[rows]
    others = free & ~proportion
    x[others] = bracket[others]
    if not proportion.any():
        return x, n
    value = column.number[rows]
    places = column.decimals[rows]
    half = np.where(places >= 0, 0.5 * 10.0 ** -np.maximum(places, 0), 0.0) * (1 + 1e-9)
    scale = multiplier
    with np.errstate(invalid="ignore", divide="ignore"):
        # As the numerator: some whole denominator N >= c gives the value within its rounding.
        top = np.where(value - half > 0, bracket * scale / (value - half), np.inf)
        bottom = bracket * scale / (value + half)
        as_numerator = (np.floor(top) >= np.maximum(np.ceil(bottom), bracket)) & ~((bracket > 0) & (value == 0))
        as_numerator |= bracket == 0
        # As the denominator: some whole X <= c gives the value within its rounding.
        low_x = np.maximum(np.ceil(bracket * (value - half) / scale), 0)
        high_x = np.minimum(np.floor(bracket * (value + half) / scale), bracket)
        as_denominator = (bracket > 0) & (high_x >= low_x)
    given_n = ~np.isnan(n)
    is_denominator = proportion & (np.where(given_n, bracket == n, ~as_numerator & as_denominator))
    is_numerator = proportion & ~is_denominator & (given_n | as_numerator | (places < 0))
    neither = proportion & ~is_denominator & ~is_numerator
    x[is_numerator] = bracket[is_numerator]
    n[is_denominator] = bracket[is_denominator]
    unique = is_denominator & (low_x == high_x)  # the value pins the numerator down: 0.0% of 612 is 0
    x[unique] = low_x[unique]
    log.add(rows[neither], f"{when}_value", [
        _neither(format_number(float(v), int(p), bool(column.percent[row])),
                 format_number(float(c), None))
        for row, v, p, c in zip(rows[neither], value[neither], places[neither], bracket[neither])])
    return x, n


def _neither(value: str, count: str) -> str:
    return (f"the count {count} beside {value} is neither its numerator (no whole number of cases has {count} at {value}) nor its "
            f"denominator (no whole number of {count} is {value}); give both counts for an interval")
