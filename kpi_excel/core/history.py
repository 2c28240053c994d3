"""Each indicator's recent history: the last N periods of its frequency.

The History sheet, the KPIs sheet's sparklines and the committee paper's
charts all show the same window, worked out here once:

* it ends at the latest period that has a value (the period the refresh
  reports), and steps back period by period by the indicator's frequency
  (:func:`kpi_excel.core.periods.comparable_previous` without the "has data"
  shortcut), so a quarter with no data is a gap, never skipped: an officer
  sees that 2019/20 and 2020/21 had no exams, not a line that hides it;
* a suppressed value (``c``, ``x``) is a gap, never a zero;
* values are in the units an officer reads (77.6 for 77.6%).

:func:`describe_history` says in words what a chart of the window shows, for
alt text ("Care leavers EET rose from 54% to 61% over 6 quarters; target 54%").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Mapping, Sequence

from kpi_excel.ooxml.a1 import column_letter
from kpi_excel.core.plan import Cell, Chart, ColumnSpec, Series, SheetSpec, short_text
from kpi_excel.core.print_layout import ChartGrid
from kpi_excel.core.periods import Frequency, Period, comparable_previous, format_period, infer_frequency
from kpi_excel.core.values import format_number

__all__ = [
    "HISTORY_PERIODS",
    "HistoryPoint",
    "History",
    "history_window",
    "indicator_histories",
    "describe_history",
    "HistoryRow",
    "history_sheet",
    "HISTORY_TITLE",
    "HISTORY_CHART_LIMIT",
]

# The Settings' "History periods" default: two years of quarters.
HISTORY_PERIODS = 8


@dataclass(frozen=True, init=False, slots=True)
class HistoryPoint:
    """One period of a history: its label, its value (None: a gap) and the value as shown."""

    period: str
    value: float | None
    shown: str = ""

    def __init__(self, period: str, value: float | None, shown: str = "") -> None:
        # A history of 10,000 indicators is 80,000 points: the slots set directly (see plan.Cell).
        _set_period(self, period)
        _set_value(self, value)
        _set_shown(self, shown)

    def __eq__(self, other: object) -> bool:
        # As the dataclass' tuple comparison (a value is equal to itself, NaN too), without the tuples:
        # describe_history looks points up in their window.
        if other.__class__ is not self.__class__:
            return NotImplemented
        if self is other:
            return True
        a, b, c = self.period, self.value, self.shown
        x, y, z = other.period, other.value, other.shown  # type: ignore[attr-defined]
        return (a is x or a == x) and (b is y or b == y) and (c is z or c == z)


_set_period, _set_value, _set_shown = (HistoryPoint.period.__set__, HistoryPoint.value.__set__,  # type: ignore[attr-defined]
                                       HistoryPoint.shown.__set__)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class History:
    """An indicator's window of periods, oldest first; the last is the latest with a value."""

    code: str
    frequency: Frequency | None
    points: tuple[HistoryPoint, ...]
    percent: bool = False

    @property
    def known(self) -> list[HistoryPoint]:
        """The points that have a value."""
        return [p for p in self.points if p.value is not None]


def history_window(
    values: Mapping[Period, tuple[float, str]],
    frequency: Frequency | None,
    periods: int = HISTORY_PERIODS,
    *,
    windows: dict[tuple[object, ...], list[tuple[Period, str]]] | None = None,
    made: dict[tuple[str, float | None, str], HistoryPoint] | None = None,
) -> tuple[HistoryPoint, ...]:
    """The last ``periods`` periods of ``frequency`` ending at the latest with a value.

    ``windows``: the periods (and their labels) worked out so far for a latest period (as
    written) and frequency, shared by the indicators of one report, most of which end together.
    ``made``: the points made so far, by (label, value, shown): indicators of one report share
    their gaps and repeated values (points are never changed once made)."""
    if periods < 1:
        return ()
    # The latest period with a value in one pass (each period's key once; the first of equal keys, as max()).
    latest, latest_key = None, None
    for period, (value, _) in values.items():
        if value is None or (value != value and isinstance(value, float)):  # a gap: None or NaN
            continue
        key = period.sort_key
        if latest_key is None or key > latest_key:
            latest, latest_key = period, key
    if latest is None:
        return ()
    frequency = frequency or infer_frequency(latest)
    key = (latest, latest.style, latest.fiscal, frequency, periods)  # every field: the labels follow the style
    window = windows.get(key) if windows is not None else None
    if window is None:
        steps = _window(latest, frequency, periods)
        window = [(period, _label(period, period.style)) for period in steps]
        if windows is not None:
            windows[key] = window
    found = values.get
    points = []
    for period, label in window:
        value, shown = found(period, _NO_VALUE)
        number = None if value is None or (value != value and isinstance(value, float)) else float(value)  # a gap
        if made is None or number == 0:  # 0.0 and -0.0 are one key but two points
            points.append(HistoryPoint(label, number, shown or ""))
            continue
        key = (label, number, shown or "")
        point = made.get(key)
        if point is None:
            point = made[key] = HistoryPoint(*key)
        points.append(point)
    return tuple(points)


