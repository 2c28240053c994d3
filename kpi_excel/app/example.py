"""The example report: Leicestershire's published 2022/23 Q2 indicators and history.

Everything comes from the two published Children and Families tables, plus five
of DfE's published annual indicators for Leicestershire with the counts behind
them (see ``kpi_excel/data/README.md``); the benchmark is the bundled LAIT extract.
"""

from __future__ import annotations

import csv
import io
from importlib import resources

from kpi_excel.core.plan import SheetSpec
from kpi_excel.core.report import excel_cell
from kpi_excel.core.settings import ReportSettings
from kpi_excel.core.targets import Tolerance
from kpi_excel.core.template import (KPI_COLUMNS, data_sheet, kpi_sheet, lists_sheet, log_sheet, rag_key_sheet,
                                     settings_sheet)
from kpi_excel.core.values import ValueReadError, parse_value

__all__ = ["EXAMPLE_SETTINGS", "example_sheets", "template_sheets"]

EXAMPLE_SETTINGS = ReportSettings(authority="Leicestershire", amber_within=Tolerance(10, relative=True),
                                  benchmark_source="example")


def _csv(name: str) -> list[dict[str, str]]:
    text = resources.files("kpi_excel").joinpath(f"data/example/{name}").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _number_cell(text: str) -> object:
    """A published figure as Excel would hold it: 77.60% as 0.776 shown as 0.00%."""
    try:
        value = parse_value(text)
    except ValueReadError:
        return text
    if value.number is None:
        return text
    return excel_cell(value)


def _count(text: str | None) -> object:
    """A published count as a number (empty: not published)."""
    if not text:
        return None
    number = float(text)
    return int(number) if number.is_integer() else number


def example_sheets() -> list[SheetSpec]:
    """KPIs, Data, Settings, RAG key and Log, filled with the example."""
    headers = [c.header for c in KPI_COLUMNS]
    rows = []
    for indicator in _csv("indicators.csv"):
        row: list[object] = [None] * len(headers)
        for key, value in indicator.items():
            if key in headers and value:
                row[headers.index(key)] = int(value) if key == "Quartile" and value.isdigit() else value
        rows.append(tuple(row))
    history = [(h["Code"], h["Period"], _number_cell(h["Value"]), _count(h.get("Numerator")),
                _count(h.get("Denominator")), None, h["Note"]) for h in _csv("history.csv")]
    return [
        kpi_sheet(tuple(rows)),
        data_sheet(tuple(history)),
        settings_sheet(EXAMPLE_SETTINGS),
        rag_key_sheet(EXAMPLE_SETTINGS),
        log_sheet(),
        codes_sheet(),
    ]


def template_sheets() -> list[SheetSpec]:
    """The empty report: the same sheets with default settings and no rows."""
    return [kpi_sheet(), data_sheet(), settings_sheet(), rag_key_sheet(), log_sheet(), codes_sheet()]


def codes_sheet() -> SheetSpec:
    """The Lists sheet the Benchmark Code dropdown reads: the bundled benchmark data's codes, from
    the same place ``kpi-excel benchmark-codes`` lists them."""
    from kpi_excel.app.benchmark_codes import benchmark_codes

    table = benchmark_codes()
    return lists_sheet(tuple(zip(table["Code"], table["Indicator"], table["Polarity"])))

