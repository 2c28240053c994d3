"""Issue 16, items 10-13: the statistics read their inputs honestly (England in the row's
own unit, no count compared with England's, no crude interval for a standardised rate,
a bracketed count put where it fits, a suppressed count left suppressed), through the
rate table an officer hands to ``kpi-excel rate``."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi_excel.core.rate_table import rate_table
from kpi_excel.core.significance import NOT_SIGNIFICANT


def rated(**columns: object) -> pd.Series:
    """The one rated row of a table with these columns (one value each)."""
    frame = pd.DataFrame({"Indicator": ["An indicator"], **{k: [v] for k, v in columns.items()}})
    return rate_table(frame).frame.iloc[0]


# --- 10. England in the row's own unit ------------------------------------------------------------


def test_a_bare_one_beside_one_and_a_half_percent_is_one_percent_not_all_of_them() -> None:
    # 15 of 1,000 (0.9% to 2.5%) holds England's 1%; read as 100% it was "Better".
    row = rated(Polarity="Low = Good", Unit="%", **{"Latest Value": "1.5%", "Latest Numerator": 15,
                                                       "Latest Denominator": 1000, "England": 1})
    assert row["vs_england"] == "Similar" and row["problems"] in ("", None)


def test_a_fraction_beside_a_percentage_is_still_read_as_one() -> None:
    row = rated(Polarity="High = Good", Unit="%", **{"Latest Value": "45%", "Latest Numerator": 450,
                                                     "Latest Denominator": 1000, "England": 0.4})
    assert row["vs_england"] == "Better"  # 41.9% to 48.1% against 40%


def test_a_bare_england_that_could_be_either_is_named_not_guessed() -> None:
    row = rated(Polarity="High = Good", Unit="%", **{"Latest Value": "3%", "Latest Numerator": 15,
                                                     "Latest Denominator": 500, "England": 0.5})
    assert row["vs_england"] in ("", None)
    assert "England's 0.5 could be 0.5% or 50% beside our 3%" in row["problems"]


# --- 11. A count is not compared with England's count ----------------------------------------------


def test_a_count_is_not_compared_with_englands_count() -> None:
    row = rated(Polarity="Low = Good", **{"Measure Type": "Count", "Previous Value": 20, "Latest Value": 29,
                                         "England": 5000})
    assert row["vs_england"] in ("", None)
    assert "England's count is not comparable with ours" in row["problems"]
    assert row["significance"] == NOT_SIGNIFICANT  # our own change is still tested


# --- 12. A directly standardised rate -----------------------------------------------------------


@pytest.mark.parametrize("measure_type", ["DSR per 100,000", "Directly standardised rate per 100,000",
                                          "Age-standardised rate per 100,000"])
def test_a_standardised_rate_gets_no_crude_interval_and_says_why(measure_type: str) -> None:
    row = rated(Polarity="Low = Good", **{"Measure Type": measure_type, "Previous Value": "300.1",
                                         "Latest Value": "350.2", "Previous Numerator": 1000,
                                         "Latest Numerator": 1200, "England": "400"})
    assert pd.isna(row["ci_low"]) and row["significance"] in ("", None) and row["vs_england"] in ("", None)
    assert "no interval: a directly standardised rate needs its age-specific counts" in row["problems"]


def test_a_crude_rate_still_gets_its_interval() -> None:
    row = rated(Polarity="Low = Good", **{"Measure Type": "Crude rate per 100,000", "Latest Value": "350.2",
                                         "Latest Numerator": 1200, "England": "400"})
    assert row["vs_england"] == "Better"


# --- 13. The count written beside a value ------------------------------------------------------


def test_a_bracketed_count_equal_to_the_denominator_is_the_denominator() -> None:
    row = rated(Unit="%", **{"Latest Value": "25.0% (612)", "Latest Denominator": 612})
    assert (round(row["ci_low"], 1), round(row["ci_high"], 1)) == (21.7, 28.6)  # 153 of 612
    assert row["problems"] in ("", None)


def test_a_count_that_cannot_be_the_numerator_is_the_denominator() -> None:
    row = rated(Unit="%", **{"Latest Value": "0.0% (612)"})  # no number of cases has 612 at 0.0%
    assert row["ci_low"] == 0 and round(row["ci_high"], 2) == 0.62  # 0 of 612: Wilson, z² / (612 + z²)
    assert row["problems"] in ("", None)


def test_a_count_that_fits_neither_way_is_named() -> None:
    row = rated(Unit="%", **{"Latest Value": "26.0% (7)"})
    assert pd.isna(row.get("ci_low"))  # no interval anywhere in the table: no interval columns
    assert "the count 7 beside 26.0% is neither its numerator" in row["problems"]


def test_the_usual_rate_and_count_is_still_the_numerator() -> None:
    row = rated(Unit="%", **{"Latest Value": "25.0% (153)"})
    assert (round(row["ci_low"], 1), round(row["ci_high"], 1)) == (21.7, 28.6)


def test_no_events_in_either_period_with_counts_is_not_too_rounded() -> None:
    for measure, value in (("Rate per 10,000", "0.0"), ("Percentage", "0.0%")):
        row = rated(**{"Measure Type": measure, "Previous Value": value, "Latest Value": value,
                       "Previous Numerator": 0, "Previous Denominator": 4800, "Latest Numerator": 0,
                       "Latest Denominator": 5000})
        assert row["ci_low"] == 0 and "too rounded" not in str(row["problems"]), measure


def test_a_zero_without_its_denominator_says_what_is_missing_not_too_rounded() -> None:
    row = rated(Unit="%", **{"Latest Value": "0%", "Latest Numerator": 0})
    assert "too rounded" not in row["problems"]
    assert "the denominator cannot be worked out from 0%" in row["problems"]


def test_a_suppressed_numerator_is_never_worked_back_into_an_interval() -> None:
    row = rated(Unit="%", **{"Previous Value": "20.0%", "Latest Value": "25.0%", "Previous Numerator": 120,
                             "Previous Denominator": 600, "Latest Numerator": "c", "Latest Denominator": 612})
    assert pd.isna(row["ci_low"]) and row["significance"] in ("", None)
    assert "the numerator is suppressed; it is not worked back from the value" in row["problems"]
    previous = rated(Unit="%", **{"Previous Value": "20.0%", "Latest Value": "25.0%", "Previous Numerator": "c",
                                  "Previous Denominator": 600, "Latest Numerator": 153, "Latest Denominator": 612})
    assert round(previous["ci_low"], 1) == 21.7 and previous["significance"] in ("", None)
    assert "the previous period's numerator is suppressed; the change is not tested" in previous["problems"]


def test_a_bracketed_count_that_disagrees_with_the_numerator_cell_is_named() -> None:
    row = rated(Unit="%", **{"Latest Value": "25.0% (153)", "Latest Numerator": 160, "Latest Denominator": 640})
    assert (round(row["ci_low"], 1), round(row["ci_high"], 1)) == (21.8, 28.5)  # 160 of 640, from the cells
    assert "the count in 25.0% (153) is neither the Numerator (160) nor the Denominator" in row["problems"]
    agreeing = rated(Unit="%", **{"Latest Value": "25.0% (153)", "Latest Numerator": 153, "Latest Denominator": 612})
    assert agreeing["problems"] in ("", None)
