"""Reading the web door's answer: one runMacro action carrying the refresh batch.

Only our own protocol is read here (what the server decided to write); how
Excel applies it is tested through xlwings Server's real client in
tests/webclient.
"""

from __future__ import annotations

import re
from typing import Any

from kpi_excel.workbook.web_batch import APPLY_FUNCTION

__all__ = ["batch_of", "shown", "kpi_cells", "kpi_values", "sheet_part"]


def batch_of(actions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The batch of the answer's runMacro action, or None when the answer is only alerts."""
    calls = [a for a in actions if a["func"] == "runMacro"]
    if not calls:
        return None
    assert len(calls) == 1 and calls[0]["args"][0] == APPLY_FUNCTION, calls
    return calls[0]["args"][1]


def shown(actions: list[dict[str, Any]]) -> list[str]:
    """What the officer is told: each alert, and the batch's message once it is written."""
    texts = [a["args"][0] for a in actions if a["func"] == "alert"]
    batch = batch_of(actions)
    return texts + ([batch["message"]["text"]] if batch else [])


def _cells(address: str) -> tuple[int, int]:
    match = re.fullmatch(r"([A-Z]+)(\d+)", address)
    assert match, address
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def expand(blocks: list[dict[str, Any]]) -> dict[tuple[int, int], Any]:
    """{(row, column): value} (1-based) for a list of {"address", "values"} blocks."""
    out: dict[tuple[int, int], Any] = {}
    for block in blocks:
        top, left = _cells(block["address"].split(":")[0])
        for r, row in enumerate(block["values"]):
            for c, value in enumerate(row):
                out[(top + r, left + c)] = value
    return out


def kpi_cells(actions: list[dict[str, Any]]) -> dict[tuple[int, int], Any]:
    batch = batch_of(actions)
    return expand(batch["kpis"]["blocks"]) if batch else {}


def kpi_values(actions: list[dict[str, Any]]) -> list[Any]:
    """Every value the batch writes on the KPIs sheet."""
    return list(kpi_cells(actions).values())


def sheet_part(actions: list[dict[str, Any]], name: str) -> dict[str, Any]:
    batch = batch_of(actions)
    assert batch is not None
    return next(part for part in batch["sheets"] if part["name"] == name)
