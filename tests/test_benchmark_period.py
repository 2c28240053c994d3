"""Benchmark in its own time: each indicator is benchmarked on the benchmark
period matching its own latest period (or the latest before it, never after
"As of"); the Benchmark Period column says which; an officer's quartile stays
where no benchmark value matches; a "Top quartile" target takes the group's
threshold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kpi_excel.core.benchmark import benchmark_label_period, matching_period
from kpi_excel.core.periods import parse_period
from kpi_excel.app.report_files import new_report, refresh_report

NOW = dt.datetime(2026, 11, 23, 9, 30)
LAIT_YEARS = [str(y) for y in range(2016, 2026)]


@pytest.mark.parametrize("latest,as_of,expected", [
    ("2021/22", None, "2022"),        # KS2 2021/22 is LAIT's 2022 (the year ending then)
    ("2021-22", None, "2022"),
    ("2018/19", None, "2019"),
    ("Q2 2022/23", None, "2022"),     # a quarter: the latest year ending no later (March 2022)
    ("Q4 2022/23", None, "2023"),     # ends March 2023, as LAIT's 2023 does
    ("Summer 2022", None, "2022"),
    ("2014/15", None, None),          # before the data: nothing to benchmark on
    (None, None, "2025"),             # no period of its own: the latest there is
    (None, "Q2 2022/23", "2022"),     # ... but never after "As of"
    ("2024/25", "Q2 2022/23", "2022"),
])
def test_matching_period(latest: str | None, as_of: str | None, expected: str | None) -> None:
    own = parse_period(latest) if latest else None
    cutoff = parse_period(as_of) if as_of else None
    assert matching_period(own, LAIT_YEARS, cutoff) == expected


def test_labels_for_one_span_prefer_the_revised_one() -> None:
    assert matching_period(parse_period("2021/22"), ["2021", "2022", "2022 (Rev)"]) == "2022 (Rev)"
    assert matching_period(parse_period("2016-18"), ["2015-17", "2016-18", "2017-19"]) == "2016-18"


def test_a_bare_year_is_the_year_ending_then() -> None:
    assert benchmark_label_period("2022") == parse_period("2021/22")
    assert benchmark_label_period("2022-23") == parse_period("2022/23")
    assert benchmark_label_period("not a period") is None


def _kpis(path: Path) -> dict[str, dict[str, object]]:
    values = list(load_workbook(path)["KPIs"].iter_rows(values_only=True))
    header = values[0]
    return {r[header.index("Code")]: dict(zip(header, r)) for r in values[1:] if r[header.index("Code")]}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = new_report(tmp_path_factory.mktemp("example") / "report.xlsx", example=True)
    refresh_report(path, now=NOW)
    return path


def test_each_indicator_is_benchmarked_in_its_own_time(example: Path) -> None:
    kpis = _kpis(example)
    # KS2 2021/22: LAIT 2022, where Leicestershire's 62 sits on the upper quartile (62): band B, its better half.
    assert kpis["ED07"]["Benchmark Period"] == "2022"
    assert kpis["ED07"]["Quartile"] == 2 and kpis["ED07"]["Quartile Position"] == "Better half"
    # Q2 2022/23 social care: the latest year ending no later, LAIT 2022 (2021/22), not 2025.
    assert {kpis[c]["Benchmark Period"] for c in ("SC01", "SC02", "SC03", "SC04")} == {"2022"}
    assert kpis["ED03"]["Benchmark Period"] == "2022"  # KS4 2021/22


def test_as_of_never_benchmarks_on_later_data(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(path, as_of="Q2 2021/22", now=NOW)
    kpis = _kpis(path)
    assert kpis["SC02"]["Latest Period"] == "Q2 2021/22"
    assert kpis["SC02"]["Benchmark Period"] == "2021"  # the year to March 2021, the latest not after Q2 2021/22
    assert all(str(k.get("Benchmark Period") or "0") <= "2021" for k in kpis.values())


def test_an_officers_quartile_stays_when_no_benchmark_value_matches(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    book = load_workbook(path)
    sheet = book["KPIs"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("Code")].value == "ED07":
            row[header.index("Quartile")].value = 1  # typed by the officer from DfE's own tables
    data = book["Data"]
    for row in data.iter_rows(min_row=2):
        if row[0].value == "ED07" and row[1].value == "2021/22":
            row[1].value = "2020/21"  # KS2 was not sat in 2020/21: LAIT has no values for 2021
    book.save(path)
    refresh_report(path, now=NOW)
    ed07 = _kpis(path)["ED07"]
    assert ed07["Benchmark Period"] == "2021"
    assert ed07["Quartile"] == 1
    assert "no benchmark quartile for 2021: the Quartile on the sheet (1) is kept" in ed07["Checks"]
    assert ed07["RAG"] == "Green"  # rated on the officer's quartile


def _example_with(tmp_path: Path, code: str, column: str, value: object) -> Path:
    """The example report with one KPIs cell typed over, then refreshed."""
    path = new_report(tmp_path / "report.xlsx", example=True)
    book = load_workbook(path)
    sheet = book["KPIs"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("Code")].value == code:
            row[header.index(column)].value = value
    book.save(path)
    refresh_report(path, now=NOW)
    return path


def test_top_quartile_target_takes_the_groups_threshold(tmp_path: Path) -> None:
    path = _example_with(tmp_path, "SC06", "Target", "Top quartile")
    sc06 = _kpis(path)["SC06"]
    assert sc06["Target"] == "Top quartile"  # the officer's cell is not rewritten
    assert sc06["RAG Reason"].startswith("Green: 93.30% meets the Top quartile (>")
    assert "'Top quartile' is the comparator group's 2022 top-quartile threshold" in sc06["Checks"]


def test_two_rows_with_one_code_are_named_in_checks(tmp_path: Path) -> None:
    path = _example_with(tmp_path, "SC02", "Code", "SC01")
    values = list(load_workbook(path)["KPIs"].iter_rows(values_only=True))
    checks = [dict(zip(values[0], r))["Checks"] or "" for r in values[1:] if dict(zip(values[0], r))["Code"] == "SC01"]
    assert len(checks) == 2
    assert all("code 'SC01' is also on row" in c and "rated from the same data" in c for c in checks)


def test_a_worded_value_keeps_its_text_in_the_report(tmp_path: Path) -> None:
    """A source's "1.40%*" or "<0.5%" is written back as the source wrote it; the
    reason says how it was read."""
    path = new_report(tmp_path / "report.xlsx", example=True)
    book = load_workbook(path)
    for row in book["Data"].iter_rows(min_row=2):
        if row[0].value == "SC05" and row[1].value == "Q2 2022/23":
            row[2].value = "<0.5%"
        if row[0].value == "SC06" and row[1].value == "Q2 2022/23":
            row[2].value = "93.30%*"
    book.save(path)
    refresh_report(path, now=NOW)
    kpis = _kpis(path)
    assert kpis["SC05"]["Latest Value"] == "<0.5%"
    assert kpis["SC05"]["RAG Reason"] == ("Green: <0.5% is a bound (the value is below 0.5%), and any such value "
                                          "meets the <3.0% target")
    assert kpis["SC05"]["Trend"] == "Decrease"  # 1.51% → below 0.5%
    assert kpis["SC06"]["Latest Value"] == "93.30%*"
    assert kpis["SC06"]["RAG Reason"] == "Green: 93.30%* meets the >92.0% target"
