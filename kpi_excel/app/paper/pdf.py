"""The paper as PDF: the .docx rendered by LibreOffice, headless.

LibreOffice runs with a private, throw-away user profile, so a LibreOffice
the officer has open (or another conversion running) neither blocks it nor is
disturbed. When LibreOffice is not installed the paper cannot be a PDF: that is
said in one line, and nothing is written.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from kpi_excel.errors import PaperError

__all__ = ["find_soffice", "docx_to_pdf", "PDF_TIMEOUT"]

PDF_TIMEOUT = 600  # seconds: a 2,000-indicator paper is hundreds of pages


def find_soffice() -> str | None:
    """The LibreOffice command on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, *, name: str = "paper") -> bytes:
    """Render a .docx (as bytes) to PDF bytes with LibreOffice."""
    soffice = find_soffice()
    if soffice is None:
        raise PaperError("LibreOffice (soffice) is not installed, so the paper cannot be written as PDF; "
                         "install LibreOffice or write a .docx")
    with tempfile.TemporaryDirectory(prefix="kpi-pack-") as folder:
        work = Path(folder)
        source = work / f"{name}.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work), str(source)]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise PaperError(f"LibreOffice took more than {PDF_TIMEOUT} s to render the PDF; nothing written") from None
        except OSError as error:
            raise PaperError(f"LibreOffice could not be started ({error.strerror}); nothing written") from None
        pdf = work / f"{name}.pdf"
        if result.returncode != 0 or not pdf.exists():
            said = (result.stderr or result.stdout or "").strip().splitlines()
            raise PaperError("LibreOffice did not write the PDF" + (f" ({said[-1][:200]})" if said else "")
                             + "; nothing written")
        data = pdf.read_bytes()
    if not data.startswith(b"%PDF"):
        raise PaperError("LibreOffice wrote something that is not a PDF; nothing written")
    return data
