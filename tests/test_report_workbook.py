"""The report workbook, end to end through real files: new, init, refresh, demo."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import Workbook, load_workbook

from kpi_excel.cli import main
from kpi_excel.core.palette import QUARTILE_COLOURS, RAG_COLOURS, contrast_ratio
from kpi_excel.core.template import KPI_COLUMNS
from kpi_excel.errors import WorkbookLockedError
from kpi_excel.app.report_files import init_report, new_report, refresh_report
from kpi_excel.ooxml import XlsxPackage

NOW = dt.datetime(2026, 11, 23, 9, 30)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def sheet_part(path: Path, name: str) -> bytes:
    package = XlsxPackage.open(path)
    info = package.sheet(name)
    with zipfile.ZipFile(path) as archive:
        return archive.read(info.part)


def rows(path: Path, sheet: str) -> list[dict[str, object]]:
    book = load_workbook(path)
    values = list(book[sheet].iter_rows(values_only=True))
    headers = values[0]
    return [dict(zip(headers, r)) for r in values[1:] if any(v is not None for v in r)]


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = new_report(tmp_path_factory.mktemp("example") / "report.xlsx", example=True)
    refresh_report(path, now=NOW, user="officer")
    return path


def test_example_kpis_carry_trend_and_rag_words(refreshed: Path) -> None:
    kpis = {r["Code"]: r for r in rows(refreshed, "KPIs")}
    assert len(kpis) == 30
    assert {r["Trend"] for r in kpis.values()} <= {"Increase", "Decrease", "Same"}
    assert {r["RAG"] for r in kpis.values()} <= {"Red", "Amber", "Green", "N/A"}
    assert kpis["SC01"]["RAG"] == "Red"
    assert kpis["SC01"]["RAG Reason"] == "Red: 77.60% is 19.60 points short of the >97.2% target"
    assert kpis["SC03"]["Trend"] == "Decrease"  # the published table said Increase
    assert kpis["YJ01"]["Previous Period"] == "Q1 2021/22"  # year to date: same quarter last year
    assert kpis["ED03"]["Previous Period"] == "2018/19"  # annual with the exam-free years skipped
    # Percentages are stored as Excel stores them, shown with a % format.
    assert kpis["SC01"]["Latest Value"] == pytest.approx(0.776)


def test_conditional_formats_cover_the_rag_column(refreshed: Path) -> None:
    root = etree.fromstring(sheet_part(refreshed, "KPIs"))
    headers = [c.header for c in KPI_COLUMNS]
    letter = chr(ord("A") + headers.index("RAG"))
    rules = [(cf.get("sqref"), rule) for cf in root.iter(f"{MAIN}conditionalFormatting")
             for rule in cf.iter(f"{MAIN}cfRule")]
    on_rag = [rule for sqref, rule in rules if sqref.startswith(f"{letter}2:{letter}")]
    formulas = {rule.findtext(f"{MAIN}formula") for rule in on_rag}
    assert {'"Red"', '"Amber"', '"Green"', '"N/A"'} <= formulas
    assert all(rule.get("type") == "cellIs" for rule in on_rag)  # follows the word, so a typed RAG recolours


def test_benchmark_sheet_has_native_charts_with_alt_text(refreshed: Path) -> None:
    package = XlsxPackage.open(refreshed)
    assert "Benchmark" in package.sheet_names()
    with zipfile.ZipFile(refreshed) as archive:
        charts = [n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        drawings = [archive.read(n) for n in archive.namelist() if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
    assert len(charts) >= 2
    descriptions = [el.get("descr") for d in drawings for el in etree.fromstring(d).iter()
                    if el.tag.endswith("}cNvPr")]
    assert descriptions and all(descriptions)
    bench = rows(refreshed, "Benchmark")  # title rows above: find the header row by content
    book = load_workbook(refreshed)
    values = list(book["Benchmark"].iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(values) if r and r[0] == "Indicator")
    body = []
    for r in values[header_at + 1:]:
        if not r[0]:
            break  # the table ends at its first empty row; funnel plot data follows
        body.append(dict(zip(values[header_at], r)))
    assert len(body) == 19
    reviews = next(r for r in body if r["Code"] == "RevCP")
    assert reviews["Quartile"] in (1, 2, 3, 4) and reviews["Of"] > 100
    assert bench  # the sheet is readable


def test_log_row_and_rag_key(refreshed: Path) -> None:
    log = rows(refreshed, "Log")
    assert log[-1]["When"] == "2026-11-23 09:30" and log[-1]["Who"] == "officer" and log[-1]["Door"] == "file"
    assert log[-1]["Rated"] == 30
    book = load_workbook(refreshed)
    key = [r for r in book["RAG key"].iter_rows(values_only=True) if r and r[0]]
    assert any("within 10% of the target" in str(r[2]) for r in key)  # the example's tolerance


def test_accessible_colours_and_real_header_row(refreshed: Path) -> None:
    for swatch in [*RAG_COLOURS.values(), *QUARTILE_COLOURS.values()]:
        assert contrast_ratio(swatch.font, swatch.fill) >= 4.5
    tables = XlsxPackage.open(refreshed).tables("KPIs")
    assert tables and tables[0].header_row_count == 1 and tables[0].ref.min_row == 1


def test_second_refresh_logs_what_changed_after_an_officer_edit(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(path, now=NOW)
    package = XlsxPackage.open(path)
    headers = [c.header for c in KPI_COLUMNS]
    # The officer puts a later quarter in the Data sheet: Q3 2022/23 for SC01, 98%.
    data = package.read_sheet("Data")
    last = data.used_range.max_row
    package.write_rows("Data", (last + 1, 1), [["SC01", "Q3 2022/23", "98%", None, "typed by the officer"]])
    package.save()
    summary, _ = refresh_report(path, now=NOW)
    kpis = {r["Code"]: r for r in rows(path, "KPIs")}
    assert kpis["SC01"]["Latest Period"] == "Q3 2022/23" and kpis["SC01"]["RAG"] == "Green"
    assert kpis["SC01"]["Previous Period"] == "Q2 2022/23"
    assert any("Child protection cases" in change and "Red → Green" in change for change in summary.changes)
    log = rows(path, "Log")
    assert len(log) == 2 and "Red → Green" in log[-1]["Changes"]
    assert headers  # the template's headers were used throughout


def test_as_of_reruns_a_past_quarter(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(path, as_of="Q1 2022/23", now=NOW)
    kpis = {r["Code"]: r for r in rows(path, "KPIs")}
    assert kpis["SC02"]["Latest Period"] == "Q1 2022/23"
    # Q1's comparable quarter is Q4 2021/22, which the history does not have: named, not invented.
    assert kpis["SC02"]["Previous Period"] == "Q4 2021/22" and kpis["SC02"]["Previous Value"] is None


def test_extra_source_newest_wins_and_is_recorded(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    extra = tmp_path / "warehouse.csv"
    extra.write_text("Code,Period,Value\nSC03,Q3 2022/23,17.5%\nSC03,Q2 2022/23,22.40%\n", encoding="utf-8")
    refresh_report(path, sources=[str(extra)], now=NOW)
    kpis = {r["Code"]: r for r in rows(path, "KPIs")}
    assert kpis["SC03"]["Latest Period"] == "Q3 2022/23" and kpis["SC03"]["RAG"] == "Green"
    assert "warehouse.csv" in kpis["SC03"]["Source"]


def test_older_plain_workbook_refreshes_with_defaults(tmp_path: Path) -> None:
    """No Excel table, no Settings/Log/Data, a title row, columns in another order, an officer's column."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Dashboard"
    sheet.append(["Children's services scorecard"])
    sheet.append(["Indicator", "Officer notes", "Target", "Polarity", "Previous Period", "Previous Value",
                  "Latest Period", "Latest Value", "RAG"])
    sheet.append(["Re-referrals", "keep me", "<18.7%", "Low = Good", "2022-23 Q1", "23.08%", "2022-23 Q2",
                  "22.40%", "Amber"])
    sheet.append(["Care leavers EET", "and me", ">54%", "High = Good", "2022-23 Q1", "62.3%", "2022-23 Q2",
                  "61.3%", None])
    path = tmp_path / "old.xlsx"
    book.save(path)
    summary, written = refresh_report(path, now=NOW)
    assert summary.rated == 2
    book = load_workbook(path)
    assert book.sheetnames == ["Dashboard", "Summary", "RAG key", "Log"]  # only what it needs (no history: no Data)
    values = list(book["Dashboard"].iter_rows(values_only=True))
    headers = values[1]
    body = [dict(zip(headers, r)) for r in values[2:]]
    assert [r["Officer notes"] for r in body] == ["keep me", "and me"]
    assert [r["RAG"] for r in body] == ["Red", "Green"]
    assert body[0]["Latest Period"] == "2022-23 Q2"  # typed values kept, in their own style
    assert "RAG Reason" in headers and "Trend" in headers
    assert {"RAG Reason", "Trend", "Direction"} <= set(written.columns_added)
    assert summary.changes == ("Re-referrals: Amber → Red",)


