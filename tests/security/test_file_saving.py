"""Saving under pressure: two refreshes at once, a workbook changed meanwhile, symlinks, a full
disk, a read-only folder. Each ends in one line and exit 1 with the workbook byte-identical,
or in a correct save; never two "Saved" with one lost, never a traceback.

The full disk is real: a small tmpfs this test mounts (needs root and permission to mount;
otherwise that case is skipped and the RLIMIT_FSIZE case, a real EFBIG from the kernel,
still runs). The read-only folder is a tmpfs remounted read-only (root) or a 0555 folder
(any other user).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kpi_excel.cli import main
from kpi_excel.ooxml import atomic
from kpi_excel.ooxml import XlsxPackage
from tests.security.hostile import example_report, refused_in_one_line

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX locks, mounts and rlimits")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_report(tmp_path_factory.mktemp("example") / "example.xlsx")


def _cli(args: list[str], cwd: Path, preexec=None) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    return subprocess.Popen([sys.executable, "-m", "kpi_excel.cli", *map(str, args)], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=preexec,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _log_rows(path: Path) -> int:
    package = XlsxPackage.open(path)
    return package.read_sheet("Log").last_row - 1 if "Log" in package.sheet_names() else 0


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# ---- two refreshes at once (item 5) ----------------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report whose refresh takes a second or two, so two runs overlap."""
    from big_report import make_big_report

    return make_big_report(tmp_path_factory.mktemp("big") / "master.xlsx", indicators=600, history_rows=30_000)


@posix_only
def test_file_two_refreshes_at_once_one_is_refused_none_is_lost(big: Path, tmp_path: Path) -> None:
    workbook = tmp_path / "report.xlsx"
    shutil.copyfile(big, workbook)
    first = _cli(["refresh", workbook], tmp_path)
    lock = atomic.lock_file_of(workbook)
    deadline = time.monotonic() + 60
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    second = _cli(["refresh", workbook], tmp_path)
    outcomes = sorted([(first.wait(120), first.stdout.read(), first.stderr.read()),
                       (second.wait(120), second.stdout.read(), second.stderr.read())])
    (ok, saved, _), (refused, _, said) = outcomes
    assert ok == 0 and "Saved" in saved  # what a command did: stdout; its refusal: stderr
    assert refused == 1 and said.strip().splitlines() == [
        "kpi-excel: report.xlsx is being refreshed by another process; try again"]
    assert _log_rows(workbook) == _log_rows(big) + 1  # exactly one refresh's Log row, and it was kept
    assert _leftovers(tmp_path, {"report.xlsx"}) == []  # the lock file is gone too


@posix_only
def _held(lock: Path) -> bool:
    """Whether some process holds the OS lock on ``lock``: the file appears a moment before
    its creator locks it, so its existence alone let the test take the lock first. Linux lists
    held locks in /proc/locks (device:inode); looking there never disturbs the holder."""
    try:
        inode = lock.stat().st_ino
    except FileNotFoundError:
        return False
    locks = Path("/proc/locks")
    if not locks.exists():
        return True  # no way to look: the file's existence is the best sign there is
    held = [line.split() for line in locks.read_text().splitlines() if "->" not in line]  # "->": a waiter
    return any(len(fields) > 5 and fields[5].rsplit(":", 1)[-1] == str(inode) for fields in held)


def test_file_a_waiting_refresh_runs_after_the_first_and_keeps_both_log_rows(big: Path, tmp_path: Path) -> None:
    from kpi_excel.app.report_files import refresh_report

    workbook = tmp_path / "report.xlsx"
    shutil.copyfile(big, workbook)
    first = _cli(["refresh", workbook], tmp_path)
    lock = atomic.lock_file_of(workbook)
    while not _held(lock) and first.poll() is None:
        time.sleep(0.01)
    with atomic.workbook_lock(workbook, wait=120):  # waits for the first to let go, then holds the lock
        assert _log_rows(workbook) == _log_rows(big) + 1  # the first one's save is complete
    assert first.wait(60) == 0
    refresh_report(workbook)
    assert _log_rows(workbook) == _log_rows(big) + 2


