"""Native Excel charts (``xl/charts/chartN.xml``): clustered bar/column, line, combined, and scatter.

Each series refers to ranges on a sheet and carries cached values, so Excel,
Excel on the web and LibreOffice draw the chart before any recalculation.
Element order follows the DrawingML chart schema (CT_ChartSpace, CT_BarSer,
CT_LineSer, CT_ScatterChart, CT_ScatterSer, CT_CatAx, CT_ValAx). A scatter chart's
series read their x values from ``categories`` and are points (``kind="scatter"``)
or lines without markers (``kind="line"``); two value axes carry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml.refs import CellRange, absolute_range
from kpi_excel.ooxml.styles import normalize_color
from kpi_excel.ooxml.xmlutil import NS, escape_xstring

__all__ = ["ChartSeries", "ChartSpec", "build_chart_xml"]

_C = NS["c"]
_A = NS["a"]


def c(local: str) -> str:
    """Clark name in the chart namespace."""
    return f"{{{_C}}}{local}"


def a(local: str) -> str:
    """Clark name in the DrawingML main namespace."""
    return f"{{{_A}}}{local}"


@dataclass(frozen=True)
class ChartSeries:
    """One series: a name, the category range and the value range (same sheet or another).

    ``kind`` ('bar' or 'line') matters in a combined chart; ``color`` is RRGGBB;
    ``marker`` shows markers on a line. In a scatter chart ``categories`` are the
    x values, ``kind`` is 'scatter' (points, ``marker_size`` big) or 'line'.
    ``literal`` values are kept in the chart (``c:numLit``), for a line such as a
    target that no cell holds.
    """

    name: str
    categories: CellRange
    values: CellRange
    kind: str = "bar"
    color: str | None = None
    marker: bool = True
    name_ref: tuple[int, int] | None = None
    sheet: str | None = None
    marker_size: int = 6
    literal: Sequence[float | None] | None = None  # values held in the chart itself (``values`` unused)
    point_colors: Sequence[tuple[int, str]] = ()  # (0-based point, RRGGBB): a bar coloured apart (ours)


@dataclass(frozen=True)
class ChartSpec:
    """A chart to add to a sheet.

    ``kind``: 'column' (vertical bars), 'bar' (horizontal), 'line' or 'scatter'; a spec of
    kind 'column' or 'bar' whose series include ``kind='line'`` ones becomes a
    combined bar+line chart on shared axes. ``alt_text``/``alt_title`` become
    the shape's description and title for screen readers. ``anchor`` is the
    top-left cell; the size is in columns and rows of default size.
    """

    kind: str
    title: str
    series: Sequence[ChartSeries]
    x_title: str | None = None
    y_title: str | None = None
    alt_text: str = ""
    alt_title: str = ""
    anchor: str = "H2"
    width_cols: int = 8
    height_rows: int = 16
    legend: str | None = "b"
    y_number_format: str | None = None
    y_max: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_PT, _V = c("pt"), c("v")  # a cache's points, thousands a refresh: names made once


def _val(parent: etree._Element, local: str, value: str) -> etree._Element:
    return etree.SubElement(parent, c(local), val=value)


def _rich(parent: etree._Element, text: str, *, size: int = 1400, bold: bool = True) -> None:
    """A title body: ``<c:tx><c:rich>`` with one paragraph of text."""
    tx = etree.SubElement(parent, c("tx"))
    rich = etree.SubElement(tx, c("rich"))
    etree.SubElement(rich, a("bodyPr"))
    etree.SubElement(rich, a("lstStyle"))
    p = etree.SubElement(rich, a("p"))
    ppr = etree.SubElement(p, a("pPr"))
    defr = etree.SubElement(ppr, a("defRPr"))
    defr.set("sz", str(size))
    defr.set("b", "1" if bold else "0")
    r = etree.SubElement(p, a("r"))
    rpr = etree.SubElement(r, a("rPr"))
    rpr.set("lang", "en-GB")
    rpr.set("sz", str(size))
    rpr.set("b", "1" if bold else "0")
    etree.SubElement(r, a("t")).text = escape_xstring(text)


def _title(parent: etree._Element, text: str, size: int = 1400) -> None:
    title = etree.SubElement(parent, c("title"))
    _rich(title, text, size=size)
    _val(title, "overlay", "0")


def _solid(parent: etree._Element, color: str, *, line: bool) -> None:
    sp = etree.SubElement(parent, c("spPr"))
    rgb = normalize_color(color)[2:]
    if line:
        ln = etree.SubElement(sp, a("ln"))
        ln.set("w", "28575")
        ln.set("cap", "rnd")
        fill = etree.SubElement(ln, a("solidFill"))
        etree.SubElement(fill, a("srgbClr")).set("val", rgb)
        etree.SubElement(ln, a("round"))
    else:
        fill = etree.SubElement(sp, a("solidFill"))
        etree.SubElement(fill, a("srgbClr")).set("val", rgb)


def _str_cache(parent: etree._Element, values: Sequence[Any]) -> None:
    cache = etree.SubElement(parent, c("strCache"))
    _val(cache, "ptCount", str(len(values)))
    sub = etree.SubElement
    for i, value in enumerate(values):
        if value is None:
            continue
        sub(sub(cache, _PT, idx=str(i)), _V).text = escape_xstring(_as_text(value))


def _num_cache(parent: etree._Element, values: Sequence[Any], fmt: str = "General", tag: str = "numCache") -> None:
    cache = etree.SubElement(parent, c(tag))
    etree.SubElement(cache, c("formatCode")).text = fmt
    _val(cache, "ptCount", str(len(values)))
    sub = etree.SubElement
    for i, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue  # blanks and text are gaps in a numeric series
        sub(sub(cache, _PT, idx=str(i)), _V).text = repr(float(value)) if isinstance(value, float) else str(value)


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _series(
    parent: etree._Element,
    index: int,
    series: ChartSeries,
    sheet: str,
    lookup: Any,
    kind: str,
    number_format: str = "General",
) -> None:
    ser = etree.SubElement(parent, c("ser"))
    _val(ser, "idx", str(index))
    _val(ser, "order", str(index))
    tx = etree.SubElement(ser, c("tx"))
    src_sheet = series.sheet or sheet
    if series.name_ref is not None:
        ref = etree.SubElement(tx, c("strRef"))
        row, col = series.name_ref
        etree.SubElement(ref, c("f")).text = absolute_range(src_sheet, CellRange(row, col, row, col))
        _str_cache(ref, [series.name])
    else:
        etree.SubElement(tx, c("v")).text = escape_xstring(series.name)
    if series.color:
        _solid(ser, series.color, line=kind == "line")
    if kind == "line":
        marker = etree.SubElement(ser, c("marker"))
        _val(marker, "symbol", "circle" if series.marker else "none")
        if series.marker:
            _val(marker, "size", "6")
    else:
        _val(ser, "invertIfNegative", "0")
        for point, color in series.point_colors:
            dpt = etree.SubElement(ser, c("dPt"))
            _val(dpt, "idx", str(point))
            _val(dpt, "invertIfNegative", "0")
            _val(dpt, "bubble3D", "0")
            _solid(dpt, color, line=False)
    categories = lookup(src_sheet, series.categories)
    cat = etree.SubElement(ser, c("cat"))
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in categories if v is not None) and any(
        v is not None for v in categories
    ):
        ref = etree.SubElement(cat, c("numRef"))
        etree.SubElement(ref, c("f")).text = absolute_range(src_sheet, series.categories)
        _num_cache(ref, categories)
    else:
        ref = etree.SubElement(cat, c("strRef"))
        etree.SubElement(ref, c("f")).text = absolute_range(src_sheet, series.categories)
        _str_cache(ref, categories)
    val = etree.SubElement(ser, c("val"))
    if series.literal is not None:
        _num_cache(val, list(series.literal), tag="numLit")
    else:
        ref = etree.SubElement(val, c("numRef"))
        etree.SubElement(ref, c("f")).text = absolute_range(src_sheet, series.values)
        _num_cache(ref, lookup(src_sheet, series.values), number_format)
    if kind == "line":
        _val(ser, "smooth", "0")


def _axes(plot: etree._Element, spec: ChartSpec, cat_id: str, val_id: str,
          bar_values: Sequence[float] = ()) -> None:
    """Category and value axes. Where there are bars the value axis takes in 0, so a bar's
    length is its value (an axis from 72 makes 80 look twice 76), and the category labels sit
    at the low end, clear of bars below 0."""
    horizontal = spec.kind == "bar"
    cat = etree.SubElement(plot, c("catAx"))
    _val(cat, "axId", cat_id)
    scaling = etree.SubElement(cat, c("scaling"))
    _val(scaling, "orientation", "maxMin" if horizontal else "minMax")
    _val(cat, "delete", "0")
    _val(cat, "axPos", "l" if horizontal else "b")
    if spec.x_title:
        _title(cat, spec.x_title, size=1000)
    fmt = etree.SubElement(cat, c("numFmt"))
    fmt.set("formatCode", "General")
    fmt.set("sourceLinked", "1")
    _val(cat, "majorTickMark", "out")
    _val(cat, "minorTickMark", "none")
    _val(cat, "tickLblPos", "low" if bar_values else "nextTo")
    _val(cat, "crossAx", val_id)
    _val(cat, "crosses", "autoZero")
    _val(cat, "auto", "1")
    _val(cat, "lblAlgn", "ctr")
    _val(cat, "lblOffset", "100")
    _val(cat, "noMultiLvlLbl", "0")
    val = etree.SubElement(plot, c("valAx"))
    _val(val, "axId", val_id)
    scaling = etree.SubElement(val, c("scaling"))
    _val(scaling, "orientation", "minMax")
    if spec.y_max is not None:
        _val(scaling, "max", repr(float(spec.y_max)))
    elif bar_values and max(bar_values) <= 0:
        _val(scaling, "max", "0")
    if bar_values and min(bar_values) >= 0:
        _val(scaling, "min", "0")
    _val(val, "delete", "0")
    _val(val, "axPos", "b" if horizontal else "l")
    etree.SubElement(val, c("majorGridlines"))
    if spec.y_title:
        _title(val, spec.y_title, size=1000)
    fmt = etree.SubElement(val, c("numFmt"))
    fmt.set("formatCode", spec.y_number_format or "General")
    fmt.set("sourceLinked", "0" if spec.y_number_format else "1")
    _val(val, "majorTickMark", "out")
    _val(val, "minorTickMark", "none")
    _val(val, "tickLblPos", "nextTo")
    _val(val, "crossAx", cat_id)
    _val(val, "crosses", "max" if horizontal else "autoZero")
    _val(val, "crossBetween", "between")


def _scatter_series(parent: etree._Element, index: int, series: ChartSeries, sheet: str, lookup: Any) -> None:
    """A ``c:ser`` of a scatter chart: points (no line) or a line (no markers)."""
    ser = etree.SubElement(parent, c("ser"))
    _val(ser, "idx", str(index))
    _val(ser, "order", str(index))
    tx = etree.SubElement(ser, c("tx"))
    etree.SubElement(tx, c("v")).text = escape_xstring(series.name)
    colour = normalize_color(series.color or "2E75B6")[2:]
    sp = etree.SubElement(ser, c("spPr"))
    ln = etree.SubElement(sp, a("ln"))
    if series.kind == "line":
        ln.set("w", "19050")
        fill = etree.SubElement(ln, a("solidFill"))
        etree.SubElement(fill, a("srgbClr")).set("val", colour)
    else:
        etree.SubElement(ln, a("noFill"))  # points only: no line between them
    marker = etree.SubElement(ser, c("marker"))
    if series.kind == "line":
        _val(marker, "symbol", "none")
    else:
        _val(marker, "symbol", "circle")
        _val(marker, "size", str(max(2, min(series.marker_size, 72))))
        marker_sp = etree.SubElement(marker, c("spPr"))
        fill = etree.SubElement(marker_sp, a("solidFill"))
        etree.SubElement(fill, a("srgbClr")).set("val", colour)
        edge = etree.SubElement(marker_sp, a("ln"))
        edge_fill = etree.SubElement(edge, a("solidFill"))
        etree.SubElement(edge_fill, a("srgbClr")).set("val", colour)
    src_sheet = series.sheet or sheet
    for tag, rng in (("xVal", series.categories), ("yVal", series.values)):
        holder = etree.SubElement(ser, c(tag))
        ref = etree.SubElement(holder, c("numRef"))
        etree.SubElement(ref, c("f")).text = absolute_range(src_sheet, rng)
        _num_cache(ref, lookup(src_sheet, rng))
    _val(ser, "smooth", "0")


def _value_axis(plot: etree._Element, axis_id: str, cross_id: str, position: str, title: str | None,
                number_format: str | None, gridlines: bool, maximum: float | None = None) -> None:
    axis = etree.SubElement(plot, c("valAx"))
    _val(axis, "axId", axis_id)
    scaling = etree.SubElement(axis, c("scaling"))
    _val(scaling, "orientation", "minMax")
    if maximum is not None:
        _val(scaling, "max", repr(float(maximum)))
    _val(axis, "delete", "0")
    _val(axis, "axPos", position)
    if gridlines:
        etree.SubElement(axis, c("majorGridlines"))
    if title:
        _title(axis, title, size=1000)
    fmt = etree.SubElement(axis, c("numFmt"))
    fmt.set("formatCode", number_format or "General")
    fmt.set("sourceLinked", "0" if number_format else "1")
    _val(axis, "majorTickMark", "out")
    _val(axis, "minorTickMark", "none")
    _val(axis, "tickLblPos", "nextTo")
    _val(axis, "crossAx", cross_id)
    _val(axis, "crosses", "autoZero")
    _val(axis, "crossBetween", "midCat")


def _scatter_plot(plot: etree._Element, spec: ChartSpec, sheet: str, lookup: Any) -> None:
    x_id, y_id = "500000011", "500000012"
    chart = etree.SubElement(plot, c("scatterChart"))
    _val(chart, "scatterStyle", "lineMarker")
    _val(chart, "varyColors", "0")
    for index, series in enumerate(spec.series):
        _scatter_series(chart, index, series, sheet, lookup)
    _val(chart, "axId", x_id)
    _val(chart, "axId", y_id)
    _value_axis(plot, x_id, y_id, "b", spec.x_title, None, gridlines=False)
    _value_axis(plot, y_id, x_id, "l", spec.y_title, spec.y_number_format, gridlines=True, maximum=spec.y_max)


def build_chart_xml(spec: ChartSpec, sheet: str, lookup: Any) -> etree._Element:
    """The ``c:chartSpace`` root for ``spec``.

    ``lookup(sheet, CellRange)`` returns the cell values of a range (row-major,
    flattened) for the caches.
    """
    if spec.kind not in ("column", "bar", "line", "scatter"):
        raise OoxmlValueError(f"chart kind {spec.kind!r} is not one of column, bar, line, scatter")
    if not spec.series:
        raise OoxmlValueError("a chart needs at least one series")
    root = etree.Element(c("chartSpace"), nsmap={"c": _C, "a": _A, "r": NS["r"]})
    _val(root, "date1904", "0")
    _val(root, "lang", "en-GB")
    _val(root, "roundedCorners", "0")
    chart = etree.SubElement(root, c("chart"))
    if spec.title:
        _title(chart, spec.title)
        _val(chart, "autoTitleDeleted", "0")
    else:
        _val(chart, "autoTitleDeleted", "1")
    plot = etree.SubElement(chart, c("plotArea"))
    etree.SubElement(plot, c("layout"))
    if spec.kind == "scatter":
        _scatter_plot(plot, spec, sheet, lookup)
        return _finish(chart, spec, root)
    cat_id, val_id = "500000001", "500000002"
    bars = [s for s in spec.series if s.kind != "line"] if spec.kind != "line" else []
    lines = [s for s in spec.series if s.kind == "line"] if spec.kind != "line" else list(spec.series)
    index = 0
    if bars:
        bar = etree.SubElement(plot, c("barChart"))
        _val(bar, "barDir", "bar" if spec.kind == "bar" else "col")
        _val(bar, "grouping", "clustered")
        _val(bar, "varyColors", "0")
        for series in bars:
            _series(bar, index, series, sheet, lookup, "bar", spec.y_number_format or "General")
            index += 1
        _val(bar, "gapWidth", "150")
        _val(bar, "axId", cat_id)
        _val(bar, "axId", val_id)
    if lines:
        line = etree.SubElement(plot, c("lineChart"))
        _val(line, "grouping", "standard")
        _val(line, "varyColors", "0")
        for series in lines:
            _series(line, index, series, sheet, lookup, "line", spec.y_number_format or "General")
            index += 1
        _val(line, "marker", "1")
        _val(line, "axId", cat_id)
        _val(line, "axId", val_id)
    _axes(plot, spec, cat_id, val_id, _numbers(bars, sheet, lookup))
    return _finish(chart, spec, root)


def _numbers(series: Sequence[ChartSeries], sheet: str, lookup: Any) -> list[float]:
    """The numbers the bar series draw."""
    out = []
    for item in series:
        values = item.literal if item.literal is not None else lookup(item.sheet or sheet, item.values)
        out += [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return out


def _finish(chart: etree._Element, spec: ChartSpec, root: etree._Element) -> etree._Element:
    """Legend and how blanks show (as gaps: a limit line breaks where its data does)."""
    if spec.legend:
        legend = etree.SubElement(chart, c("legend"))
        _val(legend, "legendPos", spec.legend)
        _val(legend, "overlay", "0")
    _val(chart, "plotVisOnly", "1")
    _val(chart, "dispBlanksAs", "gap")
    return root
