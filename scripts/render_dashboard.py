"""Render the refreshed example report to PNG pictures with LibreOffice (for the README).

Run from the repo root: python scripts/render_dashboard.py
Needs LibreOffice (soffice), poppler (pdftoppm) and a font with Calibri's widths (Calibri, or
Carlito: fonts-crosextra-carlito), else the columns come out wider than Excel prints them.
Writes docs/images/dashboard.png (the KPIs sheet's first A3 page), docs/images/benchmark.png
(the Benchmark sheet's table page) and docs/images/benchmark-charts.png (its first page of
charts): the pages as they print.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi_excel.app.report_files import new_report, refresh_report

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def _pages(pdf: Path) -> list[str]:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout.split("\f")


def _page_starting(pdf: Path, heading: str) -> int:
    """The number of the first page whose text starts with ``heading``."""
    for number, text in enumerate(_pages(pdf), start=1):
        if text.strip().startswith(heading):
            return number
    raise SystemExit(f"no page of {pdf.name} starts with {heading!r}")


def _page_after(pdf: Path, first: int, words: str) -> int:
    """The number of the first page after ``first`` whose text holds ``words``."""
    for number, text in enumerate(_pages(pdf), start=1):
        if number > first and words in text:
            return number
    raise SystemExit(f"no page of {pdf.name} after {first} holds {words!r}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        report = new_report(Path(folder) / "report.xlsx", example=True)
        refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder, str(report)],
                       check=True, capture_output=True, timeout=300)
        pdf = Path(folder) / "report.pdf"
        IMAGES.mkdir(parents=True, exist_ok=True)
        # The KPIs sheet is page 1 (A3: the top of it, at the size it prints); the Benchmark sheet's
        # pages are found by its heading and, for the charts, their axis title.
        benchmark = _page_starting(pdf, "Benchmark:")
        charts = _page_after(pdf, benchmark, "Value: ")
        for page, name, dpi, crop in ((1, "dashboard", 100, ["-x", "0", "-y", "0", "-W", "1654", "-H", "800"]),
                                      (benchmark, "benchmark", 150, ["-x", "0", "-y", "0", "-W", "1754", "-H", "760"]),
                                      (charts, "benchmark-charts", 110, [])):
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                            *crop, str(pdf), str(Path(folder) / name)], check=True, timeout=120)
            shutil.copyfile(Path(folder) / f"{name}.png", IMAGES / f"{name}.png")
    print(f"wrote dashboard.png, benchmark.png and benchmark-charts.png in {IMAGES}")


if __name__ == "__main__":
    main()