_NO_VALUE = (math.nan, "")


def _window(latest: Period, frequency: Frequency, periods: int) -> list[Period]:
    """Up to ``periods`` comparable periods ending at ``latest``, earliest first."""
    steps = [latest]
    while len(steps) < periods:
        earlier = comparable_previous(steps[-1], frequency)
        if earlier is None:
            break
        steps.append(earlier)
    return steps[::-1]


@lru_cache(maxsize=8192)
def _label(period: Period, style: object) -> str:
    # The style is part of the key: equal periods written differently are labelled differently.
    return format_period(period)


def indicator_histories(
    values: Mapping[str, Mapping[Period, tuple[float, str]]],
    frequencies: Mapping[str, Frequency | None],
    periods: int = HISTORY_PERIODS,
) -> dict[str, History]:
    """A :class:`History` per indicator code in ``frequencies`` that has any value."""
    out = {}
    windows: dict[tuple[object, ...], list[tuple[Period, str]]] = {}
    made: dict[tuple[str, float | None, str], HistoryPoint] = {}
    for code, frequency in frequencies.items():
        points = history_window(values.get(code, {}), frequency, periods, windows=windows, made=made)
        if points:
            percent = any(p.shown.strip().endswith("%") for p in points)
            out[code] = History(code, frequency, points, percent)
    return out


_UNITS = {
    Frequency.MONTHLY: ("month", "months"), Frequency.QUARTERLY: ("quarter", "quarters"),
    Frequency.TERMLY: ("term", "terms"), Frequency.HALF_YEARLY: ("half-year", "half-years"),
    Frequency.ANNUAL: ("year", "years"), Frequency.YTD: ("year", "years"),
}


def describe_history(name: str, history: History, target: str = "", decimals: int | None = None) -> str:
    """What a chart of ``history`` shows, in one sentence for alt text."""
    known = history.known
    unit = _UNITS.get(history.frequency or Frequency.QUARTERLY, ("period", "periods"))
    if not known:
        text = f"{name}: no values in the last {len(history.points)} {unit[0] if len(history.points) == 1 else unit[1]}"
    elif len(known) == 1:
        n = len(history.points)
        text = f"{name} was {_show(known[0], history.percent, decimals)} in {known[0].period}; no earlier value " \
               f"in the last {n} {unit[0] if n == 1 else unit[1]}"
    else:
        first, last = known[0], known[-1]
        span = history.points.index(last) - history.points.index(first)
        shown_first, shown_last = _show(first, history.percent, decimals), _show(last, history.percent, decimals)
        if shown_first == shown_last:
            verb = f"was {shown_last} in {first.period} and in {last.period}"
        else:
            assert first.value is not None and last.value is not None
            verb = f"{'rose' if last.value > first.value else 'fell'} from {shown_first} to {shown_last}"
        text = f"{name} {verb} over {span} {unit[0] if span == 1 else unit[1]} ({first.period} to {last.period})"
        gaps = len(history.points) - len(known)
        if gaps:
            text += f"; {gaps} period{'s' if gaps != 1 else ''} without a value"
    if target:
        text += f"; target {target}"
    return text


def _show(point: HistoryPoint, percent: bool, decimals: int | None) -> str:
    if point.shown:
        return point.shown
    assert point.value is not None
    return format_number(point.value, decimals, percent)


# --- the History sheet ---------------------------------------------------------------------

HISTORY_TITLE = "History of each indicator"
# Native line charts on the History sheet; the table lists every indicator.
HISTORY_CHART_LIMIT = 60
# Widths that print the table (the default 8 periods) at 8 pt or more on A4 landscape, fitted to
# the page's width: long texts and period labels wrap ("Q2" over "2022/23") rather than widen it.
_FIXED = (("Indicator", 28, True), ("Code", 9, False), ("Frequency", 9, True), ("Target", 8, True),
          ("RAG", 6, False), ("RAG before this refresh", 8, True))
_PERIOD_WIDTH, _VALUE_WIDTH = 8, 7


