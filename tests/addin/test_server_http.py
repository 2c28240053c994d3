"""The web door through real HTTP on loopback against a real uvicorn process."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Iterator

import httpx
from lxml import etree

from kpi_excel.addin.server.scripts import SCRIPT_SHEETS
from tests.addin.batch_view import batch_of, kpi_cells, shown
from tests.addin.payload import book_payload, payload_bytes, web_request

from .conftest import RunningServer

SCRIPT = "/xlwings/custom-scripts-call/refresh_kpis"
JSON = {"Content-Type": "application/json"}


def _column(payload: dict, header: str) -> int:  # type: ignore[type-arg]
    """1-based column of ``header`` on the KPIs sheet sent."""
    return payload["sheets"][0]["values"][0].index(header) + 1


def test_example_book_gets_one_batch_with_rag_words(server: RunningServer, example_xlsx: Path) -> None:
    payload = web_request(example_xlsx)
    response = httpx.post(server.url + SCRIPT, content=payload_bytes(payload), headers=JSON, timeout=60)
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    assert [a["func"] for a in actions] == ["runMacro"]  # one action: the client applies it in a few syncs
    cells = kpi_cells(actions)
    rag = _column(payload, "RAG")
    words = {v for (row, column), v in cells.items() if column == rag}
    assert {"Red", "Green"} <= words
    codes = [row[_column(payload, "Code") - 1] for row in payload["sheets"][0]["values"]]
    assert cells[(codes.index("SC01") + 1, rag)] == "Red"
    assert shown(actions)[-1].startswith("Rated 30 indicators")


def test_the_batch_is_guarded_by_the_codes_it_was_read_with(server: RunningServer, example_xlsx: Path) -> None:
    payload = web_request(example_xlsx)
    actions = httpx.post(server.url + SCRIPT, content=payload_bytes(payload), headers=JSON, timeout=60).json()["actions"]
    guard = batch_of(actions)["guard"]
    code = _column(payload, "Code")
    sent = [row[code - 1] for row in payload["sheets"][0]["values"][1:31]]
    letter = chr(64 + code)
    assert {"address": f"{letter}2:{letter}31", "values": [[c] for c in sent]} in guard["cells"]
    assert guard["cells"][0]["values"][0][:4] == ["Topic", "Theme", "Indicator", "Code"]  # the header row


def test_refresh_writes_only_computed_columns(server: RunningServer, example_xlsx: Path) -> None:
    payload = web_request(example_xlsx)
    actions = httpx.post(server.url + SCRIPT, content=payload_bytes(payload), headers=JSON, timeout=60).json()["actions"]
    officer = {_column(payload, h) for h in ("Topic", "Indicator", "Code", "Polarity", "Target", "Comment",
                                              "RAG Override", "Override Reason", "Unit", "Benchmark Code")}
    written = {column for (_, column) in kpi_cells(actions)}
    assert written and not written & officer
    assert all(":" not in b["address"] or b["address"].split(":")[0].rstrip("0123456789")
               == b["address"].split(":")[1].rstrip("0123456789") for b in batch_of(actions)["kpis"]["blocks"])


def test_only_the_needed_sheets_have_values(example_xlsx: Path) -> None:
    payload = web_request(example_xlsx)
    assert [s["name"] for s in payload["sheets"]] == ["KPIs", "Data", "Settings"]
    assert [s["name"] for s in payload["sheets"] if s["values"] != [[]]] == ["KPIs", "Settings"]
    assert payload["args"][0]["rows"][0][:3] == ["Code", "Period", "Value"]  # Data rides beside the payload


def test_the_log_entry_is_appended_where_the_log_ends_when_applied(server: RunningServer, tmp_path: Path) -> None:
    from .conftest import write_example_workbook

    path = write_example_workbook(tmp_path / "with log.xlsx", with_log=True)
    actions = httpx.post(server.url + SCRIPT, content=payload_bytes(web_request(path)), headers=JSON,
                         timeout=60).json()["actions"]
    log = batch_of(actions)["log"]
    assert log["name"] == "Log" and log["values"][2] == "web" and log["headers"][0] == "When"
    assert "row" not in log  # the client finds the Log's end when it writes, never the server


def test_an_out_of_date_page_that_sends_no_data_changes_nothing(server: RunningServer, example_xlsx: Path) -> None:
    payload = book_payload(example_xlsx, include=SCRIPT_SHEETS)  # an old ribbon.js: no Data argument
    actions = httpx.post(server.url + SCRIPT, content=payload_bytes(payload), headers=JSON, timeout=60).json()["actions"]
    assert [a["func"] for a in actions] == ["alert"] and "out of date" in actions[0]["args"][0]


def test_manifest_has_the_ribbon_buttons(server: RunningServer) -> None:
    response = httpx.get(server.url + "/manifest")
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    ns = {"o": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
          "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0"}
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iterfind(".//bt:String", ns)}
    assert strings["KpiReportTab.TabLabel"] == "KPI Report"
    assert strings["KpiRefreshButton.Label"] == "Refresh KPIs"
    assert strings["KpiCheckButton.Label"] == "Check inputs"
    functions = [f.text for f in root.iterfind(".//o:FunctionName", ns)]
    assert functions == ["refresh-kpis", "check-inputs", "pack-paper"]
    assert strings["KpiPaperButton.Label"] == "Committee paper"
    source = root.find("{http://schemas.microsoft.com/office/appforoffice/1.1}DefaultSettings/"
                       "{http://schemas.microsoft.com/office/appforoffice/1.1}SourceLocation")
    assert source.get("DefaultValue") == server.url + "/taskpane.html"
    ribbon_js = httpx.get(server.url + "/static/js/ribbon.js").text
    for name in functions:
        assert f'Office.actions.associate("{name}"' in ribbon_js
    taskpane = httpx.get(server.url + "/taskpane.html").text
    assert "/static/js/ribbon.js" in taskpane


def test_scripts_metadata_sends_only_the_refresh_sheets(server: RunningServer) -> None:
    meta = httpx.get(server.url + "/xlwings/custom-scripts-meta.json").json()
    by_name = {m["function_name"]: m for m in meta}
    assert set(by_name) == {"refresh_kpis", "check_inputs"}  # real @scripts, not stand-ins
    assert by_name["refresh_kpis"]["include"] == ",".join(SCRIPT_SHEETS)


def test_check_inputs_writes_nothing(server: RunningServer, example_xlsx: Path) -> None:
    payload = web_request(example_xlsx)
    response = httpx.post(server.url + "/xlwings/custom-scripts-call/check_inputs", content=payload_bytes(payload),
                          headers=JSON, timeout=60)
    assert response.status_code == 200
    assert [a["func"] for a in response.json()["actions"]] == ["alert"]


def test_unknown_script_names_are_404(server: RunningServer) -> None:
    for name in ("hello_world", "refresh_book", "__init__"):
        response = httpx.post(server.url + f"/xlwings/custom-scripts-call/{name}", content=b"{}", headers=JSON)
        assert response.status_code == 404


def test_custom_function_calls_are_closed(server: RunningServer) -> None:
    """kpi_excel has no custom functions; xlwings Server would getattr() any name sent."""
    for name in ("os", "__loader__", "hello"):
        body = {"func_name": name, "args": [], "caller_address": "Sheet1!A1", "version": "0.37.8"}
        response = httpx.post(server.url + "/xlwings/custom-functions-call", json=body)
        assert response.status_code == 404
    assert server.alive()


def test_cors_only_for_office_origins(server: RunningServer) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(server.url + SCRIPT, headers={"Origin": origin, "Access-Control-Request-Method": "POST"})

    for origin in ("https://excel.officeapps.live.com", "https://contoso.sharepoint.com",
                   "https://contoso-my.sharepoint.com", "https://www.office.com"):
        response = preflight(origin)
        assert response.status_code == 200 and response.headers["access-control-allow-origin"] == origin
    for origin in ("https://evil.example", "http://excel.officeapps.live.com",
                   "https://sharepoint.com.evil.example", "null"):
        response = preflight(origin)
        assert response.status_code == 400 and "access-control-allow-origin" not in response.headers
    simple = httpx.get(server.url + "/manifest", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_security_headers(server: RunningServer) -> None:
    headers = httpx.get(server.url + "/manifest").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "max-age" in headers["strict-transport-security"]
    assert "frame-ancestors 'self' https://*.officeapps.live.com" in headers["content-security-policy"]
    assert "server" not in headers


def _raw_request(server: RunningServer, head: bytes, body: bytes = b"") -> tuple[bytes, float]:
    """Send raw bytes and read the answer, timing it (no client library retries or buffering)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer, time.monotonic() - started


