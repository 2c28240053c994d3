"""The desktop writer (book_writer) through the real remote engine (``xw.Book(json=payload)``),
with payloads built from real .xlsx files.

Desktop Excel (COM) sees every sheet whole, so by default every sheet is
sent; the web door answers with a batch instead (tests/webclient drives it
through xlwings Server's own client).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import load_workbook

from tests.addin.payload import book_payload
from kpi_excel.ooxml.a1 import column_letter
from kpi_excel.core.plan import Cell, ColumnWrite, KpiUpdate, LogEntry, Plan
from kpi_excel.errors import InputError
import kpi_excel.addin.book_door as refresh_book_module
from kpi_excel.addin.book_door import check_book, refresh_book
from kpi_excel.workbook.book_reader import data_frame, read_book, settings_pairs
from kpi_excel.workbook.book_writer import apply_plan, excel_text

from .conftest import example_rows, write_example_workbook


def remote_book(path: Path, include: tuple[str, ...] | None = None) -> xw.Book:
    return xw.Book(json=book_payload(path, include=include))


def setvalues(book: xw.Book, sheet: int = 0) -> list[dict]:  # type: ignore[type-arg]
    return [a for a in book.json()["actions"] if a["func"] == "setValues" and a["sheet_position"] == sheet]


def column_of(path: Path, header: str) -> int:
    ws = load_workbook(path, read_only=True)["KPIs"]
    return [c.value for c in next(ws.iter_rows(max_row=1))].index(header)


def test_reader_reads_each_sheet_in_one_block(example_xlsx: Path) -> None:
    sheets = read_book(remote_book(example_xlsx))
    assert sheets.sheet_names == ("KPIs", "Data", "Settings")
    assert sheets.kpis is not None and sheets.kpis.values[0][:4] == ["Topic", "Theme", "Indicator", "Code"]
    assert sheets.kpis.formats is None  # number formats are not sent by Office.js
    sc01 = next(r for r in sheets.kpis.values if r[3] == "SC01")
    assert sc01[column_of(example_xlsx, "Latest Value")] == pytest.approx(0.776)  # 77.6% arrives as a fraction
    data = data_frame(sheets.data)
    assert list(data.columns) == ["code", "period", "value", "area", "note", "row"]
    assert len(data) == 78 and data.iloc[0]["code"] == "CFWS01" and data.iloc[0]["row"] == 2
    assert ("Authority", "Leicestershire") in settings_pairs(sheets.settings)


def test_reader_finds_data_headers_by_text_in_any_order(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data"  # case does not matter
    ws.append(["Quarterly data"])
    ws.append([])
    ws.append(["Note", "Value", "Period", "Indicator code"])
    ws.append(["from the return", "76.00%", "Q1 2022/23", "SC01"])
    ws.append([None, None, None, None])
    ws.append([None, 5, dt.datetime(2025, 3, 1), 42.0])
    wb.save(tmp_path / "b.xlsx")
    frame = data_frame(read_book(xw.Book(json=book_payload(tmp_path / "b.xlsx"))).data)
    assert frame[["code", "period", "value"]].values.tolist() == [
        ["SC01", "Q1 2022/23", "76.00%"], ["42", dt.datetime(2025, 3, 1), 5]]
    assert frame["row"].tolist() == [4, 6]


def test_refresh_writes_the_rag_words(example_xlsx: Path) -> None:
    book = remote_book(example_xlsx)
    summary = refresh_book(book, door="web", user="tester", now=dt.datetime(2026, 11, 23, 9, 30))
    # Values come from the Data sheet (the published history): against their targets
    # SC01-SC04 miss (77.60% <97.2%, 22.60% >20.8%, 22.40% >18.7%, 84.00% <90.3%), SC05-SC07 meet.
    assert summary.counts["Red"] == 4 and summary.counts["Green"] == 3
    rag = column_of(example_xlsx, "RAG")
    [write] = [a for a in setvalues(book) if a["start_column"] == rag]
    codes = [r[3] for r in book.sheets["KPIs"].used_range.value]
    assert write["values"][codes.index("SC01") - write["start_row"]] == ["Red"]  # both 0-based sheet rows


def test_only_computed_columns_are_written_in_blocks(example_xlsx: Path) -> None:
    book = remote_book(example_xlsx)
    refresh_book(book)
    writes = setvalues(book)
    ws = load_workbook(example_xlsx, read_only=True)["KPIs"]
    headers = [c.value for c in next(ws.iter_rows(max_row=1))]
    written = {headers[a["start_column"]] for a in writes if a["start_column"] < len(headers)}
    assert written <= {"Previous Period", "Previous Value", "Latest Period", "Latest Value", "Change", "Trend",
                       "Direction", "RAG", "RAG Reason", "Quartile", "Stat Neighbour Avg", "England", "Rank",
                       "Quartile Position", "Top Quartile Target", "Benchmark Value", "Benchmark Period", "Source", "Checks",
                       "95% CI", "Significance", "vs England", "Previous Numerator", "Previous Denominator",
                       "Latest Numerator", "Latest Denominator", "History"}
    assert {"RAG", "Trend", "RAG Reason"} <= written
    assert all(a["column_count"] == 1 for a in writes)  # one column block at a time, never a cell loop
    assert len(writes) <= 2 * len(written)  # a run or two per column, not a write per cell


def test_conditional_formats_are_replaced_not_stacked(example_xlsx: Path) -> None:
    book = remote_book(example_xlsx)
    refresh_book(book)
    actions = book.json()["actions"]
    rag = column_of(example_xlsx, "RAG")
    on_rag = [a for a in actions if a["sheet_position"] == 0 and a["start_column"] == rag
              and a["func"] in ("clearConditionalFormats", "addConditionalFormat")]
    assert on_rag[0]["func"] == "clearConditionalFormats"
    formulas = [a["args"][0]["formula"] for a in on_rag[1:]]
    letter = column_letter(rag + 1)  # start_column is 0-based
    assert f'=${letter}2="Red"' in formulas and len(formulas) == 4


def test_log_row_is_appended(tmp_path: Path) -> None:
    path = write_example_workbook(tmp_path / "log.xlsx", with_log=True)
    book = remote_book(path)
    refresh_book(book, door="web", user="tester", now=dt.datetime(2026, 11, 23, 9, 30))
    [line] = setvalues(book, sheet=3)
    assert line["start_row"] == 2 and line["values"][0][:3] == ["2026-11-23 09:30", "tester", "web"]


def test_log_sheet_is_created_with_headers_when_missing(example_xlsx: Path) -> None:
    book = remote_book(example_xlsx)
    refresh_book(book)
    actions = book.json()["actions"]
    assert {"func": "addSheet", "args": [len(book.sheets) - 1, "Log"]}.items() <= next(
        a for a in actions if a["func"] == "addSheet" and a["args"][1] == "Log").items()
    log = [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == len(book.sheets) - 1]
    assert log[0]["values"][0][0] == "When" and log[1]["start_row"] == 1


def test_check_inputs_writes_nothing(tmp_path: Path) -> None:
    rows = example_rows()
    rows[4] = {**rows[4], "Polarity": "Highish"}
    book = remote_book(write_example_workbook(tmp_path / "report.xlsx", indicators=rows))
    summary = check_book(book)
    assert summary.rated == 30
    assert any("unknown polarity 'Highish'" in p for p in summary.problems)
    assert book.json()["actions"] == []


def test_no_kpis_sheet_is_an_input_error(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Other"
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="no KPIs sheet"):
        refresh_book(xw.Book(json=book_payload(tmp_path / "x.xlsx")))


def test_text_that_looks_like_a_formula_stays_text(example_xlsx: Path) -> None:
    assert excel_text("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert excel_text("-") == "-" and excel_text("Red") == "Red" and excel_text(0.5) == 0.5
    book = remote_book(example_xlsx)
    plan = Plan(kpis=KpiUpdate("KPIs", 1, (2, 3), writes=(ColumnWrite("Checks", (Cell("=1+1"), None)),)),
                log=LogEntry(("@cmd",)))
    apply_plan(book, plan)
    values = [a["values"] for a in setvalues(book)]
    assert [["'=1+1"]] in values


def _click_refresh(path: Path) -> list[dict]:
    """``kpi_excel.main()`` as RunPython calls it, with the caller mocked by a remote-engine book
    of ``path``: the actions the click left in the book."""
    from kpi_excel.addin.desktop import refresh_button as main

    book = remote_book(path)
    book.set_mock_caller()
    try:
        main()
    finally:
        del xw.Book._mock_caller  # type: ignore[attr-defined]
    return book.json()["actions"]


def test_desktop_main_refreshes_the_calling_book(example_xlsx: Path) -> None:
    actions = _click_refresh(example_xlsx)
    assert any(a["func"] == "setValues" for a in actions)
    alert = next(a for a in actions if a["func"] == "alert")
    assert alert["args"][1] == "KPI Report" and alert["args"][0].startswith("Rated 30 indicators")


def test_desktop_button_pauses_full_collector_passes_and_puts_them_back(example_xlsx: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The Refresh button runs in RunPython's own process, as the refresh command does: what it
    imports frozen out of the collector, no full passes while it refreshes, and the thresholds
    as they were afterwards."""
    import gc

    seen: list[tuple[int, ...]] = []
    real = refresh_book_module.refresh_book

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(refresh_book_module, "refresh_book", recording)
    import kpi_excel.cycle_pause as pause

    monkeypatch.setattr(pause, "_imports_frozen", False)  # as in a fresh RunPython process
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        actions = _click_refresh(example_xlsx)
        assert gc.get_freeze_count() > frozen  # what the button imported: out of later passes
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
    assert seen and seen[0][2] >= 1_000_000  # paused while the book was refreshed
    assert gc.get_threshold() == before
    alert = next(a for a in actions if a["func"] == "alert")
    assert alert["args"][0].startswith("Rated 30 indicators")


