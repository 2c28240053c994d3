"""A source's cells read into observation fields, a column at a time.

Each reader here is a pure function of one cell (and, for values, its number
format), so a column is read once per *distinct* cell: a Data sheet of 80,000
rows holds a few hundred codes and periods and a few thousand distinct values.
:func:`per_distinct` does that, keyed by the cell's type as well as its value
(``1``, ``1.0`` and ``True`` are equal in Python but read differently; so are
``0.0`` and ``-0.0``). :mod:`kpi_excel.core.observations` turns the columns
into observations and problems.
"""

from __future__ import annotations

import datetime as dt
from itertools import repeat
from operator import is_not
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from kpi_excel.core.periods import PeriodError, format_period, parse_period
from kpi_excel.core.values import ValueReadError, parse_value
from kpi_excel.ooxml.cell_content import Uncalculated

__all__ = ["BAD", "blank", "text", "period_label", "number", "number_and_count", "timestamp", "per_distinct",
           "Failed"]

BAD = object()  # a cell that cannot be read as a date and time


class Failed:
    """What a reader raised for a cell, kept in place of its result."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def per_distinct(fn: Callable[..., Any], cells: Sequence[Any], formats: Sequence[Any] | None = None, *,
                 catch: type[Exception] | None = None) -> list:
    """``[fn(cell) for cell in cells]`` (``fn(cell, format)`` with ``formats``),
    calling ``fn`` once per distinct cell (and format).

    With ``catch``, a cell whose reading raises it gives a :class:`Failed`
    holding the error (the same object for every equal cell).
    """
    with_format = formats is not None
    if not cells:
        return []
    if _all_none(cells) and (not with_format or _all_none(formats)):  # type: ignore[arg-type]
        return [_call(fn, None, None, with_format, catch)] * len(cells)  # a column the source does not have
    # Keyed by type too: 1, 1.0 and True are equal but read differently. A zero float's sign is
    # lost by ==, so a column holding one is read cell by cell. NaN never equals another NaN:
    # each is read anew, harmlessly. A column of one type needs no type in its keys.
    kinds = set(map(type, cells))
    if len(kinds) == 1:
        return _per_distinct_cell(fn, cells, formats, catch)
    if len(kinds) <= 3 and (not with_format or len(formats) == len(cells)):  # type: ignore[arg-type]
        return _per_kind(fn, cells, formats, catch, kinds)  # ints and floats in one column, say
    keys = list(zip(map(type, cells), cells, formats)) if with_format else list(zip(map(type, cells), cells))
    try:
        if any(isinstance(c, float) and c == 0.0 for c in cells) if 0.0 in cells else False:
            raise TypeError("a zero float")
        distinct = dict.fromkeys(keys)
    except (TypeError, ValueError):  # an unhashable cell (a list from a database driver), or a zero float
        looks = formats if with_format else [None] * len(cells)
        return [_call(fn, cell, look, with_format, catch) for cell, look in zip(cells, looks)]
    for key in distinct:
        distinct[key] = _call(fn, key[1], key[2] if with_format else None, with_format, catch)
    return list(map(distinct.__getitem__, keys))


def _per_distinct_cell(fn: Callable[..., Any], cells: Sequence[Any], formats: Sequence[Any] | None,
                       catch: type[Exception] | None) -> list:
    """:func:`per_distinct` for cells all of one type: keyed by the cell (and format) alone."""
    with_format = formats is not None
    if with_format and len(formats) == len(cells) and _one_value(formats):  # type: ignore[arg-type]
        # One format for the whole column (the usual case): keyed by the cell alone.
        look = formats[0]  # type: ignore[index]
        return _per_distinct_cell(lambda cell: fn(cell, look), cells, None, catch)
    keys = list(zip(cells, formats)) if with_format else cells
    try:
        if any(isinstance(c, float) and c == 0.0 for c in cells) if 0.0 in cells else False:
            raise TypeError("a zero float")
        distinct = dict.fromkeys(keys)
    except (TypeError, ValueError):
        looks = formats if with_format else [None] * len(cells)
        return [_call(fn, cell, look, with_format, catch) for cell, look in zip(cells, looks)]
    if with_format:
        for key in distinct:
            distinct[key] = _call(fn, key[0], key[1], True, catch)
    else:
        for cell in distinct:
            distinct[cell] = _call(fn, cell, None, False, catch)
    return list(map(distinct.__getitem__, keys))


def _per_kind(fn: Callable[..., Any], cells: Sequence[Any], formats: Sequence[Any] | None,
              catch: type[Exception] | None, kinds: set[type]) -> list:
    """:func:`per_distinct` one type at a time: cheaper than a (type, cell) key per cell."""
    out: list[Any] = [None] * len(cells)
    types = list(map(type, cells))
    for kind in kinds:
        at = [i for i, t in enumerate(types) if t is kind]
        looks = [formats[i] for i in at] if formats is not None else None
        for i, result in zip(at, _per_distinct_cell(fn, [cells[i] for i in at], looks, catch)):
            out[i] = result
    return out


def _one_value(items: Sequence[Any]) -> bool:
    try:
        return len(set(items)) == 1
    except TypeError:  # an unhashable format: not one we know
        return False


def _all_none(cells: Sequence[Any]) -> bool:
    return not any(map(is_not, cells, repeat(None)))


def _call(fn: Callable[..., Any], cell: Any, look: Any, with_format: bool, catch: type[Exception] | None) -> Any:
    if catch is None:
        return fn(cell, look) if with_format else fn(cell)
    try:
        return fn(cell, look) if with_format else fn(cell)
    except catch as error:
        return Failed(error)


def blank(value: object) -> bool:
    """No value: None, NaN, NaT, pandas' NA or text of spaces only."""
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    if value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, str) and not value.strip()


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
    if blank(cell) and not isinstance(cell, Uncalculated):
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
