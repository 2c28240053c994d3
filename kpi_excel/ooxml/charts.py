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
from kpi_excel.ooxml.xmlutil import NS, escape_xstring, xml_text

__all__ = ["ChartSeries", "ChartSpec", "build_chart_xml"]

_C = NS["c"]
_A = NS["a"]


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


# A chart is written as text and parsed once: lxml builds the same tree in C, several times
# faster than element by element from Python (a refresh adds a chart a KPI). Only the text's
# meaning matters (the part is lxml's serialisation of the parsed tree), so escaping need
# only survive the parse: & and <, and in attributes also the characters a parser normalises.
_NAMESPACES = f'xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{NS["r"]}"'
_EMPTY = "<?kpi-empty-text?>"  # text "": a tree writes <c:v></c:v>, a parser reads that as no text
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;", '"': "&quot;",
                                    "\n": "&#10;", "\t": "&#9;"})


def _text(text: str) -> str:
    """``text`` as element content."""
    return xml_text(text) if text else _EMPTY


def _attribute(text: str) -> str:
    return text.translate(_ATTRIBUTE_ESCAPES)


def _val(local: str, value: str) -> str:
    return f'<c:{local} val="{value}"/>'


def _rich(text: str, *, size: int = 1400, bold: bool = True) -> str:
    """A title body: ``<c:tx><c:rich>`` with one paragraph of text."""
    b = "1" if bold else "0"
    return (f'<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}" b="{b}"/></a:pPr>'
            f'<a:r><a:rPr lang="en-GB" sz="{size}" b="{b}"/><a:t>{_text(escape_xstring(text))}</a:t></a:r>'
            "</a:p></c:rich></c:tx>")


def _title(text: str, size: int = 1400) -> str:
    return f"<c:title>{_rich(text, size=size)}{_val('overlay', '0')}</c:title>"


def _fill(rgb: str) -> str:
    return f'<a:solidFill><a:srgbClr val="{_attribute(rgb)}"/></a:solidFill>'


def _solid(color: str, *, line: bool) -> str:
    fill = _fill(normalize_color(color)[2:])
    if line:
        return f'<c:spPr><a:ln w="28575" cap="rnd">{fill}<a:round/></a:ln></c:spPr>'
    return f"<c:spPr>{fill}</c:spPr>"


def _str_cache(values: Sequence[Any]) -> str:
    points = "".join([f'<c:pt idx="{i}"><c:v>{_text(escape_xstring(_as_text(value)))}</c:v></c:pt>'
                      for i, value in enumerate(values) if value is not None])
    return f"<c:strCache>{_val('ptCount', str(len(values)))}{points}</c:strCache>"


def _num_cache(values: Sequence[Any], fmt: str = "General", tag: str = "numCache") -> str:
    points = "".join([f'<c:pt idx="{i}"><c:v>{repr(float(value)) if isinstance(value, float) else str(value)}'
                      "</c:v></c:pt>"
                      for i, value in enumerate(values)
                      if not isinstance(value, bool) and isinstance(value, (int, float))])  # blanks and text: gaps
    return f"<c:{tag}><c:formatCode>{_text(fmt)}</c:formatCode>{_val('ptCount', str(len(values)))}{points}</c:{tag}>"


def _formula(sheet: str, rng: CellRange) -> str:
    return f"<c:f>{_text(absolute_range(sheet, rng))}</c:f>"


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _series(
    index: int,
    series: ChartSeries,
    sheet: str,
    lookup: Any,
    kind: str,
    number_format: str = "General",
) -> str:
    out = [f"<c:ser>{_val('idx', str(index))}{_val('order', str(index))}<c:tx>"]
    src_sheet = series.sheet or sheet
    if series.name_ref is not None:
        row, col = series.name_ref
        out.append(f"<c:strRef>{_formula(src_sheet, CellRange(row, col, row, col))}{_str_cache([series.name])}"
                   "</c:strRef>")
    else:
        out.append(f"<c:v>{_text(escape_xstring(series.name))}</c:v>")
    out.append("</c:tx>")
    if series.color:
        out.append(_solid(series.color, line=kind == "line"))
    if kind == "line":
        size = _val("size", "6") if series.marker else ""
        out.append(f"<c:marker>{_val('symbol', 'circle' if series.marker else 'none')}{size}</c:marker>")
    else:
        out.append(_val("invertIfNegative", "0"))
        for point, color in series.point_colors:
            out.append(f"<c:dPt>{_val('idx', str(point))}{_val('invertIfNegative', '0')}{_val('bubble3D', '0')}"
                       f"{_solid(color, line=False)}</c:dPt>")
    categories = lookup(src_sheet, series.categories)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in categories if v is not None) and any(
        v is not None for v in categories
    ):
        out.append(f"<c:cat><c:numRef>{_formula(src_sheet, series.categories)}{_num_cache(categories)}</c:numRef>"
                   "</c:cat>")
    else:
        out.append(f"<c:cat><c:strRef>{_formula(src_sheet, series.categories)}{_str_cache(categories)}</c:strRef>"
                   "</c:cat>")
    if series.literal is not None:
        out.append(f"<c:val>{_num_cache(list(series.literal), tag='numLit')}</c:val>")
    else:
        values = _num_cache(lookup(src_sheet, series.values), number_format)
        out.append(f"<c:val><c:numRef>{_formula(src_sheet, series.values)}{values}</c:numRef></c:val>")
    if kind == "line":
        out.append(_val("smooth", "0"))
    out.append("</c:ser>")
    return "".join(out)


