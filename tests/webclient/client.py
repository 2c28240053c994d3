"""The web door driven through xlwings Server's real client (Python side of the harness).

``click(model, server_url, "refresh-kpis")`` runs ``run_client.mjs`` in Node: the installed
wheel's ``static/js/custom-scripts/index.js`` over the in-memory Excel of ``excel_mock.mjs``,
our ``ribbon.js`` on top, posting to the server at ``server_url``. The workbook goes in and
comes out as a *model* (plain JSON), made from and written back to real .xlsx files here:

    model = {"name": "report.xlsx", "active": 0, "selection": "A1", "calculationMode": "Automatic",
             "sheets": [{"name": "KPIs", "visibility": "Visible", "showGridlines": True,
                         "cells": {"A1": {"v": "Topic", "nf": "General", "bold": True, "f": "=..."}},
                         "columnWidths": {"A": 60.0},          # points, as Office.js has them
                         "tables": [{"name": "Table1", "ref": "A1:D9", "style": "TableStyleMedium2"}],
                         "charts": [...], "conditionalFormats": [...], "names": [...]}],
             "names": [{"name": "kpi_excel_sheet", "formula": "=Benchmark!$A$1", "visible": False}]}

A cell's ``v`` is what Office.js' ``Range.values`` gives: numbers, booleans, text, and dates as
serial numbers (``nf`` then holds a date format and the client turns them into ISO text).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table, TableStyleInfo

__all__ = ["ClientRun", "click", "model_from_xlsx", "xlsx_from_model", "node_path", "xlwings_static_dir",
           "RIBBON_JS", "LIMIT_BYTES"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RIBBON_JS = ROOT / "kpi_excel" / "addin" / "server" / "project" / "static" / "js" / "ribbon.js"
RUN_CLIENT = HERE / "run_client.mjs"
LIMIT_BYTES = 5 * 1024 * 1024  # Excel on the web: one Office.js request or response
_EPOCH = dt.datetime(1899, 12, 30)


def node_path() -> str | None:
    return shutil.which("node")


def xlwings_static_dir() -> Path:
    """The installed wheel's static folder (the real client's JavaScript is read from here)."""
    import xlwings_server

    return Path(xlwings_server.__file__).resolve().parent / "static"


# --------------------------------------------------------------------------- xlsx -> model

def _serial(value: dt.datetime | dt.date | dt.time) -> float:
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    return (value - _EPOCH).total_seconds() / 86400


def _office_value(value: Any) -> Any:
    """A cell value as Office.js' Range.values reads it (None: empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _serial(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def _rgb(color: Any) -> str | None:
    rgb = getattr(color, "rgb", None)
    if isinstance(rgb, str) and len(rgb) in (6, 8) and color.type == "rgb":
        return "#" + rgb[-6:].upper()
    return None


def _points(chars: float) -> float:
    # Excel: pixels = trunc((256 * width + trunc(128 / 7)) / 256 * 7); a point is 0.75 px.
    return round(int((256 * chars + int(128 / 7)) / 256 * 7) * 0.75, 2)


def _chars(points: float) -> float:
    return round(max(0.0, (points / 0.75 - 5) / 7), 2)


