"""Shared by the web-door security tests: a raw HTTP client, a trap socket, an audited server.

Nothing here normalises a path: requests go out byte for byte as written, the
way ``curl --path-as-is`` sends them.
"""

from __future__ import annotations

import copy
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.addin.conftest import RunningServer, start_server

HERE = Path(__file__).resolve().parent
SCRIPT = "/xlwings/custom-scripts-call/refresh_kpis"
CHECK = "/xlwings/custom-scripts-call/check_inputs"
JSON = {"Content-Type": "application/json"}


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(port: int, target: bytes, *, method: bytes = b"GET", headers: dict[str, str] | None = None,
                body: bytes = b"", content_length: int | None = None) -> RawResponse:
    """Send ``method target HTTP/1.1`` exactly as given and read the whole answer (Connection: close).

    ``content_length`` claims a body size without sending it (to be refused before sending).
    """
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}".encode("latin-1"))
    if body or method == b"POST":
        lines.append(f"Content-Length: {len(body) if content_length is None else content_length}".encode())
    request = b"\r\n".join(lines) + b"\r\n\r\n" + body
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, rest = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    return RawResponse(int(status_line.split()[1]), found, rest)


class Trap:
    """A TCP listener on loopback that counts who connects (an 'internal host' a URL could probe)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@dataclass
class AuditedServer:
    server: RunningServer
    audit: Path
    watch: list[str] = field(default_factory=list)

    def opened(self) -> list[str]:
        """Every watched open/connect the server made, as 'event<TAB>target' lines."""
        return self.audit.read_text(encoding="utf-8").splitlines() if self.audit.exists() else []


def start_audited_server(tmp: Path, watch: list[str], env: dict[str, str] | None = None) -> AuditedServer:
    """The real server (``kpi-excel serve``) under an audit hook watching ``watch`` (folders, ':PORT')."""
    audit = tmp / "audit.log"
    extra = {"KPI_TEST_AUDIT_LOG": str(audit), "KPI_TEST_AUDIT_WATCH": os.pathsep.join(watch), **(env or {})}
    running = start_server(tmp, extra, launcher=(str(HERE / "web_audited_server.py"),))
    return AuditedServer(running, audit, watch)


def with_settings(payload: dict[str, Any], rows: list[tuple[str, str]]) -> dict[str, Any]:
    """A copy of ``payload`` whose Settings sheet also holds ``rows`` (setting, value)."""
    out = copy.deepcopy(payload)
    sheet = next(s for s in out["sheets"] if s["name"] == "Settings")
    width = max(len(r) for r in sheet["values"])
    for setting, value in rows:
        sheet["values"].append([setting, value] + [""] * (width - 2))
    count = len(sheet["values"])
    sheet["used_range_row_count"] = count
    sheet["used_range_address"] = f"A1:{chr(64 + width)}{count}"
    return out


def actions_of(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text[:500]
    return response.json()["actions"]


def alerts(actions: list[dict[str, Any]]) -> list[str]:
    return [a["args"][0] for a in actions if a["func"] == "alert"]
