"""SheetValues.block hands the rows of SheetValues.grid made only when asked for, and the
block a column at a time: every way of reading it must give what the grid's rows give."""

from __future__ import annotations

import datetime as dt
import random
from array import array
from itertools import compress

import pytest

from kpi_excel.ooxml.errors import UnsafePackageError
from kpi_excel.ooxml.sheet_values import SheetValues

FORMATS = {0: "General", 1: "0.0%", 2: "dd/mm/yyyy", 3: "@"}


def _sheet(seed: int) -> SheetValues:
    rng = random.Random(seed)
    cells = {}
    top = rng.choice([1, 2, 7])
    for row in range(top, top + rng.randint(0, 40)):
        if seed % 3 and rng.random() < 0.3:
            continue  # a gap: an empty row
        # Every third sheet has every row's cells in columns A to C (a Data sheet: evenly spaced cells)
        for col in range(1, 4) if seed % 3 == 0 else rng.sample(range(1, 9), rng.randint(1, 6)):
            cells[(row, col)] = (rng.choice([None, 0, 1, 2.5, -0.0, True, 45000, 45000.25, "K01", "", " x "]),
                                 rng.choice([0, 0, 1, 2, 3]))
    keys = sorted(cells)
    return SheetValues("Data", array("q", [(r << 14) | (c - 1) for r, c in keys]),
                       [cells[k][0] for k in keys], array("l", [cells[k][1] for k in keys]), {},
                       FORMATS, frozenset({2}))


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("date1904", [False, True])
def test_the_block_reads_as_the_grid(seed: int, date1904: bool) -> None:
    sheet = _sheet(seed)
    grid = sheet.grid(date1904=date1904)
    block = sheet.block(date1904=date1904)
    assert block.top == grid.top
    for rows, made in ((block.values, grid.values), (block.formats, grid.formats)):
        assert len(rows) == len(made)
        assert list(rows) == made
        rng = random.Random(seed)
        for start in {0, 1, rng.randint(0, len(made)), len(made)}:
            part, listed = rows[start:], made[start:]
            assert list(part) == listed
            present = list(compress(range(len(listed)), listed))
            assert part.columns([]) == (present, [])
            indices = rng.sample(range(10), rng.randint(1, 10))
            assert part.columns(indices) == (present, [[listed[k][i] if i < len(listed[k]) else None
                                                        for k in present] for i in indices])


def test_the_sheets_compared_hold_dates_gaps_and_blank_styled_cells() -> None:
    grids = [_sheet(seed).grid().values for seed in range(60)]
    assert any(isinstance(v, dt.datetime) for rows in grids for row in rows for v in row)
    assert any(row == () for rows in grids for row in rows)
    assert any(None in row for rows in grids for row in rows)


def test_the_block_is_refused_as_the_grid_is() -> None:
    keys = array("q", [(1 << 14) | 0, (1_048_576 << 14) | 16_383])
    sheet = SheetValues("Data", keys, [1, 2], array("l", [0, 0]), {}, {0: "General"})
    with pytest.raises(UnsafePackageError) as by_rows:
        sheet.grid(max_grid=1_000)
    with pytest.raises(UnsafePackageError) as by_columns:
        sheet.block(max_grid=1_000)
    assert str(by_rows.value) == str(by_columns.value)


def test_an_empty_sheet_is_an_empty_block() -> None:
    sheet = SheetValues("Data", array("q"), [], array("l"), {}, {0: "General"})
    block = sheet.block()
    assert (block.top, list(block.values), list(block.formats)) == tuple(sheet.grid())
    assert block.values.columns([0]) == ([], [[]])
