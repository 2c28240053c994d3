"""Issue 16's officer slips, through the real doors: each ends as the right answer or a named problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kpi_excel.cli import main
from kpi_excel.app.report_files import new_report, refresh_report
from kpi_excel.ooxml import XlsxPackage

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


# --- 4. a Data code that matches no indicator ------------------------------------------------------


def test_a_data_code_matching_no_indicator_is_named_with_the_nearest_code(tmp_path: Path) -> None:
    path = example(tmp_path, [["SC1", "Q3 2022/23", "99%"], ["SC1", "Q4 2022/23", "98%"], ["ZZZZ9", "Q3 2022/23", 5]])
    summary, _ = refresh_report(path, now=NOW)
    book = load_workbook(path)
    rows = kpi_rows(path)
    assert rows["SC01"]["Latest Period"] == "Q2 2022/23"  # the mistyped rows are not used...
    assert ("Data sheet rows 80, 81: code 'SC1' matches no indicator; if these are this indicator's values, "
            "correct the code to SC01") in rows["SC01"]["Checks"]  # ...and the row it probably meant says so
    assert "ZZZZ9" not in " ".join(str(r["Checks"]) for r in rows.values())  # nothing like it: no row blamed
    summary_lines = [r[0] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]]
    assert "Not used: Data sheet rows 80, 81: code 'SC1' matches no indicator on the KPIs sheet; did you mean SC01?" \
        in summary_lines
    assert "Not used: Data sheet row 82: code 'ZZZZ9' matches no indicator on the KPIs sheet" in summary_lines
    log = list(book["Log"].iter_rows(values_only=True))
    sources = log[-1][log[0].index("Sources")]
    assert "not used: Data sheet rows 80, 81: code 'SC1'" in sources and "'ZZZZ9'" in sources
    assert "Data sheet row 82: code 'ZZZZ9' matches no indicator on the KPIs sheet" in summary.problems


# --- 2. an override holds for the period it was made for ------------------------------------------


def set_kpi_cells(path: Path, code: str, values: dict[str, object]) -> None:
    """Type into the KPIs sheet's cells of one indicator, by header."""
    headers = list(load_workbook(path)["KPIs"].iter_rows(values_only=True, max_row=1))[0]
    row = 1 + list(kpi_rows(path)).index(code) + 1
    package = XlsxPackage.open(path)
    for header, value in values.items():
        package.write_rows("KPIs", (row, headers.index(header) + 1), [[value]])
    package.save()


def test_an_override_is_not_applied_once_the_latest_period_moves_on(tmp_path: Path) -> None:
    path = example(tmp_path)
    set_kpi_cells(path, "SC01", {"RAG Override": "Green", "Override Reason": "Q2 data incomplete"})
    refresh_report(path, now=NOW)
    sc01 = kpi_rows(path)["SC01"]
    assert sc01["RAG"] == "Green" and sc01["Override Period"] == "Q2 2022/23"  # recorded when first applied
    assert sc01["RAG Reason"] == "Green (officer override: Q2 data incomplete; calculated Red)"

    add_data(path, [["SC01", "Q3 2022/23", "80%"]])
    refresh_report(path, now=NOW)
    sc01 = kpi_rows(path)["SC01"]
    assert sc01["Latest Period"] == "Q3 2022/23" and sc01["RAG"] == "Red"
    assert sc01["RAG Reason"] == "Red: 80% is 17.2 points short of the >97.2% target"
    checks = sc01["Checks"].split("; ")
    assert checks[0] == "RAG Override: override made for Q2 2022/23 not applied to Q3 2022/23: confirm or clear it"
    assert checks[1:] == ["Quartile: 3 (rank 109 of 150) on the benchmark's 2022 value 85.7% (latest value "
                          "Q3 2022/23: 80%)"]  # the quartile is the annual figure's (issue 16 item 7)
    assert sc01["Override Period"] == "Q2 2022/23"  # kept: the officer decides

    set_kpi_cells(path, "SC01", {"Override Period": "2022-23 Q3"})  # confirmed for Q3 (any way of writing it)
    refresh_report(path, now=NOW)
    sc01 = kpi_rows(path)["SC01"]
    assert sc01["RAG"] == "Green" and not sc01["Checks"].startswith("RAG Override")

    set_kpi_cells(path, "SC01", {"RAG Override": None})  # cleared: its period goes with it
    refresh_report(path, now=NOW)
    sc01 = kpi_rows(path)["SC01"]
    assert sc01["RAG"] == "Red" and sc01["Override Period"] is None


