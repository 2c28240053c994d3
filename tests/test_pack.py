"""The committee paper: opened with python-docx and checked against the workbook's own cells.

The refreshed example report is the input; every number the paper states is
checked against what the workbook itself holds (the KPIs sheet's RAG and
Direction columns, the Log's counts), and the exceptions against the rule
worked out here from the KPIs sheet's words.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from kpi_excel.cli import main
from kpi_excel.core.palette import RAG_COLOURS
from kpi_excel.app.paper import PaperOptions, make_paper
from kpi_excel.app.report_files import new_report, refresh_report

NOW = dt.datetime(2026, 11, 23, 9, 30)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = new_report(tmp_path_factory.mktemp("pack") / "report.xlsx", example=True)
    refresh_report(path, now=NOW)
    return path


@pytest.fixture(scope="module")
def paper(report: Path) -> Document:
    result = make_paper(report, report.with_name("paper.docx"), now=NOW)
    assert result.path is not None and result.path.exists()
    return Document(str(result.path))


def kpis(report: Path) -> list[dict[str, object]]:
    rows = list(load_workbook(report, read_only=True)["KPIs"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[2]]


def log_counts(report: Path) -> dict[str, int]:
    rows = [r for r in load_workbook(report, read_only=True)["Log"].iter_rows(values_only=True) if r[0]]
    return dict(zip(rows[0], rows[-1]))  # type: ignore[arg-type]


def paragraphs(doc: Document) -> list[str]:
    return [p.text for p in doc.paragraphs]


def target_missed(row: dict[str, object]) -> bool:
    """From the sheet's words: a target-rule reason that is not a Green one."""
    reason = str(row["RAG Reason"] or "")
    return "target" in reason and not reason.startswith("Green") and not reason.startswith("N/A")


def test_summary_numbers_are_the_workbooks_own_counts(report: Path, paper: Document) -> None:
    rows = kpis(report)
    counts = {word: sum(1 for r in rows if r["RAG"] == word) for word in ("Green", "Amber", "Red", "N/A")}
    assert counts == {w: log_counts(report)[w] for w in counts}  # the sheet and the Log agree
    rated = len(rows) - counts["N/A"]
    first = next(t for t in paragraphs(paper) if t.startswith("Of "))
    assert first.startswith(f"Of {len(rows)} indicators, {rated} are rated: {counts['Green']} Green, "
                            f"{counts['Amber']} Amber, {counts['Red']} Red; ")
    not_rated = sum(int(n) for n in re.findall(r"(\d+) ha(?:ve|s) no", first.split("; ", 1)[1]))
    assert not_rated == counts["N/A"]
    moves = next(t for t in paragraphs(paper) if t.startswith("Since the comparable previous period"))
    for word, direction in (("improved", "Improving"), ("declined", "Declining"), ("did not change", "No change")):
        expected = sum(1 for r in rows if r["Direction"] == direction)
        assert f"{expected} {word}" in moves


def test_exceptions_are_every_red_and_every_decline_below_target_or_bottom_quartile(report: Path,
                                                                                      paper: Document) -> None:
    expected = [r["Indicator"] for r in kpis(report)
                if r["RAG"] == "Red" or (r["Direction"] == "Declining" and (target_missed(r) or r["Quartile"] == 4))]
    assert expected  # the example has exceptions to list
    table = paper.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Indicator", "RAG", "Direction", "Why", "RAG Reason",
                                                     "Benchmark", "Comment"]
    listed = [row.cells[0].text for row in table.rows[1:]]
    assert listed == expected
    by_name = {r["Indicator"]: r for r in kpis(report)}
    for row in table.rows[1:]:
        sheet = by_name[row.cells[0].text]
        assert row.cells[1].text == sheet["RAG"] and row.cells[4].text == sheet["RAG Reason"]
        if sheet["Quartile"]:
            assert row.cells[5].text.startswith(f"quartile {sheet['Quartile']} of 4")


def test_the_table_as_published_with_words_in_colour_and_a_repeating_header(report: Path, paper: Document) -> None:
    table = paper.tables[1]
    header = [c.text for c in table.rows[0].cells]
    assert header[:2] == ["Indicator", "Polarity"] and "RAG" in header and header[-1] == "Comment"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    rag_at, direction_at = header.index("RAG"), header.index("Direction")
    body = {row.cells[0].text: row for row in table.rows[1:] if len({id(c._tc) for c in row.cells}) > 1}
    for sheet in kpis(report):
        row = body[str(sheet["Indicator"])]
        assert row.cells[rag_at].text == sheet["RAG"]  # the word is always there
        assert row.cells[direction_at].text == sheet["Direction"]
        fill = row.cells[rag_at]._tc.tcPr.find(qn("w:shd"))
        assert fill is not None and fill.get(qn("w:fill")) == RAG_COLOURS[str(sheet["RAG"])].fill  # the sheet's colour
    topics = [row.cells[0].text for row in table.rows[1:] if len({id(c._tc) for c in row.cells}) == 1]
    assert topics == list(dict.fromkeys(str(r["Topic"]) for r in kpis(report)))  # one heading per topic
    section = paper.sections[0]
    assert section.page_width > section.page_height  # landscape


