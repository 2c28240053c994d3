"""Safe save: temp file beside the target, fsync, verify, then one atomic rename.

The original file is replaced only by ``os.replace`` of a complete, verified
file in the same folder, so at every instant the target is either the old
workbook or the new one. A failure (or a crash) before the rename leaves the
original untouched; the temp file is removed on any error we can catch (a
hard kill can leave one ``.~kpi-<name>.*.tmp`` behind, never a damaged target).

We refuse to write while Excel or LibreOffice has the workbook open (their
lock files ``~$<name>`` and ``.~lock.<name>#``) or when it is read-only.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from kpi_excel.errors import KpiExcelError, SaveVerificationError, WorkbookLockedError

__all__ = ["lock_files", "check_writable", "atomic_write"]


def _noop(step: str) -> None:
    return None


# Called with the name of each step; tests swap it to pause or fail at a step.
_step_hook: Callable[[str], None] = _noop


def lock_files(target: Path) -> list[Path]:
    """Lock files of an open editor sitting beside ``target``."""
    candidates = [target.with_name("~$" + target.name), target.with_name(f".~lock.{target.name}#")]
    return [p for p in candidates if p.exists()]


def check_writable(target: Path) -> None:
    """Raise :class:`WorkbookLockedError` if the workbook is open elsewhere or read-only."""
    locks = lock_files(target)
    if locks:
        raise WorkbookLockedError(
            "the workbook is open in Excel or LibreOffice (lock file found); close it and try again",
            path=target,
            lock_path=locks[0],
        )
    if target.exists():
        mode = target.stat().st_mode
        if not (mode & stat.S_IWUSR) or not os.access(target, os.W_OK):
            raise WorkbookLockedError("the workbook is read-only", path=target)
    folder = target.parent
    if not os.access(folder, os.W_OK):
        raise WorkbookLockedError("cannot write in the workbook's folder", path=folder)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    target: Path,
    write: Callable[[object], None],
    verify: Callable[[Path], None],
) -> None:
    """Write a file atomically.

    ``write(fileobj)`` writes the content to an open binary file; ``verify(path)``
    re-reads the temp file and raises if it is not right. Only then is the temp
    file renamed onto ``target``.
    """
    target = Path(target)
    check_writable(target)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".~kpi-{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _step_hook("temp-created")
            write(out)
            _step_hook("written")
            out.flush()
            os.fsync(out.fileno())
        _step_hook("synced")
        if target.exists():
            # mkstemp makes the file private (0600); keep the workbook's own permissions.
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        try:
            verify(tmp)
        except KpiExcelError as exc:
            raise SaveVerificationError(f"the new file failed its check ({exc}); the original is unchanged",
                                        path=target) from exc
        except Exception as exc:  # any surprise in verification must still protect the original
            raise SaveVerificationError(
                f"the new file failed its check ({type(exc).__name__}: {exc}); the original is unchanged",
                path=target,
            ) from exc
        _step_hook("verified")
        check_writable(target)  # Excel may have opened it while we worked
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            # Windows refuses to replace a file another program holds open.
            raise WorkbookLockedError("the workbook is open in another program", path=target) from exc
        _step_hook("replaced")
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
