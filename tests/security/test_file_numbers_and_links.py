"""A word where a number belongs, and links planted beside a workbook: one line, nothing written.

``sheetId="one"``, ``<table id="x">`` or ``headerRowCount="yes"`` ended in exit 3
"internal error"; a symlink planted at the refresh's lock file or at ``-o OUT``
made a refresh create or overwrite the file it pointed at. kpi-excel follows no
link but the workbook itself.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_excel.ooxml.atomic import lock_file_of
from tests.security.hostile import example_report, refused_in_one_line, rewrite_parts

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_report(tmp_path_factory.mktemp("example") / "example.xlsx")


def _copy(example: Path, folder: Path, name: str = "report.xlsx") -> Path:
    path = folder / name
    path.write_bytes(example.read_bytes())
    return path


def _first_table(path: Path) -> str:
    import zipfile

    return next(n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/tables/"))


@pytest.mark.parametrize("part, pattern, replacement, says", [
    ("xl/workbook.xml", rb'sheetId="1"', b'sheetId="one"', '<sheet sheetId="one"> is not a whole number'),
    ("table", rb'<table ([^>]*)id="\d+"', rb'<table \1id="x"', '<table id="x"> is not a whole number'),
    ("table", rb'<table ', b'<table headerRowCount="yes" ', '<table headerRowCount="yes"> is not a whole number'),
])
def test_a_word_where_a_number_belongs_is_one_line_naming_the_part(example: Path, tmp_path: Path, part: str,
                                                                   pattern: bytes, replacement: bytes,
                                                                   says: str) -> None:
    hostile = _copy(example, tmp_path)
    part = _first_table(hostile) if part == "table" else part
    rewrite_parts(hostile, {part: lambda data: re.sub(pattern, replacement, data, count=1)})
    line = refused_in_one_line(CliRunner(), ["refresh", hostile], hostile)
    assert f"{part}: {says}" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


@posix_only
def test_a_lock_file_planted_as_a_link_is_not_followed(example: Path, tmp_path: Path) -> None:
    report = _copy(example, tmp_path)
    victim = tmp_path / "elsewhere" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("the officer's own file\n")
    lock = lock_file_of(report)
    for target in (victim, tmp_path / "elsewhere" / "created-by-the-refresh"):
        lock.symlink_to(target)
        line = refused_in_one_line(CliRunner(), ["refresh", report], report, victim)
        assert f"the lock file {lock.name} is a symbolic link" in line
        assert lock.is_symlink()
        lock.unlink()
    assert sorted(p.name for p in victim.parent.iterdir()) == ["victim.txt"]  # nothing made where it pointed
    assert CliRunner().invoke(__import__("kpi_excel.cli", fromlist=["main"]).main, ["refresh", str(report)]
                              ).exit_code == 0  # and with the link gone the refresh works


@posix_only
def test_an_output_planted_as_a_link_is_not_written_through(example: Path, tmp_path: Path) -> None:
    report = _copy(example, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.xlsx"
    victim.write_bytes(b"the officer's own file")
    out = tmp_path / "out.xlsx"
    for target in (victim, elsewhere / "created.xlsx"):
        out.symlink_to(target)
        line = refused_in_one_line(CliRunner(), ["refresh", report, "-o", out], report, victim)
        assert "out.xlsx: is a symbolic link; kpi-excel writes through no link but the workbook" in line
        out.unlink()
    assert sorted(os.listdir(elsewhere)) == ["victim.xlsx"] and victim.read_bytes() == b"the officer's own file"
    assert sorted(os.listdir(tmp_path)) == ["elsewhere", "report.xlsx"]  # no lock or temp file left either
