"""``kpi-excel addin install`` per platform, with HOME/APPDATA pointed at a temporary folder."""

from __future__ import annotations

import sys
from pathlib import Path, PurePosixPath, PureWindowsPath

import pytest
from click.testing import CliRunner

from kpi_excel.addin.cli_commands import addin
from kpi_excel.addin.install import apply_plan, conf_bytes, conf_format, current_platform, plan_install, read_conf
from kpi_excel.addin.xlam import ADDIN_NAME, AddinError, inspect_xlam


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
    conf = tmp_path / ".kpi_excel" / "kpi_excel.conf"
    raw = conf.read_bytes()
    assert raw.endswith(b"\r\n") and raw.startswith(b'"INTERPRETER_WIN","')
    assert files(tmp_path) == [".kpi_excel/kpi_excel.conf", "AppData/Roaming/Microsoft/Excel/XLSTART/kpi_excel.xlam",
                               "AppData/Roaming/Microsoft/Excel/XLSTART/kpi_excel_pack.xlam"]
    assert inspect_xlam(addin_path.with_name("kpi_excel_pack.xlam")).tab_labels == ["KPI Report"]


def test_conf_keeps_the_users_other_settings(tmp_path: Path) -> None:
    conf = tmp_path / ".kpi_excel" / "kpi_excel.conf"
    conf.parent.mkdir()
    conf.write_bytes(b'"SHOW CONSOLE","True"\r\n"INTERPRETER_WIN","C:\\old\\python.exe"\r\n')
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path)}
    assert run(["--platform", "windows"], env)[0] == 0
    pairs = dict(read_conf(conf.read_text(encoding="cp1252")))
    assert pairs["SHOW CONSOLE"] == "True" and pairs["INTERPRETER_WIN"] != r"C:\old\python.exe"


def test_an_older_installs_myaddin_conf_is_carried_over_and_removed(tmp_path: Path) -> None:
    """kpi_excel 0.2 wrote xlwings' template name; the add-in now reads .kpi_excel\\kpi_excel.conf."""
    old = tmp_path / ".myaddin" / "myaddin.conf"
    old.parent.mkdir()
    old.write_bytes(b'"INTERPRETER_WIN","C:\\old\\python.exe"\r\n')
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path)}
    code, output = run(["--platform", "windows"], env)
    assert code == 0, output
    assert not old.parent.exists() and f"Removed {old}" in output
    pairs = dict(read_conf((tmp_path / ".kpi_excel" / "kpi_excel.conf").read_text(encoding="cp1252")))
    assert set(pairs) == {"INTERPRETER_WIN", "ADD_WORKBOOK_TO_PYTHONPATH"}
    assert pairs["INTERPRETER_WIN"] != r"C:\old\python.exe"


def test_an_old_conf_with_other_settings_is_carried_over_and_left(tmp_path: Path) -> None:
    """Every add-in made from xlwings' template reads myaddin.conf: settings we did not write may be another's."""
    old = tmp_path / "Library/Containers/com.microsoft.Excel/Data/myaddin.conf"
    old.parent.mkdir(parents=True)
    old.write_text('"INTERPRETER_MAC","/old/python3"\n"SHOW CONSOLE","True"\n', encoding="utf-8")
    code, output = run(["--platform", "macos"], {"HOME": str(tmp_path)})
    assert code == 0, output
    assert old.read_text(encoding="utf-8") == '"INTERPRETER_MAC","/old/python3"\n"SHOW CONSOLE","True"\n'
    assert f"Left {old} in place: it holds settings kpi_excel did not write (SHOW CONSOLE)" in output
    pairs = dict(read_conf((old.parent / "kpi_excel.conf").read_text(encoding="utf-8")))
    assert pairs["SHOW CONSOLE"] == "True" and pairs["ADD_WORKBOOK_TO_PYTHONPATH"] == "false"


def test_macos_installs_startup_conf_and_applescript(tmp_path: Path) -> None:
    code, output = run(["--platform", "macos"], {"HOME": str(tmp_path)})
    assert code == 0, output
    assert files(tmp_path) == [
        "Library/Application Scripts/com.microsoft.Excel/xlwings-0.37.8.applescript",
        "Library/Containers/com.microsoft.Excel/Data/kpi_excel.conf",
        "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/kpi_excel.xlam",
        "Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/"
        "kpi_excel_pack.xlam",
    ]
    conf = (tmp_path / "Library/Containers/com.microsoft.Excel/Data/kpi_excel.conf").read_text()
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
    assert [Path(step.target).name for step in plan.steps[:2]] == ["kpi_excel.xlam", "kpi_excel_pack.xlam"]
    assert Path(plan.steps[2].target).parts[-2:] == (".kpi_excel", "kpi_excel.conf")
    assert plan.steps[2].settings == (("INTERPRETER_WIN", "py.exe"), ("ADD_WORKBOOK_TO_PYTHONPATH", "false"))


# ---- Windows and macOS as they really are, with their own path types --------------------------

WIN_PROFILE = r"C:\Users\Zoë Brontë"
WIN_PYTHON = WIN_PROFILE + r"\AppData\Local\Programs\Python\Python311\python.exe"


