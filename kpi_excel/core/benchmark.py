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

Pure: pandas and numpy only. Values are laid out as one dense matrix
(indicators × areas) at the chosen periods, so cut points, ranks, neighbour
averages and context values are whole-matrix operations, never loops over rows.
"""

from __future__ import annotations

from typing import Collection, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from kpi_excel.core.periods import Period, PeriodError, parse_period
from kpi_excel.core.values import format_number

__all__ = [
    "BENCHMARK_COLUMNS",
    "r_quantile7",
    "r_mean",
    "quartile_band",
    "benchmark",
    "benchmark_label_period",
    "matching_period",
    "same_benchmark_period",
]

BENCHMARK_COLUMNS = (
    "indicator", "indicator_name", "area", "period", "value", "polarity", "rank", "quartile", "band",
    "position", "q25", "q50", "q75", "n_areas", "sn_average", "sn_count", "sn_list", "england",
    "region_name", "region", "derived_target", "derived_target_text",
)
_PROBS = np.array([0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0])
# LAIT's band letter of quartile 1-4 ("" for 0: no quartile; "-" where LAIT shows no band), as
# categorical codes; and a position in the quartile.
_BAND_CATEGORIES = ["", "-", "A", "B", "C", "D"]
_BAND_CODES = np.array([_BAND_CATEGORIES.index(letter) for letter in ("", "A", "B", "C", "D")], dtype=np.int8)
_POSITIONS = ["", "better", "worse"]

LatestBy = Literal["label", "period"]


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
    for missing or suppressed; the observation readers remove duplicates). Text
    columns may be categorical (fastest). ``indicators``: indexed by code, with
    ``polarity`` (``High``/``Low``/other), ``no_quartile`` (bool), ``dps`` (int)
    and ``name``; codes missing from it get no rank or quartile.
    ``authorities``: the areas that are authorities (England and regions are
    not). ``period``: a label for every indicator, a mapping code → label, or
    None for each indicator's latest label (``latest_by``; ``period_order``
    maps labels to sort keys for ``latest_by="period"``). ``group``: the
    comparator group (None: every authority). ``neighbours``: authority → its
    statistical neighbours; ``neighbour_list`` names the list used per
    authority. ``regions``: authority → its region's area name.

    Returns one row per indicator × area, columns :data:`BENCHMARK_COLUMNS`,
    sorted by indicator then area.
    """
    code_ids, code_names = _factorize(values["code"])
    area_ids, area_names = _factorize(values["area"])
    period_ids, period_names = _factorize(values["period"])
    value = values["value"]
    if value.dtype != np.float64:  # the readers' floats as they are: to_numeric would copy 641,070 of them
        value = pd.to_numeric(value, errors="coerce")
    numbers = value.to_numpy(np.float64)

    authorities = set(authorities)
    wanted = None if areas is None else set(areas)
    members = (set(group) & authorities) if group is not None else set(authorities)
    if wanted is not None:
        members |= wanted & authorities  # an area is always in its own comparator group
    area_index = {name: i for i, name in enumerate(area_names)}

    chosen = _chosen_periods(code_ids, area_ids, period_ids, code_names, area_names, period_names,
                             authorities, period, latest_by, period_order)
    has_period = chosen >= 0
    at = has_period[code_ids] & (chosen[code_ids] == period_ids)
    matrix = np.full((len(code_names), len(area_names)), np.nan)
    matrix[code_ids[at], area_ids[at]] = numbers[at]  # one row per code, area, period (readers see to it)

    codes = np.flatnonzero(has_period)
    codes = codes[np.argsort(code_names[codes].astype(str), kind="stable")]
    out_names = sorted(members if wanted is None else (wanted & members) | (wanted - authorities))
    out_cols = np.array([area_index.get(name, -1) for name in out_names], dtype=np.int64)
    member_cols = np.array(sorted(area_index[a] for a in members if a in area_index), dtype=np.int64)

    meta = _indicator_meta(indicators, code_names[codes])
    polarity = meta["polarity"]
    high = polarity == "High"
    low = polarity == "Low"
    in_group = matrix[codes][:, member_cols]
    cuts = _cut_points(in_group)
    ranks = _ranks(in_group, high, low)

    n_codes, n_out = len(codes), len(out_names)
    value = _take(matrix[codes], out_cols)  # codes × out areas
    rank = np.full((n_codes, n_out), np.nan)
    member_position = {col: j for j, col in enumerate(member_cols)}
    for k, col in enumerate(out_cols):
        j = member_position.get(col)
        if j is not None:
            rank[:, k] = ranks[:, j]

    def per_code(array: np.ndarray) -> np.ndarray:
        return np.repeat(array, n_out)

    flat = value.reshape(-1)
    columns: dict[str, object] = {
        "indicator": _categorical(np.repeat(np.arange(n_codes), n_out), code_names[codes]),
        "indicator_name": _categorical(np.repeat(np.arange(n_codes), n_out), meta["name"]),
        "area": _categorical(np.tile(np.arange(n_out), n_codes), np.array(out_names, dtype=object)),
        "period": _categorical(np.repeat(np.arange(n_codes), n_out), period_names[chosen[codes]]),
        "value": flat,
        "polarity": _categorical(np.repeat(np.arange(n_codes), n_out), polarity),
    }
    band, position = _bands(flat, cuts, per_code(high), per_code(low), per_code(meta["no_quartile"]))
    columns["rank"] = pd.array(rank.reshape(-1), dtype="Int64") if flat.size else pd.array([], dtype="Int64")
    quartile = pd.array(np.where(band > 0, band, 0), dtype="Int64")
    quartile[band == 0] = pd.NA
    columns["quartile"] = quartile
    never = ~(per_code(high) | per_code(low)) | per_code(meta["no_quartile"])
    # Built from codes: from 68,572 texts, pandas hashed every one (~20 ms of a benchmark).
    band_codes = np.where(never, _BAND_CATEGORIES.index("-"), _BAND_CODES[band])
    columns["band"] = pd.Categorical.from_codes(band_codes, categories=_BAND_CATEGORIES)
    columns["position"] = pd.Categorical.from_codes(position, categories=_POSITIONS)
    for name in ("q25", "q50", "q75"):
        columns[name] = per_code(cuts[name])
    columns["n_areas"] = per_code(cuts["n"]).astype(np.int64)

    sn_average, sn_count, sn_label = _neighbour_averages(matrix[codes], out_names, area_index, neighbours,
                                                          neighbour_list)
    columns["sn_average"] = sn_average.reshape(-1)
    columns["sn_count"] = sn_count.reshape(-1)
    columns["sn_list"] = _categorical(np.tile(np.arange(n_out), n_codes), sn_label)
    england_col = area_index.get(england, -1)
    columns["england"] = per_code(_take(matrix[codes], np.array([england_col]))[:, 0])
    region_names, region_ids, region_values = _regions(matrix[codes], out_names, area_index, regions)
    columns["region_name"] = _categorical(region_ids.reshape(-1), region_names)
    columns["region"] = region_values.reshape(-1)
    target, text = _derived_targets(cuts, high, low, meta)
    columns["derived_target"] = per_code(target)
    columns["derived_target_text"] = _categorical(np.repeat(np.arange(n_codes), n_out), text)
    # In order, and copy=False: every array here is this call's own (~3 ms of copying and reordering).
    return pd.DataFrame({name: columns[name] for name in BENCHMARK_COLUMNS}, copy=False)


