"""The column-at-a-time rating engine: its pieces agree with the one-at-a-time definitions,
and a table rated at once gives every row what that row gets on its own."""

from __future__ import annotations

import csv
import gzip
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_excel.core.assess import assess_row
from kpi_excel.core.columns import match_columns
from kpi_excel.core.engine import RateOptions, duplicate_codes, rate_rows
from kpi_excel.core.engine.cells import RowCells
from kpi_excel.core.engine.rag_columns import format_numbers
from kpi_excel.core.engine.rounding import round_columns
from kpi_excel.core.rag import Rule, RuleSpec
from kpi_excel.core.targets import Tolerance
from kpi_excel.core.engine.rounding import round_to
from kpi_excel.core.values import format_number

GOLDEN_INPUTS = Path(__file__).parent / "golden" / "inputs"


# --- Excel's rounding, a column at a time, bit for bit -----------------------------------------

_awkward = st.one_of(
    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False, allow_infinity=False),
    st.integers(-10**6, 10**6).map(lambda n: n / 1000 + 0.0005),  # halves at 3 places
    st.integers(-10**6, 10**6).map(lambda n: n / 200),  # halves at 2 places
    st.sampled_from([0.0, -0.0, 0.125, -0.125, 2.675, 1.005, 9.9999999999, 99999.99999999, 5e-324, 1e-300]),
)


@settings(max_examples=300)
@given(st.lists(_awkward, min_size=1, max_size=40), st.integers(-1, 8))
def test_rounding_a_column_is_round_to_on_each_number(numbers: list[float], decimals: int) -> None:
    got = round_columns(np.array(numbers), decimals)
    want = [round_to(x, None if decimals < 0 else decimals) for x in numbers]
    for x, a, b in zip(numbers, got, want):
        assert a == b and math.copysign(1, a) == math.copysign(1, b), (x, decimals, a, b)


def test_rounding_a_million_numbers_agrees_and_leaves_nan_alone() -> None:
    rng = np.random.default_rng(3)
    numbers = np.concatenate([np.round(rng.uniform(-100, 100, 200_000), 3) + 0.0005, rng.uniform(-1e6, 1e6, 50_000)])
    for decimals in (-1, 0, 1, 2):
        got = round_columns(numbers, decimals)
        sample = rng.choice(len(numbers), 5000, replace=False)
        assert all(got[i] == round_to(float(numbers[i]), None if decimals < 0 else decimals) for i in sample)
    assert np.isnan(round_columns(np.array([np.nan]), 1)[0])


@given(st.lists(st.one_of(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
                          st.sampled_from([-0.0, -0.4, -0.04, 0.5, 1234.5])), min_size=1, max_size=30),
       st.integers(-1, 6))
def test_formatting_a_column_is_format_number_on_each(numbers: list[float], decimals: int) -> None:
    """Including -0.0 and small negatives, which format_number never shows as "-0"."""
    assert format_numbers(np.array(numbers), decimals) == \
        [format_number(x, None if decimals < 0 else decimals) for x in numbers]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
                          st.sampled_from([-0.0, 0.0, -0.4, -0.04, 0.5, 1234.5])), min_size=1, max_size=30),
       st.integers(-1, 6))
def test_formatting_a_long_column_formats_each_distinct_number_alike(numbers: list[float], decimals: int) -> None:
    """A column longer than 256 is formatted a distinct number at a time: the same texts, -0.0 beside 0.0 too."""
    column = (numbers * (300 // len(numbers) + 1))[::-1]
    assert len(column) > 256
    assert format_numbers(np.array(column), decimals) == \
        [format_number(x, None if decimals < 0 else decimals) for x in column]


# --- reading cells once per distinct cell --------------------------------------------------------


def test_distinct_cells_tell_types_apart_and_blank_is_blank() -> None:
    cells = RowCells(7, {"x": [1, 1.0, True, "1", " ", None, float("nan")]})
    field = cells.distinct("x")
    assert field.present.tolist() == [True, True, True, True, False, False, False]
    assert len(field.keys) == 4  # 1, 1.0, True and "1" read differently


def test_a_text_column_is_read_like_a_list() -> None:
    texts = ["45%", "", "  ", "45%", None, "c", "\x1c"]
    from_series = RowCells(7, {"x": pd.Series(texts, dtype="str")})
    from_list = RowCells(7, {"x": texts})
    assert from_series.present("x").tolist() == from_list.distinct("x").present.tolist() == \
        [True, False, False, True, False, True, False]
    assert from_series.cells("x").tolist() == from_list.cells("x").tolist()


@given(st.lists(st.sampled_from(["K1", " K1", "K1 ", "K-1", "k1", "N/A", "-", "", "na", None, 7, 7.0, "7", "\x1cK1"]),
                max_size=25))
def test_duplicate_codes_from_a_text_column_match_the_plain_reading(codes: list[object]) -> None:
    texts = [c for c in codes if not isinstance(c, (int, float))]
    assert duplicate_codes(pd.Series(texts, dtype="str")) == duplicate_codes(texts)


# --- a whole table at once equals each row alone ------------------------------------------------


def _fuzz_rows(count: int) -> tuple[list[str], list[list[str]]]:
    text = gzip.decompress((GOLDEN_INPUTS / "fuzz_stats.csv.gz").read_bytes()).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:count + 1]


@pytest.mark.parametrize("options", [
    RateOptions(),
    RateOptions(RuleSpec(Rule.TARGET, Tolerance(5, True), Tolerance(10, False, auto=True)),
                same_within=Tolerance(1, True)),
    RateOptions(Rule.QUARTILE, confidence=0.998, trend_needs_significance=True),
    RateOptions(Rule.TREND, green_within=Tolerance(2, False)),
], ids=["auto", "target tolerances", "quartile significance", "trend"])
def test_each_row_gets_what_it_gets_alone(options: RateOptions) -> None:
    header, rows = _fuzz_rows(400)
    columns = match_columns(header)
    cells = {name: [row[j] for row in rows] for name, j in columns.by_name.items()}
    together = rate_rows(cells, options=options, size=len(rows))
    for index, row in enumerate(rows):
        alone = assess_row({name: row[j] for name, j in columns.by_name.items()}, options=options)
        assert together.assessment(index) == alone, (index, row)


def test_an_empty_table_rates_to_nothing() -> None:
    ratings = rate_rows({"latest_value": []}, size=0)
    assert len(ratings) == 0 and ratings.counts() == {}


@pytest.mark.parametrize("target,reason", [
    ("Maintain", "Green: 77.6% improves on the previous 76.0% (Maintain target)"),
    ("Top quartile", "N/A: the Top quartile target needs benchmark data (Settings: Benchmark data) or a Quartile"),
])
def test_a_target_with_no_number_is_not_rescaled_beside_percentages(target: str, reason: str) -> None:
    """0.776 beside 76.0% is 77.6%, but Maintain and Top quartile hold no number to read as one."""
    row = {"indicator": "Care leavers in touch", "polarity": "High = Good", "previous_value": "76.0%",
           "latest_value": "77.6%", "target": target}
    result = assess_row(row)
    assert result.rag_reason == reason
    assert "read as 0%" not in result.problem_text
