"""The desktop add-ins' buttons: :func:`refresh_button` and :func:`paper_button`.

``kpi_excel.xlam``'s ribbon button runs ``import kpi_excel; kpi_excel.main()``
through xlwings' ``RunPython`` (a fresh Python process on Windows, AppleScript
on macOS): that name is the add-in's file name, so it stays, and
``kpi_excel.main`` is :func:`refresh_button` (``kpi_excel_pack.main`` is
:func:`paper_button`). :func:`refresh_button` refreshes the workbook the officer is in and tells them
what happened in a message box; whatever stops either button becomes one alert
with what to do (:mod:`kpi_excel.addin.button_errors`).

xlwings is imported inside the buttons, never at module level: the web server
must import ``xlwings_server.config`` before xlwings (see
``kpi_excel.addin.server.app``). ``import kpi_excel`` does not import this
module; ``kpi_excel.main`` does, when the button asks for it.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from kpi_excel.addin.button_errors import PAPER, REFRESH, TITLE, UNSYNCED, is_unsynced_address, run_button
from kpi_excel.cycle_pause import cycle_collector_paused, imports_frozen
from kpi_excel.errors import PaperError

__all__ = ["refresh_button", "paper_button", "paper_path", "saved_workbook", "book_file"]


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name is not worth failing a refresh for
        return ""


def refresh_button() -> None:
    """Refresh the calling workbook (``xw.Book.caller()``) and show a summary (or one alert saying what to do)."""
    with imports_frozen():  # RunPython's own process: what it imports is never walked again
        import xlwings as xw

        from kpi_excel.addin.book_door import refresh_book

    book = xw.Book.caller()

    def refresh() -> tuple[str, str]:
        # RunPython's process is the button's own, as the refresh command's is: no full
        # cycle-collector passes over the objects a refresh makes (see kpi_excel.cycle_pause).
        with cycle_collector_paused():
            summary = refresh_book(book, door="desktop", user=_user())
        return TITLE, "\n".join(summary.lines())

    run_button(book, REFRESH, refresh)


def paper_path(workbook: Path) -> Path:
    """Where the Pack button writes the paper: beside the workbook, named after it."""
    return workbook.with_name(f"{workbook.stem} - committee paper.docx")


def saved_workbook(fullname: str) -> Path:
    """The workbook's saved file, or a :class:`PaperError` saying why there is none to read."""
    if "://" in fullname:
        raise PaperError(UNSYNCED)
    path = Path(fullname)
    if not path.is_absolute() or not path.is_file():
        raise PaperError("save the workbook to a folder first: the committee paper is made from the saved file")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise PaperError(f"the committee paper is made from an .xlsx or .xlsm workbook, not {path.suffix}")
    return path


def book_file(book: Any) -> Path:
    """The calling workbook's saved file.

    ``book.fullname`` maps a SharePoint/OneDrive address to the synced folder;
    for a workbook not synced here xlwings raises instead (an ``XlwingsError``,
    or for /sites/ addresses an ``UnboundLocalError`` from inside xlwings).
    """
    try:
        fullname = str(book.fullname)
    except Exception as error:
        if is_unsynced_address(error):
            raise PaperError(UNSYNCED) from error
        raise
    return saved_workbook(fullname)


def _unsaved(book: Any) -> bool:
    """Whether desktop Excel holds changes not yet saved (False when it cannot say)."""
    try:
        return not bool(book.api.Saved)  # Windows COM
    except Exception:  # noqa: BLE001 - macOS AppleScript and other engines have no such property
        return False


def paper_button() -> None:
    """Write the committee paper of the calling workbook beside it (``kpi_excel_pack.xlam``)."""
    import xlwings as xw

    from kpi_excel.app.paper import make_paper

    book = xw.Book.caller()

    def paper() -> tuple[str, str]:
        source = book_file(book)
        result = make_paper(source, paper_path(source))
        lines = [f"Wrote {result.path}", f"{result.indicators} indicators, {result.exceptions} exceptions, "
                                         f"{result.charts} charts."]
        if _unsaved(book):
            lines.append("The workbook has unsaved changes: the paper is made from the saved file, so save and "
                         "press the button again to include them.")
        return f"{TITLE}: committee paper", "\n".join(lines)

    run_button(book, PAPER, paper)