def test_an_override_is_not_applied_to_an_earlier_period_under_as_of(tmp_path: Path) -> None:
    path = example(tmp_path)
    set_kpi_cells(path, "SC01", {"RAG Override": "Green", "Override Reason": "Q2 data incomplete"})
    refresh_report(path, now=NOW)
    refresh_report(path, now=NOW, as_of="Q1 2022/23")
    sc01 = kpi_rows(path)["SC01"]
    assert sc01["Latest Period"] == "Q1 2022/23" and sc01["RAG"] == "Red"
    assert sc01["Checks"].split("; ")[0] == \
        "RAG Override: override made for Q2 2022/23 not applied to Q1 2022/23: confirm or clear it"


def test_an_override_period_that_is_not_a_period_is_named_and_the_override_not_applied(tmp_path: Path) -> None:
    path = example(tmp_path)
    set_kpi_cells(path, "SC01", {"RAG Override": "Green", "Override Period": "last time"})
    refresh_report(path, now=NOW)
    sc01 = kpi_rows(path)["SC01"]
    assert sc01["RAG"] == "Red"
    assert sc01["Checks"].split("; ")[0] == (
        "RAG Override: Override Period 'last time' is not a period, so the override is not "
        "applied to Q2 2022/23: type the period it was made for, or clear it")


# --- 1. a fraction typed for a percentage --------------------------------------------------------------


def test_a_fraction_typed_in_an_unformatted_cell_reads_as_the_percentage_its_history_shows(tmp_path: Path) -> None:
    # SC03 (Unit %, target <18.7%) has 23.08% and 22.40% before; the officer types 0.198 in a General cell.
    path = example(tmp_path, [["SC03", "Q3 2022/23", 0.198]])
    refresh_report(path, now=NOW)
    sc03 = kpi_rows(path)["SC03"]
    assert sc03["Latest Value"] == 0.198  # stored as Excel stores 19.8%, shown with a % format
    assert sc03["RAG Reason"] == "Amber: 19.8% is 1.1 points above the <18.7% target, within the 10% amber tolerance"
    # Nothing to check but that the quartile is the annual figure's; it shows the value read as 19.8%.
    assert sc03["Checks"] == ("Quartile: 2 (rank 75 of 150) on the benchmark's 2022 value 19.6% (latest value "
                              "Q3 2022/23: 19.8%)")
    history = [r for r in load_workbook(path)["KPI history"].iter_rows(values_only=True) if "SC03" in r]
    assert history and 0.198 in history[0] and 0.00198 not in history[0]  # the chart reads it the same way


def test_a_fraction_with_no_history_is_read_from_the_target(tmp_path: Path) -> None:
    # A new code for SC03's row (Unit %, target <18.7%) and every value typed as a plain fraction.
    path = example(tmp_path, [["NEW03", "Q3 2022/23", 0.21], ["NEW03", "Q4 2022/23", 0.17]])
    set_kpi_cells(path, "SC03", {"Code": "NEW03"})
    refresh_report(path, now=NOW)
    new = kpi_rows(path)["NEW03"]
    assert new["Latest Value"] == 0.17 and new["Previous Value"] == 0.21
    assert new["RAG Reason"] == "Green: 17% meets the <18.7% target"
    assert new["Checks"] == ("Quartile: 3 (rank 108 of 149) on the benchmark's 2023 value 23.0% (latest value "
                             "Q4 2022/23: 17%)")  # read as 17%, not 0.17%


