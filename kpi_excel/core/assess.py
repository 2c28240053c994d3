"""Assess one indicator row: a one-row table through the rating engine.

A row is a mapping of canonical field names (see :mod:`kpi_excel.core.columns`)
to raw cell values; ``formats`` gives Excel number formats where the row came
from a workbook. Nothing here raises for bad cells: each becomes a
:class:`~kpi_excel.errors.Problem` and the row still gets an answer (often N/A).

Every rule lives in :mod:`kpi_excel.core.engine`, which rates whole tables a
column at a time; this is the convenience for one row (tests, a single cell).
"""

from __future__ import annotations

from typing import Mapping

from kpi_excel.core.engine import Assessment, RateOptions, duplicate_codes, rate_rows
from kpi_excel.core.trend import read_published_trend

__all__ = ["RateOptions", "Assessment", "assess_row", "read_published_trend", "duplicate_codes"]


def assess_row(
    row: Mapping[str, object],
    formats: Mapping[str, str | None] | None = None,
    options: RateOptions = RateOptions(),
) -> Assessment:
    """Work out change, trend, direction, RAG and its reason for one row."""
    cells = {name: [value] for name, value in row.items()}
    shown = {name: [number_format] for name, number_format in (formats or {}).items()}
    return rate_rows(cells, shown, options, size=1).assessment(0)
