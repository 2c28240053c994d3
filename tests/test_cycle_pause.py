"""A refresh runs without full cycle-collector passes; the thresholds are back afterwards, even after an error."""

from __future__ import annotations

import gc

import pytest

from kpi_excel.cycle_pause import cycle_collector_paused


def test_no_full_passes_inside_and_thresholds_restored_after() -> None:
    before = gc.get_threshold()
    with cycle_collector_paused():
        inside = gc.get_threshold()
        assert inside[:2] == before[:2] and inside[2] >= 1_000_000  # young generations still collected
        assert gc.isenabled()
    assert gc.get_threshold() == before
    with pytest.raises(ValueError), cycle_collector_paused():
        raise ValueError("a refresh that fails")
    assert gc.get_threshold() == before


def test_overlapping_blocks_restore_once_the_last_ends() -> None:
    before = gc.get_threshold()
    outer = cycle_collector_paused()
    outer.__enter__()
    with cycle_collector_paused():
        pass
    assert gc.get_threshold()[2] >= 1_000_000  # the outer block still runs
    outer.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_young_cycles_are_still_freed() -> None:
    import weakref

    class Node:
        pass

    with cycle_collector_paused():
        node = Node()
        node.me = node  # type: ignore[attr-defined]
        alive = weakref.ref(node)
        del node
        gc.collect(0)
        gc.collect(1)
        assert alive() is None


def _threshold_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """Every change of the collector's thresholds from here on (the real gc still changes them)."""
    calls: list[tuple[int, ...]] = []
    real = gc.set_threshold

    def recording(*thresholds: int) -> None:
        calls.append(thresholds)
        real(*thresholds)

    monkeypatch.setattr(gc, "set_threshold", recording)
    return calls


def test_the_refresh_command_pauses_and_restores(tmp_path, runner, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_excel.cli import main
    from kpi_excel.app.report_files import new_report

    path = new_report(tmp_path / "report.xlsx", example=True)
    before = gc.get_threshold()
    calls = _threshold_calls(monkeypatch)
    result = runner.invoke(main, ["refresh", str(path)])
    assert result.exit_code == 0, result.output
    assert calls and calls[0][2] >= 1_000_000 and calls[-1] == before  # paused for the command, then put back
    assert gc.get_threshold() == before and gc.isenabled()


def test_the_benchmark_command_pauses_and_restores(lait_dir, tmp_path, runner,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Its own process too: ~0.09 s of a 0.65 s all-authority benchmark was young passes over the
    frames it builds (bench_benchmark). The table is the same either way (tests/test_cli_benchmark.py)."""
    from kpi_excel.cli import main

    before = gc.get_threshold()
    calls = _threshold_calls(monkeypatch)
    result = runner.invoke(main, ["benchmark", str(lait_dir / "bds_long_0.parquet"), "--dictionary",
                                  str(lait_dir / "lait_data_dictionary.csv"), "--area", "Leicestershire",
                                  "--latest", "-o", str(tmp_path / "leics.csv")])
    assert result.exit_code == 0, result.output
    assert calls and calls[0][2] >= 1_000_000 and calls[-1] == before
    assert gc.get_threshold() == before and gc.isenabled()


def test_refresh_report_as_a_library_call_leaves_the_collector_alone(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_excel.app.report_files import new_report, refresh_report

    path = new_report(tmp_path / "report.xlsx", example=True)
    calls = _threshold_calls(monkeypatch)
    refresh_report(path)
    assert calls == []


# A real Refresh KPIs request through the server's app, in a process of its own (the app sets the
# server's environment): the collector's thresholds are never changed, during or after the request.
_SERVER_REQUEST = """
import asyncio, gc, json, os, sys
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
calls = []
real = gc.set_threshold
gc.set_threshold = lambda *t: (calls.append(t), real(*t))[1]
import httpx
from kpi_excel.addin.server.app import app
before = gc.get_threshold()
body = open(sys.argv[1], "rb").read()

async def click():
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return await client.post("/xlwings/custom-scripts-call/refresh_kpis", content=body,
                                 headers={"Content-Type": "application/json"})

answer = asyncio.run(click())
actions = answer.json()["actions"] if answer.status_code == 200 else []
print(json.dumps({"status": answer.status_code, "funcs": [a["func"] for a in actions], "calls": calls,
                  "same": gc.get_threshold() == before}))
"""


def test_a_server_request_never_changes_the_collectors_thresholds(tmp_path) -> None:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.addin.conftest import write_example_workbook
    from tests.addin.payload import payload_bytes, web_request

    body = tmp_path / "body.json"
    body.write_bytes(payload_bytes(web_request(write_example_workbook(tmp_path / "report.xlsx"))))
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root), "XLWINGS_ON_SERVER": "true"}
    done = subprocess.run([sys.executable, "-c", _SERVER_REQUEST, str(body)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200 and seen["funcs"] == ["runMacro"], seen  # the refresh really ran
    assert seen["calls"] == [] and seen["same"], seen


def test_imports_are_frozen_once_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import kpi_excel.cycle_pause as pause

    monkeypatch.setattr(pause, "_imports_frozen", False)
    frozen_before = gc.get_freeze_count()
    try:
        with pause.imports_frozen():
            assert not gc.isenabled()  # no passes while importing
            made = [[] for _ in range(10)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(made)  # what was alive: out of later passes
        with pause.imports_frozen():  # a second block: as it is
            assert gc.isenabled()
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
    with pytest.raises(ValueError), pause.imports_frozen():
        raise ValueError("an import that fails")
    assert gc.isenabled()
