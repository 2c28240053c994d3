"""The web door's batch, applied by ribbon.js through xlwings Server's real client (issue 15).

Size and round trips at the scale officers have (200 indicators, 100,000 Data
rows), sheets of the officer's that share our names, a marker left by a
deleted sheet, and dates typed in the Data sheet. See tests/webclient/client.py.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from openpyxl import load_workbook

from bench.big_report import make_big_report
from tests.addin.conftest import RunningServer, start_server, stop_server, write_example_workbook
from tests.webclient.client import LIMIT_BYTES, click, model_from_xlsx, node_path
from kpi_excel.workbook.web_batch import marker_name
from kpi_excel.app.report_files import new_report

if node_path() is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("node is not installed: CI must have it (tests/webclient drives the real web client)")
    pytest.skip("node is not installed", allow_module_level=True)

RAGS = {"Green", "Amber", "Red", "N/A"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server"))  # the default 20 MB request limit
    yield running
    stop_server(running)


def sheet(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in model["sheets"] if s["name"] == name)


def values_under(model: dict[str, Any], sheet_name: str, header: str, header_row: int = 1) -> list[Any]:
    cells = sheet(model, sheet_name)["cells"]
    letters = [a[: -len(str(header_row))] for a, c in cells.items()
               if re.fullmatch(rf"[A-Z]+{header_row}", a) and c.get("v") == header]
    assert letters, f"no {header!r} header on {sheet_name}"
    rows = sorted(int(a[len(letters[0]):]) for a in cells if re.fullmatch(letters[0] + r"\d+", a))
    return [cells[f"{letters[0]}{r}"].get("v") for r in rows if r > header_row]


def test_200_indicators_refresh_in_at_most_100_syncs(server: RunningServer, tmp_path: Path) -> None:
    book = make_big_report(tmp_path / "200.xlsx", indicators=200, history_rows=8_000)
    run = click(model_from_xlsx(book), server.url, "refresh-kpis")
    assert run.errors == [] and run.raw["unimplemented"] == []
    assert run.sync_calls <= 100, f"{run.sync_calls} context.sync() calls"
    rags = [v for v in values_under(run.model, "KPIs", "RAG") if v]
    assert len(rags) == 200 and set(rags) <= RAGS
    assert [a["prompt"] for a in run.alerts][-1].startswith("Rated 200 indicators")


def test_100k_data_rows_refresh_with_no_call_over_5_mb(server: RunningServer, tmp_path: Path) -> None:
    book = make_big_report(tmp_path / "100k.xlsx", indicators=200, history_rows=100_000)
    run = click(model_from_xlsx(book), server.url, "refresh-kpis", enforce_payload_limit=True)
    assert run.errors == [], run.errors
    assert run.largest_call_bytes < LIMIT_BYTES, run.largest_call_bytes
    assert len(run.syncs) <= 100
    latest = [v for v in values_under(run.model, "KPIs", "Latest Period") if v]
    assert len(latest) == 200  # every indicator found its history in the 100,000 rows
    [script] = [r for r in run.requests if "custom-scripts-call" in r["url"]]
    assert script["request_bytes"] > LIMIT_BYTES // 2  # the Data really rode beside the workbook


def test_a_data_sheet_over_the_limit_gets_one_alert_and_nothing_changes(server: RunningServer,
                                                                         tmp_path: Path) -> None:
    model = model_from_xlsx(write_example_workbook(tmp_path / "report.xlsx"))
    data = sheet(model, "Data")
    data["cells"]["E250000"] = {"v": "a stray note", "nf": "General"}  # 250,000 rows x 5 columns
    before = [s["cells"] for s in model["sheets"]]
    run = click(model, server.url, "refresh-kpis")
    assert [a["prompt"] for a in run.alerts] == [run.alerts[0]["prompt"]]
    assert "reads at most 1,000,000" in run.alerts[0]["prompt"] and "Data" in run.alerts[0]["prompt"]
    assert [s["cells"] for s in run.model["sheets"]] == before
    assert not [r for r in run.requests if "custom-scripts-call" in r["url"]]  # refused before anything was sent


def test_an_officers_own_log_and_rag_key_are_left_alone(server: RunningServer, tmp_path: Path) -> None:
    model = model_from_xlsx(write_example_workbook(tmp_path / "report.xlsx"))
    for name, text in (("Log", "My own notes"), ("RAG key", "How our directorate colours things")):
        model["sheets"].append({"name": name, "visibility": "Visible", "showGridlines": True,
                                "cells": {"A1": {"v": text, "nf": "General"}, "B7": {"v": 42, "nf": "General"}},
                                "columnWidths": {}, "tables": [], "charts": [], "conditionalFormats": []})
    run = click(model, server.url, "refresh-kpis")
    assert run.errors == []
    for name, text in (("Log", "My own notes"), ("RAG key", "How our directorate colours things")):
        own = sheet(run.model, name)["cells"]
        assert own["A1"]["v"] == text and own["B7"]["v"] == 42 and len(own) == 2
        ours = sheet(run.model, f"{name} (KPI Report)")
        assert ours["cells"]["A1"]["v"]  # ours was written beside it
    names = {n["name"]: n for n in run.model["names"]}
    assert names[marker_name("Log")]["formula"] == "='Log (KPI Report)'!$A$1"
    assert names[marker_name("Log")]["visible"] is False
    prompts = " ".join(a["prompt"] for a in run.alerts)
    assert 'Your own "RAG key" sheet was left as it is' in prompts
    again = click(run.model, server.url, "refresh-kpis")  # the marker finds ours the next time
    assert len(values_under(again.model, "Log (KPI Report)", "When")) == 2
    assert sheet(again.model, "Log")["cells"] == sheet(run.model, "Log")["cells"]


def test_a_marker_left_by_a_deleted_sheet_is_replaced(server: RunningServer, tmp_path: Path) -> None:
    from kpi_excel.app.report_files import new_report

    model = model_from_xlsx(new_report(tmp_path / "report.xlsx", example=True))  # benchmarked: has a Benchmark
    first = click(model, server.url, "refresh-kpis").model
    first["sheets"] = [s for s in first["sheets"] if s["name"] != "Benchmark"]
    for item in first["names"]:
        if item["name"] == marker_name("Benchmark"):
            item["formula"] = "=#REF!$A$1"  # what Excel leaves when the sheet a name points at is deleted
    run = click(first, server.url, "refresh-kpis")
    assert run.errors == []
    assert sheet(run.model, "Benchmark")["cells"]["A1"]["v"].startswith("Benchmark")
    markers = [n for n in run.model["names"] if n["name"] == marker_name("Benchmark")]
    assert [m["formula"] for m in markers] == ["='Benchmark'!$A$1"] or \
        [m["formula"] for m in markers] == ["=Benchmark!$A$1"]


def test_periods_typed_as_dates_in_data_reach_the_server_as_dates(server: RunningServer, tmp_path: Path) -> None:
    path = write_example_workbook(tmp_path / "report.xlsx")
    wb = load_workbook(path)
    kpis, data = wb["KPIs"], wb["Data"]
    headers = [c.value for c in kpis[1]]
    row = [None] * len(headers)
    for key, value in (("Indicator", "Monthly visits"), ("Code", "MON1"), ("Polarity", "High = Good"),
                       ("Frequency", "Monthly")):
        row[headers.index(key)] = value
    kpis.append(row)
    for month, value in ((dt.datetime(2025, 2, 1), 40), (dt.datetime(2025, 3, 1), 55)):
        data.append(["MON1", month, value])
        data.cell(data.max_row, 2).number_format = "mmm-yy"
    wb.save(path)
    run = click(model_from_xlsx(path), server.url, "refresh-kpis")
    sent = run.body["args"][0]["rows"]
    assert sent[-1][:2] == ["MON1", "2025-03-01T00:00:00.000Z"]  # as xlwings Server's client sends dates
    kpis = sheet(run.model, "KPIs")["cells"]
    codes = values_under(run.model, "KPIs", "Code")
    row = codes.index("MON1") + 2
    header = {c["v"]: a[:-1] for a, c in kpis.items() if re.fullmatch(r"[A-Z]+1", a) and "v" in c}
    latest = kpis[f"{header['Latest Period']}{row}"]
    assert latest["v"] == 45717 and latest["nf"] == "yyyy-mm-dd"  # 1 March 2025, shown as the file door writes it
    trend = dict(zip(values_under(run.model, "KPIs", "Code"), values_under(run.model, "KPIs", "Trend")))
    assert trend["MON1"] == "Increase"


def test_mixed_units_get_one_format_entry_a_column_block_and_each_cell_its_format(server: RunningServer,
                                                                                   tmp_path: Path) -> None:
    """Percent and count rows alternate (issue 20): one entry a block, formats cell by cell, applied by ribbon.js."""
    import xlwings as xw

    from kpi_excel.addin.server.sheet_data import data_block
    from kpi_excel.sources.policy import SourcePolicy
    from kpi_excel.addin.book_door import plan_book
    from kpi_excel.workbook.web_batch import web_batch
    from tests.addin.payload import web_request

    book = make_big_report(tmp_path / "mixed.xlsx", indicators=30, history_rows=240)  # rows 3, 6, ... are counts
    request = web_request(book)
    data = request.pop("args")[0]
    remote = xw.Book(json=request)
    sheets, plan = plan_book(remote, door="web", user="", policy=SourcePolicy.offered_only({}), data=data_block(data))
    kpis = web_batch(remote, plan, sheets.kpis, message={"text": "", "title": "", "mode": "info"})["kpis"]
    blocks = {block["address"] for block in kpis["blocks"]}
    formats = [entry["address"] for entry in kpis["formats"]]
    assert len(formats) == len(set(formats)) and set(formats) <= blocks  # at most one entry a block
    mixed = [entry for entry in kpis["formats"] if "formats" in entry]
    assert mixed and all(len(entry["formats"]) == entry["rows"] for entry in mixed)

    run = click(model_from_xlsx(book), server.url, "refresh-kpis")
    assert run.errors == [], run.errors
    cells = sheet(run.model, "KPIs")["cells"]
    header = {c["v"]: a[:-1] for a, c in cells.items() if re.fullmatch(r"[A-Z]+1", a) and "v" in c}
    shown = [cells[f"{header['Latest Value']}{row}"].get("nf", "General") for row in range(2, 32)]
    units = [cells.get(f"{header['Unit']}{row}", {}).get("v") for row in range(2, 32)]
    assert all("%" in fmt for fmt, unit in zip(shown, units) if unit == "%"), shown
    assert all("%" not in fmt for fmt, unit in zip(shown, units) if unit != "%"), shown


def by_code(model: dict[str, Any], header: str) -> dict[str, Any]:
    """The KPIs sheet's column under ``header``, by each row's Code."""
    cells = sheet(model, "KPIs")["cells"]
    column = {c.get("v"): re.sub(r"\d", "", a) for a, c in cells.items() if re.fullmatch(r"[A-Z]+1", a)}
    rows = {int(a[len(column["Code"]):]) for a in cells if re.fullmatch(column["Code"] + r"\d+", a)} - {1}
    return {cells[f"{column['Code']}{r}"]["v"]: cells.get(f"{column[header]}{r}", {}).get("v") for r in rows}


def test_the_web_batch_writes_the_ranked_figure_and_adds_its_column_to_an_older_report(server: RunningServer,
                                                                                        tmp_path: Path) -> None:
    """Issue 16 item 7: Benchmark Value, the figure Quartile and Rank are of, reaches the sheet through
    the web batch: in its template place, and added after the last column for a report made before it."""
    model = model_from_xlsx(new_report(tmp_path / "report.xlsx", example=True))
    run = click(model, server.url, "refresh-kpis")
    assert run.errors == []
    ranked = by_code(run.model, "Benchmark Value")
    assert ranked["SC08"] == pytest.approx(0.58) and ranked["ED04"] == pytest.approx(-0.64)
    # An older report: no Benchmark Value header (that column's cells are the officer's own, untouched).
    older = model_from_xlsx(new_report(tmp_path / "older.xlsx", example=True))
    cells = sheet(older, "KPIs")["cells"]
    [address] = [a for a, c in cells.items() if re.fullmatch(r"[A-Z]+1", a) and c.get("v") == "Benchmark Value"]
    cells[address]["v"] = "My notes"
    run = click(older, server.url, "refresh-kpis")
    assert run.errors == []
    assert by_code(run.model, "Benchmark Value")["SC08"] == pytest.approx(0.58)
    assert not [v for v in values_under(run.model, "KPIs", "My notes") if v not in (None, "")]
