"""The rating engine: trend, RAG, reasons, statistics and problems for whole tables at once.

Every door rates through :func:`rate_rows`: ``kpi-excel rate`` hands it the
whole table (:mod:`kpi_excel.core.rate_table`), a refresh hands it every KPI
row (:mod:`kpi_excel.core.report`), and :func:`kpi_excel.core.assess.assess_row`
a single row. Each input column is parsed once per distinct cell, the rules run
as numpy operations over the rows of each rule, and reasons are written from
templates only where a row needs one.

Modules: :mod:`~.cells` (input columns), :mod:`~.reading` (parsers per column),
:mod:`~.units`, :mod:`~.trend_columns`, :mod:`~.statistics_columns`,
:mod:`~.rag_columns`, :mod:`~.checks`, :mod:`~.rounding` (Excel's rounding, exact),
:mod:`~.problems`, :mod:`~.results` and :mod:`~.rate_rows` (the steps in order).
"""

from kpi_excel.core.engine.checks import duplicate_codes
from kpi_excel.core.engine.options import RateOptions
from kpi_excel.core.engine.rate_rows import rate_rows
from kpi_excel.core.engine.results import Assessment, Ratings

__all__ = ["rate_rows", "Ratings", "Assessment", "RateOptions", "duplicate_codes"]