def _number_format(number_format: str | None) -> str:
    linked = "0" if number_format else "1"
    return f'<c:numFmt formatCode="{_attribute(number_format or "General")}" sourceLinked="{linked}"/>'


def _axes(spec: ChartSpec, cat_id: str, val_id: str, bar_values: Sequence[float] = ()) -> str:
    """Category and value axes. Where there are bars the value axis takes in 0, so a bar's
    length is its value (an axis from 72 makes 80 look twice 76), and the category labels sit
    at the low end, clear of bars below 0."""
    horizontal = spec.kind == "bar"
    out = [f"<c:catAx>{_val('axId', cat_id)}<c:scaling>{_val('orientation', 'maxMin' if horizontal else 'minMax')}"
           f"</c:scaling>{_val('delete', '0')}{_val('axPos', 'l' if horizontal else 'b')}"]
    if spec.x_title:
        out.append(_title(spec.x_title, size=1000))
    out.append(f'<c:numFmt formatCode="General" sourceLinked="1"/>{_val("majorTickMark", "out")}'
               f'{_val("minorTickMark", "none")}{_val("tickLblPos", "low" if bar_values else "nextTo")}'
               f'{_val("crossAx", val_id)}{_val("crosses", "autoZero")}{_val("auto", "1")}{_val("lblAlgn", "ctr")}'
               f'{_val("lblOffset", "100")}{_val("noMultiLvlLbl", "0")}</c:catAx>')
    out.append(f"<c:valAx>{_val('axId', val_id)}<c:scaling>{_val('orientation', 'minMax')}")
    if spec.y_max is not None:
        out.append(_val("max", repr(float(spec.y_max))))
    elif bar_values and max(bar_values) <= 0:
        out.append(_val("max", "0"))
    if bar_values and min(bar_values) >= 0:
        out.append(_val("min", "0"))
    out.append(f"</c:scaling>{_val('delete', '0')}{_val('axPos', 'b' if horizontal else 'l')}<c:majorGridlines/>")
    if spec.y_title:
        out.append(_title(spec.y_title, size=1000))
    out.append(f'{_number_format(spec.y_number_format)}{_val("majorTickMark", "out")}{_val("minorTickMark", "none")}'
               f'{_val("tickLblPos", "nextTo")}{_val("crossAx", cat_id)}'
               f'{_val("crosses", "max" if horizontal else "autoZero")}{_val("crossBetween", "between")}</c:valAx>')
    return "".join(out)


def _scatter_series(index: int, series: ChartSeries, sheet: str, lookup: Any) -> str:
    """A ``c:ser`` of a scatter chart: points (no line) or a line (no markers)."""
    out = [f"<c:ser>{_val('idx', str(index))}{_val('order', str(index))}"
           f"<c:tx><c:v>{_text(escape_xstring(series.name))}</c:v></c:tx>"]
    colour = normalize_color(series.color or "2E75B6")[2:]
    if series.kind == "line":
        out.append(f'<c:spPr><a:ln w="19050">{_fill(colour)}</a:ln></c:spPr>'
                   f"<c:marker>{_val('symbol', 'none')}</c:marker>")
    else:  # points only: no line between them
        out.append(f"<c:spPr><a:ln><a:noFill/></a:ln></c:spPr><c:marker>{_val('symbol', 'circle')}"
                   f"{_val('size', str(max(2, min(series.marker_size, 72))))}"
                   f"<c:spPr>{_fill(colour)}<a:ln>{_fill(colour)}</a:ln></c:spPr></c:marker>")
    src_sheet = series.sheet or sheet
    for tag, rng in (("xVal", series.categories), ("yVal", series.values)):
        out.append(f"<c:{tag}><c:numRef>{_formula(src_sheet, rng)}{_num_cache(lookup(src_sheet, rng))}</c:numRef>"
                   f"</c:{tag}>")
    out.append(f"{_val('smooth', '0')}</c:ser>")
    return "".join(out)


