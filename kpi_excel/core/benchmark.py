"""Benchmark every authority against every other, the way DfE's LAIT does.

One pass over a long table of values (``code, area, period, value``) gives, for
each indicator at its chosen period and each authority:

* **cut points** ``q25, q50, q75`` — R's ``quantile()`` type 7 over the
  comparator group's non-missing values, with R's own arithmetic
  (``(1-h)*x[lo] + h*x[hi]``, and ``x[lo]`` itself where ``x[hi] == x[lo]``),
  so values sitting exactly on a cut point fall in the same band as in LAIT;
* **quartile** 1-4 (1 = best; LAIT's ``band`` A-D, ``-`` where LAIT shows no band). Low polarity: 1 if
  ``v <= q25``, 2 if ``<= q50``, 3 if ``<= q75``, else 4. High polarity: 4 if
  ``v <= q25``, 3 if ``<= q50``, 2 if ``<= q75``, else 1. None where the data
  dictionary says ``No_Quartile = N``, where the polarity is neither High nor
  Low, or where the value is missing;
* **rank** 1 = best, ties share the minimum rank (R's ``ties.method = "min"``),
  none for a missing value or a polarity that is neither High nor Low;
* **position** within the quartile, ``better`` or ``worse`` half, for the
  Leicestershire rule ("high in the second quartile"). The halves are split at
  the band's midpoint, the type-7 quantile at 0.125 / 0.375 / 0.625 / 0.875 of
  the same distribution, and a value on the midpoint goes where LAIT sends a
  value on a cut point: to the worse half for High polarity (``v > q62.5`` is
  the better half of band B), to the better half for Low (``v <= q37.5`` is the
  better half of band B). A midpoint drawn from the same quantile function
  keeps the halves consistent with the bands (each half is ~1/8 of the group);
* **derived target** — what it takes to be in the top quartile by LAIT's own
  boundary rule: High ``> q75``, Low ``<= q25``, as a number and as text at the
  indicator's decimal places (``>74.3``). The number is exact; the text is for
  reading (a value of 74.26 meets ``>74.25`` though the text says ``>74.3``);
* **n_areas** — how many authorities in the group have a value;
* **sn_average** — mean of the statistical neighbours' values that are present
  (none present: empty), **england** and the authority's **region** value
  (LAIT's rule for London: the London (Inner)/(Outer) value, or London's where
  that is missing).

Comparator groups: every authority (default) or a named set; cut points,
ranks, positions and derived targets are then computed within the set, and an
area being benchmarked always counts as a member of its own comparator group.

Pure: pandas and numpy only, no loops over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from kpi_excel.core.values import format_number

__all__ = [
    "BENCHMARK_COLUMNS",
    "Distribution",
    "r_quantile7",
    "quartile_band",
    "latest_labels",
    "benchmark",
]

BENCHMARK_COLUMNS = (
    "indicator", "indicator_name", "area", "period", "value", "polarity", "rank", "quartile", "band",
    "position", "q25", "q50", "q75", "n_areas", "sn_average", "sn_count", "sn_list", "england",
    "region_name", "region", "derived_target", "derived_target_text",
)
_PROBS = np.array([0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0])
_BANDS = np.array(["", "A", "B", "C", "D"], dtype=object)

LatestBy = Literal["label", "period"]


@dataclass(frozen=True)
class Distribution:
    """Cut points of one indicator's values in a comparator group."""

    n: int
    q0: float
    q25: float
    q50: float
    q75: float
    q100: float


def r_quantile7(sorted_values: np.ndarray, starts: np.ndarray, counts: np.ndarray,
                probs: np.ndarray) -> np.ndarray:
    """R's ``quantile(x, probs, type = 7)`` for many groups at once.

    ``sorted_values`` holds every group's non-missing values, each group's run
    sorted ascending and starting at ``starts[g]`` with ``counts[g]`` values.
    Returns an array (groups × probs); NaN for an empty group. Mirrors R's
    arithmetic step by step so boundary ties come out the same.
    """
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.asarray(starts, dtype=np.int64)
    index = 1.0 + np.maximum(counts - 1, 0)[:, None].astype(np.float64) * probs[None, :]
    lo = np.floor(index)
    hi = np.ceil(index)
    empty = counts == 0
    base = starts[:, None] - 1
    lo_at = np.where(empty[:, None], 0, base + lo.astype(np.int64))
    hi_at = np.where(empty[:, None], 0, base + hi.astype(np.int64))
    if len(sorted_values) == 0:
        return np.full(index.shape, np.nan)
    x_lo = sorted_values[lo_at]
    x_hi = sorted_values[hi_at]
    h = index - lo
    interpolate = (index > lo) & (x_hi != x_lo)
    with np.errstate(invalid="ignore"):
        mixed = (1.0 - h) * x_lo + h * x_hi
    out = np.where(interpolate, mixed, x_lo)
    out[empty] = np.nan
    return out


