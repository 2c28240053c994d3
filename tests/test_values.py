"""Values: the forms in the seeds, Excel percent cells, suppression codes."""

from __future__ import annotations

import pytest

from kpi_excel.core.values import (
    SUPPRESSION_CODES,
    ValueReadError,
    decimals_of_format,
    is_percent_format,
    looks_like_formula,
    parse_value,
)


@pytest.mark.parametrize(
    "raw,number,percent,decimals,count",
    [
        ("76.00%", 76.0, True, 2, None),
        ("77.6%", 77.6, True, 1, None),
        ("3,972", 3972.0, False, 0, None),
        ("3% (420)", 3.0, True, 0, 420.0),
        ("12.5% (n=40)", 12.5, True, 1, 40.0),
        ("420 (3%)", 3.0, True, 0, 420.0),
        ("-0.07", -0.07, False, 2, None),
        ("\u22120.64", -0.64, False, 2, None),  # a real minus sign from a PDF
        ("+0.02", 0.02, False, 2, None),
        ("(0.07)", -0.07, False, 2, None),
        ("£1,234.50", 1234.5, False, 2, None),
        (" 2363 ", 2363.0, False, 0, None),
        ("9.3699999999999992", 9.3699999999999992, False, None, None),  # LAIT float noise
        ("7.0000000000000007E-2", 0.07000000000000001, False, None, None),
        ("0.10", 0.1, False, 2, None),
    ],
)
def test_text_values(raw: str, number: float, percent: bool, decimals: int | None, count: float | None) -> None:
    value = parse_value(raw)
    assert value.number == pytest.approx(number)
    assert (value.percent, value.decimals, value.count) == (percent, decimals, count)
    assert value.missing is None


@pytest.mark.parametrize(
    "cell,number_format,number,decimals,shown",
    [
        (0.776, "0.0%", 77.6, 1, "77.6%"),
        (0.7760, "0.00%", 77.6, 2, "77.60%"),
        (1, "0%", 100.0, 0, "100%"),
        (0.776, "General", 0.776, 3, "0.776"),
        (3972, "#,##0", 3972.0, 0, "3,972"),
        (-0.07, "0.00", -0.07, 2, "-0.07"),
        (77.6, '0.0"%"', 77.6, 1, "77.6"),  # a literal % sign: Excel does not multiply
        (0.5, None, 0.5, 1, "0.5"),
    ],
)
def test_excel_cells(cell: float, number_format: str | None, number: float, decimals: int, shown: str) -> None:
    value = parse_value(cell, number_format)
    assert value.number == pytest.approx(number)
    assert value.decimals == decimals
    assert value.display() == shown


@pytest.mark.parametrize("code", sorted(SUPPRESSION_CODES) + ["C", "LOW", "N/A", "<5", "#DIV/0!", "", "  "])
def test_suppressed_is_a_reason_never_a_zero(code: str) -> None:
    value = parse_value(code)
    assert value.number is None
    assert value.missing
    assert not value.ok


def test_none_is_no_value() -> None:
    assert parse_value(None).missing == "no value"


@pytest.mark.parametrize(
    "raw,fragment",
    [("abc", "cannot read 'abc'"), ("=1+1", "looks like a formula"), ("=HYPERLINK(\"x\")", "formula"),
     ("1e400", "absurd"), ("1" * 20, "absurd"), ("x" * 20000, "20,000-character"), (True, "true/false"),
     ("12..5", "cannot read")],
)
def test_unreadable_values_are_named(raw: object, fragment: str) -> None:
    with pytest.raises(ValueReadError, match=fragment):
        parse_value(raw)


def test_nan_and_infinity_are_absurd() -> None:
    with pytest.raises(ValueReadError, match="absurd"):
        parse_value(float("inf"))
    with pytest.raises(ValueReadError, match="absurd"):
        parse_value(float("nan"))


@pytest.mark.parametrize(
    "text,formula", [("=SUM(A1)", True), ("+cmd|' /C calc'!A0", True), ("@SUM(A1)", True), ("-2+3", True),
                     ("-0.07", False), ("+5", False), ("Increase", False), ("", False), ("-", False)],
)
def test_looks_like_formula(text: str, formula: bool) -> None:
    assert looks_like_formula(text) is formula


@pytest.mark.parametrize(
    "fmt,decimals,percent",
    [("0.0%", 1, True), ("0%", 0, True), ("#,##0.00", 2, False), ("General", None, False),
     ('0.0"%"', 1, False), ("0.00;[Red]-0.00", 2, False), ("dd/mm/yyyy", None, False), (None, None, False)],
)
def test_number_formats(fmt: str | None, decimals: int | None, percent: bool) -> None:
    assert decimals_of_format(fmt) == decimals
    assert is_percent_format(fmt) is percent


# --- values as councils publish them: one test per row of cases/value_cases.csv -----------------

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

VALUE_CASES = list(csv.DictReader((Path(__file__).parent / "cases" / "value_cases.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("case", VALUE_CASES, ids=[c["case"] for c in VALUE_CASES])
def test_published_value_case(case: dict[str, str]) -> None:
    value = parse_value(case["text"])
    if case["missing"]:
        assert value.number is None and value.missing == case["missing"]
        return
    assert value.number == pytest.approx(float(case["number"]))
    assert value.percent is (case["percent"] == "yes")
    assert value.decimals == int(case["decimals"])
    assert value.bound == (case["bound"] or None)
    assert value.note == (case["note"] or None)
    assert value.unit == (case["unit"] or None)
    assert value.how_read() == (case["how_read"] or None)
    if case["how_read"]:
        assert value.display() == case["text"]  # the original text is kept beside the number


@pytest.mark.parametrize("text", ["5 or less", "about ten", "3 per 1,000", "< ", ">>5", "1 in 0", "2 in 1"])
def test_words_that_are_not_values_are_named(text: str) -> None:
    with pytest.raises(ValueReadError, match="cannot read"):
        parse_value(text)