def test_an_ambiguous_fraction_is_named_in_checks(tmp_path: Path) -> None:
    # SC05's history is around 1.5%: 0.15 could be 0.15% or 15% (each ten times from 1.5%), so it is named.
    path = example(tmp_path, [["SC05", "Q3 2022/23", 0.15]])
    refresh_report(path, now=NOW)
    sc05 = kpi_rows(path)["SC05"]
    assert sc05["Checks"].startswith("Source: Data sheet row 80: 0.15 typed for a percentage (its other values are "
                              "around 1.5%) could be 0.15% or 15%; read as 0.15%: type it with its % sign (15%) "
                              "if that is what it is")


def test_a_count_typed_into_a_percent_formatted_cell_is_named(tmp_path: Path) -> None:
    path = example(tmp_path)
    package = XlsxPackage.open(path)
    percent = package.add_cell_style(number_format="0.0%")
    last = package.read_sheet("Data").used_range.max_row
    package.write_rows("Data", (last + 1, 1), [["SC02", "Q3 2022/23", 478]], styles=[[None, None, percent]])
    package.save()
    refresh_report(path, now=NOW)
    sc02 = kpi_rows(path)["SC02"]
    assert sc02["Checks"].startswith(f"Source: Data sheet row {last + 1}: 47,800% is far from this indicator's usual "
                                     "level (around 27.6%): a count typed into a percentage cell?")


# --- 9. smaller slips ------------------------------------------------------------------------------------


