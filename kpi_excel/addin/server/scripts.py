"""The web add-in's scripts, run by xlwings Server when a ribbon button is clicked.

What the real client sends: xlwings Server's ``runPython`` posts the values of
the sheets a script includes (KPIs, Settings) and only the names and sizes of
the others; the add-in's ``ribbon.js`` reads the Data sheet itself, in chunks
that stay under Excel on the web's 5 MB a request, and sends it as the
script's argument (:mod:`~kpi_excel.addin.server.sheet_data`).

What goes back: one ``runMacro`` action carrying the whole refresh as a batch
(:mod:`~kpi_excel.workbook.web_batch`) that ``ribbon.js`` applies in a few
round trips, checking first that the KPIs rows are still the ones read; or,
when the refresh fails, only the alert and no edits.

The server acts for many officers, so a workbook's Settings may name only the
sources its administrator offers (:func:`~kpi_excel.addin.server.config.server_policy`);
what an officer is told never carries the server's paths, URLs or file contents
(:func:`~kpi_excel.addin.server.redact.public_message`); the full story goes to
the server's log. The work runs in a worker thread, so one slow refresh never
holds up the health check, static files or other officers' clicks.

Import this module only in the server process, after
:mod:`kpi_excel.addin.server.app` has set ``XLWINGS_ON_SERVER``: otherwise
``xw.script`` is xlwings' do-nothing stand-in.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, Callable, TypeVar

import xlwings as xw
from fastapi.concurrency import run_in_threadpool
from xlwings_server.models import CurrentUser

from kpi_excel.addin.server.config import server_policy, server_secrets
from kpi_excel.addin.server.redact import public_message
from kpi_excel.addin.server.sheet_data import OUT_OF_DATE, data_block
from kpi_excel.core.template import DATA_SHEET, KPI_SHEET, LOG_SHEET, SETTINGS_SHEET
from kpi_excel.errors import KpiExcelError
from kpi_excel.sources.policy import SourceRefusedError
from kpi_excel.addin.book_door import plan_book
from kpi_excel.workbook.book_reader import find_sheet
from kpi_excel.workbook.web_batch import APPLY_FUNCTION, web_batch

__all__ = ["refresh_kpis", "check_inputs", "answer_alert", "send_batch", "SCRIPT_NAMES", "SCRIPT_SHEETS"]

logger = logging.getLogger(__name__)

TITLE = "KPI Report"
SCRIPT_NAMES = ("refresh_kpis", "check_inputs")
# The sheets whose values ride in the workbook payload (the Log for when the
# last refresh was: a row a refresh, small); Data comes beside it.
SCRIPT_SHEETS = (KPI_SHEET, SETTINGS_SHEET, LOG_SHEET)

T = TypeVar("T")


def _who(user: CurrentUser | None) -> str:
    if user is None or user.id in (None, "n/a"):
        return ""  # sign-in not configured: nobody to name in the Log
    return user.email or user.name or ""


def _public(text: str) -> str:
    """What an officer may be told: no server paths, URLs or secrets."""
    return public_message(text, server_secrets())


def answer_alert(book: xw.Book, text: str, title: str, mode: str) -> None:
    """An alert in this request's own answer (as ``book.app.alert`` words it).

    Not ``book.app.alert`` or ``book.app.macro``: the remote engine's App adds those
    to the book opened last in the process, which is another officer's when two
    requests overlap (the work runs in a worker thread while the next request's
    book is made), so one officer's refresh and messages went to the other's workbook.
    """
    book.impl.append_json_action(func="alert", args=[text, title, "ok", mode, ""])


def send_batch(book: xw.Book, batch: dict[str, Any]) -> None:
    """The refresh batch for ``ribbon.js`` to apply, in this request's own answer (see :func:`answer_alert`)."""
    book.impl.append_json_action(func="runMacro", args=[APPLY_FUNCTION, batch])


def _alert(book: xw.Book, text: str, title: str, mode: str) -> None:
    answer_alert(book, _public(text), title, mode)


async def _run(book: xw.Book, work: Callable[[], T], title: str) -> T | None:
    """``work()`` in a worker thread, or None after telling the officer why it failed (and sending no edits)."""
    try:
        return await run_in_threadpool(work)
    except KpiExcelError as error:
        book.json()["actions"].clear()  # nothing half-written comes back to Excel
        if isinstance(error, SourceRefusedError):  # the officer's own text, repeated back as typed
            answer_alert(book, str(error), title, "critical")
        else:
            logger.info("%s: %s", title, error)
            _alert(book, str(error), title, "critical")
    except Exception:  # noqa: BLE001 - logged in full; the officer gets one line and a reference
        book.json()["actions"].clear()
        reference = uuid.uuid4().hex[:8]
        logger.exception("%s failed (reference %s)", title, reference)
        answer_alert(book, f"The server could not finish this (reference {reference}); nothing was changed. Your "
                     "administrator can find the reason in the server's log.", title, "critical")
    return None


def _plan(book: xw.Book, data: Any, current_user: CurrentUser, *, door: str = "web") -> Any:
    if data is None and find_sheet(book, DATA_SHEET) is not None:
        raise KpiExcelError(OUT_OF_DATE)
    return plan_book(book, door=door, user=_who(current_user), policy=server_policy(), data=data_block(data))


@xw.script(include=list(SCRIPT_SHEETS), name="Refresh KPIs")
async def refresh_kpis(book: xw.Book, current_user: CurrentUser, data: dict | None = None) -> None:
    """Refresh every indicator on the KPIs sheet and tell the officer what changed."""

    def work() -> dict[str, Any]:
        sheets, plan = _plan(book, data, current_user)
        message = {"text": _public("\n".join(plan.summary.lines())), "title": TITLE, "mode": "info"}
        return web_batch(book, plan, sheets.kpis, message=message)

    batch = await _run(book, work, f"{TITLE}: nothing was changed")
    if batch is not None:
        send_batch(book, batch)


@xw.script(include=list(SCRIPT_SHEETS), name="Check inputs")
async def check_inputs(book: xw.Book, current_user: CurrentUser, data: dict | None = None) -> None:
    """Work everything out, write nothing, and list what the officer should fix first."""
    title = f"{TITLE}: check inputs"
    plan = await _run(book, lambda: _plan(book, data, current_user)[1], title)
    if plan is None:
        return
    summary = plan.summary
    lines = summary.lines()[:1]
    if summary.problems:
        lines += ["", "To check:"] + [f"- {p}" for p in summary.problems[:12]]
        if len(summary.problems) > 12:
            lines.append(f"... and {len(summary.problems) - 12} more (Refresh KPIs writes them in the Checks column)")
    else:
        lines.append("No problems found.")
    _alert(book, "\n".join(lines), title, "info")
