"""Counts across authorities, and the funnel plot PHE draws from them.

Benchmark data gives each authority's value; for a confidence interval, "vs
England" or a funnel plot we need the counts behind it. They come either from the
benchmark data itself (a source with Numerator/Denominator columns) or, for DfE's
LAIT, from a second and third LAIT indicator that hold the numerator and the
denominator (``CareLeaverAcc`` = ``NoCareLeaverAcc`` / ``NoCareLeavers``; the
pairs are listed in ``kpi_excel/data/benchmark/lait_counts.csv`` and checked
against every authority's published values by the tests). For a rate per N,
LAIT publishes the count but not the population: it is worked out from the
count and the rate.

A funnel plot shows each authority's proportion against its denominator, with
PHE's 95% and 99.8% control limits around the average of all of them (sum of
numerators / sum of denominators): a point outside the limits is more different
from the average than chance would make it; one inside is not shown to differ.
When many more areas lie outside the limits than chance would put there, the
data are overdispersed (the areas really differ, for reasons the limits do not
allow for): the funnel says so, and Spiegelhalter's limits widened by
``sqrt(phi)`` are there to draw instead (``adjusted=True``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from kpi_excel.core.measures import PROPORTION
from kpi_excel.core.stats import LEVEL_95, LEVEL_998, funnel_band, funnel_grid, funnel_limits, overdispersed, \
    overdispersion

__all__ = ["CountPair", "counts_at", "rows_by_code", "Funnel", "funnel_for", "overdispersion_note", "FUNNEL_MINIMUM_AREAS",
           "FUNNEL_POINTS", "is_text_categorical", "text_in"]

# Fewer authorities with counts than this and a funnel says little.
FUNNEL_MINIMUM_AREAS = 5
# Points along each limit line (PHE uses 100; 60 draws the same curve in fewer cells).
FUNNEL_POINTS = 60


@dataclass(frozen=True)
class CountPair:
    """Where an indicator's counts are: its numerator's and denominator's own codes
    (``denominator`` empty for a rate whose population is worked out from the value)."""

    indicator: str
    numerator: str
    denominator: str
    kind: str  # "proportion" | "rate"
    multiplier: float

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c for c in (self.numerator, self.denominator) if c)


def rows_by_code(values: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``values`` split by indicator code, once, for many :func:`counts_at` calls."""
    return {code: group for code, group in values.groupby("code", sort=False, observed=True)}


