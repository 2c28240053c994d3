"""Trend words and direction from polarity."""

from __future__ import annotations

import pytest

from kpi_excel.core.polarity import Polarity
from kpi_excel.core.targets import Tolerance, parse_target
from kpi_excel.core.trend import assess_trend, round_to
from kpi_excel.core.values import parse_value


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


def test_missing_values_are_not_applicable_with_reason() -> None:
    trend = assess_trend(parse_value("c"), parse_value("50%"), Polarity.HIGH)
    assert (trend.word, trend.direction) == ("N/A", "Not applicable")
    assert "confidential" in (trend.note or "")
    trend = assess_trend(parse_value("50%"), parse_value(None), Polarity.HIGH)
    assert trend.change is None and "latest value" in (trend.note or "")


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
