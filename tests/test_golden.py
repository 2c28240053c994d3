"""The rating engine gives the same answers it gave before its rewrite, on every door.

tests/golden/ holds the outputs the row-at-a-time engine wrote (see
tests/golden/make_golden.py for what each case is and how to regenerate them):
``kpi-excel rate`` on every case table, the council corpus, the seed, the rate
benchmark's rows and a seeded mix of every word the readers know, and the
refresh plan of the example, the benchmark workbook and a workbook of that mix.
Each is run again here and compared cell for cell.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.golden import make_golden as golden

INDEX = json.loads(golden.INDEX.read_text(encoding="utf-8"))


def _differences(expected: str, actual: str, limit: int = 12) -> list[str]:
    """Where two CSV texts differ, cell by cell, in words."""
    want = list(csv.reader(io.StringIO(expected)))
    got = list(csv.reader(io.StringIO(actual)))
    found = []
    if want[:1] != got[:1]:
        found.append(f"header: expected {want[:1]}, got {got[:1]}")
    if len(want) != len(got):
        found.append(f"{len(got) - 1} rows, expected {len(want) - 1}")
    header = want[0] if want else []
    for number, (a, b) in enumerate(zip(want[1:], got[1:]), start=1):
        for position in range(max(len(a), len(b))):
            left = a[position] if position < len(a) else "<none>"
            right = b[position] if position < len(b) else "<none>"
            if left != right:
                shift = len(header) - len(a)  # rows hold only our columns, the last of the header
                column = header[shift + position] if shift + position < len(header) else position
                found.append(f"row {number} ({a[0] if a else ''}), {column}:\n  expected {left!r}\n  got      {right!r}")
                if len(found) >= limit:
                    return found
    return found


@pytest.mark.parametrize("case", golden.RATE_CASES, ids=[c.name for c in golden.RATE_CASES])
def test_rate_gives_its_golden_output(case: golden.RateCase) -> None:
    expected = golden.read_text(golden.output_path(case.name))
    stdout, stderr = golden.run_rate(case)
    actual = golden.computed_part(stdout)
    assert actual == expected, "\n".join(_differences(expected, actual))
    assert stderr == INDEX[case.name]["stderr"]
    assert golden.digest(stdout) == INDEX[case.name]["stdout_sha256"], \
        "our columns agree, but the input's own columns did not come back unchanged"


@pytest.mark.parametrize("case", golden.REFRESH_CASES, ids=[c.name for c in golden.REFRESH_CASES])
def test_refresh_plans_its_golden_writes(case: golden.RefreshCase) -> None:
    expected = golden.read_text(golden.output_path(case.name))
    actual = golden.run_refresh(case)
    assert actual == expected, "\n".join(_differences(expected, actual))


def test_every_golden_case_has_its_files() -> None:
    names = {c.name for c in golden.RATE_CASES} | {c.name for c in golden.REFRESH_CASES}
    stored = {p.name[: -len(".csv.gz")] for p in golden.OUTPUTS.glob("*.csv.gz")}
    assert names == stored
    assert set(INDEX) == {c.name for c in golden.RATE_CASES}
    assert len(golden.RATE_CASES) >= 40


def test_the_comparison_names_a_changed_reason() -> None:
    """The check can fail: one changed word in a reason is found and named."""
    case = next(c for c in golden.RATE_CASES if c.name == "seed_2022_23")
    expected = golden.read_text(golden.output_path(case.name))
    changed = expected.replace("short of the", "below the", 1)
    assert changed != expected
    differences = _differences(expected, changed)
    assert len(differences) == 1 and "below the" in differences[0] and "rag_reason" in differences[0]
