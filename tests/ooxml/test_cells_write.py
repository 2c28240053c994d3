"""Writing cells: text stays text, styles kept, order kept, formulas reported, tables follow."""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml import KEEP, XlsxPackage
from kpi_excel.ooxml.xmlutil import main
from tests.ooxml.helpers import minimal_xlsx, zip_parts


def _sheet_xml(pkg: XlsxPackage, name: str) -> etree._Element:
    return etree.fromstring(pkg.opc.read(pkg.sheet(name).part))


def _cells(root: etree._Element) -> list[str]:
    return [c.get("r") for c in root.iter(main("c"))]


def test_text_starting_with_equals_stays_text(copy_of) -> None:
    target = copy_of("corpus_table01.xlsx")
    pkg = XlsxPackage.open(target)
    pkg.set_cells("Sheet1", {(5, 8): "=HYPERLINK(\"http://evil\")", (6, 8): "+1", (7, 8): "@SUM(A1)", (8, 8): "00123"})
    pkg.save()
    ws = openpyxl.load_workbook(target)["Sheet1"]
    for row, text in ((5, '=HYPERLINK("http://evil")'), (6, "+1"), (7, "@SUM(A1)"), (8, "00123")):
        assert ws.cell(row, 8).value == text
        assert ws.cell(row, 8).data_type == "s"
    root = _sheet_xml(XlsxPackage.open(target), "Sheet1")
    assert not list(root.iter(main("f")))
    assert all(c.get("t") == "inlineStr" for c in root.iter(main("c")) if c.get("r", "").startswith("H"))


