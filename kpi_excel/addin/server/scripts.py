"""The web add-in's scripts, run by xlwings Server when a ribbon button is clicked.

Excel on the web sends only the sheets the refresh reads (``include``); the
Benchmark, RAG key and Log sheets still arrive by name and position, without
their values, which is enough to write to them. Every write comes back to
Excel as JSON actions (``setValues`` and friends) that the add-in replays.

Import this module only in the server process, after
:mod:`kpi_excel.addin.server.app` has set ``XLWINGS_ON_SERVER``: otherwise
``xw.script`` is xlwings' do-nothing stand-in.
"""

from __future__ import annotations

import xlwings as xw
from xlwings_server.models import CurrentUser

from kpi_excel.addin.payload import REFRESH_SHEETS
from kpi_excel.errors import KpiExcelError
from kpi_excel.workbook.book_door import check_book, refresh_book

__all__ = ["refresh_kpis", "check_inputs", "SCRIPT_NAMES"]

TITLE = "KPI Report"
SCRIPT_NAMES = ("refresh_kpis", "check_inputs")


def _who(user: CurrentUser | None) -> str:
    if user is None or user.id in (None, "n/a"):
        return ""  # sign-in not configured: nobody to name in the Log
    return user.email or user.name or ""


@xw.script(include=list(REFRESH_SHEETS), name="Refresh KPIs")
def refresh_kpis(book: xw.Book, current_user: CurrentUser) -> None:
    """Refresh every indicator on the KPIs sheet and tell the officer what changed."""
    try:
        summary = refresh_book(book, door="web", user=_who(current_user))
    except KpiExcelError as error:
        book.app.alert(str(error), title=f"{TITLE}: nothing was changed", mode="critical")
        return
    book.app.alert("\n".join(summary.lines()), title=TITLE, mode="info")


@xw.script(include=list(REFRESH_SHEETS), name="Check inputs")
def check_inputs(book: xw.Book, current_user: CurrentUser) -> None:
    """Work everything out, write nothing, and list what the officer should fix first."""
    try:
        summary = check_book(book, door="web", user=_who(current_user))
    except KpiExcelError as error:
        book.app.alert(str(error), title=f"{TITLE}: check inputs", mode="critical")
        return
    lines = summary.lines()[:1]
    if summary.problems:
        lines += ["", "To check:"] + [f"- {p}" for p in summary.problems[:12]]
        if len(summary.problems) > 12:
            lines.append(f"... and {len(summary.problems) - 12} more (Refresh KPIs writes them in the Checks column)")
    else:
        lines.append("No problems found.")
    book.app.alert("\n".join(lines), title=f"{TITLE}: check inputs", mode="info")
