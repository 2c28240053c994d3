"""Reading cells: agreement with openpyxl, fast path = lxml path, formats, odd encodings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_excel.ooxml import ErrorValue, XlsxPackage, is_date_format, is_percent_format, to_excel_serial
from kpi_excel.ooxml.sheet_values import read_sheet_values
from kpi_excel.ooxml.refs import cell_ref
from tests.ooxml.helpers import excel_made_files, minimal_xlsx


def _comparable(value, date1904: bool):
    if isinstance(value, dt.datetime):
        return pytest.approx(to_excel_serial(value, date1904), abs=1e-6)
    if isinstance(value, dt.date):
        return pytest.approx(to_excel_serial(value, date1904))
    if isinstance(value, dt.time):
        return pytest.approx(to_excel_serial(value), abs=1e-6)
    if isinstance(value, float):
        return pytest.approx(value)
    return value


@pytest.mark.parametrize("source", excel_made_files(), ids=lambda p: p.name)
def test_values_agree_with_openpyxl(source: Path) -> None:
    pkg = XlsxPackage.open(source)
    wb = openpyxl.load_workbook(source, data_only=True)
    for info in pkg.sheets():
        if info.kind != "worksheet":
            continue
        ours = pkg.read_sheet(info.name)
        ws = wb[info.name]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                expected = _comparable(cell.value, pkg.date1904)
                got = ours.value(cell.row, cell.column)
                if isinstance(cell.value, str) and cell.data_type == "e":
                    assert isinstance(got, ErrorValue) and got == cell.value
                else:
                    assert got == expected, f"{info.name}!{cell.coordinate}"


@pytest.mark.parametrize("source", excel_made_files(), ids=lambda p: p.name)
def test_fast_path_equals_lxml_path_on_real_files(source: Path) -> None:
    pkg = XlsxPackage.open(source)
    for info in pkg.sheets():
        if info.kind == "worksheet":
            fast = pkg.read_sheet(info.name)
            slow = pkg.read_sheet(info.name, force_slow=True)
            assert (fast.first_row, fast.first_col, fast.columns, fast.style_ids, fast.formulas) == (
                slow.first_row, slow.first_col, slow.columns, slow.style_ids, slow.formulas)


texts = st.lists(st.sampled_from(list("ab <&>\"'_x0D9\n\t\u00e9\u20ac") + ["_x000D_", "=SUM(A1)"]),
                 max_size=8).map("".join)
cells = st.one_of(
    st.tuples(st.just("n"), st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False, width=64))),
    st.tuples(st.just("s"), st.integers(0, 2)),
    st.tuples(st.just("inlineStr"), texts),
    st.tuples(st.just("b"), st.booleans()),
    st.tuples(st.just("e"), st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!"])),
    st.tuples(st.just("str"), texts),
    st.tuples(st.just("blank"), st.none()),
)


def _render(kind: str, value, ref: str, style: int, formula: bool, reorder: bool) -> str:
    s_attr = f' s="{style}"' if style else ""
    f_xml = "<f>SUM(A1:A2)&amp;\"x\"</f>" if formula else ""
    if kind == "blank":
        return f'<c r="{ref}"{s_attr}/>'
    if kind == "inlineStr":
        space = ' xml:space="preserve"' if value != value.strip() else ""
        attrs = f' t="inlineStr"{s_attr}' if reorder else f'{s_attr} t="inlineStr"'
        return f'<c r="{ref}"{attrs}><is><t{space}>{escape(value)}</t></is></c>'
    t = "" if kind == "n" else f' t="{kind}"'
    raw = {"n": lambda v: repr(v) if isinstance(v, float) else str(v), "s": str, "b": lambda v: "1" if v else "0",
           "e": str, "str": escape}[kind](value)
    attrs = f"{t}{s_attr}" if reorder else f"{s_attr}{t}"
    return f'<c r="{ref}"{attrs}>{f_xml}<v>{raw}</v></c>'


@settings(max_examples=150, deadline=None)
@given(
    grid=st.lists(st.lists(st.tuples(cells, st.integers(0, 3), st.booleans(), st.booleans()), min_size=1, max_size=4),
                  min_size=1, max_size=6),
    gaps=st.booleans(),
)
def test_fast_path_equals_lxml_path_on_generated_sheets(grid, gaps: bool) -> None:
    rows = []
    for i, row in enumerate(grid):
        r = i * 2 + 1 if gaps else i + 1
        body = "".join(
            _render(kind, value, cell_ref(r, j * (2 if gaps else 1) + 1), style, formula and kind != "blank", reorder)
            for j, ((kind, value), style, formula, reorder) in enumerate(row)
        )
        rows.append(f'<row r="{r}">{body}</row>')
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()
    sst = ["zero", "one & <two>", "_x000D_three"]
    fast = read_sheet_values(xml, sst)
    slow = read_sheet_values(xml, sst, force_slow=True)
    assert fast.columns == slow.columns
    assert fast.style_ids == slow.style_ids
    assert fast.formulas == slow.formulas


def test_special_forms_fall_back_to_lxml_and_still_read() -> None:
    # No r attributes, a prefixed namespace, a comment: the fast path declines, lxml reads.
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row>'
        b"<!-- note --><x:row><x:c><x:v>3.5</x:v></x:c></x:row></x:sheetData></x:worksheet>"
    )
    values = read_sheet_values(xml, [])
    assert values.rows() == [["a", 2], [3.5, None]]


def test_number_formats_tell_percent_and_dates(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    data = pkg.read_sheet("Data")
    assert data.value(2, 3) == pytest.approx(0.2)
    assert data.number_format(2, 3) == "0.0%"
    assert is_percent_format(data.number_format(2, 3))
    assert not data.is_date(2, 3)
    assert data.number_format(2, 1) == "General"


def test_date_cells_are_flagged_and_serials_convert() -> None:
    styles = (
        b'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts>'
        b'<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    rel = ('<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
           'Target="styles.xml"/>')
    data = minimal_xlsx(
        '<sheetData><row r="1"><c r="A1" s="1"><v>45000</v></c><c r="B1" s="2"><v>45001</v></c>'
        '<c r="C1"><v>45000</v></c></row></sheetData>',
        extra_parts={"xl/styles.xml": styles}, workbook_rels_extra=rel,
    )
    values = XlsxPackage.open(data).read_sheet("Sheet1")
    assert values.is_date(1, 1) and values.is_date(1, 2) and not values.is_date(1, 3)
    assert values.number_format(1, 1) == "dd/mm/yyyy;@"
    assert to_excel_serial(dt.date(2023, 3, 15)) == 45000


@pytest.mark.parametrize(
    "code, date, percent",
    [
        ("General", False, False), ("0.0%", False, True), ("dd/mm/yyyy", True, False),
        ('#,##0 "days"', False, False), ("[h]:mm:ss", True, False), ("[Red]0.0", False, False),
        ('0.0"%"', False, False), ("mmm-yy", True, False), ("[$-809]dd mmmm yyyy", True, False),
    ],
)
def test_format_classification(code: str, date: bool, percent: bool) -> None:
    assert is_date_format(code) is date
    assert is_percent_format(code) is percent


def test_rich_text_escapes_and_inline_strings(tmp_path: Path) -> None:
    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<si><r><t>Bold</t></r><r><t xml:space="preserve"> and plain</t></r><rPh><t>ignored</t></rPh></si>'
        b"<si><t>line_x000D_break</t></si></sst>"
    )
    rel = ('<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'sharedStrings" Target="sharedStrings.xml"/>')
    data = minimal_xlsx(
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="inlineStr"><is><t>x &amp; y</t></is></c><c r="D1" t="e"><v>#N/A</v></c>'
        '<c r="E1" t="b"><v>0</v></c><c r="F1" t="str"><f>A1</f><v>Bold</v></c></row></sheetData>',
        extra_parts={"xl/sharedStrings.xml": sst}, workbook_rels_extra=rel,
    )
    values = XlsxPackage.open(data).read_sheet("Sheet1")
    assert values.rows() == [["Bold and plain", "line\rbreak", "x & y", ErrorValue("#N/A"), False, "Bold"]]
    assert values.formulas == {(1, 6): "A1"}


def test_used_range_dimension_and_tables(officer_workbook: Path) -> None:
    pkg = XlsxPackage.open(officer_workbook)
    assert pkg.used_range("KPIs").ref == "A1:H6"
    assert pkg.dimension("KPIs") == "A1:H6"
    (table,) = pkg.tables("KPIs")
    assert (table.name, table.ref.ref, table.columns[:3]) == ("KPITable", "A1:H6", ("Code", "Indicator", "Polarity"))
    assert table.data_range.ref == "A2:H6"
    names = {(d.name, d.local_sheet) for d in pkg.defined_names()}
    assert ("RagOptions", None) in names and ("PeriodLabel", "KPIs") in names
    assert [(s.name, s.state) for s in pkg.sheets()] == [("KPIs", "visible"), ("Data", "visible"), ("Lists", "hidden")]


def test_to_dataframe_uses_a_header_row(officer_workbook: Path) -> None:
    values = XlsxPackage.open(officer_workbook).read_sheet("Data")
    frame = values.to_dataframe(header_row=1)
    assert list(frame.columns) == ["Code", "Period", "Value"]
    assert len(frame) == 12
    assert frame["Value"].iloc[0] == pytest.approx(0.2)
    assert str(frame["Value"].dtype) == "float64"
    assert list(values.to_dataframe().columns) == ["A", "B", "C"]
