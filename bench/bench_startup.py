"""Benchmark: how long `kpi-excel --version` and `kpi-excel --help` take to start.

Run: python bench/bench_startup.py [--repeat N]

Each command runs in a fresh interpreter, as the console script does (the same
two lines as the installed ``kpi-excel`` entry point, from this checkout), and
is timed against a bare ``python -c pass`` taking turns with it, so a busy
neighbour slows both alike. Prints each command's median and its ratio to the
bare interpreter's median, with the load average. Every desktop click starts
a process, so this is time an officer waits each time. Target (issue 20):
``--version`` <= 10x ``python -c pass``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 10.0
# What the installed console script runs; -c puts the checkout first on sys.path.
ENTRY = "import sys; from kpi_excel.cli import main; sys.argv[0] = 'kpi-excel'; sys.exit(main())"
COMMANDS = {"python -c pass": ["-c", "pass"],
            "kpi-excel --version": ["-c", ENTRY, "--version"],
            "kpi-excel --help": ["-c", ENTRY, "--help"]}


def timed_run(arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *arguments], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()

    for arguments in COMMANDS.values():  # warm the file cache and .pyc files
        timed_run(arguments)
    load_before = os.getloadavg()[0]
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):
        for name, arguments in COMMANDS.items():
            times[name].append(timed_run(arguments))
    load_after = os.getloadavg()[0]

    bare = statistics.median(times["python -c pass"])
    print(f"python -c pass:      median {bare * 1000:.0f} ms of {args.repeat}")
    ratios = {}
    for name in list(COMMANDS)[1:]:
        median = statistics.median(times[name])
        ratios[name] = median / bare
        print(f"{name + ':':<20} median {median * 1000:.0f} ms, {ratios[name]:.1f}x python -c pass")
    print(f"load average: {load_before:.2f} before, {load_after:.2f} after ({os.cpu_count()} cores)")
    print(f"target: kpi-excel --version <= {TARGET:.0f}x python -c pass")
    return 0 if ratios["kpi-excel --version"] <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
