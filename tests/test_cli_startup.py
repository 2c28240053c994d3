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
