"""The one seam both ribbon doors call: refresh a live ``xlwings.Book``.

:func:`refresh_book` reads the book in bulk (:mod:`~kpi_excel.workbook.book_reader`),
asks the core for the plan (:func:`kpi_excel.core.report.plan_refresh`) and
applies it (:mod:`~kpi_excel.workbook.book_writer`). The desktop add-in's
``main()`` and the web add-in's ``refresh_kpis`` script call nothing else, so the
two doors cannot drift apart.

PROVISIONAL: values come from the KPIs sheet as typed (Latest/Previous Value
columns). Choosing each indicator's latest and comparable previous values from
the Data sheet and other sources (``selected=``), and benchmarking, belong to
``kpi_excel.sources``, which is not on main yet; when it is, the lead wires it
in here (``_selection``) and nothing else in the doors changes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from kpi_excel import __version__
from kpi_excel.core.plan import Summary
from kpi_excel.core.report import plan_refresh
from kpi_excel.core.template import KPI_SHEET
from kpi_excel.errors import InputError
from kpi_excel.workbook.book_reader import BookSheets, read_book
from kpi_excel.workbook.book_writer import apply_plan

if TYPE_CHECKING:
    import xlwings as xw

__all__ = ["refresh_book", "check_book"]


def _selection(sheets: BookSheets) -> tuple[pd.DataFrame | None, Mapping[str, Sequence[str]]]:
    """PROVISIONAL seam: the Data sheet's chosen values per code (None until sources land)."""
    return None, {}


def _plan(book: "xw.Book", *, door: str, user: str, now: dt.datetime | None) -> tuple[BookSheets, Any]:
    sheets = read_book(book)
    if sheets.kpis is None:
        raise InputError("the workbook has no KPIs sheet: add one, or rename your indicator sheet to KPIs",
                         sheet=KPI_SHEET)
    selected, problems = _selection(sheets)
    plan = plan_refresh(sheets.content(), selected=selected, selection_problems=problems, now=now, user=user,
                        door=door, version=__version__)
    return sheets, plan


def refresh_book(book: "xw.Book", *, door: str = "excel", user: str = "", now: dt.datetime | None = None) -> Summary:
    """Refresh every KPI row of ``book`` and return what to tell the officer.

    Raises :class:`~kpi_excel.errors.InputError` when the book has no KPIs
    sheet or no recognisable header row; single bad rows are not errors, they
    are named in the Checks column and the summary.
    """
    sheets, plan = _plan(book, door=door, user=user, now=now)
    apply_plan(book, plan, sheets.kpis)
    return plan.summary


def check_book(book: "xw.Book", *, door: str = "excel", user: str = "") -> Summary:
    """Work everything out but write nothing: the problems an officer should fix first."""
    _, plan = _plan(book, door=door, user=user, now=None)
    return plan.summary
