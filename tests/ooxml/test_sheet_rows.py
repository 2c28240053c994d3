"""A large write to a sheet not yet parsed goes to its rows held apart, a chunk at a time:
the saved bytes must be those of the same write through the whole tree, and sheets this
cannot edit exactly are refused (written through the whole tree instead)."""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest
from lxml import etree

from kpi_excel.ooxml import KEEP, CellRange, ChartSeries, ChartSpec, SheetSettings, TableSpec, XlsxPackage
from kpi_excel.ooxml import sheet_rows, xlsx_package
from kpi_excel.ooxml.cells import WorksheetEditor
from kpi_excel.ooxml.sheet_rows import set_apart
from kpi_excel.ooxml.xmlutil import NS
from tests.ooxml.helpers import minimal_xlsx, patch_part
from tests.ooxml.test_cells_write_batch import STYLES, VALUES

MAIN = NS["main"]
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"


def _body(rows: int, *, extra: str = "", dimension: str = "A1:F40") -> str:
    cells = []
    for r in range(2, rows + 2, 2):  # every other row, so new rows land between chunks' rows
        cells.append(f'<row r="{r}" spans="1:6" x14ac:dyDescent="0.25"><c r="A{r}" t="inlineStr"><is><t>K{r}</t>'
                     f'</is></c><c r="C{r}" s="2"><v>{r / 7}</v></c><c r="D{r}" t=\'str\'><v>a &amp; b</v></c>'
                     f'<c r="F{r}"><f>A{r}</f><v>0</v></c></row>\n')
    return (f'<dimension ref="{dimension}"/><cols><col min="2" max="2" width="9" style="5" customWidth="1"/></cols>'
            f'<sheetData>{"".join(cells)}{extra}</sheetData><pageMargins left="0.7" right="0.7" top="0.75" '
            'bottom="0.75" header="0.3" footer="0.3"/>')


def _package(body: str) -> XlsxPackage:
    data = patch_part(minimal_xlsx(body), "xl/worksheets/sheet1.xml", b'<worksheet xmlns="',
                      f'<worksheet xmlns:x14ac="{X14AC}" xmlns="'.encode())
    return XlsxPackage.open(data)


def _items(seed: int, rows: int) -> list[tuple[int, int, object, int | None]]:
    rng = random.Random(seed)
    items = []
    for r in range(1, rows + 4):
        for col in rng.sample(range(1, 8), 4):
            items.append((r, col, rng.choice(VALUES), rng.choice(STYLES)))
    items.append((rows + 40, 2, KEEP, None))
    return items


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rows_apart_save_what_the_whole_tree_saves(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)  # many chunks, and rows new between them
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1)
    body = _body(30)
    apart, whole = _package(body), _package(body)
    whole.opc.xml("xl/worksheets/sheet1.xml")  # parsed: the whole-tree path
    items = _items(seed, 30)
    got = apart._write("Sheet1", items)
    want = whole._write("Sheet1", items)
    assert apart.opc.held_apart("xl/worksheets/sheet1.xml")
    assert (got.cells_written, sorted(got.formulas_removed), got.written_range) == \
        (want.cells_written, sorted(want.formulas_removed), want.written_range)
    apart.set_managed_sparklines("Sheet1", [])  # edits of the frame keep the rows apart
    whole.set_managed_sparklines("Sheet1", [])
    assert apart.opc.held_apart("xl/worksheets/sheet1.xml")
    assert apart.to_bytes() == whole.to_bytes()
    assert apart.read_sheet("Sheet1").value(31, 2) == whole.read_sheet("Sheet1").value(31, 2)
    apart.set_cells("Sheet1", {(2, 1): "after"})  # a later write to rows apart
    whole.set_cells("Sheet1", {(2, 1): "after"})
    assert apart.to_bytes() == whole.to_bytes()
    # Asking for the whole tree joins the frame and the rows: later edits go there.
    apart.opc.xml("xl/worksheets/sheet1.xml")
    assert not apart.opc.held_apart("xl/worksheets/sheet1.xml")
    apart.set_cells("Sheet1", {(3, 1): "joined"})
    whole.set_cells("Sheet1", {(3, 1): "joined"})
    assert apart.to_bytes() == whole.to_bytes()


