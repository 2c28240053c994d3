"""Safe save: temp file beside the target, fsync, verify, then one atomic rename.

The original file is replaced only by ``os.replace`` of a complete, verified
file in the same folder, so at every instant the target is either the old
workbook or the new one. A failure (or a crash) before the rename leaves the
original untouched; the temp file is removed on any error we can catch (a
hard kill can leave one ``.~kpi-<name>.*.tmp`` behind, never a damaged target).
A full disk or a read-only folder is one clear error, never a traceback.

We refuse to write while Excel or LibreOffice has the workbook open (their
lock files ``~$<name>`` and ``.~lock.<name>#``) or when it is read-only. A
symlinked workbook is written through its link: the file it points at is
replaced and the link stays. No other link is followed: an output (``-o``, a CSV,
a paper) or the lock file planted as a link is refused, so a link in a shared
folder cannot make a refresh create or overwrite the file it points at.

A read-modify-write (a refresh) holds :func:`workbook_lock` from before it
reads to after it replaces, so two refreshes of one workbook never both say
"Saved" with one's changes lost; and :func:`atomic_write` given the
:class:`FileIdentity` read checks, just before the rename, that the workbook
is still that file (Excel, OneDrive or a colleague may have saved it since).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kpi_excel.ooxml.errors import OoxmlError, PackageError, PackageLockedError, PackageVerificationError

__all__ = ["lock_files", "check_writable", "atomic_write", "workbook_lock", "lock_file_of", "FileIdentity",
           "real_target", "refuse_link", "RefreshInProgressError", "WorkbookChangedError"]


class RefreshInProgressError(PackageLockedError):
    """Another process holds the workbook's refresh lock."""


class WorkbookChangedError(PackageError):
    """The workbook on disk is no longer the one that was read; nothing was written."""


@dataclass(frozen=True)
class FileIdentity:
    """Which file was read: its device, inode, size and modification time."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, st: os.stat_result) -> FileIdentity:
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def real_target(target: Path) -> Path:
    """The file a path names once its symlinks are followed (the path itself when it has none)."""
    target = Path(target)
    real = Path(os.path.realpath(target))
    return real if real != Path(os.path.abspath(target)) else target


def refuse_link(target: Path) -> None:
    """Refuse to write to (or beside) ``target`` through a symbolic link it is."""
    if os.path.islink(target):
        raise PackageError("is a symbolic link; kpi-excel writes through no link but the workbook it refreshes "
                           "in place: remove the link or choose another name", path=target)


def _noop(step: str) -> None:
    return None


# Called with the name of each step; tests swap it to pause or fail at a step.
_step_hook: Callable[[str], None] = _noop


def lock_files(target: Path) -> list[Path]:
    """Lock files of an open editor sitting beside ``target``."""
    candidates = [target.with_name("~$" + target.name), target.with_name(f".~lock.{target.name}#")]
    return [p for p in candidates if p.exists()]


def check_writable(target: Path) -> None:
    """Raise :class:`PackageLockedError` if the workbook is open elsewhere or read-only."""
    locks = lock_files(target)
    if locks:
        raise PackageLockedError(
            "the workbook is open in Excel or LibreOffice (lock file found); close it and try again",
            path=target,
            lock_path=locks[0],
        )
    if target.exists():
        mode = target.stat().st_mode
        if not (mode & stat.S_IWUSR) or not os.access(target, os.W_OK):
            raise PackageLockedError("the workbook is read-only", path=target)
    folder = target.parent
    if not folder.is_dir():
        raise PackageError("the folder to save in does not exist", path=folder)
    if not os.access(folder, os.W_OK):
        raise PackageLockedError("cannot write in the workbook's folder (it is read-only)", path=folder)


def _save_error(exc: OSError, target: Path) -> PackageError:
    """One line for an OS error while saving; the original is untouched by then."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason = "there is not enough disk space (or quota) to save it"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return PackageLockedError("cannot write in the workbook's folder (it is read-only); the workbook is "
                                  "unchanged", path=target)
    else:
        reason = f"saving failed ({exc.strerror or type(exc).__name__})"
    return PackageError(f"{reason}; the workbook is unchanged", path=target)


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


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
    *,
    expect: FileIdentity | None = None,
    follow_link: bool = False,
) -> Path:
    """Write a file atomically; returns the file written (a symlink's target with ``follow_link``).

    ``write(fileobj)`` writes the content to an open binary file; ``verify(path)``
    re-reads the temp file and raises if it is not right. Only then is the temp
    file renamed onto ``target``, and, given ``expect``, only if the target is
    still the file that was read (else :class:`WorkbookChangedError`).
    ``follow_link``: ``target`` is the workbook being saved in place, whose link
    is followed; any other target that is a link is refused.
    """
    if not follow_link:
        refuse_link(Path(target))
    target = real_target(Path(target))
    check_writable(target)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".~kpi-{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _save_error(exc, target) from None
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as out:
                _step_hook("temp-created")
                write(out)
                _step_hook("written")
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise _save_error(exc, target) from None
        _step_hook("synced")
        # mkstemp makes the file private (0600); keep the workbook's own permissions, or the usual ones.
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode) if target.exists() else _default_mode())
        try:
            verify(tmp)
        except OoxmlError as exc:
            raise PackageVerificationError(f"the new file failed its check ({exc}); the original is unchanged",
                                           path=target) from exc
        except Exception as exc:  # any surprise in verification must still protect the original
            raise PackageVerificationError(
                f"the new file failed its check ({type(exc).__name__}: {exc}); the original is unchanged",
                path=target,
            ) from exc
        _step_hook("verified")
        check_writable(target)  # Excel may have opened it while we worked
        if expect is not None:
            try:
                now = FileIdentity.of(os.stat(target))
            except FileNotFoundError:
                now = None
            if now != expect:
                raise WorkbookChangedError("the workbook changed on disk while it was being refreshed (saved in "
                                           "Excel, synced, or copied over); nothing was written: run again",
                                           path=target)
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            # Windows refuses to replace a file another program holds open.
            raise PackageLockedError("the workbook is open in another program", path=target) from exc
        except OSError as exc:
            raise _save_error(exc, target) from None
        _step_hook("replaced")
        with contextlib.suppress(OSError):
            _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