def model_from_xlsx(path: Path | str) -> dict[str, Any]:
    path = Path(path)
    wb = load_workbook(path)
    cached = load_workbook(path, data_only=True)
    try:
        sheets = []
        for ws in wb.worksheets:
            values = cached[ws.title]
            cells: dict[str, dict[str, Any]] = {}
            for row in ws.iter_rows():
                for cell in row:
                    entry: dict[str, Any] = {}
                    raw = cell.value
                    if isinstance(raw, str) and raw.startswith("="):
                        entry["f"] = raw
                        value = _office_value(values[cell.coordinate].value)
                        entry["v"] = raw if value is None else value  # no cached value: the formula text
                    elif raw is not None and not isinstance(raw, str) or (isinstance(raw, str) and raw):
                        value = _office_value(raw)
                        if value is not None:
                            entry["v"] = value
                    if cell.number_format and cell.number_format != "General":
                        entry["nf"] = cell.number_format
                    if cell.font is not None and cell.font.b:
                        entry["bold"] = True
                    if cell.font is not None and _rgb(cell.font.color):
                        entry["color"] = _rgb(cell.font.color)
                    if cell.fill is not None and cell.fill.fill_type == "solid" and _rgb(cell.fill.fgColor):
                        entry["fill"] = _rgb(cell.fill.fgColor)
                    if cell.alignment is not None and cell.alignment.wrap_text:
                        entry["wrap"] = True
                    if entry:
                        cells[cell.coordinate] = entry
            widths = {letter: _points(dim.width) for letter, dim in ws.column_dimensions.items()
                      if dim.customWidth and dim.width}
            tables = [{
                "name": t.displayName or t.name,
                "ref": t.ref,
                "style": t.tableStyleInfo.name if t.tableStyleInfo is not None else None,
                "showHeaders": (t.headerRowCount if t.headerRowCount is not None else 1) > 0,
                "showTotals": bool(t.totalsRowCount),
            } for t in ws.tables.values()]
            charts = [{"name": f"Chart {i + 1}", "chartType": type(c).__name__, "from_xlsx": True, "series": []}
                      for i, c in enumerate(ws._charts)]
            sheets.append({
                "name": ws.title,
                "visibility": {"hidden": "Hidden", "veryHidden": "VeryHidden"}.get(ws.sheet_state, "Visible"),
                "showGridlines": bool(ws.sheet_view.showGridLines if ws.sheet_view.showGridLines is not None else True),
                "cells": cells,
                "columnWidths": widths,
                "tables": tables,
                "charts": charts,
                "conditionalFormats": [],
                "names": [_name(n, d) for n, d in ws.defined_names.items()],
            })
        active = wb.worksheets.index(wb.active) if wb.active in wb.worksheets else 0
        selection = "A1"
        view = wb.worksheets[active].sheet_view
        if view.selection and view.selection[0].sqref:
            selection = str(view.selection[0].sqref).split()[0]
        return {
            "name": path.name,
            "active": active,
            "selection": selection,
            "calculationMode": "Automatic",
            "sheets": sheets,
            "names": [_name(n, d) for n, d in wb.defined_names.items()],
        }
    finally:
        wb.close()
        cached.close()


def _name(name: str, defn: DefinedName) -> dict[str, Any]:
    return {"name": name, "formula": "=" + str(defn.attr_text), "visible": not defn.hidden,
            "comment": defn.comment or ""}


# --------------------------------------------------------------------------- model -> xlsx

def xlsx_from_model(model: dict[str, Any], path: Path | str) -> Path:
    """Write the model as a real workbook: values, number formats, fonts/fills, widths, sheet
    order and visibility, tables, defined names. Charts and conditional formats stay in the model."""
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in model["sheets"]:
        ws = wb.create_sheet(sheet["name"])
        ws.sheet_state = {"Hidden": "hidden", "VeryHidden": "veryHidden"}.get(sheet.get("visibility"), "visible")
        ws.sheet_view.showGridLines = sheet.get("showGridlines", True)
        for address, cell in sheet.get("cells", {}).items():
            target = ws[address]
            if "f" in cell:
                target.value = cell["f"]
            elif "v" in cell:
                target.value = cell["v"]
            if "nf" in cell:
                target.number_format = cell["nf"]
            if cell.get("bold") or cell.get("color") or cell.get("italic"):
                target.font = Font(b=bool(cell.get("bold")), i=bool(cell.get("italic")),
                                   color=cell["color"].lstrip("#") if cell.get("color", "").startswith("#") else None)
            if cell.get("fill", "").startswith("#"):
                target.fill = PatternFill("solid", fgColor=cell["fill"].lstrip("#"))
            if cell.get("wrap"):
                target.alignment = Alignment(wrap_text=True)
        for letter, points in sheet.get("columnWidths", {}).items():
            ws.column_dimensions[letter].width = _chars(points)
        for t in sheet.get("tables", []):
            table = Table(displayName=t["name"], ref=t["ref"])
            if t.get("style"):
                table.tableStyleInfo = TableStyleInfo(name=t["style"], showRowStripes=True)
            ws.add_table(table)
        for n in sheet.get("names", []):
            ws.defined_names[n["name"]] = _defined(n)
    for n in model.get("names", []):
        wb.defined_names[n["name"]] = _defined(n)
    if wb.worksheets:
        wb.active = min(model.get("active", 0), len(wb.worksheets) - 1)
    wb.save(path)
    return path


