"""Polarity spellings and target forms."""

from __future__ import annotations

import pytest

from kpi_excel.core.polarity import Polarity, PolarityError, parse_polarity
from kpi_excel.core.targets import TargetError, Tolerance, parse_target, parse_tolerance


@pytest.mark.parametrize(
    "text,expected",
    [
        ("High = Good", Polarity.HIGH), ("Low = Good", Polarity.LOW), ("(high is good)", Polarity.HIGH),
        ("(low is good)", Polarity.LOW), ("(Low is good)", Polarity.LOW), ("(no polarity)", Polarity.NONE),
        ("N/A", Polarity.NONE), ("High", Polarity.HIGH), ("Low", Polarity.LOW), ("-", Polarity.NONE),
        ("H", Polarity.HIGH), ("L", Polarity.LOW), ("T", Polarity.TARGET), ("close to target", Polarity.TARGET),
        ("Closer to target is better", Polarity.TARGET), ("Higher is better", Polarity.HIGH),
        ("Smaller is better", Polarity.LOW), ("", Polarity.NONE), (None, Polarity.NONE),
        ("HIGH IS GOOD", Polarity.HIGH), ("High = Good.", Polarity.HIGH), ("goldilocks", Polarity.TARGET),
    ],
)
def test_polarity_spellings(text: str | None, expected: Polarity) -> None:
    assert parse_polarity(text) is expected


@pytest.mark.parametrize("text", ["Highish", "Good", "sideways", "x" * 20000])
def test_unknown_polarity_is_named(text: str) -> None:
    with pytest.raises(PolarityError) as raised:
        parse_polarity(text)
    assert "polarity" in str(raised.value) and len(str(raised.value)) < 200


@pytest.mark.parametrize(
    "text,op,value,percent,upper",
    [
        (">97.2%", ">", 97.2, True, None), ("<20.8%", "<", 20.8, True, None), (">=90%", ">=", 90, True, None),
        ("≥ 90%", ">=", 90, True, None), ("=>90", ">=", 90, False, None), ("<=5%", "<=", 5, True, None),
        ("≤5", "<=", 5, False, None), ("=<5", "<=", 5, False, None), ("85%", "=", 85, True, None),
        ("4,000", "=", 4000, False, None), ("-0.07", "=", -0.07, False, None),
        ("at least 90%", ">=", 90, True, None), ("no more than 5%", "<=", 5, True, None),
        ("above 90%", ">", 90, True, None), ("less than 10", "<", 10, False, None),
        ("90%-95%", "band", 90, True, 95), ("90% - 95%", "band", 90, True, 95),
        ("between 90 and 95", "band", 90, False, 95), ("95% ± 2", "band", 93, True, 97),
        ("95 +/- 2", "band", 93, False, 97), ("Target: >50%", ">", 50, True, None), (">54.0%", ">", 54, True, None),
    ],
)
def test_target_forms(text: str, op: str, value: float, percent: bool, upper: float | None) -> None:
    target = parse_target(text)
    assert target is not None
    assert (target.op, target.percent) == (op, percent)
    assert target.value == pytest.approx(value)
    assert target.upper == (pytest.approx(upper) if upper is not None else None)


@pytest.mark.parametrize("text", ["N/A", "n/a", "", "-", "TBC", "None", None, "not set"])
def test_no_target(text: str | None) -> None:
    assert parse_target(text) is None


def test_excel_percent_target_cell() -> None:
    target = parse_target(0.972, "0.0%")
    assert target is not None and target.value == pytest.approx(97.2) and target.percent and target.op == "="


@pytest.mark.parametrize("text", [">lots", "ninety", "x" * 20000, ">", "=SUM(A1:A3)"])
def test_unreadable_target_is_named(text: str) -> None:
    with pytest.raises(TargetError) as raised:
        parse_target(text)
    assert "target" in str(raised.value) and len(str(raised.value)) < 200


@pytest.mark.parametrize(
    "text,amount,relative",
    [("5%", 5, True), ("10 %", 10, True), ("2pp", 2, False), ("2 points", 2, False), ("0.5", 0.5, False),
     (3, 3, False)],
)
def test_tolerances(text: object, amount: float, relative: bool) -> None:
    assert parse_tolerance(text) == Tolerance(amount, relative)


def test_tolerance_widths() -> None:
    assert Tolerance(10, True).width(20.8) == pytest.approx(2.08)
    assert Tolerance(2, False).width(20.8) == 2
    with pytest.raises(TargetError):
        parse_tolerance("lots")


# --- targets and words as councils write them: cases/target_cases.csv and cases/word_cases.csv ----------

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

from kpi_excel.core.assess import read_published_trend  # noqa: E402
from kpi_excel.core.polarity import polarity_in_name  # noqa: E402
from kpi_excel.core.rag import RagError, parse_rag_word, parse_rule_spec  # noqa: E402

_CASES = Path(__file__).parent / "cases"
TARGET_CASES = list(csv.DictReader((_CASES / "target_cases.csv").open(encoding="utf-8")))
WORD_CASES = list(csv.DictReader((_CASES / "word_cases.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("case", TARGET_CASES, ids=[c["case"] for c in TARGET_CASES])
def test_target_words(case: dict[str, str]) -> None:
    target = parse_target(case["text"])
    assert target is not None
    assert target.op == case["op"]
    assert target.value == pytest.approx(float(case["value"]))
    assert target.percent is (case["percent"] == "yes")
    assert target.upper == (pytest.approx(float(case["upper"])) if case["upper"] else None)
    assert target.unit == (case["unit"] or None)
    # The reason quotes the target as written (a sentence's closing full stop left off).
    assert target.display() == case["text"].removesuffix(".")


@pytest.mark.parametrize("case", WORD_CASES, ids=[f"{c['kind']}:{c['text']}" for c in WORD_CASES])
def test_word_case(case: dict[str, str]) -> None:
    kind, text, expected = case["kind"], case["text"], case["expected"]
    if kind == "polarity":
        assert parse_polarity(text).value == expected
    elif kind == "trend":
        assert ":".join(read_published_trend(text) or ()) == expected
    elif kind == "published_rag":
        assert parse_rag_word(text) == expected
    elif kind == "rule":
        assert parse_rule_spec(text).text() == expected
    elif kind == "name":
        named = polarity_in_name(text)
        assert (named.value if named else "") == expected
    else:
        assert parse_tolerance(text).text() == expected


@pytest.mark.parametrize("text,fragment", [
    ("target lots", "unknown RAG rule"), ("quartile 5%", "tolerances apply to targets"),
    ("target 5% amber 10%", "amber tolerance twice"), ("vibes", "unknown RAG rule"),
])
def test_unreadable_rule_text_is_named(text: str, fragment: str) -> None:
    with pytest.raises(RagError, match=fragment):
        parse_rule_spec(text)


def test_auto_tolerance_takes_its_unit_from_the_value() -> None:
    auto = parse_tolerance("10 auto")
    assert auto.width(90.3, percent=True) == 10  # points for a percentage
    assert auto.width(4000, percent=False) == pytest.approx(400)  # 10% of the target for a count
    assert "auto: points" in auto.describe(True, "amber")
    assert "auto: % of the target" in auto.describe(False, "amber")
