"""Benchmark: `kpi-excel refresh` of 2,000 indicators with 80,000 history rows.

Run: python bench/bench_refresh.py [--indicators N] [--rows N] [--repeat N]

Prints the refresh time as a ratio to a bare openpyxl load + save of the same
file, measured in the same run (best of --repeat each). Target: <= 1.0x - a
refresh should cost no more than merely opening and saving the workbook.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from big_report import make_big_report  # noqa: E402


def best(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--indicators", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from openpyxl import load_workbook

    from kpi_excel.workbook.report_file import refresh_report

    with tempfile.TemporaryDirectory() as folder:
        master = make_big_report(Path(folder) / "master.xlsx", args.indicators, args.rows)
        work = Path(folder) / "report.xlsx"

        def baseline() -> None:
            load_workbook(master).save(Path(folder) / "openpyxl.xlsx")

        def refresh() -> None:
            shutil.copyfile(master, work)
            refresh_report(work)

        copy_only = best(lambda: shutil.copyfile(master, work), args.repeat)
        base = best(baseline, args.repeat)
        ours = best(refresh, args.repeat) - copy_only
        summary, _ = refresh_report(work)
        size = master.stat().st_size / 1e6
    print(f"workbook: {args.indicators:,} indicators, {args.rows:,} history rows ({size:.1f} MB)")
    print(f"openpyxl load+save: {base:.2f} s")
    print(f"kpi-excel refresh:  {ours:.2f} s ({summary.lines()[0]})")
    ratio = ours / base
    print(f"ratio: {ratio:.2f}x (target <= 1.0x)")
    return 0 if ratio <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