def test_a_target_written_in_words_reads_as_the_target_in_brackets(tmp_path: Path) -> None:
    table = tmp_path / "kpis.csv"
    table.write_text("Indicator,Polarity,Latest Value,Target\nRepeat plans,Low = Good,22%,below 20%\n"
                     "Reviews,High = Good,99%,>97.2%\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["rate", str(table)])
    assert result.exit_code == 0, result.stderr
    assert "Red: 22% is 2 points above the target (below 20%)" in result.stdout
    assert "Green: 99% meets the >97.2% target" in result.stdout  # a target written as a number reads as before


def test_pack_refuses_a_workbook_that_was_never_refreshed_in_one_line(tmp_path: Path) -> None:
    path = example(tmp_path)
    paper = tmp_path / "paper.docx"
    result = CliRunner().invoke(main, ["pack", str(path), "-o", str(paper)])
    assert result.exit_code == 1 and not paper.exists()
    assert result.stderr.count("\n") == 1 and "has not been refreshed" in result.stderr
    assert "kpi-excel refresh" in result.stderr


def test_success_messages_go_to_stdout_and_errors_to_stderr(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    runner = CliRunner()
    made = runner.invoke(main, ["new", str(path), "--example"])
    assert made.exit_code == 0 and made.stdout.startswith("Wrote ") and made.stderr == ""
    refreshed = runner.invoke(main, ["refresh", str(path)])
    assert refreshed.exit_code == 0 and "Rated 30 indicators" in refreshed.stdout
    assert refreshed.stdout.rstrip().endswith(f"Saved {path}") and refreshed.stderr == ""
    packed = runner.invoke(main, ["pack", str(path), "-o", str(tmp_path / "paper.docx")])
    assert packed.exit_code == 0 and packed.stdout.startswith("Wrote ") and packed.stderr == ""


def test_benchmark_codes_lists_every_code_a_report_can_use(tmp_path: Path) -> None:
    path = example(tmp_path)
    used = {r["Benchmark Code"] for r in kpi_rows(path).values() if r["Benchmark Code"]}
    result = CliRunner().invoke(main, ["benchmark-codes", str(path)])  # the data its Settings name
    assert result.exit_code == 0 and result.stderr == ""
    listed = {line.split()[0] for line in result.stdout.splitlines()[1:]}
    assert used and used <= listed
    found = CliRunner().invoke(main, ["benchmark-codes", "--search", "care leavers suitable"])
    assert [line.split()[0] for line in found.stdout.splitlines()[1:]] == ["CareLeaverAcc"]


def test_benchmark_codes_of_a_report_without_benchmark_data_is_one_line(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx")
    result = CliRunner().invoke(main, ["benchmark-codes", str(path)])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "sheet 'Settings': Benchmark data is empty" in result.stderr


# --- 6. a Maintain target is drawn at the level to maintain -----------------------------------------------


def maintain_line(path: Path) -> list[float]:
    """The cached values of the KPI history chart's "Target Maintain" series."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
                xml = archive.read(name).decode("utf-8")
                at = xml.find("Target Maintain")
                if at >= 0:
                    start = xml.index("<c:val>", at)
                    values = xml[start:xml.index("</c:val>", start)]
                    return [float(v) for v in re.findall(r"<c:v>([^<]*)</c:v>", values)]
    raise AssertionError("no Target Maintain series")


def test_a_maintain_target_is_drawn_at_the_previous_value_not_at_zero(tmp_path: Path) -> None:
    path = example(tmp_path)
    set_kpi_cells(path, "SC01", {"Target": "Maintain"})  # 76.00% in Q1, 77.60% in Q2 2022/23
    refresh_report(path, now=NOW)
    line = maintain_line(path)
    assert line and set(line) == {0.76}
    from kpi_excel.app.paper import paper_bytes

    _, result = paper_bytes(path)
    sc01 = next(i for i in result.content.indicators if i.status.code == "SC01")
    assert sc01.target_value == pytest.approx(76.0)  # the paper's chart, in the history's points
    sc02 = next(i for i in result.content.indicators if i.status.code == "SC02")
    assert sc02.target_value == pytest.approx(20.8)  # a numeric target as before


# --- 8. the Summary's moves are against the comparable previous period --------------------------------


def summary_lines(path: Path) -> list[str]:
    return [r[0] for r in load_workbook(path)["Summary"].iter_rows(values_only=True) if r and r[0]]


def test_the_quarters_moves_survive_a_re_refresh_after_an_override(tmp_path: Path) -> None:
    path = example(tmp_path)
    refresh_report(path, now=NOW)
    moves = [line for line in summary_lines(path) if "since the previous period" in line]
    assert "1 moved from Red to Amber since the previous period: Children becoming subject to a CPP for second or " \
           "subsequent time." in moves  # SC02: 27.61% in Q1 missed <20.8% by far, 22.60% in Q2 is within 10%
    set_kpi_cells(path, "SC01", {"RAG Override": "Amber", "Override Reason": "audit under way"})
    refresh_report(path, now=NOW)
    lines = summary_lines(path)
    # The quarter's moves are still there (SC01 now among them: Red in Q1, the officer's Amber in Q2)...
    assert "2 moved from Red to Amber since the previous period: Child protection cases which were reviewed within " \
           "timescales; Children becoming subject to a CPP for second or subsequent time." in lines
    assert any(line.startswith("1 rating changed since the previous refresh") for line in lines)  # ...labelled apart
    assert "1 moved from Red to Amber: Child protection cases which were reviewed within timescales." in lines


def test_many_unmatched_codes_take_ten_summary_lines_and_the_log_lists_them(tmp_path: Path) -> None:
    path = example(tmp_path, [[f"OTHER{i:02d}", "Q2 2022/23", i] for i in range(12)])
    refresh_report(path, now=NOW)
    lines = [line for line in summary_lines(path) if line.startswith("Not used: ")]
    assert len(lines) == 11 and lines[-1] == ("Not used: … and 2 more Data codes that match no indicator "
                                              "(the Log lists them)")
    log = list(load_workbook(path)["Log"].iter_rows(values_only=True))
    assert all(f"'OTHER{i:02d}'" in log[-1][log[0].index("Sources")] for i in range(12))
