"""A refresh runs without full cycle-collector passes; the thresholds are back afterwards, even after an error."""

from __future__ import annotations

import gc

import pytest

from kpi_excel.cycle_pause import cycle_collector_paused


def test_no_full_passes_inside_and_thresholds_restored_after() -> None:
    before = gc.get_threshold()
    with cycle_collector_paused():
        inside = gc.get_threshold()
        assert inside[:2] == before[:2] and inside[2] >= 1_000_000  # young generations still collected
        assert gc.isenabled()
    assert gc.get_threshold() == before
    with pytest.raises(ValueError), cycle_collector_paused():
        raise ValueError("a refresh that fails")
    assert gc.get_threshold() == before


def test_overlapping_blocks_restore_once_the_last_ends() -> None:
    before = gc.get_threshold()
    outer = cycle_collector_paused()
    outer.__enter__()
    with cycle_collector_paused():
        pass
    assert gc.get_threshold()[2] >= 1_000_000  # the outer block still runs
    outer.__exit__(None, None, None)
    assert gc.get_threshold() == before


def test_young_cycles_are_still_freed() -> None:
    import weakref

    class Node:
        pass

    with cycle_collector_paused():
        node = Node()
        node.me = node  # type: ignore[attr-defined]
        alive = weakref.ref(node)
        del node
        gc.collect(0)
        gc.collect(1)
        assert alive() is None


def test_a_refresh_leaves_the_thresholds_as_they_were(tmp_path) -> None:
    from kpi_excel.app.report_files import new_report, refresh_report

    before = gc.get_threshold()
    path = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(path)
    assert gc.get_threshold() == before and gc.isenabled()
