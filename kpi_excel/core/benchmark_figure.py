"""The figure a benchmark position was worked out from, and what to say when it is not the one shown.

Quartile and Rank come from the benchmark data's value for the authority in the
Benchmark Period (DfE's published annual figure, say), while the KPIs row shows
the officer's own latest value (a quarter, say). A committee reading "bottom
quartile" beside a value that looks fine needs to see the figure that was
ranked, and to be told when it is of another period, or differs, from the one
shown.
"""

from __future__ import annotations

import math

from kpi_excel.core.benchmark import same_benchmark_period
from kpi_excel.core.engine.rounding import round_to
from kpi_excel.core.values import Value

__all__ = ["benchmarked_value", "position_note"]


def benchmarked_value(bench: dict[str, object], percent: bool) -> Value | None:
    """The authority's benchmark value as a :class:`Value` in the row's unit (LAIT
    holds percentages as points: 25.5 is 25.5%); None when the data has none."""
    raw = bench.get("value")
    try:
        number = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    dps = bench.get("dps")
    try:
        decimals = int(dps)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        decimals = 1
    return Value(number, percent=percent, decimals=decimals)


def position_note(value: Value, period: str, latest: Value | None, latest_period: object) -> str | None:
    """What the benchmark position was worked out on, when that is not the figure shown:
    "on the benchmark's 2023 value 12.3% (latest value Q2 2024/25: 10.1%)". None when
    the benchmark's figure is the row's latest (same period, same value at the
    precision shown)."""
    shown_period = "" if latest_period in (None, "") else str(latest_period).strip()
    same_period = bool(shown_period) and same_benchmark_period(period, shown_period)
    on = f"on the benchmark's {period + ' ' if period else ''}value {value.display()}"
    if latest is None or latest.number is None:
        return f"{on} (no latest value{' for ' + shown_period if shown_period else ''})"
    if same_period and _same_shown(value, latest):
        return None
    if same_period:
        return f"{on}, not the latest value {latest.display()} for the same period"
    return f"{on} (latest value {shown_period + ': ' if shown_period else ''}{latest.display()})"


def _same_shown(a: Value, b: Value) -> bool:
    """Equal at the coarser of the two precisions shown (85.7% and 85.70% are the same), rounded
    as Excel shows them (half away from zero), not by Python's round."""
    assert a.number is not None and b.number is not None
    places = min(p for p in (a.decimals, b.decimals, 4) if p is not None)
    return round_to(a.number, places) == round_to(b.number, places)
