"""The core imports no door library, and the benchmark command starts without them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOORS = ("openpyxl", "xlwings", "xlwings_server", "fastapi", "rich", "click", "sqlalchemy", "psycopg")


def _imported_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_core_imports_no_door_library() -> None:
    modules = sorted(p.stem for p in (ROOT / "kpi_excel" / "core").glob("*.py") if p.stem != "__init__")
    loaded = _imported_after("\n".join(f"import kpi_excel.core.{m}" for m in modules))
    assert "kpi_excel.core.benchmark" in loaded and "kpi_excel.core.observations" in loaded
    assert not {m for m in loaded if m.split(".")[0] in DOORS}


def test_benchmark_command_leaves_openpyxl_and_rich_alone() -> None:
    loaded = _imported_after("import kpi_excel.cli, kpi_excel.app.benchmark_table, kpi_excel.sources.lait_files")
    assert "openpyxl" not in loaded and "rich" not in loaded and "xlwings" not in loaded