@pytest.mark.parametrize("extra, dimension", [
    ('<row r="2"><c r="A2"><v>1</v></c></row>', "A1:F40"),  # a row number again: out of order
    ('<row><c r="A99"><v>1</v></c></row>', "A1:F40"),  # a row without its number
    ('<row r="90"><c r="A90"><f t="shared" ref="A90:A91" si="0">B1</f></c></row>', "A1:F40"),
    ('<row r="90"><c r="A90"><f t="array" ref="A90">B1</f></c></row>', "A1:F40"),
    ('<!-- <row r="91"> -->', "A1:F40"),
    ("", "A1"),  # an empty sheet's dimension: the whole tree decides how it grows
])
def test_sheets_it_cannot_edit_exactly_are_refused(extra: str, dimension: str) -> None:
    pkg = _package(_body(6, extra=extra, dimension=dimension))
    assert set_apart(pkg.opc.read("xl/worksheets/sheet1.xml"), "sheet1") is None


def test_small_writes_and_parsed_sheets_use_the_whole_tree() -> None:
    pkg = _package(_body(6))
    pkg.set_cells("Sheet1", {(2, 2): 1.0})
    assert not pkg.opc.held_apart("xl/worksheets/sheet1.xml")


def _parts(pkg: XlsxPackage) -> dict[str, bytes]:
    """What the package saves, part by part (the zip's own times can differ by a second)."""
    with zipfile.ZipFile(io.BytesIO(pkg.to_bytes())) as saved:
        return {name: saved.read(name) for name in saved.namelist()}


def _overwrites(seed: int, rows: int, cols: tuple[int, ...]) -> list[tuple[int, int, object, int | None]]:
    """New values for cells that exist (the even rows' A, C, D; F holds a formula)."""
    rng = random.Random(seed)
    return [(r, col, rng.choice(VALUES), rng.choice(STYLES)) for r in range(2, rows + 2, 2) for col in cols]


@pytest.mark.parametrize("seed, cols", [(1, (1, 3, 4)), (2, (1, 3, 4)), (3, (4, 1)), (4, (1, 3, 6)), (5, (3,))])
def test_values_written_as_text_save_what_the_whole_tree_saves(monkeypatch: pytest.MonkeyPatch, seed: int,
                                                                cols: tuple[int, ...]) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1)
    body = _body(30, dimension="A1:C2")  # the written range grows the dimension
    apart, whole = _package(body), _package(body)
    whole.opc.xml("xl/worksheets/sheet1.xml")
    for round_ in range(2):  # a repeat write goes to text the first one wrote
        items = _overwrites(seed + 10 * round_, 30, cols)
        got = apart._write("Sheet1", items)
        want = whole._write("Sheet1", items)
        assert (got.cells_written, sorted(got.formulas_removed), got.written_range) == \
            (want.cells_written, sorted(want.formulas_removed), want.written_range)
        assert _parts(apart) == _parts(whole)


def test_values_for_plain_cells_are_written_without_parsing_the_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1)
    pkg = _package(_body(30))
    pkg._write("Sheet1", [(2, 1, "first", None)])  # sets the rows apart (parsing each chunk once)
    parsed: list[bytes] = []
    real = sheet_rows._parse_chunk
    monkeypatch.setattr(sheet_rows, "_parse_chunk", lambda head, chunk, part: parsed.append(chunk) or
                        real(head, chunk, part))
    items = [(r, col, value, 3) for r in range(2, 32, 2) for col, value in ((1, f"K{r} & co"), (3, r * 1.5))]
    assert pkg._write("Sheet1", items).cells_written == len(items)
    assert parsed == []
    pkg._write("Sheet1", [(2, 6, 1.0, None)])  # a formula cell: its chunk goes through the tree
    assert len(parsed) == 1
    values = pkg.read_sheet("Sheet1")
    assert (values.value(30, 1), values.value(30, 3), values.style(30, 3)) == ("K30 & co", 45.0, 3)


