"""Sheets we own, sheet settings, tables and charts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml import (
    CellRange,
    ChartSeries,
    ChartSpec,
    SheetSettings,
    TableSpec,
    XlsxPackage,
)
from kpi_excel.ooxml.xmlutil import NS, WORKSHEET_ORDER, main, qn
from tests.ooxml.helpers import check_integrity, children_in_schema_order, missing_signatures, zip_parts

ROWS = [["Authority", "Value", "England"]] + [[f"LA {i}", 0.5 + i / 20, 0.6] for i in range(5)]
C = f"{{{NS['c']}}}"


def bench_chart(**overrides) -> ChartSpec:
    spec = dict(
        kind="column", title="Value by authority",
        series=[ChartSeries("Value", CellRange(2, 1, 6, 1), CellRange(2, 2, 6, 2), color="1F4E79"),
                ChartSeries("England", CellRange(2, 1, 6, 1), CellRange(2, 3, 6, 3), kind="line", color="C00000")],
        x_title="Authority", y_title="Value", alt_text="Column chart of value by authority, England as a line.",
        alt_title="Value by authority",
    )
    spec.update(overrides)
    return ChartSpec(**spec)


def test_add_sheet_after_a_given_sheet_keeps_positional_references(copy_of) -> None:
    target = copy_of("corpus_defined_name01.xlsx")
    before = openpyxl.load_workbook(target)
    scoped_before = {(ws.title, name) for ws in before.worksheets for name in ws.defined_names}
    pkg = XlsxPackage.open(target)
    info = pkg.add_sheet("Benchmark", after="Sheet1")
    assert (info.index, info.sheet_id) == (1, 4)
    assert pkg.sheet_names() == ["Sheet1", "Benchmark", "Sheet2", "Sheet 3"]
    rels = [r.id for r in pkg.opc.relationships("xl/workbook.xml")]
    assert len(rels) == len(set(rels)) and info.rel_id in rels
    pkg.save()
    check_integrity(target)
    after = openpyxl.load_workbook(target)
    scoped_after = {(ws.title, name) for ws in after.worksheets for name in ws.defined_names}
    assert scoped_after == scoped_before  # localSheetId moved with their sheets
    app = zip_parts(target)["docProps/app.xml"]
    assert b"<vt:lpstr>Benchmark</vt:lpstr>" in app and b"<vt:i4>4</vt:i4>" in app and b'size="12"' in app


def test_workbook_views_keep_showing_their_sheets_as_sheets_come_and_go(copy_of) -> None:
    pkg = XlsxPackage.open(copy_of("corpus_defined_name01.xlsx"))  # Sheet1, Sheet2, Sheet 3
    view = pkg.opc.xml("xl/workbook.xml").find(f"{main('bookViews')}/{main('workbookView')}")
    view.set("activeTab", "2")
    view.set("firstSheet", "1")
    pkg.add_sheet("Benchmark", after="Sheet1")  # at 1: both move on
    assert (view.get("activeTab"), view.get("firstSheet")) == ("3", "2")
    pkg.remove_owned_sheet("Benchmark")  # both move back
    assert (view.get("activeTab"), view.get("firstSheet")) == ("2", "1")
    pkg.add_sheet("Last")
    view.set("activeTab", "3")
    pkg.remove_owned_sheet("Last")  # the active tab gone: the last sheet left is shown
    assert (view.get("activeTab"), view.get("firstSheet")) == ("2", "1")
    pkg.add_sheet("Hidden", after="Sheet1")
    view.set("activeTab", "1")
    pkg.hide_and_protect("Hidden")  # a hidden sheet is never the active tab
    assert (view.get("activeTab"), view.get("firstSheet")) == ("0", "2")


def test_sheet_names_are_validated(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    for bad in ("kpis", "a/b", "x" * 32, "", "History", "'quoted'"):
        with pytest.raises(OoxmlValueError):
            pkg.add_sheet(bad)


def test_owned_sheet_full_setup(copy_of, officer_workbook: Path) -> None:
    target = copy_of(officer_workbook)
    pkg = XlsxPackage.open(target)
    pct = pkg.add_cell_style(0, number_format="0.0%")
    styles = [[None] * 3] + [[None, pct, pct] for _ in ROWS[1:]]
    info = pkg.write_owned_sheet(
        "Benchmark", ROWS, styles=styles, after="KPIs", table=TableSpec("KPITable"),
        settings=SheetSettings(freeze=(1, 1), column_widths={1: 30, 2: 12}, tab_color="1F4E79", landscape=True,
                               fit_to_width=True),
        print_titles=True, charts=[bench_chart()],
    )
    assert info.index == 1 and pkg.is_owned("Benchmark") and not pkg.is_owned("KPIs")
    pkg.save()
    check_integrity(target)
    root = etree.fromstring(zip_parts(target)[info.part])
    assert children_in_schema_order(root, WORKSHEET_ORDER)
    pane = root.find(f"{main('sheetViews')}/{main('sheetView')}/{main('pane')}")
    assert (pane.get("xSplit"), pane.get("ySplit"), pane.get("topLeftCell"), pane.get("state")) == ("1", "1", "B2", "frozen")
    assert root.find(f"{main('sheetPr')}/{main('tabColor')}").get("rgb") == "FF1F4E79"
    assert root.find(f"{main('sheetPr')}/{main('pageSetUpPr')}").get("fitToPage") == "1"
    setup = root.find(main("pageSetup"))
    assert (setup.get("orientation"), setup.get("fitToWidth"), setup.get("fitToHeight"), setup.get("paperSize")) == (
        "landscape", "1", "0", "9")
    wb = openpyxl.load_workbook(target)
    ws = wb["Benchmark"]
    (table_name,) = ws.tables.keys()
    assert table_name == "KPITable_2"  # the officer already has a KPITable
    assert ws.tables[table_name].ref == "A1:C6"
    assert ws.print_title_rows == "$1:$1"
    assert ws.column_dimensions["A"].width == 30
    assert ws.cell(2, 2).number_format == "0.0%"
    assert wb.sheetnames == ["KPIs", "Benchmark", "Data", "Lists"]
    ids = [etree.fromstring(data).get("id") for name, data in zip_parts(target).items() if name.startswith("xl/tables/")]
    assert sorted(ids) == ["1", "2"]


def test_replacing_an_owned_sheet_leaves_no_orphans(copy_of, officer_workbook: Path) -> None:
    target = copy_of(officer_workbook)
    pkg = XlsxPackage.open(target)
    pkg.write_owned_sheet("Benchmark", ROWS, table=TableSpec("Bench"), charts=[bench_chart(), bench_chart(kind="bar")])
    pkg.save()
    first = zip_parts(target)
    for _run in range(2):
        pkg = XlsxPackage.open(target)
        pkg.write_owned_sheet("Benchmark", ROWS[:4], table=TableSpec("Bench"), charts=[bench_chart(kind="line")])
        pkg.save()
        check_integrity(target)
    last = zip_parts(target)
    assert sorted(n for n in first if n.startswith("xl/charts/")) == [f"xl/charts/chart{i}.xml" for i in (1, 2, 3)]
    # The officer's chart and exactly one of ours; the old two were deleted with their rels and types.
    assert sorted(n for n in last if n.startswith("xl/charts/")) == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
    assert sorted(n for n in last if n.startswith("xl/tables/")) == ["xl/tables/table1.xml", "xl/tables/table2.xml"]
    assert last["[Content_Types].xml"].count(b"/xl/charts/") == 2
    for name in first:
        if not name.startswith(("xl/charts/", "xl/drawings/", "xl/tables/", "xl/worksheets/", "customXml/",
                                "[Content_Types]", "xl/workbook.xml", "xl/_rels/", "docProps/app.xml",
                                "xl/styles.xml")):
            assert first[name] == last[name], name
    pkg = XlsxPackage.open(target)
    assert pkg.sheet("Benchmark").index == 3 and [t.name for t in pkg.tables("Benchmark")] == ["Bench"]
    assert pkg.read_sheet("Benchmark").n_rows == 4


def test_owned_sheets_are_removed_cleanly_and_others_are_refused(copy_of, officer_workbook: Path) -> None:
    target = copy_of(officer_workbook)
    original = zip_parts(target)
    pkg = XlsxPackage.open(target)
    pkg.write_owned_sheet("Benchmark", ROWS, table=TableSpec("Bench"), print_titles=True, charts=[bench_chart()])
    with pytest.raises(OoxmlValueError, match="not created by kpi_excel"):
        pkg.write_owned_sheet("Data", ROWS)
    with pytest.raises(OoxmlValueError, match="not created by kpi_excel"):
        pkg.remove_owned_sheet("KPIs")
    pkg.remove_owned_sheet("Benchmark")
    pkg.save()
    check_integrity(target)
    after = zip_parts(target)
    leftovers = set(after) - set(original)
    assert leftovers <= {"customXml/item1.xml", "customXml/itemProps1.xml", "customXml/_rels/item1.xml.rels"}
    assert b"Print_Titles" not in after["xl/workbook.xml"]
    assert XlsxPackage.open(target).sheet_names() == ["KPIs", "Data", "Lists"]
    # Same titles and counts as before (lxml writes <Company/> for <Company></Company>).
    assert missing_signatures(original["docProps/app.xml"], after["docProps/app.xml"]) == []
    assert missing_signatures(after["docProps/app.xml"], original["docProps/app.xml"]) == []


def test_owned_sheet_is_recognised_by_code_name_if_the_registry_is_lost(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    pkg.write_owned_sheet("Benchmark", ROWS)
    data = pkg.to_bytes()
    stripped = XlsxPackage.open(data)
    item = next(n for n in stripped.opc.names() if n.startswith("customXml/item") and "Props" not in n)
    for rel in stripped.opc.relationships("xl/workbook.xml"):
        if rel.part == item:
            stripped.opc.remove_relationship("xl/workbook.xml", rel.id)
    stripped.opc.delete(item)
    again = XlsxPackage.open(stripped.to_bytes())
    assert again.is_owned("Benchmark")
    again.write_owned_sheet("Benchmark", ROWS[:2])


def test_settings_on_an_officer_sheet_only_fill_gaps(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    root = pkg.opc.xml(pkg.sheet("KPIs").part)
    pane_before = etree.tostring(root.find(f".//{main('pane')}"))
    applied = pkg.apply_sheet_settings(
        "KPIs", SheetSettings(freeze=(2, 2), column_widths={2: 5, 12: 40}, tab_color="FF0000", landscape=True))
    assert set(applied) == {"tab_color", "column_widths", "print"}  # the officer already froze the header
    assert etree.tostring(root.find(f".//{main('pane')}")) == pane_before
    widths = {(c.get("min"), c.get("max")): c.get("width") for c in root.find(main("cols"))}
    assert widths[("2", "2")] == "42.7109375" and widths[("12", "12")] == "40"
    mins = [int(c.get("min")) for c in root.find(main("cols"))]
    assert mins == sorted(mins)
    assert children_in_schema_order(root, WORKSHEET_ORDER)
    assert pkg.apply_sheet_settings("KPIs", SheetSettings(tab_color="00FF00")) == []


def test_chart_parts_never_collide_and_carry_alt_text_and_caches(copy_of) -> None:
    target = copy_of("corpus_chart_bar01.xlsx")
    pkg = XlsxPackage.open(target)
    pkg.write_owned_sheet("Chart data", ROWS, charts=[bench_chart()])
    chart_part = pkg.add_chart("Sheet1", bench_chart(title="On the officer's sheet", anchor="E25",
                                                     series=[ChartSeries("B", CellRange(1, 1, 5, 1), CellRange(1, 2, 5, 2))]))
    assert chart_part == "xl/charts/chart3.xml"
    pkg.save()
    check_integrity(target)
    parts = zip_parts(target)
    # The officer's sheet got our chart appended to its existing drawing, ids unique.
    drawing = etree.fromstring(parts["xl/drawings/drawing1.xml"])
    ids = [el.get("id") for el in drawing.iter(qn("xdr", "cNvPr"))]
    assert len(ids) == 2 and len(set(ids)) == 2
    ours = etree.fromstring(parts["xl/drawings/drawing2.xml"])
    props = next(ours.iter(qn("xdr", "cNvPr")))
    assert props.get("descr").startswith("Column chart") and props.get("title") == "Value by authority"
    chart = etree.fromstring(parts["xl/charts/chart2.xml"])
    assert chart.find(f"{C}chart/{C}title") is not None
    bar = chart.find(f"{C}chart/{C}plotArea/{C}barChart")
    line = chart.find(f"{C}chart/{C}plotArea/{C}lineChart")
    assert bar is not None and line is not None
    cached = [float(v.text) for v in bar.find(f"{C}ser/{C}val/{C}numRef/{C}numCache").iter(f"{C}v")]
    assert cached == pytest.approx([0.5, 0.55, 0.6, 0.65, 0.7])
    cats = [v.text for v in bar.find(f"{C}ser/{C}cat/{C}strRef/{C}strCache").iter(f"{C}v")]
    assert cats == ["LA 0", "LA 1", "LA 2", "LA 3", "LA 4"]
    assert bar.findtext(f"{C}ser/{C}val/{C}numRef/{C}f") == "'Chart data'!$B$2:$B$6"
    ser_children = [el.tag.split("}")[1] for el in bar.find(f"{C}ser")]
    assert ser_children == ["idx", "order", "tx", "spPr", "invertIfNegative", "cat", "val"]
    openpyxl.load_workbook(target)


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_the_chart_and_values(copy_of, officer_workbook: Path, tmp_path: Path) -> None:
    target = copy_of(officer_workbook)
    pkg = XlsxPackage.open(target)
    pkg.write_owned_sheet("Benchmark", ROWS, charts=[bench_chart(title="Rendered by LibreOffice")])
    pkg.write_columns("KPIs", 1, {7: ["Trend", "=not a formula"]})
    pkg.save()
    out = tmp_path / "pdf"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(target)],
                   check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", str(out / "officer.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Rendered by LibreOffice" in text
    assert "=not a formula" in text
    assert "LA 4" in text


def test_owned_sheet_with_autofilter_instead_of_a_table(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    info = pkg.write_owned_sheet("Filtered", ROWS, autofilter=True)
    root = pkg.opc.xml(info.part)
    assert root.find(main("autoFilter")).get("ref") == "A1:C6"
    assert children_in_schema_order(root, WORKSHEET_ORDER)
    names = {(d.name, d.local_sheet): d for d in pkg.defined_names()}
    hidden = names[("_xlnm._FilterDatabase", "Filtered")]
    assert hidden.value == "Filtered!$A$1:$C$6" and hidden.hidden
    ws = openpyxl.load_workbook(__import__("io").BytesIO(pkg.to_bytes()))["Filtered"]
    assert ws.auto_filter.ref == "A1:C6"
