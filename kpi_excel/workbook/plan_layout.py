"""How a refresh plan lands on a live book's cells: shared by both xlwings writers.

The desktop writer (:mod:`~kpi_excel.workbook.book_writer`, COM) and the web
batch (:mod:`~kpi_excel.workbook.web_batch`, applied by the add-in's own client
code) place the same plan on the same cells: columns found by header text,
runs of consecutive rows written as one block, number formats per run, text
that would run as a formula made text, and conditional formats as formulas.
"""

from __future__ import annotations

import math
import re
import datetime as dt
from typing import Any, Sequence

from kpi_excel.core.columns import normalise_header
from kpi_excel.ooxml.a1 import column_letter
from kpi_excel.core.plan import Cell, FormatRule, KpiUpdate, SheetSpec
from kpi_excel.core.report import SheetCells, find_kpi_table

__all__ = ["FORMULA_STARTS", "excel_text", "plain", "runs", "format_runs", "header_positions", "column_of", "rule_formula",
           "title_prefix", "address", "kpis_guard", "guard_holds", "KPIS_CHANGED"]

# The one line an officer reads when the KPIs rows moved under a refresh (both xlwings doors).
KPIS_CHANGED = ("The KPIs sheet changed while the report was refreshing; press Refresh KPIs again. Nothing was "
                "written (a row was added, moved or its code edited since you pressed it).")

FORMULA_STARTS = ("=", "+", "-", "@")  # text starting so would run as a formula


def excel_text(value: Any) -> Any:
    """A value safe to hand to Excel: text that would run as a formula gets Excel's text prefix."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def plain(value: Any) -> Any:
    return excel_text(value.value if isinstance(value, Cell) else value)


def runs(rows: Sequence[int], cells: Sequence[Cell | None]) -> list[tuple[int, list[Cell]]]:
    """Consecutive sheet rows with something to write: [(first row, cells)]."""
    found: list[tuple[int, list[Cell]]] = []
    previous = None
    for row, cell in zip(rows, cells):
        if cell is None:
            previous = None
            continue
        if previous is not None and row == previous + 1:
            found[-1][1].append(cell)
        else:
            found.append((row, [cell]))
        previous = row
    return found


def format_runs(first_row: int, cells: Sequence[Any]) -> list[tuple[int, int, str]]:
    """(first row, row count, format) for each run of equal, set number formats."""
    out: list[tuple[int, int, str]] = []
    for offset, cell in enumerate(cells):
        fmt = cell.number_format if isinstance(cell, Cell) else None
        if fmt is None:
            continue
        row = first_row + offset
        if out and out[-1][2] == fmt and out[-1][0] + out[-1][1] == row:
            out[-1] = (out[-1][0], out[-1][1] + 1, fmt)
        else:
            out.append((row, 1, fmt))
    return out


def header_positions(headers: Sequence[Any]) -> dict[str, int]:
    """Header text (exact, then normalised) -> 1-based column."""
    positions: dict[str, int] = {}
    for index, text in enumerate(headers, start=1):
        if text in (None, ""):
            continue
        positions.setdefault(str(text).strip(), index)
        positions.setdefault("~" + normalise_header(text), index)
    return positions


def rule_formula(rule: FormatRule, letter: str, first_row: int) -> str:
    """``=$O2="Red"``; a number (a quartile) matches whether the cell holds 1 or the text "1"."""
    cell = f"${letter}{first_row}"
    text = rule.text.replace('"', '""')
    try:
        number = float(rule.text)
    except ValueError:
        return f'={cell}="{text}"'
    return f'=OR({cell}={number:g},{cell}="{text}")'


def title_prefix(spec: SheetSpec) -> str:
    """The fixed start of a sheet's title ("Summary of the KPIs", "Benchmark"): how we know it is ours."""
    if not spec.title:
        return ""
    return re.split(r" \(|:", str(spec.title[0].value), maxsplit=1)[0].strip()


def column_of(positions: dict[str, int], header: str) -> int | None:
    """The 1-based column of ``header`` (exact text first, then as normalised)."""
    return positions.get(header.strip()) or positions.get("~" + normalise_header(header))


def address(top: int, left: int, bottom: int | None = None, right: int | None = None) -> str:
    first = f"{column_letter(left)}{top}"
    if bottom is None or (bottom == top and right == left):
        return first
    return f"{first}:{column_letter(right or left)}{bottom}"


def kpis_guard(update: KpiUpdate, block: SheetCells | None) -> dict[str, Any]:
    """What the KPIs sheet must still hold when the plan is written: {"sheet", "cells": [{"address", "values"}]}.

    The header row, and the Code and Indicator cells of every row read: a
    co-author who sorted, inserted or re-coded a row since the read makes the
    write stand down, so a rating never lands on the wrong indicator.
    """
    guard: dict[str, Any] = {"sheet": update.sheet, "cells": []}
    if block is None or not update.body_rows:
        return guard
    table = find_kpi_table(block)
    header_index = update.header_row - block.top
    width = table.width
    header = [_guard_value(block.value(header_index, c)) for c in range(width)]
    guard["cells"].append({"address": address(update.header_row, 1, update.header_row, width), "values": [header]})
    first, last = min(update.body_rows), max(update.body_rows)
    for key in ("code", "indicator"):
        column = table.inputs.get(key)
        if column is None:
            continue
        values = [[_guard_value(block.value(row - block.top, column))] for row in range(first, last + 1)]
        guard["cells"].append({"address": address(first, column + 1, last, column + 1), "values": values})
    return guard


def _guard_value(value: Any) -> Any:
    """A read cell as the client will read it again; None: not compared (a date's serial is not sent)."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _same(expected: Any, actual: Any) -> bool:
    if expected is None:
        return True  # not compared (a date)
    if isinstance(actual, (dt.date, dt.datetime)):
        return False
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        return abs(expected - actual) < 1e-9
    return str(expected).strip() == ("" if actual is None else str(actual)).strip()


def guard_holds(cells: Sequence[dict[str, Any]], read: Sequence[Sequence[Sequence[Any]]]) -> bool:
    """Whether each guarded block, read again now (``read[i]`` for ``cells[i]``), still holds what it did.

    The same rule as ribbon.js's ``kpiGuardHolds``: numbers within 1e-9, text trimmed, empty as "".
    """
    for cell, now in zip(cells, read, strict=True):
        for r, row in enumerate(cell["values"]):
            current = list(now[r]) if r < len(now) else []
            for c, value in enumerate(row):
                if not _same(value, current[c] if c < len(current) else None):
                    return False
    return True