@pytest.mark.parametrize("item", [(35, 2, 7.0, None), (35, 2, KEEP, None), (33, 2, 7.0, None)])
def test_a_cell_whose_reference_names_another_row_is_written_as_the_whole_tree_writes_it(
        monkeypatch: pytest.MonkeyPatch, item: tuple[int, int, object, int | None]) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1)
    body = _body(30, extra='<row r="33"><c r="B35"><v>1</v></c></row>')  # B35 stands in row 33
    apart, whole = _package(body), _package(body)
    whole.opc.xml("xl/worksheets/sheet1.xml")
    for pkg in (apart, whole):
        pkg._write("Sheet1", [(2, 1, "first", None)])
        pkg._write("Sheet1", [item])
    assert apart.opc.held_apart("xl/worksheets/sheet1.xml")
    assert _parts(apart) == _parts(whole)


def _owned_sheet(pkg: XlsxPackage, rows: list[list[object]], looks: list[list[int | None]]) -> None:
    """A sheet of ours as a refresh writes one: rows and heights, settings, a table, a block below, charts."""
    heights = {r: 15.0 * (1 + r % 3) for r in range(1, len(rows) + 4, 2)}  # rows without cells too
    settings = SheetSettings(freeze=(2, 0), column_widths={1: 12, 3: 30}, row_heights=heights,
                             column_styles={3: 12}, row_breaks=(5,))
    pkg.write_owned_sheet("Ours", rows, styles=looks, settings=settings, table=TableSpec("Ours"), header_row=2)
    block = len(rows) + 3
    pkg.write_rows("Ours", (block, 1), [["Block"], ["x", "y", "z"], *[[f"r{i}", i * 0.5, None] for i in range(4)]],
                   styles=[[3], [None, 12]])
    pkg.write_rows("Ours", (4, 2), [[7.5, "over"]])  # cells that exist, in a row apart
    line = ChartSeries("Values", CellRange(3, 1, len(rows), 1), CellRange(3, 2, len(rows), 2), sheet="Ours")
    for anchor in ("H2", "H20"):  # two charts over the same cells: read once
        pkg.add_chart("Ours", ChartSpec(kind="line", title="Values", series=[line], anchor=anchor))
    scatter = ChartSeries("Block", CellRange(block + 2, 2, block + 5, 2), CellRange(block + 2, 2, block + 5, 2),
                          sheet="Ours", kind="scatter")
    pkg.add_chart("Ours", ChartSpec(kind="scatter", title="Block", series=[scatter]))
    pkg.set_print_area("Ours", f"A1:C{block}")
    pkg.hide_and_protect("Ours")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_sheet_of_ours_is_written_as_text_as_the_whole_tree_writes_it(monkeypatch: pytest.MonkeyPatch,
                                                                        seed: int) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)  # many chunks: spans and blocks cross them
    rng = random.Random(seed)
    values = [v for v in VALUES if not (isinstance(v, str) and v.startswith("_x"))]  # headers: text, as they are
    rows: list[list[object]] = [["Title"], ["Code", "Value", "Note"]]
    rows += [[f"K{r}", rng.choice(VALUES), rng.choice(values)] for r in range(20)]
    rows[8] = []  # a row with no cells
    looks = [[rng.choice(STYLES) for _ in row] for row in rows]
    text, tree = XlsxPackage.open(minimal_xlsx("<sheetData/>")), XlsxPackage.open(minimal_xlsx("<sheetData/>"))
    _owned_sheet(text, rows, looks)
    assert text.opc.held_apart(text.sheet("Ours").part)  # never a whole tree
    monkeypatch.setattr(xlsx_package, "new_rows", lambda *args: None)  # the whole-tree path
    _owned_sheet(tree, rows, looks)
    assert not tree.opc.held_apart(tree.sheet("Ours").part)
    assert _ours(text) == _ours(tree)
    for pkg in (text, tree):  # a second refresh replaces the sheet: its rows go as text again
        _owned_sheet(pkg, rows[:5], looks[:5])
    assert _ours(text) == _ours(tree)


