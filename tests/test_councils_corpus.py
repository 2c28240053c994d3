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
    for name in ("Status", "Traffic Light", "On Target", "RAG"):
        if name in frame.columns:
            return name
    raise AssertionError("no published status column")


@pytest.mark.parametrize("path", TABLES, ids=[p.stem for p in TABLES])
def test_published_table_is_rated_as_the_council_rated_it(runner, path: Path) -> None:  # type: ignore[no-untyped-def]
    fields = _header(path)
    for name in ("Council", "Table", "Source", "Key", "Rate", "Agreement"):
        assert fields.get(name), f"{path.name} has no '# {name}:' line"
    assert re.search(r"https?://|no web address", " ".join(fields["Source"])), "the source must be cited"
    command = shlex.split(fields["Rate"][0])
    assert command[:3] == ["kpi-excel", "rate", f"tests/cases/councils/{path.name}"]
    result = runner.invoke(main, ["rate", str(path), *command[3:]], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    published = _published_column(frame)
    first = frame.columns[0]
    rated = frame[frame[published].map(lambda s: parse_rag_word(s) is not None)]
    disagree = {row[first]: (row[published], row["rag"]) for _, row in rated.iterrows()
                if parse_rag_word(row[published]) != row["rag"]}
    listed = {re.split(r"\s+—\s+", line)[0].strip() for line in fields.get("Breaks its own key", [])}
    assert set(disagree) == listed, f"disagreements {disagree} are not the listed exceptions {listed}"
    agreement = re.match(r"(?:all )?(\d+)(?: of (\d+))?", fields["Agreement"][0])
    assert agreement is not None
    agreed = len(rated) - len(disagree) - int(sum(1 for v in rated[published] if parse_rag_word(v) == "N/A"))
    assert agreed == int(agreement.group(1))


def test_the_corpus_covers_several_kinds_of_council() -> None:
    councils = {_header(p)["Council"][0] for p in TABLES}
    kinds = " ".join(councils).lower()
    assert len(councils) >= 3
    for kind in ("district", "county", "london borough"):
        assert kind in kinds


def test_published_direction_arrows_agree_with_the_data(runner) -> None:  # type: ignore[no-untyped-def]
    """Tower Hamlets prints Wingdings arrows (ñ better, ò worse, ð the same): every one agrees."""
    path = CORPUS / "tower_hamlets_london_2007_08.csv"
    result = runner.invoke(main, ["rate", str(path), "--rule", "target"], catch_exceptions=False)
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(frame["direction"]) == ["Declining", "Declining", "Declining", "No change", "Improving",
                                        "Improving", "Improving", "Improving", "Improving", "Improving"]
    assert not any("published trend" in p for p in frame["problems"])
