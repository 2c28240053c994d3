"""Rate an indicator table file: read it, rate every row, write it back with the answers.

What ``kpi-excel rate`` and :func:`kpi_excel.rate_table` call. The reading and
writing are :mod:`kpi_excel.sources.table_files` (CSV, TSV or XLSX, cells as the
officer wrote them); the rating is :func:`kpi_excel.core.rate_table.rate_table`.
"""

from __future__ import annotations

from pathlib import Path

from kpi_excel.core.assess import RateOptions
from kpi_excel.core.rag import RuleSpec, parse_rule_spec
from kpi_excel.core.rate_table import RatedTable, rate_table
from kpi_excel.core.targets import parse_tolerance
from kpi_excel.errors import InputError

__all__ = ["rate_file", "rate_options"]

CONFIDENCE_LEVELS = {"95": 0.95, "99.8": 0.998}


def rate_options(rule: str = "auto", *, green_within: str | None = None, amber_within: str | None = None,
                 same_within: str | None = None, confidence: str | float = "95",
                 trend_needs_significance: bool = False) -> RateOptions:
    """The options as an officer writes them (``rule="target green 5% amber 10%"``,
    ``amber_within="2pp"``, ``confidence="99.8"``), read the way ``kpi-excel rate`` reads them."""
    level = CONFIDENCE_LEVELS.get(f"{confidence:g}" if isinstance(confidence, float) else str(confidence))
    if level is None:
        raise InputError(f"confidence is 95 or 99.8 (%), not {confidence!r}")
    return RateOptions(parse_rule_spec(rule) or RuleSpec(), parse_tolerance(amber_within), parse_tolerance(same_within),
                       green_within=parse_tolerance(green_within), confidence=level,
                       trend_needs_significance=trend_needs_significance)


def rate_file(input_path: Path, output: Path | None = None, options: RateOptions = RateOptions(), *,
              sheet: str | None = None, to_stdout: bool = False) -> RatedTable:
    """Rate the table in ``input_path`` and write it to ``output`` (.csv, .tsv or .xlsx);
    with no output, to stdout as CSV when ``to_stdout`` (the command), else nowhere."""
    from kpi_excel.sources.table_files import read_table, write_table

    frame, formats = read_table(Path(input_path), sheet)
    rated = rate_table(frame, formats, options, source=str(input_path))
    if output is not None or to_stdout:
        write_table(rated.frame, Path(output) if output is not None else None, formats=formats)
    return rated
