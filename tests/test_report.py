"""The refresh plan: answers for every KPI row, only computed columns written."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpi_excel.core.plan import Cell
from kpi_excel.core.report import SheetCells, WorkbookContent, excel_cell, find_kpi_table, plan_refresh
from kpi_excel.core.template import KPI_COLUMNS, kpi_rules
from kpi_excel.core.values import parse_value
from kpi_excel.errors import InputError

HEADERS = ["Topic", "Indicator", "Code", "Polarity", "Frequency", "Target", "My notes", "Latest Value", "RAG"]


def kpis(*rows: list[object], headers: list[str] = HEADERS, top: int = 1) -> SheetCells:
    return SheetCells("KPIs", [headers, *rows], top=top)


def write(plan, header: str) -> tuple:  # type: ignore[no-untyped-def, type-arg]
    return next(w for w in plan.kpis.writes if w.header == header).cells


SELECTED = pd.DataFrame(
    [{"code": "SC01", "previous_period": "Q1 2022/23", "previous_value": "76.00%",
      "latest_period": "Q2 2022/23", "latest_value": "77.60%", "source": "Data sheet row 3", "note": ""}]
).set_index("code")


def test_values_from_data_and_answers() -> None:
    content = WorkbookContent(("KPIs",), kpis(["Safe", "CP reviews", "SC01", "High = Good", "Quarterly", ">97.2%",
                                                "keep me", None, "Amber"]))
    plan = plan_refresh(content, selected=SELECTED, now=dt.datetime(2026, 11, 23, 9, 0), user="officer")
    assert write(plan, "RAG") == (Cell("Red"),)
    assert write(plan, "Latest Value") == (Cell(0.776, "0.00%"),)
    assert write(plan, "Previous Period")[0].value == "Q1 2022/23"
    assert write(plan, "RAG Reason")[0].value == "Red: 77.60% is 19.60 points short of the >97.2% target"
    assert all(w.header != "My notes" for w in plan.kpis.writes)  # the officer's column is never written
    added = [c.header for c in plan.kpis.add_columns]
    assert "RAG" not in added and "Latest Value" not in added and "RAG Reason" in added
    assert plan.summary.changes == ("CP reviews: Amber → Red",)
    assert plan.log.values[:2] == ("2026-11-23 09:00", "officer")
    assert plan.kpis.rules == kpi_rules()


def test_typed_values_kept_where_no_source_has_the_code() -> None:
    headers = HEADERS + ["Previous Value"]
    content = WorkbookContent(("KPIs",), kpis(["", "Typed", "X1", "Low = Good", "Quarterly", "<5%", "", "4%",
                                                None, "6%"], headers=headers))
    plan = plan_refresh(content, selected=SELECTED)
    assert write(plan, "Latest Value") == (None,)  # left alone
    assert write(plan, "RAG")[0].value == "Green"
    assert write(plan, "Trend")[0].value == "Decrease"
    assert write(plan, "Checks")[0] == Cell(None)  # typed values need no Data rows
    empty = WorkbookContent(("KPIs",), kpis(["", "Untyped", "X2", "Low = Good", "Quarterly", "<5%", "", None, None],))
    checks = write(plan_refresh(empty, selected=SELECTED), "Checks")[0].value
    assert "no values for code 'X2' in the Data sheet or sources" in checks


def test_section_rows_and_blank_rows_are_left_alone() -> None:
    content = WorkbookContent(("KPIs",), kpis(
        ["Help every child", None, None, None, None, None, None, None, None],
        ["", "CP reviews", "SC01", "High = Good", "Quarterly", ">97.2%", "", None, None],
    ))
    plan = plan_refresh(content, selected=SELECTED)
    assert plan.kpis.body_rows == (2, 3)
    assert write(plan, "RAG") == (None, Cell("Red"))
    assert plan.summary.rated == 1


def test_header_found_below_a_title_and_in_any_order() -> None:
    headers = ["RAG", "Target", "Code", "Indicator", "Polarity"]
    cells = SheetCells("My KPIs", [["Quarterly dashboard"], [], headers, [None, ">50%", "SC01", "CP", "High"]], top=1)
    table = find_kpi_table(cells)
    assert table.header_row == 3 and table.inputs["code"] == 2 and table.outputs["rag"] == 0
    plan = plan_refresh(WorkbookContent(("My KPIs",), cells), selected=SELECTED)
    assert plan.kpis.sheet == "My KPIs" and plan.kpis.body_rows == (4,)
    assert write(plan, "RAG")[0].value == "Green"


def test_no_kpi_header_is_an_input_error_naming_the_sheet() -> None:
    with pytest.raises(InputError, match="sheet 'KPIs'.*no header row"):
        plan_refresh(WorkbookContent(("KPIs",), SheetCells("KPIs", [["a", "b"], [1, 2]])))


def test_unit_percent_reads_plain_numbers_as_fractions() -> None:
    headers = ["Indicator", "Code", "Polarity", "Unit", "Target", "Previous Value", "Latest Value"]
    content = WorkbookContent(("KPIs",), kpis(["CP", "Z9", "High = Good", "%", ">97.2%", 0.76, 0.776],
                                               headers=headers))
    plan = plan_refresh(content)
    assert write(plan, "RAG Reason")[0].value == "Red: 77.6% is 19.6 points short of the >97.2% target"
    assert write(plan, "Change")[0] == Cell(1.6, "+0.0;-0.0;0")


def test_benchmark_fills_quartile_and_sheet() -> None:
    bench = pd.DataFrame([{"code": "RevCP", "period": "2025", "value": 84.4, "quartile": 3, "position": "worse",
                           "rank": 100, "n_areas": 152, "q25": 85.0, "q50": 90.0, "q75": 95.0, "sn_average": 88.0,
                           "england": 89.5, "derived_target": ">95.0", "derived_target_value": 95.0,
                           "polarity": "High", "indicator_name": "Review of CP cases", "dps": 1}]).set_index("code")
    headers = HEADERS + ["Benchmark Code"]
    content = WorkbookContent(("KPIs",), kpis(["", "CP reviews", "SC01", "High = Good", "Quarterly", "N/A", "",
                                                None, None, "RevCP"], headers=headers))
    plan = plan_refresh(content, selected=SELECTED, benchmark=bench)
    assert write(plan, "Quartile") == (Cell(3),)
    assert write(plan, "Stat Neighbour Avg") == (Cell(0.88, "0.0%"),)
    assert write(plan, "Rank") == (Cell("100 of 152"),)
    # auto rule: no target, so the quartile rule: low in Q3 with an improving trend is Amber
    assert write(plan, "RAG") == (Cell("Amber"),)
    benchmark = next(s for s in plan.sheets if s.name == "Benchmark")
    assert len(benchmark.rows) == 1 and len(benchmark.charts) == 2
    assert all(chart.alt_text for chart in benchmark.charts)
    assert benchmark.charts[1].series[0].values == (84.4, 88.0, 89.5, 85.0, 90.0, 95.0)


@pytest.mark.parametrize("text,fmt,expected", [
    ("77.6%", None, Cell(0.776, "0.0%")), ("3,972", None, Cell(3972.0, "#,##0")), ("-0.07", None, Cell(-0.07, "#,##0.00")),
    ("c", None, Cell("c")),
])
def test_excel_cells(text: str, fmt: str | None, expected: Cell) -> None:
    assert excel_cell(parse_value(text, fmt)) == expected


def test_template_has_the_issue_headers_in_order() -> None:
    headers = [c.header for c in KPI_COLUMNS]
    required = ["Topic", "Theme", "Indicator", "Code", "Polarity", "Frequency", "Previous Period", "Previous Value",
                "Latest Period", "Latest Value", "Trend", "Direction", "Target", "RAG", "RAG Reason", "Quartile",
                "Stat Neighbour Avg", "Comment"]
    positions = [headers.index(h) for h in required]
    assert positions == sorted(positions)
