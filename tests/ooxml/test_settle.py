"""Memory follows the largest sheet, not the sum: a sheet done with is serialised and its
tree let go (settle), a kept read is reused only while its sheet is untouched, and a
sheet's codeName is read without parsing its cells."""

from __future__ import annotations

import pytest

from kpi_excel.ooxml.errors import UnsafePackageError
from kpi_excel.ooxml import XlsxPackage
from kpi_excel.ooxml.xmlutil import child_attribute, main
from tests.ooxml.helpers import minimal_xlsx

BODY = ('<sheetPr codeName="kpiExcel1"/><dimension ref="A1:B2"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>1</v></c></row>'
        '<row r="2"><c r="A2"><v>2</v></c></row></sheetData><pageMargins left="0.7" right="0.7" top="0.75" '
        'bottom="0.75" header="0.3" footer="0.3"/>')


def _edit(pkg: XlsxPackage) -> None:
    pkg.set_cells("Sheet1", {(1, 2): 5.5, (3, 1): "new", (3, 2): "", (1, 1): ""})  # "" saves as <t></t>


def test_a_settled_sheet_saves_the_same_bytes_and_can_be_edited_again() -> None:
    book = minimal_xlsx(BODY)  # made once: zip entries carry the time they were made, to 2 seconds
    plain, settled = XlsxPackage.open(book), XlsxPackage.open(book)
    _edit(plain)
    _edit(settled)
    settled.settle_sheet("Sheet1")
    part = "xl/worksheets/sheet1.xml"
    assert part not in settled.opc._xml and settled.opc.read(part) == plain.opc.read(part)
    assert settled.to_bytes() == plain.to_bytes()
    plain.set_cells("Sheet1", {(2, 2): "again"})
    settled.set_cells("Sheet1", {(2, 2): "again"})  # parses the settled bytes again
    assert settled.to_bytes() == plain.to_bytes()
    assert settled.read_sheet("Sheet1").value(2, 2) == "again"


def test_a_kept_read_is_reused_until_the_sheet_is_edited() -> None:
    pkg = XlsxPackage.open(minimal_xlsx(BODY))
    first = pkg.read_sheet("Sheet1", keep=True)
    assert pkg.read_sheet("Sheet1") is first
    _edit(pkg)
    again = pkg.read_sheet("Sheet1")
    assert again is not first and again.value(1, 2) == 5.5


def test_a_kept_read_is_not_reused_under_tighter_limits() -> None:
    from kpi_excel.ooxml import SheetLimits

    pkg = XlsxPackage.open(minimal_xlsx(BODY))
    first = pkg.read_sheet("Sheet1", limits=SheetLimits(max_cells=10), keep=True)
    assert pkg.read_sheet("Sheet1") is first  # what passed tight limits passes the defaults
    with pytest.raises(UnsafePackageError):
        pkg.read_sheet("Sheet1", limits=SheetLimits(max_cells=1))  # tighter: read and refused again


@pytest.mark.parametrize("body, expected", [
    (BODY, "kpiExcel1"),
    ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>', None),
    ('<dimension ref="A1"/><sheetData/><sheetPr codeName="late"/>', "late"),  # as find() would
    # The rows are skipped unread; what comes after them is still seen.
    ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><sheetPr codeName="late"/>', "late"),
    # Rows holding a comment are read through, so markup in it cannot mislead the cut.
    ('<sheetData><row r="1"><!-- </sheetData><sheetPr codeName="fake"/> --></row></sheetData>', None),
])
def test_code_name_is_read_as_find_would(body: str, expected: str | None) -> None:
    data = minimal_xlsx(body)
    pkg = XlsxPackage.open(data)
    sheet = pkg.opc.read("xl/worksheets/sheet1.xml")
    assert child_attribute(sheet, "sheet1", main("sheetPr"), "codeName") == expected
    assert pkg._code_name("xl/worksheets/sheet1.xml") == expected
    assert "xl/worksheets/sheet1.xml" not in pkg.opc._xml  # nothing parsed to a tree


def test_code_name_reader_refuses_a_dtd() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><worksheet/>'
    with pytest.raises(UnsafePackageError):
        child_attribute(data, "sheet1", main("sheetPr"), "codeName")


def test_a_settled_part_takes_its_prolog_from_the_first_bytes_only() -> None:
    """Serialising an edited part reuses its original prolog, read from the part's first bytes:
    the whole original is neither inflated to find it nor kept."""
    pkg = XlsxPackage.open(minimal_xlsx(BODY))
    name = "xl/worksheets/sheet1.xml"
    original = pkg.opc.read(name, keep=False)
    assert original.startswith(pkg.opc._original_head(name))
    assert name not in pkg.opc._orig
    pkg.set_cells("Sheet1", {(1, 1): 2.0})  # parsed to a tree (which keeps what it read): let that go
    pkg.opc._orig.pop(name, None)
    pkg.opc.settle(name)
    assert name not in pkg.opc._orig
    assert pkg.opc.read(name).startswith(original[:original.index(b"<worksheet")])
