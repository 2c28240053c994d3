"""Check that the built wheel and sdist carry everything kpi-excel runs on.

    python scripts/check_wheel.py dist/     # the folder ``python -m build`` wrote

* The wheel must hold every file of the ``kpi_excel`` package (and of the one-module
  ``kpi_excel_pack`` that the desktop paper add-in imports) in the source
  tree: the modules, the bundled data (the example report's indicators and
  history, the LAIT extract, statistical neighbours, LA codes), and the web
  add-in's server project (templates, scripts, icons). It must hold nothing
  else but its ``.dist-info`` (no tests, caches or temporary files).
* The sdist must hold the same package files plus what building needs.
* The wheel's metadata must give the source's version and the extras
  ``server``, ``sql``, ``all`` and ``test``, and the entry point ``kpi-excel``.

The workbook template is written by code (``kpi-excel new``) and the desktop
add-in is built from xlwings' own template (``kpi-excel addin build``), so .ci/run
checks those two by running the installed commands.

Prints one line per problem and exits 1 if there is any; only the standard library is used.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path, PurePosixPath

__all__ = ["PACKAGES", "NAMED", "EXTRAS", "package_files", "wheel_problems", "sdist_problems", "source_version", "main"]

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "kpi_excel"
# The desktop committee-paper add-in imports this top-level module by its own name (kpi_excel_pack.xlam).
PACKAGES = (PACKAGE, "kpi_excel_pack")
EXTRAS = ("server", "sql", "all", "test")
# Named so that an empty or wrongly computed file list cannot pass: what the doors load at run time.
NAMED = (
    "kpi_excel/data/example/indicators.csv",
    "kpi_excel/data/example/history.csv",
    "kpi_excel/data/benchmark/lait_extract.parquet",
    "kpi_excel/data/benchmark/lait_dictionary.csv",
    "kpi_excel/data/la_code_list.csv",
    "kpi_excel/addin/server/project/templates/manifest.xml",
    "kpi_excel/addin/server/project/templates/taskpane.html",
    "kpi_excel/addin/server/project/static/js/ribbon.js",
    "kpi_excel/addin/server/project/static/images/icons/kpi-32.png",
    "kpi_excel/core/template.py",
    "kpi_excel/addin/xlam.py",
    "kpi_excel_pack/__init__.py",
)


def _is_junk(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return "__pycache__" in parts or name.endswith((".pyc", ".tmp")) or PurePosixPath(name).name.startswith("~$")


def package_files(root: Path = ROOT) -> list[str]:
    """The package's files in the source tree (``git ls-files`` when it is a clone), as POSIX paths."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", *PACKAGES], capture_output=True,
                                check=True).stdout.decode("utf-8").split("\0")
        files = [name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        files = [p.relative_to(root).as_posix() for package in PACKAGES for p in (root / package).rglob("*")
                 if p.is_file()]
    return sorted(name for name in files if not _is_junk(name))


def source_version(root: Path = ROOT) -> str:
    """``kpi_excel.__version__`` read from the source (kpi_excel/version.py) without importing it."""
    tree = ast.parse((root / PACKAGE / "version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return str(ast.literal_eval(node.value))
    raise SystemExit("kpi_excel/version.py has no __version__")


def _metadata_problems(metadata: str, entry_points: str, version: str) -> list[str]:
    message = Parser().parsestr(metadata)
    problems = []
    if message.get("Version") != version:
        problems.append(f"wheel version {message.get('Version')} is not the source's {version}")
    provided = set(message.get_all("Provides-Extra") or [])
    problems += [f"wheel does not provide the extra '{extra}'" for extra in EXTRAS if extra not in provided]
    if "kpi-excel = kpi_excel.cli:main" not in entry_points:
        problems.append("wheel has no 'kpi-excel' command (console script kpi_excel.cli:main)")
    return problems


def wheel_problems(wheel: Path, root: Path = ROOT) -> list[str]:
    """What the wheel lacks or holds that it should not, one line each."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        dist_info = {n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")}
        problems = [f"wheel lacks {name}" for name in sorted(set(package_files(root)) | set(NAMED)) if name not in names]
        problems += [f"wheel holds {name}, which is not part of the package" for name in sorted(names)
                     if not (name.split("/", 1)[0] in PACKAGES or name.split("/", 1)[0] in dist_info) or _is_junk(name)]
        if len(dist_info) != 1:
            return problems + [f"wheel has {len(dist_info)} .dist-info folders"]
        info = dist_info.pop()
        metadata = archive.read(f"{info}/METADATA").decode("utf-8")
        entry_points = archive.read(f"{info}/entry_points.txt").decode("utf-8") if f"{info}/entry_points.txt" in names else ""
    return problems + _metadata_problems(metadata, entry_points, source_version(root))


SDIST_EXTRAS = {"pyproject.toml", "README.md", "MANIFEST.in", "PKG-INFO", "setup.cfg"}


def sdist_problems(sdist: Path, root: Path = ROOT) -> list[str]:
    """What the sdist lacks, or holds beyond the package, its build files and egg-info."""
    with tarfile.open(sdist) as archive:
        names = {PurePosixPath(*PurePosixPath(m.name).parts[1:]).as_posix() for m in archive.getmembers() if m.isfile()}
    package = set(package_files(root)) | set(NAMED)
    wanted = sorted(package | {"pyproject.toml", "README.md"})
    problems = [f"sdist lacks {name}" for name in wanted if name not in names]
    return problems + [f"sdist holds {name}, which is not part of the package" for name in sorted(names)
                       if name not in package and name not in SDIST_EXTRAS
                       and not name.startswith(f"{PACKAGE}.egg-info/")]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    dist = Path(argv[1])
    wheels, sdists = sorted(dist.glob("kpi_excel-*.whl")), sorted(dist.glob("kpi_excel-*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"expected one kpi_excel wheel and one sdist in {dist}, found {len(wheels)} and {len(sdists)}")
        return 1
    problems = wheel_problems(wheels[0]) + sdist_problems(sdists[0])
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{wheels[0].name}: {len(package_files())} package files, version {source_version()}, "
          f"extras {', '.join(EXTRAS)}; {sdists[0].name} complete")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
