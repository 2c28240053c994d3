"""Rate a whole indicator table: every input row and column back, plus the answers.

The input keeps its rows, columns and cell values. Six columns are added:
``change``, ``trend``, ``direction``, ``rag``, ``rag_reason`` and ``problems``
(empty when the row is fine). Where the input already has a column of one of
those names (a published table's "Trend" or "RAG"), the input's column is kept
under its header plus `` (published)`` and checked against the data.

A table that carries counts (Numerator/Denominator columns, a Measure Type, or
values written ``3% (420)``) also gets ``ci_low``, ``ci_high`` (the confidence
interval of the latest value, in its units), ``significance`` of the change
(``significant`` / ``not significant`` / empty) and ``vs_england`` (Better /
Similar / Worse, when the table has an England column).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kpi_excel.core.assess import Assessment, RateOptions, assess_row
from kpi_excel.core.columns import SYNONYMS, ColumnMap, match_columns, normalise_header
from kpi_excel.core.values import looks_like_formula
from kpi_excel.errors import MissingColumnError

__all__ = ["COMPUTED_COLUMNS", "STATISTICS_COLUMNS", "RatedTable", "rate_table", "LONG_TEXT", "EXCEL_CELL_LIMIT"]

COMPUTED_COLUMNS = ("change", "trend", "direction", "rag", "rag_reason", "problems")
STATISTICS_COLUMNS = ("ci_low", "ci_high", "significance", "vs_england")
_COUNT_INPUTS = ("measure_type", "latest_numerator", "latest_denominator", "previous_numerator",
                 "previous_denominator")
# Text longer than this in an indicator table is almost certainly pasted by mistake.
LONG_TEXT = 1000
EXCEL_CELL_LIMIT = 32767


@dataclass
class RatedTable:
    """The rated table and what an officer needs to hear about it."""

    frame: pd.DataFrame
    columns: ColumnMap
    assessments: list[Assessment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many rows got each RAG word (blank rows not counted)."""
        counts: dict[str, int] = {}
        for assessment in self.assessments:
            if not assessment.blank:
                counts[assessment.rag] = counts.get(assessment.rag, 0) + 1
        return counts

    @property
    def rows_with_problems(self) -> int:
        return sum(1 for a in self.problem_texts if a)

    @property
    def problem_texts(self) -> list[str]:
        return list(self.frame["problems"])


def rate_table(
    frame: pd.DataFrame,
    formats: pd.DataFrame | None = None,
    options: RateOptions = RateOptions(),
    source: str = "",
) -> RatedTable:
    """Rate every row of ``frame`` (one indicator a row, a header row on top).

    ``formats`` has the same shape as ``frame`` and holds Excel number formats
    (None elsewhere) when the table came from a workbook. Raises
    :class:`MissingColumnError` when no column holds the latest value.
    """
    columns = match_columns(list(frame.columns))
    if "latest_value" not in columns:
        looked_for = ", ".join(f"'{w.title()}'" for w in SYNONYMS["latest_value"][:6])
        raise MissingColumnError(
            f"no column for the latest value (looked for headers such as {looked_for})", source=source
        )
    warnings = [
        f"column '{header}' also looks like {name.replace('_', ' ')}; using '{columns.header(name)}'"
        for name, header in columns.duplicates
    ]
    positions = list(columns.by_name.items())
    assessments: list[Assessment] = []
    values = frame.to_numpy(dtype=object, copy=False)
    format_values = formats.to_numpy(dtype=object, copy=False) if formats is not None else None
    for i in range(len(frame)):
        row_values = values[i]
        row = {name: _clean(row_values[j]) for name, j in positions}
        row_formats = {}
        if format_values is not None:
            row_formats = {name: format_values[i][j] for name, j in positions if format_values[i][j]}
        assessments.append(assess_row(row, row_formats, options))

    # Value cells already get a sharper message from the value reader.
    skip = {columns.by_name[n] for n in ("latest_value", "previous_value") if n in columns}
    cell_problems = _cell_problems(frame, skip)
    out = frame.copy()
    with_statistics = _has_statistics(columns, assessments)
    out.columns = _published_names(list(frame.columns), with_statistics)
    out["change"] = [a.change for a in assessments]
    out["trend"] = [a.trend for a in assessments]
    out["direction"] = [a.direction for a in assessments]
    out["rag"] = [a.rag for a in assessments]
    out["rag_reason"] = [a.rag_reason for a in assessments]
    out["problems"] = [
        "; ".join(
            [f"{columns.header(p.column) if p.column in columns else p.column}: {p.message}" for p in a.problems]
            + cell_problems.get(i, [])
        )
        for i, a in enumerate(assessments)
    ]
    if with_statistics:
        _add_statistics(out, assessments, options.confidence)
    return RatedTable(out, columns, assessments, warnings)


def _has_statistics(columns: ColumnMap, assessments: list[Assessment]) -> bool:
    """Statistics columns when the table carries counts or a row has an interval."""
    if any(name in columns for name in _COUNT_INPUTS):
        return True
    return any(a.statistics is not None and a.statistics.intervals for a in assessments)


def _add_statistics(out: pd.DataFrame, assessments: list[Assessment], level: float) -> None:
    """ci_low, ci_high (at the chosen level), significance and vs_england."""
    lows, highs, significance, versus = [], [], [], []
    for assessment in assessments:
        statistics = assessment.statistics
        interval = statistics.interval(level) if statistics is not None else None
        lows.append(None if interval is None else round(interval.low, 10))
        highs.append(None if interval is None else round(interval.high, 10))
        significance.append(statistics.significance if statistics is not None else "")
        versus.append(statistics.vs_england if statistics is not None else "")
    out["ci_low"] = lows  # floats, NaN where there is no interval (as the change column)
    out["ci_high"] = highs
    out["significance"] = significance
    out["vs_england"] = versus


def _clean(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas means empty
        return None
    return value


def _published_names(headers: list[object], with_statistics: bool = False) -> list[str]:
    """Keep input headers, moving any that clash with our columns aside."""
    ours = COMPUTED_COLUMNS + (STATISTICS_COLUMNS if with_statistics else ())
    computed = {normalise_header(name) for name in ours}
    names = []
    for header in headers:
        text = "" if header is None else str(header)
        if normalise_header(text) in computed:
            text = f"{text} (published)"
        names.append(text)
    return names


def _cell_problems(frame: pd.DataFrame, skip: set[int]) -> dict[int, list[str]]:
    """Formula-looking and overlong text anywhere in the table, by row."""
    found: dict[int, list[str]] = {}
    for position, header in enumerate(frame.columns):
        if position in skip:
            continue
        column = frame.iloc[:, position]
        if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
            continue
        texts = column.astype(object)
        try:
            lengths = texts.str.len().fillna(0).to_numpy()
        except AttributeError:  # no text in this column at all
            continue
        name = str(header) or f"column {position + 1}"
        for row in (lengths > LONG_TEXT).nonzero()[0]:
            length = int(lengths[row])
            limit = " (over Excel's 32,767-character cell limit)" if length > EXCEL_CELL_LIMIT else ""
            found.setdefault(int(row), []).append(f"{name}: a {length:,}-character text{limit}; check it was meant")
        suspicious = texts.str[:1].isin(["=", "+", "-", "@"]).to_numpy()
        for row in suspicious.nonzero()[0]:
            text = texts.iloc[row]
            if looks_like_formula(text):
                shown = text if len(text) <= 30 else text[:29] + "…"
                found.setdefault(int(row), []).append(f"{name}: '{shown}' looks like a formula; kept as text")
    return found