@dataclass(frozen=True)
class HistoryRow:
    """One indicator's line of the History sheet, values as Excel holds them."""

    indicator: str
    code: str
    frequency: str
    target: str  # as written, e.g. ">97.2%"
    rag: str
    previous_rag: str
    periods: tuple[str, ...]
    values: tuple[Cell, ...]  # a Cell(None) is a gap
    target_line: Cell | None  # the target as a number in the values' units, if it has one
    alt_text: str


def history_sheet(rows: Sequence[HistoryRow], *, name: str, periods: int) -> tuple[SheetSpec, dict[str, str]]:
    """The History sheet, and each code's values range for its sparkline.

    One row per indicator: its periods, values and target line side by side
    (sparklines and charts must read cells, and a table row is the one place
    an officer can also read and check them), then one line chart per
    indicator below the table. The first cell starts with
    :data:`HISTORY_TITLE`: a writer that cannot see the ownership registry
    checks it before replacing the sheet.
    """
    columns = [ColumnSpec(h, w, wrap=wrap) for h, w, wrap in _FIXED]
    columns += [ColumnSpec(f"Period {i}", _PERIOD_WIDTH, wrap=True) for i in range(1, periods + 1)]
    columns += [ColumnSpec(f"Value {i}", _VALUE_WIDTH) for i in range(1, periods + 1)]
    body = []
    for row in rows:
        pad = periods - len(row.periods)
        labels: list[object] = [None] * pad + list(row.periods)
        values: list[object] = [None] * pad + list(row.values)
        body.append((row.indicator, row.code, row.frequency or None, row.target or None, row.rag or None,
                     row.previous_rag or None, *labels, *values))
    title = (
        Cell(f"{HISTORY_TITLE}: the last {periods} periods of its frequency", style="title"),
        Cell("Period 1 is the oldest; the last is the latest with a value. An empty value is a period with no "
             "data or a suppressed value. The KPIs sheet's History column draws these values as sparklines (drawn "
             "by kpi-excel refresh: the Excel add-ins cannot add sparklines); the charts below show the first "
             f"{min(HISTORY_CHART_LIMIT, len(rows))} of {len(rows)} indicators.", style="note"),
    )
    # Printed through the last Value column: the note's long line must not widen the page (and shrink the text).
    spec = SheetSpec(name, tuple(columns), tuple(body), title=title, table="History" if body else None,
                     tab_colour="548235", print_through=columns[-1].header)
    refs: dict[str, str] = {}
    charts = []
    sheet = "'" + name.replace("'", "''") + "'"
    first_period, first_value = len(_FIXED), len(_FIXED) + periods
    # The charts below the table, in its width, whole on their pages (see print_layout).
    grid = ChartGrid(tuple(c.width for c in columns), spec.last_row + 2, min(len(rows), HISTORY_CHART_LIMIT))
    for index, row in enumerate(rows):
        r = spec.first_body_row + index

        def ref(first: int, skip: int = 0) -> str:
            return f"{sheet}!${_letter(first + skip)}${r}:${_letter(first + periods - 1)}${r}"

        refs[row.code] = ref(first_value)
        if index >= HISTORY_CHART_LIMIT:
            continue
        cells = body[index]
        numbers = tuple(_number(c) for c in cells[first_value:first_value + periods])
        # The chart starts at the first period with a value: no empty periods before the line.
        lead = next((i for i, n in enumerate(numbers) if n is not None), 0)
        shown = periods - lead
        series = [Series(short_text(row.indicator, 40), ref(first_value, lead), numbers[lead:], colour="1F4E79")]
        if row.target_line is not None:
            # The target line is held in the chart: no cells to keep in step with the Target column.
            series.append(Series(f"Target {row.target}", "", (_number(row.target_line),) * shown,
                                 colour="C00000", marker=False))
        slot = grid.slot(index)
        value_format = next((c.number_format for c in row.values if isinstance(c, Cell) and c.number_format), "")
        charts.append(Chart(
            kind="line", title=short_text(row.indicator, 70), alt_text=row.alt_text,
            categories_ref=ref(first_period, lead),
            categories=tuple("" if c is None else str(c) for c in cells[first_period + lead:first_period + periods]),
            series=tuple(series), anchor=f"{_letter(slot.column)}{slot.row}", width=slot.width,
            height=slot.height, value_format=value_format or "",
        ))
    return replace(spec, charts=tuple(charts), page_breaks=grid.page_breaks), refs


def _letter(index: int) -> str:
    """Column letters of a 0-based position."""
    return column_letter(index + 1)


def _number(cell: object) -> float | None:
    value = cell.value if isinstance(cell, Cell) else cell
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
