"""per_distinct reads a column as a cell-by-cell reading would, whatever the column holds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kpi_excel.core.cell_reading import Failed, blank, number_and_count, per_distinct, period_label, text
from kpi_excel.core.engine.cells import RowCells, group_cells
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


# Few cells, many of them equal across types (1, 1.0, True, np.int64(1)) or signs (0, 0.0, -0.0), so a
# drawn column mixes them in every order.
CELLS = st.sampled_from([None, True, False, 0, 1, 0.0, -0.0, 1.0, float("nan"), np.float64(-0.0), np.float64(0.0),
                         np.int64(0), np.int64(1), " ", "", "1", "K1", "2023/24", pd.NA, pd.NaT])


@given(st.lists(CELLS, max_size=30), st.booleans(),
       st.lists(st.sampled_from(["0.0%", "General", None, ""]), min_size=31, max_size=31))
def test_per_distinct_reads_any_column_as_cell_by_cell(column: list[object], unhashable: bool,
                                                       looks: list[object]) -> None:
    """Whatever mixture of types, signed zeros, NaNs and unhashable cells a column holds."""
    if unhashable:
        column.insert(len(column) // 2, [])  # a list from a database driver
    for fn in (repr, lambda c: type(c).__name__):
        assert all(_same(a, b) for a, b in zip(per_distinct(fn, column), [fn(c) for c in column], strict=True))
    formats = looks[:len(column)]
    assert all(_same(a, b) for a, b in zip(per_distinct(lambda c, f: (repr(c), f), column, formats),
                                           [(repr(c), f) for c, f in zip(column, formats)], strict=True))
    field = group_cells(column)
    assert [repr(field.keys[k]) for k in field.codes] == [repr(c) for c in column]
    folded = RowCells(len(column), {"x": column}).cells("x").tolist()  # the engine's view: blanks are None
    assert [repr(c) for c in folded] == [repr(None if blank(c) else c) for c in column]
