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
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["cycle_collector_paused"]

# A full pass would need a million young-generation passes first: none in a refresh.
_NO_FULL_PASSES = 1_000_000


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Run the block without full cycle-collector passes; the thresholds are put back after."""
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], _NO_FULL_PASSES)
    try:
        yield
    finally:
        gc.set_threshold(*before)
