"""The OPC/zip layer: bomb guard, unsafe XML, raw copy, content types, relationships."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kpi_excel.ooxml.errors import CorruptPackageError, PackageError, UnsafePackageError, UnsupportedPackageError
from kpi_excel.ooxml import XlsxPackage, ZipLimits
from kpi_excel.ooxml.package import CT, RT, OpcPackage, relative_target, resolve_target
from tests.ooxml.helpers import excel_made_files, minimal_xlsx, patch_part, with_declared_size

SHEET = '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'


def test_a_zip_bomb_is_refused_before_inflating() -> None:
    bomb = minimal_xlsx(SHEET, extra_parts={"xl/media/bomb.xml": b"\0" * (40 << 20)})
    assert len(bomb) < 200_000  # 40 MiB of zeros deflates to about 40 KiB
    with pytest.raises(UnsafePackageError, match="compression ratio"):
        XlsxPackage.open(bomb)


def test_entry_count_and_size_limits() -> None:
    data = minimal_xlsx(SHEET, extra_parts={f"x/{i}.bin": b"x" for i in range(20)})
    with pytest.raises(UnsafePackageError, match="entries"):
        XlsxPackage.open(data, limits=ZipLimits(max_entries=10))
    with pytest.raises(UnsafePackageError, match="inflate to"):
        XlsxPackage.open(data, limits=ZipLimits(max_entry_size=100))
    with pytest.raises(UnsafePackageError, match="more than"):
        XlsxPackage.open(data, limits=ZipLimits(max_total_size=500))


def test_a_header_that_lies_about_its_size_is_caught_on_inflate() -> None:
    data = with_declared_size(minimal_xlsx(SHEET), "xl/worksheets/sheet1.xml", 10)  # the file holds more
    pkg = XlsxPackage.open(data)
    with pytest.raises(UnsafePackageError, match="different size"):
        pkg.read_sheet("Sheet1")


def test_encrypted_or_legacy_files_get_a_clear_error() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    with pytest.raises(UnsafePackageError, match="encrypted"):
        XlsxPackage.open(ole)
    with pytest.raises(CorruptPackageError, match="not a zip"):
        XlsxPackage.open(b"this is a csv, not a workbook")


def test_dtd_and_entities_are_refused() -> None:
    evil = patch_part(
        minimal_xlsx(SHEET), "xl/workbook.xml", b"\n<workbook",
        b'\n<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n<workbook',
    )
    with pytest.raises(UnsafePackageError, match="DTD"):
        XlsxPackage.open(evil)


def test_unsafe_entry_names_are_refused() -> None:
    data = minimal_xlsx(SHEET, extra_parts={"../evil.xml": b"<x/>"})
    with pytest.raises(UnsafePackageError, match="unsafe path"):
        XlsxPackage.open(data)


def test_strict_ooxml_is_reported_as_unsupported() -> None:
    data = patch_part(
        minimal_xlsx(SHEET), "xl/workbook.xml",
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        b'<workbook xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"',
    )
    with pytest.raises(UnsupportedPackageError, match="Strict"):
        XlsxPackage.open(data)


def test_missing_file_is_a_workbook_error(tmp_path: Path) -> None:
    with pytest.raises(PackageError) as info:
        XlsxPackage.open(tmp_path / "nope.xlsx")
    assert info.value.path == tmp_path / "nope.xlsx"


@pytest.mark.parametrize("source", excel_made_files(), ids=lambda p: p.name)
def test_round_trip_without_edits_keeps_every_part_and_stream(source: Path) -> None:
    out = XlsxPackage.open(source).to_bytes()
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(io.BytesIO(out)) as b:
        assert a.namelist() == b.namelist()
        for info in a.infolist():
            other = b.getinfo(info.filename)
            assert a.read(info) == b.read(other)
            assert (info.CRC, info.compress_size, info.compress_type, info.date_time) == (
                other.CRC, other.compress_size, other.compress_type, other.date_time)
        assert b.testzip() is None


def test_most_excel_files_round_trip_byte_for_byte() -> None:
    # Files Excel wrote without data descriptors come back identical, padding and all.
    identical = [p.name for p in excel_made_files() if XlsxPackage.open(p).to_bytes() == p.read_bytes()]
    assert len(identical) >= 25


def test_relationship_targets_resolve_both_ways() -> None:
    assert resolve_target("xl/worksheets/sheet1.xml", "../drawings/drawing1.xml") == "xl/drawings/drawing1.xml"
    assert resolve_target("xl/workbook.xml", "/xl/styles.xml") == "xl/styles.xml"
    assert resolve_target("xl/workbook.xml", "worksheets/My%20Sheet.xml") == "xl/worksheets/My Sheet.xml"
    assert relative_target("xl/worksheets/sheet1.xml", "xl/tables/table2.xml") == "../tables/table2.xml"
    assert relative_target("xl/workbook.xml", "customXml/item1.xml") == "../customXml/item1.xml"


def test_part_naming_is_case_insensitive_and_never_collides() -> None:
    data = minimal_xlsx(SHEET, extra_parts={"xl/charts/Chart1.xml": b"<c/>"})
    opc = OpcPackage.from_bytes(data)
    assert opc.has("XL/CHARTS/chart1.xml")
    assert opc.next_free("xl/charts/chart{}.xml") == "xl/charts/chart2.xml"


def test_new_parts_get_content_types_and_fresh_relationship_ids() -> None:
    opc = OpcPackage.from_bytes(minimal_xlsx(SHEET))
    opc.write("xl/tables/table1.xml", b"<table/>", CT.TABLE)
    rid = opc.add_relationship("xl/worksheets/sheet1.xml", RT.TABLE, "xl/tables/table1.xml")
    rid2 = opc.add_relationship("xl/workbook.xml", RT.STYLES, "xl/styles.xml")
    assert rid == "rId1" and rid2 == "rId2"  # the workbook already uses rId1
    assert opc.content_type("xl/tables/table1.xml") == CT.TABLE
    assert opc.content_type("xl/worksheets/_rels/sheet1.xml.rels") == CT.RELS
    opc.delete("xl/tables/table1.xml")
    assert opc.content_type("xl/tables/table1.xml") == CT.XML  # only the default is left
    assert not opc.has("xl/tables/table1.xml")
    assert [r.part for r in opc.references_to("xl/styles.xml")] == ["xl/styles.xml"]
