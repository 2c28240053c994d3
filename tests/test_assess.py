"""The row assessor: problems are named, rows always come back."""

from __future__ import annotations

from kpi_excel.core.assess import RateOptions, assess_row, read_published_trend
from kpi_excel.core.rag import Rule
from kpi_excel.core.targets import Tolerance

BASE = {
    "indicator": "Child protection cases reviewed within timescales",
    "polarity": "High = Good",
    "frequency": "Quarter",
    "previous_period": "Q1 2022/23",
    "previous_value": "76.00%",
    "latest_period": "Q2 2022/23",
    "latest_value": "77.60%",
    "target": ">97.2%",
    "quartile": "4",
}


def problems(row: dict) -> str:  # type: ignore[type-arg]
    return assess_row(row).problem_text


def test_good_row_has_no_problems() -> None:
    result = assess_row(BASE)
    assert (result.trend, result.direction, result.rag) == ("Increase", "Improving", "Red")
    assert result.problems == ()
    assert result.rag_reason == "Red: 77.60% is 19.60 points short of the >97.2% target"


def test_explicit_no_polarity_is_not_rated() -> None:
    result = assess_row({**BASE, "polarity": "N/A"})
    assert result.rag == "N/A" and "no polarity" in result.rag_reason
    assert result.direction == "Not applicable"


def test_unknown_polarity_named_and_not_rated() -> None:
    result = assess_row({**BASE, "polarity": "Highish"})
    assert result.rag == "N/A"
    assert "polarity: unknown polarity 'Highish'" in result.problem_text


def test_unreadable_target_named() -> None:
    result = assess_row({**BASE, "target": ">lots"})
    assert "target: cannot read target '>lots'" in result.problem_text
    assert result.rag == "Red"  # auto falls back to the quartile (4)


def test_unreadable_period_named() -> None:
    assert "latest_period: unknown period 'Q7 2022/23'" in problems({**BASE, "latest_period": "Q7 2022/23"})


def test_suppressed_value_named_and_not_rated() -> None:
    result = assess_row({**BASE, "latest_value": "c"})
    assert result.rag == "N/A" and "confidential" in result.rag_reason
    assert "latest value is confidential (c)" in result.problem_text
    assert result.trend == "N/A"


def test_absurd_number_named() -> None:
    result = assess_row({**BASE, "latest_value": "1e308"})
    assert "absurd" in result.problem_text and result.rag == "N/A"


def test_formula_text_value_named() -> None:
    result = assess_row({**BASE, "latest_value": "=1+1"})
    assert "looks like a formula" in result.problem_text


def test_previous_period_not_comparable_is_flagged() -> None:
    text = problems({**BASE, "previous_period": "Q4 2021/22"})
    assert "Q4 2021/22 is not the comparable period for quarterly data (expected Q1 2022/23)" in text


def test_ytd_indicator_compares_with_same_quarter_last_year() -> None:
    row = {**BASE, "indicator": "First time entrants (year to date)", "previous_period": "Q1 2021/22",
           "latest_period": "Q1 2022/23"}
    assert problems(row) == ""
    assert "not the comparable period" in problems({**BASE, "previous_period": "Q1 2021/22",
                                                    "latest_period": "Q1 2022/23"})


def test_annual_with_gap_is_fine() -> None:
    row = {**BASE, "frequency": "Annual", "previous_period": "2018/19", "latest_period": "2021/22"}
    assert problems(row) == ""


def test_previous_after_latest_is_flagged() -> None:
    assert "is not before the latest period" in problems({**BASE, "previous_period": "Q3 2022/23"})


def test_fraction_beside_percentages_is_put_on_one_scale() -> None:
    result = assess_row({**BASE, "previous_value": "0.76"})
    assert result.trend == "Increase" and result.change == 1.6
    assert "read as 76% to match" in result.problem_text


def test_fraction_target_with_percent_values() -> None:
    result = assess_row({**BASE, "target": ">0.972"})
    assert result.rag == "Red" and "19.60 points short" in result.rag_reason


def test_conflicting_target_and_polarity_named() -> None:
    result = assess_row({**BASE, "target": "<97.2%"})
    assert "points the other way from the polarity" in result.problem_text
    assert result.rag == "Green"  # rated by the target, as the note says


def test_row_rule_and_tolerance_win_over_options() -> None:
    row = {**BASE, "latest_value": "95%", "rag_rule": "target", "amber_within": "5%"}
    assert assess_row(row, options=RateOptions(rule=Rule.QUARTILE)).rag == "Amber"
    assert assess_row({**BASE, "latest_value": "95%"}, options=RateOptions(Rule.TARGET, Tolerance(5, True))).rag == "Amber"


def test_override_with_separate_reason_column() -> None:
    result = assess_row({**BASE, "rag_override": "Amber", "rag_override_reason": "new service, data partial"})
    assert result.rag == "Amber"
    assert result.rag_reason == "Amber (officer override: new service, data partial; calculated Red)"


def test_bad_override_named_and_ignored() -> None:
    result = assess_row({**BASE, "rag_override": "Purple"})
    assert result.rag == "Red" and "rag_override" in result.problem_text


def test_section_heading_row_is_blank_not_a_problem() -> None:
    result = assess_row({"topic": "Help every child to get the best possible start in life"})
    assert result.blank and result.rag == "" and result.problems == ()


def test_published_trend_and_rag_are_checked() -> None:
    row = {**BASE, "polarity": "Low = Good", "previous_value": "23.08%", "latest_value": "22.40%",
           "target": "<18.7%", "quartile": "3", "published_trend": "Increase", "published_rag": "Amber"}
    result = assess_row(row, options=RateOptions(rule=Rule.QUARTILE))
    assert "published trend 'Increase' disagrees with the data: 23.08% → 22.40% is a decrease" in result.problem_text
    assert "published_rag" not in result.problem_text
    assert "published RAG Green differs" in assess_row({**row, "published_rag": "G"},
                                                        options=RateOptions(rule=Rule.QUARTILE)).problem_text


def test_published_direction_words_are_understood() -> None:
    assert read_published_trend("Decline") == ("direction", "Declining")
    assert read_published_trend("Inc") == ("word", "Increase")
    assert read_published_trend("↑") == ("word", "Increase")
    assert read_published_trend("") is None
    row = {**BASE, "previous_value": "86.5%", "latest_value": "85.5%", "published_trend": "Decline"}
    assert "published_trend" not in assess_row(row).problem_text


def test_an_amber_tolerance_narrower_than_the_green_one_is_named() -> None:
    row = {"indicator": "Calls", "polarity": "High = Good", "latest_value": "86%", "target": "90%",
           "rag_rule": "target green 10% amber 5%"}
    result = assess_row(row)
    assert result.rag == "Green"  # 4 points short: within 10% of the target
    assert any("amber tolerance 5% is narrower than the green tolerance 10%" in p.message for p in result.problems)


def test_a_rows_tolerance_columns_sit_between_its_rule_text_and_the_options() -> None:
    from kpi_excel.core.rag import RuleSpec

    options = RateOptions(RuleSpec(Rule.TARGET, Tolerance(1, True), Tolerance(2, True)))
    row = {"indicator": "Calls", "polarity": "High = Good", "latest_value": "86%", "target": "90%"}
    assert assess_row(row, options=options).rag == "Red"  # 4.4% short: beyond 2%
    assert assess_row({**row, "amber_within": "5%"}, options=options).rag == "Amber"
    assert assess_row({**row, "amber_within": "5%", "rag_rule": "target amber 3%"}, options=options).rag == "Red"
    assert assess_row({**row, "green_within": "5%"}, options=options).rag == "Green"
