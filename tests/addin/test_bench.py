"""Keep bench/bench_server.py working: its workbooks and its server-side step, on small books."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests.addin.payload import payload_bytes, web_request

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_server.py"


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_server", BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_bench_server_side_step(tmp_path: Path) -> None:
    bench = _bench()
    path = bench.make_workbook(tmp_path / "report.xlsx", indicators=20, periods=4)
    body = payload_bytes(web_request(path))
    seconds, cpu, answer = bench.server_side(body)
    assert bench.batch_shape(answer)["actions"] == 1 and 0 < seconds < 10 and cpu >= 0  # one runMacro: the batch


def test_realistic_second_refresh_is_benchmarked_with_mixed_units(tmp_path: Path) -> None:
    bench = _bench()
    body = bench.second_refresh_body(tmp_path, indicators=12, periods=4)
    _, _, answer = bench.server_side(body)
    batch = answer["actions"][0]["args"][1]
    assert [part["name"] for part in batch["sheets"]].count("Benchmark") == 1  # benchmarking on
    formats = {entry.get("format") for entry in batch["kpis"]["formats"]} | {
        f for entry in batch["kpis"]["formats"] for row in entry.get("formats", []) for f in row}
    assert any("%" in str(f) for f in formats) and any(f and "%" not in str(f) for f in formats)  # units mixed
