"""per_distinct reads a column as a cell-by-cell reading would, whatever the column holds."""

from __future__ import annotations

import math

from kpi_excel.core.cell_reading import Failed, blank, number_and_count, per_distinct, period_label, text
from kpi_excel.core.periods import PeriodError

COLUMNS = [
    ["K1", "K2", "K1", " ", "K3"],  # one type: text
    [0.5, 0.0, -0.0, 0.5, float("nan"), 2.0],  # one type, with a zero float's sign and NaN
    [1, 1.0, True, "1", None, 1],  # equal in Python, read differently
    [1, 2.5, 1.0, 3, 0, -0.0, 0.0, 1],  # ints and floats: read a type at a time
    ["c", None, "c", None],  # two types
    [None] * 4,
    ["2023/24", "nonsense", "2023/24", "", "Q1 2024/25"],
]


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, Failed) and isinstance(b, Failed):
        return str(a.error) == str(b.error)
    return type(a) is type(b) and a == b


def test_per_distinct_reads_as_cell_by_cell() -> None:
    for column in COLUMNS:
        for fn in (blank, lambda c: "" if blank(c) else text(c)):
            assert all(_same(a, b) for a, b in zip(per_distinct(fn, column), [fn(c) for c in column]))
        for formats in (["0.0%" if i % 2 else "General" for i in range(len(column))], ["0.0%"] * len(column)):
            got = per_distinct(number_and_count, column, formats)
            want = [number_and_count(c, f) for c, f in zip(column, formats)]
            assert len(got) == len(want) and all(_same(a, b) for a, b in zip(got, want)), column
        labels = per_distinct(period_label, column, catch=PeriodError)
        for cell, label in zip(column, labels):
            try:
                assert _same(label, period_label(cell))
            except PeriodError as error:
                assert isinstance(label, Failed) and str(label.error) == str(error)
