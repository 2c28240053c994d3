"""Every ``kpi-excel`` command line shown in README.md and docs/*.md is one the command accepts:
its command exists and its options and arguments parse (option callbacks included, so a
``--rule`` or ``--amber-within`` text must read), without running it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from kpi_excel.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _command_lines(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```(?:bash|sh|console|powershell)?\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            for part in re.split(r"\s&&\s", line.strip()):
                part = part.strip().removeprefix("$ ")
                # A synopsis ("[--area NAME | --all-areas]") is not an example to run.
                if part.startswith("kpi-excel ") and not re.search(r"\s\[|\s\|\s", part):
                    found.append(part)
    return found


EXAMPLES = [(page.name, line) for page in PAGES for line in _command_lines(page)]


def test_the_docs_show_commands() -> None:
    pages = {page for page, _ in EXAMPLES}
    assert "README.md" in pages and len(EXAMPLES) >= 10


@pytest.mark.parametrize(("page", "line"), EXAMPLES)
def test_a_documented_command_line_parses(page: str, line: str) -> None:
    words = shlex.split(line, comments=True)[1:]
    command: click.Command = main
    path = ["kpi-excel"]
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        assert words[0] in command.commands, f"{page}: no command '{' '.join(path[1:] + [words[0]])}' in: {line}"
        command = command.commands[words[0]]
        path.append(words.pop(0))
    if words in (["--help"], ["--version"]):
        return
    try:
        command.make_context(" ".join(path), list(words))
    except click.exceptions.UsageError as error:
        pytest.fail(f"{page}: {line}\n{error.format_message()}")
