"""Safe save: refusals, failed verification, failed writes and a hard kill leave the original intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kpi_excel.ooxml.errors import (CorruptPackageError, OoxmlError, PackageError, PackageLockedError,
                                     PackageVerificationError, UnsafePackageError)
from kpi_excel.ooxml import XlsxPackage
from kpi_excel.ooxml import xlsx_package
from kpi_excel.ooxml.package import OpcPackage
from tests.ooxml.helpers import REPO_ROOT, zip_parts


def _edited(path: Path) -> XlsxPackage:
    pkg = XlsxPackage.open(path)
    pkg.set_cells("KPIs", {(2, 7): "Increase", (2, 8): "Red"})
    return pkg


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p != path and p.is_file())


@pytest.mark.parametrize("lock_name", ["~$officer.xlsx", ".~lock.officer.xlsx#"])
def test_refuses_to_write_while_the_workbook_is_open(copy_of, officer_workbook: Path, lock_name: str) -> None:
    target = copy_of(officer_workbook)
    before = target.read_bytes()
    lock = target.with_name(lock_name)
    lock.write_bytes(b"owner")
    with pytest.raises(PackageLockedError) as info:
        _edited(target).save()
    assert info.value.lock_path == lock and info.value.path == target
    assert str(target) in str(info.value)
    assert target.read_bytes() == before
    assert _siblings(target) == [lock_name]


def test_refuses_a_read_only_workbook(copy_of, officer_workbook: Path) -> None:
    target = copy_of(officer_workbook)
    before = target.read_bytes()
    target.chmod(0o444)
    with pytest.raises(PackageLockedError, match="read-only"):
        _edited(target).save()
    assert target.read_bytes() == before and _siblings(target) == []


def test_a_failed_verification_leaves_the_original_and_no_temp_file(
    copy_of, officer_workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = copy_of(officer_workbook)
    before = target.read_bytes()

    def broken(*args, **kwargs):
        raise PackageError("simulated: a part did not parse")

    monkeypatch.setattr(xlsx_package, "verify_package", broken)
    with pytest.raises(PackageVerificationError) as info:
        _edited(target).save()
    assert "original is unchanged" in str(info.value)
    assert isinstance(info.value, OoxmlError)
    assert target.read_bytes() == before and _siblings(target) == []


def test_a_crash_while_writing_leaves_the_original(copy_of, officer_workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = copy_of(officer_workbook)
    before = target.read_bytes()

    def disk_full(self, out):
        out.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(OpcPackage, "write_to", disk_full)
    with pytest.raises(PackageError, match="not enough disk space.*unchanged"):  # one line, not a traceback
        _edited(target).save()
    assert target.read_bytes() == before and _siblings(target) == []


def test_the_real_verifier_catches_a_corrupt_file(tmp_path: Path, officer_workbook: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    data = bytearray(officer_workbook.read_bytes())
    data[200:260] = b"\0" * 60  # damage the first entry's compressed stream
    bad.write_bytes(bytes(data))
    with pytest.raises(OoxmlError):
        xlsx_package.verify_package(bad, ["[Content_Types].xml"], [])
    good = tmp_path / "good.xlsx"
    good.write_bytes(officer_workbook.read_bytes())
    with pytest.raises(PackageVerificationError, match="missing"):
        xlsx_package.verify_package(good, ["xl/worksheets/sheet99.xml"], [])


@pytest.mark.parametrize("content, error", [
    (b'<worksheet xmlns="urn:x"><sheetData><row r="1"></sheetData></worksheet>', CorruptPackageError),
    (b'<!DOCTYPE worksheet [<!ENTITY e "x">]><worksheet xmlns="urn:x">&e;</worksheet>', UnsafePackageError),
])
def test_the_real_verifier_reads_every_edited_part(tmp_path: Path, officer_workbook: Path, content: bytes,
                                                    error: type[Exception]) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    part = pkg.sheet(pkg.sheet_names()[0]).part
    pkg.opc.write(part, content)  # as if serialising had gone wrong
    written = tmp_path / "written.xlsx"
    written.write_bytes(pkg.opc.to_bytes())
    xlsx_package.verify_package(written, [part], [])  # not named as edited: only its zip entry is checked
    with pytest.raises(error, match=part):
        xlsx_package.verify_package(written, [part], [part])


def test_an_edited_part_saved_as_the_file_had_it_is_copied_and_not_parsed_again(
        copy_of, officer_workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_of(officer_workbook)
    pkg = XlsxPackage.open(path)
    same, edited = (pkg.sheet(name).part for name in pkg.sheet_names()[:2])
    pkg.opc.xml(same)
    pkg.opc.mark_dirty(same)  # edited, but back as it was
    pkg.set_cells(pkg.sheet_names()[1], {(1, 1): "changed"})
    parsed: list[str] = []
    real = xlsx_package.check_xml
    monkeypatch.setattr(xlsx_package, "check_xml", lambda data, part="": (parsed.append(part), real(data, part)))
    pkg.save()
    assert same in pkg.opc.kept_as_read and edited not in pkg.opc.kept_as_read
    assert edited in parsed and same not in parsed
    assert zip_parts(path)[same] == zip_parts(officer_workbook)[same]


def test_an_entry_copied_from_the_file_is_compared_not_inflated_when_its_part_was_read(
        copy_of, officer_workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_of(officer_workbook)
    pkg = XlsxPackage.open(path)
    names = pkg.sheet_names()
    read, edited = (pkg.sheet(name).part for name in names[:2])
    unread = next(n for n in pkg.opc.names() if n.startswith("xl/theme/"))
    pkg.read_sheet(names[0])  # inflated, its CRC checked
    pkg.set_cells(names[1], {(1, 1): "changed"})
    checked: list[str] = []
    real = xlsx_package.check_entry
    monkeypatch.setattr(xlsx_package, "check_entry", lambda entry, path=None: (checked.append(entry.name),
                                                                               real(entry, path=path)))
    pkg.save()
    assert read in pkg.opc.copied_checked and edited not in pkg.opc.copied_checked
    assert unread not in pkg.opc.copied_checked and unread in checked  # never inflated: inflated now
    assert read not in checked
    assert zip_parts(path)[read] == zip_parts(officer_workbook)[read]


def test_a_copied_entry_written_otherwise_than_read_is_inflated_and_caught(tmp_path: Path,
                                                                          officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    first = pkg.opc._entries["[Content_Types].xml"]  # the first entry in the file
    pkg.opc.read("[Content_Types].xml")
    bad = tmp_path / "bad.xlsx"
    data = bytearray(officer_workbook.read_bytes())
    data[200:260] = b"\0" * 60  # damage the first entry's compressed stream
    bad.write_bytes(bytes(data))
    with pytest.raises(OoxmlError):
        xlsx_package.verify_package(bad, ["[Content_Types].xml"], [], copied={first.name: first})
    good = tmp_path / "good.xlsx"
    good.write_bytes(officer_workbook.read_bytes())
    xlsx_package.verify_package(good, ["[Content_Types].xml"], [], copied={first.name: first})


def test_save_keeps_the_file_mode_and_can_save_elsewhere(copy_of, officer_workbook: Path, tmp_path: Path) -> None:
    target = copy_of(officer_workbook)
    target.chmod(0o640)
    _edited(target).save()
    assert (target.stat().st_mode & 0o777) == 0o640
    other = tmp_path / "copy" / "report.xlsx"
    other.parent.mkdir()
    saved = _edited(target).save(other)
    assert saved == other and zip_parts(other)


CHILD = textwrap.dedent(
    """
    import sys, time
    from kpi_excel.ooxml import atomic
    from kpi_excel.ooxml import XlsxPackage

    target, pause_at = sys.argv[1], sys.argv[2]

    def hook(step):
        print(step, flush=True)
        if step == pause_at:
            time.sleep(60)

    atomic._step_hook = hook
    pkg = XlsxPackage.open(target)
    pkg.set_cells("KPIs", {(2, 8): "Red"})
    pkg.write_owned_sheet("Benchmark", [["a", "b"], [1, 2]])
    pkg.save()
    print("done", flush=True)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX-only")
