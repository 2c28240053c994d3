"""What the engine hands back: answers as columns, and one row's answers as an :class:`Assessment`."""

from __future__ import annotations

from dataclasses import dataclass

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
        if self.blank[row]:
            return Assessment(blank=True)
        change = self.change[row]
        return Assessment(
            change=None if np.isnan(change) else float(change),
            trend=self.trend[row],
            direction=self.direction[row],
            rag=self.rag[row],
            rag_reason=self.rag_reason[row],
            rule=self.rule[row],
            problems=self.problems.row(row),
            latest=self.latest[row],
            previous=self.previous[row],
            polarity=self.polarity[row],
            target=self.target[row],
            frequency=self.frequency[row],
            latest_period=self.latest_period[row],
            previous_period=self.previous_period[row],
            quartile=self.quartile[row],
            statistics=self.statistics.row(row),
        )

    def assessments(self) -> list[Assessment]:
        return [self.assessment(row) for row in range(len(self))]

    def counts(self) -> dict[str, int]:
        """How many rows got each RAG word (blank rows not counted)."""
        words, found = np.unique(self.rag[~self.blank].astype(str), return_counts=True)
        return {str(w): int(n) for w, n in zip(words, found)}
