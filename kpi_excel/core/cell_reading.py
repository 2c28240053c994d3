"""A source's cells read into observation fields, a column at a time.

Each reader here is a pure function of one cell (and, for values, its number
format), so a column is read once per *distinct* cell: a Data sheet of 80,000
rows holds a few hundred codes and periods and a few thousand distinct values.
:func:`per_distinct` does that with the engine's grouping
(:func:`kpi_excel.core.engine.cells.read_spread`: ``1``, ``1.0`` and ``True``
are equal in Python but read differently; so are ``0.0`` and ``-0.0``).
:mod:`kpi_excel.core.observations` turns the columns into observations and problems.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from kpi_excel.core.engine.cells import Failed, blank_to_readers, is_blank, read_spread
from kpi_excel.core.periods import PeriodError, format_period, parse_period
from kpi_excel.core.values import ValueReadError, parse_value

__all__ = ["BAD", "absent", "blank", "text", "period_label", "number", "number_and_count", "timestamp", "per_distinct",
           "Failed"]

BAD = object()  # a cell that cannot be read as a date and time


def per_distinct(fn: Callable[..., Any], cells: Sequence[Any], formats: Sequence[Any] | None = None, *,
                 catch: type[Exception] | None = None) -> list:
    """``[fn(cell) for cell in cells]`` (``fn(cell, format)`` with ``formats``),
    calling ``fn`` once per distinct cell (and format), blank cells included.

    With ``catch``, a cell whose reading raises it gives a :class:`Failed`
    holding the error (the same object for every equal cell).
    """
    return read_spread(fn, cells, formats, catch)


blank = is_blank  # no value: None, NaN, NaT, pandas' NA or text of spaces only (the engine's blank)


def absent(value: object) -> bool:
    """A field a pandas row left empty: None, NaN, pandas' NA or empty text (a benchmark's
    figures, a chosen observation's period and note)."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value == ""


def text(value: object) -> str:
    """A cell as text: 12.0 is ``12`` (codes typed as numbers), surrounding spaces dropped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def period_label(cell: object) -> str:
    """The period's label as the source wrote it (checked to be a period)."""
    if blank(cell):
        raise PeriodError("no period given")
    if isinstance(cell, (dt.date, dt.datetime, pd.Timestamp)):
        period = parse_period(cell.date() if isinstance(cell, (dt.datetime, pd.Timestamp)) else cell)
        return format_period(period)
    parse_period(cell)
    return text(cell)


def number(cell: object, number_format: object) -> tuple[float, str, str]:
    """(value, reason it has none, value as displayed); a reason starting with ``!`` is a problem."""
    value, reason, shown, _ = number_and_count(cell, number_format)
    return value, reason, shown


def number_and_count(cell: object, number_format: object) -> tuple[float, str, str, float | None]:
    """As :func:`number`, plus the count of a ``3% (420)`` cell."""
    if blank_to_readers(cell):
        return np.nan, "", "", None
    if isinstance(cell, (np.integer, np.floating)):
        cell = cell.item()
    try:
        value = parse_value(cell, number_format if isinstance(number_format, str) else None)
    except ValueReadError as error:
        return np.nan, f"!{error}", "", None
    if value.number is None:
        return np.nan, value.missing or "no value", "", None
    return float(value.number), "", value.display(), value.count


def timestamp(cell: object) -> object:
    """When a value was updated: a naive UTC timestamp, NaT when blank, :data:`BAD` when unreadable."""
    if blank(cell):
        return pd.NaT
    try:
        stamp = pd.Timestamp(cell)
    except (ValueError, TypeError):
        return BAD
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp
