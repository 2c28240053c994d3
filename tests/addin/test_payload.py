"""The Office.js payload built from a real .xlsx, checked against what the remote engine reads."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import Workbook
from openpyxl.worksheet.table import Table, TableStyleInfo

from tests.addin.payload import book_payload, payload_bytes


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "KPIs"
    ws.append(["Code", "Latest Value", "When", "Count", "Flag", "Formula"])
    ws.append(["SC01", 0.776, dt.datetime(2022, 9, 30), 3972, True, "=1+1"])
    ws.append(["SC02", None, dt.date(2023, 3, 31), 3.0, False, None])
    ws["B2"].number_format = "0.0%"
    ws.add_table(Table(displayName="KPIs", ref="A1:F3", tableStyleInfo=TableStyleInfo(name="TableStyleMedium2",
                                                                                         showRowStripes=True)))
    other = wb.create_sheet("Log")
    other["C5"] = "x"
    wb.create_sheet("Empty")
    wb.defined_names["Latest"] = __import__("openpyxl").workbook.defined_name.DefinedName(
        "Latest", attr_text="KPIs!$B$2:$B$3")
    wb.save(tmp_path / "mixed.xlsx")
    return tmp_path / "mixed.xlsx"


def test_shape_matches_the_office_js_client(mixed: Path) -> None:
    payload = book_payload(mixed)
    assert payload["client"] == "Office.js" and payload["version"] == xw.__version__
    assert payload["book"] == {"name": "mixed.xlsx", "active_sheet_index": 0, "selection": "A1",
                               "calculation": "Automatic"}
    kpis, log, empty = payload["sheets"]
    assert kpis["values"][1] == ["SC01", 0.776, "2022-09-30T00:00:00.000Z", 3972, True, ""]
    assert kpis["values"][2] == ["SC02", "", "2023-03-31T00:00:00.000Z", 3, False, ""]  # 3.0 is sent as 3
    assert kpis["used_range_address"] == "A1:F3"
    assert log["used_range_address"] == "C5" and len(log["values"]) == 5 and len(log["values"][0]) == 3
    assert empty["used_range_address"] is None and empty["values"] == [[""]]
    [table] = kpis["tables"]
    assert table["range_address"] == "A1:F3" and table["data_body_range_address"] == "A2:F3"
    assert table["columns"][:2] == ["Code", "Latest Value"]
    [name] = payload["names"]
    assert name["name"] == "Latest" and name["sheet_index"] == 0 and name["address"] == "B2:B3"
    json.loads(payload_bytes(payload))  # it is JSON as sent


def test_excluded_sheets_keep_their_place_but_not_their_values(mixed: Path) -> None:
    payload = book_payload(mixed, include=["KPIs"])
    assert [s["name"] for s in payload["sheets"]] == ["KPIs", "Log", "Empty"]
    # As xlwings Server's client: an excluded sheet's used range is not loaded, so not sent.
    assert payload["sheets"][1]["values"] == [[]] and payload["sheets"][1]["used_range_row_count"] == 0
    assert payload["sheets"][1]["used_range_address"] is None
    with pytest.raises(ValueError):
        book_payload(mixed, include=["KPIs"], exclude=["Log"])


def test_remote_engine_reads_it_as_excel_values(mixed: Path) -> None:
    book = xw.Book(json=book_payload(mixed))
    rows = book.sheets["KPIs"].used_range.value
    assert rows[1][:5] == ["SC01", 0.776, dt.datetime(2022, 9, 30), 3972, True]
    assert rows[2][1] is None  # Office.js's "" is an empty cell to xlwings
    assert book.sheets["Log"].used_range.address == "$C$5"
    assert book.names["Latest"].refers_to_range.address == "$B$2:$B$3"
