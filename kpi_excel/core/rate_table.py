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

A table as published is read as it is: value columns headed by their period
(``Q4 2013/14``) give the periods, a footnote row under the table is not an
indicator, and two rows with one code are named (both would be rated from the
same data). Its published status is found by what the cells hold (a "Performance"
column of colours, a value cell ``95.4% Red``; not a "Status" of "Up to date"),
see :mod:`kpi_excel.core.published_status`. With no Polarity column, a row's
polarity is taken where the table implies it, and a guess from the indicator's
words is said in ``problems`` (:mod:`kpi_excel.core.implied_polarity`). Which
column was used where the headers leave it open, and an estimated value, are
said on each row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi_excel.ooxml.a1 import column_letter
from kpi_excel.core.columns import SYNONYMS, ColumnMap, match_columns, normalise_header, settle_by_content
from kpi_excel.core.engine import Assessment, RateOptions, Ratings, duplicate_codes, rate_rows
from kpi_excel.core.engine.cells import RowCells
from kpi_excel.core.implied_polarity import ImpliedPolarity, implied_polarities
from kpi_excel.core.published_status import settle_published_status, split_status_from_values
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
    ratings: Ratings
    warnings: list[str]

    @property
    def assessments(self) -> list[Assessment]:
        """Each row's answers as an :class:`Assessment` (made when asked for)."""
        return self.ratings.assessments()

    def counts(self) -> dict[str, int]:
        """How many rows got each RAG word (blank rows not counted)."""
        return self.ratings.counts()

    @property
    def rows_with_problems(self) -> int:
        return int((self.frame["problems"].to_numpy(dtype=object) != "").sum())

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
    # What a column holds is plain from its first few hundred cells.
    settle_by_content(columns, lambda j: [_clean(v) for v in frame.iloc[:500, j].tolist()])
    own_names = [name for _, name in getattr(options.rule, "names", ())]
    settle_published_status(columns, lambda j: [_clean(v) for v in frame.iloc[:500, j].tolist()], own_names)
    if "latest_value" not in columns:
        looked_for = ", ".join(f"'{w.title()}'" for w in SYNONYMS["latest_value"][:6])
        raise MissingColumnError(
            f"no column for the latest value (looked for headers such as {looked_for})", source=source
        )
    warnings = _column_warnings(columns)
    size = len(frame)
    cells: dict[str, object] = {name: frame.iloc[:, j] for name, j in columns.by_name.items()}
    for name, label in _periods_from_headers(columns).items():
        cells[name] = np.full(size, label, dtype=object)
    shown = {name: formats.iloc[:, j] for name, j in columns.by_name.items()} if formats is not None else None
    status_in_values = _status_from_value_cells(columns, cells)
    implied = _implied_polarity(columns, cells, size)
    notes = np.zeros(size, dtype=bool)
    notes[list(_footnote_rows(frame, columns))] = True  # a footnote under the table is not an indicator
    ratings = rate_rows(RowCells(size, cells, shown), options=options, skip=notes)
    repeated_codes = _repeated_codes(frame, columns, ratings)
    row_notes = _row_notes(columns, ratings, implied)

    # Value cells already get a sharper message from the value reader.
    skip = {columns.by_name[n] for n in ("latest_value", "previous_value") if n in columns}
    cell_problems = _cell_problems(frame, skip)
    out = frame.copy()
    with_statistics = _has_statistics(columns, ratings)
    out.columns = _published_names(list(frame.columns), with_statistics)
    out["change"] = ratings.change
    # Our words stay Python text (object columns): no conversion now, and pandas writes them faster.
    problems = _problem_texts(columns, ratings, cell_problems, repeated_codes, status_in_values,
                              _row_problems(columns, ratings, implied))
    for name, words in (("trend", ratings.trend), ("direction", ratings.direction), ("rag", ratings.rag),
                        ("rag_reason", _with_notes(ratings.rag_reason, row_notes)), ("problems", problems)):
        out[name] = pd.Series(words, index=out.index, dtype=object)
    if with_statistics:
        _add_statistics(out, ratings, options.confidence)
    return RatedTable(out, columns, ratings, warnings)


def _problem_texts(columns: ColumnMap, ratings: Ratings, cell_problems: dict[int, list[str]],
                   repeated_codes: dict[int, str], status_in_values: bool = False,
                   row_problems: dict[int, list[str]] | None = None) -> list[str]:
    """Each row's problems as one text, each named by the column's own header."""
    def header(name: str) -> str:
        if name == "published_rag" and status_in_values:  # read from the end of the value cells
            return columns.header("latest_value")
        return columns.header(name) if name in columns else name

    texts = ratings.problems.texts(header)
    code = columns.header("code") if "code" in columns else "code"
    row_problems = row_problems or {}
    for i in set(cell_problems) | set(repeated_codes) | set(row_problems):
        parts = ([texts[i]] if texts[i] else []) + cell_problems.get(i, [])
        if i in repeated_codes:
            parts.append(f"{code}: {repeated_codes[i]}")
        parts.extend(row_problems.get(i, []))
        texts[i] = "; ".join(parts)
    return texts