def _ours(pkg: XlsxPackage) -> dict[str, bytes]:
    """The parts saved, but for the registry's random id."""
    return {name: data for name, data in _parts(pkg).items() if not name.startswith("customXml/itemProps")}


@pytest.mark.parametrize("top_left, rows", [((1, 1), [["Code"], ["lone \ud800 surrogate"]]), ((1, 1), []),
                                            ((1, 1), [[], []]), ((1, 16_384), [["A", "past the last column"]])])
def test_rows_text_cannot_carry_go_through_the_whole_tree(top_left: tuple[int, int], rows: list[list[object]]) -> None:
    root = etree.fromstring(f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>')
    assert sheet_rows.new_rows(WorksheetEditor(root, sheet="Ours"), top_left, rows, None, {}) is None


def test_an_empty_sheet_of_ours_has_no_rows_apart() -> None:
    pkg = XlsxPackage.open(minimal_xlsx("<sheetData/>"))
    pkg.write_owned_sheet("Ours", [[]])
    assert not pkg.opc.held_apart(pkg.sheet("Ours").part)


@pytest.mark.parametrize("only_if_absent", [True, False])
def test_heights_go_into_rows_apart_as_the_whole_tree_takes_them(monkeypatch: pytest.MonkeyPatch,
                                                                  only_if_absent: bool) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1)
    extra = '<row r="40" ht="30" customHeight="1"><c r="A40"><v>1</v></c></row><row r="41" customHeight="0"/>' \
            '<row r="42" ht=""><c r="A42"><v>2</v></c></row>'
    body = _body(30, extra=extra)
    apart, whole = _package(body), _package(body)
    whole.opc.xml("xl/worksheets/sheet1.xml")
    heights = {r: 15.0 + r for r in (2, 3, 4, 10, 40, 41, 42, 99)}  # rows 3 and 99 have no cells
    settings = SheetSettings(row_heights=heights, column_widths={2: 11.5})
    for pkg in (apart, whole):
        pkg._write("Sheet1", [(2, 1, "first", None)])
    assert apart.opc.held_apart("xl/worksheets/sheet1.xml")
    got = apart.apply_sheet_settings("Sheet1", settings, only_if_absent=only_if_absent)
    want = whole.apply_sheet_settings("Sheet1", settings, only_if_absent=only_if_absent)
    assert got == want and "row_heights" in got
    assert apart.opc.held_apart("xl/worksheets/sheet1.xml")  # the rows were never a whole tree
    assert _parts(apart) == _parts(whole)
    assert b'<row r="4" spans="1:6" x14ac:dyDescent="0.25" ht="19" customHeight="1">' in \
        apart.opc.read("xl/worksheets/sheet1.xml")


def test_a_kept_value_restyled_in_text_is_what_the_whole_tree_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1)
    body = _body(30)  # C has s="2", A and D none, F a formula
    apart, whole = _package(body), _package(body)
    whole.opc.xml("xl/worksheets/sheet1.xml")
    parsed: list[bytes] = []
    real = sheet_rows._parse_chunk
    items = [(r, col, KEEP, style) for r in range(2, 32, 2) for col, style in ((3, 0), (1, 5), (4, 0), (6, 7))]
    for pkg in (apart, whole):
        pkg._write("Sheet1", [(2, 1, "first", None)])
        monkeypatch.setattr(sheet_rows, "_parse_chunk", lambda head, chunk, part: parsed.append(chunk) or
                            real(head, chunk, part))
        pkg._write("Sheet1", items)
    assert parsed == []  # restyled in the text
    assert _parts(apart) == _parts(whole)
    assert b'<c r="C4"><v>' in apart.opc.read("xl/worksheets/sheet1.xml")  # style 0: no s


