"""The benchmark's shortcuts for LAIT's categorical columns (a code's period labels, each code's rows)
give what the groupby over the columns as text gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi_excel.app import authority_benchmark


def _by_groupby(values: pd.DataFrame, codes: set[str]) -> dict[str, tuple[str, ...]]:
    """The general way, on any columns: each code (as text) → its periods (as text) in first-seen order."""
    found: dict[str, tuple[str, ...]] = {code: () for code in codes}
    found.update((str(code), tuple(str(label) for label in labels)) for code, labels in
                 values.groupby(values["code"].astype(str), observed=True)["period"].unique().items())
    return found


@pytest.mark.parametrize("seed", range(6))
def test_categorical_labels_agree_with_the_groupby(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    shortcut = 0
    real = authority_benchmark._categorical_labels

    def counted(code: pd.Series, period: pd.Series) -> dict[str, tuple[str, ...]]:
        nonlocal shortcut
        shortcut += 1
        return real(code, period)

    monkeypatch.setattr(authority_benchmark, "_categorical_labels", counted)
    for trial in range(60):
        n = int(rng.integers(0, 40))
        codes = [None if c == "-" else int(c) if c == "7" and trial % 3 == 0 else c
                 for c in rng.choice(["A", "B", "C", "-", "1", "nan", " A", "7"], n)]
        periods = [None if p == "-" else int(p) if p == "2024" and trial % 4 == 0 else p
                   for p in rng.choice(["2024", "2023", "-", "2022/23", "nan", "Q1 2024"], n)]
        values = pd.DataFrame({"code": pd.Categorical(pd.Series(codes, dtype=object)),
                               "period": pd.Categorical(pd.Series(periods, dtype=object))})
        wanted = {"A", "B", "1", "nan", "7", "X"}
        assert authority_benchmark._labels_in(values, wanted) == _by_groupby(values, wanted)
        plain = values.astype(object)  # not categorical: the groupby itself
        assert authority_benchmark._labels_in(plain, wanted) == _by_groupby(plain, wanted)
    assert shortcut > 20  # text categories took the shortcut


def test_categorical_labels_on_text_codes_in_first_seen_order() -> None:
    values = pd.DataFrame({"code": pd.Categorical(["KS2", "KS4", "KS2", None, "KS2", "KS2"]),
                           "period": pd.Categorical(["2024", "2023", "2022", "2021", None, "2024"])})
    assert authority_benchmark._labels_in(values, {"KS2", "KS4", "NOPE"}) == \
        {"KS2": ("2024", "2022", "nan"), "KS4": ("2023",), "NOPE": ()}


@pytest.mark.parametrize("seed", range(4))
def test_row_positions_by_code_agree_with_the_groupby(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for trial in range(40):
        n = int(rng.integers(0, 50))
        codes = [None if c == "-" else c for c in rng.choice(["A", "B", "C", "-", "nan", " A"], n)]
        column = pd.Categorical(pd.Series(codes, dtype=object), categories=["Z", "A", "B", "C", "nan", " A"]) \
            if trial % 2 else pd.Categorical(pd.Series(codes, dtype=object))  # unused categories, or none
        values = pd.DataFrame({"code": column})
        memo: dict[object, object] = {}
        wanted = {"A", "C", "Z", "nope"}
        rows = authority_benchmark._rows_of_codes(values, wanted, memo)
        text = values["code"].astype(str).to_numpy()
        expected = pd.Series(np.arange(n)).groupby(text, sort=False).indices
        found = memo[("row positions by code",)]
        assert found.keys() == expected.keys()
        assert all(np.array_equal(found[code], expected[code]) for code in expected)
        assert rows.index.tolist() == [i for i, code in enumerate(codes) if code in wanted]
