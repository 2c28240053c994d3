"""counts_at works on arrays (LAIT's categorical columns read by their categories): it gives what
the frame way gives (filter, to_numeric, drop_duplicates, merge, concat), cell for cell and type for
type, on every kind of column: categorical or not, numbers or text, missing areas and periods,
counts of the source's own, rates and proportions, nothing in common."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi_excel.core.funnel import CountPair, counts_at, rows_by_code, text_in


def _at(frame: pd.DataFrame | None, period: str, name: str) -> pd.DataFrame | None:
    if frame is None:
        return None
    found = frame[frame["period"].astype(str) == str(period)][["area", "value"]]
    found = found[pd.to_numeric(found["value"], errors="coerce").notna()]
    if found.empty:
        return None
    return pd.DataFrame({"area": found["area"].astype(str).to_numpy(),
                         name: pd.to_numeric(found["value"]).to_numpy(dtype=float)}).drop_duplicates("area")


def _reference(values: pd.DataFrame, pairs: dict[str, CountPair], periods: dict[str, object]) -> pd.DataFrame:
    """counts_at as it was written on frames (0.5.0)."""
    frames = []
    by_code = rows_by_code(values)
    for indicator, period in periods.items():
        own = by_code.get(indicator)
        own_at = own[own["period"].astype(str) == str(period)] if own is not None else None
        if own_at is not None and {"numerator", "denominator"} <= set(own_at.columns) and \
                own_at["numerator"].notna().any():
            frames.append(own_at[["area", "numerator", "denominator"]].assign(indicator=indicator))
            continue
        pair = pairs.get(indicator)
        if pair is None:
            continue
        numerator = _at(by_code.get(pair.numerator), period, "numerator")
        if numerator is None:
            continue
        if pair.denominator:
            denominator = _at(by_code.get(pair.denominator), period, "denominator")
            if denominator is None:
                continue
            frame = numerator.merge(denominator, on="area", how="inner")
        else:
            rates = _at(own, period, "rate")
            if rates is None:
                continue
            frame = numerator.merge(rates, on="area", how="inner")
            with np.errstate(divide="ignore", invalid="ignore"):
                frame["denominator"] = np.where(frame["rate"] > 0,
                                                frame["numerator"] * pair.multiplier / frame["rate"], np.nan)
            frame = frame.drop(columns="rate")
        frames.append(frame.assign(indicator=indicator))
    if not frames:
        return pd.DataFrame({"indicator": pd.Series([], dtype=object), "area": pd.Series([], dtype=object),
                             "numerator": pd.Series([], dtype=float), "denominator": pd.Series([], dtype=float)})
    out = pd.concat(frames, ignore_index=True)[["indicator", "area", "numerator", "denominator"]]
    out["numerator"] = pd.to_numeric(out["numerator"], errors="coerce")
    out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce")
    return out[out["numerator"].ge(0) & out["denominator"].gt(0)].reset_index(drop=True)


PAIRS = {"P": CountPair("P", "N", "D", "proportion", 100.0), "R": CountPair("R", "C", "", "rate", 10000.0),
         "Q": CountPair("Q", "N", "NOPE", "proportion", 1.0)}
ASKS = ({"P": "2024"}, {"R": "2024"}, {"P": "2023", "R": "2024"}, {"Q": "2024"}, {"P": "1999"}, {"X": "2024"},
        {"P": 2024}, {"P": "2024", "X": "2023", "R": "2023"})


def _frame(rng: np.random.Generator, kind: int, trial: int) -> pd.DataFrame:
    n = int(rng.integers(0, 80))
    codes = rng.choice(["P", "N", "D", "R", "C", "X"], n)
    areas = [None if a == "-" else a for a in rng.choice(["a", "b", "c", "d", "-", "e"], n)]
    periods = [None if p == "-" else p for p in rng.choice(["2024", "2023", "-"], n)]
    numbers = rng.choice([1.0, 2.0, 0.0, -1.0, np.nan, 5.5, 50.0, np.inf], n)
    value = pd.Series(numbers) if kind in (0, 3, 4, 5) else \
        pd.Series(["x" if np.isnan(v) else str(v) for v in numbers], dtype=object) if kind == 1 else \
        pd.Series([None if np.isnan(v) else v for v in numbers], dtype=object)
    area = pd.Series(areas, dtype=object)
    frame = pd.DataFrame({
        "code": codes,
        "area": area if kind == 3 else pd.Categorical([len(a) if a else None for a in areas]) if kind == 5
        else pd.Categorical(area),
        "period": pd.Series(periods, dtype=object) if kind == 4 else pd.Categorical(pd.Series(periods, dtype=object)),
        "value": value})
    if trial % 7 == 0:  # the source's own counts
        frame["numerator"] = np.where(rng.random(n) < 0.5, np.nan, 3.0)
        frame["denominator"] = 10.0
    return frame


@pytest.mark.parametrize("kind", range(6))
def test_counts_at_gives_what_the_frame_way_gives(kind: int) -> None:
    rng = np.random.default_rng(kind)
    rows = 0
    for trial in range(14):
        values = _frame(rng, kind, trial)
        for periods in ASKS:
            want = _reference(values, PAIRS, periods)
            got = counts_at(values, PAIRS, periods)
            pd.testing.assert_frame_equal(got, want, check_dtype=True, check_index_type=True,
                                          check_column_type=True)
            assert got.dtypes.tolist() == want.dtypes.tolist()
            rows += len(want)
    assert rows > 20  # not only empty answers


def test_an_area_missing_on_one_side_only_and_nothing_in_common() -> None:
    values = pd.DataFrame({"code": ["N", "D", "N", "D"], "area": pd.Categorical(["b", None, None, "c"]),
                           "period": pd.Categorical(["2024"] * 4), "value": [5.5, 7.0, 1.0, 3.0]})
    for periods in ({"P": "2024"}, {"P": "2023"}):
        pd.testing.assert_frame_equal(counts_at(values, PAIRS, periods), _reference(values, PAIRS, periods))
    only_missing = values.iloc[[0, 1]]  # the denominator's one area missing: a merge's types
    pd.testing.assert_frame_equal(counts_at(only_missing, PAIRS, {"P": "2024"}),
                                  _reference(only_missing, PAIRS, {"P": "2024"}))


def test_text_in_reads_categories_as_astype_str_reads_rows() -> None:
    for column in (pd.Series(pd.Categorical(["2024", None, "2023/24", "2024"])),
                   pd.Series(pd.Categorical([2024, None, 2023])), pd.Series(["2024", None, 2024], dtype=object)):
        for texts in ({"2024"}, {"2023/24", "nan"}, set(), {"2023"}):
            assert text_in(column, texts).tolist() == column.astype(str).isin(texts).tolist()