def test_untrusted_text_is_written_as_text(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    package = XlsxPackage.open(path)
    package.set_cells("KPIs", {(2, 3): '=HYPERLINK("http://evil.example","click")'})
    package.save()
    refresh_report(path, now=NOW)
    for name in ("KPIs", "Benchmark", "Log"):
        part = sheet_part(path, name)
        assert b"<f>" not in part and b"<f " not in part, name
    kpis = rows(path, "KPIs")
    assert kpis[0]["Indicator"].startswith("=HYPERLINK")


def test_open_in_excel_is_refused_and_nothing_written(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    before = path.read_bytes()
    (tmp_path / "~$report.xlsx").write_bytes(b"lock")
    with pytest.raises(WorkbookLockedError, match="open"):
        refresh_report(path)
    assert path.read_bytes() == before


def test_read_only_is_refused(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    path.chmod(0o444)
    before = path.read_bytes()
    with pytest.raises(WorkbookLockedError, match="read-only"):
        refresh_report(path)
    assert path.read_bytes() == before


def test_structure_protected_workbook_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    from kpi_excel.errors import WorkbookError

    book = Workbook()
    book.security.lockStructure = True
    book.active.title = "Mine"
    path = tmp_path / "locked.xlsx"
    book.save(path)
    with pytest.raises(WorkbookError, match="structure is protected"):
        init_report(path)


def test_init_adds_only_missing_sheets(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "Data"
    book["Data"].append(["Code", "Period", "Value"])
    path = tmp_path / "mine.xlsx"
    book.save(path)
    added = init_report(path)
    assert added == ["KPIs", "Settings", "RAG key", "Log", "Lists"]  # Lists: the Benchmark Code dropdown's list
    assert init_report(path) == []


def test_template_file_is_what_new_writes(tmp_path: Path) -> None:
    committed = Path(__file__).resolve().parents[1] / "workbook_template.xlsx"
    fresh = new_report(tmp_path / "template.xlsx")
    with zipfile.ZipFile(committed) as a, zipfile.ZipFile(fresh) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            # The managed-rules registry's custom XML part gets a fresh GUID per workbook.
            same = re.sub(rb'itemID="\{[0-9A-F-]+\}"', b"", a.read(name)) == \
                re.sub(rb'itemID="\{[0-9A-F-]+\}"', b"", b.read(name))
            assert same, f"{name} differs: run 'kpi-excel new workbook_template.xlsx'"


def test_template_has_dropdowns_formats_and_print_setup(tmp_path: Path) -> None:
    path = new_report(tmp_path / "template.xlsx")
    root = etree.fromstring(sheet_part(path, "KPIs"))
    lists = [dv.findtext(f"{MAIN}formula1") for dv in root.iter(f"{MAIN}dataValidation")]
    assert '"High = Good,Low = Good,Close to target,N/A"' in lists
    assert '"Red,Amber,Green,N/A"' in lists
    assert any("Quarterly" in (f or "") for f in lists)
    assert root.find(f".//{MAIN}pane").get("state") == "frozen"
    setup = root.find(f"{MAIN}pageSetup")
    assert setup.get("orientation") == "landscape" and setup.get("fitToWidth") == "1"
    names = {d.name: d.value for d in XlsxPackage.open(path).defined_names()}
    assert names["_xlnm.Print_Titles"].endswith("!$1:$1")
    assert "_xlnm.Print_Area" in names


def test_demo_through_the_command(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "demo.xlsx"
    result = runner.invoke(main, ["demo", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Rated 30 indicators" in result.stdout  # what it did: stdout (issue 16)
    assert {r["Code"]: r for r in rows(out, "KPIs")}["SC01"]["RAG"] == "Red"


def test_new_init_refresh_commands(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "new.xlsx"
    assert runner.invoke(main, ["new", str(out), "--example"]).exit_code == 0
    result = runner.invoke(main, ["refresh", str(out), "-o", str(tmp_path / "copy.xlsx")])
    assert result.exit_code == 0 and "Saved" in result.stdout
    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    result = runner.invoke(main, ["init", str(plain)])
    assert result.exit_code == 0 and "Added KPIs" in result.stdout
    bad = runner.invoke(main, ["refresh", str(tmp_path / "missing.xlsx")])
    assert bad.exit_code == 1 and "no such file" in bad.stderr and "Traceback" not in bad.stderr


def test_an_officers_own_log_sheet_is_left_alone(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "KPIs"
    sheet.append(["Indicator", "Polarity", "Latest Value", "Target"])
    sheet.append(["Reviews on time", "High = Good", "77.6%", ">97.2%"])
    own = book.create_sheet("Log")
    own.append(["Date", "What I changed"])
    own.append(["1 Nov", "moved the targets"])
    path = tmp_path / "mine.xlsx"
    book.save(path)
    summary, written = refresh_report(path, now=NOW)
    assert any("Log sheet not written" in p for p in summary.problems)
    assert [list(r) for r in load_workbook(path)["Log"].iter_rows(values_only=True)] == \
        [["Date", "What I changed"], ["1 Nov", "moved the targets"]]