def test_after_a_web_refresh_only_computed_cells_differ(tmp_path: Path) -> None:
    """Replay the actions onto the file: every officer cell is as it was, every computed one is the plan's."""
    from kpi_excel.core.template import KPI_OUTPUTS
    from kpi_excel.app.refresh_plan import RefreshInputs, plan_workbook_refresh

    from .replay import replay

    path = write_example_workbook(tmp_path / "report.xlsx", with_log=True)
    book = remote_book(path)
    now = dt.datetime(2026, 11, 23, 9, 30)
    refresh_book(book, door="web", user="tester", now=now)
    before = load_workbook(path)
    after = load_workbook(path)
    replay(after, book.json()["actions"])
    kpis_before = [list(r) for r in before["KPIs"].iter_rows(values_only=True)]
    kpis_after = [list(r) for r in after["KPIs"].iter_rows(values_only=True)]
    headers = kpis_before[0]
    computed = {i for i, h in enumerate(headers) if h in KPI_OUTPUTS.values()}
    for r, (old, new) in enumerate(zip(kpis_before, kpis_after)):
        for c, (a, b) in enumerate(zip(old, new)):
            if c not in computed:
                assert a == b, (r + 1, headers[c])
    sheets = read_book(remote_book(path))
    plan = plan_workbook_refresh(RefreshInputs(sheets.content(), sheets.data), now=now, user="tester", door="web")
    for write in plan.kpis.writes:
        c = headers.index(write.header)
        for row, cell in zip(plan.kpis.body_rows, write.cells):
            if cell is not None:
                assert kpis_after[row - 1][c] == cell.value, (row, write.header)
                if cell.number_format:
                    assert after["KPIs"].cell(row, c + 1).number_format == cell.number_format
    # The other sheets: Data and Settings untouched, Log appended, RAG key added.
    for name in ("Data", "Settings"):
        assert [list(r) for r in before[name].iter_rows(values_only=True)] == \
            [list(r) for r in after[name].iter_rows(values_only=True)]
    log = [list(r) for r in after["Log"].iter_rows(values_only=True)]
    assert len(log) == 3 and log[2][:3] == ["2026-11-23 09:30", "tester", "web"]
    assert after.sheetnames == ["KPIs", "Data", "Settings", "Log", "RAG key", "Summary", "KPI history"]
    assert after["RAG key"]["B4"].value == "RAG" and after["RAG key"]["B5"].value == "Green"