def _status_from_value_cells(columns: ColumnMap, cells: dict[str, object]) -> bool:
    """Value cells that end in a status ("95.4% Red"): the value without it (the
    value reader would take "Red" for a unit), and, when the table has no status
    column, the colour as the published status. True when that was done."""
    if "latest_value" not in columns:
        return False
    latest = cells["latest_value"]
    if isinstance(latest, pd.Series) and isinstance(latest.dtype, pd.StringDtype):
        # Text cells (a CSV's): each distinct text looked at once; a million rows hold a few thousand.
        codes, distinct = pd.factorize(latest)
        split = split_status_from_values(list(distinct) + [None])  # code -1, a missing cell, takes the None
        if split is None:
            return False
        values, statuses = (np.array(found, dtype=object)[codes] for found in split)
        values[codes < 0] = latest.to_numpy(dtype=object)[codes < 0]
    else:
        split = split_status_from_values(list(latest))  # type: ignore[call-overload]
        if split is None:
            return False
        values, statuses = (np.array(found, dtype=object) for found in split)
    cells["latest_value"] = values
    if "published_rag" in columns:
        return False
    cells["published_rag"] = statuses
    return True


def _implied_polarity(columns: ColumnMap, cells: dict[str, object], size: int) -> ImpliedPolarity | None:
    """A table with no Polarity column: the polarity of each row the table implies
    one for (see :mod:`kpi_excel.core.implied_polarity`). A blank cell in a Polarity
    column is the officer's to fill, and left as written."""
    if "polarity" in columns:
        return None
    def column(name: str) -> list[object] | None:
        found = cells.get(name)
        return None if found is None else [_clean(v) for v in list(found)]  # type: ignore[call-overload]

    implied = implied_polarities(size, None, column("indicator"), column("target"),
                                 column("latest_value"), column("previous_value"), column("published_trend"),
                                 columns.header("published_trend") if "published_trend" in columns else "")
    if not implied.any_implied:
        return None
    cells["polarity"] = np.array(implied.cells, dtype=object)
    return implied


def _row_problems(columns: ColumnMap, ratings: Ratings, implied: ImpliedPolarity | None) -> dict[int, list[str]]:
    """What the table's headers left open (said on every indicator row) and polarities guessed from words."""
    found: dict[int, list[str]] = {}
    rows = np.flatnonzero(~ratings.blank).tolist()
    for text in columns.unclear:
        for row in rows:
            found.setdefault(row, []).append(text)
    if implied is not None:
        where = columns.header("indicator") if "indicator" in columns else "indicator"
        for row, text in implied.problems.items():
            if not ratings.blank[row]:
                found.setdefault(row, []).append(f"{where}: {text}")
    return found


def _row_notes(columns: ColumnMap, ratings: Ratings, implied: ImpliedPolarity | None) -> dict[int, list[str]]:
    """What a rated row's reason should add: where its polarity came from, and that its value is an estimate."""
    found: dict[int, list[str]] = {}
    rated = ~ratings.blank & (ratings.rag != "")
    if implied is not None:
        for row, text in implied.reasons.items():
            if rated[row]:
                found.setdefault(row, []).append(text)
    if columns.is_estimate("latest_value"):
        text = f"the value is estimated ('{columns.header('latest_value')}')"
        for row in np.flatnonzero(rated).tolist():
            found.setdefault(row, []).append(text)
    return found


def _with_notes(reasons: np.ndarray, notes: dict[int, list[str]]) -> np.ndarray:
    if not notes:
        return reasons
    out = reasons.copy()
    for row, texts in notes.items():
        out[row] = "; ".join([out[row], *texts]) if out[row] else "; ".join(texts)
    return out


def _has_statistics(columns: ColumnMap, ratings: Ratings) -> bool:
    """Statistics columns when the table carries counts or a row has an interval."""
    if any(name in columns for name in _COUNT_INPUTS):
        return True
    return bool(ratings.statistics.has_interval().any())


def _add_statistics(out: pd.DataFrame, ratings: Ratings, level: float) -> None:
    """ci_low, ci_high (at the chosen level), significance and vs_england."""
    low, high = ratings.statistics.interval(level)
    lows: list[float | None] = [None] * len(ratings)
    highs: list[float | None] = [None] * len(ratings)
    for row in np.flatnonzero(~np.isnan(low)):
        lows[row], highs[row] = round(float(low[row]), 10), round(float(high[row]), 10)
    out["ci_low"] = lows  # floats, NaN where there is no interval (as the change column)
    out["ci_high"] = highs
    out["significance"] = list(ratings.statistics.significance)  # blank rows have none
    out["vs_england"] = list(ratings.statistics.vs_england)

