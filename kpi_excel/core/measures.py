"""What kind of number an indicator is: a proportion, a rate per N, a count, or a mean/score.

Only proportions, rates and counts get confidence intervals: their randomness is
known (binomial, Poisson). A mean or a score (Progress 8, days to assess) needs
its spread, which a KPI table does not carry, so it is left alone, never guessed.

The kind comes from the KPIs row: a ``Measure Type`` column when there is one
(``Percentage``, ``Proportion``, ``Rate per 10,000``, ``Count``, ``Mean``,
``Score``), else the ``Unit`` (``%``, ``per 1,000``, ``number``). A unit that says
nothing about the kind (``£``, ``days``, empty) gives no kind.

A directly (age-) standardised rate (``DSR per 100,000``) is its own kind: its
interval (Dobson's method, PHEindicatormethods' ``phe_dsr``) needs the counts and
standard population of every age band, which a KPI row does not carry, so it
gets no interval rather than a crude rate's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kpi_excel.errors import CellError

__all__ = [
    "PROPORTION",
    "RATE",
    "COUNT",
    "MEAN",
    "STANDARDISED",
    "MEASURE_TYPE_CHOICES",
    "MEASURES_OFFERED",
    "Measure",
    "MeasureError",
    "parse_measure_type",
    "measure_from_unit",
    "PERCENTAGE",
]

PROPORTION, RATE, COUNT, MEAN = "proportion", "rate", "count", "mean"
STANDARDISED = "standardised rate"
class MeasureError(CellError):
    """A Measure Type we cannot read."""


@dataclass(frozen=True)
class Measure:
    """An indicator's kind and the multiplier its values are shown at: a
    percentage is a proportion × 100, a rate per 10,000 is count / population ×
    10,000, a count is itself (× 1)."""

    kind: str
    multiplier: float = 1.0

    @property
    def has_interval(self) -> bool:
        return self.kind in (PROPORTION, RATE, COUNT)

    @property
    def compared_with_england(self) -> bool:
        """A count is of our population, England's of England's: not comparable."""
        return self.kind in (PROPORTION, RATE)

    @property
    def percent(self) -> bool:
        return self.kind == PROPORTION and self.multiplier == 100

    def describe(self) -> str:
        if self.kind == PROPORTION:
            return "percentage" if self.percent else "proportion"
        if self.kind == RATE:
            return f"rate per {self.multiplier:,.0f}"
        if self.kind == STANDARDISED:
            return "directly standardised rate"
        return self.kind


PERCENTAGE = Measure(PROPORTION, 100.0)
_PROPORTION_OF_ONE = Measure(PROPORTION, 1.0)

# The Measure Type dropdown's words, each the kind it is read as: one home for the choices and
# for what they mean, so the dropdown offers every kind the engine rates (a test holds that each
# reads back as its kind). Excel list validations cannot hold commas: no thousands separators.
MEASURES_OFFERED = {
    "Percentage": PERCENTAGE, "Proportion": _PROPORTION_OF_ONE,
    "Rate per 1000": Measure(RATE, 1e3), "Rate per 10000": Measure(RATE, 1e4), "Rate per 100000": Measure(RATE, 1e5),
    "DSR per 100000": Measure(STANDARDISED, 1e5),
    "Count": Measure(COUNT), "Mean": Measure(MEAN), "Score": Measure(MEAN),
}
MEASURE_TYPE_CHOICES = tuple(MEASURES_OFFERED)

_PER = re.compile(r"^(?:(?:crude|directly standardised|age standardised)\s+)?(?:rate\s*)?(?:per|/)\s*"
                  r"(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<scale>k|thousand|m|million)?\b")
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6}
# Other words officers write for a kind (the offered ones are read too).
_WORDS = {
    **{word.lower(): measure for word, measure in MEASURES_OFFERED.items()},
    "%": PERCENTAGE, "percent": PERCENTAGE, "per cent": PERCENTAGE, "pct": PERCENTAGE,
    "percentage (%)": PERCENTAGE, "proportion (%)": PERCENTAGE, "% of cohort": PERCENTAGE,
    "proportion of 1": _PROPORTION_OF_ONE, "fraction": _PROPORTION_OF_ONE,
    "number": Measure(COUNT), "no.": Measure(COUNT), "no": Measure(COUNT),
    "n": Measure(COUNT), "total": Measure(COUNT), "number of": Measure(COUNT), "count of events": Measure(COUNT),
    "average": Measure(MEAN), "median": Measure(MEAN),
    "average score": Measure(MEAN), "mean score": Measure(MEAN), "index": Measure(MEAN),
}


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower().rstrip(".") or ""


# "DSR", "directly standardised", "age-standardised" (not "indirectly standardised": a ratio, not a rate).
_STANDARDISED_WORDS = re.compile(r"(?<!indirectly )\b(?:dsr|(?:directly\s+)?(?:age[\s-]*)?standardi[sz]ed)\b")


def _standardised(cleaned: str) -> Measure | None:
    if "indirectly" in cleaned or not _STANDARDISED_WORDS.search(cleaned):
        return None
    rest = _STANDARDISED_WORDS.sub(" ", cleaned).replace("rate", " ").strip()
    base = _rate(rest) if rest else None
    return Measure(STANDARDISED, base.multiplier if base is not None and base.kind == RATE else 1.0)


def _rate(cleaned: str) -> Measure | None:
    match = _PER.match(cleaned)
    if not match:
        return None
    number = float(match.group("n").replace(",", "")) * _SCALES.get(match.group("scale") or "", 1.0)
    if number <= 0:
        return None
    if number == 100 and "rate" not in cleaned:
        return PERCENTAGE  # "per 100" is a percentage
    return Measure(RATE, number)


def parse_measure_type(text: object) -> Measure | None:
    """Read a Measure Type cell; None when empty. Raises :class:`MeasureError`
    for text that is not a kind we know (the officer chose the column: say so)."""
    return _measure_type(str(text) if text is not None else "")


@lru_cache(maxsize=1024)
def _measure_type(text: str) -> Measure | None:
    cleaned = _clean(text)
    if cleaned in ("", "n/a", "na", "-", "none"):
        return None
    named = _named(cleaned)
    if named is not None:
        return named
    if cleaned in ("rate", "crude rate"):
        raise MeasureError(f"Measure Type '{text.strip()[:40]}' needs its base, e.g. 'Rate per 10,000'")
    raise MeasureError(f"unknown Measure Type '{text.strip()[:40]}' (expected Percentage, Proportion, "
                       "Rate per N, DSR per N, Count, Mean or Score)")


def measure_from_unit(unit: object) -> Measure | None:
    """The kind a Unit cell implies, or None when it does not say (``£``, ``days``, empty)."""
    return _unit(str(unit) if unit is not None else "")


@lru_cache(maxsize=1024)
def _unit(unit: str) -> Measure | None:
    cleaned = _clean(unit)
    return _named(cleaned) if cleaned else None


def _named(cleaned: str) -> Measure | None:
    """The kind a cleaned Measure Type or Unit names (a word for it, a standardised rate, a rate
    per N), or None."""
    return _WORDS.get(cleaned) or _standardised(cleaned) or _rate(cleaned)  # a Measure is never falsy