def quartile_band(value: float, q25: float, q50: float, q75: float, polarity: str) -> int | None:
    """The quartile (1 = best) of one value by LAIT's boundary rule; None when
    the value is missing or the polarity is neither High nor Low."""
    if value is None or value != value or polarity not in ("High", "Low"):
        return None
    if polarity == "Low":
        return 1 if value <= q25 else 2 if value <= q50 else 3 if value <= q75 else 4
    return 4 if value <= q25 else 3 if value <= q50 else 2 if value <= q75 else 1


def latest_labels(codes: pd.Series, labels: pd.Series, by: LatestBy = "label",
                  order: Mapping[str, tuple] | None = None) -> pd.Series:
    """Each indicator's latest period label (index: code).

    ``by="label"`` is LAIT's rule: the greatest label in byte order (R's
    ``slice_max(Years)`` in the C locale), so ``2025-26`` > ``2025 (prov)`` >
    ``2025``. ``by="period"`` orders by ``order[label]`` (a sort key from the
    period parser; labels missing from it sort first), ties by label.
    """
    frame = pd.DataFrame({"code": codes.to_numpy(object), "label": labels.to_numpy(object)})
    frame = frame.drop_duplicates()
    if by == "label":
        frame["key"] = frame["label"].map(lambda s: s.encode("utf-8"))
        picked = frame.sort_values(["code", "key"]).groupby("code", sort=False).tail(1)
        return picked.set_index("code")["label"]
    known = order or {}
    frame["rank"] = frame["label"].map(lambda s: (1, known[s], s.encode()) if s in known else (0, (), s.encode()))
    picked = frame.sort_values(["code", "rank"]).groupby("code", sort=False).tail(1)
    return picked.set_index("code")["label"]


def benchmark(
    values: pd.DataFrame,
    indicators: pd.DataFrame,
    authorities: Collection[str],
    *,
    areas: Collection[str] | None = None,
    period: str | Mapping[str, str] | None = None,
    latest_by: LatestBy = "label",
    period_order: Mapping[str, tuple] | None = None,
    group: set[str] | None = None,
    neighbours: Mapping[str, Sequence[str]] | None = None,
    neighbour_list: Mapping[str, str] | None = None,
    regions: Mapping[str, str] | None = None,
    england: str = "England",
) -> pd.DataFrame:
    """Benchmark every indicator for ``areas`` (default: every authority in the group).

    ``values``: one row per ``code, area, period`` with a float ``value`` (NaN
    for missing or suppressed). ``indicators``: indexed by code, with
    ``polarity`` (``High``/``Low``/other), ``no_quartile`` (bool), ``dps`` (int)
    and ``name``; codes missing from it get no rank or quartile.
    ``authorities``: the areas that are authorities (England and regions are
    not). ``period``: a label for every indicator, a mapping code → label, or
    None for each indicator's latest label (``latest_by``). ``group``: the
    comparator group (None: every authority). ``neighbours``: authority → its
    statistical neighbours; ``neighbour_list`` names the list used per
    authority. ``regions``: authority → its region's area name.

    Returns one row per indicator × area, columns :data:`BENCHMARK_COLUMNS`.
    """
    authorities = set(authorities)
    wanted = set(areas) if areas is not None else None
    members = set(group) & authorities if group is not None else set(authorities)
    if wanted is not None:
        members |= wanted & authorities  # an area is always in its own comparator group
    frame = pd.DataFrame({
        "code": values["code"].to_numpy(object),
        "area": values["area"].to_numpy(object),
        "period": values["period"].to_numpy(object),
        "value": pd.to_numeric(values["value"], errors="coerce").to_numpy(np.float64),
    })
    frame = frame.drop_duplicates(["code", "area", "period"], keep="last")

    chosen = _chosen_periods(frame, authorities, period, latest_by, period_order)
    at_period = frame.merge(chosen.rename("period").reset_index(), on=["code", "period"], how="inner")
    is_member = at_period["area"].isin(members).to_numpy()
    in_group = at_period[is_member]

    codes = pd.Index(chosen.index, name="code")
    meta = _indicator_meta(indicators, codes)
    cuts = _cut_points(in_group, codes)
    ranks = _ranks(in_group, meta)

    out_areas = sorted(members if wanted is None else (wanted & members) | (wanted - authorities))
    grid = pd.MultiIndex.from_product([codes, out_areas], names=["code", "area"]).to_frame(index=False)
    grid["period"] = chosen.reindex(grid["code"]).to_numpy(object)
    values_at = at_period.set_index(["code", "area"])["value"]
    grid["value"] = values_at.reindex(pd.MultiIndex.from_frame(grid[["code", "area"]])).to_numpy(np.float64)
    grid = grid.join(meta, on="code").join(cuts, on="code")
    grid["rank"] = ranks.reindex(pd.MultiIndex.from_frame(grid[["code", "area"]])).to_numpy()

    _bands(grid)
    _derived_target(grid)
    _neighbour_averages(grid, at_period, neighbours, neighbour_list)
    _context_values(grid, at_period, regions, england)
    return _tidy(grid)


