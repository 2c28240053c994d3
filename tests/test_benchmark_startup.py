"""`kpi-excel benchmark` loads what it uses: no rating engine, no workbook editor (issue 20).

The command reads LAIT's data and two neighbour workbooks and writes a CSV; the rating
engine (``kpi_excel.core.engine``'s rules) and the OOXML editor modules were ~55 ms of
its startup. Which modules load is behaviour, checked here; how long the command takes
is bench/bench_benchmark.py's to measure.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_cli_startup import _modules_after

LAIT = Path(__file__).resolve().parent / "fixtures" / "lait"
# The OOXML modules that edit a workbook; reading one needs none of them.
OOXML_EDITORS = ("xlsx_package", "cells", "charts", "condformat", "validation", "sheets", "tables",
                 "sparklines", "drawings", "managed", "sheet_rows", "_exports")


def test_benchmark_with_neighbour_workbooks_loads_no_engine_rules_nor_ooxml_editors(tmp_path: Path) -> None:
    output = tmp_path / "all.csv"
    _, loaded = _modules_after(
        "benchmark", str(LAIT / "bds_long_0.parquet"), "--dictionary", str(LAIT / "lait_data_dictionary.csv"),
        "--all-areas", "--latest", "--neighbours", str(LAIT / "sn_may_2025.xlsx"),
        "--neighbours", str(LAIT / "sn_april_2021.xlsx"), "-o", str(output))
    assert ',"2025-05",' in output.read_text(encoding="utf-8-sig")  # the neighbour workbooks were read
    engine = {m for m in loaded if m.startswith("kpi_excel.core.engine.")}
    assert engine == {"kpi_excel.core.engine.cells"}  # the observation readers' one leaf
    assert {m for m in loaded if m.startswith("kpi_excel.core.")} & {"kpi_excel.core.rag", "kpi_excel.core.report"} \
        == set()
    assert "kpi_excel.ooxml.workbook_reader" in loaded
    assert {m for m in loaded if m.rpartition(".")[2] in OOXML_EDITORS and m.startswith("kpi_excel.ooxml.")} == set()
