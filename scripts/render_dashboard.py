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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        report = new_report(Path(folder) / "report.xlsx", example=True)
        refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder, str(report)],
                       check=True, capture_output=True, timeout=300)
        pdf = Path(folder) / "report.pdf"
        IMAGES.mkdir(parents=True, exist_ok=True)
        # Page 1: the KPIs sheet (crop to the table); page 2: the Benchmark sheet.
        for page, name, crop in ((1, "dashboard", ["-x", "80", "-y", "100", "-W", "1900", "-H", "780"]),
                                 (2, "benchmark", ["-x", "80", "-y", "90", "-W", "1900", "-H", "1000"])):
            subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), "-singlefile",
                            *crop, str(pdf), str(Path(folder) / name)], check=True, timeout=120)
            shutil.copyfile(Path(folder) / f"{name}.png", IMAGES / f"{name}.png")
    print(f"wrote {IMAGES / 'dashboard.png'} and {IMAGES / 'benchmark.png'}")


if __name__ == "__main__":
    main()
