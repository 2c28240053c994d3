"""The web add-in's committee paper: the workbook's file in, a one-time download link out.

Why not an xlwings Server script: a script answers with workbook actions
(``setValues``, ``alert``...) that the add-in replays; xlwings Server 1.20 has
no action that hands the user a file, and its JSON carries no number formats,
so a paper made from it would print 0.776 for 77.6%. Instead the Committee
paper button's JavaScript sends the workbook's own file (Office.js
``getFileAsync``, the .xlsx as Excel on the web holds it, formats, Log and KPI
history sheet included) to ``POST <app>/kpi/paper``, authenticated exactly as
scripts are. The server makes the paper with the same code as
``kpi-excel pack`` and answers with a link; the button opens it in a browser
tab, where ``GET <app>/kpi/paper/<token>`` downloads the .docx.

The link is a capability, because a new browser tab cannot carry the add-in's
sign-in token: 32 random bytes, good for :data:`LINK_SECONDS`, usable once,
held only in this process's memory (a bounded number of papers, oldest dropped
first). The workbook itself is written only to a private temporary folder
while the paper is made, and deleted with it.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from kpi_excel.errors import InputError
from kpi_excel.pack import PaperResult, paper_bytes

__all__ = ["PaperStore", "StoredPaper", "STORE", "make_web_paper", "safe_file_name", "LINK_SECONDS", "DOCX_TYPE"]

LINK_SECONDS = 600
MAX_PAPERS = 32
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class StoredPaper:
    data: bytes
    file_name: str
    user: str
    expires: float


class PaperStore:
    """One-time download links: ``put`` a paper, ``take`` it once before it expires."""

    def __init__(self, seconds: float = LINK_SECONDS, limit: int = MAX_PAPERS) -> None:
        self.seconds, self.limit = seconds, limit
        self._papers: OrderedDict[str, StoredPaper] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, data: bytes, file_name: str, user: str, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._expire(now)
            while len(self._papers) >= self.limit:
                self._papers.popitem(last=False)
            self._papers[token] = StoredPaper(data, file_name, user, now + self.seconds)
        return token

    def take(self, token: str, now: float | None = None) -> StoredPaper | None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            return self._papers.pop(token, None)

    def _expire(self, now: float) -> None:
        for token in [t for t, p in self._papers.items() if p.expires <= now]:
            del self._papers[token]

    def __len__(self) -> int:
        return len(self._papers)


STORE = PaperStore()


def safe_file_name(workbook_name: str) -> str:
    """``Q2 report.xlsx`` → ``Q2 report - committee paper.docx``: letters, digits, space, ``-_.()`` only."""
    stem = re.sub(r"\.(xlsx|xlsm)$", "", Path(workbook_name.replace("\\", "/")).name, flags=re.I)
    stem = re.sub(r"[^\w .()-]+", "", stem, flags=re.ASCII).strip(" .")[:80] or "workbook"  # a header is latin-1
    return f"{stem} - committee paper.docx"


def make_web_paper(data: bytes, workbook_name: str) -> tuple[bytes, PaperResult]:
    """The paper of a workbook sent as bytes; raises :class:`InputError` for anything that is not one."""
    if not data.startswith(b"PK"):
        raise InputError("the add-in did not send an Excel workbook (.xlsx)")
    with tempfile.TemporaryDirectory(prefix="kpi-web-paper-") as folder:
        path = Path(folder) / "workbook.xlsx"
        path.write_bytes(data)
        return paper_bytes(path)
