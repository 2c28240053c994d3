"""The refreshed example's charts, read from their XML: bars start at 0, our authority's bar
stands out, units and periods are named, labels clear negative bars, and a history's axis
shows percentages as its cells do, from the first period with a value."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from lxml import etree

from kpi_excel.core.palette import FUNNEL_COLOURS
from kpi_excel.app.report_files import new_report, refresh_report

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


@pytest.fixture(scope="module")
def charts(tmp_path_factory: pytest.TempPathFactory) -> list[etree._Element]:
    report = new_report(tmp_path_factory.mktemp("charts") / "report.xlsx", example=True)
    refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
    with zipfile.ZipFile(report) as book:
        return [etree.fromstring(book.read(n)) for n in sorted(book.namelist())
                if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


def _title(chart: etree._Element) -> str:
    return "".join(chart.find(f"{C}chart/{C}title").itertext())


def _axis_title(axis: etree._Element) -> str:
    title = axis.find(f"{C}title")
    return "" if title is None else "".join(title.itertext())


def _values(chart: etree._Element) -> list[float]:
    return [float(v.text) for v in chart.iterfind(f".//{C}val//{C}pt/{C}v")]


def _column_charts(charts: list[etree._Element]) -> list[etree._Element]:
    return [c for c in charts if c.find(f".//{C}barChart/{C}barDir[@val='col']") is not None]


def test_bars_start_at_zero_and_labels_sit_below_negative_bars(charts) -> None:
    bars = [c for c in charts if c.find(f".//{C}barChart") is not None]
    assert len(bars) > 10
    for chart in bars:
        values = _values(chart)
        scaling = chart.find(f".//{C}valAx/{C}scaling")
        low, high = scaling.find(f"{C}min"), scaling.find(f"{C}max")
        if min(values) >= 0:
            assert low is not None and float(low.get("val")) == 0, _title(chart)
        elif max(values) <= 0:
            assert high is not None and float(high.get("val")) == 0, _title(chart)
        else:
            assert low is None and high is None  # Excel's own axis takes in 0 when the data cross it
        assert chart.find(f".//{C}catAx/{C}tickLblPos").get("val") == "low"
    # The example's first indicator runs from 84.6 to 97.4: an axis from 0, not from about 72.
    assert any(min(_values(c)) > 50 for c in bars)
    assert any(min(_values(c)) < 0 < max(_values(c)) for c in bars)  # Progress 8


def test_our_authoritys_bar_is_coloured_apart_and_units_and_period_are_named(charts) -> None:
    columns = _column_charts(charts)
    assert len(columns) == 19
    for chart in columns:
        ser = chart.find(f".//{C}ser")
        series_colour = ser.find(f"{C}spPr/{A}solidFill/{A}srgbClr").get("val")
        points = [d for d in ser.iterfind(f"{C}dPt") if d.find(f"{C}idx").get("val") == "0"]
        ours = points[0].find(f"{C}spPr/{A}solidFill/{A}srgbClr") if points else None
        assert ours is not None and ours.get("val") == FUNNEL_COLOURS["ours"] != series_colour
        assert re.search(r"\((\d{4}|\d{4}/\d{2})\)$", _title(chart)), _title(chart)
        assert _axis_title(chart.find(f".//{C}valAx")) in ("Per cent (%)", "Score", "Rate per 10,000",
                                                           "Rate per 1,000", "Value", "Count", "Mean")
        assert _axis_title(chart.find(f".//{C}catAx")) == "Value: Leicestershire"
    units = {_axis_title(c.find(f".//{C}valAx")) for c in columns}
    assert "Per cent (%)" in units and len(units) > 1


def test_history_axis_shows_percentages_and_starts_at_the_first_value(charts) -> None:
    lines = [c for c in charts if c.find(f".//{C}lineChart") is not None and c.find(f".//{C}barChart") is None]
    assert lines
    percent = [c for c in lines if "Child protection cases which were reviewed" in _title(c)]
    assert len(percent) == 1
    axis_format = percent[0].find(f".//{C}valAx/{C}numFmt")
    assert axis_format.get("formatCode").endswith("%")
    for chart in lines:
        first = chart.find(f".//{C}ser")
        points = first.findall(f"{C}val//{C}pt")
        labels = first.findall(f"{C}cat//{C}pt")
        # No empty period before the line: its first period has a label and a value.
        assert points and points[0].get("idx") == "0" and labels[0].get("idx") == "0", _title(chart)
