"""New cells are built from one parse of their XML: the tree must be the one that writing
them one at a time gives, element for element, whatever the sheet already holds."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml import KEEP
from kpi_excel.ooxml.cells import WorksheetEditor
from kpi_excel.ooxml.sheet_values import ErrorValue

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

SHEET = (
    f'<worksheet xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<dimension ref="B2:F9"/><cols><col min="3" max="4" width="9" style="7" customWidth="1"/></cols><sheetData>'
    '<row r="2" spans="2:6"><c r="B2" s="4"><v>1</v></c><c r="F2" t="inlineStr"><is><t>x</t></is></c></row>\n'
    '<row r="4" spans="1:2 5:6" s="11" customFormat="1"><c r="E4"><f>SUM(B2:B3)</f><v>1</v></c></row>\n'
    '<row r="5" spans="oops"><c r="A5"><v>2</v></c></row>'
    '<row r="6"/>'
    '<row r="9" ht="30" customHeight="1"><c r="D9" s="2"><v>5</v></c><extLst/></row>'
    "</sheetData><pageMargins/></worksheet>"
)

VALUES = [None, KEEP, 0, -3, 2.5, 1e-7, 12345678901234.0, True, False, "", " padded ", "two\nlines",
          "carriage\rreturn", "a & b < c > d", "_x0041_ literal", "tab\there", "bell\x07", "=SUM(A1)",
          "\u00e9t\u00e9 \u2264 5", ErrorValue("#N/A"), dt.date(2024, 3, 1), dt.datetime(2024, 3, 1, 12, 30),
          dt.time(6, 0), float("nan"), -0.0, 1e20, 0.1 + 0.2, "plain text", "under_score", "\u00a0nbsp"]
STYLES = [None, 0, 3, 12]


def _editors() -> tuple[WorksheetEditor, WorksheetEditor]:
    batch = WorksheetEditor(etree.fromstring(SHEET), sheet="Sheet1")
    single = WorksheetEditor(etree.fromstring(SHEET), sheet="Sheet1")
    single._add_new_cells = lambda items, report: list(items)  # type: ignore[method-assign]
    return batch, single


def _same(items: list[tuple[int, int, object, int | None]]) -> None:
    batch, single = _editors()
    got, want = batch.write(items), single.write(items)
    assert etree.tostring(batch.root) == etree.tostring(single.root)
    assert (got.cells_written, got.formulas_removed, got.written_range) == \
        (want.cells_written, want.formulas_removed, want.written_range)
    # The editor's own indexes hold the new cells: a second write lands on them.
    again = [(r, c, "again", None) for r, c, _, _ in items[::3]]
    batch.write(again)
    single.write(again)
    assert etree.tostring(batch.root) == etree.tostring(single.root)


def test_every_kind_of_value_and_style_in_new_and_existing_rows() -> None:
    items = []
    for k, value in enumerate(VALUES):
        for j, style in enumerate(STYLES):
            items.append((1 + k % 12, 1 + (k * 4 + j) % 9, value, style))
    seen: set[tuple[int, int]] = set()
    _same([item for item in items if (item[0], item[1]) not in seen and not seen.add((item[0], item[1]))])


@pytest.mark.parametrize("seed", range(6))
def test_random_writes_match_one_at_a_time(seed: int) -> None:
    rng = random.Random(seed)
    items = [(rng.randint(1, 14), rng.randint(1, 10), rng.choice(VALUES), rng.choice(STYLES))
             for _ in range(rng.randint(1, 120))]
    _same(items)  # repeats included: a cell written twice goes the one-at-a-time way


def test_whole_new_block_below_the_sheet_and_a_row_between_existing_ones() -> None:
    items = [(r, c, f"r{r}c{c}" if c % 2 else r * c + 0.25, 5 if c == 1 else None)
             for r in (3, 7, 8, *range(20, 60)) for c in range(1, 16)]
    _same(items)


def test_a_lone_surrogate_is_left_to_the_one_at_a_time_path() -> None:
    batch, single = _editors()
    items = [(30, 1, "fine", None), (31, 1, "half \ud800 pair", None), (31, 2, 3, None)]
    outcomes = []
    for editor in (batch, single):
        try:
            editor.write(items)
            outcomes.append(etree.tostring(editor.root))
        except (ValueError, OoxmlValueError) as error:
            outcomes.append(type(error).__name__)
    assert outcomes[0] == outcomes[1]


def test_what_a_cell_cannot_hold_is_refused_before_anything_changes() -> None:
    batch, _ = _editors()
    before = etree.tostring(batch.root)
    with pytest.raises(OoxmlValueError, match="cannot write"):
        batch.write([(40, 1, "ok", None), (41, 1, float("inf"), None)])
    assert etree.tostring(batch.root) == before
    with pytest.raises(OoxmlValueError, match="cannot write a dict"):
        batch.write([(40, 1, {"a": 1}, None)])
    assert etree.tostring(batch.root) == before
