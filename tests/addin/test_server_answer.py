"""What a script call leaves behind and where its answer goes, with requests in flight together.

The remote engine keeps a process-wide "active" book (the one opened last) and a
cache of range reads keyed by whole sheets; both are the server's to manage.
"""

from __future__ import annotations

import gc
import json
import weakref
from pathlib import Path
from typing import Any

import xlwings as xw
from xlwings.pro._xlremote import get_range_api

from kpi_excel.addin.server.book_input import close_book
from kpi_excel.addin.server.scripts import answer_alert, send_batch
from tests.addin.payload import web_request


def _book(payload: dict[str, Any]) -> xw.Book:
    request = json.loads(json.dumps(payload))
    request.pop("args", None)
    return xw.Book(json=request)


def _funcs(book: xw.Book) -> list[str]:
    return [action["func"] for action in book.json()["actions"]]


def test_an_answer_goes_to_its_own_book_when_a_later_request_opened_another(example_xlsx: Path) -> None:
    payload = web_request(example_xlsx)
    first = _book(payload)
    second = _book(payload)  # the next officer's request, made while the first one's work ran
    try:
        send_batch(first, {"version": 1})
        answer_alert(first, "Rated 30 indicators", "KPI Report", "info")
        assert _funcs(first) == ["runMacro", "alert"]
        assert first.json()["actions"][0]["args"] == ["kpiApplyRefresh", {"version": 1}]
        assert first.json()["actions"][1]["args"] == ["Rated 30 indicators", "KPI Report", "ok", "info", ""]
        assert _funcs(second) == []  # nothing of the first officer's reaches the second's workbook
    finally:
        close_book(second)
        close_book(first)


def test_closing_a_book_keeps_nothing_of_its_sheets(example_xlsx: Path) -> None:
    payload = web_request(example_xlsx)
    book = _book(payload)
    sheet = book.sheets[0]
    assert sheet.range("A1").value == payload["sheets"][0]["values"][0][0]
    assert get_range_api.cache_info().currsize > 0  # the read went through xlwings' cache
    engine_book = weakref.ref(book.impl)
    close_book(book)
    assert get_range_api.cache_info().currsize == 0
    del book, sheet
    gc.collect()
    assert engine_book() is None  # nor the book itself (its answer, its sheets) until the next request


def test_the_server_freezes_what_start_up_made() -> None:
    from kpi_excel.addin.server.app import build_app

    gc.unfreeze()
    build_app()
    assert gc.get_freeze_count() > 10_000  # modules, classes and functions, left out of full passes
