"""scripts/install-kpi-addin.ps1, the per-machine install, as far as a Linux machine can test it.

There is no PowerShell here (Debian does not package it), so the script is not
run. What is tested: it parses (tree-sitter's PowerShell grammar, from npm);
every name and setting it writes is the one ``kpi-excel addin install`` writes
for one user; every config key is one the add-in's VBA reads; each copied
add-in is unblocked (Mark-of-the-Web); the config is written as the VBA reads
it (ANSI code page, CR LF). docs/admin-guide.md says what is left to a pilot PC.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path, PureWindowsPath

import pytest
from oletools.olevba import VBA_Parser

from kpi_excel.addin.install import plan_install
from kpi_excel.addin.xlam import ADDINS, build_xlam

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "install-kpi-addin.ps1"
PARSER = ROOT / "tests" / "powershell"


@pytest.fixture(scope="module")
def script() -> str:
    return SCRIPT.read_text(encoding="utf-8")


def ps_array(script: str, name: str) -> list[str]:
    found = re.search(rf"^\${name} = @\(([^)]*)\)$", script, re.M)
    assert found, name
    return re.findall(r"'([^']*)'", found.group(1))


def ps_string(script: str, name: str) -> str:
    found = re.search(rf"^\${name} = '([^']*)'$", script, re.M)
    assert found, name
    return found.group(1)


def ps_settings(script: str) -> dict[str, str]:
    found = re.search(r"^\$ConfSettings = \[ordered\]@\{\n(.*?)\n\}$", script, re.M | re.S)
    assert found
    return dict(re.findall(r"^\s*'(\w+)'\s*=\s*(\S+)$", found.group(1), re.M))


def windows_plan():  # type: ignore[no-untyped-def]
    env = {"APPDATA": r"C:\Users\zoe\AppData\Roaming", "USERPROFILE": r"C:\Users\zoe"}
    return plan_install(platform="windows", env=env, interpreter=r"C:\Program Files\Python311\python.exe",
                        path=PureWindowsPath)


def test_the_script_parses(script: str) -> None:
    modules = PARSER / "node_modules" / "tree-sitter-powershell"
    if not modules.is_dir() or shutil.which("node") is None:
        if os.environ.get("CI"):
            pytest.fail("tests/powershell's npm packages are not installed: .ci/run runs npm ci there")
        pytest.skip("run 'npm ci' in tests/powershell to parse the script")
    result = subprocess.run(["node", str(PARSER / "parse.mjs"), str(SCRIPT)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"errors": []}


def test_the_parser_finds_a_broken_script(tmp_path: Path, script: str) -> None:
    """So that the parse above can fail: an unclosed block is an error."""
    if not (PARSER / "node_modules").is_dir() or shutil.which("node") is None:
        pytest.skip("run 'npm ci' in tests/powershell")
    broken = tmp_path / "broken.ps1"
    broken.write_text(script.replace("(Join-Path $SignedAddins $name) -Destination",
                                     "(Join-Path $SignedAddins $name -Destination"), encoding="utf-8")
    result = subprocess.run(["node", str(PARSER / "parse.mjs"), str(broken)], capture_output=True, text=True,
                            timeout=60)
    assert json.loads(result.stdout)["errors"]


def test_it_installs_the_add_ins_addin_install_builds(script: str) -> None:
    assert ps_array(script, "AddinNames") == [name for name, _ in ADDINS]


def test_it_writes_the_config_file_where_addin_install_does(script: str) -> None:
    conf = next(step for step in windows_plan().steps if step.kind == "conf")
    relative = PureWindowsPath(conf.target).relative_to(PureWindowsPath(r"C:\Users\zoe"))
    assert ps_string(script, "ConfRelative") == str(relative)
    # each profile folder + that relative path; the per-user copies are looked for where addin install puts them
    assert "$conf = Join-Path $folder $ConfRelative" in script
    build = next(step for step in windows_plan().steps if step.kind == "build")
    startup = PureWindowsPath(build.target).parent.relative_to(PureWindowsPath(r"C:\Users\zoe"))
    assert ps_string(script, "UserStartup") == str(startup)


def test_it_writes_the_settings_addin_install_writes(script: str) -> None:
    conf = next(step for step in windows_plan().steps if step.kind == "conf")
    expected = {key: ("$Python" if key == "INTERPRETER_WIN" else f"'{value}'") for key, value in conf.settings}
    assert ps_settings(script) == expected


def test_every_setting_is_one_the_add_ins_vba_reads(script: str, tmp_path: Path) -> None:
    parser = VBA_Parser(str(build_xlam(tmp_path)))
    try:
        vba = "\n".join(code for _, _, _, code in parser.extract_macros())
    finally:
        parser.close()
    for key in ps_settings(script):
        assert f'GetConfig("{key}"' in vba, key


def test_each_copied_add_in_is_unblocked(script: str) -> None:
    loop = re.search(r"^foreach \(\$name in \$AddinNames\) \{\n(.*?)^\}$", script[script.index("# ---- 2 and 3"):],
                     re.M | re.S)
    assert loop
    body = loop.group(1)
    copy = body.index("Copy-Item -LiteralPath (Join-Path $SignedAddins $name) -Destination $target")
    assert body.index("Unblock-File -LiteralPath $target") > copy


def test_the_config_is_written_as_the_vba_reads_it(script: str) -> None:
    """The system's ANSI code page (not UTF-8, not the user's culture), CR LF, no BOM (GetEncoding writes none)."""
    assert r"'HKLM:\SYSTEM\CurrentControlSet\Control\Nls\CodePage' -Name ACP" in script
    assert "$ansi = [Text.Encoding]::GetEncoding([int]$acp)" in script
    assert """[IO.File]::WriteAllText($Path, (($lines -join "`r`n") + "`r`n"), $ansi)""" in script
    assert "$ansi.GetString($ansi.GetBytes($value)) -ne $value" in script  # refused, as conf_bytes refuses


def test_pip_installs_the_wheel_into_the_given_python(script: str) -> None:
    assert "$pipArgs = @('-m', 'pip', 'install'" in script
    assert "$pipArgs += $Wheel\n" in script and "& $Python @pipArgs" in script
    assert "if ($LASTEXITCODE -ne 0) {" in script


def test_no_variable_is_read_as_a_drive_qualified_name(script: str) -> None:
    """In a double-quoted string PowerShell reads "$name:" as a scope or drive; "${name}:" is meant."""
    for line in script.splitlines():
        for string in re.findall(r'"([^"]*)"', line):
            assert not re.search(r"\$(?!env:)\w+:", string), line


def test_no_argument_to_python_holds_a_double_quote(script: str) -> None:
    """Windows PowerShell 5.1 hands a native program's arguments over without escaping their double quotes."""
    calls = [line for line in script.splitlines() if line.lstrip().startswith("& $Python")]
    assert len(calls) == 2
    for line in calls:
        assert '"' not in line, line