def _column_warnings(columns: ColumnMap) -> list[str]:
    """What an officer should hear about the header row."""
    warnings = [
        f"column '{header}' also looks like {name.replace('_', ' ')}; using '{columns.header(name)}'"
        for name, header in columns.duplicates
    ]
    for header, positions in columns.repeated:
        letters = " and ".join(column_letter(p + 1) for p in positions)
        warnings.append(f"{len(positions)} columns are headed '{header}' ({letters}): the first is used; "
                        "rename or remove the others")
    return warnings + list(columns.notes)


def _periods_from_headers(columns: ColumnMap) -> dict[str, str]:
    """Periods named by value headers ("Q4 2013/14"), for rows with no period column."""
    found = {}
    for value_name, period_name in (("latest_value", "latest_period"), ("previous_value", "previous_period")):
        label = columns.header_periods.get(value_name)
        if label and period_name not in columns:
            found[period_name] = label
    return found


_FOOTNOTE_START = ("*", "†", "‡", "note", "notes", "source", "sources", "key", "¹", "(1)", "[1]", "nb", "n.b.")


def _footnote_rows(frame: pd.DataFrame, columns: ColumnMap) -> set[int]:
    """Rows that are notes or headings, not indicators: a single cell starting
    like a footnote ("* provisional", "Source: ..."), any single-cell row below
    the last row with a value, target or polarity, and a section heading (a short
    name alone in the topic, theme or indicator column: "Waiting lists")."""
    if not len(frame):
        return set()
    filled = _filled(frame)
    data_columns = [columns.by_name[n] for n in ("latest_value", "previous_value", "target", "polarity")
                    if n in columns]
    with_data = filled[:, data_columns].any(axis=1).nonzero()[0] if data_columns else []
    last_data = int(with_data[-1]) if len(with_data) else -1
    heading_columns = {columns.by_name[n] for n in ("topic", "theme", "indicator") if n in columns}
    found = set()
    for i in (filled.sum(axis=1) == 1).nonzero()[0]:  # single-cell rows are few: look at each
        j = int(filled[i].nonzero()[0][0])
        text = str(frame.iat[i, j]).strip()
        if i > last_data or text.lower().startswith(_FOOTNOTE_START) or (j in heading_columns and len(text) <= 80):
            found.add(int(i))
    return found


def _filled(frame: pd.DataFrame) -> np.ndarray:
    """Which cells hold something (not empty text, None or NaN), as a boolean array."""
    filled = np.zeros(frame.shape, dtype=bool)
    for j in range(frame.shape[1]):
        column = frame.iloc[:, j]
        if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
            filled[:, j] = (column.notna() & (column != "")).to_numpy(dtype=bool, na_value=False)
        else:
            cells = column.to_numpy(dtype=object)
            filled[:, j] = (cells != "") & pd.notna(cells)
    return filled


def _repeated_codes(frame: pd.DataFrame, columns: ColumnMap, ratings: Ratings) -> dict[int, str]:
    if "code" not in columns:
        return {}
    column = frame.iloc[:, columns.by_name["code"]]
    if column.dtype == object:
        codes = column.to_numpy(dtype=object).copy()
        codes[[isinstance(c, float) and c != c for c in codes]] = None  # NaN from pandas means empty
        codes[ratings.blank] = None
        return duplicate_codes(codes, lambda i: f"row {i + 2}")
    codes = column.where(~ratings.blank)  # a text column: searched in C first
    return duplicate_codes(codes, lambda i: f"row {i + 2}")


def _clean(value: object) -> object:
    if value is None or value is pd.NA:  # pd.NA: a missing cell of a pandas text column
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
        texts = column.astype(object) if column.dtype == object else column  # a text column is searched in C
        try:
            lengths = texts.str.len().fillna(0).to_numpy()
        except AttributeError:  # no text in this column at all
            continue
        name = str(header) or f"column {position + 1}"
        for row in (lengths > LONG_TEXT).nonzero()[0]:
            length = int(lengths[row])
            limit = " (over Excel's 32,767-character cell limit)" if length > EXCEL_CELL_LIMIT else ""
            found.setdefault(int(row), []).append(f"{name}: a {length:,}-character text{limit}; check it was meant")
        suspicious = texts.str.slice(0, 1).isin(["=", "+", "-", "@"]).to_numpy(dtype=bool)
        for row in suspicious.nonzero()[0]:
            text = texts.iloc[row]
            if looks_like_formula(text):
                shown = text if len(text) <= 30 else text[:29] + "…"
                found.setdefault(int(row), []).append(f"{name}: '{shown}' looks like a formula; kept as text")
    return found
