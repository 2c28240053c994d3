"""The web add-in's Committee paper button, through real HTTP on loopback against the real server.

The button's JavaScript sends the workbook's file; these tests send the same
bytes (a refreshed report) and follow the one-time link the server answers with.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from docx import Document
from lxml import etree

from kpi_excel.addin.server.papers import PaperStore, private_folder, safe_file_name
from kpi_excel.app.report_files import new_report, refresh_report
from tests.example_facts import EXAMPLE_INDICATORS

from .conftest import RunningServer, start_server, stop_server
from .test_server_auth import CLIENT, ROLE, SIGNING_KEY, TENANT, token

PAPER = "/kpi/paper"


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = new_report(tmp_path_factory.mktemp("web-paper") / "Q2 report.xlsx", example=True)
    refresh_report(path, now=dt.datetime(2026, 11, 23, 9, 30))
    return path.read_bytes()


def test_the_paper_is_made_from_the_sent_file_and_downloads_once(server: RunningServer, refreshed: bytes) -> None:
    response = httpx.post(server.url + PAPER, params={"name": "Q2 report.xlsx"}, content=refreshed,
                          headers={"Content-Type": "application/octet-stream"}, timeout=120)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["file_name"] == "Q2 report - committee paper.docx"
    assert f"{EXAMPLE_INDICATORS} indicators" in answer["message"]
    link = server.url + answer["download"]
    download = httpx.get(link, timeout=30)
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="Q2 report - committee paper.docx"'
    assert download.headers["cache-control"].startswith("no-store")
    doc = Document(io.BytesIO(download.content))
    assert any(p.text.startswith(f"Of {EXAMPLE_INDICATORS} indicators, ") and " are rated: " in p.text
               for p in doc.paragraphs)
    again = httpx.get(link, timeout=30)
    assert again.status_code == 404 and "used or has expired" in again.text


def test_what_is_not_a_workbook_gets_one_line_and_no_link(server: RunningServer) -> None:
    response = httpx.post(server.url + PAPER, content=b"hello", timeout=30)
    assert response.status_code == 422 and "did not send an Excel workbook" in response.json()["detail"]
    junk = httpx.post(server.url + PAPER, content=b"PK\x03\x04 not really a zip", timeout=30)
    assert junk.status_code == 422 and "\n" not in junk.json()["detail"]
    assert httpx.get(server.url + PAPER + "/not-a-token", timeout=30).status_code == 404


def test_a_body_over_the_limit_is_refused_unread(server: RunningServer) -> None:
    response = httpx.post(server.url + PAPER, content=b"PK" + b"\0" * 6_000_000, timeout=60)
    assert response.status_code == 413  # the server's 5 MB limit, before the paper code runs


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    import json

    from joserfc.jwk import KeySet

    tmp = tmp_path_factory.mktemp("auth-paper")
    jwks = tmp / "jwks.json"
    jwks.write_text(json.dumps(KeySet([SIGNING_KEY]).as_dict(private=False)))
    running = start_server(tmp, {
        "XLWINGS_AUTH_PROVIDERS": '["entraid"]', "XLWINGS_AUTH_ENTRAID_TENANT_ID": TENANT,
        "XLWINGS_AUTH_ENTRAID_CLIENT_ID": CLIENT, "XLWINGS_AUTH_REQUIRED_ROLES": f'["{ROLE}"]',
        "KPI_EXCEL_ENTRAID_JWKS_FILE": str(jwks),
    })
    yield running
    stop_server(running)


def test_with_sign_in_the_paper_needs_a_valid_token_and_the_role(auth_server: RunningServer,
                                                                  refreshed: bytes) -> None:
    headers = {"Auth-Provider": "entraid", "Content-Type": "application/octet-stream"}
    anonymous = httpx.post(auth_server.url + PAPER, content=refreshed, headers=headers, timeout=60)
    assert anonymous.status_code == 401
    no_role = httpx.post(auth_server.url + PAPER, content=refreshed, timeout=60,
                         headers={**headers, "Authorization": f"Bearer {token(roles=[])}"})
    assert no_role.status_code == 403
    signed_in = httpx.post(auth_server.url + PAPER, content=refreshed, timeout=120,
                           headers={**headers, "Authorization": f"Bearer {token()}"})
    assert signed_in.status_code == 200, signed_in.text
    assert httpx.get(auth_server.url + signed_in.json()["download"], timeout=30).status_code == 200


def test_links_expire_work_once_and_the_store_is_bounded(tmp_path: Path) -> None:
    store = PaperStore(private_folder(tmp_path), seconds=600, limit=2)
    first = store.put(b"1", "a.docx", "ann", now=0)
    assert store.take(first, now=601) is None  # expired
    tokens = [store.put(str(i).encode(), "a.docx", "ann", now=10) for i in range(3)]
    assert len(store) == 2 and store.take(tokens[0], now=11) is None  # the oldest went first
    paper = store.take(tokens[2], now=11)
    assert paper is not None and paper.data == b"2" and paper.file_name == "a.docx"
    assert store.take(tokens[2], now=11) is None  # once
    assert store.take("../../etc/passwd", now=11) is None and len(tokens[2]) == 43  # 32 random bytes


def test_a_second_worker_process_can_serve_the_link(tmp_path: Path) -> None:
    import subprocess
    import sys

    folder = private_folder(tmp_path)
    token = PaperStore(folder).put(b"paper bytes", "a.docx", "ann")
    code = ("import sys; from pathlib import Path; from kpi_excel.addin.server.papers import PaperStore; "
            "p = PaperStore(Path(sys.argv[1])).take(sys.argv[2]); print(p.data.decode() if p else 'gone')")
    taken = [subprocess.run([sys.executable, "-c", code, str(folder), token], capture_output=True, text=True,
                            timeout=60).stdout.strip() for _ in range(2)]
    assert taken == ["paper bytes", "gone"]


def test_the_store_refuses_a_folder_others_can_write(tmp_path: Path) -> None:
    import os

    folder = private_folder(tmp_path)
    os.chmod(folder, 0o777)
    with pytest.raises(RuntimeError, match="not a private folder"):
        private_folder(tmp_path)


@pytest.mark.parametrize("name, file_name", [
    ("Q2 report.xlsx", "Q2 report - committee paper.docx"),
    ('evil"\r\nSet-Cookie: x=1.xlsx', "evilSet-Cookie x1 - committee paper.docx"),
    ("../../etc/passwd", "passwd - committee paper.docx"),
    ("Trésor.xlsm", "Trsor - committee paper.docx"),
    ("", "workbook - committee paper.docx"),
])
def test_file_names_are_safe_in_a_header(name: str, file_name: str) -> None:
    assert safe_file_name(name) == file_name


def test_the_manifest_has_the_committee_paper_button() -> None:
    from kpi_excel.addin.server.config import PROJECT_DIR

    manifest = etree.fromstring((PROJECT_DIR / "templates" / "manifest.xml").read_bytes().replace(b"{{", b"").replace(
        b"}}", b"").replace(b"{%", b"<!--").replace(b"%}", b"-->"))
    functions = [el.text for el in manifest.iter("{*}FunctionName")]
    assert "pack-paper" in functions
    ribbon = (PROJECT_DIR / "static" / "js" / "ribbon.js").read_text()
    assert 'Office.actions.associate("pack-paper", kpiPackPaper)' in ribbon
    assert "/kpi/paper" in ribbon and "getFileAsync" in ribbon


def test_the_router_module_is_where_xlwings_server_looks(tmp_path: Path) -> None:
    from kpi_excel.addin.server.config import PROJECT_DIR

    assert (PROJECT_DIR / "routers" / "custom.py").is_file() and (PROJECT_DIR / "routers" / "__init__.py").is_file()
