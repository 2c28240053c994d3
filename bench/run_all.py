"""Run every benchmark in bench/ and print each one's figures.

Run: python bench/run_all.py
Each benchmark measures its own baseline in the same run and prints a ratio.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_startup.py", "bench_refresh.py", "bench_scale.py", "bench_benchmark.py", "bench_rate.py",
              "bench_server.py", "bench_xlsx_package.py", "bench_sparse.py", "bench_pack.py", "bench_webclient.py"]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / name)], cwd=HERE.parent)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"over target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