def test_100mb_content_length_refused_before_the_body_is_sent(server: RunningServer) -> None:
    head = (f"POST {SCRIPT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {100_000_000}\r\n\r\n").encode()
    answer, seconds = _raw_request(server, head)  # not one body byte sent
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert seconds < 5
    assert server.alive()


def test_100mb_upload_refused_and_server_stays_up(server: RunningServer) -> None:
    body = b'{"client": "Office.js", "pad": "' + b"x" * 100_000_000 + b'"}'
    response = httpx.post(server.url + SCRIPT, content=body, headers=JSON, timeout=60)
    assert response.status_code == 413
    assert "larger than this server accepts" in response.json()["detail"]
    assert server.alive()


def test_chunked_upload_cut_off_at_the_limit(server: RunningServer) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"pad": "'
        for _ in range(100):  # 100 MB if it were all read
            sent += 1_000_000
            yield b"x" * 1_000_000
        yield b'"}'

    try:
        status = httpx.post(server.url + SCRIPT, content=chunks(), headers=JSON, timeout=60).status_code
    except httpx.TransportError:
        status = None  # the server may close the connection while the client is still sending
    assert status in (413, None)
    assert sent < 100_000_000  # the client was stopped well before sending it all
    assert server.alive()
    log = server.log.read_text()
    assert "body over 5000000 bytes" in log


def test_malformed_json_gets_an_answer_and_the_server_stays_up(server: RunningServer) -> None:
    response = httpx.post(server.url + SCRIPT, content=b"{not json", headers=JSON)
    # A short 400 (xlwings Server alone answers its generic 500); tests/security tries many more.
    assert response.status_code == 400 and response.json() == {"detail": "The request is not valid JSON."}
    assert server.alive()


def test_several_workers_serve_the_same_app(tmp_path: Path, example_xlsx: Path) -> None:
    from .conftest import start_server, stop_server

    running = start_server(tmp_path, args=("--workers", "2"))
    try:
        body = payload_bytes(web_request(example_xlsx))
        for _ in range(4):
            response = httpx.post(running.url + SCRIPT, content=body, headers=JSON, timeout=60)
            assert response.status_code == 200
        meta = httpx.get(running.url + "/xlwings/custom-scripts-meta.json").json()
        assert {m["function_name"] for m in meta} == {"refresh_kpis", "check_inputs"}
    finally:
        stop_server(running)
    assert "Started parent process" in running.log.read_text()
