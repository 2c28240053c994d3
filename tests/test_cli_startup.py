"""`kpi-excel --version` and `--help` start without the heavy libraries (issue 20).

Every desktop click starts a process; pandas and the rating engine cost ~20x a
bare interpreter to import. Which modules load is behaviour, checked here; how
long it takes is measured by bench/bench_startup.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "pyarrow", "openpyxl", "xlwings", "rich", "lxml", "sqlalchemy")
MARK = "--modules--"


def _modules_after(*arguments: str) -> tuple[str, set[str]]:
    probe = ("import sys\nfrom kpi_excel.cli import main\n"
             f"try:\n    main({list(arguments)!r}, prog_name='kpi-excel')\nexcept SystemExit:\n    pass\n"
             f"print({MARK!r}, ' '.join(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    shown, _, modules = done.stdout.partition(MARK)
    return shown, set(modules.split())


@pytest.mark.parametrize("arguments", [("--version",), ("--help",), ("rate", "--help"), ("addin", "--help")])
def test_light_commands_import_no_heavy_library(arguments: tuple[str, ...]) -> None:
    shown, loaded = _modules_after(*arguments)
    assert shown.strip()
    assert {m for m in loaded if m.split(".")[0] in HEAVY} == set()
    assert not any(m.startswith("kpi_excel.core.engine") for m in loaded)


def test_version_says_the_version() -> None:
    from kpi_excel import __version__

    shown, _ = _modules_after("--version")
    assert shown.strip() == f"kpi-excel, version {__version__}"


def _blas_threads(admin: str | None) -> str:
    """OPENBLAS_NUM_THREADS when numpy loads in a process that ran ``kpi-excel --version``, the
    environment holding ``admin`` for it (or nothing)."""
    import os

    probe = ("from kpi_excel.cli import main\ntry:\n    main(['--version'], prog_name='kpi-excel')\n"
             "except SystemExit:\n    pass\nimport os, numpy\nprint(os.environ.get('OPENBLAS_NUM_THREADS'))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if admin is not None:
        env["OPENBLAS_NUM_THREADS"] = admin
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                          env=env)
    return done.stdout.strip().splitlines()[-1]


def test_the_command_runs_openblas_on_one_thread_unless_the_admin_says_otherwise() -> None:
    """Our commands make no BLAS calls; OpenBLAS' idle threads only cost CPU (bench_scale)."""
    assert _blas_threads(None) == "1"
    assert _blas_threads("3") == "3"  # an admin's own setting is kept

def test_kpi_excel_makes_no_floating_point_matrix_products() -> None:
    """What makes one BLAS thread enough: a float product (``@``, ``dot``, ``linalg``) would want them all."""
    import re

    calls = re.compile(r"np\.(dot|matmul|inner|einsum|linalg)\b|\.dot\(|\beinsum\(")
    found = [f"{path.relative_to(ROOT)}:{number}" for path in sorted((ROOT / "kpi_excel").rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if calls.search(line.split("#")[0])]
    assert found == []


def test_a_refresh_off_a_terminal_prints_plain_lines_without_importing_rich(tmp_path: Path) -> None:
    """A scheduled refresh (stdout a file, no spinner) has nothing for rich to draw: its import
    was a tenth of a small refresh. Plain lines are printed as given, emoji codes and all."""
    from kpi_excel.app.report_files import new_report

    workbook = tmp_path / "q:warning:2.xlsx"
    new_report(workbook, example=True)
    shown, loaded = _modules_after("refresh", str(workbook))
    assert not {m for m in loaded if m.split(".")[0] == "rich"}
    assert f"Saved {workbook}" in shown.splitlines()


def test_an_error_is_still_drawn_by_rich_and_its_text_kept(tmp_path: Path) -> None:
    missing = tmp_path / "[bold]gone:warning:.xlsx"
    done = subprocess.run([sys.executable, "-m", "kpi_excel.cli", "refresh", str(missing)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.startswith("kpi-excel: ") and "[bold]gone:warning:.xlsx" in done.stderr
