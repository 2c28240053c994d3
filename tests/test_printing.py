"""The report prints for committee: LibreOffice renders the refreshed example to PDF and
the pages are measured (text size, paper, what lands on which page)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from kpi_excel.app.report_files import new_report, refresh_report
from tests.pdf_words import Page, font_factor, pages

pytestmark = pytest.mark.libreoffice

# The size a committee member can read on paper, and the reference sizes the factor is measured from.
READABLE_PT = 8.0
REFERENCE = {"Size8": 8.0, "Size11": 11.0, "Size14": 14.0}
A3_LANDSCAPE, A4_LANDSCAPE = (1190.55, 841.89), (841.89, 595.28)


def _calibri_metrics() -> bool:
    """Whether LibreOffice draws Calibri, the workbook's font, with Calibri's widths, as Excel prints it."""
    if shutil.which("fc-match") is None:
        return False
    found = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True, timeout=30).stdout
    return "Calibri" in found or "Carlito" in found


def _reference(path: Path) -> Path:
    book = Workbook()
    for row, (word, size) in enumerate(REFERENCE.items(), start=1):
        book.active.cell(row, 1, word).font = Font(name="Calibri", size=size)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Page], float]:
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) and poppler (pdftotext) are needed")
    if not _calibri_metrics():
        (pytest.fail if os.environ.get("CI", "").lower() == "true" else pytest.skip)("no font with Calibri's widths (Calibri or Carlito: apt install fonts-crosextra-carlito); "
                    "LibreOffice would lay the columns out wider than Excel does")
    folder = tmp_path_factory.mktemp("print")
    report = new_report(folder / "report.xlsx", example=True)
    # An officer adds a row below the table with a long Target and Indicator, typed plain.
    book = load_workbook(report)
    sheet = book["KPIs"]
    headers = {c.value: c.column for c in sheet[1]}
    row = sheet.max_row + 1
    sheet.cell(row, headers["Indicator"], "Households in temporary accommodation for more than six weeks")
    sheet.cell(row, headers["Code"], "HOUS01")
    sheet.cell(row, headers["Target"], "95% or above")
    book.save(report)
    refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
    result = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(folder),
                             str(report), str(_reference(folder / "reference.xlsx"))],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    factor = font_factor(pages(folder / "reference.pdf"), REFERENCE)
    return report, pages(folder / "report.pdf"), factor


def _sheet_pages(all_pages: list[Page], first_words: str | None, next_first_words: str) -> list[Page]:
    """The pages from the one starting with ``first_words`` (None: the first page) to before the one
    starting with ``next_first_words``: one sheet's pages, as sheets print in order."""
    start = 0 if first_words is None else next(i for i, p in enumerate(all_pages) if p.text.startswith(first_words))
    end = next(i for i, p in enumerate(all_pages) if i > start and p.text.startswith(next_first_words))
    return all_pages[start:end]


def _smallest_pt(sheet_pages: list[Page], factor: float) -> float:
    heights = sorted(w.height for p in sheet_pages for w in p.words)
    return heights[len(heights) // 20] / factor  # the 5th percentile: a stray glyph is not the text


def test_kpis_sheet_prints_the_published_columns_readably_on_a3(rendered) -> None:
    _, all_pages, factor = rendered
    kpis = _sheet_pages(all_pages, None, "Summary of the KPIs")  # KPIs is the first sheet
    assert all((round(p.width), round(p.height)) == tuple(map(round, A3_LANDSCAPE)) for p in kpis)
    assert _smallest_pt(kpis, factor) >= READABLE_PT
    words = {w.text for p in kpis for w in p.words}
    # Headers whole, wrapped onto lines rather than cut at the column edge ("Previous Valu").
    for header in ("Previous Period", "Previous Value", "Latest Value", "Stat Neighbour Avg", "RAG Reason",
                   "Comment", "Rank", "Benchmark Value", "Benchmark Period"):
        assert set(header.split()) <= words, header
    assert not words & {"Valu", "Previou", "Neighbou", "Perio", "Benchmar"}
    # The figure the quartile is of prints beside it, with its period (issue 16 item 7).
    assert _in_one_cell(kpis, "58.0%", "58.0%") and "2022" in words
    # The officer's added row wraps: its Target prints whole within its cell, and so does its Indicator.
    assert _in_one_cell(kpis, "95%", "above")
    assert _in_one_cell(kpis, "Households", "weeks")
    # A long RAG Reason written by the refresh prints whole.
    assert _in_one_cell(kpis, "77.60%", ">97.2%")
    # The working columns after Comment are outside the print area.
    assert not words & {"Checks", "Source", "Significance", "Unit"}


def _in_one_cell(sheet_pages: list[Page], first: str, last: str) -> bool:
    """Whether ``last`` follows ``first`` on the same page within a cell's width and a few lines."""
    for page in sheet_pages:
        starts = [w for w in page.words if w.text == first]
        ends = [w for w in page.words if w.text == last]
        if any(0 <= e.y - s.y < 4 * s.height and abs(e.x - s.x) < 200 for s in starts for e in ends):
            return True
    return False


def test_benchmark_sheet_prints_its_table_readably_and_every_chart_whole(rendered) -> None:
    _, all_pages, factor = rendered
    bench = _sheet_pages(all_pages, "Benchmark:", "History of each indicator")
    assert all((round(p.width), round(p.height)) == tuple(map(round, A4_LANDSCAPE)) for p in bench)
    table = bench[0]
    assert _smallest_pt([table], factor) >= READABLE_PT
    words = {w.text for p in bench for w in p.words}
    assert {"Lower", "Upper", "quartile", "neighbours"} <= words and not words & {"quarti", "neighbou"}
    # The funnel plots' data (a row per authority) stays on screen: not one printed page of it.
    assert not words & {"lower", "Hartlepool", "Wolverhampton"} and "Funnel plot data" not in " ".join(p.text for p in bench)
    # Each chart is whole on one page: its title (ending in its period) and its axis title below
    # the bars are on the same page, and every chart is printed.
    titles = [sum(bool(re.fullmatch(r"\(\d{4}(/\d{2})?\)", w.text)) for w in p.words) for p in bench]
    bottoms = [sum(w.text in ("Value:", "Denominator") for w in p.words) for p in bench]
    assert titles == bottoms
    drawn = [x for x in _chart_xmls(rendered[0]) if "<a:t>Value: " in x or "<a:t>Denominator<" in x]
    assert sum(titles) == len(drawn) > 0  # every indicator's and funnel's chart is printed


def _chart_xmls(report: Path) -> list[str]:
    with zipfile.ZipFile(report) as book:
        return [book.read(n).decode() for n in sorted(book.namelist()) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


def test_kpi_history_prints_its_table_readably_on_a4(rendered) -> None:
    """Issue 16 item 15: the history table (8 periods by default) at 8 pt or more on A4 landscape,
    its period labels whole."""
    _, all_pages, factor = rendered
    history = _sheet_pages(all_pages, "History of each indicator", "Code Period Value")
    assert history and all((round(p.width), round(p.height)) == tuple(map(round, A4_LANDSCAPE)) for p in history)
    table = history[0]
    assert _smallest_pt([table], factor) >= READABLE_PT
    words = {w.text for w in table.words}
    assert {"Q2", "2022/23", "Summer", "Indicator", "Frequency"} <= words
    assert not words & {"2022/2", "Summe", "Indicato"}
