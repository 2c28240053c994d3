"""Problems found column by column, handed back row by row in the order the checks run.

Each check adds its problems for many rows at once (the rows, the column each
problem names, and the messages). :meth:`ProblemLog.row` gives a row its
problems, and :meth:`ProblemLog.texts` every row's as one text, in the order the
checks were made, which is the order an officer reads them in (polarity first,
published RAG last).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from kpi_excel.errors import Problem

__all__ = ["ProblemLog"]


class ProblemLog:
    """Problems of ``size`` rows, added a check at a time."""

    def __init__(self, size: int):
        self.size = size
        self._rows: list[np.ndarray] = []
        self._columns: list[str] = []
        self._messages: list[str] = []
        self._groups: dict[int, tuple[int, int]] | None = None
        self._order: np.ndarray = np.zeros(0, dtype=np.intp)

    def add(self, rows: np.ndarray, column: str | Sequence[str], messages: Sequence[str]) -> None:
        """One check's problems: ``messages[k]`` is about row ``rows[k]``, naming
        ``column`` (one for all, or one a row)."""
        rows = np.asarray(rows, dtype=np.intp)
        if not len(rows):
            return
        self._rows.append(rows)
        self._columns.extend([column] * len(rows) if isinstance(column, str) else column)
        self._messages.extend(messages)
        self._groups = None

    def same(self, rows: np.ndarray, column: str, message: str) -> None:
        """One message for many rows."""
        self.add(rows, column, [message] * len(rows))

    def extend(self, other: "ProblemLog") -> None:
        """Another log's problems, after this one's (in its own order)."""
        self._rows.extend(other._rows)
        self._columns.extend(other._columns)
        self._messages.extend(other._messages)
        self._groups = None

    def _grouped(self) -> dict[int, tuple[int, int]]:
        """Each row with problems: the span of its problems in :attr:`_order`."""
        if self._groups is None:
            if not self._rows:
                self._groups = {}
                return self._groups
            rows = np.concatenate(self._rows)
            self._order = np.argsort(rows, kind="stable")  # a row's problems stay in check order
            ordered = rows[self._order]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            ends = np.r_[starts[1:], len(rows)]
            self._groups = dict(zip(ordered[starts].tolist(), zip(starts.tolist(), ends.tolist())))
        return self._groups

    def row(self, row: int) -> tuple[Problem, ...]:
        """One row's problems, in the order the checks were made."""
        span = self._grouped().get(row)
        if span is None:
            return ()
        return tuple(Problem(self._columns[k], self._messages[k]) for k in self._order[span[0]:span[1]].tolist())

    def texts(self, name_of: Callable[[str], str]) -> list[str]:
        """Each row's problems as one text, each named by ``name_of`` its column:
        ``Target: cannot read target '>lots' ...; Quartile: ...``."""
        out = [""] * self.size
        groups = self._grouped()
        if not groups:
            return out
        prefix = {column: f"{name_of(column)}: " for column in set(self._columns)}
        said = [prefix[c] + m for c, m in zip(self._columns, self._messages)]
        order = self._order.tolist()
        for row, (start, end) in groups.items():
            out[row] = said[order[start]] if end - start == 1 else "; ".join(said[k] for k in order[start:end])
        return out
