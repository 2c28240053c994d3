"""Trend words and direction from polarity."""

from __future__ import annotations

import pytest

from kpi_excel.core.engine.trend_columns import assess_trends
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.targets import Target, Tolerance, parse_target
from kpi_excel.core.engine.rounding import round_to
from kpi_excel.core.trend import Trend
from kpi_excel.core.values import Value, parse_value


def assess_trend(previous: Value, latest: Value, polarity: Polarity, target: Target | None = None,
                 same_within: Tolerance | None = None) -> Trend:
    """One row through the column engine."""
    return assess_trends([previous], [latest], [polarity], [target], same_within)[0]


@pytest.mark.parametrize(
    "previous,latest,polarity,word,direction,change",
    [
        ("76.00%", "77.60%", Polarity.HIGH, "Increase", "Improving", 1.6),
        ("27.61%", "22.60%", Polarity.LOW, "Decrease", "Improving", -5.01),
        ("23.08%", "22.40%", Polarity.LOW, "Decrease", "Improving", -0.68),  # the seed says "Increase"
        ("89.81%", "84.00%", Polarity.HIGH, "Decrease", "Declining", -5.81),
        ("91.6%", "91.6%", Polarity.HIGH, "Same", "No change", 0.0),
        ("-0.64", "-0.64", Polarity.HIGH, "Same", "No change", 0.0),
        ("-1.22", "-1.18", Polarity.HIGH, "Increase", "Improving", 0.04),
        ("3,812", "2,873", Polarity.NONE, "Decrease", "Not applicable", -939),
        ("20", "29", Polarity.LOW, "Increase", "Declining", 9),
        ("91.64%", "91.6%", Polarity.HIGH, "Decrease", "Declining", -0.04),  # finer previous decides the precision
    ],
)
def test_seed_style_trends(previous, latest, polarity, word, direction, change) -> None:  # type: ignore[no-untyped-def]
    trend = assess_trend(parse_value(previous), parse_value(latest), polarity)
    assert (trend.word, trend.direction) == (word, direction)
    assert trend.change == pytest.approx(change)


def test_same_at_displayed_precision() -> None:
    # Both show 91.6% in the table even though the cells hold more digits.
    a, b = parse_value(0.91612, "0.0%"), parse_value(0.91649, "0.0%")
    assert assess_trend(a, b, Polarity.HIGH).word == "Same"
    assert assess_trend(a, parse_value(0.9166, "0.0%"), Polarity.HIGH).word == "Increase"


def test_same_within_tolerance() -> None:
    before, after = parse_value("100"), parse_value("100.8")
    assert assess_trend(before, after, Polarity.HIGH).word == "Increase"
    assert assess_trend(before, after, Polarity.HIGH, same_within=Tolerance(1, True)).word == "Same"
    assert assess_trend(before, after, Polarity.HIGH, same_within=Tolerance(0.5, False)).word == "Increase"


def test_missing_values_are_not_applicable() -> None:
    trend = assess_trend(parse_value("c"), parse_value("50%"), Polarity.HIGH)
    assert (trend.change, trend.word, trend.direction) == (None, "N/A", "Not applicable")
    trend = assess_trend(parse_value("50%"), parse_value(None), Polarity.HIGH)
    assert (trend.change, trend.word, trend.direction) == (None, "N/A", "Not applicable")


def test_bounds_settle_the_move_only_when_they_can() -> None:
    assert assess_trend(parse_value("2%"), parse_value("<0.1%"), Polarity.LOW) == Trend(None, "Decrease", "Improving")
    assert assess_trend(parse_value("0.05%"), parse_value("<0.1%"), Polarity.LOW).word == "N/A"
    assert assess_trend(parse_value("2%"), parse_value("<0.1%"), Polarity.TARGET, parse_target("1%")).direction == \
        "Not applicable"


def test_many_rows_at_once_agree_with_one_at_a_time() -> None:
    previous = [parse_value(v) for v in ("76.00%", "91.6%", "c", "20", "2%", "3,812")]
    latest = [parse_value(v) for v in ("77.60%", "91.6%", "50%", "29", "<0.1%", "2,873")]
    polarity = [Polarity.HIGH, Polarity.HIGH, Polarity.LOW, Polarity.LOW, Polarity.LOW, Polarity.NONE]
    together = assess_trends(previous, latest, polarity)
    assert together == [assess_trend(p, l, o) for p, l, o in zip(previous, latest, polarity)]


def test_goldilocks_direction_is_towards_the_target() -> None:
    band = parse_target("90%-95%")
    assert assess_trend(parse_value("85%"), parse_value("88%"), Polarity.TARGET, band).direction == "Improving"
    assert assess_trend(parse_value("97%"), parse_value("99%"), Polarity.TARGET, band).direction == "Declining"
    assert assess_trend(parse_value("91%"), parse_value("94%"), Polarity.TARGET, band).direction == "No change"
    assert assess_trend(parse_value("85%"), parse_value("88%"), Polarity.TARGET, None).direction == "Not applicable"


@pytest.mark.parametrize("number,decimals,expected", [(0.125, 2, 0.13), (-0.125, 2, -0.13), (2.675, 2, 2.68),
                                                       (1.005, 2, 1.01), (123.456, 0, 123.0)])
def test_rounding_is_half_away_from_zero_like_excel(number: float, decimals: int, expected: float) -> None:
    assert round_to(number, decimals) == expected
