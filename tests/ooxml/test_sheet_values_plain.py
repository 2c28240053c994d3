"""The numpy reading of plain cells gives what the cell-by-cell loop gives, to the type.

A Data sheet of a million rows is read a chunk at a time in numpy when every
cell of the chunk has the plain form (a number or a shared string); anything
else in a chunk leaves it to the loop. Both must agree on every value (an int
stays an int, 1e3 a float), style and blank, and on the errors they name.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_excel.ooxml.errors import CorruptPackageError
from kpi_excel.ooxml import sheet_values
from kpi_excel.ooxml.refs import cell_ref
from kpi_excel.ooxml.sheet_values import read_sheet_values

SST = ["Code", "Period", "Q1 2024/25", "a & <b>"]
HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')

number_texts = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(-1e6, 1e6).map(lambda x: f"{x:.4f}"),
    st.sampled_from(["0", "-0", "007", "0.5", ".5", "5.", "-.5", "1e3", "1E-2", "+5", " 5", "5 ", "1_0", "nan",
                     "inf", "-", ".", "1.2.3", "abc", "&#49;", "", "12345678901234567890", "-9223372036854775809",
                     "1\x002"]),
)
cells = st.one_of(
    st.tuples(st.just("n"), number_texts),
    st.tuples(st.just("s"), st.sampled_from(["0", "1", "2", "3", "4", "", "x", "007"])),
    st.tuples(st.just("blank"), st.just("")),
    st.tuples(st.just("inline"), st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12).map(
            lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")),
        st.sampled_from(["", "Q1 2026/27", "&gt;96.9", "a &amp; b", "&#65;&#x42;", "&#1;", "&#x110000;",
                         "&#123456789;", "_x0041_", "_x000D_ _x", "&bogus;", "caf\u00e9", "x" * 40]))),
    st.tuples(st.just("inline-other"), st.sampled_from([
        "/>", "></c>", "><v>5</v></c>", "><v></v></c>", '><is><t xml:space="preserve"> a </t></is></c>',
        "><is><r><t>a</t></r><r><t>b</t></r></is></c>", "><is><t>a</t><rPh><t>b</t></rPh></is></c>"])),
)


def _cell(ref: str, kind: str, text: str, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if kind == "blank":
        return f'<c r="{ref}"{s}/>'
    if kind == "inline":
        return f'<c r="{ref}"{s} t="inlineStr"><is><t>{text}</t></is></c>'
    if kind == "inline-other":
        return f'<c r="{ref}"{s} t="inlineStr"{text}'
    t = ' t="s"' if kind == "s" else ""
    return f'<c r="{ref}"{s}{t}><v>{text}</v></c>'


def _read(xml: bytes, numpy: bool):  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as patch:
        if not numpy:
            patch.setattr(sheet_values, "_plain_cells", lambda *args: None)
        try:
            return read_sheet_values(xml, SST, sheet="Data")
        except CorruptPackageError as error:
            return str(error)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(grid=st.lists(st.lists(st.tuples(cells, st.integers(0, 3)), min_size=1, max_size=5), min_size=1, max_size=8),
       far=st.booleans())
def test_numpy_reading_equals_the_loop(grid, far: bool) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for i, row in enumerate(grid, start=1):
        first = 16_380 if far else 1  # three-letter columns up to XFD
        body = "".join(_cell(cell_ref(i, first + j), kind, text, style) for j, ((kind, text), style) in enumerate(row))
        rows.append(f'<row r="{i}">{body}</row>')
    xml = (HEAD + "".join(rows) + "</sheetData></worksheet>").encode()
    fast, loop = _read(xml, True), _read(xml, False)
    if isinstance(loop, str):
        assert fast == loop  # the same one-line error, naming the same cell
        return
    assert list(fast._keys) == list(loop._keys) and list(fast._styles) == list(loop._styles)
    assert all(_same(a, b) for a, b in zip(fast._values, loop._values, strict=True))


def test_a_plain_sheet_is_read_by_numpy_and_a_formula_leaves_its_chunk_to_the_loop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    plain = (HEAD + '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>0.125</v></c>'
             '<c r="C1"><v>-12</v></c><c r="D1" s="2"/></row></sheetData></worksheet>').encode()
    used = []
    real = sheet_values._plain_cells
    monkeypatch.setattr(sheet_values, "_plain_cells", lambda *args: used.append(real(*args)) or used[-1])
    values = read_sheet_values(plain, SST)
    assert used == [4] and values.rows() == [["Code", 0.125, -12, None]]
    assert type(values.value(1, 3)) is int and values.style(1, 2) == 1
    used.clear()
    formula = plain.replace(b'<c r="C1"><v>-12</v></c>', b'<c r="C1"><f>1-13</f><v>-12</v></c>')
    values = read_sheet_values(formula, SST)
    assert used == [None] and values.rows() == [["Code", 0.125, -12, None]] and values.formulas == {(1, 3): "1-13"}


@pytest.mark.parametrize("ref, style, index", [("A10000001", "1", "0"), ("A1", "1234567890", "0"),
                                               ("A1", "1", "1000000000"), ("A1048577", "1", "0")])
def test_a_number_too_long_for_numpy_is_not_cut_to_its_first_digits(ref: str, style: str, index: str) -> None:
    # An 8-digit row (A10000001 was once read as row 1,000,000), a 10-digit style or shared string
    # index: the chunk is the loop's, which reads the whole number (and refuses the row).
    body = "".join(f'<row r="{r}"><c r="A{r}" s="1" t="s"><v>0</v></c></row>' for r in range(1, 2000))
    row = "".join(ch for ch in ref if ch.isdigit())
    xml = f'{HEAD}{body}<row r="{row}"><c r="{ref}" s="{style}" t="s"><v>{index}</v></c></row></sheetData></worksheet>'

    def read(slow: bool) -> object:
        try:
            return read_sheet_values(xml.encode(), SST, force_slow=slow).rows()[-1]
        except CorruptPackageError as exc:
            return str(exc)

    assert read(False) == read(True)


def test_plain_inline_strings_are_read_by_numpy_and_any_that_cannot_be_leave_the_chunk_to_the_loop(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The KPIs sheet kpi_excel saves: shared strings, numbers, blanks and plain inline texts.
    plain = (HEAD + '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2" t="inlineStr"><is><t>Q1 &gt; Q2</t>'
             '</is></c><c r="C1" t="inlineStr"><is><t></t></is></c><c r="D1"/><c r="E1" s="1"><v>0.5</v></c>'
             '<c r="F1" t="inlineStr"><is><t>_x0041_</t></is></c><c r="G1" t="inlineStr"><is><t>Q1 &gt; Q2</t>'
             '</is></c></row></sheetData></worksheet>').encode()
    used = []
    real = sheet_values._plain_cells
    monkeypatch.setattr(sheet_values, "_plain_cells", lambda *args: used.append(real(*args)) or used[-1])
    values = read_sheet_values(plain, SST)
    assert used == [7] and values.rows() == [["Code", "Q1 > Q2", "", None, 0.5, "A", "Q1 > Q2"]]
    assert values.style(1, 2) == 2 and values.rows() == read_sheet_values(plain, SST, force_slow=True).rows()
    for bad, error in [("&#1;", "is not a character XML allows"), ("x" * 32_768, "more than the 32,767")]:
        used.clear()
        with pytest.raises(CorruptPackageError, match=f"sheet 'KPIs' cell C1: .*{error}"):
            read_sheet_values(plain.replace(b"<t></t>", f"<t>{bad}</t>".encode()), SST, sheet="KPIs")
        assert used == [None]
