"""Drawing parts (``xl/drawings/drawingN.xml``): anchors for charts, with alt text.

A chart added to a sheet that already has a drawing (the officer's pictures,
shapes or charts) is appended to that drawing, so nothing of theirs moves;
otherwise a new drawing part is created and linked from the sheet.
"""

from __future__ import annotations

from lxml import etree

from kpi_excel.ooxml.refs import parse_cell
from kpi_excel.ooxml.xmlutil import NS

__all__ = ["new_drawing_root", "append_chart_anchor", "next_shape_id"]

_XDR = NS["xdr"]
_A = NS["a"]


def x(local: str) -> str:
    """Clark name in the spreadsheet-drawing namespace."""
    return f"{{{_XDR}}}{local}"


def new_drawing_root() -> etree._Element:
    """An empty ``xdr:wsDr``."""
    return etree.Element(x("wsDr"), nsmap={"xdr": _XDR, "a": _A})


def next_shape_id(root: etree._Element) -> int:
    """A ``cNvPr`` id not used in this drawing (ids must be unique per drawing)."""
    used = [int(el.get("id", "0")) for el in root.iter(x("cNvPr")) if el.get("id", "").isdecimal()]
    return max(used, default=1) + 1


def _marker(parent: etree._Element, tag: str, col: int, row: int) -> None:
    marker = etree.SubElement(parent, x(tag))
    etree.SubElement(marker, x("col")).text = str(col)
    etree.SubElement(marker, x("colOff")).text = "0"
    etree.SubElement(marker, x("row")).text = str(row)
    etree.SubElement(marker, x("rowOff")).text = "0"


def append_chart_anchor(
    root: etree._Element,
    rel_id: str,
    *,
    anchor: str,
    width_cols: int,
    height_rows: int,
    name: str,
    alt_text: str,
    alt_title: str,
) -> int:
    """Add a two-cell anchor holding a chart frame; returns the shape id used."""
    row, col = parse_cell(anchor)
    shape_id = next_shape_id(root)
    two = etree.SubElement(root, x("twoCellAnchor"))
    two.set("editAs", "oneCell")
    _marker(two, "from", col - 1, row - 1)
    _marker(two, "to", col - 1 + width_cols, row - 1 + height_rows)
    frame = etree.SubElement(two, x("graphicFrame"))
    frame.set("macro", "")
    nv = etree.SubElement(frame, x("nvGraphicFramePr"))
    props = etree.SubElement(nv, x("cNvPr"))
    props.set("id", str(shape_id))
    props.set("name", name)
    if alt_text:
        props.set("descr", alt_text)
    if alt_title:
        props.set("title", alt_title)
    etree.SubElement(nv, x("cNvGraphicFramePr"))
    xfrm = etree.SubElement(frame, x("xfrm"))
    off = etree.SubElement(xfrm, f"{{{_A}}}off")
    off.set("x", "0")
    off.set("y", "0")
    ext = etree.SubElement(xfrm, f"{{{_A}}}ext")
    ext.set("cx", "0")
    ext.set("cy", "0")
    graphic = etree.SubElement(frame, f"{{{_A}}}graphic")
    data = etree.SubElement(graphic, f"{{{_A}}}graphicData")
    data.set("uri", NS["c"])
    chart = etree.SubElement(data, f"{{{NS['c']}}}chart", nsmap={"c": NS["c"], "r": NS["r"]})
    chart.set(f"{{{NS['r']}}}id", rel_id)
    etree.SubElement(two, x("clientData"))
    return shape_id
