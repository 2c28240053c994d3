"""OpcPackage's index of content-type Overrides follows every way the package changes
[Content_Types].xml: each answer equals a scan of the tree as it stands."""

from __future__ import annotations

from kpi_excel.ooxml import XlsxPackage
from kpi_excel.ooxml.package import CONTENT_TYPES, CT
from kpi_excel.ooxml.xmlutil import qn
from tests.ooxml.helpers import minimal_xlsx

_NAMES = ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "XL/Worksheets/Sheet1.XML", "xl/charts/chart1.xml",
          "xl/charts/Chart2.xml", "xl/media/image1.png", "_rels/.rels", "xl/other.bin", "nothing"]


def _scanned(opc, name: str) -> str | None:  # type: ignore[no-untyped-def]
    types = opc.xml(CONTENT_TYPES)
    for el in types.iterchildren(qn("ct", "Override")):
        if el.get("PartName", "").lower() == "/" + name.lower():
            return el.get("ContentType")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for el in types.iterchildren(qn("ct", "Default")):
        if el.get("Extension", "").lower() == ext:
            return el.get("ContentType")
    return None


def test_every_change_to_the_content_types_keeps_the_index_current() -> None:
    opc = XlsxPackage.open(minimal_xlsx("<sheetData/>")).opc
    types_bytes = opc.read(CONTENT_TYPES)
    steps = [
        lambda: opc.set_content_type("xl/charts/chart1.xml", CT.CHART),  # a new Override
        lambda: opc.set_content_type("XL/CHARTS/CHART1.XML", CT.DRAWING),  # changed, another spelling
        lambda: opc.write("xl/charts/Chart2.xml", b"<c/>", CT.CHART),
        lambda: opc.ensure_default("png", "image/png"),  # a Default first among the children
        lambda: opc.remove_content_type("xl/charts/chart1.xml"),
        lambda: opc.delete("xl/charts/Chart2.xml"),
        lambda: opc.set_content_type("xl/charts/chart1.xml", CT.CHART),
        lambda: opc.settle(CONTENT_TYPES),  # the tree let go, parsed again
        lambda: opc.set_content_type("xl/charts/Chart2.xml", CT.CHART),
        lambda: opc.write(CONTENT_TYPES, types_bytes),  # the part replaced whole
        lambda: opc.set_content_type("xl/other.bin", "application/x-other"),
        lambda: opc.remove_content_type("xl/worksheets/sheet1.xml"),
    ]
    for step in [lambda: None, *steps]:
        step()
        assert [opc.content_type(n) for n in _NAMES] == [_scanned(opc, n) for n in _NAMES]