def test_refreshing_twice_replaces_our_sheets_and_appends_the_log(tmp_path: Path) -> None:
    from .replay import replay

    path = write_example_workbook(tmp_path / "report.xlsx", with_log=True)
    for _ in range(2):
        book = remote_book(path)
        refresh_book(book, door="web")
        actions = book.json()["actions"]
        wb = load_workbook(path)
        replay(wb, actions)
        wb.save(path)
    assert any(a["func"] == "sheetDelete" for a in actions)  # the second run replaced the RAG key
    assert [a["func"] for a in actions[-2:]] == ["activateSheet", "setScreenUpdating"]
    assert actions[-2]["sheet_position"] == 0 and actions[0]["func"] == "setScreenUpdating"
    wb = load_workbook(path)
    assert wb.sheetnames == ["KPIs", "Data", "Settings", "Log", "RAG key", "Summary", "KPI history"]  # kept in place
    log = [r for r in wb["Log"].iter_rows(values_only=True) if any(v is not None for v in r)]
    assert len(log) == 4 and log[2][2] == log[3][2] == "web"
    assert wb["RAG key"].max_row == 12


def test_benchmark_sheet_gets_its_table_and_native_charts(example_xlsx: Path) -> None:
    import pandas as pd

    from kpi_excel.core.report import plan_refresh

    from .replay import replay

    bench = pd.DataFrame([{"code": "RevCP", "period": "2025", "value": 84.4, "quartile": 3, "position": "worse",
                           "rank": 100, "n_areas": 152, "q25": 85.0, "q50": 90.0, "q75": 95.0, "sn_average": 88.0,
                           "england": 89.5, "derived_target": ">95.0", "derived_target_value": 95.0,
                           "polarity": "High", "indicator_name": "Review of CP cases", "dps": 1}]).set_index("code")
    book = remote_book(example_xlsx)
    sheets = read_book(book)
    plan = plan_refresh(sheets.content(), benchmark=bench)
    spec = next(s for s in plan.sheets if s.name == "Benchmark")
    report = apply_plan(book, plan, sheets.kpis)
    assert report.charts_drawn == len(spec.charts) == 2 and not report.charts_skipped
    actions = book.json()["actions"]
    [table] = [a for a in actions if a["func"] == "addTable" and a["args"][3] == "Benchmark"]
    assert table["args"][0] == f"$A${spec.header_row}:$P${spec.last_row}" and table["args"][3] == "Benchmark"
    charts = [a for a in actions if a["func"] == "addChart"]
    assert [c["args"][1] for c in charts] == ["BarClustered", "ColumnClustered"]
    assert charts[1]["args"][3] == f"$D${spec.first_body_row}:$I${spec.first_body_row}"  # the indicator's row
    assert charts[1]["args"][9] == f"${spec.charts[1].anchor[0]}${spec.charts[1].anchor[1:]}"
    wb = load_workbook(example_xlsx)
    replay(wb, actions)
    row = [c.value for c in wb["Benchmark"][spec.first_body_row]]
    assert row[1] == "RevCP" and row[3] == 84.4 and row[9] == 3


