"""Memory follows the cells present: hostile and huge sheets through every reading door.

A 19 KB workbook with values in A1 and XFD1048576 spans 17 billion cells; it
used to end in MemoryError after 6 GB. It must now be read (refresh, rate,
``--data``) under a memory cap the old reader could not live within, and a
sheet beyond the documented limits must be refused in one line naming the
sheet and the limit, the workbook byte-identical. (Time and peak memory are
measured in bench/bench_sparse.py, not here.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kpi_excel.ooxml import SheetLimits, XlsxPackage
from tests.example_facts import EXAMPLE_INDICATORS
from tests.security.hostile import (
    add_cells,
    example_report,
    far_corner,
    full_sheet,
    refused_in_one_line,
)

ROOT = Path(__file__).resolve().parents[2]
CAP = 3 << 30  # address space for the whole command: the old dense reader needed twice this


def _capped(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command in its own process, its address space capped."""
    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))

    return subprocess.run([sys.executable, "-m", "kpi_excel.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, preexec_fn=cap, timeout=300)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_report(tmp_path_factory.mktemp("example") / "example.xlsx")


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Table"
    sheet.append(["Indicator", "Polarity", "Previous Value", "Latest Value", "Target"])
    sheet.append(["Re-referrals within 12 months", "Low = Good", "23.1%", "22.4%", "20%"])
    path = tmp_path_factory.mktemp("table") / "table.xlsx"
    book.save(path)
    return path


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_AS is POSIX-only")
@pytest.mark.parametrize("sheet", ["KPIs", "Data"])
def test_xlsx_far_corner_is_refreshed_in_little_memory(example: Path, tmp_path: Path, sheet: str) -> None:
    workbook = far_corner(example, sheet, tmp_path / "report.xlsx")
    # The example plus one far cell: the file grows by a few bytes, not by the rectangle it spans.
    assert workbook.stat().st_size < example.stat().st_size + 3_000
    result = _capped(["refresh", str(workbook)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Rated {EXAMPLE_INDICATORS} indicators" in result.stdout
    refreshed = XlsxPackage.open(workbook)
    assert refreshed.read_sheet(sheet).value(1_048_576, 16_384) == "x"  # the far cell is kept as it was
    assert refreshed.read_sheet("Log").last_row == 2


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_AS is POSIX-only")
def test_xlsx_far_corner_through_rate_and_data(example: Path, table: Path, tmp_path: Path) -> None:
    sparse_table = far_corner(table, "Table", tmp_path / "table.xlsx")
    result = _capped(["rate", str(sparse_table)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Re-referrals within 12 months" in result.stdout and ",Amber," not in result.stdout
    source = far_corner(example, "Data", tmp_path / "source.xlsx")
    target = tmp_path / "report.xlsx"
    target.write_bytes(example.read_bytes())
    result = _capped(["refresh", str(target), "--data", str(source)], tmp_path)
    assert result.returncode == 0, result.stderr


def test_xlsx_the_grid_costs_the_rows_not_the_rectangle(example: Path, tmp_path: Path) -> None:
    values = XlsxPackage.open(far_corner(example, "KPIs", tmp_path / "r.xlsx")).read_sheet("KPIs")
    assert values.n_rows * values.n_cols == 1_048_576 * 16_384  # the rectangle...
    grid = values.grid()
    assert len(grid.values) == 1_048_576
    assert sum(len(row) for row in grid.values) < 2_000 + 16_384  # ...but only the cells present are held
    assert len({id(row) for row in grid.values if not row}) == 1  # empty rows are one shared ()


@pytest.fixture(scope="module")
def full_data(example: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_sheet(example, "Data", tmp_path_factory.mktemp("full") / "full_data.xlsx")


def test_xlsx_a_full_1048576_row_data_sheet_is_refused_naming_sheet_and_limit(runner, full_data: Path,
                                                                               tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workbook = tmp_path / "report.xlsx"
    workbook.write_bytes(full_data.read_bytes())
    line = refused_in_one_line(runner, ["refresh", str(workbook)], workbook)
    assert "sheet 'Data'" in line and "3,145,728 cells" in line and "1,000,000" in line
    line = refused_in_one_line(runner, ["rate", str(full_data), "--sheet", "Data"], full_data)
    assert "sheet 'Data'" in line and "1,000,000" in line
    report = tmp_path / "other.xlsx"
    report.write_bytes(full_data.read_bytes())
    line = refused_in_one_line(runner, ["refresh", str(report), "-o", str(tmp_path / "out.xlsx"), "--data",
                             str(full_data)], report)
    assert "sheet 'Data'" in line and not (tmp_path / "out.xlsx").exists()


def test_xlsx_a_full_kpis_sheet_is_refused_by_its_own_limit(runner, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workbook = full_sheet(example, "KPIs", tmp_path / "report.xlsx", rows=200_000)
    line = refused_in_one_line(runner, ["refresh", str(workbook)], workbook)
    assert "sheet 'KPIs'" in line and "500,000" in line


def test_xlsx_cells_spread_over_a_huge_grid_arerefused_in_one_line(runner, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A value in column XFD of 700 rows: few cells, but rows 16,384 wide (11 million grid cells).
    rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2000, 2700))
    workbook = add_cells(example, "Data", rows, tmp_path / "report.xlsx")
    line = refused_in_one_line(runner, ["refresh", str(workbook)], workbook)
    assert "sheet 'Data'" in line and "10,000,000 grid cells" in line and "XFD2699" in line


def test_xlsx_the_part_size_limit_is_checked_before_inflating(example: Path, tmp_path: Path) -> None:
    from kpi_excel.ooxml.errors import UnsafePackageError

    workbook = full_sheet(example, "Data", tmp_path / "report.xlsx", rows=20_000)
    package = XlsxPackage.open(workbook)
    with pytest.raises(UnsafePackageError, match=r"sheet 'Data' is 2 MB of XML uncompressed, more than the 1 MB"):
        package.read_sheet("Data", limits=SheetLimits(max_part_bytes=1 << 20))
    assert "xl/worksheets/sheet2.xml" not in package.opc._orig  # never inflated


def test_xlsx_the_limits_are_documented() -> None:
    limits = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")  # linked from the README
    for figure in ("1,000,000 cells", "128 MB", "10,000,000", "500,000 cells", "64 MB", "1,048,576", "16,384"):
        assert figure in limits, figure