def counts_at(values: pd.DataFrame, pairs: Mapping[str, CountPair], periods: Mapping[str, str], *,
              by_code: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Each authority's numerator and denominator per indicator, at the period chosen for it.

    ``values`` has ``code, area, period, value`` and, when the source had them,
    ``numerator, denominator``; ``periods`` maps indicator code → period label;
    ``by_code``: ``values`` already split by :func:`rows_by_code`.
    Returns ``indicator, area, numerator, denominator`` (one row per area with
    counts; a rate's denominator worked out as numerator × multiplier / value).
    """
    frames = []
    if by_code is None:
        by_code = rows_by_code(values)
    for indicator, period in periods.items():
        own = by_code.get(indicator)
        own_at = own[text_in(own["period"], {str(period)})] \
            if own is not None and {"numerator", "denominator"} <= set(own.columns) else None
        if own_at is not None and own_at["numerator"].notna().any():
            frame = own_at[["area", "numerator", "denominator"]]
            frames.append(frame.assign(indicator=indicator))
            continue
        pair = pairs.get(indicator)
        if pair is None:
            continue
        numerator = _at(by_code.get(pair.numerator), period)
        if numerator is None:
            continue
        if pair.denominator:
            denominator = _at(by_code.get(pair.denominator), period)
            if denominator is None:
                continue
            areas, numerators, denominators = _joined(numerator, denominator)
        else:
            rates = _at(own, period)
            if rates is None:
                continue
            areas, numerators, rate = _joined(numerator, rates)
            with np.errstate(divide="ignore", invalid="ignore"):
                denominators = np.where(rate > 0, numerators * pair.multiplier / rate, np.nan)
        frames.append(pd.DataFrame({"area": areas, "numerator": numerators, "denominator": denominators,
                                    "indicator": indicator}))
    if not frames:
        return pd.DataFrame({"indicator": pd.Series([], dtype=object), "area": pd.Series([], dtype=object),
                             "numerator": pd.Series([], dtype=float), "denominator": pd.Series([], dtype=float)})
    out = pd.concat(frames, ignore_index=True)[["indicator", "area", "numerator", "denominator"]]
    out["numerator"] = pd.to_numeric(out["numerator"], errors="coerce")
    out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce")
    valid = out["numerator"].ge(0) & out["denominator"].gt(0)
    return out[valid].reset_index(drop=True)


def _at(frame: pd.DataFrame | None, period: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Each area's first readable value at ``period`` in one code's rows: (areas as text, values),
    in row order; None when there is none. Worked on arrays: a funnel's counts are a few of
    these a code, and frames' set-up (a merge most of all) was most of their time."""
    if frame is None:
        return None
    at = text_in(frame["period"], {str(period)})
    value = frame["value"]
    if value.dtype == np.float64:  # LAIT's: numbers already, NaN the unreadable
        values = value.to_numpy()[at]
        readable = ~np.isnan(values)
        values = values[readable]
    else:
        value = value[at]
        readable = pd.to_numeric(value, errors="coerce").notna().to_numpy()
        values = pd.to_numeric(value[readable]).to_numpy(dtype=float)
    if not readable.any():
        return None
    area = frame["area"]
    if is_text_categorical(area):  # its text without turning the column into text
        names = np.append(area.cat.categories.to_numpy(object), np.nan)  # [-1]: no area
        areas = names[area.cat.codes.to_numpy()[at][readable]]
    else:
        areas = area[at][readable].astype(str).to_numpy()
    first: dict[object, int] = {}
    for i, area in enumerate(areas.tolist()):
        first.setdefault(_key(area), i)  # an area's first row, as drop_duplicates keeps
    rows = np.fromiter(first.values(), dtype=np.intp, count=len(first))
    return areas[rows], values[rows]


def _joined(left: tuple[np.ndarray, np.ndarray], right: tuple[np.ndarray, np.ndarray]
            ) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """An inner merge on area of two of :func:`_at`'s answers (each area once): ``left``'s areas that
    ``right`` has, in ``left``'s order, with both values. The areas are a column of the type a
    merge of frames of them gives (also when none are left)."""
    areas, values = left
    found = {_key(area): value for area, value in zip(right[0].tolist(), right[1].tolist())}
    rows = np.array([i for i, area in enumerate(areas.tolist()) if _key(area) in found], dtype=np.intp)
    other = np.array([found[_key(area)] for area in areas[rows].tolist()], dtype=np.float64)
    column = pd.Series(areas).take(rows).reset_index(drop=True)
    if column.dtype != pd.Series(right[0]).dtype:  # text against none at all (every area missing)
        column = column.astype(object)  # as a merge finds their common type
    return column, values[rows], other


def _key(area: object) -> object:
    """An area as a merge matches it: a missing area is the same as any other missing one."""
    return area if area == area else _MISSING


_MISSING = object()


def is_text_categorical(column: pd.Series) -> bool:
    """Whether ``column`` is categorical with text categories (LAIT's are): each row's text is its category."""
    return isinstance(column.dtype, pd.CategoricalDtype) and all(isinstance(name, str) for name in
                                                                 column.cat.categories)


def text_in(column: pd.Series, texts: set[str]) -> np.ndarray:
    """Whether each row of ``column``, as text (``astype(str)``; missing: no text), is one of ``texts``.
    For a categorical column of text (LAIT's) its few categories are compared, not every row
    turned into text (most of a funnel's counts at a period, once a row)."""
    if is_text_categorical(column):
        wanted = [i for i, name in enumerate(column.cat.categories) if name in texts]
        return np.isin(column.cat.codes.to_numpy(), np.array(wanted, dtype=np.int64))
    return column.astype(str).isin(texts).to_numpy()


@dataclass(frozen=True)
class Funnel:
    """One indicator's funnel plot: every area's point, the limits, and ours."""

    indicator: str
    name: str
    period: str
    multiplier: float
    ours: str
    average: float  # a proportion (0 to 1)
    areas: tuple[str, ...]
    numerators: tuple[float, ...]
    denominators: tuple[float, ...]
    grid: tuple[float, ...]
    limits95: tuple[tuple[float, float], ...]
    limits998: tuple[tuple[float, float], ...]
    phi: float = 1.0  # Spiegelhalter's overdispersion factor (1: chance alone)
    adjusted: bool = False  # the limits are widened by sqrt(phi)

    @property
    def overdispersed(self) -> bool:
        return overdispersed(self.phi, len(self.areas))

    def value(self, i: int) -> float:
        return self.numerators[i] / self.denominators[i] * self.multiplier

    @property
    def our_index(self) -> int | None:
        return self.areas.index(self.ours) if self.ours in self.areas else None

    def bands(self) -> np.ndarray:
        """-2 … +2 for each area (below 99.8%, below 95%, inside, above 95%, above 99.8%)."""
        return funnel_band(np.array(self.numerators), np.array(self.denominators), self.average,
                           self.phi if self.adjusted else 1.0)

    def adjusted_bands(self) -> np.ndarray:
        """:meth:`bands` against the limits widened for overdispersion."""
        return funnel_band(np.array(self.numerators), np.array(self.denominators), self.average, self.phi)

    def outside(self) -> tuple[int, int]:
        """How many areas lie above and below the 99.8% limits."""
        bands = self.bands()
        return int(np.sum(bands == 2)), int(np.sum(bands == -2))


def funnel_for(counts: pd.DataFrame, *, indicator: str, name: str, period: str, ours: str, kind: str,
               multiplier: float, group: Iterable[str] | None = None, adjusted: bool = False) -> Funnel | None:
    """The funnel plot of a proportion for the areas in ``counts`` (one indicator's
    rows of :func:`counts_at`), or None when it is not a proportion or too few
    areas have counts. ``group`` limits it to a comparator group; ``adjusted``
    draws Spiegelhalter's limits widened for overdispersion (when phi > 1)."""
    if kind != PROPORTION:
        return None  # PHE's proportion funnel; rates would need the Poisson funnel
    rows = counts[counts["indicator"] == indicator]
    if group is not None:
        members = set(group) | {ours}
        rows = rows[rows["area"].isin(members)]
    rows = rows[rows["numerator"] <= rows["denominator"]].sort_values("area")
    if len(rows) < FUNNEL_MINIMUM_AREAS:
        return None
    numerators = rows["numerator"].to_numpy(dtype=float)
    denominators = rows["denominator"].to_numpy(dtype=float)
    average = float(numerators.sum() / denominators.sum())
    phi = overdispersion(numerators, denominators, average)
    widen = phi if adjusted and phi == phi else 1.0
    smallest = float(denominators.min())
    grid = funnel_grid(smallest, float(denominators.max()), FUNNEL_POINTS)
    # PHE draws from a denominator of 1, where the limits are 0% and 100%; starting just
    # below the smallest authority keeps the chart's scale on the authorities.
    grid = grid[grid >= 0.8 * smallest]
    low95, high95 = funnel_limits(grid, average, LEVEL_95, widen)
    low998, high998 = funnel_limits(grid, average, LEVEL_998, widen)
    return Funnel(
        indicator=indicator, name=name, period=str(period), multiplier=multiplier, ours=ours, average=average,
        areas=tuple(rows["area"].astype(str)), numerators=tuple(numerators), denominators=tuple(denominators),
        grid=tuple(grid), limits95=tuple(zip(low95 * multiplier, high95 * multiplier)),
        limits998=tuple(zip(low998 * multiplier, high998 * multiplier)),
        phi=phi if phi == phi else 1.0, adjusted=adjusted,
    )




def overdispersion_note(funnel: Funnel) -> str:
    """A sentence for the sheet when the areas differ by more than chance ("" when they do not)."""
    if not funnel.overdispersed:
        return ""
    plain = funnel_band(np.array(funnel.numerators), np.array(funnel.denominators), funnel.average)
    outside, areas = int(np.sum(np.abs(plain) == 2)), len(funnel.areas)
    text = (f" {outside} of {areas} authorities lie outside the 99.8% limits, where chance alone would put about "
            f"{(1 - LEVEL_998) * areas:.1f}: the data are overdispersed (phi = {funnel.phi:.2f}), so these limits "
            "make more authorities look different than chance explains.")
    index = funnel.our_index
    if funnel.adjusted:
        text += " The limits drawn are Spiegelhalter's, widened by the square root of phi."
    if index is not None and plain[index] != 0:  # where we are outside the plain limits, say if that stands
        band = int(funnel.adjusted_bands()[index])
        where = {2: "above the adjusted 99.8% limit", -2: "below the adjusted 99.8% limit"}.get(
            band, "within the adjusted 99.8% limits: not shown to differ from the average")
        text += f" Against Spiegelhalter's overdispersion-adjusted limits {funnel.ours} is {where}."
    return text
