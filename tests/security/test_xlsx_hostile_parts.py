"""Hostile parts inside a workbook: each is one line naming the file, sheet or cell, exit 1,
and the workbook byte-identical, through every door that reads a workbook (refresh,
``rate``, ``--data``). Never ``internal error`` (exit 3)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kpi_excel.cli import main
from tests.security.hostile import add_cells, example_report, refused_in_one_line, rewrite_parts

SST = "xl/sharedStrings.xml"
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
          b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
          b"<si><t>&lol3;</t></si></sst>")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_report(tmp_path_factory.mktemp("example") / "example.xlsx")


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A rate table written the way Excel writes text: through shared strings."""
    import xlsxwriter

    path = tmp_path_factory.mktemp("table") / "table.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("KPIs")
    sheet.write_row(0, 0, ["Indicator", "Code", "Polarity", "Latest Value", "Target"])
    sheet.write_row(1, 0, ["Re-referrals", "CP1", "Low = Good", 22.4, 20])
    book.close()
    assert SST in zipfile.ZipFile(path).namelist()
    return path


def _every_door(runner, example: Path, hostile: Path, tmp_path: Path, *, refresh: bool = True,
                data: bool = True, rate: bool = True) -> list[str]:  # type: ignore[no-untyped-def]
    """The hostile workbook refreshed, given as --data to a sound report, and rated."""
    out = tmp_path / "out.xlsx"
    report = tmp_path / "report.xlsx"
    report.write_bytes(example.read_bytes())
    lines = []
    if refresh:
        lines.append(refused_in_one_line(runner, ["refresh", hostile], hostile))
    if data:
        lines.append(refused_in_one_line(runner, ["refresh", report, "-o", out, "--data", hostile], report, hostile))
    if rate:
        lines.append(refused_in_one_line(runner, ["rate", hostile], hostile))
    assert not out.exists()
    return lines


@pytest.mark.parametrize("reference", ["&#x110000;", "a&#xD800;b", "&#0;", "&#99999999999;", "&#x1F;"])
def test_xlsx_character_references_outside_xml_name_the_cell(runner, example, tmp_path, reference) -> None:  # type: ignore[no-untyped-def]
    # KPIs is read by refresh and rate (the first sheet with a header); Data by refresh and --data.
    for sheet, doors in (("KPIs", {"data": False}), ("Data", {"rate": False})):
        hostile = add_cells(example, sheet, f'<row r="300"><c r="B300" t="inlineStr"><is><t>{reference}</t>'
                                            "</is></c></row>", tmp_path / f"hostile_{sheet}.xlsx")
        for line in _every_door(runner, example, hostile, tmp_path, **doors):
            assert f"hostile_{sheet}.xlsx" in line and f"sheet '{sheet}' cell B300" in line, line