# ---- one refresh at a time ----------------------------------------------------------------------


def lock_file_of(target: Path) -> Path:
    """The lock file beside a workbook: ``~$`` first, so OneDrive and SharePoint never sync it
    (they skip Office's own ``~$`` files), and a name Excel never looks at (its own is
    ``~$<name>`` exactly)."""
    return target.with_name(f"~${target.name}.kpi-excel.lock")


def _try_lock(fd: int) -> bool:
    if os.name == "nt":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def workbook_lock(target: Path, *, wait: float = 0.0) -> Iterator[Path]:
    """Hold the exclusive refresh lock of the workbook at ``target`` (through any symlink).

    An operating-system lock on :func:`lock_file_of`, so a crashed process
    never leaves a stale lock: the kernel drops it. Another holder makes this
    raise :class:`RefreshInProgressError` (after ``wait`` seconds of retrying).
    The lock file is removed on release.
    """
    real = real_target(Path(target))
    lock = lock_file_of(real)
    deadline = time.monotonic() + wait
    while True:
        try:
            if os.path.islink(lock):  # Windows has no O_NOFOLLOW; elsewhere it closes the race too
                raise OSError(errno.ELOOP, "a symbolic link")
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise PackageLockedError(f"the lock file {lock.name} is a symbolic link, which kpi-excel never "
                                         "follows: remove it and try again", path=real) from None
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise PackageLockedError("cannot write in the workbook's folder (it is read-only)",
                                         path=real.parent) from None
            if exc.errno == errno.ENOENT:
                raise PackageError("the folder of the workbook does not exist", path=real.parent) from None
            raise _save_error(exc, real) from None
        if _try_lock(fd):
            # The holder before us may have removed the file after we opened it: a lock on a
            # removed file guards nothing, so make sure ours is the file at the path.
            try:
                same = os.path.samestat(os.fstat(fd), os.lstat(lock))
            except FileNotFoundError:
                same = False
            if same:
                break
        os.close(fd)
        if time.monotonic() >= deadline:
            raise RefreshInProgressError(f"{real.name} is being refreshed by another process; try again",
                                         lock_path=lock)
        time.sleep(0.1)
    try:
        yield real
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()  # before unlocking, so a waiter re-checks and finds a new file
        os.close(fd)
