"""The ribbon doors' click commands: help text, and serve's refusal without a licence key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from kpi_excel.addin.cli_commands import addin, serve

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_and_option_has_help() -> None:
    commands: list[click.Command] = [addin, serve, *addin.commands.values()]
    for command in commands:
        assert (command.help or "").strip(), command.name
        for parameter in command.params:
            if isinstance(parameter, click.Option) and not parameter.hidden:
                assert (parameter.help or "").strip(), f"{command.name} {parameter.name}"
    result = CliRunner().invoke(serve, ["--help"])
    assert result.exit_code == 0 and "--host" in result.output and "--port" in result.output


def test_serve_without_a_licence_key_says_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "KPI_EXCEL_"))}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-m", "kpi_excel.addin.server", "--port", "1"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "XLWINGS_LICENSE_KEY=noncommercial" in result.stderr


def test_build_refuses_with_a_clear_message_when_xlwings_differs(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import kpi_excel.addin.xlam as xlam

    monkeypatch.setattr(xlam, "installed_xlwings", lambda: "0.38.0")
    result = CliRunner().invoke(addin, ["build", str(tmp_path)])
    assert result.exit_code == 1 and "pinned to xlwings 0.37.8" in result.output
