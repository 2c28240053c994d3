"""Issue 16's officer slips, through the real doors: each ends as the right answer or a named problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from kpi_excel.cli import main
from kpi_excel.workbook.report_file import new_report, refresh_report
from kpi_excel.workbook.xlsx import XlsxPackage

NOW = dt.datetime(2026, 11, 23, 9, 30)


def kpi_rows(path: Path) -> dict[str, dict[str, object]]:
    values = list(load_workbook(path)["KPIs"].iter_rows(values_only=True))
    return {r[values[0].index("Code")]: dict(zip(values[0], r)) for r in values[1:] if any(r)}


def add_data(path: Path, rows: list[list[object]]) -> None:
    """Paste rows at the bottom of the Data sheet, as an officer does (Code, Period, Value, ...)."""
    package = XlsxPackage.open(path)
    last = package.read_sheet("Data").used_range.max_row
    package.write_rows("Data", (last + 1, 1), rows)
    package.save()


def example(tmp_path: Path, rows: list[list[object]] = ()) -> Path:  # type: ignore[assignment]
    path = new_report(tmp_path / "report.xlsx", example=True)
    if rows:
        add_data(path, rows)
    return path


# --- 3. `new` never overwrites a report --------------------------------------------------------


def test_new_refuses_an_existing_report_in_one_line_and_force_replaces_it(tmp_path: Path) -> None:
    path = example(tmp_path)
    refresh_report(path, now=NOW)
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["new", str(path)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "already exists" in result.output and "--force" in result.output
    assert path.read_bytes() == before  # the refreshed report, Log and all, is untouched
    result = CliRunner().invoke(main, ["new", str(path), "--force"])
    assert result.exit_code == 0
    assert kpi_rows(path) == {}  # the empty template: no indicators
    assert load_workbook(path)["Log"].max_row == 1  # and a Log with no refresh in it


# --- 5. a suppressed latest value is named in Checks --------------------------------------------


def test_a_suppressed_latest_value_is_named_in_checks_not_only_in_the_source(tmp_path: Path) -> None:
    path = example(tmp_path, [["SC01", "Q3 2022/23", "c"]])
    summary, _ = refresh_report(path, now=NOW)
    sc01 = kpi_rows(path)["SC01"]
    assert sc01["Latest Period"] == "Q2 2022/23"  # still rated on the latest period with a value
    assert "Q3 2022/23 has no value (confidential (c)): the row reports Q2 2022/23" in sc01["Checks"]
    assert any(p.startswith("row ") and "Q3 2022/23 has no value" in p for p in summary.problems)
