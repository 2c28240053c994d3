"""An officer's RAG Override holds for the period it was made for, and no longer.

"Green: Q2 data incomplete" is a judgement about Q2. When Q3 is pasted in (or a
past quarter is re-run with "as of") the override would otherwise go on
colouring a period nobody judged. So the refresh that first applies an override
records its period in the **Override Period** column; a later refresh applies it
only while that is still the row's latest period, and otherwise says in Checks
"override made for Q2 2024/25 not applied to Q3 2024/25: confirm or clear it".
The officer confirms it by typing the new period into Override Period (or
clearing that cell, so the next refresh records it afresh), or clears the override.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kpi_excel.core.periods import PeriodError, format_period, parse_period

__all__ = ["OverrideCheck", "check_override"]


@dataclass(frozen=True)
class OverrideCheck:
    """Whether to apply the row's override, what to write in Override Period, and why not."""

    apply: bool
    record: str | None = None  # the period to write; "" clears the cell; None leaves it alone
    problem: str = ""


def check_override(override: object, made_for: object, latest: object) -> OverrideCheck:
    """The row's override (as typed), the period it was made for and the row's latest period."""
    has_override = not _empty(override)
    if not has_override:
        return OverrideCheck(False, "" if not _empty(made_for) else None)  # a cleared override takes its period
    if _empty(latest):
        return OverrideCheck(True)  # no period to hold it to (values typed on the sheet, no Data)
    latest_label = _label(latest)
    if _empty(made_for):
        return OverrideCheck(True, latest_label)  # the refresh that first applies it records its period
    made_for_label = _label(made_for)
    try:
        same = parse_period(_text(made_for)) == parse_period(_text(latest))
    except PeriodError:
        return OverrideCheck(False, problem=f"Override Period '{made_for_label[:40]}' is not a period, so the "
                                            f"override is not applied to {latest_label}: type the period it was "
                                            "made for, or clear it")
    if same:
        return OverrideCheck(True)
    return OverrideCheck(False, problem=f"override made for {made_for_label} not applied to {latest_label}: "
                                        "confirm or clear it")


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or \
        (isinstance(value, str) and not value.strip())


def _text(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    return value.strip() if isinstance(value, str) else value


def _label(value: object) -> str:
    value = _text(value)
    if isinstance(value, dt.date):
        try:
            return format_period(parse_period(value))
        except PeriodError:
            return value.isoformat()
    return str(value)