def _value_axis(axis_id: str, cross_id: str, position: str, title: str | None,
                number_format: str | None, gridlines: bool, maximum: float | None = None) -> str:
    out = [f"<c:valAx>{_val('axId', axis_id)}<c:scaling>{_val('orientation', 'minMax')}"]
    if maximum is not None:
        out.append(_val("max", repr(float(maximum))))
    out.append(f"</c:scaling>{_val('delete', '0')}{_val('axPos', position)}")
    if gridlines:
        out.append("<c:majorGridlines/>")
    if title:
        out.append(_title(title, size=1000))
    out.append(f'{_number_format(number_format)}{_val("majorTickMark", "out")}{_val("minorTickMark", "none")}'
               f'{_val("tickLblPos", "nextTo")}{_val("crossAx", cross_id)}{_val("crosses", "autoZero")}'
               f'{_val("crossBetween", "midCat")}</c:valAx>')
    return "".join(out)


def _scatter_plot(spec: ChartSpec, sheet: str, lookup: Any) -> str:
    x_id, y_id = "500000011", "500000012"
    series = "".join([_scatter_series(index, item, sheet, lookup) for index, item in enumerate(spec.series)])
    return (f"<c:scatterChart>{_val('scatterStyle', 'lineMarker')}{_val('varyColors', '0')}{series}"
            f"{_val('axId', x_id)}{_val('axId', y_id)}</c:scatterChart>"
            + _value_axis(x_id, y_id, "b", spec.x_title, None, gridlines=False)
            + _value_axis(y_id, x_id, "l", spec.y_title, spec.y_number_format, gridlines=True, maximum=spec.y_max))


def build_chart_xml(spec: ChartSpec, sheet: str, lookup: Any) -> etree._Element:
    """The ``c:chartSpace`` root for ``spec``.

    ``lookup(sheet, CellRange)`` returns the cell values of a range (row-major,
    flattened) for the caches.
    """
    if spec.kind not in ("column", "bar", "line", "scatter"):
        raise OoxmlValueError(f"chart kind {spec.kind!r} is not one of column, bar, line, scatter")
    if not spec.series:
        raise OoxmlValueError("a chart needs at least one series")
    out = [f"<c:chartSpace {_NAMESPACES}>{_val('date1904', '0')}{_val('lang', 'en-GB')}"
           f"{_val('roundedCorners', '0')}<c:chart>"]
    if spec.title:
        out.append(_title(spec.title) + _val("autoTitleDeleted", "0"))
    else:
        out.append(_val("autoTitleDeleted", "1"))
    out.append("<c:plotArea><c:layout/>")
    if spec.kind == "scatter":
        out.append(_scatter_plot(spec, sheet, lookup))
    else:
        out.append(_bars_and_lines(spec, sheet, lookup))
    out.append("</c:plotArea>")
    if spec.legend:
        out.append(f"<c:legend>{_val('legendPos', _attribute(spec.legend))}{_val('overlay', '0')}</c:legend>")
    # How blanks show: as gaps (a limit line breaks where its data does).
    out.append(f"{_val('plotVisOnly', '1')}{_val('dispBlanksAs', 'gap')}</c:chart></c:chartSpace>")
    return _parse("".join(out))


def _bars_and_lines(spec: ChartSpec, sheet: str, lookup: Any) -> str:
    cat_id, val_id = "500000001", "500000002"
    bars = [s for s in spec.series if s.kind != "line"] if spec.kind != "line" else []
    lines = [s for s in spec.series if s.kind == "line"] if spec.kind != "line" else list(spec.series)
    number_format = spec.y_number_format or "General"
    out = []
    index = 0
    if bars:
        out.append(f"<c:barChart>{_val('barDir', 'bar' if spec.kind == 'bar' else 'col')}"
                   f"{_val('grouping', 'clustered')}{_val('varyColors', '0')}")
        for series in bars:
            out.append(_series(index, series, sheet, lookup, "bar", number_format))
            index += 1
        out.append(f"{_val('gapWidth', '150')}{_val('axId', cat_id)}{_val('axId', val_id)}</c:barChart>")
    if lines:
        out.append(f"<c:lineChart>{_val('grouping', 'standard')}{_val('varyColors', '0')}")
        for series in lines:
            out.append(_series(index, series, sheet, lookup, "line", number_format))
            index += 1
        out.append(f"{_val('marker', '1')}{_val('axId', cat_id)}{_val('axId', val_id)}</c:lineChart>")
    out.append(_axes(spec, cat_id, val_id, _numbers(bars, sheet, lookup)))
    return "".join(out)


def _parse(text: str) -> etree._Element:
    """The tree of a chart's text; each empty text marked in it is set to "" again."""
    try:
        root = etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:  # a control character in a number format: as setting it in a tree says
        raise ValueError(f"All strings must be XML compatible ({exc})") from None
    if _EMPTY in text:
        for mark in list(root.iter(etree.ProcessingInstruction)):
            parent = mark.getparent()
            parent.remove(mark)
            parent.text = ""
    return root


def _numbers(series: Sequence[ChartSeries], sheet: str, lookup: Any) -> list[float]:
    """The numbers the bar series draw."""
    out = []
    for item in series:
        values = item.literal if item.literal is not None else lookup(item.sheet or sheet, item.values)
        out += [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return out
