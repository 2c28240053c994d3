"""A refresh killed at any moment leaves the workbook as it was (or fully refreshed).

The real command runs in its own process on a workbook big enough to take a
second or more; it is killed with SIGKILL at points spread over its whole run
(reading, working out, writing, saving). Afterwards the workbook is either
byte-identical to the original or, if the kill came after the atomic swap, a
complete refreshed workbook; never anything in between.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kpi_excel.ooxml.atomic import lock_file_of
from kpi_excel.ooxml import XlsxPackage

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX-only")


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from big_report import make_big_report

    return make_big_report(tmp_path_factory.mktemp("big") / "master.xlsx", indicators=800, history_rows=40_000)


def _run(workbook: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "kpi_excel.cli", "refresh", str(workbook)], cwd=workbook.parent,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killed_refresh_never_leaves_a_half_written_workbook(master: Path, tmp_path: Path) -> None:
    work = tmp_path / "report.xlsx"
    # The kill points are fractions of a whole run. The first run pays cold caches, and a
    # busy machine stretches any one run, so the shorter of two sets the scale.
    runs = []
    for _ in range(2):
        shutil.copyfile(master, work)
        started = time.monotonic()
        assert _run(work).wait(timeout=300) == 0
        runs.append(time.monotonic() - started)
    full_run = min(runs)
    refreshed_sheets = XlsxPackage.open(work).sheet_names()
    assert "Benchmark" in refreshed_sheets

    original = master.read_bytes()
    lock = lock_file_of(work)
    outcomes = {"untouched": 0, "refreshed": 0}
    for fraction in (0.05, 0.2, 0.35, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.02):
        shutil.copyfile(master, work)
        child = _run(work)
        time.sleep(full_run * fraction)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        data = work.read_bytes()
        if data == original:
            outcomes["untouched"] += 1
        else:
            package = XlsxPackage.open(work)  # a complete, valid workbook
            assert package.sheet_names() == refreshed_sheets
            kpis = package.read_sheet("KPIs")
            rag = next(c for c in range(1, 80) if kpis.value(1, c) == "RAG")
            assert kpis.value(2, rag) in ("Red", "Amber", "Green", "N/A")
            outcomes["refreshed"] += 1
        # A kill can leave the hidden temp file and the refresh lock file (whose OS lock died
        # with the process, so it blocks nothing); never a damaged workbook.
        leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("report.xlsx", lock.name)]
        assert all(name.startswith(".~kpi-report.xlsx.") for name in leftovers), leftovers
        for name in leftovers:
            (tmp_path / name).unlink()
    assert outcomes["untouched"] >= 6, outcomes  # most kills land before the swap
    shutil.copyfile(master, work)
    assert _run(work).wait(timeout=300) == 0  # a lock file a killed run left behind blocks nothing
