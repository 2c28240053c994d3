"""Nothing an officer made is lost: a realistic edit of every Excel-made fixture.

For each workbook: write a column of values beside the used range of the
first sheet, add conditional formats (with dxfs) and dropdowns, add a sheet
with a table and a chart, save. Then:

* every zip part that was there is still there;
* every part we had no reason to touch is byte-identical, down to its
  compressed stream, and only the expected parts changed;
* in each changed XML part every element of the original (tag path,
  attributes, text) still occurs, except this narrow, intended list:
  - edited sheet: the cells we overwrote (their ``c`` and children),
    the ``dimension`` ref, ``row/@spans`` (widened to cover new cells) and
    ``dataValidations/@count`` (we add dropdowns to the list);
  - styles.xml: the ``count`` attributes of lists we appended to;
  - docProps/app.xml: the sheet count (``vt:i4`` in HeadingPairs) and
    ``vt:vector/@size``;
* openpyxl loads the result, sees our values (text stays text) and the new
  table; macros keep ``vbaProject.bin`` and its signature byte-identical with
  their content types; a ribbon (customUI) link stays.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from kpi_excel.ooxml import (
    CellIsRule,
    CellRange,
    ChartSeries,
    ChartSpec,
    ColorScaleRule,
    ConditionalFormat,
    ContainsTextRule,
    DataBarRule,
    DxfStyle,
    ExpressionRule,
    IconSetRule,
    ListValidation,
    SheetSettings,
    TableSpec,
    XlsxPackage,
    cell_ref,
    column_letter,
    parse_range,
)
from kpi_excel.ooxml.package import RT
from kpi_excel.ooxml.validation import validated_ranges
from kpi_excel.ooxml.zipio import ZipLimits, read_zip
from tests.ooxml.helpers import EXCEL_MADE, excel_made_files, missing_signatures, writable_copy, zip_parts
from tests.ooxml.officer import CUSTOM_UI_PART, CUSTOM_UI_REL

RED = DxfStyle(fill="FFC7CE", font_color="9C0006", bold=True)
GREEN = DxfStyle(fill="C6EFCE", font_color="006100")
VBA_CT = "application/vnd.ms-office.vbaProject"
VBA_SIG_CT = "application/vnd.ms-office.vbaProjectSignature"


@dataclass
class Edit:
    sheet: str
    sheet_part: str
    written: set[str]
    column: int
    last_row: int


def realistic_edit(pkg: XlsxPackage, *, rerun: Edit | None = None) -> Edit:
    """The edit a refresh makes: results column, CF, dropdowns, a Benchmark sheet with table and chart.

    On a ``rerun`` (given the first run's edit, whose columns a real refresh
    would find by their headers) the rules written by the first run must be
    found and replaced.
    """
    info = next(s for s in pkg.sheets() if s.kind == "worksheet")
    if rerun is None:
        used = pkg.read_sheet(info.name).used_range
        # Clear of the officer's own dropdowns too: ours are never stacked on theirs.
        assert info.part is not None
        validated = [parse_range(ref) for refs in validated_ranges(pkg.opc.xml(info.part)) for ref in refs.split()]
        right = max([used.max_col if used else 0] + [r.max_col for r in validated])
        col = right + 2 if right else 2
        last = max(7, used.max_row if used else 0)
    else:
        col, last = rerun.column, rerun.last_row
    values = ["KPI result", 0.776, 12, "=SUM(A1:A2)", None, True, "Red"] + [i / 10 for i in range(last - 7)]
    report = pkg.write_columns(info.name, 1, {col: values})
    assert report.cells_written == len(values)
    rng = f"{column_letter(col)}2:{column_letter(col)}{last}"
    top = cell_ref(2, col)
    change = pkg.set_managed_conditional_formats(
        info.name,
        [
            ConditionalFormat(rng, CellIsRule("greaterThan", ("0.5",), GREEN)),
            ConditionalFormat(rng, ExpressionRule(f"{top}=\"Red\"", RED)),
            ConditionalFormat(rng, ContainsTextRule("Red", RED)),
            ConditionalFormat(rng, DataBarRule()),
            ConditionalFormat(rng, IconSetRule("3Arrows")),
            ConditionalFormat(rng, ColorScaleRule()),
        ],
    )
    assert change.added == 6 and change.removed == (6 if rerun else 0)
    next_col = column_letter(col + 1)
    dv = pkg.set_managed_validations(
        info.name,
        [
            ListValidation(f"{next_col}2:{next_col}{last}", ["Red", "Amber", "Green"]),
            ListValidation(f"{column_letter(col + 2)}2", f"=${column_letter(col)}$2:${column_letter(col)}$4"),
        ],
    )
    assert (dv.added, dv.removed) == (2, 2 if rerun else 0)
    rows = [["Authority", "Value", "England"]] + [[f"LA {i}", 0.5 + i / 20, 0.6] for i in range(6)]
    pkg.write_owned_sheet(
        "KPI Benchmark",
        rows,
        table=TableSpec("KpiBenchmark"),
        settings=SheetSettings(freeze=(1, 0), column_widths={1: 24}, tab_color="1F4E79", landscape=True,
                               fit_to_width=True),
        print_titles=True,
        charts=[
            ChartSpec(
                "bar", "Value by authority",
                [ChartSeries("Value", CellRange(2, 1, 7, 1), CellRange(2, 2, 7, 2)),
                 ChartSeries("England", CellRange(2, 1, 7, 1), CellRange(2, 3, 7, 3), kind="line")],
                alt_text="Bar chart comparing each authority's value with England.",
                y_number_format="0%",
            )
        ],
    )
    written = {cell_ref(1 + i, col) for i in range(len(values))}
    assert info.part is not None
    return Edit(info.name, info.part, written, col, last)


def expected_changed_parts(pkg: XlsxPackage, edit: Edit) -> set[str]:
    """Parts the edit is allowed to rewrite; everything else must be byte-identical."""
    opc = pkg.opc
    wb = next(r.part for r in opc.related("", RT.OFFICE_DOCUMENT))
    styles = {r.part for r in opc.related(wb, RT.STYLES)}
    app = {r.part for r in opc.related("", RT.EXTENDED_PROPERTIES)}
    return {edit.sheet_part, wb, f"{Path(wb).parent}/_rels/{Path(wb).name}.rels", "[Content_Types].xml"} | styles | app


def _whitelist(part: str, edit: Edit):
    """The narrow set of signatures and attributes allowed to change in a part (see module docstring)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
    cells = {f"{main}c[{ref}]" for ref in edit.written}

    if part == edit.sheet_part:
        def ignore(sig):
            return bool(cells.intersection(sig[0])) or sig[0][-1] == f"{main}dimension"

        def drop(el):
            if el.tag == f"{main}row":
                return {"spans"}
            return {"count"} if el.tag == f"{main}dataValidations" else set()

        return ignore, drop
    if part.endswith("styles.xml"):
        return (lambda sig: False), (lambda el: {"count"})
    if part.endswith("app.xml"):
        def ignore_app(sig):
            return sig[0][-1] == f"{vt}i4"

        return ignore_app, (lambda el: {"size"} if el.tag == f"{vt}vector" else set())
    return (lambda sig: False), None


