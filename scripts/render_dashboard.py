"""Render the refreshed example report to PNG pictures with LibreOffice (for the README).

Run from the repo root: python scripts/render_dashboard.py
Needs LibreOffice (soffice) and poppler (pdftoppm). Writes docs/images/dashboard.png
(the KPIs sheet) and docs/images/benchmark.png (the Benchmark sheet).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi_excel.workbook.report_file import new_report, refresh_report

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def _page_starting(pdf: Path, heading: str) -> int:
    """The number of the first page whose text starts with ``heading``."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                           timeout=120).stdout.split("\f")
    for number, text in enumerate(pages, start=1):
        if text.strip().startswith(heading):
            return number
    raise SystemExit(f"no page of {pdf.name} starts with {heading!r}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        report = new_report(Path(folder) / "report.xlsx", example=True)
        refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder, str(report)],
                       check=True, capture_output=True, timeout=300)
        pdf = Path(folder) / "report.pdf"
        IMAGES.mkdir(parents=True, exist_ok=True)
        # The KPIs sheet is page 1 (crop to the table); the Benchmark sheet's page is found by its
        # heading, since the Summary sheet and others come before it.
        benchmark = _page_starting(pdf, "Benchmark:")
        for page, name, crop in ((1, "dashboard", ["-x", "80", "-y", "100", "-W", "1900", "-H", "780"]),
                                 (benchmark, "benchmark", ["-x", "80", "-y", "90", "-W", "1900", "-H", "1000"])):
            subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), "-singlefile",
                            *crop, str(pdf), str(Path(folder) / name)], check=True, timeout=120)
            shutil.copyfile(Path(folder) / f"{name}.png", IMAGES / f"{name}.png")
    print(f"wrote {IMAGES / 'dashboard.png'} and {IMAGES / 'benchmark.png'}")


if __name__ == "__main__":
    main()
