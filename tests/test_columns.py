"""Header matching: synonyms, the seed's own headers, periods in headers."""

from __future__ import annotations

import pytest

from kpi_excel.core.columns import column_letter, match_columns


@pytest.mark.parametrize("headers,expected", [
    (["Торіс", "Indicator", "Reporting Frequency", "National benchmark (quartile 1 = top)", "average"],
     {"topic": 0, "indicator": 1, "frequency": 2, "quartile": 3, "sn_average": 4}),
    (["KPI", "Good is", "Current value", "Target*", "RAG Status"],
     {"indicator": 0, "polarity": 1, "latest_value": 2, "target": 3, "published_rag": 4}),
    (["Measure", "Polarity (High/Low)", "Q2 Actual", "Target 2023/24"],
     {"indicator": 0, "polarity": 1, "latest_value": 2, "target": 3}),
    (["KPI", "Actual", "Previous quarter"], {"indicator": 0, "latest_value": 1, "previous_value": 2}),
])
def test_headers(headers: list[str], expected: dict[str, int]) -> None:
    assert match_columns(headers).by_name == expected


def test_two_value_columns_split_by_period_or_position() -> None:
    assert match_columns(["KPI", "Q1 Actual", "Q2 Actual"]).by_name == \
        {"indicator": 0, "previous_value": 1, "latest_value": 2}
    assert match_columns(["KPI", "Actual 2023/24", "Actual 2022/23"]).by_name == \
        {"indicator": 0, "latest_value": 1, "previous_value": 2}


def test_headerless_column_after_a_period_is_its_value() -> None:
    mapped = match_columns(["Indicator", "Previous Period", "", "Latest Period", "Latest Value"])
    assert mapped.by_name["previous_value"] == 2


@pytest.mark.parametrize("number,letters", [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA")])
def test_column_letters(number: int, letters: str) -> None:
    assert column_letter(number) == letters


# --- headers as councils publish them: one test per row of cases/header_cases.csv ---------------

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

from kpi_excel.core.columns import settle_by_content  # noqa: E402

HEADER_CASES = list(csv.DictReader((Path(__file__).parent / "cases" / "header_cases.csv").open(encoding="utf-8")))


def _pairs(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";") if part)


@pytest.mark.parametrize("case", HEADER_CASES, ids=[c["case"] for c in HEADER_CASES])
def test_header_case(case: dict[str, str]) -> None:
    mapped = match_columns(case["headers"].split("|"))
    assert mapped.by_name == {name: int(i) for name, i in _pairs(case["expected"]).items()}
    assert mapped.header_periods == _pairs(case["header_periods"])


def test_a_header_written_twice_is_named_not_renamed() -> None:
    mapped = match_columns(["Indicator", "Target", "Latest Value", "Target"])
    assert mapped.by_name["target"] == 1
    assert mapped.repeated == [("Target", [1, 3])]


def test_period_columns_holding_values_become_value_columns() -> None:
    mapped = match_columns(["Indicator", "Last period", "This period"])
    assert mapped.by_name == {"indicator": 0, "previous_period": 1, "latest_value": 2}
    cells = {1: ["3%", "41", "", "N/A"], 0: ["A", "B", "C", "D"], 2: ["4%", "40", "", "N/A"]}
    settle_by_content(mapped, lambda j: cells[j])
    assert mapped.by_name == {"indicator": 0, "previous_value": 1, "latest_value": 2}
    assert "holds values, not periods" in mapped.notes[0]


def test_real_period_columns_stay_periods() -> None:
    mapped = match_columns(["Indicator", "Last period", "Previous", "Latest Value"])
    settle_by_content(mapped, lambda j: [["A"], ["Q1 2024/25"], ["3%"], ["4%"]][j])
    assert mapped.by_name["previous_period"] == 1 and mapped.by_name["previous_value"] == 2


def test_indicator_column_of_codes_beside_a_description() -> None:
    mapped = match_columns(["Indicator", "Description", "Latest Value"])
    cells = {0: ["NI 192", "BV 12", "CS02a", "HS07"], 1: ["Recycling", "Sickness", "Calls", "Prevention"]}
    settle_by_content(mapped, lambda j: cells.get(j, []))
    assert mapped.by_name["code"] == 0 and mapped.by_name["indicator"] == 1
    assert "holds codes" in mapped.notes[0]


def test_indicator_names_are_not_mistaken_for_codes() -> None:
    mapped = match_columns(["Indicator", "Description", "Latest Value"])
    cells = {0: ["Recycling rate", "Days lost to sickness", "Calls answered", "Homelessness prevented"]}
    settle_by_content(mapped, lambda j: cells.get(j, []))
    assert mapped.by_name["indicator"] == 0 and "code" not in mapped.by_name