def check_preserved(original: Path, saved: Path, pkg_before: XlsxPackage, edit: Edit) -> None:
    before = zip_parts(original)
    after = zip_parts(saved)
    missing = sorted(set(before) - set(after))
    assert not missing, f"parts lost: {missing}"

    allowed = expected_changed_parts(pkg_before, edit)
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= allowed, f"parts changed that had no reason to: {sorted(changed - allowed)}"

    # Untouched parts keep their compressed stream, CRC and order, not just their content.
    old_entries = {e.name: e for e in read_zip(original.read_bytes(), limits=ZipLimits())}
    new_entries = read_zip(saved.read_bytes(), limits=ZipLimits())
    new_by_name = {e.name: e for e in new_entries}
    for name, entry in old_entries.items():
        if name not in changed:
            assert bytes(new_by_name[name].raw) == bytes(entry.raw), name
            assert new_by_name[name].crc == entry.crc
    new_order = [e.name for e in new_entries if e.name in old_entries]
    assert new_order == list(old_entries), "original parts must stay in their zip order"

    for name in changed:
        ignore, drop = _whitelist(name, edit)
        lost = missing_signatures(before[name], after[name], ignore=ignore, drop_attrs=drop)
        assert not lost, f"{name}: elements lost: {lost[:5]}"


def test_corpus_is_present() -> None:
    """The preservation tests need tests/fixtures/excel-made; fail loudly rather than test nothing."""
    files = excel_made_files()
    assert len(files) >= 32, f"expected the Excel-made corpus in {EXCEL_MADE}"
    assert {p.suffix for p in files} >= {".xlsx", ".xlsm"}


CASES = [pytest.param(p, id=p.name) for p in excel_made_files()] + [pytest.param("officer", id="officer.xlsx")]


@pytest.mark.parametrize("source", CASES)
def test_realistic_edit_preserves_everything(source, tmp_path: Path, officer_workbook: Path) -> None:
    src = officer_workbook if source == "officer" else source
    original = writable_copy(src, tmp_path, "original" + src.suffix)
    target = writable_copy(src, tmp_path)

    pkg_before = XlsxPackage.open(original)
    pkg = XlsxPackage.open(target)
    edit = realistic_edit(pkg)
    pkg.save()

    check_preserved(original, target, pkg_before, edit)

    # Our own reader sees the values, and text that looks like a formula is text.
    again = XlsxPackage.open(target)
    values = again.read_sheet(edit.sheet)
    assert values.value(1, edit.column) == "KPI result"
    assert values.value(2, edit.column) == 0.776
    assert values.value(4, edit.column) == "=SUM(A1:A2)"
    assert (4, edit.column) not in values.formulas
    assert values.value(6, edit.column) is True
    assert "KPI Benchmark" in again.sheet_names()
    assert [t.name for t in again.tables("KPI Benchmark")] == ["KpiBenchmark"]

    # openpyxl (reading only) agrees.
    wb = openpyxl.load_workbook(target)
    ws = wb[edit.sheet]
    assert ws.cell(4, edit.column).value == "=SUM(A1:A2)"
    assert ws.cell(4, edit.column).data_type == "s"
    assert ws.cell(2, edit.column).value == pytest.approx(0.776)
    bench = wb["KPI Benchmark"]
    assert "KpiBenchmark" in bench.tables
    assert bench.freeze_panes == "A2"
    assert wb.sheetnames[-1] == "KPI Benchmark"

    with zipfile.ZipFile(target) as archive:
        chart_parts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        new_charts = set(chart_parts) - set(zip_parts(original))
        assert len(new_charts) == 1
        drawing_xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/drawings/drawing"))
        assert b"Bar chart comparing each authority" in drawing_xml


