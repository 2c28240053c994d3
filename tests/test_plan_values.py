"""The plan's small values made fast for scale (issue 20) behave as the dataclasses they were:
Cell, Period and HistoryPoint compare, hash, copy and pickle as before; the fast checks agree
with the slow paths they stand in front of."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle

import numpy as np
import pytest

from kpi_excel.core.assess import RateOptions
from kpi_excel.core.engine import rate_rows
from kpi_excel.core.history import HistoryPoint
from kpi_excel.core.periods import parse_period, shift
from kpi_excel.core.plan import CUT_MARK, EXCEL_CELL_LIMIT, Cell, _fit, _fitted


def test_cell_is_a_frozen_value():
    cell = Cell(0.776, "0.0%")
    assert cell == Cell(0.776, "0.0%") and hash(cell) == hash(Cell(0.776, "0.0%"))
    assert cell != Cell(0.776) and Cell(value=1, style="bold").style == "bold"
    assert [f.name for f in dataclasses.fields(Cell)] == ["value", "number_format", "style"]
    assert dataclasses.replace(cell, value=2) == Cell(2, "0.0%")
    assert pickle.loads(pickle.dumps(cell)) == cell and copy.deepcopy(cell) == cell
    assert repr(Cell(None)) == "Cell(value=None, number_format=None, style=None)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        cell.value = 3  # type: ignore[misc]


def test_period_hash_and_order_are_the_fields():
    a, b = parse_period("Q1 2022/23"), parse_period("Q2 2022")  # one period, two ways of writing it
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert a.sort_key == (a.end, a.start, a.kind) and a < shift(a, 3) and not a < b
    assert a != parse_period("Q1 2022/23 YTD") and a != "Q1 2022/23"
    moved = dataclasses.replace(a, start=a.start + 3)
    assert moved.sort_key == (moved.end, moved.start, moved.kind) and moved == parse_period("Q2 2022/23")
    assert [f.name for f in dataclasses.fields(a)] == ["kind", "start", "months", "ytd", "style", "fiscal"]
    # The hash is not pickled (a text's hash differs between processes): it is made again on loading.
    assert "_hash" not in a.__getstate__()
    loaded = pickle.loads(pickle.dumps(a))
    assert loaded == a and hash(loaded) == hash(a) and str(loaded) == str(a) and copy.deepcopy(a) == a


def test_history_points_compare_as_tuples_of_their_fields():
    nan = float("nan")
    points = [HistoryPoint("Q1", 1.0, "1"), HistoryPoint("Q1", 1.0, "1"), HistoryPoint("Q1", 2.0),
              HistoryPoint("Q2", None), HistoryPoint("Q2", nan), HistoryPoint("Q2", nan)]
    for p in points:
        for q in points:
            # What the dataclass' own __eq__ did: compare the fields as tuples (NaN is itself).
            assert (p == q) == ((p.period, p.value, p.shown) == (q.period, q.value, q.shown))
            if p == q:
                assert hash(p) == hash(q)
    assert HistoryPoint("Q1", 1.0) != ("Q1", 1.0, "")
    assert pickle.loads(pickle.dumps(points[0])) == points[0]


def test_fitted_agrees_with_fit_on_every_kind_of_value():
    long = "x" * (EXCEL_CELL_LIMIT + 5)

    class Text(str):
        pass

    values = [None, 1, 1.5, True, "short", Cell(None), Cell(2.0, "0%"), Cell("short"), Cell(long),
              long, Text(long), Cell(Text(long)), np.float64(2.0), ("a", "tuple")]
    for value in values:
        row = ("before", value, 3.0)
        assert _fitted(row) == tuple(map(_fit, row))
        assert _fitted(list(row)) == tuple(map(_fit, row))
    cut = _fitted((Cell(long), long))
    assert cut[0].value.endswith(CUT_MARK) and cut[1].endswith(CUT_MARK)
    fine = ("a", Cell(1.0))
    assert _fitted(fine) is fine


def test_assessments_of_all_rows_are_each_rows_assessment():
    cells = {
        "indicator": ["A", "B", "", "D", "E"],
        "code": ["a", "b", None, "d", "e"],
        "polarity": ["High", "Low", None, "High", "High"],
        "latest_value": ["45%", 12, None, "3% (420)", "n/a"],
        "previous_value": ["40%", 15, None, "2% (400)", 5],
        "target": [">50%", "<10", None, ">2%", ""],
        "measure_type": [None, None, None, "Percentage", None],
    }
    ratings = rate_rows(cells, None, RateOptions(), size=5)
    together = ratings.assessments()
    assert together == [ratings.assessment(i) for i in range(5)]
    assert ratings.assessments([3, 1]) == [together[3], together[1]]
    assert together[2].blank and not together[0].blank
    assert all(a.change is None or isinstance(a.change, float) for a in together)
    assert isinstance(together[3].statistics.percent, bool)
    assert not any(isinstance(v, float) and math.isnan(v) for a in together if a.statistics is not None
                   for v in (*a.statistics.latest_counts, *a.statistics.previous_counts) if v is not None)
