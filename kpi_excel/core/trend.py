"""Trend: how the latest value moved since the comparable previous one.

The *trend* is Increase / Decrease / Same. Same means equal at the precision
the values are displayed with (``91.6%`` and ``91.6%``), or within a tolerance
the officer sets. The *direction* reads the trend through the polarity:
Improving / Declining / No change, or Not applicable when the indicator has no
polarity or a value is missing. For "close to target" indicators, moving
nearer the target is Improving.

A censored value (``<0.1%``) is a bound: the move is known only when the bound
settles it (2% → <0.1% is a decrease; 0.05% → <0.1% is not known), and the
change is then not a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi_excel.core.polarity import Polarity
from kpi_excel.core.targets import Target, Tolerance
from kpi_excel.core.values import Value

__all__ = [
    "Trend",
    "INCREASE",
    "DECREASE",
    "SAME",
    "IMPROVING",
    "DECLINING",
    "NO_CHANGE",
    "NOT_APPLICABLE",
    "assess_trend",
    "same_at_precision",
    "distance_from_target",
    "round_to",
]

INCREASE, DECREASE, SAME = "Increase", "Decrease", "Same"
IMPROVING, DECLINING, NO_CHANGE, NOT_APPLICABLE = "Improving", "Declining", "No change", "Not applicable"


@dataclass(frozen=True)
class Trend:
    """The movement between two values, with the reason when there is none."""

    change: float | None
    word: str  # Increase | Decrease | Same | N/A
    direction: str  # Improving | Declining | No change | Not applicable
    note: str | None = None


def round_to(number: float, decimals: int | None) -> float:
    """Round half away from zero at ``decimals`` places, as Excel displays it."""
    if decimals is None:
        return float(f"{number:.10g}")
    shown = f"{abs(number) + 1e-12 * max(abs(number), 1):.{decimals}f}"
    return -float(shown) if number < 0 else float(shown)


def _precision(*values: Value) -> int | None:
    known = [v.decimals for v in values if v.decimals is not None]
    return max(known) if known else None


def same_at_precision(a: float, b: float, decimals: int | None) -> bool:
    """Equal as displayed at ``decimals`` places (or to 10 significant digits)."""
    return round_to(a, decimals) == round_to(b, decimals)


def distance_from_target(number: float, target: Target) -> float:
    """How far a value is from a target band or point (0 inside a band)."""
    if target.op == "band" and target.upper is not None:
        if number < target.value:
            return target.value - number
        if number > target.upper:
            return number - target.upper
        return 0.0
    return abs(number - target.value)


def assess_trend(
    previous: Value | None,
    latest: Value | None,
    polarity: Polarity,
    target: Target | None = None,
    same_within: Tolerance | None = None,
) -> Trend:
    """Compare ``latest`` with ``previous`` and judge the move by ``polarity``."""
    if latest is None or latest.number is None:
        why = latest.missing if latest is not None else "no value"
        return Trend(None, "N/A", NOT_APPLICABLE, f"latest value: {why}")
    if previous is None or previous.number is None:
        why = previous.missing if previous is not None else "no value"
        return Trend(None, "N/A", NOT_APPLICABLE, f"previous value: {why}")
    if latest.bound is not None or previous.bound is not None:
        return _bounded_trend(previous, latest, polarity, target)
    decimals = _precision(previous, latest)
    change = round_to(latest.number - previous.number, decimals)
    if same_within is not None:
        percent = latest.percent or previous.percent
        same = abs(latest.number - previous.number) <= same_within.width(previous.number, percent) + 1e-12
    else:
        same = same_at_precision(latest.number, previous.number, decimals)
    if same:
        word = SAME
    else:
        word = INCREASE if latest.number > previous.number else DECREASE
    return Trend(change, word, _direction(word, previous, latest, polarity, target, decimals))


def _bounded_trend(previous: Value, latest: Value, polarity: Polarity, target: Target | None) -> Trend:
    """The move between values one or both of which are bounds, when the bounds settle it."""
    def span(value: Value) -> tuple[float, float]:
        number = float(value.number)  # type: ignore[arg-type]
        if value.bound == "<":
            return (-float("inf"), number)
        if value.bound == ">":
            return (number, float("inf"))
        return (number, number)

    (p_low, p_high), (l_low, l_high) = span(previous), span(latest)
    if l_low >= p_high and (l_low > p_high or latest.bound == ">" or previous.bound == "<"):
        word = INCREASE
    elif l_high <= p_low and (l_high < p_low or latest.bound == "<" or previous.bound == ">"):
        word = DECREASE
    else:
        which = "latest" if latest.bound is not None else "previous"
        shown = latest.display() if latest.bound is not None else previous.display()
        return Trend(None, "N/A", NOT_APPLICABLE, f"{which} value {shown} is a bound: the move is not known")
    if polarity is Polarity.TARGET:
        return Trend(None, word, NOT_APPLICABLE, "a bound cannot say whether the value moved nearer the target")
    direction = _direction(word, previous, latest, polarity, target, None)
    return Trend(None, word, direction)


def _direction(
    word: str,
    previous: Value,
    latest: Value,
    polarity: Polarity,
    target: Target | None,
    decimals: int | None,
) -> str:
    if polarity is Polarity.NONE:
        return NOT_APPLICABLE
    if polarity is Polarity.TARGET:
        if target is None:
            return NOT_APPLICABLE
        before = distance_from_target(previous.number, target)  # type: ignore[arg-type]
        after = distance_from_target(latest.number, target)  # type: ignore[arg-type]
        if word == SAME or same_at_precision(before, after, decimals):
            return NO_CHANGE
        return IMPROVING if after < before else DECLINING
    if word == SAME:
        return NO_CHANGE
    going_up = word == INCREASE
    return IMPROVING if going_up == (polarity is Polarity.HIGH) else DECLINING