def test_every_picture_has_alt_text_saying_what_it_shows(report: Path, paper: Document) -> None:
    shapes = paper.inline_shapes
    names = [str(r["Indicator"]) for r in kpis(report)]
    assert len(shapes) == len(names)  # every example indicator has a history
    for shape, name in zip(shapes, names):
        descr = shape._inline.docPr.get("descr")
        assert descr and descr.startswith(name)
        assert re.search(r" (rose|fell) from | was ", descr)
    care = next(s._inline.docPr.get("descr") for s in shapes if s._inline.docPr.get("title", "").startswith(
        "Re-referrals"))
    assert "target <18.7%" in care and "England" in care


def test_sources_and_dates(paper: Document) -> None:
    text = "\n".join(paragraphs(paper))
    assert "Refreshed: 2026-11-23 09:30" in text
    # The benchmark named by what it is, not by the Settings' word for it ("example").
    assert "Sources: Data sheet; benchmark: DfE LAIT extract bundled with kpi_excel (LAIT rebuild of 8 April 2026)" in text
    assert "Paper made: 23 November 2026 by kpi_excel" in text


def test_topic_and_only_choose_the_indicators_and_the_summary_follows(report: Path, tmp_path: Path) -> None:
    rows = kpis(report)
    topic = str(rows[5]["Topic"])
    mine = [r for r in rows if r["Topic"] == topic]
    result = make_paper(report, tmp_path / "topic.docx", PaperOptions(topic=topic.upper()), now=NOW)
    assert result.indicators == len(mine)
    doc = Document(str(result.path))
    assert any(t.startswith(f"Of {len(mine)} indicators") for t in paragraphs(doc))
    red = make_paper(report, tmp_path / "red.docx", PaperOptions(only=("red", "declining")), now=NOW)
    assert red.indicators == sum(1 for r in rows if r["RAG"] == "Red" or r["Direction"] == "Declining")


def test_a_change_since_the_previous_refresh_is_named(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(path, now=NOW)
    book = load_workbook(path)
    sheet = book["KPIs"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, headers.index("RAG") + 1).value == "Green")
    name = sheet.cell(row, headers.index("Indicator") + 1).value
    book.close()
    # The officer overrides one Green to Red (through the lossless writer, as Excel would keep it).
    from kpi_excel.ooxml import XlsxPackage

    package = XlsxPackage.open(path)
    package.set_cells("KPIs", {(row, headers.index("RAG Override") + 1): "Red",
                               (row, headers.index("Override Reason") + 1): "Data under audit"})
    package.save()
    refresh_report(path, now=NOW + dt.timedelta(days=1))
    doc = Document(str(make_paper(path, tmp_path / "paper.docx", now=NOW).path))
    text = paragraphs(doc)
    assert "1 rating changed since the previous refresh (2026-11-23 09:30)." in text
    assert f"1 moved from Green to Red: {name}." in text


def test_the_command_writes_a_docx_and_refuses_what_it_cannot_write(report: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "cli.docx"
    result = runner.invoke(main, ["pack", str(report), "-o", str(out), "--only", "red", "--title", "Scrutiny pack"])
    assert result.exit_code == 0, result.output
    assert Document(str(out)).paragraphs[0].text == "Scrutiny pack"
    bad = runner.invoke(main, ["pack", str(report), "-o", str(tmp_path / "paper.txt")])
    assert bad.exit_code == 1 and "written as .docx or .pdf" in bad.output and len(bad.output.strip().splitlines()) == 1
    word = runner.invoke(main, ["pack", str(report), "-o", str(out), "--only", "purple"])
    assert word.exit_code == 1 and "unknown word(s) purple" in word.output
    topic = runner.invoke(main, ["pack", str(report), "-o", str(out), "--topic", "Nowhere"])
    assert topic.exit_code == 1 and "no topic 'Nowhere'" in topic.output
    missing = runner.invoke(main, ["pack", str(tmp_path / "none.xlsx"), "-o", str(out)])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_a_new_paper_format_is_one_entry_in_the_registry(report: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_excel.app import paper

    def verify(path: Path) -> None:
        assert path.read_bytes().startswith(b"PK")

    monkeypatch.setitem(paper.FORMATS, ".odt", paper.PaperFormat(".odt", lambda docx, name: docx, verify))
    result = make_paper(report, tmp_path / "paper.odt", now=NOW)
    assert result.path == tmp_path / "paper.odt" and result.indicators > 0
    assert Document(str(result.path)).paragraphs  # the .docx bytes, as this format's render gave them
    bad = CliRunner().invoke(main, ["pack", str(report), "-o", str(tmp_path / "paper.txt")])
    assert "written as .docx or .pdf or .odt" in bad.output


def test_pdf_without_libreoffice_is_one_line_and_nothing_written(report: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice here
    result = CliRunner().invoke(main, ["pack", str(report), "-o", str(tmp_path / "paper.pdf")])
    assert result.exit_code == 1
    assert "LibreOffice (soffice) is not installed" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "paper.pdf").exists()


@pytest.mark.libreoffice
def test_the_pdf_renders_with_the_same_words(report: Path, tmp_path: Path) -> None:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice and pdftotext must be installed in CI")
        pytest.skip("LibreOffice or pdftotext is not installed")
    result = make_paper(report, tmp_path / "paper.pdf", now=NOW)
    text = subprocess.run(["pdftotext", str(result.path), "-"], capture_output=True, text=True, timeout=120).stdout
    flat = " ".join(text.split())
    counts = log_counts(report)
    assert f"{counts['Green']} Green, {counts['Amber']} Amber, {counts['Red']} Red" in flat
    assert "Exceptions" in flat and "Red: 77.60% is 19.60 points short of the >97.2% target" in flat
