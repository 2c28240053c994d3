"""A row an officer adds to kpi_excel's KPIs sheet is made tall enough for its wrapped text
(issue 16 item 15): a long Indicator or RAG Reason prints whole, its first lines not cut off.
Heights already set, and an officer's own sheet, are left alone (test_report_preservation)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from kpi_excel.workbook.file_door import LINE_HEIGHT, wrapped_lines
from kpi_excel.app.report_files import new_report, refresh_report
from kpi_excel.ooxml import XlsxPackage

LONG = "Households in temporary accommodation for more than six weeks, of those placed by the council"


def test_lines_break_between_words() -> None:
    assert wrapped_lines("", 10) == 1
    assert wrapped_lines("Stat Neighbour Avg", 9) == 3  # "Neighbour" does not share a 10-character line
    assert wrapped_lines("a" * 25, 10) == 3  # one long word runs on
    assert wrapped_lines("one\ntwo", 40) == 2


def test_an_added_row_gets_the_height_its_indicator_needs(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    headers = [c.value for c in load_workbook(path)["KPIs"][1]]
    package = XlsxPackage.open(path)
    row = package.read_sheet("KPIs").used_range.max_row + 1
    cells = [None] * len(headers)
    cells[headers.index("Indicator")], cells[headers.index("Code")] = LONG, "HOUS01"
    package.write_rows("KPIs", (row, 1), [cells])
    package.save()
    before = load_workbook(path)["KPIs"].row_dimensions[2].height
    refresh_report(path, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
    sheet = load_workbook(path)["KPIs"]
    width = sheet.column_dimensions[sheet.cell(1, headers.index("Indicator") + 1).column_letter].width
    needed = wrapped_lines(LONG, width)
    assert needed >= 3 and sheet.row_dimensions[row].height == LINE_HEIGHT * needed
    assert before is not None and sheet.row_dimensions[2].height == before  # the template's height is kept
