"""No full passes of Python's cycle collector while a refresh builds and drops millions of objects.

A refresh of 2,000 indicators makes millions of short-lived lists, tuples and
strings (cells, rows, observations) and few reference cycles: refcounting frees
them. A full collector pass walks every live object, and a refresh used to
trigger a dozen: about a fifth of its time (0.7-0.8 s of 4 s on the refresh
bench). During a refresh only the young generations are collected (cheap: they
hold what was made since the last pass), so short-lived cycles - pandas makes
some - are still freed and peak memory stays as it was (switching the collector
off altogether kept 17-40 MB more in bench_sparse's stray-cell cases). The
thresholds are put back afterwards, whatever happens.

The thresholds belong to the whole process, so only the ``refresh`` and ``benchmark``
commands and the desktop add-in's Refresh button pause (each runs in a process of its own:
RunPython starts one per click); never ``refresh_report`` or anything a
server's request runs, where other threads share the collector.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

__all__ = ["cycle_collector_paused", "imports_frozen"]

# A full pass would need a million young-generation passes first: none in a refresh.
_NO_FULL_PASSES = 1_000_000


_lock = threading.Lock()
_depth = 0  # refreshes inside the block now (threads, or one inside another)
_saved: tuple[int, ...] = ()


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Run the block without full cycle-collector passes; the thresholds are put back when the
    last block running (in any thread) ends, so overlapping refreshes cannot leave them changed."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(_saved[0], _saved[1], _NO_FULL_PASSES)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.set_threshold(*_saved)


_imports_frozen = False


@contextmanager
def imports_frozen() -> Iterator[None]:
    """Import in the block without cycle-collector passes, then keep every object alive out of
    all later passes (``gc.freeze``): what a refresh imports (pandas, numpy, lxml, kpi_excel: a
    few hundred thousand objects) lives as long as the process and holds no garbage, yet each
    young pass made while importing walked it, and so do the full passes the interpreter makes
    at exit - about 0.09 s of the command's 0.8 s on a 100-indicator report. Garbage left before
    the block is collected first; the cyclic garbage the imports themselves leave is frozen with
    them and kept for good (~740 objects, ~0.2 MB for a refresh's: collecting it would cost a
    young pass over all of them, ~20 ms). Everything else alive is frozen too, so an object of
    the caller's that becomes cyclic garbage later is never freed: only for a process of its own
    (the ``refresh`` and ``benchmark`` commands, the desktop button), and once a process: later
    blocks run as they are."""
    global _imports_frozen
    with _lock:
        first, _imports_frozen = not _imports_frozen, True
    if not first:
        yield
        return
    enabled = gc.isenabled()
    gc.collect()  # at start-up: cheap
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
