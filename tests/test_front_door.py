"""The public front door: kpi_excel.new_report / refresh_report / rate_table / make_paper,
run as its own documented example, and ``import kpi_excel`` staying light."""

from __future__ import annotations

import csv
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from docx import Document

import kpi_excel
from kpi_excel.errors import InputError

ROOT = Path(__file__).resolve().parents[1]

INDICATORS = """Indicator,Polarity,Previous Value,Latest Value,Target
Met,High = Good,70%,80%,75%
Near miss,High = Good,70%,72%,75%
Far off,High = Good,70%,60%,75%
"""


def _example(doc: str) -> str:
    """The indented code block after the docstring's ``::``."""
    lines = []
    for line in doc.split("::\n", 1)[1].splitlines():
        if line and not line.startswith("    "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines))


def test_the_documented_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    code = _example(kpi_excel.__doc__ or "")
    assert "kpi_excel.refresh_report(" in code and "kpi_excel.rate_table(" in code
    exec(compile(code, "kpi_excel.__doc__", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Rated ") and "Green" in printed[0]
    paper = Document(str(tmp_path / "paper.docx"))
    assert any("Green" in p.text for p in paper.paragraphs)
    with (tmp_path / "rated.csv").open(encoding="utf-8-sig") as handle:
        rag = {row["Indicator"]: row["rag"] for row in csv.DictReader(handle)}
    assert rag == {"Met": "Green", "Near miss": "Amber", "Far off": "Red"}
    assert printed[-1] == str({'Amber': 1, 'Green': 1, 'Red': 1})  # RatedTable.counts(), printed


def test_the_front_door_gives_what_the_commands_give(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kpi_excel.cli import main

    kpi_excel.new_report(tmp_path / "a.xlsx", example=True)
    summary = kpi_excel.refresh_report(tmp_path / "a.xlsx", tmp_path / "b.xlsx", as_of="Q2 2022/23")
    CliRunner().invoke(main, ["new", str(tmp_path / "c.xlsx"), "--example"], catch_exceptions=False)
    done = CliRunner().invoke(main, ["refresh", str(tmp_path / "c.xlsx"), "--as-of", "Q2 2022/23"],
                              catch_exceptions=False)
    assert summary.lines()[0] in done.output
    assert summary.rated > 0 and (tmp_path / "b.xlsx").is_file()


def test_a_bad_option_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "indicators.csv").write_text(INDICATORS, encoding="utf-8")
    with pytest.raises(InputError, match="confidence is 95 or 99.8"):
        kpi_excel.rate_table(tmp_path / "indicators.csv", confidence="90")
    with pytest.raises(AttributeError, match="no attribute 'refresh'"):
        kpi_excel.refresh  # type: ignore[attr-defined]  # noqa: B018


def test_import_kpi_excel_leaves_pandas_and_the_add_ins_alone() -> None:
    probe = "import sys, kpi_excel\nprint(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert "kpi_excel" in loaded
    assert "pandas" not in loaded and not any(m.startswith("kpi_excel.addin") for m in loaded)


def test_the_desktop_button_keeps_its_name() -> None:
    """Installed kpi_excel.xlam add-ins run ``import kpi_excel; kpi_excel.main()``."""
    from kpi_excel.addin.desktop import refresh_button

    assert kpi_excel.main is refresh_button  # type: ignore[attr-defined]
