"""Render the first page of the example's committee paper to a PNG (for the README).

Run from the repo root: python scripts/render_paper.py
Needs LibreOffice (soffice) and poppler (pdftoppm). Writes docs/images/paper.png.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi_excel.app.paper import make_paper
from kpi_excel.app.report_files import new_report, refresh_report

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def main() -> None:
    now = dt.datetime(2026, 11, 23, 9, 30)
    with tempfile.TemporaryDirectory() as folder:
        report = new_report(Path(folder) / "kpi_demo.xlsx", example=True)
        refresh_report(report, now=now, user="officer")
        pdf = make_paper(report, Path(folder) / "kpi_demo.pdf", now=now).path
        assert pdf is not None
        IMAGES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(Path(folder) / "paper")], check=True, timeout=120)
        shutil.copyfile(Path(folder) / "paper.png", IMAGES / "paper.png")
    print(f"wrote {IMAGES / 'paper.png'}")


if __name__ == "__main__":
    main()
