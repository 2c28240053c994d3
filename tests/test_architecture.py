"""The shape of the code: a pure core, documented commands."""

from __future__ import annotations

import ast
from pathlib import Path

import click

from kpi_excel.cli import main

PACKAGE = Path(__file__).resolve().parents[1] / "kpi_excel"
DOOR_LIBRARIES = {"openpyxl", "xlwings", "xlwings_server", "fastapi", "excelize", "lxml", "click", "rich",
                  "sqlalchemy", "uvicorn"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_door_library() -> None:
    offenders = {}
    for path in (PACKAGE / "core").rglob("*.py"):
        bad = _imports(path) & DOOR_LIBRARIES
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


# The OOXML library's leaves the core may use: plain Python, no lxml, nothing that edits a package.
OOXML_LEAVES = ("kpi_excel.ooxml.a1", "kpi_excel.ooxml.brackets", "kpi_excel.ooxml.cell_content")


def test_core_imports_only_core_errors_and_ooxml_leaves_from_the_package() -> None:
    for path in (PACKAGE / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kpi_excel"):
                assert node.module.startswith(("kpi_excel.core", "kpi_excel.errors", *OOXML_LEAVES)), \
                    (path.name, node.module)


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


def test_every_command_has_help_text() -> None:
    for name, command in _commands(main):
        assert (command.help or "").strip(), name
        for parameter in command.params:
            if isinstance(parameter, click.Option) and not parameter.hidden and parameter.name != "help":
                assert (parameter.help or "").strip(), f"{name} --{parameter.name}"


def test_every_command_appears_in_the_readme() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    for name, _ in _commands(main):
        assert f"kpi-excel {name}" in readme, name


def test_public_modules_declare_all() -> None:
    for path in PACKAGE.rglob("*.py"):
        if path.name.startswith("_") or "data" in path.parts:
            continue
        assert "__all__" in path.read_text(encoding="utf-8"), path.relative_to(PACKAGE)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```bash")[1:]]
    demo_command, test_command = blocks[0], blocks[1]
    assert "kpi-excel demo" in demo_command and "pytest" in test_command
    ci = (PACKAGE.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(name: str, path: Path, node: ast.ImportFrom) -> str | None:
    """The module a ``from ... import`` names, relative imports made absolute."""
    if node.level == 0:
        return node.module
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _package_import_graph() -> dict[str, set[str]]:
    """Every kpi_excel module and the kpi_excel modules it imports, at any depth
    (an import inside a function still ties the two modules together)."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "project" not in p.parts}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = _absolute(name, path, node)
                if module:
                    names = [f"{module}.{alias.name}" for alias in node.names]
                    # ``from pkg import submodule`` needs the submodule; a name defined in
                    # pkg/__init__ (a function, __version__) needs the __init__ itself.
                    targets = names + ([module] if any(n not in modules for n in names) else [])
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                # An import of a name from one's own parent package (``from kpi_excel import
                # __version__``) runs that package's __init__ and counts: it is how a package
                # __init__ that imports its modules closes a loop. Only the bare parent, reached
                # by trimming ``kpi_excel.x.y`` to a module that does not exist, is not an edge.
                if target and target != name and target.startswith("kpi_excel"):
                    graph[name].add(target)
    return graph


def test_no_import_cycles() -> None:
    graph = _package_import_graph()
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == [], "\n".join(" -> ".join(c) for c in cycles)


def _layer(module: str) -> int:
    """Doors on top (the package's face, the command, the add-ins), the application
    layer under them, and everything else (core, sources, workbook readers and
    writers, errors) below."""
    if module in ("kpi_excel", "kpi_excel.cli") or module.startswith("kpi_excel.addin"):
        return 2
    if module.startswith("kpi_excel.app"):
        return 1
    return 0


def test_imports_point_down_from_doors_to_app_to_the_rest() -> None:
    """The doors call the application layer; nothing below it calls up, counting
    imports inside functions."""
    graph = _package_import_graph()
    assert "kpi_excel.app.report_files" in graph["kpi_excel.cli"]  # the graph sees imports inside functions
    upward = sorted(f"{module} -> {target}" for module, targets in graph.items() for target in targets
                    if _layer(target) > _layer(module))
    assert upward == [], "\n".join(upward)


def _in_ooxml(module: str) -> bool:
    return module == "kpi_excel.ooxml" or module.startswith("kpi_excel.ooxml.")


def test_the_ooxml_library_imports_nothing_else_of_kpi_excel() -> None:
    """kpi_excel/ooxml is a library on its own, as python-docx's docx/opc (package, parts, rels)
    knows nothing of Word: counting imports inside functions, it reaches nothing outside itself."""
    graph = _package_import_graph()
    library = sorted(module for module in graph if _in_ooxml(module))
    assert {"kpi_excel.ooxml.xlsx_package", "kpi_excel.ooxml.atomic", "kpi_excel.ooxml.errors"} <= set(library)
    outside = sorted(f"{module} -> {target}" for module in library for target in graph[module]
                     if not _in_ooxml(target))
    assert outside == [], "\n".join(outside)


# The library's leaves raise nothing an officer could meet (errors.py is the hierarchy itself).
LIBRARY_LEAVES = {"kpi_excel.ooxml.a1", "kpi_excel.ooxml.brackets", "kpi_excel.ooxml.cell_content",
                  "kpi_excel.ooxml.errors"}
# Callers that need no translation, and why.
NO_LIBRARY_ERROR_REACHES = {
    "kpi_excel.addin.server.sheet_sizes": "only words a refusal with the library's too_many_cells text",
}


def test_every_caller_of_the_ooxml_library_turns_its_errors_into_ours() -> None:
    """A library error becomes an officer's error where kpi_excel calls the library
    (kpi_excel.errors.officer_errors, or sources/xlsx.py's own UnreadableFileError), so
    every ``except InputError`` / ``except KpiExcelError`` above catches what it caught before."""
    graph = _package_import_graph()
    callers = sorted(module for module, targets in graph.items() if not _in_ooxml(module)
                     and any(_in_ooxml(t) and t not in LIBRARY_LEAVES for t in targets))
    assert "kpi_excel.workbook.file_door" in callers and "kpi_excel.app.report_files" in callers
    silent = []
    for module in callers:
        if module in NO_LIBRARY_ERROR_REACHES:
            continue
        path = PACKAGE.parent.joinpath(*module.split(".")).with_suffix(".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        text = path.read_text(encoding="utf-8")
        if "officer_errors()" not in text and "except PackageError" not in text:
            silent.append(module)
    assert silent == [], f"call the library inside kpi_excel.errors.officer_errors(): {silent}"
