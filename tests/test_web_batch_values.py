"""The web batch's cell values: the quick path for plain numbers and text agrees with the general one."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from kpi_excel.core.plan import Cell
from kpi_excel.workbook.web_batch import _json_cells, _json_value

VALUES = [0, -3, 12.5, -0.0, math.nan, math.inf, -math.inf, "", "a", "=SUM(A1)", "-5%", "+", "@x", "=",
          True, False, None, np.float64(2.5), np.float64("nan"), np.float64("-inf"), np.int64(7), dt.date(2025, 3, 1),
          dt.datetime(2025, 3, 1, 9, 30), Cell(4.25, "0.0"), Cell("=cmd"), Cell(math.nan), Cell(None, None, "bold"),
          Cell(dt.date(2024, 1, 31))]


def test_each_cell_comes_out_as_the_general_rule_makes_it() -> None:
    out = _json_cells(VALUES)
    expected = [_json_value(value) for value in VALUES]
    assert [(type(a), a) for a in out if a == a] == [(type(b), b) for b in expected if b == b]
    assert [i for i, a in enumerate(out) if a != a] == [i for i, b in enumerate(expected) if b != b] == []
    assert out[VALUES.index("=SUM(A1)")] == "'=SUM(A1)" and out[VALUES.index(math.nan)] == ""
    assert out[VALUES.index(math.inf)] is None and out[VALUES.index(12.5)] == 12.5
    assert out[-1] == float((dt.date(2024, 1, 31) - dt.date(1899, 12, 30)).days)
