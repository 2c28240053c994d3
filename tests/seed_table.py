"""The published 2022/23 Q2 Leicestershire table, read from the PDF text in tests/fixtures/seeds.

The text came out of a PDF, so a few artefacts are repaired here, each named:
the header "Торіс" uses Cyrillic letters; the trend word was split across two
cells ("77.60% Inc" + "rease"), which also merged the "Latest Value" and
"Trend" headers and left "Previous Value" without one; "Same" came out as
"Sai ne" / "Sai me". Nothing else is changed: values, targets, ratings and the
wrong "Increase" on re-referrals stay as published.
"""

from __future__ import annotations

import csv
from pathlib import Path

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SEED_2022_23 = SEEDS / "003_710bff6d2ef0b4cc.txt"

HEADERS = [
    "Topic", "Theme", "Indicator", "Polarity", "Reporting Frequency", "Previous Period", "",
    "Latest Period", "Latest Value", "Trend", "Target", "RAG", "National benchmark (quartile 1 = top)",
    "Most recent Statistical Neighbour average",
]
_OCR_WORDS = {"Saine": "Same", "Saime": "Same"}


def seed_rows() -> list[list[str]]:
    """The 25 indicator rows, columns as in HEADERS (Previous Value unnamed, as published)."""
    rows = []
    lines = SEED_2022_23.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        cells = line.split("\t")
        if len(cells) < 13:
            continue  # the blank-page footer
        value_and_start, rest_of_word = cells[8], cells[9]
        value, _, start_of_word = value_and_start.rpartition(" ") if " " in value_and_start else (value_and_start, "", "")
        word = (start_of_word + rest_of_word).strip()
        word = _OCR_WORDS.get(word, word)
        rows.append(cells[:8] + [value, word] + cells[10:14])
    return rows


def write_seed_tsv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(HEADERS)
        writer.writerows(seed_rows())
    return path
