"""Time the all-authority benchmark as a whole process against a process that
only loads LAIT's parquet with pandas, in the same run. Target: ratio <= 1.5 (issue 20).

    python bench/bench_benchmark.py [--data-dir DIR] [--repeat N]

Each process runs ``--repeat`` times (default 5), alternating, and the medians
are compared, so both see the same machine state. Output goes to bench/out/.
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


def default_data() -> Path:
    return ROOT / "tests" / "fixtures" / "lait"


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=default_data())
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--target", type=float, default=1.5)
    args = parser.parse_args(argv)
    data = args.data_dir
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if env.pop("PYTHONDONTWRITEBYTECODE", None):  # an installed package has its .pyc files: let the warm-up
        env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")  # write them (both sides), outside the source tree
    benchmark = [
        sys.executable, "-m", "kpi_excel.cli", "benchmark", str(data / "bds_long_0.parquet"),
        "--dictionary", str(data / "lait_data_dictionary.csv"), "--all-areas", "--latest",
        "--neighbours", str(data / "sn_may_2025.xlsx"), "--neighbours", str(data / "sn_april_2021.xlsx"),
        "-o", str(out / "benchmark_all.csv"),
    ]
    load_only = [sys.executable, "-c",
                 f"import pandas as pd; pd.read_parquet({str(data / 'bds_long_0.parquet')!r})"]
    timed(load_only, env), timed(benchmark, env)  # warm the file cache and .pyc files
    ours, theirs = [], []
    for _ in range(args.repeat):
        theirs.append(timed(load_only, env))
        ours.append(timed(benchmark, env))
    a, b = statistics.median(ours), statistics.median(theirs)
    ratio = a / b
    print(f"benchmark --all-areas --latest: {a:.3f} s (median of {args.repeat}; min {min(ours):.3f})")
    print(f"pandas read_parquet only:       {b:.3f} s (median of {args.repeat}; min {min(theirs):.3f})")
    print(f"ratio: {ratio:.2f}x (target <= {args.target:.1f}x) {'OK' if ratio <= args.target else 'OVER'}")
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    raise SystemExit(main())
