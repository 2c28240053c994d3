"""Periods: every form in DESIGN §2, ordering, comparable previous, style kept."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_excel.core.periods import (
    Frequency,
    PeriodError,
    comparable_previous,
    format_period,
    parse_frequency,
    parse_period,
    shift,
)

CASES = list(csv.DictReader((Path(__file__).parent / "cases" / "period_cases.csv").open(encoding="utf-8")))


def _month_index(text: str) -> int:
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


@pytest.mark.parametrize("case", CASES, ids=[f"{c['label']}|{c['frequency']}" for c in CASES])
def test_period_case(case: dict[str, str]) -> None:
    period = parse_period(case["label"])
    assert period.kind == case["kind"]
    assert period.start == _month_index(case["start"])
    assert period.months == int(case["months"])
    assert format_period(period) == case["label"]
    assert comparable_previous(period).label == case["canonical_previous"]
    frequency = parse_frequency(case["frequency"])
    assert comparable_previous(period, frequency).label == case["previous"]


@pytest.mark.parametrize(
    "label", ["Q5 2022/23", "hello", "Winter 2021", "2022/24 Q1", "13/13/2025", "Q2 2022/25", "x" * 20000, ""]
)
def test_unknown_label_is_a_named_problem(label: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(label)
    message = str(raised.value)
    assert "period" in message
    assert len(message) < 300  # a 20,000-character label is not echoed back


def test_same_span_written_two_ways_is_one_period() -> None:
    assert parse_period("Q1 2022/23") == parse_period("Q2 2022")
    assert parse_period("2021/22") == parse_period("2021-22") == parse_period("FY 2021/22")
    assert parse_period("Mar-25") == parse_period("March 2025") == parse_period("2025-03")
    assert parse_period("2025 (prov)") == parse_period("2025")
    assert parse_period("Summer 2021") == parse_period("Summer Census 2021")
    assert parse_period("Q2 2022/23") != parse_period("Q2 2022/23 YTD")


def test_ordering_within_and_across_forms() -> None:
    labels = ["Q1 2022/23", "Q4 2021/22", "Q2 2022/23", "Q3 2021/22"]
    assert [p.label for p in sorted(parse_period(x) for x in labels)] == [
        "Q3 2021/22", "Q4 2021/22", "Q1 2022/23", "Q2 2022/23"]
    terms = ["Summer 2022", "Autumn 2021", "Spring 2022", "Summer 2021"]
    assert [p.label for p in sorted(parse_period(x) for x in terms)] == [
        "Summer 2021", "Autumn 2021", "Spring 2022", "Summer 2022"]
    assert parse_period("2016-18") < parse_period("2017-19")
    assert max(parse_period(x) for x in ["2024", "2025 (prov)", "2023"]).label == "2025 (prov)"


def test_annual_steps_over_gaps_to_the_latest_year_with_data() -> None:
    # KS4: exams cancelled, so 2021/22 compares with 2018/19 (the seed table).
    available = [parse_period(x) for x in ["2016/17", "2017/18", "2018/19", "2021/22"]]
    previous = comparable_previous(parse_period("2021/22"), Frequency.ANNUAL, available)
    assert previous is not None and previous.label == "2018/19"
    assert comparable_previous(parse_period("2016/17"), Frequency.ANNUAL, available) is None
    # Other kinds in the list do not count as earlier years.
    mixed = [parse_period("Q4 2020/21"), parse_period("2019/20")]
    assert comparable_previous(parse_period("2021/22"), Frequency.ANNUAL, mixed).label == "2019/20"


def test_excel_dates_and_year_numbers() -> None:
    period = parse_period(dt.datetime(2025, 3, 31))
    assert period.kind == "date" and period.label == "2025-03-31"
    assert comparable_previous(period, Frequency.QUARTERLY).label == "2024-12-31"
    assert parse_period(dt.date(2025, 3, 15)).label == "2025-03-15"
    assert parse_period(2025).label == "2025"
    assert parse_period(2025.0) == parse_period("2025")
    with pytest.raises(PeriodError):
        parse_period(3.5)


@pytest.mark.parametrize(
    "text,expected",
    [("Quarter", Frequency.QUARTERLY), ("Quarterly", Frequency.QUARTERLY), ("Term", Frequency.TERMLY),
     ("Annual", Frequency.ANNUAL), ("Annually", Frequency.ANNUAL), ("Academic Year", Frequency.ANNUAL),
     ("YTD", Frequency.YTD), ("Year to date", Frequency.YTD), ("Monthly", Frequency.MONTHLY),
     ("Half-yearly", Frequency.HALF_YEARLY), ("", None), ("N/A", None)],
)
def test_frequencies(text: str, expected: Frequency | None) -> None:
    assert parse_frequency(text) is expected


def test_unknown_frequency_is_named() -> None:
    with pytest.raises(PeriodError, match="unknown frequency 'fortnightly'"):
        parse_frequency("fortnightly")


# --- properties: a period survives parse -> format, in every style -------------------

_years = st.integers(min_value=1990, max_value=2090)
_case = st.sampled_from([str.title, str.upper, str.lower])
_labels = st.one_of(
    st.builds(lambda q, y, sep, two: f"Q{q} {y}{sep}{str(y + 1)[2:] if two else y + 1}",
              st.integers(1, 4), _years, st.sampled_from("/-"), st.booleans()),
    st.builds(lambda q, y: f"{y}/{str(y + 1)[2:]} Q{q}", st.integers(1, 4), _years),
    st.builds(lambda q, y: f"Q{q} {y}", st.integers(1, 4), _years),
    st.builds(lambda t, y, census, case: f"{case(t)}{' Census' if census else ''} {y}",
              st.sampled_from(["autumn", "spring", "summer"]), _years, st.booleans(), _case),
    st.builds(lambda y, sep: f"{y}{sep}{str(y + 1)[2:]}", _years, st.sampled_from("/-")),
    st.builds(lambda y, suffix: f"{y}{suffix}", _years, st.sampled_from(["", " (prov)", " (Rev)", " (Final)"])),
    st.builds(lambda y, n: f"{y}-{str(y + n)[2:]}", _years, st.integers(2, 4)),
    st.builds(lambda m, y, case: f"{case(m)}-{str(y)[2:]}",
              st.sampled_from(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]),
              st.integers(2004, 2026), _case),
    st.builds(lambda q, y: f"Q{q} {y}/{str(y + 1)[2:]} YTD", st.integers(1, 4), _years),
)


@given(_labels)
def test_property_label_survives_parse_format(label: str) -> None:
    period = parse_period(label)
    assert format_period(period) == label
    assert parse_period(format_period(period)) == period


@given(_labels, st.integers(-36, 36))
def test_property_shift_keeps_style_and_parses_back(label: str, months: int) -> None:
    period = parse_period(label)
    step = 3 if period.kind == "quarter" else 12 if period.kind == "year" else 1
    if period.kind == "term":
        return  # terms step by term, covered by the case table
    moved = shift(period, months * step)
    assert parse_period(moved.label) == moved
    assert (moved > period) == (months > 0) or months == 0