MACRO_FILES = [p for p in excel_made_files() if p.suffix == ".xlsm"]


@pytest.mark.parametrize("source", MACRO_FILES, ids=lambda p: p.name)
def test_macros_and_signature_survive(source: Path, tmp_path: Path) -> None:
    target = writable_copy(source, tmp_path)
    before = zip_parts(target)
    pkg = XlsxPackage.open(target)
    realistic_edit(pkg)
    pkg.save()
    after = zip_parts(target)
    again = XlsxPackage.open(target)
    for name in before:
        if name.endswith(".bin") and "vbaProject" in name:
            assert after[name] == before[name]
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert again.opc.content_type("xl/vbaProject.bin") == VBA_CT
    wb_ct = again.opc.content_type("xl/workbook.xml")
    assert wb_ct == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    if "xl/vbaProjectSignature.bin" in before:
        assert after["xl/vbaProjectSignature.bin"] == before["xl/vbaProjectSignature.bin"]
        assert again.opc.content_type("xl/vbaProjectSignature.bin") == VBA_SIG_CT
        assert any(r.type.endswith("/vbaProjectSignature") for r in again.opc.relationships("xl/vbaProject.bin"))
    # In a macro workbook the new sheet gets no VBA codeName the project does not know.
    bench = again.sheet("KPI Benchmark")
    assert b"codeName" not in again.opc.read(bench.part)


def test_ribbon_link_survives(officer_workbook: Path, tmp_path: Path) -> None:
    target = writable_copy(officer_workbook, tmp_path)
    pkg = XlsxPackage.open(target)
    realistic_edit(pkg)
    pkg.save()
    again = XlsxPackage.open(target)
    links = [r for r in again.opc.relationships("") if r.type == CUSTOM_UI_REL]
    assert [r.part for r in links] == [CUSTOM_UI_PART]
    assert again.opc.read(CUSTOM_UI_PART) == zip_parts(officer_workbook)[CUSTOM_UI_PART]


def test_xml_of_changed_parts_is_well_formed_and_declared(officer_workbook: Path, tmp_path: Path) -> None:
    target = writable_copy(officer_workbook, tmp_path)
    before = zip_parts(target)
    pkg = XlsxPackage.open(target)
    realistic_edit(pkg)
    pkg.save()
    for name, data in zip_parts(target).items():
        if name.endswith((".xml", ".rels")) and before.get(name) != data:
            root = etree.fromstring(data)
            assert root is not None
            assert data.startswith(b"<?xml"), name


def test_the_element_diff_catches_losses() -> None:
    """The checker above must be able to fail: a dropped element or changed attribute is reported."""
    before = b'<w xmlns="urn:x"><a k="1"/><extLst><ext uri="{X}"><s/></ext></extLst><c r="A1"><v>1</v></c></w>'
    dropped = b'<w xmlns="urn:x"><a k="1"/><c r="A1"><v>1</v></c></w>'
    changed = b'<w xmlns="urn:x"><a k="2"/><extLst><ext uri="{X}"><s/></ext></extLst><c r="A1"><v>1</v></c></w>'
    retexted = b'<w xmlns="urn:x"><a k="1"/><extLst><ext uri="{X}"><s/></ext></extLst><c r="A1"><v>2</v></c></w>'
    assert len(missing_signatures(before, dropped)) == 3
    assert len(missing_signatures(before, changed)) == 1
    assert len(missing_signatures(before, retexted)) == 1
    assert missing_signatures(before, before) == []


@pytest.mark.parametrize("source", CASES)
def test_running_the_same_refresh_twice_changes_nothing(source, tmp_path: Path, officer_workbook: Path) -> None:
    src = officer_workbook if source == "officer" else source
    target = writable_copy(src, tmp_path)
    pkg = XlsxPackage.open(target)
    edit = realistic_edit(pkg)
    pkg.save()
    first = zip_parts(target)

    pkg = XlsxPackage.open(target)
    realistic_edit(pkg, rerun=edit)  # finds and replaces exactly the first run's 6 rules and 2 dropdowns
    pkg.save()
    second = zip_parts(target)

    assert set(first) == set(second)
    for name in first:
        if name == "[Content_Types].xml":
            # Deleted-and-recreated parts are listed again at the end: same entries, new order.
            assert missing_signatures(first[name], second[name]) == []
            assert missing_signatures(second[name], first[name]) == []
        else:
            assert first[name] == second[name], name
