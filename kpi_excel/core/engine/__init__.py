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
:mod:`~.problems`, :mod:`~.results` and :mod:`~.pipeline` (the steps in order).
"""

# The package's names are looked up in _exports on first use, so a reader that needs one leaf
# (``engine.cells`` for the observation readers, ``engine.rounding``) does not load every rule:
# ``kpi-excel benchmark`` never rates (tests/test_cli_startup.py).
__all__ = ["rate_rows", "Ratings", "Assessment", "RateOptions", "duplicate_codes"]


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from kpi_excel.core.engine import _exports

    value = globals()[name] = getattr(_exports, name)  # found once; later lookups are plain
    return value
