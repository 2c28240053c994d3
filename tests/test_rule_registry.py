"""RAG rules are one registry: a rule registered in one place is read, decided,
keyed and named in help everywhere, with nothing else to change (issue 18)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kpi_excel.cli import main
from kpi_excel.core.engine.parsed import (
    DIRECTIONS,
    OPS,
    POLARITIES,
    RAGS,
    WORDS,
    Direction,
    Op,
    PolarityCode,
    RagCode,
    RuleCode,
    TrendWord,
)
from kpi_excel.core.engine.options import RateOptions, default_rule
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.rag import RagError, RuleSpec, parse_rule_spec
from kpi_excel.core.rate_table import rate_table
from kpi_excel.core.rule_registry import Rule, register, rule_kinds, rule_of_code, unregister
from kpi_excel.core.settings import ReportSettings
from kpi_excel.core.targets import Tolerance
from kpi_excel.core.template import rag_key_sheet


def _beats_last_year(rows):  # type: ignore[no-untyped-def]
    """A rule a council might add: Green when the value beats last year's, else Red."""
    out = []
    for latest, previous, polarity in zip(rows.latest, rows.previous, rows.polarity):
        if latest.number is None or previous.number is None or polarity not in (Polarity.HIGH, Polarity.LOW):
            out.append(("N/A", "N/A: needs this year, last year and a polarity (rule: last year)"))
            continue
        better = latest.number > previous.number if polarity is Polarity.HIGH else latest.number < previous.number
        word = "Green" if better else "Red"
        out.append((word, f"{word}: {latest.display()} {'beats' if better else 'does not beat'} last year's "
                          f"{previous.display()}"))
    return out


@pytest.fixture
def last_year():  # type: ignore[no-untyped-def]
    kind = register("last year", ("beat last year",), help="last year (Green when better than last year)",
                    key="better than last year Green, otherwise Red.", examples=("beat last year",),
                    decide=_beats_last_year)
    yield kind
    unregister(kind)


def test_a_registered_rule_is_read_by_its_name_and_synonyms(last_year) -> None:  # type: ignore[no-untyped-def]
    assert parse_rule_spec("Last Year") == RuleSpec(last_year)
    assert parse_rule_spec("beat  last year").kind is last_year
    assert last_year in list(Rule)
    with pytest.raises(RagError, match="tolerances apply to targets, not to the last year rule"):
        parse_rule_spec("last year 5%")


def test_an_unknown_rule_names_every_registered_one(last_year) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RagError, match="expected target, quartile, trend, last year, auto or none"):
        parse_rule_spec("stretch")


def test_a_registered_rule_decides_its_rows_beside_the_built_ins(last_year) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({
        "Indicator": ["A", "B", "C"],
        "Polarity": ["High = Good", "Low = Good", "High = Good"],
        "Previous Value": ["50%", "20%", "50%"],
        "Latest Value": ["55%", "25%", "55%"],
        "Target": ["", "", "60%"],
        "RAG Rule": ["last year", "beat last year", "target"],
    })
    rated = rate_table(frame).frame
    assert rated["rag"].tolist() == ["Green", "Red", "Red"]
    assert rated["rag_reason"][0] == "Green: 55% beats last year's 50%"
    assert rated["rag_reason"][1] == "Red: 25% does not beat last year's 20%"


def test_a_registered_rule_is_keyed_and_helped(last_year, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key = rag_key_sheet(ReportSettings(rag_rule=RuleSpec(last_year)))
    assert "Rule: last year — better than last year Green, otherwise Red." in key.title[1].value
    help_text = CliRunner().invoke(main, ["rate", "--help"]).output
    assert "last year (Green when better" in " ".join(help_text.split())
    table = tmp_path / "t.csv"
    table.write_text("Indicator,Polarity,Previous Value,Latest Value\nA,High = Good,50%,45%\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["rate", str(table), "--rule", "last year"])
    assert result.exit_code == 0, result.output
    assert "Red: 45% does not beat last year's 50%" in result.output


def test_a_registered_rule_has_its_help_line_in_a_new_workbook(  # type: ignore[no-untyped-def]
        last_year, tmp_path: Path) -> None:
    """`kpi-excel new` writes every rule's help line, a rule registered after import too."""
    path = tmp_path / "new.xlsx"
    result = CliRunner().invoke(main, ["new", str(path)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(path)["Settings"]
    lines = next(row[2] for row in sheet.iter_rows(values_only=True) if row[0] == "RAG rule").split("\n")
    assert "last year: better than last year Green, otherwise Red. E.g. beat last year." in lines
    target = next(line for line in lines if line.startswith("target: "))
    for clause in ("target yellow 5% amber 10%", "target amber 5% blue at TTAF", "target green 10% amber if improved",
                   "target blue beyond 5%", "target names Green=On track"):
        assert clause in target
    assert [line.split(":")[0] for line in lines[1:]] == [kind.value for kind in rule_kinds()]


def test_every_example_in_the_help_reads_as_its_rule() -> None:
    for kind in rule_kinds():
        for example in kind.examples:
            spec = parse_rule_spec(example)
            assert spec is not None and spec.kind is kind, example


def test_taking_a_rule_back_leaves_only_the_built_ins() -> None:
    kind = register("temporary", key="x.")
    unregister(kind)
    assert [k.value for k in rule_kinds()] == ["auto", "target", "quartile", "trend", "none"]
    with pytest.raises(RagError):
        parse_rule_spec("temporary")
    with pytest.raises(ValueError, match="already registered"):
        register("new", ("dot",), key="x.")


def test_a_rule_copied_or_pickled_is_the_registered_one() -> None:
    import copy
    import pickle

    spec = parse_rule_spec("target green 5%")
    assert pickle.loads(pickle.dumps(spec)) == spec and copy.deepcopy(spec).kind is Rule.TARGET


def test_integer_codes_are_the_words_they_stand_for() -> None:
    """The engine's codes are IntEnums made from their words: they cannot drift apart."""
    assert [RAGS[code] for code in RagCode] == ["N/A", "Red", "Amber", "Green", "Yellow", "Blue"]
    assert [POLARITIES[code] for code in PolarityCode] == [Polarity.NONE, Polarity.HIGH, Polarity.LOW,
                                                            Polarity.TARGET]
    assert [WORDS[code] for code in TrendWord] == list(WORDS)
    assert [DIRECTIONS[code] for code in Direction] == list(DIRECTIONS)
    assert all(OPS[op] == code for op, code in OPS.items()) and Op.GE == OPS[">="]
    assert [rule_of_code(code) for code in RuleCode] == [Rule.AUTO, Rule.TARGET, Rule.QUARTILE, Rule.TREND,
                                                          Rule.NONE]
    assert np.array([RagCode.GREEN], dtype=np.int8)[0] == 3


def test_option_tolerances_win_over_the_rule_text_in_one_place() -> None:
    """The rating run and the RAG key settle tolerances by the same rule: the option wins."""
    written = parse_rule_spec("target green 5% amber 10%")
    options = RateOptions(written, amber_within=Tolerance(3, False))
    assert default_rule(options) == RuleSpec(Rule.TARGET, Tolerance(5, True), Tolerance(3, False))
    key = rag_key_sheet(ReportSettings(rag_rule=written, amber_within=Tolerance(3, False)))
    assert key.rows[1][2] == "Missed, but within 3 points of the target."
    assert key.rows[0][2].endswith("or missed by no more than 5% of the target.")
