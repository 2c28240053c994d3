"""What a plan writer does, whichever door it serves, and the one walk over a plan.

A refresh's :class:`~kpi_excel.core.plan.Plan` is applied by three writers: the
file door (:mod:`kpi_excel.workbook.file_door`, package edits saved losslessly),
desktop Excel (:mod:`kpi_excel.workbook.book_writer`, ranges set on a live book)
and Excel on the web (:mod:`kpi_excel.workbook.web_batch`, one batch for the
add-in's client code). Each is declared a :class:`PlanWriter`; :func:`write_plan`
is the only code that walks the plan, so the order (the KPIs sheet, then each
sheet kpi_excel owns in the plan's order, then the log row) is the same for all.
A new writer implements these four methods and nothing else of the plan.
"""

from __future__ import annotations

from typing import Protocol, Sequence, TypeVar, runtime_checkable

from kpi_excel.core.plan import KpiUpdate, LogEntry, Plan, SheetSpec

__all__ = ["PlanWriter", "write_plan"]

Done = TypeVar("Done", covariant=True)


@runtime_checkable
class PlanWriter(Protocol[Done]):
    """The operations applying a plan takes; ``Done`` is what the writer says it did."""

    def write_kpis(self, update: KpiUpdate) -> None:
        """Write the computed columns of the officer's KPIs sheet (only those)."""

    def write_sheet(self, spec: SheetSpec, later: Sequence[SheetSpec]) -> None:
        """Write (or replace whole) a sheet kpi_excel owns; ``later`` are the plan's
        sheets still to come (their charts may read this one)."""

    def append_log(self, spec: SheetSpec | None, entry: LogEntry | None) -> None:
        """Add the refresh's row to the Log sheet (none when ``entry`` is None)."""

    def done(self) -> Done:
        """What was written, once the whole plan is."""


def write_plan(writer: PlanWriter[Done], plan: Plan) -> Done:
    """Apply ``plan`` through ``writer``: the KPIs sheet, each sheet in order, the log row."""
    writer.write_kpis(plan.kpis)
    for index, spec in enumerate(plan.sheets):
        writer.write_sheet(spec, plan.sheets[index + 1:])
    writer.append_log(plan.log_sheet, plan.log)
    return writer.done()
