"""Keep bench/bench_server.py working: its workbook and its server-side step, on a small book."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.addin.payload import payload_bytes, web_request

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_server.py"


def test_bench_server_side_step(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_server", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = bench.make_workbook(tmp_path / "report.xlsx", indicators=20, periods=4)
    body = payload_bytes(web_request(path))
    seconds, actions = bench.server_side(body)
    assert actions == 1 and seconds < 10  # one runMacro action: the batch
