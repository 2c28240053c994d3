"""How a number typed for a percentage indicator is read: points or a fraction.

Excel holds 19.8% as 0.198. An officer who types ``0.198`` into an unformatted
Data cell for a percentage indicator means 19.8%, yet the cell itself says only
"0.198"; one who types ``478`` into a %-formatted cell (47,800%) typed a count.
The cell cannot tell, but the indicator can: the scale of its own history (the
values whose cells say they are percentages, or plain numbers above 1) and,
with no such history, its target.

* A plain number between 0 and 1 (exclusive of 0) is read as a fraction (× 100)
  when that puts it ten times nearer the indicator's usual level than reading it
  as points does; as points when points are that much nearer; otherwise it is
  ambiguous, kept as points, and named with what to type.
* Any value of more than 100% that is ten or more times the usual level is named
  (a count in a percentage cell, or a fraction's cell formatted as %).

Only observations of indicators whose KPI row says they are percentages are
looked at; problems are one per indicator and kind, naming the rows.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from kpi_excel.core.cell_reading import per_distinct
from kpi_excel.core.values import format_number

__all__ = ["PercentEntries", "read_percent_entries"]

# One reading must be this many times nearer the usual level than the other to be chosen.
_CLEARLY_NEARER = 10.0
# A percentage this many times its indicator's usual level (and above 100%) is named.
_FAR_FROM_USUAL = 10.0


@dataclass(frozen=True)
class PercentEntries:
    """The observations with plain fractions read as percentages, and what could not be settled."""

    frame: pd.DataFrame
    problems: tuple[tuple[str, str, str], ...] = ()  # (code, where, message)


def read_percent_entries(frame: pd.DataFrame, targets: Mapping[str, float | None]) -> PercentEntries:
    """Settle the plain numbers of ``frame`` (observations) for the percentage indicators in
    ``targets`` (code → the target's level in points, or None without one)."""
    if frame.empty or not targets:
        return PercentEntries(frame)
    codes = frame["code"].astype(str)
    at = np.flatnonzero(codes.isin(list(targets)).to_numpy())
    if not len(at):
        return PercentEntries(frame)
    values = frame["value"].to_numpy(dtype=np.float64).copy()
    shown = frame["shown"].astype(object).to_numpy().copy()
    problems: list[tuple[str, str, str]] = []
    code_of = codes.to_numpy(dtype=object)  # one array, not a pandas lookup a row
    rows_at = at.tolist()
    # The rows' numbers as floats and whether each cell says it is a percentage, read once
    # (numpy's scalars cost more to look at than the judgement they feed).
    number = values.tolist()
    said = per_distinct(_says_percent, shown[at].tolist())
    says = dict(zip(rows_at, said))
    # Only an indicator with a plain number in (0, 1] or a number above 100 can have anything to
    # settle or name: the others (nearly all) are not looked at one by one.
    looked = values[at]
    settle = ((looked > 0) & (looked <= 1) & ~np.array(said, dtype=bool)) | (looked > 100)
    busy = set(code_of[at[settle]].tolist())
    by_code: dict[str, list[int]] = {}
    for i in rows_at:
        if code_of[i] in busy:
            by_code.setdefault(code_of[i], []).append(i)
    for code, rows in by_code.items():
        plain = [i for i in rows if number[i] == number[i] and not says[i]]  # not NaN, not a percentage
        usual = _usual_level(number, says, rows, targets.get(code))
        fractions, unsure = [], []
        for i in plain:
            v = number[i]
            if not 0 < v <= 1:
                continue
            reading = _reading(v, usual)
            if reading == "fraction":
                fractions.append(i)
            elif reading is None:
                unsure.append(i)
        for i in fractions:
            values[i] *= 100
            number[i] = number[i] * 100
            shown[i] = format_number(values[i], _decimals(str(shown[i]), less=2), percent=True)
        if unsure:
            first = unsure[0]
            usual_text = "" if usual is None else f" (its other values are around {format_number(usual, 1)}%)"
            problems.append((code, _rows(frame, unsure), (
                f"{shown[first]} typed for a percentage{usual_text} could be {format_number(values[first], None)}% "
                f"or {format_number(values[first] * 100, None)}%; read as {format_number(values[first], None)}%: "
                f"type it with its % sign ({format_number(values[first] * 100, None)}%) if that is what it is")))
        if usual is not None:
            far = [i for i in rows if number[i] == number[i] and number[i] > 100
                   and number[i] >= _FAR_FROM_USUAL * max(usual, 1e-9)]
            if far:
                first = far[0]
                problems.append((code, _rows(frame, far), (
                    f"{format_number(values[first], None, percent=True)} is far from this indicator's usual level "
                    f"(around {format_number(usual, 1)}%): a count typed into a percentage cell? Type the "
                    "percentage, and any count under Numerator")))
    out = frame.copy()
    out["value"] = values
    out["shown"] = shown
    return PercentEntries(out, tuple(problems))


def _says_percent(shown: object) -> bool:
    """The cell said it is a percentage (a % format or a typed %): its value is in points."""
    return isinstance(shown, str) and shown.strip().endswith("%")


def _usual_level(values: list[float], says: Mapping[int, bool], rows: list[int],
                 target: float | None) -> float | None:
    """The indicator's usual level in points: the median of the values that are surely points
    (shown as percentages, or plain numbers above 1), up to 100%; else its target. ``says``:
    whether each row's cell says it is a percentage."""
    sure = [values[i] for i in rows if values[i] == values[i] and 0 < values[i] <= 100
            and (says[i] or values[i] > 1)]
    if sure:
        return float(statistics.median(sure))  # numpy's median, without its cost on a few values
    return target if target is not None and target > 0 else None


def _reading(value: float, usual: float | None) -> str | None:
    """"fraction", "points", or None when neither is clearly nearer the usual level."""
    if usual is None:
        return None
    as_points = abs(math.log(value / usual))
    as_fraction = abs(math.log(value * 100 / usual))
    if as_points - as_fraction >= math.log(_CLEARLY_NEARER):
        return "fraction"
    if as_fraction - as_points >= math.log(_CLEARLY_NEARER):
        return "points"
    return None


def _decimals(text: str, less: int) -> int | None:
    digits = text.strip().split(".")[1] if "." in text else ""
    if not digits.isdigit():
        return None if "." in text else 0
    return max(len(digits) - less, 0)


def _rows(frame: pd.DataFrame, at: list[int]) -> str:
    """Where the values are, source by source: "Data sheet rows 80, 84 and 3 more"."""
    sources = frame["source"].astype(str).to_numpy()
    rows = frame["row"].to_numpy()
    by_source: dict[str, list[int]] = {}
    for i in at:
        by_source.setdefault(str(sources[i]), []).append(int(rows[i]))
    parts = []
    for source, numbers in by_source.items():
        listed = ", ".join(map(str, numbers[:5])) + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")
        parts.append(f"{source} row{'s' if len(numbers) != 1 else ''} {listed}")
    return "; ".join(parts)
