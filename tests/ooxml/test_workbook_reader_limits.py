"""WorkbookReader (the reader split out of XlsxPackage) refuses every hostile workbook XlsxPackage
refuses, with the same error: zip bombs, entry and size limits, lying headers, sheet and
shared-string limits, a folder or a missing file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi_excel.ooxml import SheetLimits, XlsxPackage, ZipLimits
from kpi_excel.ooxml.workbook_reader import WorkbookReader
from tests.ooxml.helpers import minimal_xlsx, with_declared_size

SHEET = '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1" t="s"><v>0</v></c></row></sheetData>'


def _source(case: str, tmp_path: Path) -> object:
    many = minimal_xlsx(SHEET, extra_parts={f"x/{i}.bin": b"x" for i in range(20)})
    return {
        "bomb": minimal_xlsx(SHEET, extra_parts={"xl/media/bomb.xml": b"\0" * (40 << 20)}),
        "entries": many, "entry_size": many, "total_size": many, "file_size": tmp_path / "big.xlsx",
        "lying_header": with_declared_size(minimal_xlsx(SHEET), "xl/worksheets/sheet1.xml", 10),
        "not_a_zip": b"this is a csv, not a workbook",
        "folder": tmp_path, "missing": tmp_path / "none.xlsx",
        "sheet_bytes": minimal_xlsx(SHEET), "sheet_cells": minimal_xlsx(SHEET),
    }[case]


LIMITS = {"entries": ZipLimits(max_entries=10), "entry_size": ZipLimits(max_entry_size=100),
          "total_size": ZipLimits(max_total_size=500), "file_size": ZipLimits(max_total_size=500)}
SHEET_LIMITS = {"sheet_bytes": SheetLimits(max_part_bytes=10), "sheet_cells": SheetLimits(max_cells=1)}


def _outcome(cls: type, source: object, case: str) -> str:
    try:
        pkg = cls.open(source, limits=LIMITS.get(case))
        pkg.read_sheet("Sheet1", limits=SHEET_LIMITS.get(case))
    except Exception as exc:  # noqa: BLE001 - the error is what is compared
        return f"{type(exc).__name__}: {exc}"
    return "read"


@pytest.mark.parametrize("case", ["bomb", "entries", "entry_size", "total_size", "file_size", "lying_header",
                                  "not_a_zip", "folder", "missing", "sheet_bytes", "sheet_cells"])
def test_the_reader_refuses_what_the_editor_refuses(case: str, tmp_path: Path) -> None:
    source = _source(case, tmp_path)
    if case == "file_size":
        source.write_bytes(minimal_xlsx(SHEET, extra_parts={f"x/{i}.bin": b"x" * 50 for i in range(20)}))
    got = _outcome(WorkbookReader, source, case)
    assert got != "read"
    assert got == _outcome(XlsxPackage, source, case)


def test_a_shared_strings_part_past_its_limit_is_refused_by_both(monkeypatch: pytest.MonkeyPatch) -> None:
    import kpi_excel.ooxml.workbook_reader as reader

    sst = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           b"<si><t>a shared string longer than ten bytes</t></si></sst>")
    rel = ('<Relationship Id="rId99" Target="sharedStrings.xml" '
           'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>')
    data = minimal_xlsx(SHEET, extra_parts={"xl/sharedStrings.xml": sst}, workbook_rels_extra=rel)
    assert _outcome(WorkbookReader, data, "") == "read"  # within the limit: read
    monkeypatch.setattr(reader, "MAX_SHARED_STRINGS_BYTES", 10)
    got = _outcome(WorkbookReader, data, "sst")
    assert "shared strings" in got and got == _outcome(XlsxPackage, data, "sst")
