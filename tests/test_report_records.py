"""report._records reads a frame as DataFrame.to_dict("records") does, on every kind of column."""

import math

import numpy as np
import pandas as pd

from kpi_excel.core.report import _by_code, _records


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and (a is b or a == b)


def _check(frame: pd.DataFrame) -> None:
    expected, got = frame.to_dict("records"), _records(frame)
    assert len(expected) == len(got)
    for want, have in zip(expected, got):
        assert list(want) == list(have)
        assert all(_same(want[k], have[k]) for k in want), (want, have)


def test_numbers_and_texts_as_pandas_reads_them():
    _check(pd.DataFrame({
        "period": pd.array(["Q1 2024/25", None, "2023"], dtype="string"),
        "text": pd.Series(["a", np.nan, "c"], dtype=pd.StringDtype(na_value=np.nan)),
        "value": [1.5, np.nan, -0.0], "count": np.array([1, 2, 3], dtype=np.int64),
        "flag": [True, False, True], "small": np.array([1, 2, 3], dtype=np.uint8),
    }, index=["a", "b", "c"]))


def test_other_columns_as_pandas_reads_them():
    _check(pd.DataFrame({
        "mixed": pd.Series([np.float64(1.5), np.int64(2), "x"], dtype=object),
        "masked": pd.array([1, None, 3], dtype="Int64"),
        "kind": pd.Categorical(["a", "b", "a"]),
        "when": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
        "value": [1.0, 2.0, 3.0],
    }))
    _check(pd.DataFrame([[1, 2]], columns=["a", "a"]))
    _check(pd.DataFrame({"value": pd.Series([], dtype=np.float64)}))


def test_by_code_keys_records_by_code_and_kpi_period():
    frame = pd.DataFrame({"value": [1.0, 2.0], "kpi_period": ["2024", "2025"]}, index=["X1", "X1"])
    found = _by_code(frame)
    assert found["X1"]["value"] == 1.0
    assert found[("X1", "2025")]["value"] == 2.0
