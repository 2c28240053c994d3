"""No request costs the server more than its size: sheet limits and header limits over real HTTP.

A 19 MB body carrying a Data sheet of 1.6 million rows x 5 grew the server to
23.7 GB; a 256 MB request header was accepted (+727 MB). The server here runs
as ``kpi-excel serve`` under a 3 GB address-space cap (so the old behaviour
fails the test with a MemoryError rather than taking the machine), and its
peak resident memory (``VmHWM``) is read from ``/proc`` before and after each
hostile request. Every refusal must be one line the add-in shows, and the
server must still refresh an ordinary workbook afterwards.
"""

from __future__ import annotations

import json
import re
import socket
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from kpi_excel.addin.server.sheet_sizes import sheet_size_problem

from tests.addin.batch_view import shown
from tests.addin.conftest import RunningServer, start_server, stop_server, write_example_workbook
from tests.addin.payload import payload_bytes, web_request

from .web_helpers import JSON, SCRIPT, actions_of

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the server's memory")

CAP = 3 << 30
CAPPED = ("-c", "import resource, runpy; resource.setrlimit(resource.RLIMIT_AS, ({0}, {0})); "
                "runpy.run_module('kpi_excel.addin.server', run_name='__main__')".format(CAP))


def peak_rss_mb(server: RunningServer) -> float:
    """The server process's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def ordinary(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return payload_bytes(web_request(write_example_workbook(tmp_path_factory.mktemp("book") / "report.xlsx")))


def refreshes(server: RunningServer, ordinary: bytes) -> bool:
    response = httpx.post(server.url + SCRIPT, content=ordinary, headers=JSON, timeout=60)
    return shown(actions_of(response))[-1].startswith("Rated")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, ordinary: bytes) -> Iterator[RunningServer]:
    """The server with its default 20 MB request limit, address space capped; warmed by one refresh."""
    running = start_server(tmp_path_factory.mktemp("web-memory"), launcher=CAPPED)
    assert refreshes(running, ordinary)
    yield running
    stop_server(running)


def with_sheet(ordinary: bytes, name: str, rows: bytes, address: str | None = None) -> bytes:
    """The ordinary request with sheet ``name``'s values replaced by the JSON array text ``rows``
    (``name`` "Data": the Data sheet ribbon.js sends beside the workbook). Spliced as bytes:
    building 8 million Python cells here would cost the test what it guards."""
    payload = json.loads(ordinary)
    if name == "Data":
        payload["args"][0]["rows"] = "@@ROWS@@"
    else:
        sheet = next(s for s in payload["sheets"] if s["name"] == name)
        sheet["values"] = "@@ROWS@@"
        if address is not None:
            sheet["used_range_address"] = address
    head, _, tail = payload_bytes(payload).partition(b'"@@ROWS@@"')
    return head + rows + tail


def rows_of(row: bytes, count: int) -> bytes:
    return b"[" + b",".join([row] * count) + b"]"


def refused(server: RunningServer, body: bytes) -> str:
    """POST the body as the add-in does: it must get one line (413) and the server must still refresh."""
    response = httpx.post(server.url + SCRIPT, content=body, headers=JSON, timeout=120)
    assert response.status_code == 413, response.text[:300]
    detail = response.json()["detail"]
    assert "\n" not in detail and detail.startswith("Nothing was changed: ")
    return detail


@pytest.mark.slow
def test_a_19_mb_body_of_8_million_cells_is_refused_before_the_book_is_built(server: RunningServer,
                                                                              ordinary: bytes) -> None:
    body = with_sheet(ordinary, "Data", rows_of(b"[1,2,3,4,5]", 1_600_000))
    assert 19_000_000 < len(body) < 20_000_000  # under the default request limit: the sheet limit must act
    before = peak_rss_mb(server)
    started = time.monotonic()
    detail = refused(server, body)
    seconds = time.monotonic() - started
    grown = peak_rss_mb(server) - before
    assert "sheet 'Data' has 8,000,000 cells, more than the 1,000,000" in detail
    # json.loads of the body is all it costs (~230 MB for this shape); the book was 23.7 GB.
    assert grown < 450, f"server peak grew {grown:.0f} MB"
    assert seconds < 30
    assert server.alive()


@pytest.mark.parametrize("sheet, rows, says", [
    ("Data", rows_of(b"[1,2,3,4,5]", 200_001), "sheet 'Data' has 1,000,005 cells, more than the 1,000,000"),
    ("Settings", rows_of(b"[1,2,3,4,5]", 200_001), "sheet 'Settings' has 1,000,005 cells, more than the 1,000,000"),
    ("KPIs", rows_of(b"[1,2,3,4,5,6,7,8,9,10]", 52_000), "sheet 'KPIs' has 520,000 cells, more than the 500,000"),
])
def test_a_sheet_over_the_readme_limits_is_refused_in_one_line(server: RunningServer, ordinary: bytes, sheet: str,
                                                               rows: bytes, says: str) -> None:
    before = peak_rss_mb(server)
    assert says in refused(server, with_sheet(ordinary, sheet, rows))
    assert peak_rss_mb(server) - before < 150
    assert refreshes(server, ordinary)


def test_a_used_range_claimed_to_the_last_cell_is_refused(server: RunningServer, ordinary: bytes) -> None:
    """The remote engine pads a claimed used range with None: XFD1048576 would be 17 billion cells."""
    body = with_sheet(ordinary, "Settings", b'[["Setting","Value"]]', address="A1:XFD1048576")
    before = peak_rss_mb(server)
    detail = refused(server, body)
    assert "sheet 'Settings' spreads over 17,179,869,184 cells" in detail and "10,000,000 grid cells" in detail
    assert peak_rss_mb(server) - before < 50
    assert refreshes(server, ordinary)


def test_values_that_are_not_rows_are_not_a_workbook(server: RunningServer, ordinary: bytes) -> None:
    response = httpx.post(server.url + SCRIPT, content=with_sheet(ordinary, "KPIs", b"[1,2,3]"), headers=JSON,
                          timeout=60)
    assert response.status_code == 400 and "not a workbook" in response.json()["detail"]


def _sheet(name: str, values: list[Any], address: str | None = None) -> dict[str, Any]:
    return {"sheets": [{"name": name, "values": values, "used_range_address": address}]}


def test_cells_present_are_counted_not_the_empty_slots_excel_sends() -> None:
    """Excel on the web sends the block from A1, empty cells as "": the limit counts the cells present."""
    full = [[1] * 4] * 250_000  # exactly 1,000,000 (one row object, counted 250,000 times)
    assert sheet_size_problem(_sheet("Data", full)) is None
    assert "1,000,001 cells" in sheet_size_problem(_sheet("Data", full + [[1]]))  # type: ignore[operator]
    sparse = [[1, "", "", None, "", ""]] * 900_000  # 5.4M slots, 900,000 cells
    assert sheet_size_problem(_sheet("Data", sparse)) is None
    assert sheet_size_problem(_sheet(" kpis ", [[1] * 5] * 100_001)) is not None  # found as the reader finds it
    assert sheet_size_problem(_sheet("Data", [[1]], "'Data'!$A$1:$J$1000000")) is None  # 10,000,000 slots
    assert sheet_size_problem(_sheet("Data", [[1]], "A1:K1000000")) is not None
    beside = {"sheets": [], "args": [{"sheet": "Data", "rows": full + [[1]]}]}  # as ribbon.js sends Data
    assert "sheet 'Data' has 1,000,001 cells" in sheet_size_problem(beside)  # type: ignore[operator]


# --- the committee paper upload: the file door's part caps, answered as one line -------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import datetime as dt

    from kpi_excel.app.report_files import new_report, refresh_report

    path = new_report(tmp_path_factory.mktemp("paper") / "report.xlsx", example=True)
    refresh_report(path, now=dt.datetime(2026, 11, 23, 9, 30))
    return path


def test_the_paper_upload_refuses_a_part_that_inflates_to_150_mb(server: RunningServer, report: Path,
                                                                 tmp_path: Path) -> None:
    from tests.security.test_xlsx_part_caps import styles_of, with_part

    paper = server.url + "/kpi/paper"
    assert httpx.post(paper, content=report.read_bytes(), timeout=120).status_code == 200
    before = peak_rss_mb(server)
    hostile = with_part(report, tmp_path / "styles.xlsx", "xl/styles.xml", styles_of(150 << 20))
    response = httpx.post(paper, content=hostile.read_bytes(), timeout=120)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "\n" not in detail and re.search(r"part 'xl/styles\.xml' is 1[45]\d MB uncompressed, more than the 32 MB",
                                            detail)
    assert peak_rss_mb(server) - before < 50  # 197 MB -> 5.1 GB before
    assert httpx.post(paper, content=report.read_bytes(), timeout=120).status_code == 200


def test_a_garbage_or_misnumbered_upload_gets_one_line_without_server_paths(server: RunningServer, report: Path,
                                                                             tmp_path: Path) -> None:
    from tests.security.hostile import rewrite_parts

    paper = server.url + "/kpi/paper"
    garbage = httpx.post(paper, content=b"PK\x03\x04 not really a zip", timeout=60)
    misnumbered = rewrite_parts(report, {"xl/workbook.xml": lambda data: data.replace(b'sheetId="1"',
                                                                                      b'sheetId="one"', 1)},
                                tmp_path / "misnumbered.xlsx")
    named = httpx.post(paper, content=misnumbered.read_bytes(), timeout=60)
    for response, says in ((garbage, "not a zip package"), (named, '<sheet sheetId="one"> is not a whole number')):
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert says in detail and "\n" not in detail
        assert "/tmp" not in detail and "kpi-web-paper" not in detail and "workbook.xlsx" not in detail, detail
    assert server.alive()


def test_a_256_mb_request_header_is_answered_431_at_64_kb(server: RunningServer, ordinary: bytes) -> None:
    """httptools keeps any header (256 MB cost +727 MB); the head is cut off at 64 KB with 431."""
    before = peak_rss_mb(server)
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ")
        block = b"a" * (1 << 20)
        try:
            while sent < 256 << 20:
                sock.sendall(block)
                sent += len(block)
        except OSError:  # the server answered and closed: the rest is not read
            pass
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert sent < 64 << 20  # refused long before the 256 MB were sent
    assert peak_rss_mb(server) - before < 20
    ok = httpx.get(server.url + "/", headers={"X-Padding": "a" * 16_000}, timeout=10)  # a large sign-in token fits
    assert ok.status_code == 200
    assert refreshes(server, ordinary)


def test_a_cell_longer_than_excel_allows_is_refused_naming_it(server: RunningServer, ordinary: bytes) -> None:
    """No Excel sends a cell over 32,767 characters; one of 100,000 "(" once held the server 138 s."""
    body = with_sheet(ordinary, "KPIs", b'[["Indicator","Quartile"],["x","' + b"(" * 100_000 + b'"]]')
    started = time.monotonic()
    detail = refused(server, body)
    assert "sheet 'KPIs' cell B2 holds 100,000 characters, more than the 32,767 Excel allows" in detail
    assert time.monotonic() - started < 10
    assert refreshes(server, ordinary)
