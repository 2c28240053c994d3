"""The web add-in's templates, scripts and icons must ship in the wheel."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "kpi_excel" / "addin" / "server" / "project"


def _declared() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["setuptools"]["package-data"]["kpi_excel"])


def test_every_project_file_is_package_data() -> None:
    files = [p.relative_to(ROOT / "kpi_excel").as_posix() for p in PROJECT.rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert files
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pattern) for pattern in _declared())]
    assert missing == []


def test_every_project_folder_with_python_is_a_package() -> None:
    for path in PROJECT.rglob("*.py"):
        folder = path.parent
        while folder != PROJECT.parent:
            assert (folder / "__init__.py").is_file(), folder
            folder = folder.parent
