"""Row-level statistics: kinds from Measure Type/Unit, counts from cells or "3% (420)",
intervals in an officer's words, significant change, vs England, and the trend/RAG wiring."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi_excel.core.assess import RateOptions, assess_row
from kpi_excel.core.plan import Cell
from kpi_excel.core.measures import COUNT, MEAN, PROPORTION, RATE, Measure, MeasureError, measure_from_unit, \
    parse_measure_type
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.rate_table import STATISTICS_COLUMNS, rate_table
from kpi_excel.core.significance import NOT_SIGNIFICANT, SIGNIFICANT


@pytest.mark.parametrize("text,kind,multiplier", [
    ("Percentage", PROPORTION, 100), ("%", PROPORTION, 100), ("Proportion", PROPORTION, 1),
    ("Rate per 10,000", RATE, 10_000), ("per 1,000 10-17 pop", RATE, 1_000), ("Crude rate per 100,000", RATE, 100_000),
    ("per 100k", RATE, 100_000), ("per 100", PROPORTION, 100), ("Count", COUNT, 1), ("No.", COUNT, 1),
    ("Score", MEAN, 1), ("Mean", MEAN, 1),
])
def test_measure_type_words(text: str, kind: str, multiplier: float) -> None:
    assert parse_measure_type(text) == Measure(kind, multiplier)


def test_unknown_measure_type_is_named_and_a_bare_rate_needs_its_base() -> None:
    with pytest.raises(MeasureError, match="unknown Measure Type 'ratio of odds'"):
        parse_measure_type("ratio of odds")
    with pytest.raises(MeasureError, match="needs its base"):
        parse_measure_type("Rate")
    assert parse_measure_type("") is None


@pytest.mark.parametrize("unit,expected", [("%", Measure(PROPORTION, 100)), ("per 10,000", Measure(RATE, 10_000)),
                                           ("£", None), ("days", None), ("", None), ("score", Measure(MEAN))])
def test_unit_says_the_kind_or_nothing(unit: str, expected: Measure | None) -> None:
    assert measure_from_unit(unit) == expected


def _judge(**cells: object):  # type: ignore[no-untyped-def]
    """The statistics the engine works out for a row of these cells."""
    row = {"indicator": "An indicator", "latest_value": cells.pop("latest"), "previous_value": cells.pop("previous", None),
           "polarity": cells.pop("polarity", Polarity.HIGH).value, **cells}  # type: ignore[attr-defined]
    level = row.pop("level", 0.95)
    return assess_row(row, options=RateOptions(confidence=level)).statistics  # type: ignore[arg-type]


def test_the_issue_example_forty_to_forty_five_percent_on_a_hundred() -> None:
    result = _judge(unit="%", latest="45%", previous="40%", latest_numerator=45, latest_denominator=100,
                    previous_numerator=40, previous_denominator=100)
    assert result.interval_text() == "35.6% to 54.8%"
    assert result.significance == NOT_SIGNIFICANT
    assert result.change_text == "40% to 45% on 100 cases"


def test_the_same_move_on_ten_thousand_is_news() -> None:
    result = _judge(unit="%", latest="45%", previous="40%", latest_numerator=4500, latest_denominator=10_000,
                    previous_numerator=4000, previous_denominator=10_000)
    assert result.interval_text() == "44.0% to 46.0%"
    assert result.significance == SIGNIFICANT


def test_a_count_written_with_its_rate_gives_the_denominator() -> None:
    result = _judge(unit="%", latest="25.0% (153)")  # 153 of 612
    assert result.latest_counts == (153, pytest.approx(612))
    assert result.interval_text() == "21.7% to 28.6%"


def test_a_too_rounded_value_does_not_invent_a_denominator() -> None:
    result = _judge(unit="%", latest="3% (420)")
    assert result.intervals == ()
    assert "too rounded" in result.problems[0].message


def test_counts_that_disagree_with_the_value_are_named() -> None:
    result = _judge(unit="%", latest="22.60%", latest_numerator=153, latest_denominator=618)
    assert any("does not match its counts (153 of 618 is 24.76%)" in p.message for p in result.problems)
    assert result.interval_text() == "21.52% to 28.31%"  # from the counts, at the value's precision


def test_numerator_above_denominator_is_named_and_gives_no_interval() -> None:
    result = _judge(unit="%", latest="50%", latest_numerator=60, latest_denominator=50)
    assert result.intervals == ()
    assert any("more than all of them" in p.message for p in result.problems)


def test_rates_use_the_count_and_work_the_population_out() -> None:
    # LAIT, Leicestershire children on a CP plan: 429 (29.5 per 10,000) then 511 (34.7).
    result = _judge(measure_type="Rate per 10,000", latest="34.7", previous="29.5", latest_numerator=511,
                    previous_numerator=429, england="40.6", polarity=Polarity.LOW)
    assert result.significance == SIGNIFICANT
    assert result.vs_england == "Better"
    assert result.change_text == "29.5 to 34.7 per 10,000; 429 and 511 events"


def test_counts_are_their_own_numerator() -> None:
    result = _judge(measure_type="Count", latest="29", previous="20", polarity=Polarity.LOW)
    assert result.interval_text() == "19.4 to 41.7"
    assert result.significance == NOT_SIGNIFICANT


def test_no_kind_no_guess() -> None:
    result = _judge(latest="45", latest_numerator=45, latest_denominator=100)
    assert result.intervals == ()
    assert "neither the Measure Type nor the Unit" in result.problems[0].message
    assert _judge(unit="score", latest="-0.07").intervals == ()


def test_a_percentage_value_with_counts_is_a_proportion_without_a_unit() -> None:
    assert _judge(latest="45%", latest_numerator=45, latest_denominator=100).interval_text() == "35.6% to 54.8%"


def test_rows_without_counts_say_nothing_and_cost_nothing() -> None:
    result = _judge(unit="%", latest="45%", previous="40%")
    assert result.intervals == () and result.problems == () and result.significance == ""


def test_vs_england_reads_the_polarity_and_no_polarity_is_higher_or_lower() -> None:
    high = _judge(unit="%", latest="45%", latest_numerator=450, latest_denominator=1000, england="40%")
    low = _judge(unit="%", latest="45%", latest_numerator=450, latest_denominator=1000, england="40%",
                 polarity=Polarity.LOW)
    none = _judge(unit="%", latest="45%", latest_numerator=450, latest_denominator=1000, england="40%",
                  polarity=Polarity.NONE)
    similar = _judge(unit="%", latest="45%", latest_numerator=45, latest_denominator=100, england="40%")
    assert (high.vs_england, low.vs_england, none.vs_england, similar.vs_england) == \
        ("Better", "Worse", "Higher", "Similar")


def test_ninety_nine_point_eight_is_stricter() -> None:
    cells = dict(unit="%", latest="45%", previous="40%", latest_numerator=450, latest_denominator=1000,
                 previous_numerator=400, previous_denominator=1000)
    assert _judge(**cells).significance == SIGNIFICANT
    assert _judge(**cells, level=0.998).significance == NOT_SIGNIFICANT


ROW = {"indicator": "Care leavers in suitable accommodation", "polarity": "High = Good", "unit": "%",
       "previous_value": "40%", "latest_value": "45%", "previous_numerator": 40, "previous_denominator": 100,
       "latest_numerator": 45, "latest_denominator": 100, "quartile": 2, "quartile_position": "better"}


def test_rag_reason_says_whether_the_change_is_real() -> None:
    result = assess_row(ROW)
    assert result.trend == "Increase" and result.direction == "Improving"
    # High in Q2 but the move is not significant: the quartile key reads it as no change (issue 16, item 14).
    assert result.rag == "Amber"
    assert result.rag_reason.endswith("; Improving (not significant: 40% to 45% on 100 cases)")
    trusting = assess_row(ROW, options=RateOptions(quartile_needs_significance=False))
    assert trusting.rag == "Green"  # high in Q2 and improving, taken at face value
    real = dict(ROW, previous_numerator=4000, previous_denominator=10_000, latest_numerator=4500,
                latest_denominator=10_000)
    assert assess_row(real).rag == "Green"  # a significant improvement still counts
    without_counts = {k: v for k, v in ROW.items() if "numerator" not in k and "denominator" not in k}
    assert assess_row(without_counts).rag == "Green"  # no counts: the move is all we know


def test_trend_needs_significance_makes_noise_read_same_and_the_quartile_key_uses_it() -> None:
    result = assess_row(ROW, options=RateOptions(trend_needs_significance=True))
    assert result.trend == "Same" and result.direction == "No change"
    assert result.rag == "Amber"  # high in Q2, but no longer "improving"
    assert result.rag_reason.endswith("; No change (not significant: 40% to 45% on 100 cases)")
    real = dict(ROW, previous_numerator=4000, previous_denominator=10_000, latest_numerator=4500,
                latest_denominator=10_000)
    assert assess_row(real, options=RateOptions(trend_needs_significance=True)).rag == "Green"


def test_rate_output_fills_the_new_columns() -> None:
    frame = pd.DataFrame({
        "Indicator": ["Care leavers EET", "Children in care", "Progress 8"],
        "Polarity": ["High = Good", "Low = Good", "High = Good"],
        "Unit": ["%", "per 10,000", "score"],
        "Previous Value": ["59.5%", "50", "-0.07"], "Latest Value": ["59.0%", "47", "0.02"],
        "Previous Numerator": [185, 725, None], "Previous Denominator": [311, None, None],
        "Latest Numerator": [220, 694, None], "Latest Denominator": [373, None, None],
        "England": ["54%", "67", "0"],
    })
    rated = rate_table(frame)
    assert all(column in rated.frame.columns for column in STATISTICS_COLUMNS)
    first = rated.frame.iloc[0]
    assert (round(first["ci_low"], 1), round(first["ci_high"], 1)) == (53.9, 63.9)
    assert first["significance"] == NOT_SIGNIFICANT and first["vs_england"] == "Similar"  # 54% is inside
    assert rated.frame.iloc[1]["vs_england"] == "Better"
    assert pd.isna(rated.frame.iloc[2]["ci_low"]) and rated.frame.iloc[2]["significance"] == ""


def test_tables_without_counts_keep_their_six_columns() -> None:
    frame = pd.DataFrame({"Indicator": ["A"], "Polarity": ["High = Good"], "Latest Value": ["45%"],
                          "Target": [">40%"]})
    rated = rate_table(frame)
    assert not any(column in rated.frame.columns for column in STATISTICS_COLUMNS)


COUNTS_CSV = """Indicator,Polarity,Unit,Previous Value,Latest Value,Previous Numerator,Previous Denominator,\
Latest Numerator,Latest Denominator,England
Care leavers in suitable accommodation,High = Good,%,94.2%,93.8%,293,311,350,373,89%
Referrals per 10000,N/A,per 10000,428.3,458.0,6236,,6752,,519.4
Progress 8,High = Good,score,-0.07,0.02,,,,,0
"""


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rate_command_fills_the_new_columns(tmp_path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from kpi_excel.cli import main
    from kpi_excel.sources.table_files import read_table

    source = tmp_path / "counts.csv"
    source.write_text(COUNTS_CSV, encoding="utf-8")
    out = tmp_path / f"rated{suffix}"
    result = CliRunner().invoke(main, ["rate", str(source), "-o", str(out), "--confidence", "99.8",
                                       "--trend-needs-significance"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    frame, _ = read_table(out)
    care, referrals, progress = (frame.iloc[i] for i in range(3))
    assert (round(float(care["ci_low"]), 1), round(float(care["ci_high"]), 1)) == (88.8, 96.7)  # 99.8%
    assert care["significance"] == NOT_SIGNIFICANT and care["trend"] == "Same"
    assert care["vs_england"] == "Similar"  # 89% is inside the 99.8% interval
    assert referrals["significance"] == SIGNIFICANT and referrals["trend"] == "Increase"
    assert referrals["vs_england"] == "Lower"
    assert progress["significance"] in ("", None) or pd.isna(progress["significance"])


def test_counts_typed_on_the_kpis_sheet_are_read_and_never_cleared() -> None:
    import datetime as dt

    from kpi_excel.core.report import SheetCells, WorkbookContent, plan_refresh

    headers = ["Indicator", "Code", "Polarity", "Unit", "Previous Value", "Latest Value", "Previous Numerator",
               "Previous Denominator", "Latest Numerator", "Latest Denominator", "95% CI", "Significance"]
    typed = ["Care leavers", "T1", "High = Good", "%", "40%", "45%", 40, 100, 45, 100, None, None]
    from_data = ["Repeat plans", "T2", "Low = Good", "%", None, None, 7, 70, 8, 80, None, None]
    content = WorkbookContent(("KPIs",), SheetCells("KPIs", [headers, typed, from_data]))
    selected = pd.DataFrame([{"code": "T2", "previous_period": "2024", "previous_value": "26.9%",
                              "latest_period": "2025", "latest_value": "24.8%", "source": "Data sheet row 2",
                              "note": "", "latest_numerator": 153.0, "latest_denominator": 618.0,
                              "previous_numerator": float("nan"), "previous_denominator": float("nan")}]
                            ).set_index("code")
    plan = plan_refresh(content, selected=selected, now=dt.datetime(2026, 11, 23))
    cells = {w.header: w.cells for w in plan.kpis.writes}
    assert cells["95% CI"][0].value == "35.6% to 54.8%"  # from the typed counts
    assert cells["Significance"][0].value == NOT_SIGNIFICANT
    assert cells["Latest Numerator"] == (None, Cell(153.0, "#,##0"))  # typed T1 left alone; T2 from the source
    assert cells["Previous Numerator"] == (None, None)  # the source gave no previous counts: typed ones stay
    # 7 of 70 typed for the previous period is 10%, not the source's 26.9%: named, not silently used
    assert "26.9% does not match its counts (7 of 70 is 10.0%)" in cells["Checks"][1].value


def test_versus_from_counts_is_judges_versus_on_every_kind_of_row() -> None:
    """versus_from_counts works out only judge's ``versus`` (and keeps it): the same word for every
    kind, level, rounding and missing count as judge's whole-row answer gives."""
    import itertools
    import math

    from kpi_excel.core.measures import PERCENTAGE
    from kpi_excel.core.significance import judge, versus_from_counts, versus_word

    measures = [PERCENTAGE, Measure(PROPORTION, 1.0), Measure(RATE, 10_000.0), Measure(RATE, 1_000.0),
                Measure(COUNT, 1.0), Measure(MEAN, 1.0)]
    rows = [(45.0, 45.0, 100.0), (45.0, math.nan, 100.0), (45.0, 45.0, math.nan), (0.0, math.nan, 612.0),
            (12.5, 30.0, math.nan), (80.0, 8.0, 10.0), (3.0, 420.0, math.nan), (99.9, 999.0, 1000.0),
            (math.nan, 5.0, 10.0), (50.0, 60.0, 50.0)]
    for measure, (value, numerator, denominator), comparator, level, rounding, polarity in itertools.product(
            measures, rows, (40.0, 50.0, math.nan), (0.95, 0.998), (0.0, 0.05, 5.0),
            (Polarity.HIGH, Polarity.LOW, Polarity.NONE)):
        whole = judge([measure.kind], measure.multiplier, value, numerator, denominator, comparator=comparator,
                      level=level, latest_rounding=rounding)
        expected = versus_word(float(whole["versus"][0]), polarity)
        for _ in range(2):  # worked out, then kept
            assert versus_from_counts(measure, value, numerator, denominator, comparator, polarity, level,
                                      rounding) == expected
