"""Report files: make a new one, add the report's sheets to an officer's, refresh one.

These are what ``kpi-excel new``, ``init``, ``refresh`` and ``demo`` call. Every
write is atomic: a temporary file beside the target, re-opened to check it,
then swapped in; an open workbook (Excel's ``~$`` lock file) or a read-only
one is refused before anything is written. A refresh (and an ``init`` in
place) holds the workbook's lock from before it reads to after it replaces, so
a second one at the same time is refused ("... is being refreshed by another
process; try again") instead of silently losing the first one's changes; a
symlinked workbook is refreshed through its link.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from pathlib import Path
from typing import Callable, Sequence

from kpi_excel.core.plan import Summary
from kpi_excel.errors import InputError, UnreadableFileError, officer_errors
from kpi_excel.app.example import example_sheets, template_sheets
from kpi_excel.app.refresh_plan import plan_workbook_refresh
from kpi_excel.workbook.blank import BLANK_SHEET, blank_workbook
from kpi_excel.workbook.file_door import WrittenReport, add_report_sheets, apply_plan, read_inputs
from kpi_excel.ooxml import XlsxPackage
from kpi_excel.ooxml.atomic import refuse_link, workbook_lock

__all__ = ["new_report", "init_report", "refresh_report", "user_name"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def user_name() -> str:
    """Who is refreshing, for the Log sheet (empty when the system cannot say)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name is not worth failing a refresh for
        return ""


def _workbook_path(path: Path, *, must_exist: bool) -> Path:
    path = Path(path)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise UnreadableFileError("a report workbook must be an .xlsx (or .xlsm) file", source=str(path))
    if must_exist and not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    return path


@officer_errors()
def new_report(output: Path, *, example: bool = False, force: bool = False) -> Path:
    """Write a new report workbook: the template, or (``example``) filled with the example.

    An existing file is refused unless ``force``: it is most likely last quarter's
    report, and a new one would replace its indicators, data and Log.
    """
    output = _workbook_path(output, must_exist=False)
    if output.exists() and not force:
        raise InputError("already exists: a new report would replace it (its indicators, data and Log); "
                         "choose another name, or give --force to replace it", source=str(output))
    package = XlsxPackage.open(blank_workbook())
    package.adopt_sheet(BLANK_SHEET)  # the blank's only sheet becomes the KPIs sheet
    add_report_sheets(package, example_sheets() if example else template_sheets(), replace=True)
    return package.save(output)


@officer_errors()
def init_report(existing: Path, output: Path | None = None) -> list[str]:
    """Add the report's sheets an officer's workbook lacks; returns their names.

    Nothing the officer made is touched; a sheet of the same name is kept as
    it is (an older KPIs sheet is refreshed as it stands).
    """
    existing = _workbook_path(existing, must_exist=True)
    target = _workbook_path(output, must_exist=False) if output else existing
    with workbook_lock(target):
        package = XlsxPackage.open(existing)
        added = add_report_sheets(package, template_sheets())
        package.save(target)
    return added


@officer_errors()
def refresh_report(
    path: Path,
    output: Path | None = None,
    *,
    sources: Sequence[str] = (),
    as_of: str | None = None,
    now: dt.datetime | None = None,
    user: str | None = None,
    on_step: Callable[[str], None] | None = None,
) -> tuple[Summary, WrittenReport]:
    """Refresh a report workbook in place (or into ``output``)."""
    step = on_step or (lambda _: None)
    path = _workbook_path(path, must_exist=True)
    target = _workbook_path(output, must_exist=False) if output else path
    if output and os.path.abspath(target) != os.path.abspath(path):
        refuse_link(target)  # before its lock is made beside whatever it points at
    # From reading to replacing: one refresh of a workbook at a time.
    with workbook_lock(target):
        step("Reading the workbook")
        package = XlsxPackage.open(path)
        inputs = read_inputs(package, path.parent)
        step("Working out trend, RAG and benchmarks")
        plan = plan_workbook_refresh(inputs, sources=sources, as_of=as_of, now=now,
                                     user=user if user is not None else user_name(), door="file")
        step("Writing the results")
        written = apply_plan(package, plan)
        step("Saving")
        package.save(target)
    summary = plan.summary
    if written.skipped:
        summary = Summary(summary.rated, summary.counts, summary.changes, summary.problems + tuple(written.skipped),
                          summary.sources, summary.benchmarked)
    return summary, written
