"""The cycle collector is off during a refresh and back as it was afterwards, even after an error."""

from __future__ import annotations

import gc

import pytest

from kpi_excel.cycle_pause import cycle_collector_paused


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), cycle_collector_paused():
        raise ValueError("a refresh that fails")
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    try:
        with cycle_collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_refresh_leaves_it_on(tmp_path) -> None:
    from kpi_excel.workbook.report_file import new_report, refresh_report

    path = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(path)
    assert gc.isenabled()
