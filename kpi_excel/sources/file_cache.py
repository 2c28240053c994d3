"""Reference files read once a process, and again when they change.

The web server refreshes one workbook after another against the same LAIT
data, dictionary and statistical-neighbour lists; reading them cost 0.2 s a
request. :func:`cached` keeps what a reader made from a file, keyed on the
file's path and what ``stat`` says of it (device, inode, modification time in
nanoseconds, size), so a file rewritten or replaced (an administrator's new
LAIT download) is read again on the next request, and the old copy is dropped.

The server runs scripts in a thread pool: one lock guards the table, and a
lock a key makes a second request for a file being read wait for that read
instead of reading it too. What is cached is shared by every request, so a
reader must hand out values no request can change for another: immutable
ones (tuples, frozen dataclasses), or copies (a pandas frame's shallow copy is
enough under copy-on-write, the only mode of pandas 3).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Hashable, TypeVar

__all__ = ["cached", "remembered", "file_key", "clear_cache", "MAX_ENTRIES"]

T = TypeVar("T")

MAX_ENTRIES = 16  # a few LAIT downloads, their dictionaries and neighbour lists
_FileKey = tuple[str, int, int, int, int]

_lock = threading.Lock()
_entries: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
_loading: dict[tuple[Hashable, ...], threading.Lock] = {}


def file_key(path: Path | str) -> _FileKey:
    """(absolute path, device, inode, mtime_ns, size): another value when the file changes or is replaced."""
    absolute = os.path.abspath(path)
    found = os.stat(absolute)
    return absolute, found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size


def cached(kind: str, path: Path | str, load: Callable[[], T]) -> T:
    """``load()``'s result for ``path`` as it is now: read once, reused until the file changes.

    ``kind`` names the reader, so one file read two ways is cached twice. A
    missing file is not cached: ``load`` runs and raises its own error.
    """
    try:
        stamp = file_key(path)
    except OSError:
        return load()
    key = (kind, stamp)
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            return _entries[key]  # type: ignore[return-value]
        loading = _loading.setdefault(key, threading.Lock())
    with loading:
        with _lock:
            if key in _entries:  # another request read it while this one waited
                return _entries[key]  # type: ignore[return-value]
        try:
            value = load()
        except BaseException:
            with _lock:
                _loading.pop(key, None)
            raise
        with _lock:
            _loading.pop(key, None)
            for old in [k for k in _entries if k[0] == kind and k[1][0] == stamp[0]]:
                del _entries[old]  # the file's earlier content
            _entries[key] = value
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return value


def remembered(memo: dict[Hashable, Any] | None, key: Hashable | None, make: Callable[[], T]) -> T:
    """``make()``, kept in ``memo`` under ``key`` and taken from there next time.

    ``memo`` is what is worked out from one cached read (``LaitData.derived``): it lives and
    dies with that read, so a changed file starts afresh. With no memo, or no key (the answer
    depends on more than the read), ``make`` runs every time. What is kept is shared by every
    request, so ``make`` must return a value no caller changes; two threads may both make it,
    and either answer is the same.
    """
    if memo is None or key is None:
        return make()
    try:
        return memo[key]  # type: ignore[no-any-return]
    except KeyError:
        value = memo[key] = make()
        return value


def clear_cache() -> None:
    """Forget everything read (tests; a server never needs to)."""
    with _lock:
        _entries.clear()