def test_xlsx_character_references_through_the_xml_parser_name_the_sheet(runner, example, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A comment in the sheet data sends the sheet to lxml, which refuses the reference itself.
    hostile = add_cells(example, "KPIs", '<!-- note --><row r="300"><c r="B300" t="inlineStr"><is><t>&#xD800;</t>'
                                         "</is></c></row>", tmp_path / "hostile.xlsx")
    line = refused_in_one_line(runner, ["refresh", hostile], hostile)
    from kpi_excel.ooxml import XlsxPackage

    last_row = XlsxPackage.open(example).read_sheet("KPIs").used_range.max_row  # the last row before the bad one
    assert "hostile.xlsx" in line and "sheet 'KPIs'" in line and "not well-formed XML" in line
    # How far lxml reads before it reports depends on libxml2's buffering (2.14 stops earlier than
    # 2.12): what we promise is a row the sheet really has, at or before the last good one.
    import re

    after = re.search(r"after row ([\d,]+)", line)
    assert after and 1 <= int(after.group(1).replace(",", "")) <= last_row, line


def test_xlsx_a_billion_laughs_in_the_shared_strings_is_refused(runner, example, table, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hostile = rewrite_parts(table, {SST: LAUGHS}, tmp_path / "laughs.xlsx")
    for line in _every_door(runner, example, hostile, tmp_path):
        assert "laughs.xlsx" in line and "declares a DTD" in line and SST in line


@pytest.mark.parametrize("disguise", ["padded", "utf-16", "in a sheet", "in the workbook part"])
def test_xlsx_any_dtd_anywhere_is_refused(runner, example, table, tmp_path, disguise) -> None:  # type: ignore[no-untyped-def]
    dtd = b'<!DOCTYPE x [<!ENTITY a "b">]>'
    if disguise == "padded":  # pushed past the first 4 KB, behind a comment
        change = {SST: LAUGHS.replace(b"<!DOCTYPE", b" " * 9000 + b"<!-- x --><!DOCTYPE", 1)}
    elif disguise == "utf-16":
        change = {SST: LAUGHS.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
                  .encode("utf-16")}
    elif disguise == "in a sheet":
        change = {"xl/worksheets/sheet1.xml": lambda data: data.replace(b"<worksheet", dtd + b"<worksheet", 1)}
    else:
        change = {"xl/workbook.xml": lambda data: data.replace(b"<workbook", dtd + b"<workbook", 1)}
    hostile = rewrite_parts(table, change, tmp_path / "dtd.xlsx")
    for line in _every_door(runner, example, hostile, tmp_path):
        assert "dtd.xlsx" in line and "DTD" in line


def _crc_damaged(path: Path, part: str, out: Path) -> Path:
    """The part's bytes flipped in place: sizes and headers intact, the CRC no longer matches."""
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    if info.compress_type == zipfile.ZIP_STORED:
        data[start + 10] ^= 0x01
    else:  # a stored copy, so one flipped byte is a clean CRC failure rather than bad deflate
        return _crc_damaged(rewrite_stored(path, out), part, out)
    out.write_bytes(bytes(data))
    return out


def rewrite_stored(path: Path, out: Path) -> Path:
    with zipfile.ZipFile(path) as src:
        entries = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name, data in entries:
            dst.writestr(name, data)
    return out


@pytest.mark.parametrize("damage", ["crc", "deflate", "truncated", "not a zip", "empty"])
def test_xlsx_a_corrupt_zip_is_one_line_through_every_door(runner, example, table, tmp_path, damage) -> None:  # type: ignore[no-untyped-def]
    hostile = tmp_path / "broken.xlsx"
    if damage == "crc":
        _crc_damaged(table, "xl/worksheets/sheet1.xml", hostile)
    elif damage == "deflate":
        data = bytearray(table.read_bytes())
        info = zipfile.ZipFile(table).getinfo("xl/worksheets/sheet1.xml")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        data[start:start + 40] = bytes(40)
        hostile.write_bytes(bytes(data))
    elif damage == "truncated":
        hostile.write_bytes(table.read_bytes()[:2000])
    elif damage == "not a zip":
        hostile.write_bytes(b"PK\x03\x04 this is not really a zip file")
    else:
        hostile.write_bytes(b"")
    for line in _every_door(runner, example, hostile, tmp_path):
        assert "broken.xlsx" in line, line
    if damage == "crc":
        assert "CRC" in line and "sheet 'KPIs'" in line


@pytest.mark.parametrize("cell, said", [
    ('<c r="B300"><v>abc</v></c>', "sheet 'KPIs' cell B300: 'abc' is not a number"),
    ('<c r="XFE300"><v>1</v></c>', "sheet 'KPIs' cell XFE300: the column is beyond XFD"),
    ('<c r="B0"><v>1</v></c>', "sheet 'KPIs' cell B0: row 0 is outside"),
    ('<c r="B300" t="s"><v>x</v></c>', "sheet 'KPIs' cell B300: shared string index 'x' is not a number"),
])
def test_xlsx_unreadable_cells_are_named(runner, example, tmp_path, cell, said) -> None:  # type: ignore[no-untyped-def]
    hostile = add_cells(example, "KPIs", f'<row r="300">{cell}</row>', tmp_path / "cells.xlsx")
    assert said in refused_in_one_line(runner, ["refresh", hostile], hostile)


def test_xlsx_a_kpis_sheet_twice_in_another_case_is_named_not_guessed(runner, example, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 'KPIs' and 'kpis': Excel allows only one; refresh the exact one, refuse when neither is exact.
    exact = rewrite_parts(example, {"xl/workbook.xml": lambda d: d.replace(b'name="Log"', b'name="kpis"')},
                          tmp_path / "exact.xlsx")
    result = runner.invoke(main, ["refresh", str(exact), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 0, result.output
    neither = rewrite_parts(example, {"xl/workbook.xml": lambda d: d.replace(b'name="KPIs"', b'name="Kpis"')
                                      .replace(b'name="Log"', b'name="kpis"')}, tmp_path / "neither.xlsx")
    line = refused_in_one_line(runner, ["refresh", neither], neither)
    assert "'Kpis' and 'kpis'" in line and "KPIs sheet" in line


def test_xlsx_an_escaped_lone_surrogate_is_read_not_crashed_on(runner, example, tmp_path) -> None:  # type: ignore[no-untyped-def]
    workbook = add_cells(example, "KPIs", '<row r="300"><c r="S300" t="inlineStr"><is><t>a_xD800_b</t></is></c>'
                                          "</row>", tmp_path / "escaped.xlsx")
    result = runner.invoke(main, ["refresh", str(workbook)])
    assert result.exit_code == 0, result.output
    from kpi_excel.ooxml import XlsxPackage

    assert XlsxPackage.open(workbook).read_sheet("KPIs").value(300, 19) == "a\ufffdb"


# ---- a formula never calculated (issue 9) -----------------------------------------------------


def test_xlsx_a_formula_never_calculated_says_so(runner, example, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    book = Workbook()  # openpyxl writes formulas without a calculated value
    sheet = book.active
    sheet.title = "Table"
    sheet.append(["Indicator", "Polarity", "Previous Value", "Latest Value", "Target"])
    sheet.append(["Re-referrals", "Low = Good", "23%", "=0.2+0.01", "20%"])
    table = tmp_path / "formula.xlsx"
    book.save(table)
    result = runner.invoke(main, ["rate", str(table)])
    assert result.exit_code == 0
    assert "Latest Value: formula not calculated: open and save the file in Excel first" in result.stdout

    data = tmp_path / "data.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["Code", "Period", "Value"])
    sheet.append(["CFWS01", "Q3 2022/23", "=1+1"])
    book.save(data)
    report = tmp_path / "report.xlsx"
    report.write_bytes(example.read_bytes())
    result = runner.invoke(main, ["refresh", str(report), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "Data!C2: formula not calculated: open and save the file in Excel first" in result.stdout  # the refresh's report

    kpis = add_cells(example, "KPIs", '<row r="30"><c r="C30" t="inlineStr"><is><t>A formula row</t></is></c>'
                                      '<c r="D30" t="inlineStr"><is><t>FX1</t></is></c>'
                                      '<c r="J30"><f>SUM(A1:A2)</f></c></row>', tmp_path / "kpis.xlsx")
    result = runner.invoke(main, ["refresh", str(kpis)])
    assert result.exit_code == 0, result.output
    from kpi_excel.ooxml import XlsxPackage

    values = XlsxPackage.open(kpis).read_sheet("KPIs")
    checks = next(c for c in range(1, values.last_col + 1) if values.value(1, c) == "Checks")
    assert "Latest Value: formula not calculated: open and save the file in Excel first" in values.value(30, checks)
