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


def test_an_owned_sheets_row_heights_are_those_of_its_rows_wrapped_texts() -> None:
    """_row_heights works each distinct text of a column out once: the heights are still each
    row's tallest wrapped cell, row by row (Cells, numbers, blanks, new lines, short rows)."""
    import random

    from kpi_excel.core.plan import Cell, ColumnSpec, SheetSpec
    from kpi_excel.workbook.file_door import _row_heights

    rng = random.Random(3)
    words = ["a", "Neighbour", "Stat", LONG, "one\ntwo", "x" * 40, "", None, 12345.678, 7, "Red"]
    columns = (ColumnSpec("Indicator", width=10, wrap=True), ColumnSpec("Code", width=4),
               ColumnSpec("Reason", width=6, wrap=True), ColumnSpec("Note", width=1, wrap=True))
    rows = []
    for _ in range(200):
        row = [rng.choice(words) for _ in range(rng.randint(0, 4))]
        rows.append(tuple(Cell(v) if rng.random() < 0.3 else v for v in row))
    spec = SheetSpec("Ours", columns, tuple(rows))
    expected = {}
    for offset, row in enumerate(rows):
        lines = max([1] + [wrapped_lines(item.value if isinstance(item, Cell) else item, column.width)
                           for item, column in zip(row, columns) if column.wrap])
        if lines > 1:
            expected[spec.header_row + 1 + offset] = LINE_HEIGHT * min(lines, 8)
    header = max(wrapped_lines(c.header, c.width) for c in columns)
    heights = _row_heights(spec, spec.header_row)
    assert heights.pop(spec.header_row, None) == (LINE_HEIGHT * min(header, 4) if header > 1 else None)
    assert heights == expected and list(heights) == sorted(heights)
