"""``kpi-excel addin install`` per platform, with HOME/APPDATA pointed at a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_excel.addin.cli_commands import addin
from kpi_excel.addin.install import plan_install, read_conf
from kpi_excel.addin.xlam import ADDIN_NAME, inspect_xlam


def run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(addin, ["install", *args], env=env)
    return result.exit_code, result.output


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_windows_installs_into_xlstart_and_writes_the_conf_the_vba_reads(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path / "AppData" / "Roaming"), "USERPROFILE": str(tmp_path)}
    code, output = run(["--platform", "windows"], env)
    assert code == 0, output
    addin_path = tmp_path / "AppData/Roaming/Microsoft/Excel/XLSTART" / ADDIN_NAME
    assert inspect_xlam(addin_path).tab_labels == ["KPI Report"]
    conf = tmp_path / ".myaddin" / "myaddin.conf"
    raw = conf.read_bytes()
    assert raw.endswith(b"\r\n") and raw.startswith(b'"INTERPRETER_WIN","')
    assert files(tmp_path) == [".myaddin/myaddin.conf", "AppData/Roaming/Microsoft/Excel/XLSTART/kpi_excel.xlam",
                               "AppData/Roaming/Microsoft/Excel/XLSTART/kpi_excel_pack.xlam"]
    assert inspect_xlam(addin_path.with_name("kpi_excel_pack.xlam")).tab_labels == ["KPI Report"]


def test_conf_keeps_the_users_other_settings(tmp_path: Path) -> None:
    conf = tmp_path / ".myaddin" / "myaddin.conf"
    conf.parent.mkdir()
    conf.write_bytes(b'"SHOW CONSOLE","True"\r\n"INTERPRETER_WIN","C:\\old\\python.exe"\r\n')
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path)}
    assert run(["--platform", "windows"], env)[0] == 0
    pairs = dict(read_conf(conf.read_text(encoding="cp1252")))
    assert pairs["SHOW CONSOLE"] == "True" and pairs["INTERPRETER_WIN"] != r"C:\old\python.exe"


def test_macos_installs_startup_conf_and_applescript(tmp_path: Path) -> None:
    code, output = run(["--platform", "macos"], {"HOME": str(tmp_path)})
    assert code == 0, output
    assert files(tmp_path) == [
        "Library/Application Scripts/com.microsoft.Excel/xlwings-0.37.8.applescript",
        "Library/Containers/com.microsoft.Excel/Data/myaddin.conf",
        "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/kpi_excel.xlam",
        "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/"
        "kpi_excel_pack.xlam",
    ]
    conf = (tmp_path / "Library/Containers/com.microsoft.Excel/Data/myaddin.conf").read_text()
    assert conf.startswith('"INTERPRETER_MAC","') and conf.endswith('"\n')


@pytest.mark.parametrize("platform", ["windows", "macos"])
def test_dry_run_writes_nothing(tmp_path: Path, platform: str) -> None:
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path), "HOME": str(tmp_path)}
    code, output = run(["--platform", platform, "--dry-run"], env)
    assert code == 0 and "Dry run: nothing was written" in output and ADDIN_NAME in output
    assert files(tmp_path) == []


def test_linux_says_what_it_would_do_and_writes_nothing(tmp_path: Path) -> None:
    env = {"APPDATA": str(tmp_path), "USERPROFILE": str(tmp_path), "HOME": str(tmp_path)}
    code, output = run(["--platform", "linux"], env)
    assert code == 0
    assert "nothing was written" in output
    assert r"%APPDATA%\Microsoft\Excel\XLSTART\kpi_excel.xlam" in output
    assert "Startup.localized/Excel/kpi_excel.xlam" in output and "INTERPRETER_MAC" in output
    assert files(tmp_path) == []


def test_plan_reads_the_project_name_from_the_vba() -> None:
    plan = plan_install(platform="windows", env={"APPDATA": "A", "USERPROFILE": "U"}, interpreter="py.exe")
    assert [str(step.target).rsplit("/", 1)[-1] for step in plan.steps[:2]] == ["kpi_excel.xlam", "kpi_excel_pack.xlam"]
    assert str(plan.steps[2].target).endswith("myaddin.conf")
    assert plan.steps[2].settings == (("INTERPRETER_WIN", "py.exe"),)
