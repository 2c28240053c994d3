"""unmatched_codes finds the nearest code with bounds computed for every known code at once:
the answers must be the ones difflib gives comparing each candidate in turn."""

from __future__ import annotations

import difflib
import random

import pytest

from kpi_excel.core.code_match import _Nearest, unmatched_codes


def _nearest_one_by_one(code: str, known: list[str], with_rows: set[str]) -> str | None:
    """The plain reading of the rule: every known code scored by difflib, best ratio, then one with no rows."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(code.casefold())
    scored = []
    for order, candidate in enumerate(known):
        matcher.set_seq1(candidate.casefold())
        ratio = matcher.ratio()
        if ratio >= 0.75:
            scored.append((ratio, candidate not in with_rows, -order, candidate))
    return max(scored)[3] if scored else None


def _one_by_one(codes: list[str], rows: list[int], known: list[str]) -> list[tuple[str, tuple[int, ...], str | None]]:
    known = [k for k in dict.fromkeys(known) if k]
    with_rows = set(codes) & set(known)
    found: dict[str, list[int]] = {}
    for code, row in zip(codes, rows):
        if code and code not in known:
            found.setdefault(code, []).append(row)
    return [(code, tuple(where), _nearest_one_by_one(code, known, with_rows)) for code, where in found.items()]


@pytest.mark.parametrize("most_counts", [4_000_000, 0])  # 0: too many characters to count in numpy
def test_nearest_codes_are_difflibs_one_by_one(monkeypatch: pytest.MonkeyPatch, most_counts: int) -> None:
    monkeypatch.setattr(_Nearest, "_MOST_COUNTS", most_counts)
    rng = random.Random(7)
    alphabet = "KSCabcÄß0123456789_ "
    for _ in range(60):
        known = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(rng.randint(0, 40))]
        known += ["", known[0] if known else "SC01"]  # an empty and a repeated KPI code
        pool = known[:10] + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 9))) for _ in range(30)]
        codes = [rng.choice(pool) for _ in range(rng.randint(0, 300))]
        rows = list(range(2, len(codes) + 2))
        got = [(u.code, u.rows, u.nearest) for u in unmatched_codes(codes, rows, known, "Data sheet")]
        assert got == _one_by_one(codes, rows, known)


def test_of_codes_equally_near_the_one_without_rows_is_suggested() -> None:
    # SC1 is as near SC01 as SC10 (0.86); SC01 has rows of its own, so SC10 is likely the one meant
    found = unmatched_codes(["SC1", "SC01", "ZZZZ9", "SC1"], [5, 6, 7, 9], ["SC01", "SC10"], "Data sheet")
    assert [(u.code, u.rows, u.nearest) for u in found] == [("SC1", (5, 9), "SC10"), ("ZZZZ9", (7,), None)]


@pytest.mark.parametrize("most_at_once", [2_000_000, 7])  # 7: a few codes a step
def test_nearest_codes_of_long_and_repetitive_codes_are_difflibs(monkeypatch: pytest.MonkeyPatch,
                                                                 most_at_once: int) -> None:
    # Codes over 64 characters (in common counted, not the longest common subsequence), characters
    # repeated many times (many thresholds of counts), near-misses of a long code
    monkeypatch.setattr(_Nearest, "_MOST_AT_ONCE", most_at_once)
    rng = random.Random(11)
    for turn in range(30):
        alphabet = rng.choice(["AB0", "KSC01", "aAbB9_"])
        lengths = [3, 6, 20, 63, 64] + ([65, 90] if turn % 2 else [])  # known codes all of 64 or fewer: LCS bounds
        known = ["".join(rng.choice(alphabet) for _ in range(rng.choice(lengths)))
                 for _ in range(rng.randint(1, 30))]
        pool = [k[:-1] for k in known[:5]] + [k + rng.choice(alphabet) for k in known[:5]] + \
               ["".join(rng.choice(alphabet) for _ in range(rng.choice([2, 6, 64, 65, 70]))) for _ in range(20)]
        codes = [rng.choice(pool) for _ in range(rng.randint(1, 120))]
        rows = list(range(2, len(codes) + 2))
        got = [(u.code, u.rows, u.nearest) for u in unmatched_codes(codes, rows, known, "Data sheet")]
        assert got == _one_by_one(codes, rows, known)
