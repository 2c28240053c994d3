"""The web door through the REAL client: xlwings Server's own JavaScript (from the pinned wheel)
in Node, over an in-memory Excel made from a real .xlsx, posting to our server on loopback and
applying the answer with the client's own action handlers. See tests/webclient/client.py.

"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

# ``server`` is tests/addin's fixture (5 MB body limit, sign-in off), used here as it is there.
from tests.addin.conftest import RunningServer, server, write_example_workbook  # noqa: F401
from tests.webclient.client import LIMIT_BYTES, click, model_from_xlsx, node_path, xlsx_from_model

IN_CI = os.environ.get("CI", "").lower() == "true"
if node_path() is None:
    if IN_CI:
        raise RuntimeError("node is not installed: CI must have it (tests/webclient drives the real web client)")
    pytest.skip("node is not installed: the real web client (xlwings Server's JavaScript) runs in Node",
                allow_module_level=True)

RAGS = {"Green", "Amber", "Red", "N/A"}
CHANGED = ("The KPIs sheet changed while the report was refreshing; press Refresh KPIs again. Nothing was "
           "written (a row was added, moved or its code edited since you pressed it).")


@pytest.fixture(scope="module")
def example_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example report as `kpi-excel demo` makes it, before its first refresh."""
    from kpi_excel.app.report_files import new_report

    return new_report(tmp_path_factory.mktemp("example") / "Performance report.xlsx", example=True)


@pytest.fixture(scope="module")
def refreshed(example_report: Path, server: RunningServer) -> Any:
    """One Refresh KPIs click on the example, through the real client."""
    return click(model_from_xlsx(example_report), server.url, "refresh-kpis")


def sheet(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in model["sheets"] if s["name"] == name)


def column(ws: Any, header: str) -> list[Any]:
    """The values under ``header`` (row 1) down to the last row of the sheet."""
    headers = [c.value for c in ws[1]]
    col = headers.index(header) + 1
    return [ws.cell(r, col).value for r in range(2, ws.max_row + 1)]


def codes(model: dict[str, Any]) -> list[str]:
    kpis = sheet(model, "KPIs")
    header = {cell["v"]: address for address, cell in kpis["cells"].items()
              if re.fullmatch(r"[A-Z]+1", address) and "v" in cell}
    letter = header["Code"][:-1]
    rows = sorted(int(a[len(letter):]) for a in kpis["cells"] if re.fullmatch(letter + r"\d+", a))
    return [kpis["cells"][f"{letter}{r}"].get("v") for r in rows if r > 1]


# --------------------------------------------------------------------------- what holds today

def test_refresh_through_the_real_client_rates_every_kpi(refreshed: Any, tmp_path: Path) -> None:
    assert refreshed.errors == [], refreshed.errors
    assert refreshed.raw["unimplemented"] == [], "the client used Office.js members the mock lacks"
    assert [a["title"] for a in refreshed.alerts] == ["KPI Report"], refreshed.alerts
    assert refreshed.alerts[0]["mode"] == "info"
    assert refreshed.alerts[0]["prompt"].startswith("Rated 30 indicators")

    wb = load_workbook(refreshed.workbook(tmp_path / "after.xlsx"))
    kpis = wb["KPIs"]
    rags = [v for v in column(kpis, "RAG") if v is not None]
    assert len(rags) == 30 and set(rags) <= RAGS, rags
    assert {"Green", "Amber", "Red"} <= set(rags)
    reasons = column(kpis, "RAG Reason")
    assert any(isinstance(r, str) and "points short of" in r for r in reasons)


def test_typed_values_are_rated_as_typed(server: RunningServer, tmp_path: Path) -> None:
    """SC01 (77.6% against a >97.2% target) comes back Red; SC04's Data rows (84.00%) win over its typed 95%."""
    path = write_example_workbook(tmp_path / "typed.xlsx")
    run = click(model_from_xlsx(path), server.url, "refresh-kpis")
    assert run.errors == [] and run.alerts[-1]["mode"] == "info", run.alerts
    kpis = load_workbook(run.workbook(tmp_path / "after.xlsx"))["KPIs"]
    rag = dict(zip(column(kpis, "Code"), column(kpis, "RAG")))
    reason = dict(zip(column(kpis, "Code"), column(kpis, "RAG Reason")))
    assert rag["SC01"] == "Red" and "77.60% is 19.60 points short" in reason["SC01"]
    assert rag["SC04"] == "Red" and "84.00% is 6.30 points short" in reason["SC04"]


