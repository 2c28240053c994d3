"""Real published KPI tables from other councils, rated as each council rated them.

Each file in tests/cases/councils/ carries its source, the council's key, the
command line that rates it and the rows that break the council's own key (see
the folder's README). Every other published status must agree with ours.
"""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

from kpi_excel.cli import main
from kpi_excel.core.columns import match_columns
from kpi_excel.core.rag import parse_rag_word

CORPUS = Path(__file__).parent / "cases" / "councils"
TABLES = sorted(CORPUS.glob("*.csv"))


def _header(path: Path) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    last = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*([A-Z][A-Za-z' ]+?)(?:\s*\([^)]*\))?:\s*(.*)$", line)
        if match:
            last = match.group(1)
            fields.setdefault(last, []).append(match.group(2))
        elif last is not None:
            fields[last][-1] += " " + line.lstrip("# ").strip()
    return fields


def _published_column(frame: pd.DataFrame) -> str:
    """The column `rate` reads as the published RAG ("Status", "RAG status", "Status and trend", ...)."""
    columns = match_columns(list(frame.columns))
    assert "published_rag" in columns, f"no published status column in {list(frame.columns)}"
    return str(frame.columns[columns.by_name["published_rag"]])


def _rate(runner, path: Path) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    command = shlex.split(_header(path)["Rate"][0])
    result = runner.invoke(main, ["rate", str(path), *command[3:]], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)


@pytest.mark.parametrize("path", TABLES, ids=[p.stem for p in TABLES])
def test_published_table_is_rated_as_the_council_rated_it(runner, path: Path) -> None:  # type: ignore[no-untyped-def]
    fields = _header(path)
    for name in ("Council", "Table", "Source", "Key", "Rate", "Agreement"):
        assert fields.get(name), f"{path.name} has no '# {name}:' line"
    assert re.search(r"https?://|no web address", " ".join(fields["Source"])), "the source must be cited"
    command = shlex.split(fields["Rate"][0])
    assert command[:3] == ["kpi-excel", "rate", f"tests/cases/councils/{path.name}"]
    frame = _rate(runner, path)
    published = _published_column(frame)
    first = frame.columns[0]
    rated = frame[frame[published].map(lambda s: parse_rag_word(s) is not None)]
    disagree = {row[first]: (row[published], row["rag"]) for _, row in rated.iterrows()
                if parse_rag_word(row[published]) != row["rag"]}
    listed = {re.split(r"\s+—\s+", line)[0].strip() for line in fields.get("Breaks its own key", [])}
    assert set(disagree) == listed, f"disagreements {disagree} are not the listed exceptions {listed}"
    agreement = re.match(r"(?:all )?(\d+)(?: of (\d+))?", fields["Agreement"][0])
    assert agreement is not None
    not_rated = int(sum(1 for v in rated[published] if parse_rag_word(v) == "N/A"))
    assert len(rated) - len(disagree) - not_rated == int(agreement.group(1))
    if agreement.group(2):  # "8 of 10": the rows the council rated
        assert len(rated) - not_rated == int(agreement.group(2))


def test_the_corpus_covers_several_kinds_of_council() -> None:
    councils = {_header(p)["Council"][0] for p in TABLES}
    kinds = " ".join(councils).lower()
    assert len(councils) >= 6
    for kind in ("district", "county", "london borough", "unitary"):
        assert kind in kinds
    assert "scottish" in kinds or "welsh" in kinds


def test_the_folder_readme_lists_every_table_with_its_agreement() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for path in TABLES:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{path.name}` |")), None)
        assert row is not None, f"{path.name} is not in {CORPUS.name}/README.md"
        agreement = re.match(r"(?:all )?(\d+)", _header(path)["Agreement"][0])
        assert agreement is not None and f"| {agreement.group(1)} of " in row, (path.name, row)


def test_published_direction_arrows_agree_with_the_data(runner) -> None:  # type: ignore[no-untyped-def]
    """Tower Hamlets prints Wingdings arrows (ñ better, ò worse, ð the same): every one agrees."""
    path = CORPUS / "tower_hamlets_london_2007_08.csv"
    result = runner.invoke(main, ["rate", str(path), "--rule", "target"], catch_exceptions=False)
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(frame["direction"]) == ["Declining", "Declining", "Declining", "No change", "Improving",
                                        "Improving", "Improving", "Improving", "Improving", "Improving"]
    assert not any("published trend" in p for p in frame["problems"])


def test_bracknell_published_trend_words_agree_with_the_data(runner) -> None:  # type: ignore[no-untyped-def]
    """Bracknell Forest prints Better / Worse / No change: every one agrees with the values and polarity."""
    frame = _rate(runner, CORPUS / "bracknell_forest_unitary_2025_q2.csv")
    assert list(frame["Trend (published)"]) == ["Better", "Better", "Better", "No change", "Better", "No change",
                                                "Better", "Worse", "Better"]
    assert list(frame["direction"]) == ["Improving", "Improving", "Improving", "No change", "Improving",
                                        "No change", "Improving", "Declining", "Improving"]
    assert not any("published trend" in p for p in frame["problems"])


def test_mid_and_east_antrim_standards_written_as_sentences(runner) -> None:  # type: ignore[no-untyped-def]
    """Northern Ireland's statutory standards are sentences ("A minimum of 50%."); each status cell
    goes on to say the trend, and every "decrease in performance" is the data's Declining."""
    frame = _rate(runner, CORPUS / "mid_and_east_antrim_ni_2023_24_statutory.csv")
    rated = frame[frame["rag"] != ""]
    assert list(rated["rag"]) == ["Red", "Green", "Green", "Green", "Green"]
    assert list(rated["direction"]) == ["Declining"] * 5
    assert all("decrease in performance" in s.lower() for s in rated["Status and trend"])
    assert rated["rag_reason"].iloc[0] == "Red: 67.4 weeks is 37.4 weeks above the target (Less than 30 weeks)"
    assert "meets the target (A minimum of 50%)" in rated["rag_reason"].iloc[3]
