"""The desktop button starts on a workbook that is only on SharePoint/OneDrive, and on a Mac (issue 15, item 6).

Before RunPython runs ``kpi_excel.main()``, the add-in's VBA starts Python with
``import xlwings.utils; xlwings.utils.prepare_sys_path("<args>")``. These tests
build ``<args>`` from the VBA's own expression (read with oletools out of
xlwings' template and out of our built add-in), take each setting from the
config file ``addin install`` writes (or from the VBA's default when there is
none), and call xlwings' own ``prepare_sys_path``: with xlwings' add-in the call
fails for an unsynced workbook exactly as officers saw; with ours it succeeds,
config file or not, and puts nothing from the workbook's address on ``sys.path``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings
import xlwings.utils
from oletools.olevba import VBA_Parser

from kpi_excel.addin.install import apply_plan, conf_format, plan_install, read_conf
from kpi_excel.addin.xlam import build_xlam, template_path

from .unsynced import ADDRESSES, PERSONAL, SITES, TEAMS, clean_xlwings  # noqa: F401 - clean_xlwings is a fixture

ROOT = Path(__file__).resolve().parents[2]

WIN_ADDIN = r"C:\Users\zoe\AppData\Roaming\Microsoft\Excel\XLSTART\kpi_excel.xlam"
MAC_ADDIN = ("/Users/zoe/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/"
             "Excel/kpi_excel.xlam")

# What xlwings 0.37.8 raises for each unsynced address when the workbook's folder is wanted.
DEFAULT_FAILS = [
    (SITES, UnboundLocalError, "root"),
    (TEAMS, xlwings.XlwingsError, "not recognized as valid OneDrive/SharePoint link"),
    (PERSONAL, xlwings.XlwingsError, "Couldn't find the local OneDrive for Business folder"),
]


def xlwings_module(xlam: Path) -> str:
    parser = VBA_Parser(str(xlam))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}["xlwings.bas"]
    finally:
        parser.close()


@pytest.fixture(scope="module")
def vba(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Our built add-in's ``xlwings`` VBA module, as Excel would run it."""
    return xlwings_module(build_xlam(tmp_path_factory.mktemp("xlam")))


@pytest.fixture(scope="module")
def xlwings_vba() -> str:
    """The same module in xlwings' ribbon add-in as shipped (what kpi_excel 0.2 installed)."""
    return xlwings_module(template_path())


def pythonpath_terms(vba: str, platform: str) -> list[str]:
    """The terms RunPython joins with ";" into prepare_sys_path's argument (``#If Mac`` or ``#Else``)."""
    body = re.search(r"Public Function RunPython\(.*?End Function", vba, re.S)
    assert body, "RunPython is missing from the add-in's VBA"
    lines = re.findall(r'^\s*PYTHONPATH = (AddExcelDir & .*)$', body.group(0), re.M)
    assert len(lines) == 2, lines  # one for Mac, one for Windows
    line = lines[0] if platform == "macos" else lines[1]
    return [term.strip() for term in line.split('& ";" &')]


def vba_setting(vba: str, key: str) -> str:
    """The default RunPython gives ``key`` when no config names it."""
    found = re.search(rf'AddExcelDir = GetConfig\("{key}", "(\w+)"\)', vba)
    assert found, key
    return found.group(1)


def prepare_args(vba: str, platform: str, active: str, this: str, conf: dict[str, str]) -> str:
    """prepare_sys_path's argument as RunPython builds it; GetConfig reads ``conf`` (the user config file)."""
    def get(key: str, default: str = "") -> str:
        return next((v for k, v in conf.items() if k.lower() == key.lower()), default)  # VBA compares LCase

    values = {"AddExcelDir": get("ADD_WORKBOOK_TO_PYTHONPATH", vba_setting(vba, "ADD_WORKBOOK_TO_PYTHONPATH")),
              "ActiveFullName": active, "ThisFullName": this}
    out = []
    for term in pythonpath_terms(vba, platform):
        config = re.fullmatch(r'GetConfig\("(\w+)"\)', term)
        out.append(get(config.group(1)) if config else values[term])
    return ";".join(out)


def installed_conf(tmp_path: Path, platform: str) -> dict[str, str]:
    """The settings ``kpi-excel addin install`` writes, read back from the file the VBA reads."""
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path), "HOME": str(tmp_path)}
    plan = plan_install(platform=platform, env=env, interpreter=str(tmp_path / "python"))
    apply_plan(plan)
    [conf] = [Path(step.target) for step in plan.steps if step.kind == "conf"]
    return dict(read_conf(conf.read_text(encoding=conf_format(platform)[0])))


@pytest.mark.parametrize(("url", "error", "message"), DEFAULT_FAILS, ids=["sites", "teams", "personal"])
def test_with_xlwings_default_an_unsynced_workbook_fails_before_kpi_excel_starts(
        xlwings_vba: str, clean_xlwings: list[str], url: str, error: type[Exception], message: str) -> None:
    args = prepare_args(xlwings_vba, "windows", url, WIN_ADDIN, conf={})
    assert args.startswith("true;")  # xlwings' default: put the workbook's folder on sys.path
    with pytest.raises(error, match=message):
        xlwings.utils.prepare_sys_path(args)