def test_check_inputs_writes_nothing(example_report: Path, server: RunningServer) -> None:
    model = model_from_xlsx(example_report)
    run = click(model, server.url, "check-inputs")
    assert run.errors == []
    assert [a["title"] for a in run.alerts] == ["KPI Report: check inputs"]
    assert run.model["sheets"] == xlsx_round(model)["sheets"]


def xlsx_round(model: dict[str, Any]) -> dict[str, Any]:
    """The model as the mock hands it back without changes (what toJSON normalises)."""
    out = copy.deepcopy(model)
    for s in out["sheets"]:
        for t in s["tables"]:
            t.setdefault("showHeaders", True)
            t.setdefault("showTotals", False)
    return out


def test_the_client_posts_once_and_no_call_passes_5_mb(refreshed: Any) -> None:
    assert refreshed.script_request["status"] == 200
    assert refreshed.script_request["url"].endswith("/xlwings/custom-scripts-call/refresh_kpis")
    assert refreshed.largest_call_bytes < LIMIT_BYTES
    assert refreshed.script_request["request_bytes"] < LIMIT_BYTES


def test_the_round_trips_are_counted(refreshed: Any) -> None:
    """Issue 15 measured 1,097 syncs for this click; the harness counts them (see the 60-sync test below)."""
    assert refreshed.round_trips > 0 and refreshed.sync_calls >= refreshed.round_trips
    print(f"\nexample refresh: {refreshed.sync_calls} context.sync() calls, {refreshed.round_trips} round trips, "
          f"largest call {refreshed.largest_call_bytes} bytes, {refreshed.seconds_at(100):.1f} s at 100 ms a sync")


MACRO_ADDIN = """
async function harnessMacro(context, sheetName, value) {
  const sheet = context.workbook.worksheets.getItem(sheetName);
  sheet.getRange("B1").values = [[value]];
  await context.sync();
}
xlwings.registerCallback(harnessMacro);
Office.actions.associate("macro", async (event) => {
  const at = { sheet_position: 0, start_row: 0, start_column: 0, row_count: 1, column_count: 1, values: [[]] };
  try {
    await xlwings.runActions({ actions: [
      { ...at, func: "runMacro", args: ["harnessMacro", "KPIs", "from a macro"] },
      { ...at, func: "alert", args: ["Done", "KPI Report", "ok", "info", ""] },
    ] });
  } finally {
    event.completed();
  }
});
"""


def test_run_macro_and_alert_through_the_clients_own_dispatch(example_report: Path, server: RunningServer,
                                                              tmp_path: Path) -> None:
    """A client-side function registered with xlwings.registerCallback runs from a runMacro action."""
    addin = tmp_path / "macro.js"
    addin.write_text(MACRO_ADDIN, encoding="utf-8")
    run = click(model_from_xlsx(example_report), server.url, "macro", addin_js=addin)
    assert run.errors == [], run.errors
    assert sheet(run.model, "KPIs")["cells"]["B1"]["v"] == "from a macro"
    assert [(a["prompt"], a["title"], a["mode"]) for a in run.alerts] == [("Done", "KPI Report", "info")]


# --------------------------------------------------------------------------- payload.py vs the real client

