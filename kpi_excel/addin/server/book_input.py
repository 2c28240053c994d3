"""The request body of a script call: a workbook as JSON, or a short 400.

xlwings Server parses the body with ``json.loads`` and builds the remote-engine
book from whatever it gets; a body that is not JSON, or JSON that is not a
workbook, raises deep inside and reaches its last-resort handler as **500**
"An error occurred.". These two FastAPI dependencies replace xlwings Server's
``parse_book_input`` and ``get_book`` (through ``app.dependency_overrides``, see
:func:`kpi_excel.addin.server.app.build_app`): the same work, with a **400** and a
one-line reason for anything that is not a workbook sent by the add-in, and a
**413** for a sheet over the limits in docs/security.md, counted before the remote-engine
book is built (:mod:`.sheet_sizes`).
(xlwings Server's form-data variant is for its htmx task pane, which
kpi_excel does not enable.)
"""

from __future__ import annotations

import json
import logging
from typing import Any, AsyncIterator

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from kpi_excel.addin.server.sheet_sizes import SheetShapeError, sheet_size_problem

__all__ = ["parse_book_json", "get_book", "close_book", "NOT_A_WORKBOOK"]

logger = logging.getLogger(__name__)

NOT_A_WORKBOOK = "The request is not a workbook sent by the KPI Report add-in."


def _bad(detail: str) -> HTTPException:
    return HTTPException(status_code=400, detail=detail)


async def parse_book_json(request: Request) -> dict[str, Any]:
    """The body as a workbook dictionary, or 400 (413 for a sheet over the limits)."""
    body = await request.body()
    if not body.strip():
        raise _bad("No workbook was sent.")
    # Parsing and counting a body near the size limit takes seconds: off the event loop,
    # so health checks and other officers' requests are answered meanwhile.
    return await run_in_threadpool(_workbook, body)


def _workbook(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and bad UTF-8 are ValueErrors
        raise _bad("The request is not valid JSON.") from None
    if not (isinstance(data, dict) and isinstance(data.get("book"), dict) and isinstance(data.get("sheets"), list)
            and all(isinstance(sheet, dict) for sheet in data["sheets"])
            and isinstance(data.get("version", ""), str) and isinstance(data.get("client", ""), str)):
        raise _bad(NOT_A_WORKBOOK)
    try:
        too_big = sheet_size_problem(data)
    except SheetShapeError as error:
        logger.info("Refused a script call: %s", error)
        raise _bad(NOT_A_WORKBOOK) from None
    if too_big:
        # 413 with one line: xlwings' runPython shows an error answer's detail as the alert.
        logger.warning("Refused a script call: %s", too_big)
        raise HTTPException(status_code=413, detail=f"Nothing was changed: {too_big}.")
    return data


async def get_book(book_data: dict[str, Any] = Depends(parse_book_json)) -> AsyncIterator[Any]:
    """The remote-engine book for the request (closed again afterwards), or 400."""
    import xlwings as xw

    try:
        book = xw.Book(json=book_data)
    except Exception as error:  # noqa: BLE001 - any shape xlwings cannot take is the client's mistake
        logger.info("Refused a script call: %s: %s", type(error).__name__, str(error)[:200])
        raise _bad(NOT_A_WORKBOOK) from None
    try:
        yield book
    finally:
        close_book(book)


def close_book(book: Any) -> None:
    """Close the request's remote-engine book and drop xlwings' cache of its sheets.

    The remote engine answers a range read through an unbounded ``lru_cache``
    (``get_range_api``) keyed by the whole sheet as tuples, cleared only when a
    book syncs with Excel, which a script call never does: every click with new
    values (any edit, a new Log row) kept its KPIs sheet alive for good, so the
    server grew with every request and the cycle collector walked those rows in
    every full pass. Another request's entries dropped here are only worked out again.
    The engine also keeps the book opened last as its "active" one: let it go too, or
    this request's answer stays alive until the next request.
    """
    books = getattr(book.impl, "books", None)
    book.close()
    if getattr(books, "_active", None) is book.impl:
        books._active = None  # type: ignore[union-attr]
    try:
        from xlwings.pro._xlremote import get_range_api
    except ImportError:  # an xlwings without the cache: nothing kept
        return
    get_range_api.cache_clear()