# --- steps ----------------------------------------------------------------------


def _factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(integer codes, names as an object array); categoricals cost nothing."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return (column.cat.codes.to_numpy(np.int64),
                np.asarray(column.cat.categories.to_numpy(object), dtype=object))
    ids, names = pd.factorize(column, use_na_sentinel=False)
    return ids.astype(np.int64), np.asarray(pd.Index(names).to_numpy(object), dtype=object)


def _categorical(ids: np.ndarray, names: np.ndarray) -> pd.Categorical:
    """Repeated text as a categorical: cheap to build and to write."""
    names = np.asarray(names, dtype=object)
    unique, inverse = np.unique(names.astype(str), return_inverse=True)
    return pd.Categorical.from_codes(inverse[ids] if len(ids) else ids, categories=pd.Index(unique, dtype=object))


def _take(matrix: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Columns of ``matrix``; NaN where a column is -1 (an area with no data)."""
    out = np.full((matrix.shape[0], len(cols)), np.nan)
    ok = cols >= 0
    out[:, ok] = matrix[:, cols[ok]]
    return out


def _chosen_periods(code_ids, area_ids, period_ids, code_names, area_names, period_names, authorities,
                    period, latest_by, period_order) -> np.ndarray:
    """Per code id, the period id it is benchmarked at (-1: none)."""
    chosen = np.full(len(code_names), -1, dtype=np.int64)
    label_index = {label: i for i, label in enumerate(period_names)}
    n_periods = max(len(period_names), 1)
    if isinstance(period, str):
        pairs = _distinct(code_ids * n_periods + period_ids)
        pair_code, pair_period = pairs // n_periods, pairs % n_periods
        pid = label_index.get(period, -2)
        hit = pair_period == pid
        chosen[pair_code[hit]] = pid
        return chosen
    if period is not None:
        code_index = {name: i for i, name in enumerate(code_names)}
        for code, label in period.items():
            if code in code_index and label in label_index:
                chosen[code_index[code]] = label_index[label]
        return chosen
    is_authority = np.isin(area_names.astype(str), np.array(sorted(authorities), dtype=str))
    rows = is_authority[area_ids] if is_authority.any() else np.ones(len(area_ids), dtype=bool)
    pairs = _distinct(code_ids[rows] * n_periods + period_ids[rows])
    pair_code, pair_period = pairs // n_periods, pairs % n_periods
    rank = _period_ranks(period_names, latest_by, period_order)
    order = np.lexsort((rank[pair_period], pair_code))
    pair_code, pair_period = pair_code[order], pair_period[order]
    last = np.ones(len(pair_code), dtype=bool)
    last[:-1] = pair_code[1:] != pair_code[:-1]
    chosen[pair_code[last]] = pair_period[last]
    return chosen


def _distinct(keys: np.ndarray) -> np.ndarray:
    """np.unique of (code, period) keys, by counting when they are small and not negative
    (indicators x periods: some thousands; a sort of 641,070 rows was the slow way there)."""
    if len(keys) and keys.min() >= 0 and keys.max() < 4 * len(keys) + 1024:
        return np.flatnonzero(np.bincount(keys)).astype(keys.dtype, copy=False)
    return np.unique(keys)


def _period_ranks(period_names: np.ndarray, latest_by: LatestBy, order: Mapping[str, tuple] | None) -> np.ndarray:
    """Each label's place in time order (higher = later)."""
    labels = [str(label) for label in period_names]
    if latest_by == "label":
        keys = [label.encode("utf-8") for label in labels]  # LAIT: byte (C-locale) order
        ranked = sorted(range(len(labels)), key=keys.__getitem__)
    else:
        known = order or {}
        ranked = sorted(range(len(labels)), key=lambda i: ((1, known[labels[i]]) if labels[i] in known else (0, ()),
                                                           labels[i].encode("utf-8")))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[ranked] = np.arange(len(labels))
    return rank


def _indicator_meta(indicators: pd.DataFrame, codes: np.ndarray) -> dict[str, np.ndarray]:
    """Each code's ``polarity``, ``no_quartile``, ``dps`` and ``name`` (arrays in ``codes``' order):
    the first dictionary row of a code (by its text) decides; a code the dictionary lacks, or a
    missing cell, gets "", False, 1 and "". Looked up in plain dicts: the pandas reindexing it
    replaces cost half of a request's benchmark (the dictionary is small, the calls many)."""
    keys = [str(code) for code in codes]
    first = {}  # the dictionary's code text -> its first row
    for row, code in enumerate(indicators.index.tolist() if len(indicators) else ()):
        first.setdefault(str(code), row)
    rows = [first.get(key, -1) for key in keys]

    def column(name: str, default: object) -> list[object]:
        if name not in indicators.columns or not len(indicators):
            return [default] * len(keys)
        cells = indicators[name].tolist()
        return [default if row < 0 or _missing(cells[row]) else cells[row] for row in rows]

    dps = column("dps", 1)
    if not all(type(d) is int for d in dps):  # text or fractions: read as numbers the way pandas does
        dps = pd.to_numeric(pd.Series(dps, dtype=object), errors="coerce").fillna(1).astype(int).tolist()
    return {"polarity": np.array(column("polarity", ""), dtype=object),
            "no_quartile": np.array([bool(v) for v in column("no_quartile", False)], dtype=bool),
            "dps": np.array(dps, dtype=int),
            "name": np.array(column("name", ""), dtype=object)}


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _cut_points(in_group: np.ndarray) -> dict[str, np.ndarray]:
    """Type-7 quantiles of each row's non-missing values."""
    ordered = np.sort(in_group, axis=1)  # NaN sorts last
    counts = np.sum(~np.isnan(in_group), axis=1)
    width = in_group.shape[1]
    starts = np.arange(in_group.shape[0], dtype=np.int64) * width
    q = r_quantile7(ordered.reshape(-1), starts, counts, _PROBS)
    names = ["q0", "q12_5", "q25", "q37_5", "q50", "q62_5", "q75", "q87_5", "q100"]
    cuts = {name: q[:, i] for i, name in enumerate(names)}
    cuts["n"] = counts
    return cuts


def _ranks(in_group: np.ndarray, high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """Minimum rank within each row (1 = best); NaN for missing values and for
    rows whose polarity is neither High nor Low."""
    signed = np.where(high[:, None], -in_group, in_group)
    ranks = np.full(in_group.shape, np.nan)
    for i in np.flatnonzero(high | low):  # one searchsorted per indicator, not per value
        row = signed[i]
        present = ~np.isnan(row)
        ordered = np.sort(row[present])
        ranks[i, present] = np.searchsorted(ordered, row[present], side="left") + 1
    return ranks


def _bands(v: np.ndarray, cuts: dict[str, np.ndarray], high: np.ndarray, low: np.ndarray,
           no_quartile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each value's quartile (1-4; 0: none) and its position in it (codes of :data:`_POSITIONS`)."""
    n_out = len(v) // max(len(cuts["n"]), 1) if len(cuts["n"]) else 0
    q = {name: np.repeat(cuts[name], n_out) for name in ("q12_5", "q25", "q37_5", "q50", "q62_5", "q75", "q87_5")}
    with np.errstate(invalid="ignore"):
        low_band = np.where(v <= q["q25"], 1, np.where(v <= q["q50"], 2, np.where(v <= q["q75"], 3, 4)))
        high_band = np.where(v <= q["q25"], 4, np.where(v <= q["q50"], 3, np.where(v <= q["q75"], 2, 1)))
        band = np.where(high, high_band, np.where(low, low_band, 0))
        banded = (high | low) & ~np.isnan(v) & ~no_quartile
        band = np.where(banded, band, 0)
        # The midpoint of the band the value is in: High bands 1-4 sit above
        # q87.5, q62.5, q37.5, q12.5; Low bands 1-4 at q12.5, q37.5, q62.5, q87.5.
        high_mid = np.choose(np.clip(band - 1, 0, 3), [q["q87_5"], q["q62_5"], q["q37_5"], q["q12_5"]])
        low_mid = np.choose(np.clip(band - 1, 0, 3), [q["q12_5"], q["q37_5"], q["q62_5"], q["q87_5"]])
        better = np.where(high, v > high_mid, v <= low_mid)
    position = np.where(band > 0, np.where(better, _POSITIONS.index("better"), _POSITIONS.index("worse")),
                        _POSITIONS.index(""))
    return band, position.astype(np.int8)


def _derived_targets(cuts: dict[str, np.ndarray], high: np.ndarray, low: np.ndarray,
                     meta: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    usable = (high | low) & ~meta["no_quartile"] & (cuts["n"] > 0)
    number = np.where(usable, np.where(high, cuts["q75"], cuts["q25"]), np.nan)
    dps = meta["dps"]
    text = np.array([
        "" if n != n else f"{'>' if h else '<='}{format_number(float(n), int(d))}"
        for n, h, d in zip(number, high, dps)
    ], dtype=object)
    return number, text


def _neighbour_averages(matrix: np.ndarray, out_names: list[str], area_index: Mapping[str, int],
                        neighbours: Mapping[str, Sequence[str]] | None,
                        neighbour_list: Mapping[str, str] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of the neighbours' values present (R's ``mean(na.rm = TRUE)``), one
    area at a time over all indicators at once."""
    n_codes = matrix.shape[0]
    labels = np.array([(neighbour_list or {}).get(name, "") if (neighbours or {}).get(name) else ""
                       for name in out_names], dtype=object)
    mean = np.full((n_codes, len(out_names)), np.nan)
    count = np.zeros((n_codes, len(out_names)), np.int64)
    for k, name in enumerate(out_names):
        cols = [area_index[other] for other in (neighbours or {}).get(name, ()) if other in area_index]
        if cols:
            mean[:, k], count[:, k] = r_mean(matrix[:, cols])
    return mean, count, labels


def r_mean(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row means of the values present, computed as R's ``mean()`` does: a long
    double sum divided by n, then corrected by the mean of the residuals, so the
    last digit agrees with R. Returns (means, counts); NaN where none present."""
    present = ~np.isnan(values)
    count = present.sum(axis=1)
    wide = np.where(present, values, 0.0).astype(np.longdouble)
    n = np.where(count > 0, count, 1).astype(np.longdouble)
    mean = wide.sum(axis=1) / n
    residual = np.where(present, wide - mean[:, None], 0.0).sum(axis=1)
    mean = (mean + residual / n).astype(np.float64)
    return np.where(count > 0, mean, np.nan), count


def _regions(matrix: np.ndarray, out_names: list[str], area_index: Mapping[str, int],
             regions: Mapping[str, str] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each area's region (names, name id per value, value). LAIT's London rule:
    where London (Inner)/(Outer) has no value, London's is shown, named so."""
    names = [(regions or {}).get(name, "") or "" for name in out_names]
    categories = np.array(sorted(set(names) | {"London"}), dtype=object)
    category = {name: i for i, name in enumerate(categories)}
    cols = np.array([area_index.get(name, -1) if name else -1 for name in names], dtype=np.int64)
    values = _take(matrix, cols)
    ids = np.tile(np.array([category[name] for name in names], dtype=np.int64), (matrix.shape[0], 1))
    london = area_index.get("London", -1)
    if london >= 0:
        for k, name in enumerate(names):
            if name.startswith("London ("):
                missing = np.isnan(values[:, k]) & ~np.isnan(matrix[:, london])
                values[missing, k] = matrix[missing, london]
                ids[missing, k] = category["London"]
    return categories, ids, values


# --- benchmarking each indicator in its own time ---------------------------------------


def benchmark_label_period(label: object) -> Period | None:
    """The span a benchmark period label stands for; None when it is not a period.

    A bare year is the year *ending* then, as DfE labels its data: LAIT's
    ``2022`` is 2021/22 (children in care to 31 March 2022; KS2 results of the
    2021/22 academic year), so it matches an officer's ``2021/22``. Other labels
    read as :func:`~kpi_excel.core.periods.parse_period` reads them
    (``2021-22``, ``2016-18``, ``2023 (Rev)``).
    """
    text = str(label or "").strip()
    try:
        period = parse_period(text)
    except PeriodError:
        return None
    if period.kind == "year" and period.months == 12 and period.start % 12 == 0:
        return Period("year", period.start - 9, 12, fiscal=True)  # 2022 → April 2021 to March 2022
    return period


def matching_period(latest: Period | None, labels: Sequence[str], as_of: Period | None = None) -> str | None:
    """The benchmark label to benchmark a value of period ``latest`` on.

    The label naming the same span if there is one, else the latest label that
    ends no later than ``latest`` ends; never one that ends after ``as_of``.
    With no ``latest``, the latest label not after ``as_of``. Among labels for
    one span the latest by text wins (``2023 (Rev)`` over ``2023``). None when no
    label fits.
    """
    read = [(benchmark_label_period(label), str(label)) for label in labels]
    usable = [(period, label) for period, label in read if period is not None]
    if as_of is not None:
        usable = [(period, label) for period, label in usable if period.end <= as_of.end]
    if not usable:
        return None

    def latest_of(found: list[tuple[Period, str]]) -> str:
        return max(found, key=lambda f: (f[0].end, f[0].start, f[1].encode("utf-8")))[1]

    if latest is None:
        return latest_of(usable)
    same = [(period, label) for period, label in usable if _same_span(period, latest)]
    if same:
        return latest_of(same)
    earlier = [(period, label) for period, label in usable if period.end <= latest.end]
    return latest_of(earlier) if earlier else None


def _same_span(period: Period, latest: Period) -> bool:
    return period == latest or (period.start, period.months) == (latest.start, latest.months)


def same_benchmark_period(label: object, latest: object) -> bool:
    """Whether a benchmark period label and a KPI row's latest period name the same span
    (``2022`` and ``2021/22``; ``2025`` and ``2025`` as the same text)."""
    text, shown = str(label or "").strip(), str(latest or "").strip()
    if not text or not shown:
        return False
    if text.lower() == shown.lower():
        return True
    period = benchmark_label_period(text)
    try:
        ours = parse_period(shown)
    except PeriodError:
        return False
    return period is not None and _same_span(period, ours)