def differences(ours: Any, real: Any, where: str = "", limit: int = 40) -> list[str]:
    """Field-by-field differences between payload.py's body and the real client's."""
    out: list[str] = []

    def walk(a: Any, b: Any, at: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                if k not in a:
                    out.append(f"{at}.{k}: only the real client sends it ({b[k]!r:.80})")
                elif k not in b:
                    out.append(f"{at}.{k}: only payload.py sends it ({a[k]!r:.80})")
                else:
                    walk(a[k], b[k], f"{at}.{k}")
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                out.append(f"{at}: {len(a)} items from payload.py, {len(b)} from the real client")
            for i, (x, y) in enumerate(zip(a, b)):
                label = x.get("name") if isinstance(x, dict) and "name" in x else i
                walk(x, y, f"{at}[{label}]")
        elif a != b or type(a) is not type(b):
            out.append(f"{at}: payload.py {a!r:.80}, real client {b!r:.80}")

    walk(ours, real, where)
    return out


@pytest.mark.parametrize("which", ["example report", "typed workbook with a Log", "refreshed example"])
def test_payload_py_matches_the_real_clients_body(which: str, example_report: Path, server: RunningServer,
                                                  refreshed: Any, tmp_path: Path) -> None:
    """payload.py imitates getBookData and ribbon.js; the real client is the reference. Differences fail here."""
    from tests.addin.payload import web_request

    if which == "example report":
        path = example_report
    elif which == "typed workbook with a Log":
        path = write_example_workbook(tmp_path / "report.xlsx", with_log=True)
    else:  # tables, dates, more sheets: what a refresh leaves behind, saved as .xlsx
        path = refreshed.workbook(tmp_path / "refreshed.xlsx")
    # The host at ExcelApi 1.18, as Excel on the web is today: the client then reports notes as
    # supported (notes_supported is the host's version, not the workbook's).
    real = click(model_from_xlsx(path), server.url, "check-inputs", excel_api="1.18").body
    ours = web_request(path)
    found = differences(ours, real)
    assert not found, "payload.py differs from the real client:\n" + "\n".join(found)


def test_the_real_client_sends_only_the_included_sheets_values(refreshed: Any) -> None:
    """Only KPIs, Settings and Log ride in the payload (Data comes beside it, in chunks); other sheets'
    values never reach the server, so nothing may be decided from them there."""
    body = refreshed.body
    sent = {s["name"]: s["values"] for s in body["sheets"]}
    assert {name for name, values in sent.items() if values != [[]]} <= {"KPIs", "Settings", "Log"}
    assert sent["Data"] == [[]] and body["args"][0]["rows"][0][:3] == ["Code", "Period", "Value"]
    assert len(sent["KPIs"]) == 31


# --------------------------------------------------------------------------- issue 15: nothing lost, co-authors safe

def test_log_keeps_its_rows_across_three_refreshes(server: RunningServer, tmp_path: Path) -> None:
    model = model_from_xlsx(write_example_workbook(tmp_path / "report.xlsx", with_log=True))
    for _ in range(3):
        run = click(model, server.url, "refresh-kpis")
        assert run.errors == [] and run.alerts[-1]["mode"] == "info", run.alerts
        model = run.model
    log = load_workbook(xlsx_from_model(model, tmp_path / "after.xlsx"))["Log"]
    rows = [r for r in log.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]
    assert len(rows) == 1 + 3, rows
    assert rows[0][0] == "2026-11-01 09:00"  # the row that was there before


def test_an_officers_own_benchmark_sheet_survives(example_report: Path, server: RunningServer, tmp_path: Path) -> None:
    model = model_from_xlsx(example_report)
    model["sheets"].append({"name": "Benchmark", "cells": {"A1": {"v": "My own comparison"}, "B2": {"v": 42}},
                            "tables": [], "charts": [], "names": []})
    run = click(model, server.url, "refresh-kpis")
    assert run.errors == [] and run.alerts[-1]["mode"] == "info", run.alerts
    mine = [s for s in run.model["sheets"] if s["cells"].get("A1", {}).get("v") == "My own comparison"]
    assert len(mine) == 1 and mine[0]["cells"]["B2"]["v"] == 42
    assert mine[0]["name"] == "Benchmark"  # ours goes beside it, under another name


def test_a_formula_pointing_at_our_benchmark_sheet_survives_a_refresh(refreshed: Any, server: RunningServer) -> None:
    model = copy.deepcopy(refreshed.model)
    model["sheets"].append({"name": "Notes", "cells": {"A1": {"f": "=Benchmark!A1", "v": "x"}},
                            "tables": [], "charts": [], "names": []})
    run = click(model, server.url, "refresh-kpis")
    assert run.errors == []
    assert "#REF!" not in sheet(run.model, "Notes")["cells"]["A1"]["f"]


@pytest.mark.parametrize("mutation", [{"swap_rows": ["KPIs", 5, 6]}, {"insert_row": ["KPIs", 5]},
                                      {"set": ["KPIs", "D5", "XYZ"]}])
def test_kpis_changed_between_read_and_write_gives_one_alert_and_no_writes(
        mutation: dict[str, Any], example_report: Path, server: RunningServer) -> None:
    model = model_from_xlsx(example_report)
    run = click(model, server.url, "refresh-kpis", mutate=mutation)
    assert run.raw.get("mutated") == 1
    assert [a["prompt"] for a in run.alerts] == [CHANGED], run.alerts
    # Nothing written: the workbook is the co-author's, exactly.
    untouched = click(model, server.url, "check-inputs", mutate=mutation).model
    assert run.model["sheets"] == untouched["sheets"]


def test_the_example_refreshes_in_at_most_60_syncs(refreshed: Any) -> None:
    assert refreshed.errors == []
    assert refreshed.sync_calls <= 60, f"{refreshed.sync_calls} context.sync() calls"