# --- steps ----------------------------------------------------------------------


def _chosen_periods(frame: pd.DataFrame, authorities: set[str], period: str | Mapping[str, str] | None,
                    latest_by: LatestBy, period_order: Mapping[str, tuple] | None) -> pd.Series:
    """code → the label each indicator is benchmarked at."""
    if isinstance(period, str):
        present = frame.loc[frame["period"] == period, "code"].unique()
        return pd.Series(period, index=pd.Index(sorted(present), name="code"), dtype=object)
    if period is not None:
        chosen = pd.Series(dict(period), dtype=object)
        chosen.index.name = "code"
        return chosen.sort_index()
    authority_rows = frame[frame["area"].isin(authorities)]
    if authority_rows.empty:
        authority_rows = frame
    latest = latest_labels(authority_rows["code"], authority_rows["period"], latest_by, period_order)
    return latest.sort_index()


def _indicator_meta(indicators: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    meta = pd.DataFrame(index=codes)
    source = indicators[~indicators.index.duplicated(keep="first")] if len(indicators) else indicators
    for column, default in (("polarity", ""), ("no_quartile", False), ("dps", 1), ("name", "")):
        if column in source.columns:
            meta[column] = source[column].reindex(codes).to_numpy(object)
        else:
            meta[column] = default
    meta["polarity"] = meta["polarity"].where(meta["polarity"].notna(), "").astype(object)
    meta["no_quartile"] = meta["no_quartile"].fillna(False).astype(bool)
    meta["dps"] = pd.to_numeric(meta["dps"], errors="coerce").fillna(1).astype(int)
    meta["name"] = meta["name"].where(meta["name"].notna(), "").astype(object)
    return meta


def _cut_points(in_group: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    present = in_group[~np.isnan(in_group["value"].to_numpy())]
    code_ids = codes.get_indexer(present["code"])
    order = np.lexsort((present["value"].to_numpy(), code_ids))
    sorted_values = present["value"].to_numpy()[order]
    counts = np.bincount(code_ids, minlength=len(codes))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(codes) else np.array([], dtype=np.int64)
    q = r_quantile7(sorted_values, starts, counts, _PROBS)
    names = ["q0", "q12_5", "q25", "q37_5", "q50", "q62_5", "q75", "q87_5", "q100"]
    cuts = pd.DataFrame(q, index=codes, columns=names)
    cuts["n_areas"] = counts
    return cuts


def _ranks(in_group: pd.DataFrame, meta: pd.DataFrame) -> pd.Series:
    polarity = meta["polarity"].reindex(in_group["code"]).to_numpy(object)
    signed = np.where(polarity == "High", -in_group["value"].to_numpy(), in_group["value"].to_numpy())
    ranked = pd.Series(signed, index=pd.MultiIndex.from_frame(in_group[["code", "area"]]))
    ranks = ranked.groupby(level="code", sort=False).rank(method="min", na_option="keep")
    directional = np.isin(polarity, ["High", "Low"])
    return ranks.where(directional)


def _bands(grid: pd.DataFrame) -> None:
    v = grid["value"].to_numpy(np.float64)
    high = (grid["polarity"] == "High").to_numpy()
    low = (grid["polarity"] == "Low").to_numpy()
    q25, q50, q75 = (grid[c].to_numpy(np.float64) for c in ("q25", "q50", "q75"))
    with np.errstate(invalid="ignore"):
        low_band = np.where(v <= q25, 1, np.where(v <= q50, 2, np.where(v <= q75, 3, 4)))
        high_band = np.where(v <= q25, 4, np.where(v <= q50, 3, np.where(v <= q75, 2, 1)))
        band = np.where(high, high_band, np.where(low, low_band, 0))
        banded = (high | low) & ~np.isnan(v) & ~grid["no_quartile"].to_numpy(bool)
        band = np.where(banded, band, 0)
        # Midpoint of the band the value is in, per polarity.
        mids = np.stack([grid[c].to_numpy(np.float64) for c in ("q87_5", "q62_5", "q37_5", "q12_5")], axis=1)
        low_mids = mids[:, ::-1]  # Low: band 1 is the lowest eighths
        index = np.clip(band - 1, 0, 3)
        rows = np.arange(len(grid))
        mid = np.where(high, mids[rows, index], low_mids[rows, index])
        better = np.where(high, v > mid, v <= mid)
    grid["quartile"] = pd.array(np.where(band > 0, band, 0), dtype="Int64")
    grid.loc[band == 0, "quartile"] = pd.NA
    # LAIT shows "-" where it never bands (no direction, or No_Quartile = N).
    never = ~(high | low) | grid["no_quartile"].to_numpy(bool)
    grid["band"] = np.where(never, "-", _BANDS[band])
    grid["position"] = np.where(band > 0, np.where(better, "better", "worse"), "")


def _derived_target(grid: pd.DataFrame) -> None:
    high = (grid["polarity"] == "High").to_numpy()
    low = (grid["polarity"] == "Low").to_numpy()
    usable = (high | low) & ~grid["no_quartile"].to_numpy(bool) & (grid["n_areas"].to_numpy() > 0)
    number = np.where(high, grid["q75"].to_numpy(np.float64), grid["q25"].to_numpy(np.float64))
    number = np.where(usable, number, np.nan)
    grid["derived_target"] = number
    # Text per distinct (operator, number, dps): few distinct per indicator.
    ops = np.where(high, ">", "<=")
    keys = pd.DataFrame({"op": ops, "n": number, "d": grid["dps"].to_numpy()})
    unique = keys.drop_duplicates()
    texts = {
        (op, n, d): ("" if n != n else f"{op}{format_number(n, int(d))}")
        for op, n, d in unique.itertuples(index=False, name=None)
    }
    grid["derived_target_text"] = [texts[(o, n, d)] if n == n else "" for o, n, d in
                                   zip(ops, number, keys["d"].to_numpy())]


def _neighbour_averages(grid: pd.DataFrame, at_period: pd.DataFrame,
                        neighbours: Mapping[str, Sequence[str]] | None,
                        neighbour_list: Mapping[str, str] | None) -> None:
    grid["sn_average"] = np.nan
    grid["sn_count"] = 0
    grid["sn_list"] = ""
    if not neighbours:
        return
    pairs = pd.DataFrame(
        [(area, other) for area in grid["area"].unique() for other in neighbours.get(area, ())],
        columns=["area", "neighbour"],
    )
    if pairs.empty:
        return
    present = at_period[~np.isnan(at_period["value"].to_numpy())][["code", "area", "value"]]
    joined = pairs.merge(present.rename(columns={"area": "neighbour"}), on="neighbour", how="inner")
    stats = joined.groupby(["code", "area"])["value"].agg(["mean", "count"])
    keys = pd.MultiIndex.from_frame(grid[["code", "area"]])
    grid["sn_average"] = stats["mean"].reindex(keys).to_numpy(np.float64)
    grid["sn_count"] = stats["count"].reindex(keys).fillna(0).astype(int).to_numpy()
    if neighbour_list:
        grid["sn_list"] = grid["area"].map(lambda a: neighbour_list.get(a, "")).astype(object)


def _context_values(grid: pd.DataFrame, at_period: pd.DataFrame, regions: Mapping[str, str] | None,
                    england: str) -> None:
    by_area = at_period.set_index(["code", "area"])["value"]
    codes = grid["code"].to_numpy(object)
    grid["england"] = by_area.reindex(pd.MultiIndex.from_arrays([codes, [england] * len(grid)])).to_numpy(np.float64)
    region_names = grid["area"].map(lambda a: (regions or {}).get(a, "")).astype(object).to_numpy()
    region_values = by_area.reindex(pd.MultiIndex.from_arrays([codes, region_names])).to_numpy(np.float64)
    # LAIT: a London sub-region with no value falls back to London as a whole.
    london_sub = np.array([str(r).startswith("London (") for r in region_names], dtype=bool)
    fallback = london_sub & np.isnan(region_values)
    if fallback.any():
        london = by_area.reindex(pd.MultiIndex.from_arrays([codes, ["London"] * len(grid)])).to_numpy(np.float64)
        region_values = np.where(fallback, london, region_values)
        region_names = np.where(fallback & ~np.isnan(london), "London", region_names)
    grid["region_name"] = region_names
    grid["region"] = region_values


def _tidy(grid: pd.DataFrame) -> pd.DataFrame:
    grid = grid.rename(columns={"code": "indicator", "name": "indicator_name"})
    grid["rank"] = pd.array(grid["rank"].to_numpy(np.float64), dtype="Int64") if len(grid) else \
        pd.array([], dtype="Int64")
    grid["n_areas"] = grid["n_areas"].fillna(0).astype(int)
    return grid[list(BENCHMARK_COLUMNS)].reset_index(drop=True)
