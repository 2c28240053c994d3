"""Charts over a sheet kpi_excel has just written read its cells through spans of its rows held
apart (xlsx_package._row_spans: nearby ranges joined, one parse a span). What they cache must be
what reading the whole sheet gives, wherever the ranges fall: in one chunk or across chunks, near
one another or far apart, past the last row, on another written sheet, the sheet named in
another case."""

from __future__ import annotations

import datetime as dt
import random

import pytest

import kpi_excel.ooxml.sheet_rows as sheet_rows
import kpi_excel.ooxml.xlsx_package as xlsx_package
from kpi_excel.ooxml import CellRange, ChartSeries, ChartSpec, ErrorValue, TableSpec, XlsxPackage
from tests.ooxml.helpers import minimal_xlsx

VALUES = [None, "", " lead", "a\nb", "_x0041_", "&<>\"'", "é 中 \U0001F600", 0, -1, 7, 10**17, 10**19, 1.5, -0.0,
          1e-300, 1e20, True, False, ErrorValue("#N/A"), dt.date(2020, 1, 2), "007", "1e5"]


def _charts(seed: int, read_whole: bool, monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    rng = random.Random(seed)
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", rng.choice([3, 50, 2000]))
    monkeypatch.setattr(xlsx_package, "_SPAN_GAP", rng.choice([0, 5, 64]), raising=False)
    if read_whole:  # every range read from the whole sheet, as for a sheet not ours
        monkeypatch.setattr(xlsx_package.XlsxPackage, "_written_rows", lambda self, name: None)
    n_rows = rng.choice([20, 300])
    rows = [["Code", "Label", "Value"]] + [[f"K{r}", rng.choice(VALUES), rng.choice(VALUES)] for r in range(n_rows)]
    pkg = XlsxPackage.open(minimal_xlsx("<sheetData/>"))
    pkg.write_owned_sheet("Ours", rows, table=TableSpec("Ours"))
    pkg.write_owned_sheet("Other", [[rng.choice(VALUES) for _ in range(3)] for _ in range(40)])
    pkg.write_rows("Ours", (n_rows + 5, 1), [[rng.choice(VALUES) for _ in range(3)] for _ in range(10)])
    specs = []
    for k in range(8):
        series = []
        for _ in range(rng.randint(1, 3)):
            first = rng.randint(1, n_rows + 20)
            last = first + rng.randint(0, 12)
            col = rng.randint(1, 2)
            sheet = rng.choice([None, "Ours", "OURS", "Other"])
            series.append(ChartSeries("s", CellRange(first, col, last, col), CellRange(first, col + 1, last, col + 1),
                                      sheet=sheet, kind=rng.choice(["bar", "line"])))
        specs.append(ChartSpec(rng.choice(["column", "line", "scatter"]), f"Chart {k}", series))
    parts = pkg.add_charts("Ours", specs[:5]) + pkg.add_charts("Ours", specs[5:])
    return [pkg.opc.read(part) for part in parts]


@pytest.mark.parametrize("seed", range(12))
def test_charts_read_through_spans_cache_what_the_whole_sheet_holds(monkeypatch: pytest.MonkeyPatch,
                                                                    seed: int) -> None:
    through_spans = _charts(seed, False, monkeypatch)
    monkeypatch.undo()
    assert through_spans == _charts(seed, True, monkeypatch)
