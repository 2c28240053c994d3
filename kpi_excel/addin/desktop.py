"""The desktop add-in's entry point: ``kpi_excel.main()``.

``kpi_excel.xlam``'s ribbon button runs ``import kpi_excel; kpi_excel.main()``
through xlwings' ``RunPython`` (a fresh Python process on Windows, AppleScript
on macOS). :func:`main` refreshes the workbook the officer is in and tells them
what happened in a message box.

xlwings is imported inside :func:`main`, never at module level: the web server
must import ``xlwings_server.config`` before xlwings (see
``kpi_excel.addin.server.app``), and ``kpi_excel`` re-exports this function.
"""

from __future__ import annotations

import getpass

from kpi_excel.errors import KpiExcelError

__all__ = ["main"]

TITLE = "KPI Report"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name is not worth failing a refresh for
        return ""


def main() -> None:
    """Refresh the calling workbook (``xw.Book.caller()``) and show a summary."""
    import xlwings as xw

    from kpi_excel.workbook.book_door import refresh_book

    book = xw.Book.caller()
    try:
        summary = refresh_book(book, door="desktop", user=_user())
    except KpiExcelError as error:
        # Something the officer can fix (no KPIs sheet, no header row): say it plainly.
        book.app.alert(str(error), title=f"{TITLE}: nothing was changed", mode="critical")
        return
    book.app.alert("\n".join(summary.lines()), title=TITLE, mode="info")
