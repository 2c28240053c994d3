"""Existing cells are rewritten from one parse of their new XML (a refresh rewrites its
computed columns in every row): the tree must be the one that writing them one at a
time gives, element for element, whatever each cell held before."""

from __future__ import annotations

import random

import pytest
from lxml import etree

from kpi_excel.ooxml import KEEP
from kpi_excel.ooxml.cells import WorksheetEditor
from tests.ooxml.test_cells_write_batch import MAIN, STYLES, VALUES

X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
# Every kind of cell a sheet may already hold in row 3, columns A..N.
EXISTING = [
    '<c r="A3"><v>1</v></c>',
    '<c r="B3" s="4" t="s"><v>0</v></c>',
    '<c r="C3" t="inlineStr" s="2"><is><t xml:space="preserve"> old </t></is></c>',
    '<c r="D3" s="5" t="str" cm="1"><v>text</v></c>',
    '<c r="E3" vm="2" s="9"><v>3</v></c>',
    '<c r="F3" s="3"/>',
    '<c r="G3"><f>SUM(A1:A2)</f><v>3</v></c>',
    '<c r="H3"><v>1</v><extLst/></c>',
    '<c r="I3">\n  <v>1</v>\n</c>',
    '<c r="J3" x14ac:foo="1"><v>1</v></c>',
    '<c r="K3" ph="1" t="b"><v>1</v></c>',
    '<c r="L3" t="inlineStr"><is><r><t>rich</t></r></is></c>',
    '<c r="M3" t="e"><v>#N/A</v></c>',
    '<c r="N3" s="7"><v>2</v></c>\n',
]
SHEET = (f'<worksheet xmlns="{MAIN}" xmlns:x14ac="{X14AC}"><dimension ref="A3:N4"/><sheetData>'
         f'<row r="3" spans="1:14">{"".join(EXISTING)}</row>'
         '<row r="4"><c r="A4"><v>1</v></c><c r="B4"><v>2</v></c></row>'
         '</sheetData><pageMargins/></worksheet>')


def _editors() -> tuple[WorksheetEditor, WorksheetEditor]:
    fast = WorksheetEditor(etree.fromstring(SHEET), sheet="Sheet1")
    single = WorksheetEditor(etree.fromstring(SHEET), sheet="Sheet1")
    single._overwrite_cells = lambda items, report: list(items)  # type: ignore[method-assign]
    return fast, single


def _same(items: list[tuple[int, int, object, int | None]]) -> None:
    fast, single = _editors()
    got, want = fast.write(items), single.write(items)
    assert etree.tostring(fast.root) == etree.tostring(single.root)
    assert (got.cells_written, got.formulas_removed, got.written_range) == \
        (want.cells_written, want.formulas_removed, want.written_range)
    # The editor's own indexes hold the swapped cells: a second write lands on them.
    again = [(r, c, "again", 6) for r, c, _, _ in items[::2]]
    fast.write(again)
    single.write(again)
    assert etree.tostring(fast.root) == etree.tostring(single.root)


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("style", STYLES)
def test_every_value_and_style_over_every_kind_of_cell(value: object, style: int | None) -> None:
    _same([(3, col, value, style) for col in range(1, len(EXISTING) + 1)])


def test_repeated_cells_and_new_cells_among_existing_ones() -> None:
    items = [(3, 2, "first", None), (4, 1, 7.5, 3), (3, 2, "second", 4), (4, 3, "new", None),
             (3, 1, KEEP, 5), (3, 6, KEEP, 0), (4, 2, None, None), (5, 1, 1.0, None)]
    _same(items)


def test_random_columns_over_a_refreshed_table() -> None:
    rng = random.Random(20)
    items = []
    for r in (3, 4):
        for col in rng.sample(range(1, 20), 12):
            items.append((r, col, rng.choice(VALUES), rng.choice(STYLES)))
    _same(items)


def test_cells_swapped_a_few_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Old and new cells are alive together only a chunk at a time; the chunks join seamlessly."""
    from kpi_excel.ooxml import cells

    monkeypatch.setattr(cells, "_SWAP_CHUNK", 3)
    _same([(r, col, value, 3 if col % 2 else None) for r in (3, 4) for col, value in
           zip(range(1, 15), ["", 1.5, "a", None, " b ", "", True, 2, "c", "", 0.0, "d", "e", ""])])
