"""styles.xml: dxfs and cell formats are added once and reused; nothing else changes."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from kpi_excel.ooxml import DxfStyle, XlsxPackage
from kpi_excel.ooxml.xmlutil import STYLESHEET_ORDER, main
from tests.ooxml.helpers import children_in_schema_order, minimal_xlsx, missing_signatures


def _styles(pkg: XlsxPackage) -> etree._Element:
    return etree.fromstring(pkg.opc.read("xl/styles.xml"))


def test_dxfs_are_reused_when_identical(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    before = len(_styles(pkg).find(main("dxfs")))
    red = pkg.add_dxf(DxfStyle(fill="#ffc7ce", font_color="9C0006", bold=True))
    again = pkg.add_dxf(DxfStyle(fill="FFC7CE", font_color="FF9C0006", bold=True))
    green = pkg.add_dxf(DxfStyle(fill="C6EFCE"))
    dxfs = _styles(pkg).find(main("dxfs"))
    assert red == again == before and green == before + 1
    assert dxfs.get("count") == str(before + 2) == str(len(dxfs))
    xml = etree.tostring(dxfs[red]).decode()
    assert '<b/>' in xml and 'rgb="FF9C0006"' in xml and 'bgColor rgb="FFFFC7CE"' in xml


def test_cell_styles_derive_from_the_base_and_are_reused(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    original = pkg.opc.read("xl/styles.xml")
    xfs_before = len(_styles(pkg).find(main("cellXfs")))
    existing = pkg.add_cell_style(0, number_format="0.0%")
    assert existing < xfs_before  # XlsxWriter already made this one: reused, not added
    pct = pkg.add_cell_style(0, number_format="0.000%")
    assert pkg.add_cell_style(0, number_format="0.000%") == pct
    builtin = pkg.add_cell_style(0, number_format="0%")
    red_bold = pkg.add_cell_style(pct, fill="FFC7CE", font_color="9C0006", bold=True, wrap=True)
    root = _styles(pkg)
    xfs = root.find(main("cellXfs"))
    assert len(xfs) == xfs_before + 3 == int(xfs.get("count"))
    assert pkg.number_format(pct) == "0.000%"
    assert xfs[builtin].get("numFmtId") == "9"  # built-in formats are not duplicated
    derived = xfs[red_bold]
    assert derived.get("numFmtId") == xfs[pct].get("numFmtId")
    font = root.find(main("fonts"))[int(derived.get("fontId"))]
    assert font.find(main("b")) is not None and font.find(main("color")).get("rgb") == "FF9C0006"
    assert [el.tag.split("}")[1] for el in font][:2] == ["b", "sz"]  # schema order inside <font>
    fill = root.find(main("fills"))[int(derived.get("fillId"))]
    assert fill.find(f"{main('patternFill')}/{main('fgColor')}").get("rgb") == "FFFFC7CE"
    assert derived.find(main("alignment")).get("wrapText") == "1"
    custom = [int(el.get("numFmtId")) for el in root.find(main("numFmts"))]
    assert all(i >= 164 for i in custom) and len(custom) == len(set(custom))
    # Everything that was in styles.xml is still there (counts aside).
    assert not missing_signatures(original, pkg.opc.read("xl/styles.xml"), drop_attrs=lambda el: {"count"})
    assert children_in_schema_order(root, STYLESHEET_ORDER)


def test_a_workbook_without_styles_gets_a_minimal_stylesheet() -> None:
    pkg = XlsxPackage.open(minimal_xlsx("<sheetData/>"))
    dxf = pkg.add_dxf(DxfStyle(bold=True))
    xf = pkg.add_cell_style(0, number_format="0.0")
    assert dxf == 0 and xf == 1
    assert pkg.opc.has("xl/styles.xml")
    assert pkg.opc.content_type("xl/styles.xml").endswith("styles+xml")
    assert any(r.part == "xl/styles.xml" for r in pkg.opc.relationships("xl/workbook.xml"))
    root = _styles(pkg)
    assert children_in_schema_order(root, STYLESHEET_ORDER)


def test_dxf_reads_back() -> None:
    style = DxfStyle(fill="C6EFCE", font_color="006100", bold=False)
    assert DxfStyle.from_xml(style.to_xml()) == DxfStyle(fill="FFC6EFCE", font_color="FF006100", bold=False)
