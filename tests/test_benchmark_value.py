"""The figure that was ranked is shown (issue 16 item 7).

Quartile and Rank come from the benchmark data's value for the authority in the
Benchmark Period (DfE's annual figure), while Latest Value is the officer's own
(here quarterly). The KPIs sheet's Benchmark Value, the Benchmark sheet, the
Summary's exceptions and the committee paper (its table and its chart) all show
that same figure, and a row whose latest value is of another period says so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpi_excel.core.benchmark import same_benchmark_period
from kpi_excel.core.benchmark_figure import benchmarked_value, position_note
from kpi_excel.core.values import Value
from kpi_excel.app.paper.charts import ChartDrawer
from kpi_excel.app.paper.content import read_paper
from kpi_excel.app.report_files import new_report, refresh_report


# --- the rule, on its own ---------------------------------------------------------------------

def test_a_quarter_ranked_on_an_annual_value_names_both() -> None:
    note = position_note(Value(12.3, percent=True, decimals=1), "2023", Value(10.1, percent=True, decimals=1),
                         "Q2 2024/25")
    assert note == "on the benchmark's 2023 value 12.3% (latest value Q2 2024/25: 10.1%)"


def test_the_same_period_and_value_says_nothing_but_a_different_value_is_named() -> None:
    ranked = Value(85.7, percent=True, decimals=1)
    assert position_note(ranked, "2022", Value(85.70, percent=True, decimals=2), "2021/22") is None
    assert position_note(ranked, "2025", Value(85.7, percent=True, decimals=1), "2025") is None
    assert position_note(ranked, "2022", Value(86.1, percent=True, decimals=1), "2021/22") == \
        "on the benchmark's 2022 value 85.7%, not the latest value 86.1% for the same period"
    assert position_note(ranked, "2022", Value(None, missing="c (suppressed)"), "Q2 2022/23") == \
        "on the benchmark's 2022 value 85.7% (no latest value for Q2 2022/23)"


def test_same_value_means_the_same_as_excel_shows_it() -> None:
    """58.05 at one place shows as 58.1 in Excel (half away from zero); Python's round gives 58.0."""
    latest = Value(58.1, percent=True, decimals=1)
    assert position_note(Value(58.05, percent=True, decimals=2), "2022", latest, "2021/22") is None


def test_a_bare_benchmark_year_is_the_year_ending_then() -> None:
    assert same_benchmark_period("2022", "2021/22")
    assert same_benchmark_period("2025", "2025")
    assert not same_benchmark_period("2022", "Q2 2022/23")
    assert not same_benchmark_period("2022", "2022/23")


def test_the_benchmark_value_is_in_the_rows_unit() -> None:
    assert benchmarked_value({"value": 58.0, "dps": 0}, True) == Value(58.0, percent=True, decimals=0)
    assert benchmarked_value({"value": -0.64, "dps": 2}, False) == Value(-0.64, decimals=2)
    assert benchmarked_value({"value": float("nan")}, True) is None


# --- the example report, end to end -----------------------------------------------------------

def _table(path: Path, sheet: str, first: str) -> dict[str, dict[str, object]]:
    rows = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] == first)
    out = {}
    for r in rows[at + 1:]:
        if all(v is None for v in r):
            break
        record = dict(zip(rows[at], r))
        out.setdefault(str(record.get("Code")), record)
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = new_report(tmp_path_factory.mktemp("value") / "report.xlsx", example=True)
    refresh_report(path, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
    return path


def test_kpis_show_the_ranked_figure_beside_quartile_and_rank(example: Path) -> None:
    headers = [c.value for c in load_workbook(example)["KPIs"][1]]
    at = headers.index("Quartile")
    assert headers[at:at + 4] == ["Quartile", "Rank", "Benchmark Value", "Benchmark Period"]
    kpis = _table(example, "KPIs", "Topic")
    bench = {str(r["Code"]): r for r in _table(example, "Benchmark", "Indicator").values()}
    sheet = load_workbook(example)["KPIs"]
    column = headers.index("Benchmark Value") + 1
    formats = {sheet.cell(r, headers.index("Code") + 1).value: sheet.cell(r, column).number_format
               for r in range(2, sheet.max_row + 1)}
    # SC08 (dental checks): quarterly 54.2%, ranked on DfE's 2022 value 58%, the Benchmark sheet's own.
    sc08 = kpis["SC08"]
    assert sc08["Latest Value"] == pytest.approx(0.542) and sc08["Quartile"] == 4
    assert sc08["Benchmark Value"] == pytest.approx(bench["LACDental%"]["Value"] / 100) == pytest.approx(0.58)
    assert "%" in formats["SC08"]
    assert sc08["Benchmark Period"] == bench["LACDental%"]["Period"] == "2022"
    assert "Quartile: 4 (rank 121 of 149) on the benchmark's 2022 value 58.0% (latest value Q2 2022/23: 54.20%)" \
        in str(sc08["Checks"])
    # Rated by quartile: the reason names the figure it was rated on.
    assert sc08["RAG Reason"] == \
        "Red: bottom quartile, on the benchmark's 2022 value 58.0% (latest value Q2 2022/23: 54.20%)"
    # A score in its own unit, no %; same period and same figure: nothing to say.
    assert kpis["ED04"]["Benchmark Value"] == pytest.approx(-0.64) and "%" not in formats["ED04"]
    assert not kpis["ED04"]["Checks"] and kpis["ED04"]["RAG Reason"] == "Amber: low in the second quartile"
    assert kpis["DFE02"]["Benchmark Value"] == pytest.approx(kpis["DFE02"]["Latest Value"])
    assert not kpis["DFE02"]["Checks"]


def test_the_summarys_exceptions_name_the_figure(example: Path) -> None:
    summary = [" ".join(str(v) for v in r if v is not None)
               for r in load_workbook(example)["Summary"].iter_rows(values_only=True)]
    assert any("quartile 4 of 4 (1 = best), rank 121 of 149, on the 2022 value 58.0%" in line for line in summary)


def test_the_paper_shows_and_charts_the_figure_that_was_ranked(example: Path) -> None:
    paper = read_paper(example)
    sc08 = next(i for i in paper.indicators if i.status.code == "SC08")
    assert sc08.cells["quartile"] == "4 (on 58.0% in 2022)"
    assert sc08.benchmark_value == pytest.approx(58.0) and sc08.benchmark_period == "2022"
    assert "the value ranked in the benchmark (2022) 58%" in sc08.alt_text
    drawer = ChartDrawer()
    drawer.draw(sc08)
    xs, ys = drawer.ranked.get_data()
    labels = [t.get_text() for t in drawer.axes.get_xticklabels()]
    # 2022 (the year to March 2022) is not a quarter of the history: a slot of its own, at the right.
    assert list(ys) == [pytest.approx(58.0)] and list(xs) == [len(sc08.history.points)]
    assert labels[-1] == "2022 ranked"
    # Where the history has the benchmark's period, the diamond sits on it.
    ed04 = next(i for i in paper.indicators if i.status.code == "ED04")
    drawer.draw(ed04)
    xs, ys = drawer.ranked.get_data()
    periods = [p.period for p in ed04.history.points]
    assert list(xs) == [periods.index("2021/22")] and list(ys) == [pytest.approx(-0.64)]
    exception = next(e for e in paper.summary.exceptions if e.status.code == "SC08")
    assert exception.benchmark.endswith("on the 2022 value 58.0%")