def test_file_a_workbook_saved_by_someone_else_meanwhile_is_not_overwritten(example: Path, tmp_path: Path,
                                                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kpi_excel.errors import WorkbookError
    from kpi_excel.app.report_files import refresh_report

    workbook = tmp_path / "report.xlsx"
    shutil.copyfile(example, workbook)
    theirs = b"PK" + b"the colleague's version, saved from Excel while we worked" * 100

    def colleague_saves(step: str) -> None:
        if step == "verified":
            workbook.write_bytes(theirs)

    monkeypatch.setattr(atomic, "_step_hook", colleague_saves)
    with pytest.raises(WorkbookError, match="changed on disk while it was being refreshed .*; nothing was written"):
        refresh_report(workbook)
    assert workbook.read_bytes() == theirs
    assert _leftovers(tmp_path, {"report.xlsx"}) == []


def test_file_a_stale_lock_file_from_a_killed_run_does_not_block(example: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    workbook = tmp_path / "report.xlsx"
    shutil.copyfile(example, workbook)
    atomic.lock_file_of(workbook).write_bytes(b"")  # left by a process that was killed: no one holds its lock
    result = runner.invoke(main, ["refresh", str(workbook)])
    assert result.exit_code == 0, result.output


def test_file_the_lock_file_is_one_onedrive_and_excel_ignore() -> None:
    lock = atomic.lock_file_of(Path("report.xlsx"))
    assert lock.name.startswith("~$") and lock.name != "~$report.xlsx"


# ---- symlinks (item 6) ----------------------------------------------------------------------------


@posix_only
def test_file_a_symlinked_workbook_is_refreshed_through_its_link(example: Path, tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    real = tmp_path / "shared" / "report.xlsx"
    real.parent.mkdir()
    shutil.copyfile(example, real)
    real.chmod(0o640)
    link = tmp_path / "mine" / "report.xlsx"
    link.parent.mkdir()
    link.symlink_to(real)
    result = runner.invoke(main, ["refresh", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() != example.read_bytes() and _log_rows(real) == 1
    assert (real.stat().st_mode & 0o777) == 0o640
    assert _leftovers(link.parent, {"report.xlsx"}) == [] and _leftovers(real.parent, {"report.xlsx"}) == []
    # A link to a folder works the same way.
    folder_link = tmp_path / "alias"
    folder_link.symlink_to(real.parent)
    assert runner.invoke(main, ["refresh", str(folder_link / "report.xlsx")]).exit_code == 0
    assert folder_link.is_symlink() and _log_rows(real) == 2


def test_file_new_workbooks_get_the_usual_permissions(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    mask = os.umask(0o022)
    try:
        result = runner.invoke(main, ["new", str(tmp_path / "new.xlsx")])
    finally:
        os.umask(mask)
    assert result.exit_code == 0
    assert ((tmp_path / "new.xlsx").stat().st_mode & 0o777) == 0o644


# ---- a full disk (item 9) ---------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 256 KB tmpfs mounted for the test, or a skip when mounting is not allowed here."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0777", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or done.returncode}); the RLIMIT_FSIZE "
                    "test covers the same error")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    stats = os.statvfs(folder)
    free = stats.f_bavail * stats.f_frsize
    (folder / "filler").write_bytes(b"\0" * max(free - leave, 0))


@posix_only
def test_file_a_full_disk_leaves_the_workbook_untouched(example: Path, small_disk: Path, runner) -> None:  # type: ignore[no-untyped-def]
    workbook = small_disk / "report.xlsx"
    shutil.copyfile(example, workbook)
    _fill(small_disk, leave=8192)
    line = refused_in_one_line(runner, ["refresh", workbook], workbook)
    assert line == f"kpi-excel: {workbook}: there is not enough disk space (or quota) to save it; the workbook is unchanged"
    assert _leftovers(small_disk, {"report.xlsx", "filler"}) == []
    table = small_disk.parent / "table.csv"
    table.write_text("Indicator,Polarity,Latest Value,Target\n" + "A long indicator name,High = Good,5,4\n" * 2000,
                     encoding="utf-8")
    (small_disk / "filler").unlink()
    _fill(small_disk, leave=4096)
    for out in (small_disk / "rated.csv", small_disk / "rated.xlsx"):
        assert "not enough disk space" in refused_in_one_line(runner, ["rate", table, "-o", out])
    assert _leftovers(small_disk, {"report.xlsx", "filler"}) == []


@posix_only
def test_file_a_file_size_limit_is_one_line_too(example: Path, tmp_path: Path) -> None:
    """A real EFBIG from the kernel (RLIMIT_FSIZE), where mounting is not allowed."""
    workbook = tmp_path / "report.xlsx"
    shutil.copyfile(example, workbook)
    before = workbook.read_bytes()

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    child = _cli(["refresh", workbook], tmp_path, preexec=limit)
    assert child.wait(120) == 1
    lines = child.stderr.read().strip().splitlines()
    assert lines == [f"kpi-excel: {workbook}: there is not enough disk space (or quota) to save it; the workbook "
                     "is unchanged"], lines
    assert workbook.read_bytes() == before and _leftovers(tmp_path, {"report.xlsx"}) == []


# ---- a read-only folder (item 9) ----------------------------------------------------------------------


@pytest.fixture
def read_only(tmp_path: Path, example: Path):  # type: ignore[no-untyped-def]
    """A folder holding the example report that cannot be written."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.name == "posix" and os.geteuid() == 0:  # root writes through 0555: use a read-only mount
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("running as root without permission to mount: no folder root cannot write")
        shutil.copyfile(example, folder / "report.xlsx")
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        return
    shutil.copyfile(example, folder / "report.xlsx")
    folder.chmod(0o555)
    yield folder
    folder.chmod(0o755)


def test_file_writing_into_a_read_only_folder_is_one_line(runner, read_only: Path, example: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workbook = read_only / "report.xlsx"
    for args in (["refresh", workbook], ["refresh", example, "-o", read_only / "out.xlsx"],
                 ["init", workbook], ["new", read_only / "new.xlsx"], ["demo", "-o", read_only / "demo.xlsx"]):
        line = refused_in_one_line(runner, args, workbook, example)
        assert "read-only" in line, line
    data = tmp_path / "values.csv"
    data.write_text("Code,Area,Period,Value\nX,Derbyshire,2023,1\nX,Leicestershire,2023,3\n", encoding="utf-8")
    dictionary = tmp_path / "dict.csv"
    dictionary.write_text("Code,Polarity\nX,High = Good\n", encoding="utf-8")
    table = tmp_path / "table.csv"
    table.write_text("Indicator,Polarity,Latest Value,Target\nA,High = Good,5,4\n", encoding="utf-8")
    for args in (["rate", table, "-o", read_only / "rated.csv"], ["rate", table, "-o", read_only / "rated.xlsx"],
                 ["benchmark", data, "--dictionary", dictionary, "-o", read_only / "bench.csv"],
                 ["benchmark", data, "--dictionary", dictionary, "-o", read_only / "bench.tsv"]):
        assert "read-only" in refused_in_one_line(runner, args, workbook), args
    assert sorted(p.name for p in read_only.iterdir()) == ["report.xlsx"]


def test_file_an_output_folder_that_does_not_exist_is_one_line(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    table = tmp_path / "table.csv"
    table.write_text("Indicator,Polarity,Latest Value,Target\nA,High = Good,5,4\n", encoding="utf-8")
    assert "does not exist" in refused_in_one_line(runner, ["rate", table, "-o", tmp_path / "nowhere" / "rated.csv"])