def test_windows_plan_uses_windows_paths() -> None:
    env = {"APPDATA": WIN_PROFILE + r"\AppData\Roaming", "USERPROFILE": WIN_PROFILE}
    plan = plan_install(platform="windows", env=env, interpreter=WIN_PYTHON, path=PureWindowsPath)
    build, build_pack, conf = plan.steps
    assert str(build.target) == WIN_PROFILE + r"\AppData\Roaming\Microsoft\Excel\XLSTART\kpi_excel.xlam"
    assert str(build_pack.target) == WIN_PROFILE + r"\AppData\Roaming\Microsoft\Excel\XLSTART\kpi_excel_pack.xlam"
    assert str(conf.target) == WIN_PROFILE + r"\.kpi_excel\kpi_excel.conf"
    assert conf.settings == (("INTERPRETER_WIN", WIN_PYTHON), ("ADD_WORKBOOK_TO_PYTHONPATH", "false"))


def test_windows_roaming_profile_on_a_file_share() -> None:
    """Councils often redirect AppData\\Roaming to a server: the start-up folder follows APPDATA."""
    env = {"APPDATA": r"\\fs01\profiles$\zbronte\AppData\Roaming", "USERPROFILE": r"C:\Users\zbronte"}
    build, _, conf = plan_install(platform="windows", env=env, interpreter="py.exe", path=PureWindowsPath).steps
    assert str(build.target) == r"\\fs01\profiles$\zbronte\AppData\Roaming\Microsoft\Excel\XLSTART\kpi_excel.xlam"
    assert str(conf.target) == r"C:\Users\zbronte\.kpi_excel\kpi_excel.conf"


def test_macos_plan_uses_the_sandbox_folders() -> None:
    plan = plan_install(platform="macos", env={"HOME": "/Users/zoë"}, interpreter="/opt/homebrew/bin/python3.11",
                        path=PurePosixPath)
    assert [str(s.target) for s in plan.steps] == [
        "/Users/zoë/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/"
        "kpi_excel.xlam",
        "/Users/zoë/Library/Group Containers/UBF8T346G9.Office/User Content.localized/Startup.localized/Excel/"
        "kpi_excel_pack.xlam",
        "/Users/zoë/Library/Containers/com.microsoft.Excel/Data/kpi_excel.conf",
        "/Users/zoë/Library/Application Scripts/com.microsoft.Excel/xlwings-0.37.8.applescript",
    ]


def test_windows_conf_is_ansi_with_crlf_and_no_bom() -> None:
    """VBA's Input # reads the ANSI code page (cp1252 on English Windows) and stops at CR LF."""
    data = conf_bytes([("SHOW CONSOLE", "False"), ("INTERPRETER_WIN", WIN_PYTHON)], "windows")
    assert data == (b'"SHOW CONSOLE","False"\r\n"INTERPRETER_WIN","C:\\Users\\Zo\xeb Bront\xeb'
                    b'\\AppData\\Local\\Programs\\Python\\Python311\\python.exe"\r\n')
    assert not data.startswith(b"\xef\xbb\xbf")


def test_macos_conf_is_utf8_with_lf() -> None:
    data = conf_bytes([("INTERPRETER_MAC", "/Users/zoë/.venv/bin/python")], "macos")
    assert data == '"INTERPRETER_MAC","/Users/zoë/.venv/bin/python"\n'.encode("utf-8")


def test_on_windows_the_conf_uses_this_machines_code_page(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import locale

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(locale, "getencoding", lambda: "cp1251")  # a Cyrillic Windows
    assert conf_format("windows") == ("cp1251", "\r\n")
    assert conf_bytes([("INTERPRETER_WIN", r"C:\Users\Олег\python.exe")], "windows").endswith(
        "Олег\\python.exe\"\r\n".encode("cp1251"))


def test_a_path_the_code_page_cannot_hold_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    home = tmp_path / "张伟"
    env = {"APPDATA": str(home / "AppData"), "USERPROFILE": str(home)}
    plan = plan_install(platform="windows", env=env, interpreter=str(home / "python.exe"))
    with pytest.raises(AddinError, match="cp1252 code page, which has no '张伟'"):
        apply_plan(plan)
    assert files(tmp_path) == []


def test_a_plan_for_another_machines_paths_is_not_carried_out(tmp_path: Path) -> None:
    plan = plan_install(platform="windows", env={"APPDATA": r"C:\A", "USERPROFILE": r"C:\U"}, interpreter="py.exe",
                        path=PureWindowsPath)
    with pytest.raises(AddinError, match="another machine's paths"):
        apply_plan(plan)


def test_an_addin_excel_holds_open_is_one_clear_line_and_no_stray_file(tmp_path: Path) -> None:
    """Excel keeps its add-ins open: replacing one then fails; XLSTART must get no temporary file."""
    env = {"APPDATA": str(tmp_path / "AppData"), "USERPROFILE": str(tmp_path)}
    xlstart = tmp_path / "AppData/Microsoft/Excel/XLSTART"
    (xlstart / ADDIN_NAME).mkdir(parents=True)  # cannot be replaced by a file, like a file Excel holds
    code, output = run(["--platform", "windows"], env)
    assert code == 1 and f"Could not write {xlstart / ADDIN_NAME}" in output and "Traceback" not in output
    assert [p.name for p in xlstart.iterdir()] == [ADDIN_NAME]


@pytest.mark.parametrize(("platform", "expected"), [("win32", "windows"), ("darwin", "macos"), ("linux", "linux")])
def test_current_platform(monkeypatch, platform: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "platform", platform)
    assert current_platform() == expected
