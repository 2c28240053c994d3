"""Each indicator's last N periods of its frequency: gaps kept, suppressed values never zeros."""

from __future__ import annotations

import math

import pandas as pd

from kpi_excel.core.history import History, HistoryPoint, describe_history, history_window, indicator_histories
from kpi_excel.core.observations import Observations, winning_values
from kpi_excel.core.periods import Frequency, parse_period


def values(pairs: dict[str, float]) -> dict:
    return {parse_period(label): (value, "") for label, value in pairs.items()}


def test_quarterly_window_ends_at_the_latest_value_and_keeps_gaps() -> None:
    points = history_window(values({"Q1 2022/23": 61.0, "Q3 2022/23": 63.0, "Q4 2022/23": math.nan,
                                    "Q2 2021/22": 54.0}), Frequency.QUARTERLY, periods=6)
    assert [p.period for p in points] == ["Q2 2021/22", "Q3 2021/22", "Q4 2021/22", "Q1 2022/23", "Q2 2022/23",
                                          "Q3 2022/23"]
    assert [p.value for p in points] == [54.0, None, None, 61.0, None, 63.0]  # Q4 is suppressed: not the latest


def test_annual_window_shows_the_years_without_exams() -> None:
    points = history_window(values({"2017/18": 45.0, "2018/19": 46.5, "2021/22": 48.0}), Frequency.ANNUAL, 5)
    assert [(p.period, p.value) for p in points] == [("2017/18", 45.0), ("2018/19", 46.5), ("2019/20", None),
                                                     ("2020/21", None), ("2021/22", 48.0)]


def test_year_to_date_steps_a_year_and_terms_step_a_term() -> None:
    ytd = history_window(values({"Apr-Sep 2021": 10.0, "Apr-Sep 2022": 12.0}), Frequency.YTD, 3)
    assert [p.period for p in ytd] == ["Apr-Sep 2020", "Apr-Sep 2021", "Apr-Sep 2022"]
    terms = history_window(values({"Summer 2022": 1.0}), Frequency.TERMLY, 4)
    assert [p.period for p in terms] == ["Summer 2021", "Autumn 2021", "Spring 2022", "Summer 2022"]


def test_nothing_to_show_without_a_value() -> None:
    assert history_window(values({"Q1 2022/23": math.nan}), Frequency.QUARTERLY) == ()
    assert indicator_histories({"A": values({"Q1 2022/23": math.nan})}, {"A": None, "B": None}) == {}


def test_winning_values_take_the_newest_source_and_only_the_own_area() -> None:
    frame = pd.DataFrame({
        "code": ["A", "A", "A", "A"], "area": ["", "", "Kent", ""],
        "period": ["Q1 2022/23", "Q1 2022/23", "Q2 2022/23", "Q2 2022/23"], "value": [50.0, 52.0, 99.0, 55.0],
        "source": ["Data sheet", "warehouse.csv", "Data sheet", "Data sheet"], "note": ["", "", "", ""],
        "updated": pd.to_datetime([None, None, None, None]), "row": [2, 3, 4, 5], "shown": ["50%", "52%", "", "55%"],
        "source_order": [0, 1, 0, 0],
    })
    won = winning_values(Observations(frame), area="Leicestershire")["A"]
    assert won[parse_period("Q1 2022/23")] == (52.0, "52%")  # the source given later wins
    assert won[parse_period("Q2 2022/23")] == (55.0, "55%")  # Kent's value is not ours
    assert parse_period("Q2 2022/23") not in winning_values(Observations(frame), as_of="Q1 2022/23")["A"]


def test_alt_text_says_what_the_chart_shows() -> None:
    points = tuple(HistoryPoint(p, v, s) for p, v, s in [
        ("Q4 2020/21", 54.0, "54%"), ("Q1 2021/22", 55.0, "55%"), ("Q2 2021/22", None, ""),
        ("Q3 2021/22", 58.0, "58%"), ("Q4 2021/22", 59.0, "59%"), ("Q1 2022/23", 60.0, "60%"),
        ("Q2 2022/23", 61.0, "61%")])
    history = History("EET", Frequency.QUARTERLY, points, percent=True)
    assert describe_history("Care leavers EET", history, ">54%") == (
        "Care leavers EET rose from 54% to 61% over 6 quarters (Q4 2020/21 to Q2 2022/23); 1 period without a "
        "value; target >54%")
    one = History("X", Frequency.ANNUAL, (HistoryPoint("2021/22", 3.0, "3"),))
    assert describe_history("Dental", one) == "Dental was 3 in 2021/22; no earlier value in the last 1 year"


def test_history_periods_is_a_setting_from_2_to_40() -> None:
    from kpi_excel.core.settings import read_settings

    assert read_settings([("History periods", "12")]).history_periods == 12
    assert read_settings([]).history_periods == 8
    wrong = read_settings([("History periods", "100")])
    assert wrong.history_periods == 8 and "not a whole number from 2 to 40" in str(wrong.problems[0])
