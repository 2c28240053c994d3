"""The web add-in's scripts, run by xlwings Server when a ribbon button is clicked.

Excel on the web sends only the sheets the refresh reads (``include``); the
Benchmark, RAG key and Log sheets still arrive by name and position, without
their values, which is enough to write to them. Every write comes back to
Excel as JSON actions (``setValues`` and friends) that the add-in replays.

The server acts for many officers, so a workbook's Settings may name only the
sources its administrator offers (:func:`~kpi_excel.addin.server.config.server_policy`);
what an officer is told never carries the server's paths, URLs or file contents
(:func:`~kpi_excel.addin.server.redact.public_message`); the full story goes to
the server's log. A refresh that fails sends back the alert and no edits.

Import this module only in the server process, after
:mod:`kpi_excel.addin.server.app` has set ``XLWINGS_ON_SERVER``: otherwise
``xw.script`` is xlwings' do-nothing stand-in.
"""

from __future__ import annotations

import logging
import uuid
from typing import Callable

import xlwings as xw
from xlwings_server.models import CurrentUser

from kpi_excel.addin.payload import REFRESH_SHEETS
from kpi_excel.addin.server.config import server_policy, server_secrets
from kpi_excel.addin.server.redact import public_message
from kpi_excel.core.plan import Summary
from kpi_excel.errors import KpiExcelError
from kpi_excel.sources.policy import SourceRefusedError
from kpi_excel.workbook.book_door import check_book, refresh_book

__all__ = ["refresh_kpis", "check_inputs", "SCRIPT_NAMES"]

logger = logging.getLogger(__name__)

TITLE = "KPI Report"
SCRIPT_NAMES = ("refresh_kpis", "check_inputs")


def _who(user: CurrentUser | None) -> str:
    if user is None or user.id in (None, "n/a"):
        return ""  # sign-in not configured: nobody to name in the Log
    return user.email or user.name or ""


def _alert(book: xw.Book, text: str, title: str, mode: str) -> None:
    book.app.alert(public_message(text, server_secrets()), title=title, mode=mode)


def _run(book: xw.Book, work: Callable[[], Summary], title: str) -> Summary | None:
    """The summary of ``work``, or None after telling the officer why it failed (and sending no edits)."""
    try:
        return work()
    except KpiExcelError as error:
        book.json()["actions"].clear()  # nothing half-written comes back to Excel
        if isinstance(error, SourceRefusedError):  # the officer's own text, repeated back as typed
            book.app.alert(str(error), title=title, mode="critical")
        else:
            logger.info("%s: %s", title, error)
            _alert(book, str(error), title, "critical")
    except Exception:  # noqa: BLE001 - logged in full; the officer gets one line and a reference
        book.json()["actions"].clear()
        reference = uuid.uuid4().hex[:8]
        logger.exception("%s failed (reference %s)", title, reference)
        book.app.alert(f"The server could not finish this (reference {reference}); nothing was changed. Your "
                       "administrator can find the reason in the server's log.", title=title, mode="critical")
    return None


@xw.script(include=list(REFRESH_SHEETS), name="Refresh KPIs")
def refresh_kpis(book: xw.Book, current_user: CurrentUser) -> None:
    """Refresh every indicator on the KPIs sheet and tell the officer what changed."""
    summary = _run(book, lambda: refresh_book(book, door="web", user=_who(current_user), policy=server_policy()),
                   f"{TITLE}: nothing was changed")
    if summary is not None:
        _alert(book, "\n".join(summary.lines()), TITLE, "info")


@xw.script(include=list(REFRESH_SHEETS), name="Check inputs")
def check_inputs(book: xw.Book, current_user: CurrentUser) -> None:
    """Work everything out, write nothing, and list what the officer should fix first."""
    summary = _run(book, lambda: check_book(book, door="web", user=_who(current_user), policy=server_policy()),
                   f"{TITLE}: check inputs")
    if summary is None:
        return
    lines = summary.lines()[:1]
    if summary.problems:
        lines += ["", "To check:"] + [f"- {p}" for p in summary.problems[:12]]
        if len(summary.problems) > 12:
            lines.append(f"... and {len(summary.problems) - 12} more (Refresh KPIs writes them in the Checks column)")
    else:
        lines.append("No problems found.")
    _alert(book, "\n".join(lines), f"{TITLE}: check inputs", "info")
