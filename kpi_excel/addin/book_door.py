"""The one seam both ribbon doors call: refresh a live ``xlwings.Book``.

:func:`refresh_book` reads the book in bulk (:mod:`~kpi_excel.workbook.book_reader`),
asks the core for the plan (:func:`kpi_excel.core.report.plan_refresh`) and
applies it (:mod:`~kpi_excel.workbook.book_writer`). The desktop add-in's
``main()`` and the web add-in's ``refresh_kpis`` script call nothing else, so the
two doors cannot drift apart.

Between reading and writing, the doors share :func:`kpi_excel.app.refresh_plan.plan_workbook_refresh`
with the file door: settings, the Data sheet and other sources, period choice,
benchmarking and the plan are worked out in one place for all three. The desktop
add-in acts as the user (their own files); the web add-in passes the server's
:class:`~kpi_excel.sources.policy.SourcePolicy` (only its administrator's sources).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kpi_excel.core.plan import Plan, Summary
from kpi_excel.core.report import RefreshInputs, SheetCells
from kpi_excel.core.template import KPI_SHEET, LOG_SHEET
from kpi_excel.errors import InputError
from kpi_excel.app.refresh_plan import plan_workbook_refresh
from kpi_excel.sources.policy import SourcePolicy
from kpi_excel.workbook.book_reader import BookSheets, find_sheet, read_book
from kpi_excel.workbook.book_writer import apply_plan
from kpi_excel.workbook.plan_layout import KPIS_CHANGED, guard_holds, kpis_guard

if TYPE_CHECKING:
    import xlwings as xw

__all__ = ["refresh_book", "check_book", "plan_book"]


def plan_book(book: "xw.Book", *, door: str, user: str, now: dt.datetime | None = None,
              policy: SourcePolicy | None, data: SheetCells | None = None) -> tuple[BookSheets, Plan]:
    """Read ``book`` and work out its refresh plan without writing.

    ``data``: the Data sheet as the web add-in's client read it (in chunks,
    outside the one request a sheet's values may ride in); default: read it
    from the book.
    """
    sheets = read_book(book)
    if data is not None:
        sheets = replace(sheets, data=data)
    if sheets.kpis is None:
        raise InputError("the workbook has no KPIs sheet: add one, or rename your indicator sheet to KPIs",
                         sheet=KPI_SHEET)
    folder = _folder(book) if policy is None or policy.own_files else None
    plan = plan_workbook_refresh(RefreshInputs(sheets.content(), sheets.data, folder,
                                               previous_refresh=_last_refresh(book)), now=now,
                                 user=user, door=door, policy=policy)
    return sheets, plan


def _last_refresh(book: "xw.Book") -> str | None:
    """When the Log's last entry was, "" when it has entries whose values were not sent (the web), else None."""
    sheet = find_sheet(book, LOG_SHEET)
    if sheet is None:
        return None
    used = sheet.used_range
    if used.row + used.shape[0] - 1 < 2:
        return None
    when = sheet.range((used.row + used.shape[0] - 1, 1)).value
    if isinstance(when, dt.datetime):
        return when.strftime("%Y-%m-%d %H:%M")
    return "" if when in (None, "") else str(when)


def _folder(book: "xw.Book") -> Path | None:
    """The workbook's folder on a desktop, for relative paths in its Settings; None on the web."""
    try:
        path = Path(book.fullname)
    except Exception:  # noqa: BLE001 - the remote engine and unsaved books have no path
        return None
    return path.parent if path.is_absolute() and path.parent.exists() else None


def refresh_book(book: "xw.Book", *, door: str = "excel", user: str = "", now: dt.datetime | None = None,
                 policy: SourcePolicy | None = None) -> Summary:
    """Refresh every KPI row of ``book`` and return what to tell the officer.

    ``policy``: which sources the Settings may name (default: the user's own files).

    Raises :class:`~kpi_excel.errors.InputError` when the book has no KPIs
    sheet or no recognisable header row; single bad rows are not errors, they
    are named in the Checks column and the summary.
    """
    sheets, plan = plan_book(book, door=door, user=user, now=now, policy=policy)
    _check_unchanged(book, kpis_guard(plan.kpis, sheets.kpis))
    apply_plan(book, plan, sheets.kpis)
    return plan.summary


def _check_unchanged(book: "xw.Book", guard: dict) -> None:  # type: ignore[type-arg]
    """Read the KPIs header and codes again just before writing: a co-author's sort (AutoSave) stops the write."""
    sheet = find_sheet(book, guard["sheet"])
    if sheet is None:
        raise InputError(KPIS_CHANGED, sheet=guard["sheet"])
    read = [sheet.range(cell["address"]).options(ndim=2).value or [] for cell in guard["cells"]]
    if not guard_holds(guard["cells"], read):
        raise InputError(KPIS_CHANGED, sheet=guard["sheet"])


def check_book(book: "xw.Book", *, door: str = "excel", user: str = "",
               policy: SourcePolicy | None = None) -> Summary:
    """Work everything out but write nothing: the problems an officer should fix first."""
    _, plan = plan_book(book, door=door, user=user, policy=policy)
    return plan.summary
