"""Every part is capped like the sheets: a small file cannot inflate into gigabytes of styles, rels, drawings...

A 1 MB .xlsx whose ``styles.xml`` inflated to ~150 MB (171:1, under the zip
guard's 200:1) took ``kpi-excel refresh`` to ~10 GB and the server's
``/kpi/paper`` from 197 MB to 5.1 GB. Each hostile file here is made in the test
(a megabyte or less on disk), sent through the real command or server, and
must be refused in one line naming the part, exit 1, nothing written, with the
process's peak memory measured.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner

from kpi_excel.app.report_files import new_report, refresh_report
from kpi_excel.ooxml import XlsxPackage
from kpi_excel.ooxml.part_limits import PartLimits
from tests.security.hostile import refused_in_one_line

ROOT = Path(__file__).resolve().parents[2]
XF = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
# Run a command and report its peak resident memory (MB) as the last line of stderr.
PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr); "
        "sys.exit(done.returncode)")


def with_part(base: Path, out: Path, part: str, blocks: Callable[[bytes], Iterator[bytes]]) -> Path:
    """A copy of ``base`` whose ``part`` is ``blocks(original)``, deflated at level 1 as a fast
    writer would (171:1 on repeated XML: under the zip guard's 200:1), streamed: never whole in memory."""
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename == part:
                with dst.open(part, "w") as stream:
                    for block in blocks(src.read(part)):
                        stream.write(block)
            else:
                dst.writestr(info, src.read(info.filename))
    return out


def styles_of(size: int) -> Callable[[bytes], Iterator[bytes]]:
    """styles.xml with ``size`` bytes of cell formats added to its cellXfs: valid, and huge."""
    def blocks(original: bytes) -> Iterator[bytes]:
        head, mark, tail = original.partition(b"</cellXfs>")
        assert mark
        yield head
        chunk = XF * ((4 << 20) // len(XF))
        for _ in range(size // len(chunk)):
            yield chunk
        yield mark + tail
    return blocks


def padded(size: int) -> Callable[[bytes], Iterator[bytes]]:
    """The part as it was, after an XML comment of ``size`` bytes: still well-formed XML."""
    def blocks(original: bytes) -> Iterator[bytes]:
        cut = original.find(b"?>") + 2 if original.startswith(b"<?xml") else 0
        yield original[:cut] + b"<!--"
        # a little noise every few KB keeps the ratio near 100:1, under the zip guard's 200:1
        chunk = b"".join(b"kpi-excel padding " * 200 + os.urandom(16).hex().encode() for _ in range(300))
        for _ in range(size // len(chunk) + 1):
            yield chunk
        yield b"-->" + original[cut:]
    return blocks


def peak_of(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "kpi_excel.cli", *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    *lines, peak = done.stderr.strip().splitlines()
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, "\n".join(lines)), int(peak)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example report, refreshed once: it has charts, drawings, tables and custom XML."""
    path = new_report(tmp_path_factory.mktemp("parts") / "report.xlsx", example=True)
    refresh_report(path, now=dt.datetime(2026, 11, 23, 9, 30))
    return path


@pytest.fixture(scope="module")
def ordinary_peak(report: Path, tmp_path_factory: pytest.TempPathFactory) -> int:
    """Peak memory of refreshing the ordinary report (MB): what a hostile file may not exceed by much."""
    folder = tmp_path_factory.mktemp("ordinary")
    copy = folder / "copy.xlsx"
    copy.write_bytes(report.read_bytes())
    done, peak = peak_of(["refresh", str(copy)], folder)
    assert done.returncode == 0, done.stderr
    return peak


def test_a_1_mb_file_whose_styles_inflate_to_150_mb_is_refused_naming_the_part(
        report: Path, ordinary_peak: int, tmp_path: Path) -> None:
    hostile = with_part(report, tmp_path / "styles.xlsx", "xl/styles.xml", styles_of(150 << 20))
    assert hostile.stat().st_size < 2 << 20
    before = hostile.read_bytes()
    done, peak = peak_of(["refresh", str(hostile)], tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(r"part 'xl/styles\.xml' is 1[45]\d MB uncompressed, more than the 32 MB", lines[0])
    assert hostile.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["styles.xlsx"]
    # Refused before inflating: the command costs what an ordinary refresh does (~10 GB before).
    assert peak < ordinary_peak + 50, (peak, ordinary_peak)


def test_a_part_of_many_small_elements_is_refused_before_its_tree_is_built(
        report: Path, ordinary_peak: int, tmp_path: Path) -> None:
    """16 MB of '<xf/>' is under the byte cap but would be ~500 MB of lxml tree: counted first."""
    def blocks(original: bytes) -> Iterator[bytes]:
        head, mark, tail = original.partition(b"</cellXfs>")
        yield head
        for _ in range(16):
            yield b"<xf/>" * ((1 << 20) // 5)
        yield mark + tail
    hostile = with_part(report, tmp_path / "nodes.xlsx", "xl/styles.xml", blocks)
    done, peak = peak_of(["refresh", str(hostile)], tmp_path)
    assert done.returncode == 1 and "part 'xl/styles.xml' has 3,3" in done.stderr
    assert "XML elements and attributes, more than the 2,000,000" in done.stderr
    assert peak < ordinary_peak + 50, (peak, ordinary_peak)


@pytest.mark.parametrize("part", [
    "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
    "xl/worksheets/_rels/sheet1.xml.rels", "xl/tables/table1.xml", "customXml/item1.xml",
])
def test_every_part_the_refresh_reads_is_capped(report: Path, tmp_path: Path, part: str) -> None:
    hostile = with_part(report, tmp_path / "hostile.xlsx", part, padded(33 << 20))
    line = refused_in_one_line(CliRunner(), ["refresh", hostile], hostile)
    assert f"part '{part}' is 33 MB uncompressed, more than the 32 MB kpi_excel reads from one part" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.xlsx"]


def test_a_big_part_never_read_costs_nothing(report: Path, ordinary_peak: int, tmp_path: Path) -> None:
    """A 100 MB part the refresh does not read is copied raw; the check after saving inflates it a
    megabyte at a time, so the refresh succeeds at an ordinary refresh's memory."""
    base = tmp_path / "base.xlsx"
    with zipfile.ZipFile(report) as src, zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("docProps/custom.xml", b"")  # an entry to stand in for, say, a large picture
    hostile = with_part(base, tmp_path / "unread.xlsx", "docProps/custom.xml", padded(100 << 20))
    done, peak = peak_of(["refresh", str(hostile)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert zipfile.ZipFile(hostile).getinfo("docProps/custom.xml").file_size > 100 << 20  # kept as it was
    assert peak < ordinary_peak + 50, (peak, ordinary_peak)


def test_the_package_budget_adds_up_parts_each_under_their_limit(report: Path) -> None:
    """Many parts each under the limit cannot add up to more: the package has a budget too."""
    tight = PartLimits(package_nodes=5_000)
    from kpi_excel.ooxml.package import OpcPackage
    from kpi_excel.ooxml.zipio import ZipLimits, read_zip

    opc = OpcPackage(read_zip(report.read_bytes(), limits=ZipLimits()), report, part_limits=tight)
    with pytest.raises(Exception, match="takes the XML kpi_excel reads past 5,000 elements and attributes"):
        for name in opc.names():
            if name.endswith((".xml", ".rels")):
                opc.xml(name)
    assert XlsxPackage.open(report).sheet_names()  # the default budget reads it all


def _data_part(report: Path) -> str:
    from tests.security.hostile import part_of_sheet

    return part_of_sheet(report, "Data")


def test_a_data_sheet_padded_past_512_mb_is_refused_before_it_is_inflated(
        report: Path, ordinary_peak: int, tmp_path: Path) -> None:
    """A sheet may be as long as Excel's grid, but not larger than the grid's rows could be:
    600 MB of XML (a 6 MB file, ~100:1) is refused from the zip's directory, never inflated."""
    hostile = with_part(report, tmp_path / "padded.xlsx", _data_part(report), padded(600 << 20))
    assert hostile.stat().st_size < 16 << 20
    before = hostile.read_bytes()
    done, peak = peak_of(["refresh", str(hostile)], tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(r"sheet 'Data' is 60\d MB of XML uncompressed, more than the 512 MB", lines[0])
    assert hostile.read_bytes() == before
    assert peak < ordinary_peak + 50, (peak, ordinary_peak)


def test_more_cells_than_a_data_sheet_uses_are_counted_before_any_is_read(
        report: Path, ordinary_peak: int, tmp_path: Path) -> None:
    """Nine blank cells on every row of the grid (9,437,184 <c/> in 150 MB of XML, a 20 MB file): more
    than the 8,388,608 cells (8 columns of every row) read from a sheet. Counted in the bytes
    first: the refusal costs the XML held, not the ~500 MB its cells would take."""
    def blocks(original: bytes) -> Iterator[bytes]:
        head, mark, _ = original.partition(b"<sheetData>")
        assert mark
        yield head + mark
        columns = "ABCDEFGHI"
        for start in range(1, 1_048_577, 16_384):
            yield "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"/>' for c in columns) + "</row>"
                          for r in range(start, start + 16_384)).encode()
        yield b"</sheetData></worksheet>"
    hostile = with_part(report, tmp_path / "cells.xlsx", _data_part(report), blocks)
    done, peak = peak_of(["refresh", str(hostile)], tmp_path)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "sheet 'Data' has 9,437,184 cells, more than the 8,388,608" in lines[0]
    assert peak < ordinary_peak + 400, (peak, ordinary_peak)
