"""Conditional formats and dropdowns: schema position, priorities, idempotent managed re-apply."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml import (
    CellIsRule,
    ConditionalFormat,
    ContainsTextRule,
    DataBarRule,
    DxfStyle,
    ExpressionRule,
    IconSetRule,
    ListValidation,
    XlsxPackage,
)
from kpi_excel.ooxml.condformat import existing_priorities
from kpi_excel.ooxml.managed import MANAGED_NS
from kpi_excel.ooxml.xmlutil import WORKSHEET_ORDER, main, qn
from tests.ooxml.helpers import children_in_schema_order, minimal_xlsx, zip_parts

RED = DxfStyle(fill="FFC7CE", font_color="9C0006")
AMBER = DxfStyle(fill="FFEB9C", font_color="9C5700")
GREEN = DxfStyle(fill="C6EFCE", font_color="006100")


def rag_rules(last_row: int = 6, red: DxfStyle = RED) -> list[ConditionalFormat]:
    rng = f"H2:H{last_row}"
    return [
        ConditionalFormat(rng, CellIsRule("equal", ('"Red"',), red)),
        ConditionalFormat(rng, CellIsRule("equal", ('"Amber"',), AMBER)),
        ConditionalFormat(rng, ContainsTextRule("Green", GREEN)),
        ConditionalFormat(f"G2:G{last_row}", IconSetRule("3Arrows")),
        ConditionalFormat(f"A2:H{last_row}", ExpressionRule("$H2=\"Red\"", DxfStyle(bold=True))),
    ]


def _root(pkg: XlsxPackage, sheet: str) -> etree._Element:
    return etree.fromstring(pkg.opc.read(pkg.sheet(sheet).part))


def _rules(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(main("cfRule")))


def test_priorities_follow_every_existing_rule_including_x14(copy_of) -> None:
    target = copy_of("poi_NewStyleConditionalFormattings.xlsx")
    pkg = XlsxPackage.open(target)
    root = _root(pkg, "CF")
    before = existing_priorities(root)
    x14 = [int(r.get("priority")) for r in root.iter(qn("x14", "cfRule")) if r.get("priority")]
    assert x14, "the fixture has 2010-style rules"
    pkg.set_managed_conditional_formats("CF", [ConditionalFormat("W2:W17", DataBarRule()),
                                               ConditionalFormat("W2:W17", CellIsRule("lessThan", ("0",), RED))])
    after = existing_priorities(_root(pkg, "CF"))
    new = sorted(set(after) - set(before))
    assert len(after) == len(set(after)), "no two rules share a priority"
    assert new == [max(before) + 1, max(before) + 2]
    pkg.save()
    assert len(openpyxl.load_workbook(target)["CF"].conditional_formatting) > 0


def test_rules_go_to_the_schema_position() -> None:
    body = (
        '<sheetData/><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
        '<dataValidations count="1"><dataValidation type="whole" sqref="C1"><formula1>1</formula1></dataValidation>'
        '</dataValidations><hyperlinks><hyperlink ref="A1" location="Sheet1!A2"/></hyperlinks>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<tableParts count="0"/>'
    )
    pkg = XlsxPackage.open(minimal_xlsx(body))
    pkg.set_managed_conditional_formats("Sheet1", rag_rules())
    pkg.set_managed_validations("Sheet1", [ListValidation("H2:H6", ["Red", "Amber", "Green"])])
    root = _root(pkg, "Sheet1")
    names = [el.tag.split("}")[1] for el in root]
    assert children_in_schema_order(root, WORKSHEET_ORDER), names
    assert names.index("conditionalFormatting") > names.index("mergeCells")
    assert names.index("conditionalFormatting") < names.index("dataValidations")
    assert names.count("dataValidations") == 1
    assert root.find(main("dataValidations")).get("count") == "2"


def test_managed_rules_are_replaced_not_duplicated_and_officer_rules_stay(copy_of, officer_workbook: Path) -> None:
    target = copy_of(officer_workbook)
    pkg = XlsxPackage.open(target)
    officer_rules = [etree.tostring(r) for r in _rules(_root(pkg, "KPIs"))]
    assert len(officer_rules) == 4

    first = pkg.set_managed_conditional_formats("KPIs", rag_rules())
    pkg.save()
    snapshot = zip_parts(target)[pkg.sheet("KPIs").part]

    # The next refresh (a new process) re-applies the same rules: nothing changes.
    again = XlsxPackage.open(target)
    second = again.set_managed_conditional_formats("KPIs", rag_rules())
    assert (first.added, first.removed) == (5, 0)
    assert (second.added, second.removed) == (5, 5)
    again.save()
    after = zip_parts(target)[again.sheet("KPIs").part]
    assert len(_rules(etree.fromstring(after))) == len(_rules(etree.fromstring(snapshot))) == 9

    # Rows were added, colours changed: the old managed rules go, the officer's stay byte-for-byte.
    third = XlsxPackage.open(target)
    change = third.set_managed_conditional_formats("KPIs", rag_rules(last_row=9, red=DxfStyle(fill="FF0000")))
    assert change.removed == 5
    root = _root(third, "KPIs")
    serialized = [etree.tostring(r) for r in _rules(root)]
    for rule in officer_rules:
        assert any(rule.replace(b' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', b"") in s
                   or rule == s for s in serialized)
    assert len(serialized) == 9
    assert {b.get("sqref") for b in root.iter(main("conditionalFormatting"))} >= {"H2:H9", "G2:G9", "A2:H9"}


def test_a_rule_the_officer_edited_becomes_theirs(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    pkg.set_managed_conditional_formats("KPIs", [ConditionalFormat("H2:H6", ExpressionRule('$H2="Red"', RED))])
    reopened = XlsxPackage.open(pkg.to_bytes())
    root = reopened.opc.xml(reopened.sheet("KPIs").part)
    ours = [r for r in root.iter(main("cfRule")) if r.get("type") == "expression"][0]
    ours.find(main("formula")).text = '$H2="RED"'  # the officer tweaks our rule in Excel
    reopened.opc.mark_dirty(reopened.sheet("KPIs").part)
    change = reopened.set_managed_conditional_formats("KPIs", [])
    assert change.removed == 0
    assert any((r.findtext(main("formula")) or "") == '$H2="RED"' for r in _rules(_root(reopened, "KPIs")))


def test_registry_is_a_custom_xml_part_with_properties(officer_workbook: Path, tmp_path: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    pkg.set_managed_conditional_formats("KPIs", rag_rules())
    # H2:H6 already has the officer's own dropdown: ours is not stacked on it (G2:G6 is free).
    change = pkg.set_managed_validations("KPIs", [ListValidation("H2:H6", "=RagOptions"),
                                                  ListValidation("G2:G6", "=RagOptions")])
    assert (change.added, change.skipped) == (1, ("H2:H6",))
    parts = {n: pkg.opc.read(n) for n in pkg.opc.names()}
    pkg.to_bytes()
    item = next(n for n in pkg.opc.names() if n.startswith("customXml/item") and "Props" not in n)
    data = pkg.opc.read(item)
    assert MANAGED_NS.encode() in data and data.count(b"<cf ") == 5 and data.count(b"<dv ") == 1
    props = [r.part for r in pkg.opc.relationships(item)]
    assert props and pkg.opc.content_type(props[0]).endswith("customXmlProperties+xml")
    assert parts  # snapshot taken before flush, used only to show the part is created on output


def test_validations_inline_range_and_name_are_idempotent(copy_of) -> None:
    target = copy_of("cxml_TryToLoad__ValidationWithSheetReference.xlsx")
    original = zip_parts(target)["xl/worksheets/sheet1.xml"]
    items = [
        ListValidation("C2:C4", ["Red", "Amber", "Green"], prompt="Pick a RAG status"),
        ListValidation("D2:D4", "=ValuesSheet!$A$1:$A$4"),
    ]
    pkg = XlsxPackage.open(target)
    assert pkg.set_managed_validations("UI Sheet", items).added == 2
    pkg.save()
    pkg = XlsxPackage.open(target)
    assert pkg.set_managed_validations("UI Sheet", items) == type(pkg.set_managed_validations("UI Sheet", items))(2, 2)
    pkg.save()
    root = etree.fromstring(zip_parts(target)["xl/worksheets/sheet1.xml"])
    dvs = root.find(main("dataValidations"))
    assert dvs.get("count") == "3" and len(dvs) == 3
    formulas = [dv.findtext(main("formula1")) for dv in dvs]
    assert formulas == ["$E$1:$E$4", '"Red,Amber,Green"', "ValuesSheet!$A$1:$A$4"]
    # The officer's cross-sheet (x14) dropdown is untouched.
    x14 = etree.tostring(root.find(main("extLst")))
    assert x14 in original.replace(b"\r\n", b"\n") or b"ValuesSheet!$A$1:$A$4</xm:f>" in x14
    ws = openpyxl.load_workbook(target)["UI Sheet"]
    assert len(ws.data_validations.dataValidation) == 3


def test_validation_input_errors() -> None:
    with pytest.raises(OoxmlValueError, match="comma"):
        ListValidation("A1", ["a,b"]).formula1()
    with pytest.raises(OoxmlValueError, match="255"):
        ListValidation("A1", ["x" * 100, "y" * 100, "z" * 100]).formula1()
    assert ListValidation("A1", ['say "hi"']).formula1() == '"say ""hi"""'
    with pytest.raises(OoxmlValueError):
        CellIsRule("between", ("1",), RED).build(0, 1, "A1")
