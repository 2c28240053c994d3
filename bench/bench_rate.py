"""Benchmark: `kpi-excel rate` on 100,000 rows against a bare pandas read + write.

Run: python bench/bench_rate.py [--rows N]

Both sides read and write the same CSV in this process, taking turns, --repeat
times each; the ratio (of the medians) is what rating costs on top of merely
moving the table through pandas. The machine's load average is printed beside
it: on a shared machine, a busy neighbour slows both sides alike. Target: <= 3x.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HEADER = ["Code", "Indicator", "Polarity", "Frequency", "Previous Period", "Previous Value", "Latest Period",
          "Latest Value", "Target", "National benchmark (quartile 1 = top)", "Comment"]
POLARITIES = ["High = Good", "Low = Good", "N/A", "(high is good)", "L", "T"]
FREQUENCIES = [("Quarter", "Q1 2022/23", "Q2 2022/23"), ("Term", "Spring 2022", "Summer 2022"),
               ("Annual", "2018/19", "2021/22"), ("YTD", "Q4 2020/21", "Q4 2021/22"), ("Monthly", "Feb-25", "Mar-25")]
TARGETS = [">97.2%", "<20.8%", "N/A", ">=90%", "85%", "90%-95%", "", "<3.0%"]
CODES = ["c", "x", "..", "N/A", "low"]


def make_rows(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        frequency, previous_period, latest_period = rng.choice(FREQUENCIES)
        previous = rng.uniform(0, 100)
        latest = previous + rng.uniform(-5, 5)
        as_text = (lambda v: f"{v:.1f}%") if rng.random() < 0.7 else (lambda v: f"{v * 40:,.0f}")
        latest_text = rng.choice(CODES) if rng.random() < 0.03 else as_text(latest)
        rows.append([f"KPI{i:06d}", f"Indicator {i}", rng.choice(POLARITIES), frequency, previous_period,
                     as_text(previous), latest_period, latest_text, rng.choice(TARGETS),
                     rng.choice(["1", "2", "3", "4", "N/A", "B"]), rng.choice(["", "On track", "See note"])])
    return rows


def timed(action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from kpi_excel.core.assess import RateOptions
    from kpi_excel.core.rate_table import rate_table
    from kpi_excel.sources.table_files import read_table, write_table

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "kpis.csv"
        pd.DataFrame(make_rows(args.rows), columns=HEADER).to_csv(source, index=False)

        def baseline() -> None:
            pd.read_csv(source, dtype=str, keep_default_na=False).to_csv(Path(folder) / "plain.csv", index=False)

        def rate() -> None:
            frame, formats = read_table(source)
            rated = rate_table(frame, formats, RateOptions())
            write_table(rated.frame, Path(folder) / "rated.csv")

        load_before = os.getloadavg()[0]
        bases, ours = [], []
        for _ in range(args.repeat):  # alternate, so both sides see the same load
            bases.append(timed(baseline))
            ours.append(timed(rate))
        load_after = os.getloadavg()[0]
    base, own = statistics.median(bases), statistics.median(ours)
    print(f"rows: {args.rows:,}")
    print(f"pandas read+write: {base:.2f} s (median of {args.repeat}; best {min(bases):.2f} s)")
    print(f"kpi-excel rate:    {own:.2f} s (median of {args.repeat}; best {min(ours):.2f} s)")
    print(f"load average: {load_before:.2f} before, {load_after:.2f} after ({os.cpu_count()} cores)")
    ratio = own / base
    print(f"ratio: {ratio:.1f}x (best against best: {min(ours) / min(bases):.1f}x; target <= 3x)")
    return 0 if ratio <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
