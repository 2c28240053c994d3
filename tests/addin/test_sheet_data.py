"""The Data sheet the add-in sends beside the workbook: each cell read as the one rule says."""

from __future__ import annotations

import datetime as dt

import pytest

from kpi_excel.addin.server.sheet_data import _cell, data_block
from kpi_excel.errors import InputError

ROW = ["KS2", "", None, 0, 71.5, float("nan"), True, "2025-03-01T00:00:00Z", "2025-03-01T09:30:00.5Z",
       "2025-03-01T00:00:00", "x" * 25, "=1+1"]


def test_each_cell_is_read_by_the_one_rule() -> None:
    block = data_block({"sheet": "Data", "rows": [ROW, []]})
    assert block is not None and block.values[1] == []
    row = block.values[0]
    expected = [_cell(value, 1, column) for column, value in enumerate(ROW, start=1)]
    assert [(type(a), a) for a in row if a == a] == [(type(b), b) for b in expected if b == b]
    assert row[1] is None and row[2] is None and row[5] != row[5] and row[6] is True
    assert row[7] == dt.datetime(2025, 3, 1) and row[8] == dt.datetime(2025, 3, 1, 9, 30, 0, 500000)
    assert row[9] == "2025-03-01T00:00:00" and row[11] == "=1+1"


@pytest.mark.parametrize("bad", [[1, 2], {"a": 1}])
def test_a_cell_that_is_not_a_value_is_named(bad: object) -> None:
    with pytest.raises(InputError) as raised:
        data_block({"rows": [["KS2", 1], ["KS4", bad]]})
    assert raised.value.row == 2 and raised.value.column == 2