# Rows as lxml writes them, and each way a file's rows may be written otherwise (or be refused).
_CANONICAL_ROW = ('<row r="{r}" spans="1:6" x14ac:dyDescent="0.25"><c r="A{r}" t="inlineStr"><is><t>K&amp;{r} '
                  '&lt;&gt; "q" \'a\' 1:2</t></is></c><c r="B{r}" s="2"><v>{r}</v></c><c r="C{r}"/>'
                  '<c r="D{r}" t="inlineStr"><is><t xml:space="preserve"> x\ty\nz </t></is></c>'
                  '<c r="E{r}" t="inlineStr"><is><t>caf\u00e9 \u20ac</t></is></c><c r="F{r}"><v></v></c></row>')
_ROW_VARIANTS = [
    "", '<row r="{r}"><c r="A{r}"  s="1"/></row>', '<row r="{r}"><c r="A{r}" s="1" /></row>',
    '<row r="{r}"><c r="A{r}" s = "1"/></row>', "<row r='{r}'><c r=\"A{r}\"/></row>",
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>&#65;&#x42;</t></is></c></row>',
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>&quot;&apos; a > b</t></is></c></row>',
    '<row r="{r}" x14ac:dyDescent="a>b"><c r="A{r}"/></row>', '<row r="{r}" spans="1\t2"><c r="A{r}"/></row>',
    '<row r="{r}"\n spans="1:2"><c r="A{r}"/></row>', '<row r="{r}"><c r="A{r}"></c></row>',
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>a\r\nb</t></is></c></row>',
    '<row r="{r}" xmlns:y="urn:y" y:a="1"><c r="A{r}"/></row>', '<row r="{r}" spans="1:2 3:4"><c r="A{r}"/></row>',
    '<row r="{r}"><c r="A{r}" x14ac:b="1"/></row>', '<row r="{r}"><c r="A{r}" q:b="1"/></row>',
    '<row r="{r}"><c r="A{r}" a:="1"/></row>', '<row r="{r}"><c r="A{r}" a:b:c="1"/></row>',
    '<row r="{r}"><q:c r="A{r}"/></row>', '<row r="{r}"><c r="A{r}"><x14ac:e></x14ac:e></c></row>',
    '<row r="{r}"><c r="A{r}"><\u00e9></\u00e9></c></row>', '<row r="{r}"><c r="A{r}" \u00e9="1"/></row>',
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>a &amp;amp; &#10;</t></is></c></row>',
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>\u00e9:x</t></is></c></row>',
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>a</b></is></c></row>', '<row r="{r}"><c r="A{r}" r="B1"/></row>',
    '<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>\x01</t></is></c></row>',
]


@pytest.mark.parametrize("variant", _ROW_VARIANTS)
def test_rows_already_as_lxml_writes_them_are_set_apart_as_the_parse_sets_them(
        monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    """set_apart skips the parse and serialisation of rows already in lxml's form: what it holds
    (or refuses, or raises) is what the pass through lxml gives, for every kind of row text."""
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 2)
    rows = "".join(_CANONICAL_ROW.format(r=r) for r in range(1, 4)) + variant.format(r=4) + \
        _CANONICAL_ROW.format(r=5)
    data = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
            f'xmlns:x14ac="{X14AC}"><dimension ref="A1:F5"/><sheetData>{rows}</sheetData></worksheet>').encode()

    def outcome() -> object:
        try:
            found = set_apart(data, "xl/worksheets/sheet1.xml")
        except Exception as exc:  # noqa: BLE001 - the same refusal either way (where: the parse marks <t></t>)
            return type(exc), re.sub(r"(line|column) [0-9]+", "", str(exc))
        return None if found is None else (etree.tostring(found[0]), found[1].text, found[1].first_rows)

    fast = outcome()
    monkeypatch.setattr(sheet_rows, "_canonical", lambda rows, head: False)
    assert fast == outcome()