def test_overwrite_keeps_style_unless_a_new_one_is_given() -> None:
    data = minimal_xlsx(
        '<sheetData><row r="2" spans="1:3" ht="30" customHeight="1"><c r="A2" s="4"><v>1</v></c>'
        '<c r="C2" s="5" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    pkg = XlsxPackage.open(data)
    pkg.set_cells("Sheet1", {(2, 1): "new", (2, 3): None})
    pkg.set_cells("Sheet1", {(2, 2): 7.5}, style=9)
    root = _sheet_xml(pkg, "Sheet1")
    a2, b2, c2 = root.iter(main("c"))
    assert (a2.get("r"), a2.get("s"), a2.get("t")) == ("A2", "4", "inlineStr")
    assert (b2.get("r"), b2.get("s"), b2.findtext(main("v"))) == ("B2", "9", "7.5")
    assert (c2.get("s"), c2.get("t"), len(c2)) == ("5", None, 0)  # cleared, style kept
    row = root.find(f"{main('sheetData')}/{main('row')}")
    assert (row.get("ht"), row.get("customHeight"), row.get("spans")) == ("30", "1", "1:3")


def test_cells_and_rows_are_inserted_in_sorted_order() -> None:
    data = minimal_xlsx('<sheetData><row r="3"><c r="C3"><v>3</v></c></row><row r="10"><c r="B10"><v>1</v></c>'
                        '</row></sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                        'header="0.3" footer="0.3"/>')
    pkg = XlsxPackage.open(data)
    wanted = {(r, c): r * 100 + c for r in (1, 3, 5, 10, 12) for c in (1, 3, 27, 4)}
    items = list(wanted.items())
    random.Random(7).shuffle(items)
    pkg.set_cells("Sheet1", dict(items))
    root = _sheet_xml(pkg, "Sheet1")
    rows = [int(r.get("r")) for r in root.iter(main("row"))]
    assert rows == sorted(rows) == [1, 3, 5, 10, 12]
    for row in root.iter(main("row")):
        cols = [c.get("r") for c in row]
        from kpi_excel.ooxml import parse_cell

        assert [parse_cell(c)[1] for c in cols] == sorted(parse_cell(c)[1] for c in cols)
    assert root.find(main("dimension")).get("ref") == "A1:AA12"
    values = pkg.read_sheet("Sheet1")
    assert all(values.value(r, c) == v for (r, c), v in wanted.items())
    assert [el.tag for el in root][-1] == main("pageMargins")


def test_new_cells_take_the_column_or_row_style() -> None:
    data = minimal_xlsx(
        '<cols><col min="2" max="3" width="9" style="7" customWidth="1"/></cols>'
        '<sheetData><row r="4" s="3" customFormat="1"><c r="A4"><v>1</v></c></row></sheetData>'
    )
    pkg = XlsxPackage.open(data)
    pkg.set_cells("Sheet1", {(1, 2): 1, (4, 5): 2, (1, 6): 3})
    root = _sheet_xml(pkg, "Sheet1")
    styles = {c.get("r"): c.get("s") for c in root.iter(main("c"))}
    assert styles == {"B1": "7", "F1": None, "A4": None, "E4": "3"}


def test_missing_values_dates_and_bad_numbers() -> None:
    import pandas as pd

    pkg = XlsxPackage.open(minimal_xlsx('<sheetData><row r="1"><c r="A1" s="2"><v>5</v></c></row></sheetData>'))
    pkg.set_cells("Sheet1", {(1, 1): math.nan, (1, 2): pd.NA, (1, 3): dt.date(2023, 3, 15),
                             (1, 4): dt.datetime(2023, 3, 15, 12), (1, 5): pd.NaT, (1, 6): 3})
    values = pkg.read_sheet("Sheet1")
    assert values.rows() == [[None, None, 45000, 45000.5, None, 3]]
    assert values.style(1, 1) == 2
    with pytest.raises(OoxmlValueError):
        pkg.set_cells("Sheet1", {(1, 1): math.inf})
    with pytest.raises(OoxmlValueError):
        pkg.set_cells("Sheet1", {(1, 1): object()})
    with pytest.raises(OoxmlValueError):
        pkg.set_cells("Sheet1", {(0, 1): 1})


def test_keep_applies_a_style_without_touching_the_value() -> None:
    pkg = XlsxPackage.open(minimal_xlsx('<sheetData><row r="1"><c r="A1"><v>5</v></c></row></sheetData>'))
    pkg.write_columns("Sheet1", 1, {1: [KEEP, "x"]}, styles={1: 4})
    values = pkg.read_sheet("Sheet1")
    assert values.column(1) == [5, "x"]
    assert values.style(1, 1) == 4 and values.style(2, 1) == 4


def test_overwriting_formulas_is_reported_and_calc_chain_cleaned(copy_of) -> None:
    target = copy_of("poi_56644.xlsx")
    pkg = XlsxPackage.open(target)
    report = pkg.set_cells("lists", {(29, 4): 1, (40, 3): "text", (1, 1): "untouched formula-free"})
    assert sorted(report.formulas_removed) == ["C40", "D29"]
    pkg.save()
    chain = zip_parts(target)["xl/calcChain.xml"]
    root = etree.fromstring(chain)
    left = [(c.get("r"), c.get("i")) for c in root]
    assert left == [("B61", "2"), ("A24", "2")]
    again = XlsxPackage.open(target).read_sheet("lists")
    assert set(again.formulas) == {(24, 1), (61, 2)}
    assert again.value(29, 4) == 1
    openpyxl.load_workbook(target)


def test_calc_chain_entry_that_lends_its_sheet_id_passes_it_on() -> None:
    chain = (b'<?xml version="1.0"?><calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<c r="B1" i="1"/><c r="B2"/></calcChain>')
    rel = ('<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'calcChain" Target="calcChain.xml"/>')
    body = ('<sheetData><row r="1"><c r="B1"><f>1+1</f><v>2</v></c></row>'
            '<row r="2"><c r="B2"><f>B1+1</f><v>3</v></c></row></sheetData>')
    pkg = XlsxPackage.open(minimal_xlsx(body, extra_parts={"xl/calcChain.xml": chain}, workbook_rels_extra=rel))
    pkg.set_cells("Sheet1", {(1, 2): 5})
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(pkg.to_bytes())) as archive:
        root = etree.fromstring(archive.read("xl/calcChain.xml"))
    assert [(c.get("r"), c.get("i")) for c in root] == [("B2", "1")]


def test_overwriting_a_shared_formula_master_promotes_the_next_cell() -> None:
    body = (
        '<sheetData>'
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f t="shared" si="0"/><v>4</v></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f t="shared" si="0"/><v>6</v></c></row>'
        "</sheetData>"
    )
    pkg = XlsxPackage.open(minimal_xlsx(body))
    report = pkg.set_cells("Sheet1", {(1, 2): "header"})
    assert report.formulas_removed == ["B1"]
    root = _sheet_xml(pkg, "Sheet1")
    formulas = {f.getparent().get("r"): (f.text, f.get("ref"), f.get("si")) for f in root.iter(main("f"))}
    assert formulas == {"B2": ("A2*2", "B2:B3", "0"), "B3": (None, None, "0")}


def test_writing_into_an_array_formula_range_removes_the_array() -> None:
    body = (
        '<sheetData><row r="1"><c r="A1" cm="1"><f t="array" ref="A1:A3">B1:B3*2</f><v>2</v></c></row>'
        '<row r="2"><c r="A2"><v>4</v></c></row><row r="3"><c r="A3"><v>6</v></c></row></sheetData>'
    )
    pkg = XlsxPackage.open(minimal_xlsx(body))
    report = pkg.set_cells("Sheet1", {(2, 1): 10})
    assert report.formulas_removed == ["A1"]
    root = _sheet_xml(pkg, "Sheet1")
    assert not list(root.iter(main("f")))
    assert pkg.read_sheet("Sheet1").column(1) == [2, 10, 6]
    assert root.find(f".//{main('c')}[@r='A1']").get("cm") is None


def test_dynamic_array_cell_overwrite_drops_its_metadata(copy_of) -> None:
    target = copy_of("corpus_dynamic_array01.xlsx")
    pkg = XlsxPackage.open(target)
    report = pkg.set_cells("Sheet1", {(1, 1): 0.5})
    assert report.formulas_removed == ["A1"]
    pkg.save()
    root = _sheet_xml(XlsxPackage.open(target), "Sheet1")
    a1 = root.find(f".//{main('c')}[@r='A1']")
    assert a1.get("cm") is None and a1.find(main("f")) is None
    assert zip_parts(target)["xl/metadata.xml"]  # the metadata part itself stays


def test_appending_rows_grows_the_table_and_header_writes_rename_columns(copy_of, officer_workbook: Path) -> None:
    target = copy_of(officer_workbook)
    pkg = XlsxPackage.open(target)
    report = pkg.write_rows("KPIs", (7, 1), [["NEW1", "New indicator", "High = Good", 0.5, 0.4, 0.3, None, None],
                                             ["NEW2", "Another", "Low = Good", 1, 2, 3, None, None]])
    assert report.tables_resized == ["KPITable"]
    report = pkg.set_cells("KPIs", {(1, 7): "Trend (vs previous)"})
    assert report.table_headers_renamed == ["KPITable"]
    # A write that skips a row does not stretch the table over the gap.
    assert pkg.set_cells("KPIs", {(10, 1): "far"}).tables_resized == []
    pkg.save()
    (table,) = XlsxPackage.open(target).tables("KPIs")
    assert table.ref.ref == "A1:H8"
    assert table.columns[6] == "Trend (vs previous)"
    root = etree.fromstring(zip_parts(target)[table.part])
    assert root.find(main("autoFilter")).get("ref") == "A1:H8"
    ws = openpyxl.load_workbook(target)["KPIs"]
    assert ws.tables["KPITable"].ref == "A1:H8"
    with pytest.raises(OoxmlValueError):
        XlsxPackage.open(target).set_cells("KPIs", {(1, 2): "Code"})  # duplicate header


def test_write_columns_block_form(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    pct = pkg.add_cell_style(0, number_format="0.0%")
    report = pkg.write_columns("KPIs", 2, {7: ["Increase", "Decrease", None, "Same", "n/a"],
                                           8: ["Red", "Green", "Amber", "Green", None]},
                               styles={7: None, 8: [pct, None, None, None, None]})
    assert report.cells_written == 10 and report.written_range.ref == "G2:H6"
    values = pkg.read_sheet("KPIs")
    assert values.column(8)[1:] == ["Red", "Green", "Amber", "Green", None]
    assert values.number_format(2, 8) == "0.0%"


def test_bad_header_writes_are_refused_before_anything_changes(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    before = pkg.opc.read(pkg.sheet("KPIs").part)
    with pytest.raises(OoxmlValueError, match="blank"):
        pkg.set_cells("KPIs", {(3, 1): "changed", (1, 3): None})
    with pytest.raises(OoxmlValueError, match="repeat"):
        pkg.set_cells("KPIs", {(1, 3): "Code"})
    assert pkg.opc.read(pkg.sheet("KPIs").part) == before
    # Swapping two names in one write is fine; numbers in a header become text; KEEP renames nothing.
    report = pkg.set_cells("KPIs", {(1, 1): "Indicator", (1, 2): "Code", (1, 4): 2024})
    report2 = pkg.write_columns("KPIs", 1, {5: [KEEP]}, styles={5: 0})
    (table,) = pkg.tables("KPIs")
    assert table.columns[:5] == ("Indicator", "Code", "Polarity", "2024", "Latest")
    assert report.table_headers_renamed == ["KPITable"] and report2.table_headers_renamed == []
    assert pkg.read_sheet("KPIs").value(1, 4) == "2024"
