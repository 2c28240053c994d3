"""``kpi-excel serve`` under a Python audit hook that records what the server opens.

Run as ``python tests/security/web_audited_server.py --host H --port P``. Every
``open`` (Python's ``open``/``os.open``, which pandas, openpyxl and csv use),
``sqlite3.connect`` and ``socket.connect`` whose target contains
``KPI_TEST_AUDIT_WATCH`` (a folder of canary files, or ``:PORT`` of a trap
socket) is appended to the file ``KPI_TEST_AUDIT_LOG``. The hook writes with
``os.write`` on a descriptor opened before it is installed, so it never audits
itself. Tests read the log to prove a refused source was never opened.
"""

from __future__ import annotations

import os
import sys

_LOG = os.open(os.environ["KPI_TEST_AUDIT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
_WATCH = [w for w in os.environ.get("KPI_TEST_AUDIT_WATCH", "").split(os.pathsep) if w]


def _target(event: str, args: tuple) -> str | None:  # type: ignore[type-arg]
    if event in ("open", "sqlite3.connect", "os.listdir", "os.scandir", "shutil.copyfile"):
        if args and isinstance(args[0], (str, bytes, os.PathLike)):
            return os.fsdecode(args[0])
    if event == "socket.connect" and len(args) > 1:
        address = args[1]
        if isinstance(address, tuple) and len(address) >= 2:
            return f"{address[0]}:{address[1]}"
    return None


def _hook(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    target = _target(event, args)
    if target is not None and any(watch in target for watch in _WATCH):
        os.write(_LOG, f"{event}\t{target}\n".encode("utf-8", "replace"))


sys.addaudithook(_hook)

if __name__ == "__main__":
    from kpi_excel.addin.cli_commands import serve

    serve(prog_name="kpi-excel serve")