def test_rows_as_lxml_writes_them_are_recognised() -> None:
    """The fast path is taken for the rows a refresh saved (else it would never be tested)."""
    rows = "".join(_CANONICAL_ROW.format(r=r) for r in range(1, 4)).encode()
    head = f'<worksheet xmlns="{MAIN}" xmlns:x14ac="{X14AC}">'.encode()
    assert sheet_rows._canonical(rows, head)
    assert not sheet_rows._canonical(rows.replace(b' s="2"', b' s="2" '), head)


@pytest.mark.parametrize("bad", [(0, 2, 1.0, None), (2, 16_385, "x", None), (1_048_577, 1, KEEP, 3)])
def test_a_cell_outside_the_sheet_is_refused_before_rows_apart_change(monkeypatch: pytest.MonkeyPatch,
                                                                      bad: tuple[int, int, object, int | None]) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1)
    apart, whole = _package(_body(30)), _package(_body(30))
    whole.opc.xml("xl/worksheets/sheet1.xml")
    apart._write("Sheet1", [(2, 1, "first", None)])  # the rows set apart
    whole._write("Sheet1", [(2, 1, "first", None)])
    items = [(r, 3, r * 2.0, None) for r in range(2, 31)] + [bad]
    errors = []
    for pkg in (apart, whole):
        with pytest.raises(Exception) as caught:
            pkg._write("Sheet1", items)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]
    assert _parts(apart) == _parts(whole)  # nothing written by either


@pytest.mark.parametrize("seed", [4, 5])
def test_repeated_texts_and_rows_of_styles_are_written_as_the_whole_tree_writes_them(
        monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """new_rows works a text's cell out once and a row's styles once: texts repeated in other
    columns and under other styles, rows of styles shared, shorter than their rows or absent."""
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 4)
    rng = random.Random(seed)
    pool = [v for v in VALUES if not (isinstance(v, str) and v.startswith("_x"))][:12] + ["Red", "Red ", 1, 1.0]
    shared = [rng.choice(STYLES) for _ in range(3)]
    rows: list[list[object]] = [["Title"], ["Code", "Value", "Note"]]
    looks: list[list[int | None]] = [[None], [None, None, None]]
    for r in range(30):
        rows.append([rng.choice(pool) for _ in range(rng.choice([1, 3, 3, 4]))])
        looks.append(rng.choice([shared, shared, shared[:1], [], [rng.choice(STYLES)] * 4]))
    text, tree = XlsxPackage.open(minimal_xlsx("<sheetData/>")), XlsxPackage.open(minimal_xlsx("<sheetData/>"))
    _owned_sheet(text, rows, looks)
    assert text.opc.held_apart(text.sheet("Ours").part)
    monkeypatch.setattr(xlsx_package, "new_rows", lambda *args: None)
    _owned_sheet(tree, rows, looks)
    assert _ours(text) == _ours(tree)


