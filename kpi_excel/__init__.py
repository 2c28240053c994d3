"""kpi_excel: a living KPI performance report in an Excel workbook.

One pure core (``kpi_excel.core``), an application layer (``kpi_excel.app``)
and three doors onto it: the ``kpi-excel`` command, the desktop ribbon add-in
and the Excel-on-the-web add-in served by xlwings Server (see
docs/architecture.md).

For a script, the front door is four functions, the same as the commands::

    import kpi_excel

    kpi_excel.new_report("report.xlsx", example=True, force=True)
    summary = kpi_excel.refresh_report("report.xlsx")
    print(summary.lines()[0])                     # Rated ... indicators: ... Green, ... Amber, ...
    paper = kpi_excel.make_paper("report.xlsx", "paper.docx")
    print(paper.indicators, paper.exceptions)     # what the paper holds
    rated = kpi_excel.rate_table("indicators.csv", "rated.csv", amber_within="5%")
    print(rated.counts())                         # {'Amber': ..., 'Green': ..., 'Red': ...}

Each imports what it needs when called: ``import kpi_excel`` imports neither
pandas nor the add-ins.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from kpi_excel.version import __version__

if TYPE_CHECKING:
    from kpi_excel.app.paper import PaperResult
    from kpi_excel.core.plan import Summary
    from kpi_excel.core.rate_table import RatedTable

# ``main`` is left out on purpose: ``from kpi_excel import *`` should not import the add-in.
__all__ = ["__version__", "new_report", "refresh_report", "rate_table", "make_paper"]


def new_report(path: str | Path, *, example: bool = False, force: bool = False) -> Path:
    """Write a new report workbook (``kpi-excel new``): the template, or the example filled in.

    An existing file is refused unless ``force``."""
    from kpi_excel.app.report_files import new_report as write_new

    return write_new(Path(path), example=example, force=force)


def refresh_report(path: str | Path, output: str | Path | None = None, *, sources: Sequence[str] = (),
                   as_of: str | None = None) -> Summary:
    """Refresh a report workbook in place, or into ``output`` (``kpi-excel refresh``).

    ``sources`` are extra ``--data`` texts (``values.csv``, ``lait:bds_long.parquet``,
    ``sql:URL#table=NAME``); ``as_of`` a period label to report as at. Returns the
    summary the command prints (``summary.lines()``); raises
    :class:`~kpi_excel.errors.KpiExcelError` with one line saying what to fix, the
    workbook left as it was."""
    from kpi_excel.app.report_files import refresh_report as refresh

    summary, _ = refresh(Path(path), Path(output) if output is not None else None,
                         sources=tuple(str(source) for source in sources), as_of=as_of)
    return summary


def rate_table(table: str | Path, output: str | Path | None = None, *, sheet: str | None = None,
               rule: str = "auto", green_within: str | None = None, amber_within: str | None = None,
               same_within: str | None = None, confidence: str = "95",
               trend_needs_significance: bool = False) -> RatedTable:
    """Rate an indicator table file (CSV, TSV or XLSX) as ``kpi-excel rate`` does.

    The options are written as on the command line (``rule="target green 5% amber
    10%"``, ``amber_within="2pp"``, ``confidence="99.8"``). The rated table is
    written to ``output`` when given, and returned either way: ``.frame`` (a
    pandas DataFrame), ``.counts()``, ``.warnings``."""
    from kpi_excel.app.rate_files import rate_file, rate_options

    options = rate_options(rule, green_within=green_within, amber_within=amber_within, same_within=same_within,
                           confidence=confidence, trend_needs_significance=trend_needs_significance)
    return rate_file(Path(table), Path(output) if output is not None else None, options, sheet=sheet)


def make_paper(workbook: str | Path, output: str | Path, *, topic: str | None = None, only: str | None = None,
               title: str | None = None) -> PaperResult:
    """Write the committee paper (.docx, or .pdf with LibreOffice) of a refreshed report
    (``kpi-excel pack``); ``only`` as on the command line (``"red,declining"``)."""
    from kpi_excel.app.paper import PaperOptions, make_paper as write_paper, parse_only

    return write_paper(Path(workbook), Path(output), PaperOptions(topic=topic, only=parse_only(only), title=title))


def __getattr__(name: str) -> object:
    # The desktop ribbon button runs ``import kpi_excel; kpi_excel.main()`` (the add-in's file name is
    # kpi_excel.xlam, and its VBA calls main() by that name): the add-in is imported only then.
    if name == "main":
        from kpi_excel.addin.desktop import refresh_button

        return refresh_button
    raise AttributeError(f"module 'kpi_excel' has no attribute {name!r}")
