"""A second, independent reader: LibreOffice opens the refreshed report and renders it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kpi_excel.app.report_files import new_report, refresh_report

SOFFICE = shutil.which("soffice")


@pytest.fixture
def soffice() -> str:
    if SOFFICE is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) must be installed in CI")
        pytest.skip("LibreOffice is not installed")
    return SOFFICE


def test_libreoffice_renders_the_refreshed_example(soffice: str, tmp_path: Path) -> None:
    report = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(report)
    result = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir",
                             str(tmp_path), str(report)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "report.pdf"
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
        assert "Red: 77.60% is 19.60 points short of the >97.2% target" in text
        assert "Where Leicestershire stands" in text  # the Benchmark sheet's chart title
