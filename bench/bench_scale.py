"""Benchmark: a repeat refresh from 100 indicators to 10,000 and a million Data rows, against openpyxl.

Run: python bench/bench_scale.py [--big] [--sizes 100x10000,1000x100000] [--repeat 3] [--also DIR]

For each size (indicators x Data rows) the report is built with
``big_report.py`` and refreshed once, so what is timed is the refresh an
officer runs every quarter (computed columns, KPI history and Log already
there). Two ways in are timed: the ``kpi-excel refresh`` command (what an
officer's scheduled job or a command line runs; its process is its own, so it
pauses the cycle collector's full passes, as the desktop button does), which the
targets judge, and ``refresh_report`` called as a library (as a server or a
script would, with the collector left alone). Each run is a fresh process,
start-up included, as a click on the ribbon or a ``kpi-excel refresh`` is; its CPU time (user + system) and peak
resident memory come from the kernel. The baseline, a bare openpyxl
``load_workbook`` + ``save`` of the same file, runs in turn with it, ``--repeat``
times, so a busy neighbour slows both alike; the ratio is the median of the
runs' ratios. ``--also DIR`` times the refresh of another checkout (e.g. main)
in the same turns, for a before/after measured in one run. Compiled bytecode is kept (under
bench/out/pycache when the environment forbids writing it beside the source), as an
installed package has it: recompiling ~100 modules on every run is not what an officer pays.

The default sizes are 100 / 10,000, 1,000 / 100,000 and 10,000 / 100,000
(about 5 minutes on 2 cores at ``--repeat 3``); ``--big`` adds 1,000 indicators
/ 1,000,000 Data rows, whose making and openpyxl baseline alone take minutes.
Each size prints its ratio to openpyxl, its peak memory and how long its bench took.
A refresh that is refused or fails is reported in one line and counts as over target.

Targets (issue 20): 10,000 / 100,000 <= 0.3x openpyxl and under 500 MB;
100 / 10,000 <= 0.8x; 1,000 / 1,000,000 refreshes in <= 0.15x and under 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from big_report import make_big_report  # noqa: E402

TARGETS = {(100, 10_000): (0.8, None), (10_000, 100_000): (0.3, 500), (1_000, 1_000_000): (0.15, 1500)}
SIZES = "100x10000,1000x100000,10000x100000"
BIG = "1000x1000000"
# A compared checkout (--also) may predate the app layer (0.3.0 kept refresh_report in workbook/).
REFRESH = "import sys; from pathlib import Path\ntry:\n    from kpi_excel.app.report_files import refresh_report\n" \
          "except ImportError:\n    from kpi_excel.workbook.report_file import refresh_report\n" \
          "refresh_report(Path(sys.argv[1]))"
# The command as installed: its own process, click's exit status (0, or 1 with one line on a refusal).
COMMAND = "import sys\nfrom kpi_excel.cli import main\nmain(['refresh', sys.argv[1]], prog_name='kpi-excel')"

PYCACHE = HERE / "out" / "pycache"
OPENPYXL = "import sys, warnings; warnings.simplefilter(\"ignore\"); from openpyxl import load_workbook; load_workbook(sys.argv[1]).save(sys.argv[2])"


class Failed(Exception):
    """A run that ended in an error: its last line of stderr (a refusal says why in one)."""


def run(code: str, *arguments: str, checkout: Path = ROOT) -> tuple[float, float]:
    """CPU seconds (user + system) and peak MB of one fresh interpreter running ``code``."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    if env.pop("PYTHONDONTWRITEBYTECODE", None):  # an installed package has its .pyc files: let the first
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)  # (untimed) refresh write them, outside the source tree
    process = subprocess.Popen([sys.executable, "-c", code, *arguments], cwd=checkout, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    assert process.stderr is not None
    lines = process.stderr.read().decode(errors="replace").strip().splitlines()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise Failed(lines[-1] if lines else f"exit status {process.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(indicators: int, rows: int, repeat: int, folder: Path, others: list[Path]) -> bool:
    started = time.monotonic()
    try:
        return _measure(indicators, rows, repeat, folder, others)
    except Failed as failure:
        print(f"{indicators:,} indicators / {rows:,} Data rows: refresh failed: {failure}")
        return False
    finally:
        print(f"  bench took {time.monotonic() - started:.0f} s (making the book and the first refresh included)",
              flush=True)


def _measure(indicators: int, rows: int, repeat: int, folder: Path, others: list[Path]) -> bool:
    master = make_big_report(folder / f"master_{indicators}_{rows}.xlsx", indicators, rows)
    refreshed = folder / f"refreshed_{indicators}_{rows}.xlsx"
    shutil.copyfile(master, refreshed)
    run(REFRESH, str(refreshed))  # the first refresh: what follows is the repeat one
    work = folder / "work.xlsx"
    sides = {"openpyxl": [], "refresh": [], "refresh_report (library)": []}  # type: dict[str, list[tuple[float, float]]]
    sides.update({f"refresh ({other})": [] for other in others})
    load_before = os.getloadavg()[0]
    failed: dict[str, str] = {}  # another checkout that failed (changed under the bench?): left out
    for _ in range(repeat):
        sides["openpyxl"].append(run(OPENPYXL, str(refreshed), str(folder / "openpyxl.xlsx")))
        for name, checkout in [("refresh", ROOT), ("refresh_report (library)", ROOT),
                               *((f"refresh ({o})", o) for o in others)]:
            if name in failed:
                continue
            shutil.copyfile(refreshed, work)
            try:
                sides[name].append(run(REFRESH if name.startswith("refresh_report") else COMMAND, str(work),
                                       checkout=checkout))
            except Failed as failure:
                if checkout == ROOT:
                    raise
                failed[name] = str(failure)
                del sides[name]
    load_after = os.getloadavg()[0]
    size = refreshed.stat().st_size / 1e6
    print(f"{indicators:,} indicators / {rows:,} Data rows ({size:.1f} MB), repeat refresh, "
          f"CPU s median of {repeat}, peak MB:")
    bases = [t for t, _ in sides["openpyxl"]]
    ok = True
    for name, runs in sides.items():
        times = [t for t, _ in runs]
        peak = max(p for _, p in runs)
        line = f"  {name:<28} {statistics.median(times):7.2f} s  peak {peak:6.0f} MB"
        if name != "openpyxl":
            ratio = statistics.median(t / b for t, b in zip(times, bases))
            line += f"  ratio {ratio:.2f}x openpyxl ({', '.join(f'{t / b:.2f}' for t, b in zip(times, bases))})"
            target, memory = TARGETS.get((indicators, rows), (None, None))
            if name == "refresh" and target is not None:
                line += f"  target <= {target}x" + (f", < {memory} MB" if memory else "")
                ok = ok and ratio <= target and (memory is None or peak < memory)
        print(line)
    for name, failure in failed.items():
        print(f"  {name:<28} failed: {failure}")
    print(f"  load average: {load_before:.2f} before, {load_after:.2f} after ({os.cpu_count()} cores)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=SIZES, help="indicators x Data rows, comma-separated")
    parser.add_argument("--big", action="store_true", help=f"also {BIG} (slow: minutes)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="another checkout whose refresh is timed in the same turns")
    args = parser.parse_args()
    chosen = args.sizes + ("," + BIG if args.big else "")
    sizes = [tuple(int(n) for n in size.split("x")) for size in chosen.split(",")]
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        for indicators, rows in sizes:
            ok = measure(indicators, rows, args.repeat, Path(folder), [p.resolve() for p in args.also]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