def _defined(n: dict[str, Any]) -> DefinedName:
    return DefinedName(n["name"], attr_text=n["formula"].lstrip("="), hidden=not n.get("visible", True),
                       comment=n.get("comment") or None)


# --------------------------------------------------------------------------- the click

@dataclass
class ClientRun:
    """What one button click did, as the real client did it."""

    model: dict[str, Any]
    alerts: list[dict[str, Any]]
    sync_calls: int  # every context.sync() the client made
    round_trips: int  # those that carried work to Excel (an empty sync makes no round trip)
    syncs: list[dict[str, Any]]  # per round trip: requestBytes, responseBytes, operations
    requests: list[dict[str, Any]]  # HTTP calls of the click: method, url, request_bytes, status, actions
    errors: list[str]
    console: list[dict[str, str]]
    raw: dict[str, Any] = field(repr=False)

    @property
    def largest_call_bytes(self) -> int:
        """The biggest single Office.js request or response of the click."""
        return max([0] + [max(s["requestBytes"], s["responseBytes"]) for s in self.syncs])

    @property
    def script_request(self) -> dict[str, Any]:
        """The script call the client posted (method, url, sizes, and its JSON body)."""
        calls = [r for r in self.requests if "custom-scripts-call" in r["url"]]
        assert len(calls) == 1, f"expected one script call, got {self.requests}"
        return calls[0]

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.script_request["body"])

    def seconds_at(self, latency_ms: float = 100.0) -> float:
        """End-to-end time an officer waits if each round trip to Excel costs ``latency_ms``."""
        server_ms = sum(r.get("ms", 0) for r in self.requests)
        return (self.round_trips * latency_ms + server_ms) / 1000

    def workbook(self, path: Path | str) -> Path:
        return xlsx_from_model(self.model, path)


def click(model: dict[str, Any], server_url: str, button: str, *, mutate: list[dict[str, Any]] | dict[str, Any] | None = None,
          latency_ms: int = 0, enforce_payload_limit: bool = False, addin_js: Path = RIBBON_JS,
          excel_api: str = "1.17", timeout_s: int = 600) -> ClientRun:
    """Click a ribbon button (its Office.actions id: "refresh-kpis", "check-inputs") on ``model``.

    ``mutate``: co-author edits applied when the server's answer has arrived and before the
    client applies its actions, e.g. ``{"swap_rows": ["KPIs", 5, 6]}``, ``{"insert_row": ["KPIs", 5]}``,
    ``{"delete_row": ["KPIs", 5]}``, ``{"set": ["KPIs", "D5", "XYZ"]}``.
    ``latency_ms``: slept per round trip (``ClientRun.seconds_at`` computes it without sleeping).
    ``enforce_payload_limit``: fail a sync over 5 MB as Excel on the web does (else only measured).
    ``excel_api``: the highest ExcelApi requirement set the host reports ("1.18" adds notes).
    """
    node = node_path()
    if node is None:
        raise RuntimeError("node is not installed")
    if isinstance(mutate, dict):
        mutate = [mutate]
    with tempfile.TemporaryDirectory(prefix="webclient-") as tmp:
        job_path, out_path = Path(tmp) / "job.json", Path(tmp) / "out.json"
        job_path.write_text(json.dumps({
            "model": model, "server_url": server_url.rstrip("/"), "button": button,
            "xlwings_static": str(xlwings_static_dir()), "addin_js": str(addin_js),
            "mutate": mutate or [], "latency_ms": latency_ms, "enforce_payload_limit": enforce_payload_limit,
            "excel_api": excel_api,
            "timeout_s": timeout_s, "output": str(out_path),
        }), encoding="utf-8")
        proc = subprocess.run([node, str(RUN_CLIENT), str(job_path)], capture_output=True, text=True,
                              timeout=timeout_s + 60, env={**os.environ, "NODE_NO_WARNINGS": "1"})
        if not out_path.exists():
            raise RuntimeError(f"run_client.mjs wrote nothing (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        out = json.loads(out_path.read_text(encoding="utf-8"))
    return ClientRun(model=out["model"], alerts=out["alerts"], sync_calls=out["sync_calls"],
                     round_trips=out["round_trips"], syncs=out["syncs"], requests=out["requests"],
                     errors=out["errors"], console=out["console"], raw=out)
