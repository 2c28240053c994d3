"""Rebuild ``lait_reference.csv.gz`` with R: parquet → CSV, run lait_reference.R, gzip.

    python tests/lait_reference/make_reference.py [DATA_DIR]

DATA_DIR defaults to ``tests/fixtures/lait``. Needs ``Rscript`` (Debian's
r-base-core). The gzip has no timestamp, so the same R output gives the same bytes.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "lait_reference.csv.gz"


def default_data() -> Path:
    """The LAIT data the tests use, ``tests/fixtures/lait``."""
    return HERE.parent / "fixtures" / "lait"


def bds_as_csv(data: Path, out: Path) -> Path:
    """LAIT's parquet as a CSV of text columns (what R reads)."""
    frame = pd.read_parquet(data / "bds_long_0.parquet")
    frame.to_csv(out, index=False, lineterminator="\n")
    return out


def run_r(data: Path, workdir: Path) -> tuple[Path, str]:
    """Run the R script; returns the plain CSV it wrote and its summary line."""
    bds = bds_as_csv(data, workdir / "bds_long.csv")
    out = workdir / "lait_reference.csv"
    done = subprocess.run(
        ["Rscript", "--vanilla", str(HERE / "lait_reference.R"), str(bds), str(data / "lait_data_dictionary.csv"),
         str(out)], check=True, capture_output=True, text=True,
    )
    return out, done.stdout.strip()


def main(argv: list[str]) -> int:
    data = Path(argv[1]) if len(argv) > 1 else default_data()
    if shutil.which("Rscript") is None:
        print("Rscript not found: apt-get install -y r-base-core", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        out, summary = run_r(data, Path(tmp))
        with out.open("rb") as source, gzip.GzipFile(REFERENCE, "wb", mtime=0, compresslevel=9) as target:
            shutil.copyfileobj(source, target)
    print(summary)
    print(f"wrote {REFERENCE} ({REFERENCE.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
