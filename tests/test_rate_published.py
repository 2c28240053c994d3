"""`kpi-excel rate` on tables as councils publish and save them: the readers
(comments, UTF-16, semicolons, a repeated header, a footnote row), headers that
are periods, columns whose cells contradict their header, duplicate codes, RAG
keys given on the command line, and text output at the shown precision."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from kpi_excel.cli import main

TABLE = (
    "Indicator,Polarity,Previous Value,Latest Value,Target,Status\n"
    "Calls answered in 30 seconds,High = Good,81%,84.0%,90%,Amber\n"
    "Invoices paid in 10 days,High = Good,55%,57.72%,60%,Amber\n"
    "Days to process new claims,Low = Good,19,21,18,Red\n"
)


def rated(runner, path: Path, *options: str) -> tuple[pd.DataFrame, str]:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["rate", str(path), *options], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False), result.stderr


def test_comment_lines_above_the_header_are_skipped(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "commented.csv"
    path.write_text("# Source: a council's committee paper\n#   key: Amber within 10%\n\n" + TABLE, encoding="utf-8")
    frame, _ = rated(runner, path, "--rule", "target amber 10%")
    assert list(frame["rag"]) == ["Amber", "Amber", "Red"]
    assert list(frame["rag"]) == list(frame["Status"])


def test_utf16_unicode_text_from_excel(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "unicode.txt"
    path.write_bytes(TABLE.replace(",", "\t").encode("utf-16"))  # Excel's "Unicode text": UTF-16 with a BOM, tabs
    frame, _ = rated(runner, path, "--rule", "target amber 10%")
    assert frame["Indicator"][0] == "Calls answered in 30 seconds" and frame["rag"][2] == "Red"


def test_semicolon_separated_csv(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "semicolons.csv"
    path.write_text(TABLE.replace(",", ";"), encoding="utf-8")
    frame, _ = rated(runner, path, "--rule", "target amber 10%")
    assert list(frame["rag"]) == ["Amber", "Amber", "Red"]


def test_a_footnote_row_under_the_table_is_not_an_indicator(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "footnote.csv"
    path.write_text(TABLE + "* provisional figures; awaiting validation,,,,,\n"
                    + "Source: performance team,,,,,\n", encoding="utf-8")
    frame, summary = rated(runner, path)
    assert len(frame) == 5  # nothing lost
    assert list(frame["rag"][3:]) == ["", ""] and list(frame["problems"][3:]) == ["", ""]
    assert "Rated 3 indicators" in summary


def test_a_repeated_header_is_named_not_renamed(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "twice.csv"
    path.write_text("Indicator,Target,Latest Value,Target\nCalls,>=90%,84%,95%\n", encoding="utf-8")
    result = runner.invoke(main, ["rate", str(path)], catch_exceptions=False)
    header = next(csv.reader(io.StringIO(result.stdout)))
    assert header[:4] == ["Indicator", "Target", "Latest Value", "Target"]  # never "Target.1"
    frame, notes = rated(runner, path)
    assert "2 columns are headed 'Target' (B and D): the first is used" in notes
    assert "short of the >=90% target" in frame["rag_reason"][0]


def test_two_rows_with_one_code_are_named(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "codes.csv"
    path.write_text("Code,Indicator,Latest Value,Target\nNI192,Recycling,45%,>=50%\nNI192,Recycling (copy),47%,>=50%\n"
                    "BV12,Sickness,8,<=9\n", encoding="utf-8")
    frame, _ = rated(runner, path)
    assert "Code: code 'NI192' is also on row 3" in frame["problems"][0]
    assert "Code: code 'NI192' is also on row 2" in frame["problems"][1]
    assert frame["problems"][2] == ""


def test_period_headers_give_the_periods(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "periods.csv"
    path.write_text("PI Code & Name,Q3 2013/14,Q4 2013/14,Target,Status\n"
                    "Invoices paid on time (aim to maximise),96.1%,97.4%,97%,Green\n", encoding="utf-8")
    frame, _ = rated(runner, path)
    assert frame["trend"][0] == "Increase" and frame["direction"][0] == "Improving"
    assert frame["rag"][0] == "Green" and frame["problems"][0] == ""


def test_last_and_this_period_holding_values(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "values.csv"
    path.write_text("Indicator,Polarity,Last period,This period,Target\nRe-referrals,Low = Good,3%,4%,<5%\n",
                    encoding="utf-8")
    frame, notes = rated(runner, path)
    assert frame["problems"][0] == ""  # not "Last period: unknown period '3%'"
    assert frame["trend"][0] == "Increase" and frame["direction"][0] == "Declining"
    assert "column 'Last period' holds values, not periods" in notes


def test_rule_text_and_green_tolerance_on_the_command_line(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "key.csv"
    path.write_text(TABLE, encoding="utf-8")
    frame, _ = rated(runner, path, "--rule", "target green 5% amber 10%")
    assert list(frame["rag"]) == ["Amber", "Green", "Red"]
    assert frame["rag_reason"][1] == ("Green: 57.72% is 2.28 points short of the 60% target, within the 5% green "
                                      "tolerance")
    same, _ = rated(runner, path, "--rule", "target", "--green-within", "5%", "--amber-within", "10%")
    assert list(same["rag"]) == list(frame["rag"])
    auto, _ = rated(runner, path, "--rule", "target", "--amber-within", "10auto")
    assert "10-point amber tolerance (auto: points, as the value is a percentage)" in auto["rag_reason"][0]
    assert auto["rag"][2] == "Red"  # 21 days against 18: 10% of a count is 1.8 days, 3 days is beyond
    assert "within the 10% amber tolerance" not in auto["rag_reason"][2]


def test_a_rows_own_rule_text_wins(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rows.csv"
    path.write_text("Indicator,Polarity,Previous Value,Latest Value,Target,RAG Rule\n"
                    "Calls,High = Good,81%,84%,90%,target 10pp\n"
                    "Visits,High = Good,1200,1100,,trend\n"
                    "Spend,Low = Good,,£1.2m,£1.1m,none\n", encoding="utf-8")
    frame, _ = rated(runner, path, "--rule", "target")
    assert list(frame["rag"]) == ["Amber", "Red", "N/A"]
    assert frame["rag_reason"][1] == "Red: declining on the previous value (rule: trend)"


def test_text_output_shows_numbers_at_their_precision(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.append(["Indicator", "Polarity", "Latest Value", "Target", "Count"])
    sheet.append(["Good or outstanding", "High = Good", 0.8170000000000001, 0.8, 0.1 + 0.2])
    sheet["C2"].number_format = "0.0%"
    sheet["D2"].number_format = "0%"
    path = tmp_path / "in.xlsx"
    book.save(path)
    result = runner.invoke(main, ["rate", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "0.8170000000000001" not in result.stdout and "0.30000000000000004" not in result.stdout
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert (frame["Latest Value"][0], frame["Target"][0], frame["Count"][0]) == ("81.7%", "80%", "0.3")
    assert frame["rag"][0] == "Green"