@pytest.mark.parametrize("platform", ["windows", "macos"])
@ADDRESSES
@pytest.mark.parametrize("with_conf", [True, False], ids=["installed-conf", "no-conf"])
def test_our_add_in_starts_on_every_unsynced_workbook(
        vba: str, xlwings_vba: str, clean_xlwings: list[str], tmp_path: Path, url: str, platform: str,
        with_conf: bool) -> None:
    """With the config addin install writes, and with none at all (a per-machine install, a new profile)."""
    conf = installed_conf(tmp_path, platform) if with_conf else {}
    assert conf.get("ADD_WORKBOOK_TO_PYTHONPATH", "false") == "false"
    addin = MAC_ADDIN if platform == "macos" else WIN_ADDIN
    xlwings.utils.prepare_sys_path(prepare_args(vba, platform, url, addin, conf))
    # Only the (empty) PYTHONPATH setting, which python -c puts first anyway; nothing derived from the
    # workbook's or the add-in's address: kpi_excel is imported from where pip installed it.
    assert sys.path == ["", *clean_xlwings]


def test_on_a_mac_the_default_fails_too(xlwings_vba: str, clean_xlwings: list[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A Mac's FullName of a OneDrive for Business workbook is its URL as well; xlwings asks for the _MAC setting."""
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(xlwings.XlwingsError, match="ONEDRIVE_COMMERCIAL_MAC"):
        xlwings.utils.prepare_sys_path(prepare_args(xlwings_vba, "macos", PERSONAL, MAC_ADDIN, conf={}))


def test_a_module_beside_the_workbook_cannot_stand_in_for_kpi_excel(
        vba: str, xlwings_vba: str, clean_xlwings: list[str], tmp_path: Path) -> None:
    """With xlwings' default the workbook's folder goes first on sys.path: a kpi_excel.py there would run instead."""
    folder = tmp_path / "Downloads"
    folder.mkdir()
    (folder / "kpi_excel.py").write_text("raise SystemExit('not ours')\n")
    workbook = str(folder / "KPI report.xlsx")
    xlwings.utils.prepare_sys_path(prepare_args(xlwings_vba, "windows", workbook, WIN_ADDIN, conf={}))
    assert str(folder) in sys.path[:len(sys.path) - len(clean_xlwings)]  # ahead of site-packages
    sys.path[:] = clean_xlwings
    xlwings.utils.prepare_sys_path(prepare_args(vba, "windows", workbook, WIN_ADDIN, conf={}))
    assert str(folder) not in sys.path


def run_as_runpython(args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``python -B -c "import xlwings.utils;xlwings.utils.prepare_sys_path(...); <command>"``, as ExecuteWindows."""
    escaped = args.replace("\\", "\\\\")  # ExecuteWindows: Replace(PYTHONPATH, "\", "\\") (cmd.exe drops the ^ of ^&)
    command = (f'import xlwings.utils;xlwings.utils.prepare_sys_path("{escaped}"); '
               "import kpi_excel; print('kpi_excel started from', kpi_excel.__file__)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OneDrive")}
    env.update({"HOME": str(tmp_path), "USERPROFILE": str(tmp_path), "PYTHONPATH": str(ROOT)})
    return subprocess.run([sys.executable, "-B", "-c", command], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_command_runpython_runs_reaches_kpi_excel_only_with_our_add_in(
        vba: str, xlwings_vba: str, tmp_path: Path) -> None:
    assert 'PYTHONPATH = Replace(PYTHONPATH, "\\", "\\\\")' in vba
    assert 'prepare_sys_path(\\""" & PYTHONPATH & "\\""); " & PythonCommand' in vba
    failed = run_as_runpython(prepare_args(xlwings_vba, "windows", SITES, WIN_ADDIN, conf={}), tmp_path)
    assert failed.returncode != 0 and "UnboundLocalError" in failed.stderr
    assert "kpi_excel started" not in failed.stdout
    conf = installed_conf(tmp_path, "windows")
    started = run_as_runpython(prepare_args(vba, "windows", SITES, WIN_ADDIN, conf), tmp_path)
    assert started.returncode == 0, started.stderr
    assert f"kpi_excel started from {ROOT / 'kpi_excel' / '__init__.py'}" in started.stdout


def test_the_argument_is_built_from_the_vbas_own_terms(vba: str, xlwings_vba: str) -> None:
    """The terms are the VBA's own: AddExcelDir, both FullNames, the three sync settings, PYTHONPATH."""
    for module in (vba, xlwings_vba):
        assert pythonpath_terms(module, "windows") == [
            "AddExcelDir", "ActiveFullName", "ThisFullName", 'GetConfig("ONEDRIVE_CONSUMER_WIN")',
            'GetConfig("ONEDRIVE_COMMERCIAL_WIN")', 'GetConfig("SHAREPOINT_WIN")', 'GetConfig("PYTHONPATH")']
    assert vba_setting(xlwings_vba, "ADD_WORKBOOK_TO_PYTHONPATH") == "true"
    assert vba_setting(vba, "ADD_WORKBOOK_TO_PYTHONPATH") == "false"  # kpi_excel.addin.vba_edit

