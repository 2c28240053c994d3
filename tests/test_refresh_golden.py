"""A refresh writes exactly what it wrote before the speed work: every cell, problem and chart.

The goldens were captured from main before the reading, observation and
writing paths were made columnar (see ``tests/refresh_golden.py``, which also
regenerates them when a change of output is intended).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.refresh_golden import NAMES, capture, differences, load_golden


@pytest.mark.parametrize("name", NAMES)
def test_refresh_is_identical_to_its_golden(name: str, tmp_path: Path) -> None:
    expected = load_golden(name)
    actual = capture(name, tmp_path)
    found = differences(expected, actual)
    assert not found, f"{name}: the refresh wrote something else\n" + "\n".join(found)


def test_the_comparison_sees_one_changed_cell(tmp_path: Path) -> None:
    """The check is not blind: one cell's value changed in one sheet is named with its reference."""
    expected = load_golden("example")
    actual = {**expected, "parts": dict(expected["parts"])}  # type: ignore[arg-type]
    part = next(p for p in actual["parts"] if p.startswith("xl/worksheets/sheet"))  # type: ignore[union-attr]
    text = actual["parts"][part]  # type: ignore[index]
    at = text.index("<v>")
    actual["parts"][part] = text[:at] + "<v>9" + text[at + 3:]  # type: ignore[index]
    found = differences(expected, actual)
    assert len(found) == 1 and found[0].startswith(f"{part} ") and "expected" in found[0]
