"""What the engine hands back: answers as columns, and one row's answers as an :class:`Assessment`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from kpi_excel.core.engine.problems import ProblemLog
from kpi_excel.core.engine.statistics_columns import StatisticsColumns
from kpi_excel.core.periods import Frequency, Period
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.rag import Quartile
from kpi_excel.core.significance import RowStatistics
from kpi_excel.core.targets import Target
from kpi_excel.core.values import Value
from kpi_excel.errors import Problem

__all__ = ["Assessment", "Ratings"]


@dataclass(frozen=True)
class Assessment:
    """The answer for one row, and the parsed inputs callers may reuse."""

    change: float | None = None
    trend: str = ""
    direction: str = ""
    rag: str = ""
    rag_reason: str = ""
    rule: str = ""
    problems: tuple[Problem, ...] = ()
    latest: Value | None = None
    previous: Value | None = None
    polarity: Polarity | None = None
    target: Target | None = None
    frequency: Frequency | None = None
    latest_period: Period | None = None
    previous_period: Period | None = None
    quartile: Quartile | None = None
    blank: bool = False
    statistics: RowStatistics | None = None  # intervals, significance, vs England (issue 12)

    @property
    def problem_text(self) -> str:
        return "; ".join(str(p) for p in self.problems)


@dataclass
class Ratings:
    """Every row's answers as columns (blank rows: empty text, NaN change).

    ``blank`` marks rows that are not indicators (empty rows, section headings,
    footnotes); they have no answers and no problems.
    """

    blank: np.ndarray
    change: np.ndarray  # NaN where there is no change
    trend: np.ndarray
    direction: np.ndarray
    rag: np.ndarray
    rag_reason: np.ndarray
    rule: np.ndarray
    problems: ProblemLog
    latest: np.ndarray  # Value per row (None for blank rows)
    previous: np.ndarray
    polarity: np.ndarray  # Polarity, or None where not recognised
    target: np.ndarray
    frequency: np.ndarray
    latest_period: np.ndarray
    previous_period: np.ndarray
    quartile: np.ndarray
    statistics: StatisticsColumns

    def __len__(self) -> int:
        return len(self.blank)

    def assessment(self, row: int) -> Assessment:
        """One row's answers."""
        return self.assessments([row])[0]

    def assessments(self, rows: Sequence[int] | None = None) -> list[Assessment]:
        """The answers of ``rows`` (every row by default), in that order: each column read once
        for them all, as a refresh of 10,000 rows would spend more indexing arrays cell by cell
        than building its answers."""
        index = np.arange(len(self)) if rows is None else np.asarray(rows, dtype=np.intp).reshape(-1)
        if not len(index):
            return []
        blank = self.blank[index].tolist()
        change = self.change[index].tolist()
        columns = [_items(column, index) for column in (
            self.trend, self.direction, self.rag, self.rag_reason, self.rule, self.latest, self.previous,
            self.polarity, self.target, self.frequency, self.latest_period, self.previous_period, self.quartile)]
        statistics = self.statistics.rows(index)
        problems = self.problems.row
        out = []
        for k, (row, (trend, direction, rag, rag_reason, rule, latest, previous, polarity, target, frequency,
                      latest_period, previous_period, quartile)) in enumerate(zip(index.tolist(), zip(*columns))):
            if blank[k]:
                out.append(Assessment(blank=True))
                continue
            number = change[k]
            out.append(Assessment(
                change=None if number != number else number,
                trend=trend,
                direction=direction,
                rag=rag,
                rag_reason=rag_reason,
                rule=rule,
                problems=problems(row),
                latest=latest,
                previous=previous,
                polarity=polarity,
                target=target,
                frequency=frequency,
                latest_period=latest_period,
                previous_period=previous_period,
                quartile=quartile,
                statistics=statistics[k],
            ))
        return out

    def counts(self) -> dict[str, int]:
        """How many rows got each RAG word (blank rows not counted)."""
        words, found = np.unique(self.rag[~self.blank].astype(str), return_counts=True)
        return {str(w): int(n) for w, n in zip(words, found)}


def _items(column: np.ndarray, index: np.ndarray) -> list[object]:
    """The column's cells at ``index`` as indexing one by one gives them (an object column's own
    objects; any other column's numpy scalars)."""
    taken = column[index]
    return taken.tolist() if taken.dtype == object else list(taken)
