"""kpi-excel as a package: one version, extras that say what they are for, and a plain
install on which every command runs or says in one line which extra to add.

The installed-wheel side (build, install without -e, run each door from outside the
repository) is in .ci/run; scripts/check_wheel.py, tested here, checks the wheel's contents.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import kpi_excel
from kpi_excel.cli import main
from kpi_excel.errors import MissingExtraError
from kpi_excel.extras import EXTRAS, missing, require

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kpi_excel"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
TEST_ONLY = {"oletools", "olefile", "pytest", "hypothesis", "httpx", "xlsxwriter"}
EXTRA_MODULES = {module for modules in EXTRAS.values() for module in modules.values()} | {"fastapi", "starlette"}
# Where an extra's module may be imported: behind require() or only reached through `serve`.
EXTRA_IMPORTERS = ("addin/server/", "sources/sql.py", "sources/spec.py", "addin/cli_commands.py")

sys.path.insert(0, str(ROOT / "scripts"))
import check_wheel  # noqa: E402

sys.path.pop(0)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _distribution(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower()


# ---- one version -------------------------------------------------------------------------------

def test_the_version_is_written_once() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "kpi_excel.version.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", kpi_excel.__version__)


def test_version_command_matches_the_installed_package() -> None:
    installed = importlib.metadata.version("kpi-excel")
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"kpi-excel, version {installed}"
    assert installed == kpi_excel.__version__ == check_wheel.source_version(ROOT)


# ---- dependencies and extras -------------------------------------------------------------------

def test_extras_are_server_sql_all_and_test() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert set(extras) == {"server", "sql", "all", "test"}
    assert extras["all"] == ["kpi-excel[server,sql]"]
    assert "kpi-excel[all]" in extras["test"]


def test_extras_module_knows_every_distribution_of_each_extra() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]
    for extra, modules in EXTRAS.items():
        assert sorted(map(_distribution, extras[extra])) == sorted(modules), extra


def test_test_only_packages_are_not_runtime_dependencies() -> None:
    runtime = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
    assert not runtime & TEST_ONLY


def test_runtime_code_imports_no_test_only_package() -> None:
    offenders = {p.relative_to(PACKAGE).as_posix(): _imports(p) & TEST_ONLY for p in PACKAGE.rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_extra_packages_are_imported_only_behind_their_check() -> None:
    """A new import of uvicorn or SQLAlchemy elsewhere would break a plain install."""
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).as_posix()
        found = _imports(path) & EXTRA_MODULES
        if found and not name.startswith(EXTRA_IMPORTERS):
            offenders[name] = found
    assert offenders == {}


def _without(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``modules`` unimportable, as on a machine without the extra."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    assert missing("server") == ()
    require("sql", "an sql: source")
    _without(monkeypatch, "uvicorn")
    assert missing("server") == ("uvicorn",)
    with pytest.raises(MissingExtraError) as raised:
        require("server", "kpi-excel serve")
    assert str(raised.value) == 'kpi-excel serve needs the server extra: pip install "kpi-excel[server]"'
    assert raised.value.missing == ("uvicorn",)


def test_serve_without_the_server_extra_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, "uvicorn", "xlwings_server", "dotenv")
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert result.output == 'Error: kpi-excel serve needs the server extra: pip install "kpi-excel[server]"\n'


def test_serve_with_a_package_of_the_server_extra_broken_is_one_line(tmp_path: Path) -> None:
    """xlwings-server installed but one of its own dependencies missing: still the extra, not a traceback."""
    code = ("import sys; sys.modules['fastapi'] = None; "
            "from kpi_excel.cli import main; main(['serve', '--port', '1'])")
    env = {"XLWINGS_LICENSE_KEY": "noncommercial", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == 'Error: kpi-excel serve needs the server extra: pip install "kpi-excel[server]"'


SQL_SOURCE = "sql:postgresql+psycopg://kpi@127.0.0.1:9/kpi#table=kpi_values"


def test_an_sql_source_without_the_sql_extra_is_one_line_and_the_workbook_is_untouched(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    report = tmp_path / "report.xlsx"
    assert CliRunner().invoke(main, ["new", str(report), "--example"]).exit_code == 0
    before = report.read_bytes()
    _without(monkeypatch, "sqlalchemy")
    result = CliRunner().invoke(main, ["refresh", str(report), "--data", SQL_SOURCE])
    assert result.exit_code == 1
    assert 'an sql: source needs the sql extra: pip install "kpi-excel[sql]"' in result.output
    assert len(result.output.strip().splitlines()) == 1 and "internal error" not in result.output
    assert report.read_bytes() == before


def test_a_missing_database_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi_excel.errors import UnreadableFileError
    from kpi_excel.sources.sql import read_sql

    _without(monkeypatch, "psycopg")
    with pytest.raises(UnreadableFileError, match=r'driver psycopg is not installed: pip install "kpi-excel\[sql\]"'):
        read_sql("postgresql+psycopg://kpi@127.0.0.1:9/kpi", table="kpi_values")
    _without(monkeypatch, "pyodbc")
    with pytest.raises(UnreadableFileError, match=r"driver pyodbc for mssql\+pyodbc://kpi:\*\*\*@db/kpi is not "
                                                  r"installed"):
        read_sql("mssql+pyodbc://kpi:secret@db/kpi", table="kpi_values")


# ---- what the wheel must carry (scripts/check_wheel.py, run on the real wheel by .ci/run) --------

def _fake_wheel(path: Path, files: list[str], *, version: str | None = None, extras: tuple[str, ...] = (),
                extra_files: tuple[str, ...] = ()) -> Path:
    version = version or kpi_excel.__version__
    info = f"kpi_excel-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: kpi-excel\nVersion: {version}\n" + "".join(
        f"Provides-Extra: {e}\n" for e in extras)
    with zipfile.ZipFile(path, "w") as archive:
        for name in [*files, *extra_files]:
            archive.writestr(name, b"x")
        archive.writestr(f"{info}/METADATA", metadata)
        archive.writestr(f"{info}/entry_points.txt", "[console_scripts]\nkpi-excel = kpi_excel.cli:main\n")
    return path


def test_package_files_include_the_data_templates_and_server_project() -> None:
    files = check_wheel.package_files(ROOT)
    assert set(check_wheel.NAMED) <= set(files)
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]


def test_a_complete_wheel_passes(tmp_path: Path) -> None:
    wheel = _fake_wheel(tmp_path / "ok.whl", check_wheel.package_files(ROOT), extras=check_wheel.EXTRAS)
    assert check_wheel.wheel_problems(wheel, ROOT) == []


def test_a_wheel_without_its_data_or_server_project_fails(tmp_path: Path) -> None:
    files = [f for f in check_wheel.package_files(ROOT)
             if not f.startswith(("kpi_excel/data/", "kpi_excel/addin/server/project/templates/", "kpi_excel_pack/"))]
    wheel = _fake_wheel(tmp_path / "bad.whl", files, extras=check_wheel.EXTRAS,
                        extra_files=("tests/conftest.py", "kpi_excel/__pycache__/cli.cpython-311.pyc"))
    problems = check_wheel.wheel_problems(wheel, ROOT)
    assert "wheel lacks kpi_excel/data/example/indicators.csv" in problems
    assert "wheel lacks kpi_excel/addin/server/project/templates/manifest.xml" in problems
    assert "wheel lacks kpi_excel_pack/__init__.py" in problems  # the desktop paper add-in imports it
    assert "wheel holds tests/conftest.py, which is not part of the package" in problems
    assert "wheel holds kpi_excel/__pycache__/cli.cpython-311.pyc, which is not part of the package" in problems


def test_a_wheel_with_another_version_or_no_extras_fails(tmp_path: Path) -> None:
    wheel = _fake_wheel(tmp_path / "old.whl", check_wheel.package_files(ROOT), version="0.0.1", extras=("sql",))
    problems = check_wheel.wheel_problems(wheel, ROOT)
    assert f"wheel version 0.0.1 is not the source's {kpi_excel.__version__}" in problems
    assert "wheel does not provide the extra 'server'" in problems and "wheel does not provide the extra 'all'" in problems


def test_an_sdist_without_the_package_data_fails(tmp_path: Path) -> None:
    sdist = tmp_path / f"kpi_excel-{kpi_excel.__version__}.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        for name in ("pyproject.toml", "README.md", "kpi_excel/__init__.py", "tests/test_seed.py"):
            archive.add(ROOT / name, arcname=f"kpi_excel-{kpi_excel.__version__}/{name}")
    problems = check_wheel.sdist_problems(sdist, ROOT)
    assert "sdist lacks kpi_excel/data/la_code_list.csv" in problems
    assert "sdist lacks pyproject.toml" not in problems and "sdist lacks kpi_excel/__init__.py" not in problems
    assert "sdist holds tests/test_seed.py, which is not part of the package" in problems


def test_error_text_in_square_brackets_is_printed_as_written(tmp_path: Path) -> None:
    """The one-line error is printed through rich: brackets in it are text, not style tags."""
    result = CliRunner().invoke(main, ["rate", str(tmp_path / "scores [v2].csv")])
    assert result.exit_code == 1 and "scores [v2].csv" in result.output
