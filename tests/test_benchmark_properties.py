"""Properties of the benchmark over random groups of values (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_excel.core.benchmark import benchmark

# Few distinct values, so ties and values on cut points are common.
values_st = st.lists(st.one_of(st.sampled_from([0.1, 0.2, 0.3, 1.0, 2.5, 7.25, 10.0]), st.none()),
                     min_size=1, max_size=25)


def r_quantile(x: list[float], p: float) -> float:
    """R's quantile type 7, transliterated line by line from R's quantile.default."""
    x = sorted(x)
    n = len(x)
    index = 1 + (n - 1) * p
    lo, hi = math.floor(index), math.ceil(index)
    qs = x[lo - 1]
    h = index - lo
    if index > lo and x[hi - 1] != qs:
        qs = (1 - h) * qs + h * x[hi - 1]
    return qs


@settings(max_examples=200, deadline=None)
@given(values=values_st, polarity=st.sampled_from(["High", "Low"]))
def test_better_value_never_worse_and_cut_points_as_r(values: list[float | None], polarity: str) -> None:
    areas = [f"LA{i:02d}" for i in range(len(values))]
    frame = pd.DataFrame({"code": "X", "area": areas, "period": "2024",
                          "value": [np.nan if v is None else v for v in values]})
    indicators = pd.DataFrame({"polarity": [polarity], "no_quartile": [False], "dps": [1], "name": [""]},
                              index=["X"])
    out = benchmark(frame, indicators, areas)
    present = [v for v in values if v is not None]
    if present:
        for name, p in (("q25", 0.25), ("q50", 0.5), ("q75", 0.75)):
            assert out[name].iloc[0] == r_quantile(present, p)
    scored = out[out["value"].notna()]
    sign = 1 if polarity == "High" else -1
    for _, a in scored.iterrows():
        for _, b in scored.iterrows():
            if sign * a["value"] > sign * b["value"]:  # a is better
                assert a["quartile"] <= b["quartile"] and a["rank"] < b["rank"]
            if a["value"] == b["value"]:
                assert a["quartile"] == b["quartile"] and a["rank"] == b["rank"]
    assert out.loc[out["value"].isna(), "rank"].isna().all()
    assert (out["n_areas"] == len(present)).all()
    if present:
        best = scored.loc[scored["value"] == (max(present) if polarity == "High" else min(present))]
        assert (best["rank"] == 1).all()
