"""Real published tables that print no status, so agreement cannot be counted
(tests/test_councils_corpus.py needs a published status); what `rate` must do
with their shapes is asserted here instead. Each file cites its source."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from kpi_excel.cli import main

CASES = Path(__file__).parent / "cases" / "councils" / "no_status"
WANDSWORTH = CASES / "wandsworth_london_2017_18_waste.csv"
MISMATCH = "target read from '2018/19 target' is for 2018/19, but the latest value '2017/18 value' is for 2017/18"


def _rate(runner, path: Path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["rate", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False).set_index(
        "Performance indicator")


def test_wandsworth_next_years_target_beside_last_years_value_is_named_on_every_row(runner) -> None:  # type: ignore[no-untyped-def]
    rated = _rate(runner, WANDSWORTH)
    assert len(rated) == 8
    assert all(MISMATCH in problems for problems in rated["problems"])


def test_wandsworth_minimise_in_the_name_is_the_polarity(runner) -> None:  # type: ignore[no-untyped-def]
    rated = _rate(runner, WANDSWORTH)
    rag = rated["rag"].to_dict()
    # Lower is better where the name says "(Minimise)": 14.8% > 14%, 4,287 > 2,114, 243 > 137 miss;
    # 0.03% meets 0.03%.
    assert rag["% of Contamination in co-mingled recyclate (Minimise)"] == "Red"
    assert rag["Reports about non-collection of waste (Minimise)"] == "Red"
    assert rag["Number of Street Cleansing reports / requests for service (cumulative in year) (Minimise)"] == "Red"
    assert rag["Missed refuse and recycling collections as a % of those due in the collection period (Minimise)"] \
        == "Green"
    # No polarity in the name and none in the table: no guess, said in the reason.
    for name in ("% of Household waste sent for reuse, recycling and composting",
                 "% of public streets cleansed to an acceptable standard"):
        assert rag[name] == "N/A" and "has no polarity" in rated.loc[name, "rag_reason"]
    # "n/a" values are named, not rated.
    late = "Average time taken to clear a reported fly-tip (Minimise)"
    assert rag[late] == "N/A" and "not applicable" in rated.loc[late, "problems"]


def test_a_target_for_the_values_own_year_is_not_flagged(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = WANDSWORTH.read_text(encoding="utf-8").replace("2018/19 target", "2017/18 target")
    same_year = tmp_path / "same_year.csv"
    same_year.write_text(text, encoding="utf-8")
    rated = _rate(runner, same_year)
    assert not any("compares different periods" in problems for problems in rated["problems"])
    # Quarters and years in other spellings are compared as periods, not as text.
    text = WANDSWORTH.read_text(encoding="utf-8").replace("2018/19 target", "2017-18 target")
    same_year.write_text(text, encoding="utf-8")
    assert not any("compares different periods" in p for p in _rate(runner, same_year)["problems"])
