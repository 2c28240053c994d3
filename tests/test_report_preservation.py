"""init + refresh keep everything an officer made: every zip part and XML element.

Each real-Excel workbook in tests/fixtures/excel-made (and the officer-style
workbook of tests/ooxml/officer.py) gets the report's sheets with ``init``, is
filled with the example's indicators and history, and is refreshed with
benchmarking on (Benchmark sheet with charts, Log, RAG key). Then every part
that was in the original must still be there; the officer's own sheets must be
byte-identical; and in the few shared parts we must touch (workbook.xml, its
relationships, content types, styles, app.xml) every original element must
still be present.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kpi_excel.app.example import example_sheets
from kpi_excel.app.report_files import init_report, refresh_report
from kpi_excel.ooxml import XlsxPackage
from tests.ooxml.helpers import excel_made_files, missing_signatures, writable_copy, zip_parts

VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
SHARED_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                "docProps/app.xml")


def fill_with_example(path: Path) -> None:
    """Put the example's KPI rows, history and settings into the sheets init added."""
    package = XlsxPackage.open(path)
    kpis, data, settings = example_sheets()[:3]
    package.write_rows("KPIs", (2, 1), [list(r) for r in _plain(kpis.rows)])
    package.write_rows("Data", (2, 1), [list(r) for r in _plain(data.rows)])
    package.write_rows("Settings", (2, 1), [list(r) for r in settings.rows])
    package.save()


def _plain(rows):  # type: ignore[no-untyped-def]
    from kpi_excel.core.plan import Cell

    return [[c.value if isinstance(c, Cell) else c for c in row] for row in rows]


def _drop(element) -> set[str]:  # type: ignore[no-untyped-def]
    # Counts that grow with what we add; app.xml's titles vector grows too.
    return {"count", "size"}


def _ignore(signature) -> bool:  # type: ignore[no-untyped-def]
    return signature[0][-1] == f"{VT}i4"  # the worksheet count in app.xml's HeadingPairs


def check_everything_kept(original: Path, result: Path) -> None:
    before, after = zip_parts(original), zip_parts(result)
    lost = sorted(set(before) - set(after))
    assert not lost, f"parts lost: {lost}"
    for name, data in before.items():
        if data == after[name]:
            continue
        assert name in SHARED_PARTS, f"{name} changed, but only the report's shared parts may"
        missing = missing_signatures(data, after[name], ignore=_ignore, drop_attrs=_drop)
        assert not missing, f"{name}: elements lost: {missing[:3]}"


def _cases() -> list[Path]:
    return excel_made_files()


@pytest.mark.parametrize("source", _cases(), ids=lambda p: p.name)
def test_init_and_refresh_keep_every_part_and_element(source: Path, tmp_path: Path) -> None:
    original = writable_copy(source, tmp_path, "original" + source.suffix)
    work = writable_copy(source, tmp_path, "report" + source.suffix)
    init_report(work)
    check_everything_kept(original, work)
    fill_with_example(work)
    summary, written = refresh_report(work, now=dt.datetime(2026, 11, 23, 9, 30), user="tester")
    check_everything_kept(original, work)
    assert summary.rated == 30 and summary.counts.get("Red")
    assert written.sheets_written == ["RAG key", "Summary", "Benchmark", "KPI history"]
    # A second refresh replaces our sheets and rules instead of stacking them.
    refresh_report(work, now=dt.datetime(2026, 11, 23, 10, 0), user="tester")
    check_everything_kept(original, work)
    package = XlsxPackage.open(work)
    assert package.sheet_names().count("Benchmark") == 1
    if source.suffix == ".xlsm":
        assert zip_parts(work)["xl/vbaProject.bin"] == zip_parts(original)["xl/vbaProject.bin"]


def test_the_officer_style_workbook_keeps_everything(officer_workbook: Path, tmp_path: Path) -> None:
    """Its own KPIs table (KPITable) and Data sheet are used as they are: refresh writes
    only the computed columns there; every other element, part and cell is kept."""
    from openpyxl import load_workbook

    original = writable_copy(officer_workbook, tmp_path, "original.xlsx")
    work = writable_copy(officer_workbook, tmp_path, "report.xlsx")
    assert init_report(work) == ["Settings", "RAG key", "Log"]
    check_everything_kept(original, work)
    summary, written = refresh_report(work, now=dt.datetime(2026, 11, 23, 9, 30))
    assert summary.rated > 0

    package = XlsxPackage.open(original)
    kpis_part = package.sheet("KPIs").part
    table_parts = {t.part for t in package.tables("KPIs")}
    headers = [c.value for c in next(load_workbook(original)["KPIs"].iter_rows(max_row=1))]
    ours = {h for h in headers if h in ("Trend", "RAG")}  # the officer's columns of ours to refresh
    ours_letters = {chr(ord("A") + headers.index(h)) for h in ours}
    before, after = zip_parts(original), zip_parts(work)
    assert not set(before) - set(after)
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    for name, data in before.items():
        if data == after[name] or name in SHARED_PARTS:
            continue
        if name == kpis_part:
            def ignore(sig) -> bool:  # type: ignore[no-untyped-def]
                cells = [t for t in sig[0] if t.startswith(f"{main}c[")]
                written_cell = bool(cells) and cells[0][len(main) + 2] in ours_letters
                return written_cell or sig[0][-1] == f"{main}dimension"
            lost = missing_signatures(data, after[name], ignore=ignore,
                                      drop_attrs=lambda el: {"spans", "count"})
        elif name in table_parts:
            lost = missing_signatures(data, after[name], ignore=lambda sig: False,
                                      drop_attrs=lambda el: {"ref", "count"})
        else:
            raise AssertionError(f"{name} changed, but only the KPIs sheet and shared parts may")
        assert not lost, f"{name}: elements lost: {lost[:3]}"
    old = list(load_workbook(original)["KPIs"].iter_rows(values_only=True))
    new = list(load_workbook(work)["KPIs"].iter_rows(values_only=True))
    for r, (a, b) in enumerate(zip(old, new)):
        for c, (x, y) in enumerate(zip(a, b)):
            if headers[c] not in ours:
                assert x == y, (r + 1, headers[c])
    parts = zip_parts(work)
    assert any(name.startswith("customUI/") for name in parts)  # the ribbon link survives
    assert b"customUI" in parts["_rels/.rels"]
    assert "RAG Reason" in written.columns_added


def test_the_check_catches_a_lost_element(tmp_path: Path) -> None:
    """The checker itself: an openpyxl round trip of a workbook with a text box is caught."""
    from openpyxl import load_workbook

    source = next(p for p in excel_made_files() if p.name == "corpus_textbox01.xlsx")
    original = writable_copy(source, tmp_path, "original.xlsx")
    damaged = tmp_path / "damaged.xlsx"
    load_workbook(original).save(damaged)
    with pytest.raises(AssertionError):
        check_everything_kept(original, damaged)


@pytest.fixture(scope="session")
def officer_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.ooxml.officer import build_officer_workbook

    return build_officer_workbook(tmp_path_factory.mktemp("officer") / "officer.xlsx")
