"""The KPIs sheet's Benchmark Code dropdown (issue 16 item 9).

LAIT has hundreds of codes, far beyond the 255 characters an inline dropdown holds,
so the dropdown reads a range: the hidden, protected Lists sheet that ``kpi-excel
new`` writes from the same list ``kpi-excel benchmark-codes`` prints. The file
writer keeps it over rows an officer adds.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from kpi_excel.app.benchmark_codes import benchmark_codes
from kpi_excel.cli import main
from kpi_excel.app.report_files import new_report, refresh_report
from kpi_excel.ooxml import XlsxPackage


def _validation(path: Path, header: str) -> tuple[str, str, bool]:
    """The formula, sqref and strictness (whether it refuses other text) of the KPIs dropdown on ``header``."""
    sheet = load_workbook(path)["KPIs"]
    letter = next(c.column_letter for c in sheet[1] if c.value == header)
    found = [v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(f"{letter}2:")]
    assert len(found) == 1, found
    return found[0].formula1, str(found[0].sqref), found[0].showErrorMessage


def test_a_new_report_offers_every_benchmark_code_from_the_lists_sheet(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx")
    formula, sqref, strict = _validation(path, "Benchmark Code")
    assert formula == "BenchmarkCodes" and sqref.endswith("501")
    assert not strict  # a code of the officer's own LAIT data, not in the bundled list, is allowed
    book = load_workbook(path)
    lists = book["Lists"]
    assert lists.sheet_state == "hidden" and lists.protection.sheet
    codes = benchmark_codes()  # what `kpi-excel benchmark-codes` lists
    rows = list(lists.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == list(codes["Code"]) and [r[1] for r in rows] == list(codes["Indicator"])
    assert book.defined_names["BenchmarkCodes"].attr_text == f"Lists!$A$2:$A${len(rows) + 1}"
    printed = CliRunner().invoke(main, ["benchmark-codes"]).output.splitlines()[1:]
    assert [line.split()[0] for line in printed] == [r[0] for r in rows]


def test_the_dropdown_stays_over_rows_added_before_a_refresh(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    headers = [c.value for c in load_workbook(path)["KPIs"][1]]
    package = XlsxPackage.open(path)
    row = package.read_sheet("KPIs").used_range.max_row + 1
    cells = [None] * len(headers)
    cells[headers.index("Indicator")], cells[headers.index("Code")] = "Care leavers in education", "NEW01"
    cells[headers.index("Benchmark Code")] = "CareLeaverEET"
    package.write_rows("KPIs", (row, 1), [cells])
    package.save()
    refresh_report(path, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
    formula, sqref, _ = _validation(path, "Benchmark Code")
    last = int(re.search(r"(\d+)$", sqref).group(1))
    assert formula == "BenchmarkCodes" and last > row
    with zipfile.ZipFile(path) as book:  # once, not stacked by the refresh
        assert book.read("xl/worksheets/sheet1.xml").count(b"<formula1>BenchmarkCodes</formula1>") == 1


def test_a_report_without_the_list_gets_no_dropdown_pointing_nowhere(tmp_path: Path) -> None:
    """A report made before the Lists sheet (or one whose Lists sheet was deleted) has no list to
    point at: the refresh adds no Benchmark Code dropdown, and the other dropdowns stay."""
    path = new_report(tmp_path / "report.xlsx", example=True)
    package = XlsxPackage.open(path)
    package.remove_owned_sheet("Lists")
    package.save()
    refresh_report(path, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
    sheet = load_workbook(path)["KPIs"]
    formulas = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert "BenchmarkCodes" not in formulas and any("Low = Good" in f for f in formulas)