def test_missing_computed_columns_join_the_kpis_table(tmp_path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.table import Table

    wb = Workbook()
    ws = wb.active
    ws.title = "KPIs"
    ws.append(["Indicator", "Code", "Polarity", "Unit", "Target", "Latest Value", "RAG"])
    ws.append(["CP reviews", "SC01", "High = Good", "%", ">97.2%", 0.776, None])
    ws.add_table(Table(displayName="KPIs", ref="A1:G2"))
    wb.save(tmp_path / "old.xlsx")
    book = xw.Book(json=book_payload(tmp_path / "old.xlsx"))
    refresh_book(book)
    actions = book.json()["actions"]
    added = [a["args"][2] for a in actions if a["func"] == "addTableColumn"]
    assert "RAG Reason" in added and "Checks" in added
    rag = [a for a in actions if a["func"] == "setValues" and a["start_column"] == 6 and a["start_row"] == 1]
    assert rag[0]["values"] == [["Red"]]
    reason = 7 + added.index("RAG Reason")
    assert any(a["func"] == "setValues" and a["start_column"] == reason and "97.2%" in a["values"][0][0]
               for a in actions)


def test_quartile_rules_match_numbers_and_text() -> None:
    from kpi_excel.core.plan import FormatRule
    from kpi_excel.workbook.plan_layout import rule_formula as _rule_formula

    assert _rule_formula(FormatRule("Quartile", "equals", "1"), "Q", 2) == '=OR($Q2=1,$Q2="1")'
    assert _rule_formula(FormatRule("RAG", "equals", 'Say "no"'), "O", 5) == '=$O5="Say ""no"""'


def test_reader_frames_for_kpis_and_settings(example_xlsx: Path) -> None:
    from kpi_excel.workbook.book_reader import kpis_frame, settings_frame

    sheets = read_book(remote_book(example_xlsx))
    kpis = kpis_frame(sheets.kpis)  # type: ignore[arg-type]
    assert len(kpis) == 30 and kpis.index[0] == 2
    assert kpis.loc[kpis["Code"] == "SC01", "Latest Value"].item() == pytest.approx(0.776)
    assert kpis.loc[kpis["Code"] == "SC01", "Target"].item() == ">97.2%"
    settings = settings_frame(sheets.settings)
    assert settings.set_index("setting").loc["Authority", "value"] == "Leicestershire"


def test_tall_used_ranges_are_read_in_blocks_and_stop_at_empty_ones(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    import kpi_excel.workbook.book_reader as reader

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["Code", "Period", "Value"])
    for i in range(25):
        ws.append([f"K{i}", "Q1 2022/23", i])
    wb.save(tmp_path / "tall.xlsx")
    payload = book_payload(tmp_path / "tall.xlsx")
    sheet_api = payload["sheets"][0]
    sheet_api["used_range_address"] = "A1:C100"  # as if formatting went down to row 100
    sheet_api["used_range_row_count"] = 100
    monkeypatch.setattr(reader, "BLOCK_ROWS", 10)
    reads: list[str] = []
    book = xw.Book(json=payload)
    original = xw.Range.value.fget  # type: ignore[attr-defined]

    def counting(self):  # type: ignore[no-untyped-def]
        reads.append(self.address)
        return original(self)

    monkeypatch.setattr(xw.Range, "value", property(counting, xw.Range.value.fset))  # type: ignore[attr-defined]
    block = reader.read_block(book.sheets["Data"])
    assert len(block.values) == 26 and block.values[-1] == ["K24", "Q1 2022/23", 24]
    assert reads == ["$A$1:$C$10", "$A$11:$C$20", "$A$21:$C$30", "$A$31:$C$40"]  # stops at the empty block


def test_an_officers_own_summary_sheet_is_never_replaced(tmp_path: Path) -> None:
    from kpi_excel.app.refresh_plan import RefreshInputs, plan_workbook_refresh

    from .replay import replay

    path = write_example_workbook(tmp_path / "report.xlsx", with_log=True)
    wb = load_workbook(path)
    wb.create_sheet("Summary")["A1"] = "My notes for the portfolio holder"
    wb.save(path)
    book = remote_book(path)
    sheets = read_book(book)
    plan = plan_workbook_refresh(RefreshInputs(sheets.content(), sheets.data), door="web")
    report = apply_plan(book, plan, sheets.kpis)
    assert any(s.startswith("Summary sheet not written") for s in report.skipped)
    assert "Summary" not in report.sheets_replaced and "KPI history" in report.sheets_replaced
    wb = load_workbook(path)
    replay(wb, book.json()["actions"])
    assert wb["Summary"]["A1"].value == "My notes for the portfolio holder"


def test_the_desktop_door_stands_down_when_the_kpis_rows_moved_before_writing(example_xlsx: Path) -> None:
    """A co-author's sort arriving (AutoSave) between the read and the write: nothing is written."""
    from kpi_excel.addin.book_door import _check_unchanged, plan_book
    from kpi_excel.workbook.plan_layout import KPIS_CHANGED, kpis_guard

    read = remote_book(example_xlsx)
    sheets, plan = plan_book(read, door="excel", user="", policy=None)
    guard = kpis_guard(plan.kpis, sheets.kpis)
    _check_unchanged(remote_book(example_xlsx), guard)  # unchanged: goes ahead
    payload = book_payload(example_xlsx)
    rows = payload["sheets"][0]["values"]
    rows[5], rows[6] = rows[6], rows[5]  # two indicators swapped by a sort
    sorted_book = xw.Book(json=payload)
    with pytest.raises(InputError) as raised:
        _check_unchanged(sorted_book, guard)
    assert KPIS_CHANGED in str(raised.value)
    assert sorted_book.json()["actions"] == []
    renamed = book_payload(example_xlsx)
    renamed["sheets"][0]["values"][0][3] = "Ref"  # the Code header edited
    with pytest.raises(InputError):
        _check_unchanged(xw.Book(json=renamed), guard)
