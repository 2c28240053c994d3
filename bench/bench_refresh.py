"""Benchmark: `kpi-excel refresh` of 2,000 indicators with 80,000 history rows.

Run: python bench/bench_refresh.py [--indicators N] [--rows N] [--repeat N]

Prints the refresh time as a ratio to a bare openpyxl load + save of the same
file, measured in the same run: the two are timed in turn, --repeat times, so
a change of load on a shared machine falls on both; the ratio is given for the
best of each and as the median of the repeats' ratios, with the load average.
Target (issue 11): <= 0.5x - a refresh costs half of merely opening and saving
the workbook with openpyxl.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from big_report import make_big_report  # noqa: E402


TARGET = 0.5


def timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--indicators", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from openpyxl import load_workbook

    from kpi_excel.cycle_pause import cycle_collector_paused
    from kpi_excel.app.report_files import refresh_report

    with tempfile.TemporaryDirectory() as folder:
        master = make_big_report(Path(folder) / "master.xlsx", args.indicators, args.rows)
        work = Path(folder) / "report.xlsx"

        def baseline() -> None:
            load_workbook(master).save(Path(folder) / "openpyxl.xlsx")

        def refresh() -> None:
            shutil.copyfile(master, work)
            with cycle_collector_paused():  # as the refresh command runs it
                refresh_report(work)

        copy_only = min(timed(lambda: shutil.copyfile(master, work)) for _ in range(3))
        load_before = os.getloadavg()[0]
        bases, ours = [], []
        for _ in range(args.repeat):
            bases.append(timed(baseline))
            ours.append(timed(refresh) - copy_only)
        load_after = os.getloadavg()[0]
        summary, _ = refresh_report(work)
        size = master.stat().st_size / 1e6
    ratios = [o / b for o, b in zip(ours, bases)]
    print(f"workbook: {args.indicators:,} indicators, {args.rows:,} history rows ({size:.1f} MB)")
    print(f"openpyxl load+save: best {min(bases):.2f} s, median {statistics.median(bases):.2f} s")
    print(f"kpi-excel refresh:  best {min(ours):.2f} s, median {statistics.median(ours):.2f} s "
          f"({summary.lines()[0]})")
    print(f"load average: {load_before:.2f} before, {load_after:.2f} after ({os.cpu_count()} cores)")
    ratio = statistics.median(ratios)
    print(f"ratio: {ratio:.2f}x median of {args.repeat} ({', '.join(f'{r:.2f}' for r in ratios)}); "
          f"best/best {min(ours) / min(bases):.2f}x (target <= {TARGET}x)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
