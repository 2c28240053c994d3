"""RAG rules: one test per row of cases/rag_cases.csv, plus properties.

Each row is a golden case: the rule as an officer writes it (``target green 5%
amber 10%``), the latest (and, for Maintain and trend, previous) value, the
target, polarity, quartile and tolerances, and the RAG with the reason it must
give. A reason_contains that is a whole reason is one an officer can paste.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_excel.core.engine.rag_columns import rate_parsed
from kpi_excel.core.polarity import Polarity, parse_polarity
from kpi_excel.core.rag import (
    RAG_RANK,
    Quartile,
    Rating,
    RagError,
    Rule,
    parse_override,
    parse_quartile,
    parse_rule,
    parse_rule_spec,
)
from kpi_excel.core.targets import Target, Tolerance, parse_target, parse_tolerance
from kpi_excel.core.values import Value, parse_value

CASES = list(csv.DictReader((Path(__file__).parent / "cases" / "rag_cases.csv").open(encoding="utf-8")))


def _polarity(case: dict[str, str]) -> Polarity:
    polarity = parse_polarity(case["polarity"] or None)
    target = parse_target(case["target"] or None)
    if case["polarity"] == "" and target is not None and target.op in (">", ">=", "<", "<="):
        polarity = Polarity.HIGH if target.op.startswith(">") else Polarity.LOW  # as the engine does
    return polarity


# Every case rated at once, as the engine rates a table: one column a field.
RATED = rate_parsed(
    rules=[parse_rule_spec(c["rule"]) for c in CASES],
    latest=[parse_value(c["latest"]) for c in CASES],
    polarity=[_polarity(c) for c in CASES],
    direction=[c["direction"] or "Not applicable" for c in CASES],
    target=[parse_target(c["target"] or None) for c in CASES],
    quartile=[parse_quartile(c["quartile"] or None, c["position"] or None) for c in CASES],
    amber_within=[parse_tolerance(c["amber_within"] or None) for c in CASES],
    green_within=[parse_tolerance(c.get("green_within") or None) for c in CASES],
    previous=[parse_value(c["previous"]) if c.get("previous") else None for c in CASES],
    override=[parse_override(c["override"] or None) for c in CASES],
)


@pytest.mark.parametrize("case,rating", list(zip(CASES, RATED)), ids=[c["case"] for c in CASES])
def test_rag_case(case: dict[str, str], rating: Rating) -> None:
    assert rating.rag == case["expected_rag"]
    assert case["reason_contains"].replace("-", "–") in rating.reason.replace("-", "–")
    assert rating.reason.startswith(rating.rag)


def _rate(**row: object) -> Rating:
    """One row through the column rater."""
    row.setdefault("direction", "Not applicable")
    return rate_parsed(**{name: [value] for name, value in row.items()})[0]  # type: ignore[arg-type]


def rate_by_target(latest: Value, target: Target, polarity: Polarity, amber: Tolerance | None = None) -> Rating:
    return _rate(rules=Rule.TARGET, latest=latest, target=target, polarity=polarity, amber_within=amber)


def rate_by_quartile(quartile: Quartile, direction: str) -> Rating:
    return _rate(rules=Rule.QUARTILE, latest=Value(1.0), polarity=Polarity.HIGH, quartile=quartile,
                 direction=direction)


def test_reason_example_from_the_issue() -> None:
    rating = rate_by_target(parse_value("77.6%"), parse_target(">97.2%"), Polarity.HIGH)
    assert rating.reason == "Red: 77.6% is 19.6 points short of the >97.2% target"


def test_one_row_and_many_rows_rate_alike() -> None:
    """A case rated on its own gets what it got among all the others."""
    for case, rating in list(zip(CASES, RATED))[::7]:
        alone = rate_parsed(
            rules=[parse_rule_spec(case["rule"])], latest=[parse_value(case["latest"])], polarity=[_polarity(case)],
            direction=[case["direction"] or "Not applicable"], target=[parse_target(case["target"] or None)],
            quartile=[parse_quartile(case["quartile"] or None, case["position"] or None)],
            amber_within=[parse_tolerance(case["amber_within"] or None)],
            green_within=[parse_tolerance(case.get("green_within") or None)],
            previous=[parse_value(case["previous"]) if case.get("previous") else None],
            override=[parse_override(case["override"] or None)])
        assert alone == [rating], case["case"]


@pytest.mark.parametrize("text,number,position", [("1", 1, None), ("Q3", 3, None), ("B", 2, None),
                                                  ("Band C", 3, None), ("top quartile", 1, None), (4.0, 4, None),
                                                  ("2 (high)", 2, "better"), ("3 (lower half)", 3, "worse")])
def test_quartile_forms(text: object, number: int, position: str | None) -> None:
    assert parse_quartile(text) == Quartile(number, position)


@pytest.mark.parametrize("text", ["5", "E", "middling", 0])
def test_unreadable_quartile(text: object) -> None:
    with pytest.raises(RagError):
        parse_quartile(text)


def test_unreadable_override_and_rule() -> None:
    with pytest.raises(RagError, match="does not start with Red"):
        parse_override("Purple")
    with pytest.raises(RagError, match="unknown RAG rule"):
        parse_rule("vibes")


# --- properties: a better value never gives a worse rating -----------------------------

_ops = st.sampled_from([">", ">=", "<", "<=", "="])
_numbers = st.floats(min_value=-1000, max_value=1000, allow_nan=False).map(lambda x: round(x, 2))


@given(_numbers, _numbers, _numbers, _ops, st.sampled_from([Polarity.HIGH, Polarity.LOW]),
       st.one_of(st.none(), st.builds(Tolerance, st.floats(0, 50).map(lambda x: round(x, 1)), st.booleans())))
def test_property_better_value_never_worse_rating(a, b, aim, op, polarity, tolerance) -> None:  # type: ignore[no-untyped-def]
    if op in (">", ">="):
        polarity = Polarity.HIGH
    elif op in ("<", "<="):
        polarity = Polarity.LOW
    target = Target(op, aim, decimals=2)
    worse, better = sorted((a, b)) if polarity is Polarity.HIGH else sorted((a, b), reverse=True)
    low = rate_by_target(Value(worse, decimals=2), target, polarity, tolerance)
    high = rate_by_target(Value(better, decimals=2), target, polarity, tolerance)
    assert RAG_RANK[high.rag] >= RAG_RANK[low.rag]


@given(st.integers(1, 4), st.integers(1, 4), st.sampled_from(["Improving", "Declining", "No change"]),
       st.sampled_from([None, "better", "worse"]))
def test_property_better_quartile_never_worse_rating(q1, q2, direction, position) -> None:  # type: ignore[no-untyped-def]
    better, worse = sorted((q1, q2))
    assert RAG_RANK[rate_by_quartile(Quartile(better, position), direction).rag] >= \
        RAG_RANK[rate_by_quartile(Quartile(worse, position), direction).rag]


@given(st.integers(1, 4), st.sampled_from(["Improving", "Declining", "No change"]))
def test_property_better_half_never_worse(q, direction) -> None:  # type: ignore[no-untyped-def]
    assert RAG_RANK[rate_by_quartile(Quartile(q, "better"), direction).rag] >= \
        RAG_RANK[rate_by_quartile(Quartile(q, "worse"), direction).rag]
