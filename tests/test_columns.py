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
