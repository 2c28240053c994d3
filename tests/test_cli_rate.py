"""kpi-excel rate, end to end through click's runner."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from kpi_excel.cli import main

OUT_COLUMNS = ["change", "trend", "direction", "rag", "rag_reason", "problems"]


def run(runner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_seed_rated_by_quartile_to_csv(runner, seed_tsv: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rated.csv"
    result = run(runner, "rate", str(seed_tsv), "--rule", "quartile", "-o", str(out))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns[-6:]) == OUT_COLUMNS
    assert len(frame) == 25
    original = pd.read_csv(seed_tsv, sep="\t", dtype=str, keep_default_na=False)
    # every input column and cell comes back (clashing headers moved aside)
    assert frame["Indicator"].tolist() == original["Indicator"].tolist()
    assert frame["Trend (published)"].tolist() == original["Trend"].tolist()
    assert frame.iloc[:, 6].tolist() == original.iloc[:, 6].tolist()
    rated = frame[frame["RAG (published)"] != "N/A"]
    assert (rated["rag"] == rated["RAG (published)"]).sum() == 14
    assert "Rated 25 indicators" in result.stderr


def test_output_to_stdout_when_no_file(runner, seed_tsv: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(runner, "rate", str(seed_tsv))
    assert result.exit_code == 0
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert len(frame) == 25 and "rag_reason" in frame.columns
    assert "Rated" not in result.stdout  # the summary goes to stderr, never into the CSV


def test_target_rule_with_tolerance(runner, seed_tsv: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rated.tsv"
    assert run(runner, "rate", str(seed_tsv), "--rule", "target", "--amber-within", "10%", "-o", str(out)).exit_code == 0
    frame = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False).set_index("Indicator")
    row = frame.loc["Children becoming subject to a CPP for second or subsequent time"]
    assert row["rag"] == "Amber" and "within the 10% amber tolerance" in row["rag_reason"]
    assert frame.loc["Primary schools rated 'Good' or 'Outstanding'", "rag"] == "N/A"


def test_xlsx_output_has_fills_and_text_stays_text(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "in.csv"
    source.write_text(
        "Indicator,Polarity,Previous Value,Latest Value,Target,Comment\n"
        "A,High = Good,50%,77.6%,>97.2%,=HYPERLINK(\"http://evil\")\n"
        "B,Low = Good,5%,2%,<3%,+cmd|' /C calc'!A0\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert run(runner, "rate", str(source), "-o", str(out)).exit_code == 0
    sheet = load_workbook(out).active
    headers = [c.value for c in sheet[1]]
    rag = headers.index("rag") + 1
    comment = headers.index("Comment") + 1
    assert sheet.cell(2, rag).value == "Red" and sheet.cell(2, rag).fill.fgColor.rgb.endswith("C00000")
    assert sheet.cell(3, rag).value == "Green" and sheet.cell(3, rag).fill.fgColor.rgb.endswith("00703C")
    assert sheet.cell(2, comment).data_type == "s"
    assert sheet.cell(2, comment).value.startswith("=HYPERLINK")
    with zipfile.ZipFile(out) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    problems = sheet.cell(2, headers.index("problems") + 1).value
    assert "Comment: '=HYPERLINK(\"http://evil\")' looks like a formula; kept as text" in problems


def test_xlsx_input_with_percent_cells_and_a_title_row(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.append(["Children's Services scorecard, Q2 2022/23"])
    sheet.append(["KPI", "Good is", "Last quarter", "Current value", "Target"])
    sheet.append(["Reviews on time", "High", 0.76, 0.776, 0.972])
    for cell in sheet[3][2:]:
        cell.number_format = "0.0%"
    source = tmp_path / "scorecard.xlsx"
    book.save(source)
    out = tmp_path / "rated.xlsx"
    result = run(runner, "rate", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    rated = load_workbook(out).active
    headers = [c.value for c in rated[1]]
    reason = rated.cell(2, headers.index("rag_reason") + 1).value
    assert reason == "Red: 77.6% is 19.6 points short of the 97.2% target"
    assert rated.cell(2, headers.index("Current value") + 1).number_format == "0.0%"


def test_bad_rows_come_back_with_problems_named(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "bad.csv"
    long_text = "x" * 20000
    rows = [
        ["Indicator", "Polarity", "Frequency", "Previous Period", "Previous Value", "Latest Period", "Latest Value",
         "Target"],
        ["good", "High = Good", "Quarter", "Q1 2022/23", "50%", "Q2 2022/23", "60%", ">55%"],
        ["unknown polarity", "Highish", "Quarter", "Q1 2022/23", "50%", "Q2 2022/23", "60%", ">55%"],
        ["bad target", "High = Good", "Quarter", "Q1 2022/23", "50%", "Q2 2022/23", "60%", ">lots"],
        ["bad period", "High = Good", "Quarter", "Q1 2022/23", "50%", "Q9 2022/23", "60%", ">55%"],
        ["suppressed", "High = Good", "Quarter", "Q1 2022/23", "50%", "Q2 2022/23", "c", ">55%"],
        ["absurd", "High = Good", "Quarter", "Q1 2022/23", "50%", "Q2 2022/23", "1e300", ">55%"],
        [long_text, "High = Good", "Quarter", "Q1 2022/23", "50%", "Q2 2022/23", "60%", ">55%"],
        ["formula", "High = Good", "Quarter", "Q1 2022/23", "50%", "Q2 2022/23", "=1+1", ">55%"],
    ]
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "out.csv"
    result = run(runner, "rate", str(source), "-o", str(out))
    assert result.exit_code == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(frame) == 8
    problems = dict(zip(frame["Indicator"].str[:20], frame["problems"]))
    assert problems["good"] == ""
    assert "Polarity: unknown polarity 'Highish'" in problems["unknown polarity"]
    assert "Target: cannot read target '>lots'" in problems["bad target"]
    assert "Latest Period: unknown period 'Q9 2022/23'" in problems["bad period"]
    assert "Latest Value: latest value is confidential (c)" in problems["suppressed"]
    assert "absurd" in problems["absurd"]
    assert "Indicator: a 20,000-character text" in problems["x" * 20]
    assert "looks like a formula" in problems["formula"]
    assert frame["Indicator"].str.len().max() == 20000  # nothing lost


@pytest.mark.parametrize("content,suffix,fragment", [
    (None, ".csv", "no such file"),
    (b"\x00\x01\x02binary", ".csv", "binary"),
    (b"", ".csv", "empty"),
    (b"PK\x03\x04 not really a zip", ".xlsx", "not a valid .xlsx"),
    (b"a,b\n1,2\n", ".csv", "no column for the latest value"),
    (b"whatever", ".pdf", "cannot read '.pdf' files"),
])
def test_unreadable_file_is_one_clear_line(runner, tmp_path: Path, content, suffix, fragment) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"input{suffix}"
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(main, ["rate", str(path)])
    assert result.exit_code == 1
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_option_is_a_usage_error(runner, seed_tsv: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["rate", str(seed_tsv), "--amber-within", "banana"])
    assert result.exit_code == 2 and "cannot read tolerance 'banana'" in result.stderr


def test_output_never_half_written(runner, seed_tsv: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.csv"
    out.write_text("previous content", encoding="utf-8")
    result = runner.invoke(main, ["rate", str(seed_tsv), "-o", str(tmp_path / "out.unknown")])
    assert result.exit_code == 1 and "cannot write" in result.stderr
    assert out.read_text(encoding="utf-8") == "previous content"
    assert not list(tmp_path.glob(".*.tmp"))


def test_cp1252_csv_from_excel_on_windows(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "windows.csv"
    path.write_bytes("Indicator,Polarity,Latest Value,Target\nSpend £ per child,Low,£1,200,<£1,000\n".encode("cp1252"))
    path.write_bytes("Indicator,Polarity,Latest Value,Target\n\"Spend £ per child\",Low,\"£1,200\",\"<£1,000\"\n"
                     .encode("cp1252"))
    result = runner.invoke(main, ["rate", str(path)])
    assert result.exit_code == 0, result.stderr
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert frame["Indicator"][0] == "Spend £ per child" and frame["rag"][0] == "Red"
