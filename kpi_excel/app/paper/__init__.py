"""The committee paper: a refreshed report workbook → a Word document (or PDF).

``kpi-excel pack REPORT.xlsx -o PAPER.docx`` (or ``.pdf``), the desktop add-in's
Pack button and the web add-in's Pack button all call :func:`make_paper` /
:func:`paper_bytes`:

* :mod:`.content` reads the workbook as published (no re-rating);
* :mod:`.charts` draws each indicator's history with one reused matplotlib figure;
* :mod:`.document` writes the paper with python-docx;
* :mod:`.pdf` renders it with LibreOffice when a PDF is asked for.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kpi_excel.errors import PaperError, SaveVerificationError, UnreadableFileError, officer_errors
from kpi_excel.app.paper.content import PaperContent, PaperOptions, parse_only, read_paper

__all__ = ["make_paper", "paper_bytes", "PaperOptions", "PaperResult", "parse_only", "PAPER_SUFFIXES", "PaperFormat",
           "FORMATS"]


@dataclass(frozen=True)
class PaperFormat:
    """One kind of paper file: how the Word document becomes it, and how a written one is checked.

    :data:`FORMATS` is keyed by the output's suffix; a new format is one entry there.
    """

    suffix: str
    render: Callable[[bytes, str], bytes]  # (the .docx, the workbook's name) -> this format's bytes
    verify: Callable[[Path], None]  # raises SaveVerificationError when a written file is not one


@dataclass(frozen=True)
class PaperResult:
    """What was written: where, how many indicators, exceptions and charts."""

    path: Path | None
    indicators: int
    exceptions: int
    charts: int
    content: PaperContent


def paper_bytes(workbook: Path, options: PaperOptions = PaperOptions(), *, pdf: bool = False,
                now: dt.datetime | None = None) -> tuple[bytes, PaperResult]:
    """The paper for ``workbook`` as bytes (.docx, or PDF when ``pdf``)."""
    return _paper(workbook, options, FORMATS[".pdf" if pdf else ".docx"], now)


def _paper(workbook: Path, options: PaperOptions, paper_format: PaperFormat,
           now: dt.datetime | None) -> tuple[bytes, PaperResult]:
    from kpi_excel.app.paper.charts import ChartDrawer
    from kpi_excel.app.paper.document import write_document

    workbook = Path(workbook)
    if workbook.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UnreadableFileError("a report workbook must be an .xlsx (or .xlsm) file", source=str(workbook))
    if not workbook.is_file():
        raise UnreadableFileError("no such file", source=str(workbook))
    content = read_paper(workbook, options, now=now)
    if not content.refreshed:
        # Its RAG, trend and benchmark columns are whatever the workbook holds (empty in a new
        # report): a paper of them would put unrated figures in front of members.
        raise PaperError(f"{workbook}: the workbook has not been refreshed (its Log has no refresh); "
                         f"refresh it first: kpi-excel refresh \"{workbook}\"")
    drawer = ChartDrawer()
    data = paper_format.render(write_document(content, drawer.draw), Path(workbook).stem or "paper")
    result = PaperResult(None, len(content.indicators), len(content.summary.exceptions), drawer.drawn, content)
    return data, result


def make_paper(workbook: Path, output: Path, options: PaperOptions = PaperOptions(), *,
               now: dt.datetime | None = None) -> PaperResult:
    """Write the paper to ``output`` (.docx or .pdf), atomically: a failure leaves nothing behind."""
    from kpi_excel.ooxml.atomic import atomic_write

    output = Path(output)
    paper_format = FORMATS.get(output.suffix.lower())
    if paper_format is None:
        raise PaperError(f"{output}: the paper is written as {' or '.join(FORMATS)}, "
                         f"not '{output.suffix or 'no suffix'}'")
    data, result = _paper(workbook, options, paper_format, now)
    with officer_errors():
        atomic_write(output, lambda handle: handle.write(data), paper_format.verify)
    return PaperResult(output, result.indicators, result.exceptions, result.charts, result.content)


def _as_pdf(docx: bytes, name: str) -> bytes:
    from kpi_excel.app.paper.pdf import docx_to_pdf

    return docx_to_pdf(docx, name=name)


def _verify_docx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            if "word/document.xml" not in archive.namelist() or archive.testzip() is not None:
                raise SaveVerificationError("the written .docx has no document part", path=path)
    except zipfile.BadZipFile:
        raise SaveVerificationError("the written .docx is not a zip package", path=path) from None


def _verify_pdf(path: Path) -> None:
    with open(path, "rb") as handle:
        if handle.read(4) != b"%PDF":
            raise SaveVerificationError("the written PDF does not start as a PDF", path=path)


FORMATS: dict[str, PaperFormat] = {
    ".docx": PaperFormat(".docx", lambda docx, name: docx, _verify_docx),
    ".pdf": PaperFormat(".pdf", _as_pdf, _verify_pdf),
}
PAPER_SUFFIXES = tuple(FORMATS)
