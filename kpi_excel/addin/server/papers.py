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
sign-in token: 32 random bytes, good for :data:`LINK_SECONDS`, usable once.
Papers wait in a private folder (mode 0700, checked to be this user's own)
rather than in one process's memory, so a link works whichever of the
server's workers answers it; taking one is an atomic rename, so two requests
for one link cannot both get it. At most :data:`PAPERS_PER_USER` wait for one
officer (their own oldest goes first, so fifty officers at once evict nobody's
link) and :data:`MAX_PAPERS` in all. The workbook itself is written only to a
private temporary folder while the paper is made, and deleted with it.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import secrets
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kpi_excel.errors import InputError, KpiExcelError
from kpi_excel.app.paper import PaperResult, paper_bytes

__all__ = ["PaperStore", "StoredPaper", "paper_store", "make_web_paper", "safe_file_name", "LINK_SECONDS",
           "DOCX_TYPE"]

LINK_SECONDS = 600
MAX_PAPERS = 256  # waiting on disk at once (a paper is ~100 KB)
PAPERS_PER_USER = 4  # one officer's newest; more clicks evict their own oldest, never a colleague's
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class StoredPaper:
    data: bytes
    file_name: str
    user: str
    expires: float


def private_folder(base: Path | None = None) -> Path:
    """This server user's folder for waiting papers, made 0700 and refused if anyone else could use it."""
    owner = os.getuid() if hasattr(os, "getuid") else re.sub(r"\W", "", getpass.getuser())
    folder = (base or Path(tempfile.gettempdir())) / f"kpi-excel-papers-{owner}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(folder)
    unsafe = not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()) or \
        (os.name == "posix" and info.st_mode & 0o077)
    if unsafe:
        raise RuntimeError(f"{folder} is not a private folder of this user: remove it, or set TMPDIR")
    return folder


class PaperStore:
    """One-time download links: ``put`` a paper, ``take`` it once before it expires."""

    def __init__(self, folder: Path, seconds: float = LINK_SECONDS, limit: int = MAX_PAPERS,
                 per_user: int = PAPERS_PER_USER) -> None:
        self.folder, self.seconds, self.limit, self.per_user = folder, seconds, limit, per_user

    def put(self, data: bytes, file_name: str, user: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        self._expire(now)
        waiting = sorted(self._waiting(), key=lambda item: item[1])
        own = [path for path, _ in waiting if self._user_of(path) == user]
        for path in own[: max(len(own) - self.per_user + 1, 0)]:
            path.unlink(missing_ok=True)  # this officer's oldest go first
        waiting = [(path, when) for path, when in waiting if path.exists()]
        for path, _ in waiting[: max(len(waiting) - self.limit + 1, 0)]:
            path.unlink(missing_ok=True)  # then, past the server's bound, anyone's oldest
        token = secrets.token_urlsafe(32)
        header = json.dumps({"file_name": file_name, "user": user, "expires": now + self.seconds}).encode()
        part = self.folder / f".{token}.part"
        handle = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(header + b"\n" + data)
        os.replace(part, self.folder / f"{token}.paper")
        return token

    def take(self, token: str, now: float | None = None) -> StoredPaper | None:
        if not _TOKEN.fullmatch(token):
            return None
        claimed = self.folder / f".{token}.{secrets.token_hex(4)}.taken"
        try:
            os.rename(self.folder / f"{token}.paper", claimed)  # atomic: one taker only
        except FileNotFoundError:
            return None
        try:
            header, _, data = claimed.read_bytes().partition(b"\n")
        finally:
            claimed.unlink(missing_ok=True)
        meta = json.loads(header)
        if meta["expires"] <= (time.time() if now is None else now):
            return None
        return StoredPaper(data, meta["file_name"], meta["user"], meta["expires"])

    def _waiting(self) -> list[tuple[Path, int]]:
        out = []
        for path in self.folder.glob("*.paper"):
            try:
                out.append((path, path.stat().st_mtime_ns))
            except FileNotFoundError:
                continue  # taken meanwhile
        return out

    @staticmethod
    def _user_of(path: Path) -> str | None:
        try:
            with open(path, "rb") as handle:
                return str(json.loads(handle.readline())["user"])
        except (OSError, ValueError, KeyError):
            return None

    def _expire(self, now: float) -> None:
        for path in self.folder.glob("*.paper"):
            try:
                with open(path, "rb") as handle:
                    expires = json.loads(handle.readline())["expires"]
            except (FileNotFoundError, ValueError, KeyError):
                continue
            if expires <= now:
                path.unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self._waiting())


_STORE: PaperStore | None = None


def paper_store() -> PaperStore:
    """The server's store, in this user's private folder (made on first use)."""
    global _STORE
    if _STORE is None:
        _STORE = PaperStore(private_folder())
    return _STORE


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
        try:
            return paper_bytes(path)
        except KpiExcelError as error:
            # The officer sent a file, not a path: say what is wrong with it, never where the
            # server keeps its copy (messages name their file for the command line's sake).
            raise InputError(f"the workbook sent: {_without(str(error), folder)}") from None


def _without(text: str, folder: str) -> str:
    text = text.replace(f"{folder}/workbook.xlsx: ", "").replace(f"{folder}/workbook.xlsx", "the workbook")
    return text.replace(folder, "the server's temporary folder")
