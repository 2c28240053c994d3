"""Benchmark: one web Refresh KPIs end to end, through xlwings Server's real client.

Run: python bench/bench_webclient.py [--rows 10000 50000 100000] [--latency-ms 100]

The click runs in Node (tests/webclient: the wheel's own client JavaScript over an in-memory
Excel), posting to a real ``kpi-excel serve`` on loopback. In Excel on the web every
``context.sync()`` that carries work is a network round trip, so what an officer waits is
about ``round trips x latency + server time``; that is what is printed, at ``--latency-ms``
(computed, not slept), with the largest single Office.js request or response (Excel on the
web refuses one over 5 MB). Cases: the example report, 200 indicators, and the example with
its Data sheet padded to each ``--rows`` (extra rows for codes not on the KPIs sheet).
Targets (issue 15): example <= 60 syncs, 200 indicators <= 100, no call over 5 MB; the server runs
with its default request limit (20 MB: 100,000 Data rows send about 7 MB).
Writes bench/out/bench_webclient.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.addin.conftest import start_server, stop_server  # noqa: E402
from tests.webclient.client import LIMIT_BYTES, click, model_from_xlsx, node_path  # noqa: E402

TARGETS = {"example": 60, "200 indicators": 100}


def padded(model: dict, rows: int) -> dict:
    """The model with its Data sheet grown to ``rows`` data rows."""
    data = next(s for s in model["sheets"] if s["name"] == "Data")
    have = max(int("".join(ch for ch in a if ch.isdigit())) for a in data["cells"]) - 1
    for i in range(have, rows):
        r = i + 2
        data["cells"][f"A{r}"] = {"v": f"PAD{i % 500:03d}"}
        data["cells"][f"B{r}"] = {"v": f"Q{i % 4 + 1} {2000 + (i // 2000) % 25}/{(1 + (i // 2000) % 25) % 100:02d}"}
        data["cells"][f"C{r}"] = {"v": round(40 + (i * 7919 % 5900) / 100, 2)}
        data["cells"][f"E{r}"] = {"v": "Padding row for the size bench"}
    return model


def measure(name: str, model: dict, url: str, latency_ms: float) -> dict:
    started = time.perf_counter()
    run = click(model, url, "refresh-kpis", timeout_s=1800)
    wall = time.perf_counter() - started
    script = [r for r in run.requests if "custom-scripts-call" in r["url"]]
    out = {
        "case": name,
        "sync_calls": run.sync_calls,
        "round_trips": run.round_trips,
        "largest_call_bytes": run.largest_call_bytes,
        "request_body_bytes": script[0]["request_bytes"] if script else None,
        "http_status": script[0].get("status") if script else None,
        "server_ms": sum(r.get("ms", 0) for r in run.requests),
        "seconds_at_latency": round(run.seconds_at(latency_ms), 1),
        "harness_wall_s": round(wall, 1),
        "alerts": [(a["title"], (a["prompt"] or "")[:120]) for a in run.alerts],
        "errors": run.errors,
    }
    print(f"{name:>22}: {out['sync_calls']:5d} syncs ({out['round_trips']} round trips), largest call "
          f"{out['largest_call_bytes'] / 1e6:6.2f} MB, body {(out['request_body_bytes'] or 0) / 1e6:6.2f} MB, "
          f"server {out['server_ms']} ms, officer waits ~{out['seconds_at_latency']} s at {latency_ms:g} ms a sync"
          f" | alerts: {out['alerts']}", flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[10000])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    if node_path() is None:
        print("node is not installed")
        return 1
    from bench.bench_server import make_workbook
    from kpi_excel.app.report_files import new_report

    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = start_server(tmp)  # the default request limit (KPI_EXCEL_MAX_REQUEST_MB=20), as an admin gets it
        try:
            example = model_from_xlsx(new_report(tmp / "example.xlsx", example=True))
            results.append(measure("example", example, server.url, args.latency_ms))
            big = model_from_xlsx(make_workbook(tmp / "200.xlsx", indicators=200, periods=8))
            results.append(measure("200 indicators", big, server.url, args.latency_ms))
            for rows in args.rows:
                model = padded(model_from_xlsx(tmp / "example.xlsx"), rows)
                results.append(measure(f"{rows} Data rows", model, server.url, args.latency_ms))
        finally:
            stop_server(server)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_webclient.json").write_text(json.dumps(results, indent=2))
    over = [r["case"] for r in results
            if r["sync_calls"] > TARGETS.get(r["case"], 10**9) or r["largest_call_bytes"] > LIMIT_BYTES or r["errors"]]
    if over:
        print(f"over target: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
