"""Fixtures for the ribbon doors: real workbooks, the real remote engine, a real server.

The remote engine needs a licence key; councils use xlwings under PolyForm
Noncommercial, whose key is the word ``noncommercial``. ``XLWINGS_ON_SERVER``
must be set before xlwings is first imported, or ``@script`` is a stub.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ["XLWINGS_ON_SERVER"] = "true"

import pytest  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from kpi_excel.core.template import KPI_COLUMNS, LOG_COLUMNS  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "kpi_excel" / "data" / "example"

# (code, previous value, latest value) typed on the KPIs sheet; SC01 is the Red row.
TYPED = {
    "SC01": (0.76, 0.776),   # High = Good, target >97.2%: Red
    "SC02": (0.2761, 0.226),  # Low = Good, target <20.8%: Red
    "SC04": (0.85, 0.95),     # High = Good, target >90.3%: Green
    "SC06": (0.93, 0.95),     # High = Good, target >92.0%: Green
}


def example_rows(limit: int | None = None) -> list[dict[str, str]]:
    with open(EXAMPLE / "indicators.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return rows[:limit] if limit else rows


def write_example_workbook(path: Path, *, indicators: list[dict[str, str]] | None = None,
                           typed: dict[str, tuple[float, float]] | None = None, with_log: bool = False) -> Path:
    """An officer's workbook: KPIs (template headers), Data (long format), Settings.

    Values are typed into the KPIs sheet as fractions with a % format, the way
    Excel stores 77.6%; the Data sheet holds the example history.
    """
    indicators = indicators if indicators is not None else example_rows()
    typed = TYPED if typed is None else typed
    wb = Workbook()
    ws = wb.active
    ws.title = "KPIs"
    headers = [c.header for c in KPI_COLUMNS]
    ws.append(headers)
    col = {h: i for i, h in enumerate(headers)}
    for ind in indicators:
        row: list[object] = [None] * len(headers)
        for key in ("Topic", "Theme", "Indicator", "Code", "Polarity", "Frequency", "Unit", "Target",
                    "Benchmark Code"):
            row[col[key]] = ind.get(key) or None
        if ind["Code"] in typed:
            previous, latest = typed[ind["Code"]]
            row[col["Previous Value"]], row[col["Latest Value"]] = previous, latest
            row[col["Previous Period"]], row[col["Latest Period"]] = "Q1 2022/23", "Q2 2022/23"
        ws.append(row)
    for r in range(2, ws.max_row + 1):
        for h in ("Previous Value", "Latest Value"):
            cell = ws.cell(r, col[h] + 1)
            if isinstance(cell.value, float):
                cell.number_format = "0.0%"
    data = wb.create_sheet("Data")
    data.append(["Code", "Period", "Value", "Area", "Note"])
    with open(EXAMPLE / "history.csv", newline="", encoding="utf-8") as handle:
        for rec in csv.DictReader(handle):
            data.append([rec["Code"], rec["Period"], rec["Value"], None, rec["Note"]])
    settings = wb.create_sheet("Settings")
    settings.append(["Setting", "Value", "What it means"])
    settings.append(["Authority", "Leicestershire", "Your authority"])
    settings.append(["RAG rule", "auto", "target, else quartile"])
    if with_log:
        log = wb.create_sheet("Log")
        log.append(list(LOG_COLUMNS))
        log.append(["2026-11-01 09:00", "someone", "file", "Data sheet", 1, 0, 0, 1, 0, "", 0, "0.1.0"])
    wb.save(path)
    return path


@pytest.fixture()
def example_xlsx(tmp_path: Path) -> Path:
    return write_example_workbook(tmp_path / "Performance report.xlsx")


# --- a real server: uvicorn in a subprocess on a free loopback port --------------------------

import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Iterator  # noqa: E402

import httpx  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningServer:
    url: str
    port: int
    process: subprocess.Popen  # type: ignore[type-arg]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None and httpx.get(self.url + "/", timeout=5).status_code == 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(tmp: Path, extra_env: dict[str, str] | None = None, args: tuple[str, ...] = (),
                 launcher: tuple[str, ...] = ("-m", "kpi_excel.addin.server")) -> RunningServer:
    """Start ``python -m kpi_excel.addin.server`` (= ``kpi-excel serve``) and wait until it answers.

    ``launcher``: what follows ``python`` (tests/security runs the same server under an audit hook).
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "KPI_EXCEL_"))}
    env.update({"XLWINGS_LICENSE_KEY": "noncommercial", "PYTHONPATH": str(ROOT)})
    env.update(extra_env or {})
    log = tmp / f"server-{port}.log"
    handle = open(log, "wb")
    process = subprocess.Popen(
        [sys.executable, *launcher, "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=tmp, env=env, stdout=handle, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # generous: a loaded 2-core machine takes a while to import xlwings Server
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                return RunningServer(url, port, process, log)
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not answer within 90 s:\n{log.read_text()}")


def stop_server(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The web add-in's server with a 5 MB body limit, sign-in off."""
    running = start_server(tmp_path_factory.mktemp("server"), {"KPI_EXCEL_MAX_REQUEST_MB": "5"})
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def body(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The example workbook as Excel on the web sends it to refresh_kpis."""
    from tests.addin.payload import payload_bytes, web_request

    path = write_example_workbook(tmp_path_factory.mktemp("book") / "report.xlsx")
    return payload_bytes(web_request(path))


def call_script(server: RunningServer, body: bytes, authorization: str | None,
                script: str = "/xlwings/custom-scripts-call/refresh_kpis") -> httpx.Response:
    """POST ``body`` to a script as the add-in does, with Entra ID's token if given."""
    headers = {"Content-Type": "application/json", "Auth-Provider": "entraid"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return httpx.post(server.url + script, content=body, headers=headers, timeout=60)
