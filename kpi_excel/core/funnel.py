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
           "FUNNEL_POINTS"]

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
        own_at = own[own["period"].astype(str) == str(period)] if own is not None else None
        if own_at is not None and {"numerator", "denominator"} <= set(own_at.columns) and \
                own_at["numerator"].notna().any():
            frame = own_at[["area", "numerator", "denominator"]]
            frames.append(frame.assign(indicator=indicator))
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
    valid = out["numerator"].ge(0) & out["denominator"].gt(0)
    return out[valid].reset_index(drop=True)


def _at(frame: pd.DataFrame | None, period: str, name: str) -> pd.DataFrame | None:
    if frame is None:
        return None
    found = frame[frame["period"].astype(str) == str(period)][["area", "value"]]
    found = found[pd.to_numeric(found["value"], errors="coerce").notna()]
    if found.empty:
        return None
    return pd.DataFrame({"area": found["area"].astype(str).to_numpy(),
                         name: pd.to_numeric(found["value"]).to_numpy(dtype=float)}).drop_duplicates("area")


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
