"""Benchmark: hostile and huge sheets cost the cells present, not Excel's grid.

A 19 KB workbook with cells in A1 and XFD1048576 spans 17 billion cells; a
sheet using every one of Excel's 1,048,576 rows is ~100 MB of XML. Each case
runs the real command in its own process (time, and peak memory from the
kernel's rusage) against a baseline measured in the same run: refreshing the
unmodified 19 KB example report.

    python bench/bench_sparse.py

Targets: every sparse case under 200 MB peak and within 3x the baseline's
time; a Data sheet of 1,048,576 rows refreshed (exit 0) under 1,500 MB (issue
20: Excel's whole grid); a 1,048,576-row KPIs sheet or table to rate refused
in one line (exit 1) within 15 s and 500 MB. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.security.hostile import example_report, far_corner, full_sheet  # noqa: E402

SPARSE_PEAK_MB = 200
SPARSE_TIME_RATIO = 3.0
FULL_SECONDS, FULL_PEAK_MB = 15.0, 500
GRID_PEAK_MB = 1500


def run(args: list[str], cwd: Path) -> tuple[int, float, float, str]:
    """(exit status, seconds, peak MB, last line of stderr) of one command in a fresh process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-m", "kpi_excel.cli", *args], cwd=cwd,
                                 stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    return child.returncode, seconds, usage.ru_maxrss / 1024, lines[-1] if lines else ""


def rate_table(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Table"
    sheet.append(["Indicator", "Polarity", "Previous Value", "Latest Value", "Target"])
    sheet.append(["Re-referrals within 12 months", "Low = Good", "23.1%", "22.4%", "20%"])
    book.save(path)
    return path


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        example = example_report(work / "example.xlsx")
        files = {
            "sparse_kpis": far_corner(example, "KPIs", work / "sparse_kpis.xlsx"),
            "sparse_data": far_corner(example, "Data", work / "sparse_data.xlsx"),
            "sparse_table": far_corner(rate_table(work / "table.xlsx"), "Table", work / "sparse_table.xlsx"),
            "full_data": full_sheet(example, "Data", work / "full_data.xlsx"),
            "full_kpis": full_sheet(example, "KPIs", work / "full_kpis.xlsx"),
        }
        sizes = {name: path.stat().st_size for name, path in files.items()}
        print(f"sparse workbook {sizes['sparse_kpis'] / 1024:.0f} KB (cells in A1 and XFD1048576); "
              f"1,048,576-row workbook {sizes['full_data'] / 2**20:.0f} MB")

        def fresh(name: str) -> str:
            target = work / "run.xlsx"
            shutil.copyfile(files[name] if name in files else example, target)
            return str(target)

        cases = [
            ("baseline: refresh the 19 KB example", lambda: ["refresh", fresh("example")], "base"),
            ("refresh, KPIs has XFD1048576", lambda: ["refresh", fresh("sparse_kpis")], "sparse"),
            ("refresh, Data has XFD1048576", lambda: ["refresh", fresh("sparse_data")], "sparse"),
            ("refresh --data, source has XFD1048576",
             lambda: ["refresh", fresh("example"), "--data", str(files["sparse_data"])], "sparse"),
            ("rate, table has XFD1048576", lambda: ["rate", str(files["sparse_table"])], "sparse"),
            ("refresh, Data sheet of 1,048,576 rows", lambda: ["refresh", fresh("full_data")], "grid"),
            ("refresh, KPIs sheet of 1,048,576 rows", lambda: ["refresh", fresh("full_kpis")], "full"),
            ("rate, table of 1,048,576 rows", lambda: ["rate", str(files["full_data"]), "--sheet", "Data"], "full"),
        ]
        results = []
        for label, args, kind in cases:
            status, seconds, peak, last = run(args(), work)
            results.append((label, kind, status, seconds, peak, last))
    base = next(r for r in results if r[1] == "base")
    print(f"\n{'case':<40}{'exit':>5}{'time s':>9}{'x base':>8}{'peak MB':>9}{'x base':>8}")
    missed = []
    for label, kind, status, seconds, peak, last in results:
        print(f"{label:<40}{status:>5}{seconds:>9.2f}{seconds / base[3]:>8.2f}{peak:>9.0f}{peak / base[4]:>8.2f}")
        if kind == "sparse" and (status != 0 or peak > SPARSE_PEAK_MB or seconds > SPARSE_TIME_RATIO * base[3]):
            missed.append(f"{label}: exit {status}, {seconds:.1f} s, {peak:.0f} MB ({last})")
        if kind == "grid" and (status != 0 or peak > GRID_PEAK_MB):
            missed.append(f"{label}: exit {status}, {seconds:.1f} s, {peak:.0f} MB ({last})")
        if kind == "full":
            print(f"    {last}")
            if status != 1 or seconds > FULL_SECONDS or peak > FULL_PEAK_MB:
                missed.append(f"{label}: exit {status}, {seconds:.1f} s, {peak:.0f} MB")
    print(f"\ntargets: sparse cases exit 0, < {SPARSE_PEAK_MB} MB and < {SPARSE_TIME_RATIO:g}x the baseline's time; "
          f"a 1,048,576-row Data sheet refreshed (exit 0) in < {GRID_PEAK_MB} MB; other 1,048,576-row sheets "
          f"refused (exit 1) in < {FULL_SECONDS:g} s and < {FULL_PEAK_MB} MB")
    for line in missed:
        print(f"MISSED {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
