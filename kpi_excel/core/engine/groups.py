"""Rows judged together (issue 19 item 7): sub-indicators a–c under one total.

A council that rates a group of rows by their total marks each part with the
total's Code in a Group column (``Group`` = ``PI5`` on rows PI5a, PI5b, PI5c):
an officer can type it in Excel beside the rows, and the table keeps every row's
own values and trend. The total is the rated row; each part is N/A, its reason
naming the total and the total's rating. A Group naming no row's Code, or a
part that is itself a total, is named in the problems and the row is rated on
its own.
"""

from __future__ import annotations

import numpy as np

from kpi_excel.core.engine.cells import RowCells
from kpi_excel.core.engine.problems import ProblemLog

__all__ = ["rate_as_groups"]


def _key(code: object) -> str:
    return " ".join(str(code).split()).lower()


def rate_as_groups(cells: RowCells, rows: np.ndarray, rag: np.ndarray, reasons: np.ndarray, rule: np.ndarray,
                   log: ProblemLog) -> None:
    """Make each marked part of a group N/A in favour of its total (see the module notes)."""
    group = cells.distinct("group")
    marked = rows[group.present[rows]]
    if not len(marked):
        return
    codes = cells.cells_at("code", rows)
    total_of = {_key(code): row for row, code in zip(rows.tolist(), codes) if code not in (None, "")}
    code_of = dict(zip(rows.tolist(), codes))
    parts = {int(row) for row in marked}
    unknown, nested = [], []
    for row in marked.tolist():
        wanted = group.keys[group.codes[row]]
        total = total_of.get(_key(wanted))
        if total is None or total == row:
            unknown.append((row, f"no other row has the Code '{str(wanted).strip()[:40]}'; rated on its own"))
            continue
        if total in parts:
            nested.append((row, f"'{str(wanted).strip()[:40]}' is itself part of a group; rated on its own"))
            continue
        said = reasons[total] if str(reasons[total]).startswith(f"{rag[total]}") else rag[total]
        reasons[row] = f"N/A: part of {str(code_of[total]).strip()}, rated as its total ({said})"
        rag[row] = "N/A"
        rule[row] = "group"
    for found in (unknown, nested):
        if found:
            log.add(np.array([r for r, _ in found], dtype=np.intp), "group", [m for _, m in found])
