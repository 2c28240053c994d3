"""Benchmark: the lossless package editor against a bare openpyxl load+save.

Builds (with XlsxWriter) a workbook with a "Data" sheet of 80,000 rows x 4
columns (Code, Period, Value, Note) and a "KPIs" sheet of 2,000 rows x 20
columns, then times:

  (a) openpyxl: load_workbook + save (the baseline a refresh must not exceed);
  (b) ours: open + read Data + read KPIs + write 8 columns x 2,000 cells into
      KPIs + add two sheets (one with a table, one with a chart) + atomic save.

Prints each time (best of ``--repeat`` runs) and the ratio (b)/(a). The
product's budget is a whole refresh <= 1.0x the baseline, so this part should
be a small fraction of it (target <= 0.3).

    python bench/bench_xlsx_package.py [--repeat 3] [--out bench/out]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl  # noqa: E402
import xlsxwriter  # noqa: E402

from kpi_excel.ooxml import (  # noqa: E402
    CellRange,
    ChartSeries,
    ChartSpec,
    SheetSettings,
    TableSpec,
    XlsxPackage,
)

DATA_ROWS = 80_000
KPI_ROWS = 2_000
KPI_COLS = 20


def build(path: Path) -> None:
    """The benchmark workbook (deterministic content)."""
    rnd = random.Random(42)
    wb = xlsxwriter.Workbook(str(path))
    pct = wb.add_format({"num_format": "0.0%"})
    kpis = wb.add_worksheet("KPIs")
    data = wb.add_worksheet("Data")
    data.write_row(0, 0, ["Code", "Period", "Value", "Note"])
    for r in range(1, DATA_ROWS + 1):
        data.write_string(r, 0, f"KPI{r % 400:03d}")
        data.write_string(r, 1, f"Q{r % 4 + 1} 20{r % 10 + 15}/{r % 10 + 16}")
        data.write_number(r, 2, rnd.random(), pct)
        data.write_string(r, 3, f"note {r % 50}" if r % 3 else "")
    kpis.write_row(0, 0, [f"Col {c}" for c in range(1, KPI_COLS + 1)])
    for r in range(1, KPI_ROWS + 1):
        for c in range(KPI_COLS):
            if c % 4 == 0:
                kpis.write_string(r, c, f"Indicator {r} / {c}")
            else:
                kpis.write_number(r, c, rnd.random() * 100)
    wb.close()


def openpyxl_round_trip(src: Path, dst: Path) -> None:
    """(a) the baseline."""
    wb = openpyxl.load_workbook(src)
    wb.save(dst)


def our_refresh(src: Path, dst: Path) -> dict[str, float]:
    """(b) our part of a refresh; returns the time of each step."""
    shutil.copyfile(src, dst)
    steps: dict[str, float] = {}
    t = time.perf_counter()
    pkg = XlsxPackage.open(dst)
    steps["open"] = time.perf_counter() - t

    t = time.perf_counter()
    data = pkg.read_sheet("Data")
    assert data.n_rows == DATA_ROWS + 1 and data.n_cols == 4
    steps["read Data"] = time.perf_counter() - t

    t = time.perf_counter()
    kpis = pkg.read_sheet("KPIs")
    assert kpis.n_rows == KPI_ROWS + 1
    steps["read KPIs"] = time.perf_counter() - t

    t = time.perf_counter()
    rag = ["Red", "Amber", "Green", "N/A"]
    columns = {}
    for j in range(8):
        col = KPI_COLS + 1 + j
        columns[col] = [f"Result {j}"] + [
            (rag[i % 4] if j % 2 else i * 0.5) for i in range(KPI_ROWS)
        ]
    report = pkg.write_columns("KPIs", 1, columns)
    assert report.cells_written == 8 * (KPI_ROWS + 1)
    steps["write 8x2000"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = [["Authority", "Value", "England"]] + [[f"LA {i}", i / 150, 0.5] for i in range(150)]
    pkg.write_owned_sheet("Benchmark table", rows, after="KPIs", table=TableSpec("Bench"),
                          settings=SheetSettings(freeze=(1, 0), column_widths={1: 24}))
    pkg.write_owned_sheet(
        "Benchmark chart", rows[:21], after="Benchmark table",
        charts=[ChartSpec("bar", "Value by authority",
                          [ChartSeries("Value", CellRange(2, 1, 21, 1), CellRange(2, 2, 21, 2)),
                           ChartSeries("England", CellRange(2, 1, 21, 1), CellRange(2, 3, 21, 3), kind="line")],
                          alt_text="Bar chart of value by authority")],
    )
    steps["2 sheets + chart"] = time.perf_counter() - t

    t = time.perf_counter()
    pkg.save()
    steps["atomic save"] = time.perf_counter() - t
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    src = args.out / "bench_source.xlsx"
    t = time.perf_counter()
    build(src)
    print(f"built {src.name} ({src.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")

    baseline = []
    for i in range(args.repeat):
        t = time.perf_counter()
        openpyxl_round_trip(src, args.out / "openpyxl_out.xlsx")
        baseline.append(time.perf_counter() - t)
        print(f"  (a) openpyxl load+save run {i + 1}: {baseline[-1]:.2f} s")

    ours = []
    best_steps: dict[str, float] = {}
    for i in range(args.repeat):
        t = time.perf_counter()
        steps = our_refresh(src, args.out / "ours_out.xlsx")
        ours.append(time.perf_counter() - t)
        if ours[-1] == min(ours):
            best_steps = steps
        print(f"  (b) ours run {i + 1}: {ours[-1]:.2f} s")

    a, b = min(baseline), min(ours)
    print("\nbest of each:")
    print(f"  (a) openpyxl load+save      {a:7.2f} s")
    print(f"  (b) open/read/write/save    {b:7.2f} s")
    for name, seconds in best_steps.items():
        print(f"        {name:<22}{seconds:7.3f} s")
    print(f"  ratio (b)/(a)               {b / a:7.3f}   (target <= 0.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