def test_a_text_that_cannot_be_carried_is_refused_wherever_it_repeats() -> None:
    root = etree.fromstring(f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>')
    rows = [["fine", "fine"], ["fine", "lone \ud800 surrogate"]]
    assert sheet_rows.new_rows(WorksheetEditor(root, sheet="Ours"), (1, 1), rows, None, {}) is None


def test_charts_added_together_are_those_added_one_at_a_time() -> None:
    together, alone = XlsxPackage.open(minimal_xlsx("<sheetData/>")), XlsxPackage.open(minimal_xlsx("<sheetData/>"))
    rows: list[list[object]] = [["Code", "Value"], *[[f"K{r}", r * 1.5] for r in range(10)]]
    specs = []
    for anchor, first in (("D2", 2), ("D20", 2), ("D40", 5)):  # two over the same cells
        line = ChartSeries("Values", CellRange(first, 1, 11, 1), CellRange(first, 2, 11, 2), sheet="Ours")
        bar = ChartSeries("Bars", CellRange(first, 1, 11, 1), CellRange(first, 2, 11, 2), sheet="Sheet1")
        specs.append(ChartSpec(kind="column", title="Values", series=[line, bar], anchor=anchor))
    for pkg in (together, alone):
        pkg.write_rows("Sheet1", (1, 1), rows)
        pkg.write_owned_sheet("Ours", rows, header_row=1)
    together.add_charts("Ours", specs)
    for spec in specs:
        alone.add_chart("Ours", spec)
    assert _ours(together) == _ours(alone)


def _sheet_pr_package(body: str, *, stored: bool = False) -> XlsxPackage:
    data = minimal_xlsx(body)
    if stored:  # the same parts, stored rather than deflated
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
            for name in source.namelist():
                target.writestr(name, source.read(name))
        data = out.getvalue()
    return XlsxPackage.open(data)


@pytest.mark.parametrize("body, code_name", [
    ('<sheetPr codeName="kpiExcel3"/><dimension ref="A1"/><sheetData/>', "kpiExcel3"),
    ('<sheetPr filterMode="0"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>', None),
    ('<dimension ref="A1"/><sheetData/>', None),
    # sheetPr after the rows (not what the schema allows): found all the same, by reading it all
    ('<dimension ref="A1"/><sheetData><row r="1"/></sheetData><sheetPr codeName="late"/>', "late"),
    # "<sheetData" in a comment before the rows: the start is not plain, so it is read all
    ('<!-- <sheetData --><sheetPr codeName="kpiExcel4"/><sheetData/>', "kpiExcel4"),
    # a start longer than what is inflated to look in
    ('<cols>' + '<col min="1" max="1" width="9"/>' * 3000 + '</cols><sheetPr codeName="far"/><sheetData/>', "far"),
])
@pytest.mark.parametrize("stored", [False, True])
def test_a_sheets_code_name_is_read_from_its_start_as_from_the_whole_part(body: str, code_name: str | None,
                                                                           stored: bool) -> None:
    pkg = _sheet_pr_package(body, stored=stored)
    part = pkg.sheet("Sheet1").part
    assert pkg._code_name(part) == code_name
    data = pkg.opc.read(part)
    assert pkg.opc.head(part, 50) == data[:50] and pkg.opc.head(part, len(data) + 10) == data


def test_equal_values_of_other_types_are_written_as_the_whole_tree_writes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell's new text is worked out once per (attributes, style, value): 1, 1.0 and True are
    equal as keys but are written as different cells, as are 0, 0.0, -0.0 and False."""
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1)
    apart, whole = _package(_body(30)), _package(_body(30))
    whole.opc.xml("xl/worksheets/sheet1.xml")
    values = [1, 1.0, True, 0, 0.0, -0.0, False, "1", None, float("nan")]
    items = [(r, col, values[(r // 2 + col) % len(values)], style)
             for r in range(2, 32, 2) for col, style in ((1, None), (3, 2), (4, None))]
    parsed: list[bytes] = []
    real = sheet_rows._parse_chunk
    apart._write("Sheet1", [(2, 1, "first", None)])
    whole._write("Sheet1", [(2, 1, "first", None)])
    monkeypatch.setattr(sheet_rows, "_parse_chunk", lambda head, chunk, part: parsed.append(chunk) or
                        real(head, chunk, part))
    got, want = apart._write("Sheet1", items), whole._write("Sheet1", items)
    assert parsed == []  # written as text
    assert (got.cells_written, got.written_range) == (want.cells_written, want.written_range)
    assert _parts(apart) == _parts(whole)


@pytest.mark.parametrize("apart", [True, False])
def test_columns_written_in_two_writes_save_what_one_write_saves(monkeypatch: pytest.MonkeyPatch,
                                                                   apart: bool) -> None:
    """A KPIs sheet the registry does not name is written in two writes (the computed columns,
    then, once its code name says it is ours, the kept columns that wrap): as one write would."""
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)
    monkeypatch.setattr(xlsx_package, "ROWS_APART_FROM", 1 if apart else 10**9)
    rng = random.Random(7)
    computed = {col: [rng.choice(VALUES) for _ in range(31)] for col in (3, 4)}
    kept = {col: [KEEP] * 31 for col in (1, 2)}
    looks = {col: [rng.choice(STYLES) for _ in range(31)] for col in (1, 2, 3, 4)}
    one, two = _package(_body(30)), _package(_body(30))
    one.write_columns("Sheet1", 2, {**computed, **kept}, styles=looks)
    two.write_columns("Sheet1", 2, computed, styles=looks)
    two.write_columns("Sheet1", 2, kept, styles=looks)
    assert two.opc.held_apart("xl/worksheets/sheet1.xml") is apart
    assert _parts(one) == _parts(two)


@pytest.mark.parametrize("order", ["columns", "rows", "random", "falling"])
def test_items_cut_by_runs_go_to_the_chunks_sorting_puts_them_in(monkeypatch: pytest.MonkeyPatch, order: str) -> None:
    """Items in a few runs of rising rows are cut where chunks begin; as sorting them by row
    groups them (each chunk's items in their own order)."""
    starts = [5, 9, 14, 30]
    items = [(r, c, r * c, None) for c in range(1, 5) for r in range(1, 40)]  # a column block
    if order == "rows":
        items.sort()
    elif order == "random":
        random.Random(3).shuffle(items)
    elif order == "falling":
        items.reverse()
    numbers = [item[0] for item in items]
    got = sheet_rows._by_chunk(starts, items, numbers)
    monkeypatch.setattr(sheet_rows, "_MAX_RUNS", 0)  # the sort
    assert got == sheet_rows._by_chunk(starts, items, numbers)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_block_below_the_rows_apart_is_added_as_the_chunk_editor_writes_it(monkeypatch: pytest.MonkeyPatch,
                                                                              seed: int) -> None:
    monkeypatch.setattr(sheet_rows, "CHUNK_ROWS", 3)  # blocks of many chunks, after a last chunk part full
    rng = random.Random(seed)
    rows: list[list[object]] = [["Title"], ["Code", "Value", "Note"]]
    rows += [[f"K{r}", rng.choice(VALUES), f"n{r}"] for r in range(10)]
    looks = [[rng.choice(STYLES) for _ in row] for row in rows]
    blocks = []
    top = len(rows) + 3
    for _ in range(3):  # one under another, as the Benchmark sheet's funnels
        block = [[rng.choice(VALUES) for _ in range(rng.randint(0, 5))] for _ in range(rng.randint(1, 8))]
        block.append([float("nan"), None, "x"])
        block_looks = [[rng.choice(STYLES) for _ in row[: rng.randint(0, len(row))]] for row in block]
        blocks.append((top, block, block_looks))
        top += len(block) + rng.randint(1, 3)
    added = []
    append = xlsx_package.XlsxPackage._append_apart

    def spy(self, *args):  # type: ignore[no-untyped-def]
        report = append(self, *args)
        added.append(report is not None)
        return report

    reports = {}
    for way in ("text", "editor"):
        if way == "editor":
            monkeypatch.setattr(xlsx_package.XlsxPackage, "_append_apart", lambda self, *args: None)
        else:
            monkeypatch.setattr(xlsx_package.XlsxPackage, "_append_apart", spy)
        pkg = XlsxPackage.open(minimal_xlsx("<sheetData/>"))
        settings = SheetSettings(column_widths={1: 12}, column_styles={2: 12})
        pkg.write_owned_sheet("Ours", rows, styles=looks, settings=settings, table=TableSpec("Ours"), header_row=2)
        done = [pkg.write_rows("Ours", (block_top, 2), block, styles=block_looks)
                for block_top, block, block_looks in blocks]
        done.append(pkg.write_rows("Ours", (4, 1), [["over", 1.5]]))  # among the rows: the editor's way
        reports[way] = (_ours(pkg), done)
    assert added == [True, True, True, False]
    assert reports["text"] == reports["editor"]
