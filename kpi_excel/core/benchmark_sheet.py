"""The Benchmark sheet: each benchmarked indicator against its comparator group.

A table row per indicator (value, statistical neighbours, England, quartiles, rank,
percentile, vs England), a column chart for each of the first :data:`CHART_LIMIT`,
the percentile bars across the page, and a funnel plot per indicator whose counts are
known, with the funnels' data below the charts. :func:`benchmark_sheet` returns a
:class:`~kpi_excel.core.plan.SheetSpec`; the refresh plan carries it to a writer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

from kpi_excel.core.cell_reading import absent
from kpi_excel.core.columns import column_letter
from kpi_excel.core.funnel import Funnel, overdispersion_note
from kpi_excel.core.palette import COMPARISON_COLOURS, FUNNEL_COLOURS, QUARTILE_COLOURS
from kpi_excel.core.plan import Block, Cell, Chart, ColumnSpec, FormatRule, Series, SheetSpec, short_text
from kpi_excel.core.print_layout import ChartGrid, Slot
from kpi_excel.core.settings import ReportSettings
from kpi_excel.core.template import BENCHMARK_SHEET
from kpi_excel.core.values import format_number

__all__ = ["BenchmarkedRow", "CHART_LIMIT", "benchmark_sheet"]

# Per-indicator charts on the Benchmark sheet; the table lists every indicator.
CHART_LIMIT = 24


@dataclass(frozen=True)
class BenchmarkedRow:
    """What the sheet shows of one KPIs row that the benchmark found."""

    indicator: object  # the row's Indicator cell
    benchmark_code: object  # its Benchmark Code cell
    code: object  # its Code cell, shown where it has no Benchmark Code
    bench: Mapping[str, object]  # the benchmark's figures (value, quartiles, rank, period, ...)
    unit_label: str  # the value axis' title ("Per cent (%)", "Rate per 10,000")
    versus: str | None  # better, similar or worse than England


# --- the Benchmark sheet -----------------------------------------------------------------

# Widths that print the table at 8 pt or more on A4 landscape, fitted to the page's width;
# headers wrap ("Lower quartile" on two lines) rather than being cut.
_BENCH_COLUMNS = (
    ColumnSpec("Indicator", 38, wrap=True), ColumnSpec("Code", 13), ColumnSpec("Period", 9),
    ColumnSpec("Value", 9), ColumnSpec("Stat neighbours", 11), ColumnSpec("England", 9),
    ColumnSpec("Lower quartile", 9), ColumnSpec("Median", 9), ColumnSpec("Upper quartile", 9),
    ColumnSpec("Quartile", 9), ColumnSpec("Rank", 7), ColumnSpec("Of", 6),
    ColumnSpec("Percentile (100 = best)", 11, "0"), ColumnSpec("Top quartile target", 11),
    ColumnSpec("Polarity", 10), ColumnSpec("vs England", 9),
)
_VALUE_COLUMNS = ("Value", "Stat neighbours", "England", "Lower quartile", "Median", "Upper quartile")


def _col(index: int) -> str:
    """Letters of a 0-based column position of a sheet we lay out."""
    return column_letter(index + 1)


def benchmark_sheet(rows: Sequence[BenchmarkedRow], settings: ReportSettings,
                    funnels: Sequence[Funnel] = ()) -> SheetSpec:
    """The Benchmark sheet: a table row and a chart per benchmarked indicator, then the funnels."""
    authority = settings.authority or "Your authority"
    comparator = settings.comparator if not settings.comparator_members else \
        f"{len(settings.comparator_members)} comparator authorities"
    body: list[tuple[object, ...]] = []
    numbers: list[tuple[float | None, ...]] = []
    names: list[str] = []
    looks: list[tuple[str, str, str]] = []  # each chart's period, number format and unit
    for row in rows:
        bench = row.bench
        polarity = str(bench.get("polarity") or "")
        dps = None if absent(bench.get("dps")) else int(bench["dps"])
        values = tuple(None if absent(bench.get(k)) else float(bench[k])
                       for k in ("value", "sn_average", "england", "q25", "q50", "q75"))
        rank, n_areas = bench.get("rank"), bench.get("n_areas")
        percentile = None
        if not absent(rank) and not absent(n_areas) and int(n_areas) > 1:
            percentile = round(100 * (int(n_areas) - int(rank)) / (int(n_areas) - 1))
        number_format = "#,##0" + ("." + "0" * dps if dps else "") if dps is not None else "General"
        name = str(row.indicator or bench.get("indicator_name") or "")
        names.append(name)
        numbers.append(values)
        looks.append(("" if absent(bench.get("period")) else str(bench["period"]), number_format, row.unit_label))
        body.append((
            name, str(row.benchmark_code or row.code or ""),
            None if absent(bench.get("period")) else str(bench["period"]),
            *[Cell(v, number_format) for v in values],
            None if absent(bench.get("quartile")) else int(bench["quartile"]),
            None if absent(rank) else int(rank), None if absent(n_areas) else int(n_areas),
            percentile,
            None if absent(bench.get("derived_target")) else str(bench["derived_target"]),
            {"High": "High = Good", "Low": "Low = Good"}.get(polarity, polarity or None),
            row.versus or None,
        ))
    title = (
        Cell(f"Benchmark: {authority} against {comparator}", style="title"),
        Cell("Quartile 1 = best. Lower/upper quartile are the 25th/75th percentiles of the comparator group's "
             "latest values. Percentile: 100 = best in the group. Charts show the first "
             f"{min(CHART_LIMIT, len(body))} indicators; the table lists all {len(body)}. vs England: better, "
             f"similar or worse than England allowing for chance ({settings.confidence * 100:g}% confidence "
             "interval), for indicators whose counts are known.", style="note"),
    )
    rules = tuple(FormatRule("Quartile", "equals", str(q), s.fill, s.font) for q, s in QUARTILE_COLOURS.items())
    rules += tuple(FormatRule("vs England", "equals", word, s.fill, s.font) for word, s in COMPARISON_COLOURS.items())
    spec = SheetSpec(BENCHMARK_SHEET, _BENCH_COLUMNS, tuple(body), title=title, table="Benchmark",
                     tab_colour="2E75B6", rules=rules, print_through=_BENCH_COLUMNS[-1].header)
    shown = min(len(body), 60)
    funnels = funnels[:CHART_LIMIT]
    grid = ChartGrid(tuple(c.width for c in _BENCH_COLUMNS), spec.last_row + 2,
                     min(len(body), CHART_LIMIT) + len(funnels), wide=max(12, shown // 2 + 4) if body else 0)
    charts = _benchmark_charts(spec, names, numbers, looks, authority, grid)
    # The funnels' data (a row per authority) below the charts: on screen, outside the print area.
    blocks: list[Block] = []
    top = grid.last_row + 3
    for index, funnel in enumerate(funnels):
        block = _funnel_block(funnel, top)
        blocks.append(block)
        charts += (_funnel_chart(spec.name, funnel, block, grid.slot(min(len(body), CHART_LIMIT) + index)),)
        top = block.last_row + 3
    return replace(spec, charts=charts, blocks=tuple(blocks), print_last_row=grid.last_row,
                   page_breaks=grid.page_breaks)


# --- funnel plots -----------------------------------------------------------------------------

_FUNNEL_COLUMNS = ("Authority", "Denominator", "Other authorities", "", "Average", "95% limits", "99.8% limits")


def _funnel_block(funnel: Funnel, top: int) -> Block:
    """The funnel's data: one row per authority, then the limit lines (lower, a gap,
    upper) along the denominators PHE would draw them at."""
    percent = funnel.multiplier == 100
    value_format = "0.0" if percent else "0.000"
    # Spiegelhalter's limits (Settings: Funnel limits for overdispersion) are named so in the key.
    headers = [h + (" (overdispersion-adjusted)" if funnel.adjusted and "limits" in h else "")
               for h in _FUNNEL_COLUMNS[2:]]
    columns = (ColumnSpec("Authority", 24), ColumnSpec("Denominator", 12, "#,##0"),
               *(ColumnSpec(header or funnel.ours, 12, value_format) for header in headers))
    rows: list[tuple[object, ...]] = []
    for i, area in enumerate(funnel.areas):
        value = round(funnel.value(i), 6)
        ours = area == funnel.ours
        rows.append((area, funnel.denominators[i], None if ours else value, value if ours else None, None, None,
                     None))
    average = round(funnel.average * funnel.multiplier, 6)
    for n, (low95, _), (low998, _) in zip(funnel.grid, funnel.limits95, funnel.limits998):
        rows.append(("lower limits", n, None, None, average, round(low95, 6), round(low998, 6)))
    rows.append((None,) * 7)  # a gap, so each limit draws as two lines
    for n, (_, high95), (_, high998) in zip(funnel.grid, funnel.limits95, funnel.limits998):
        rows.append(("upper limits", n, None, None, None, round(high95, 6), round(high998, 6)))
    return Block(top=top, title=f"Funnel plot data: {funnel.name} ({funnel.period})", columns=columns,
                 rows=tuple(rows), note=_funnel_description(funnel))


def _funnel_description(funnel: Funnel) -> str:
    """The chart in words (its alternative text, and a note above its data)."""
    unit = "%" if funnel.multiplier == 100 else ""
    places = 1 if funnel.multiplier == 100 else 3
    above, below = funnel.outside()
    where = "is not among the authorities with counts"
    index = funnel.our_index
    if index is not None:
        band = int(funnel.bands()[index])
        where = {0: "is within the 95% limits: not shown to differ from the average",
                 1: "is above the 95% limit (but within 99.8%)", 2: "is above the 99.8% limit",
                 -1: "is below the 95% limit (but within 99.8%)", -2: "is below the 99.8% limit"}[band]
        where = (f"{funnel.ours} ({format_number(funnel.numerators[index], 0)} of "
                 f"{format_number(funnel.denominators[index], 0)}, "
                 f"{format_number(funnel.value(index), places)}{unit}) {where}")
    return (f"Funnel plot of {funnel.name} ({funnel.period}): each of {len(funnel.areas)} authorities' value "
            f"against its denominator, with 95% and 99.8% control limits around the average of "
            f"{format_number(funnel.average * funnel.multiplier, places)}{unit}. {where}. "
            f"{above} authorit{'y lies' if above == 1 else 'ies lie'} above and {below} below the 99.8% limits."
            + overdispersion_note(funnel))


def _funnel_chart(sheet_name: str, funnel: Funnel, block: Block, slot: Slot) -> Chart:
    sheet = "'" + sheet_name.replace("'", "''") + "'"
    first, last = block.first_body_row, block.last_row

    def ref(column: int) -> str:
        letter = _col(column)
        return f"{sheet}!${letter}${first}:${letter}${last}"

    x_values = tuple(r[1] if isinstance(r[1], (int, float)) else None for r in block.rows)
    styles = (("markers", FUNNEL_COLOURS["others"]), ("highlight", FUNNEL_COLOURS["ours"]),
              ("line", FUNNEL_COLOURS["average"]), ("line", FUNNEL_COLOURS["limit95"]),
              ("line", FUNNEL_COLOURS["limit998"]))
    series = tuple(
        Series(block.columns[column].header, ref(column),
               tuple(r[column] if isinstance(r[column], (int, float)) else None for r in block.rows),
               x_ref=ref(1), x_values=x_values, style=style, colour=colour)
        for column, (style, colour) in zip(range(2, 7), styles)
    )
    unit = " (%)" if funnel.multiplier == 100 else ""
    return Chart(
        kind="scatter", title=f"{short_text(funnel.name, 60)}: funnel plot ({funnel.period})",
        alt_text=_funnel_description(funnel), categories_ref=ref(1), categories=(), series=series,
        anchor=f"{_col(slot.column)}{slot.row}", width=slot.width, height=slot.height,
        value_axis_title=f"Value{unit}", x_axis_title="Denominator",
        value_axis_max=100.0 if funnel.multiplier == 100 else None,
        source_ref=f"{sheet}!${_col(1)}${block.header_row}:${_col(6)}${last}",
    )


def _benchmark_charts(spec: SheetSpec, names: list[str], numbers: list[tuple[float | None, ...]],
                      looks: list[tuple[str, str, str]], authority: str, grid: ChartGrid) -> tuple[Chart, ...]:
    """The percentile bars across the page, then a column chart per indicator, two to a row."""
    if not spec.rows or grid.wide_slot is None:
        return ()
    headers = [c.header for c in spec.columns]
    sheet = "'" + spec.name.replace("'", "''") + "'"
    first_value = headers.index("Value")
    last_value = headers.index("Upper quartile")
    header_row = spec.header_row
    charts = []
    percentile_col = headers.index("Percentile (100 = best)")
    shown = min(len(spec.rows), 60)
    percentiles = tuple(r[percentile_col] if isinstance(r[percentile_col], (int, float)) else None
                        for r in spec.rows[:shown])
    wide = grid.wide_slot
    charts.append(Chart(
        kind="bar",
        title=f"Where {authority} stands (percentile, 100 = best)",
        alt_text=(f"Bar chart of {authority}'s percentile among comparators for {shown} indicators. "
                  + "; ".join(f"{short_text(n, 40)}: {p if p is not None else 'no data'}"
                              for n, p in zip(names[:shown], percentiles))),
        categories_ref=f"{sheet}!$A${spec.first_body_row}:$A${spec.first_body_row + shown - 1}",
        categories=tuple(short_text(n, 40) for n in names[:shown]),
        series=(Series("Percentile (100 = best)",
                       f"{sheet}!${_col(percentile_col)}${spec.first_body_row}:${_col(percentile_col)}$"
                       f"{spec.first_body_row + shown - 1}", percentiles),),
        anchor=f"{_col(wide.column)}{wide.row}", width=wide.width, height=wide.height,
        value_axis_title="Percentile (100 = best)", value_axis_max=100.0,
    ))
    categories = tuple(headers[first_value:last_value + 1])
    categories_ref = f"{sheet}!${_col(first_value)}${header_row}:${_col(last_value)}${header_row}"
    for index, (name, values, (period, number_format, unit)) in enumerate(
            zip(names[:CHART_LIMIT], numbers[:CHART_LIMIT], looks)):
        row = spec.first_body_row + index
        described = ", ".join(f"{c.lower()} {format_number(v, None) if v is not None else 'no data'}"
                              for c, v in zip(categories, values))
        slot = grid.slot(index)
        charts.append(Chart(
            kind="column",
            title=short_text(name, 70) + (f" ({period})" if period else ""),
            alt_text=f"Column chart for {name}{f' ({period})' if period else ''}, {unit.lower()}: {authority} "
                     f"{described}.",
            categories_ref=categories_ref,
            categories=categories,
            # Our authority's bar (Value) in the colour it has on the funnel plots; the comparators' muted.
            series=(Series(short_text(name, 40), f"{sheet}!${_col(first_value)}${row}:${_col(last_value)}${row}",
                           values, colour=FUNNEL_COLOURS["others"], point_colours=((0, FUNNEL_COLOURS["ours"]),)),),
            anchor=f"{_col(slot.column)}{slot.row}", width=slot.width, height=slot.height,
            value_axis_title=unit, x_axis_title=f"Value: {authority}", value_format=number_format,
        ))
    return tuple(charts)