@pytest.mark.parametrize("step", ["temp-created", "written", "synced", "verified", "replaced"])
def test_sigkill_at_any_step_never_damages_the_workbook(copy_of, officer_workbook: Path, tmp_path: Path, step: str) -> None:
    target = copy_of(officer_workbook)
    before = target.read_bytes()
    script = tmp_path / "child" / "child.py"
    script.parent.mkdir()
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen([sys.executable, str(script), str(target), step], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT, env=env)
    seen = []
    deadline = time.monotonic() + 60
    assert child.stdout is not None
    while time.monotonic() < deadline:
        line = child.stdout.readline().strip()
        if not line:
            break
        seen.append(line)
        if line == step:
            break
    assert seen and seen[-1] == step, (seen, child.stderr.read() if child.stderr else "")
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    if step == "replaced":
        # The rename happened: the workbook is the new one, complete and readable.
        pkg = XlsxPackage.open(target)
        assert pkg.read_sheet("KPIs").value(2, 8) == "Red" and "Benchmark" in pkg.sheet_names()
    else:
        assert target.read_bytes() == before
    # At most one hidden temp file can be left behind by a hard kill, never a damaged workbook.
    leftovers = _siblings(target)
    assert all(name.startswith(".~kpi-officer.xlsx.") and name.endswith(".tmp") for name in leftovers)
    assert len(leftovers) <= 1
