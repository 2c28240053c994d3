"""Benchmark: a repeat refresh from 100 indicators to 10,000, against openpyxl, with peak memory.

Run: python bench/bench_scale.py [--sizes 100x10000,10000x100000] [--repeat 3] [--also DIR]

For each size (indicators x Data rows) the report is built with
``big_report.py`` and refreshed once, so what is timed is the refresh an
officer runs every quarter (computed columns, KPI history and Log already
there). Each run is a fresh process, start-up included, as a click on the
ribbon or a ``kpi-excel refresh`` is; its CPU time (user + system) and peak
resident memory come from the kernel. The baseline, a bare openpyxl
``load_workbook`` + ``save`` of the same file, runs in turn with it, ``--repeat``
times, so a busy neighbour slows both alike; the ratio is the median of the
runs' ratios. ``--also DIR`` times the refresh of another checkout (e.g. main)
in the same turns, for a before/after measured in one run.

Targets (issue 20): 10,000 / 100,000 <= 0.3x openpyxl and under 500 MB;
100 / 10,000 <= 0.8x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from big_report import make_big_report  # noqa: E402

TARGETS = {(100, 10_000): (0.8, None), (10_000, 100_000): (0.3, 500)}
REFRESH = "import sys; from pathlib import Path; from kpi_excel.app.report_files import refresh_report; " \
          "refresh_report(Path(sys.argv[1]))"
OPENPYXL = "import sys, warnings; warnings.simplefilter(\"ignore\"); from openpyxl import load_workbook; load_workbook(sys.argv[1]).save(sys.argv[2])"


def run(code: str, *arguments: str, checkout: Path = ROOT) -> tuple[float, float]:
    """CPU seconds (user + system) and peak MB of one fresh interpreter running ``code``."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    process = subprocess.Popen([sys.executable, "-c", code, *arguments], cwd=checkout, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {code} {arguments}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(indicators: int, rows: int, repeat: int, folder: Path, others: list[Path]) -> bool:
    master = make_big_report(folder / f"master_{indicators}.xlsx", indicators, rows)
    refreshed = folder / f"refreshed_{indicators}.xlsx"
    shutil.copyfile(master, refreshed)
    run(REFRESH, str(refreshed))  # the first refresh: what follows is the repeat one
    work = folder / "work.xlsx"
    sides = {"openpyxl": [], "refresh": []}  # type: dict[str, list[tuple[float, float]]]
    sides.update({f"refresh ({other})": [] for other in others})
    load_before = os.getloadavg()[0]
    for _ in range(repeat):
        sides["openpyxl"].append(run(OPENPYXL, str(refreshed), str(folder / "openpyxl.xlsx")))
        for name, checkout in [("refresh", ROOT), *((f"refresh ({o})", o) for o in others)]:
            shutil.copyfile(refreshed, work)
            sides[name].append(run(REFRESH, str(work), checkout=checkout))
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
    print(f"  load average: {load_before:.2f} before, {load_after:.2f} after ({os.cpu_count()} cores)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100x10000,10000x100000",
                        help="indicators x Data rows, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="another checkout whose refresh is timed in the same turns")
    args = parser.parse_args()
    sizes = [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        for indicators, rows in sizes:
            ok = measure(indicators, rows, args.repeat, Path(folder), [p.resolve() for p in args.also]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
