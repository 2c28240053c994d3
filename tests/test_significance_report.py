"""Issue 12 through the doors: counts in the Data sheet and other sources, the KPIs sheet's
95% CI / Significance / vs England, Settings, LAIT's count pairs, funnel plots in both writers."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lxml import etree
from openpyxl import load_workbook

from kpi_excel.core.funnel import counts_at, funnel_for, overdispersion_note
from kpi_excel.core.settings import read_settings
from kpi_excel.core.significance import NOT_SIGNIFICANT, SIGNIFICANT
from kpi_excel.sources.lait_files import read_count_pairs
from kpi_excel.app.report_files import new_report, refresh_report
from kpi_excel.ooxml import XlsxPackage

NOW = dt.datetime(2026, 11, 23, 9, 30)
ROOT = Path(__file__).resolve().parents[1]
LAIT = ROOT / "tests" / "fixtures" / "lait" / "bds_long_0.parquet"
PAIRS = ROOT / "kpi_excel" / "data" / "benchmark" / "lait_counts.csv"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def table(path: Path, sheet: str, first_header: str) -> list[dict[str, object]]:
    """The rows of a sheet's table: from its header row to the first empty row."""
    values = list(load_workbook(path)[sheet].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(values) if r and r[0] == first_header)
    out = []
    for row in values[at + 1:]:
        if all(v is None for v in row):
            break
        out.append(dict(zip(values[at], row)))
    return out


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = new_report(tmp_path_factory.mktemp("stats") / "report.xlsx", example=True)
    refresh_report(path, now=NOW, user="officer")
    return path


def test_the_example_has_counts_a_significant_change_and_one_that_is_not(refreshed: Path) -> None:
    kpis = {r["Code"]: r for r in table(refreshed, "KPIs", "Topic")}
    with_counts = [k for k in kpis.values() if k["Latest Numerator"] is not None]
    assert len(with_counts) >= 3
    # DfE's published counts for Leicestershire: 293 of 311 care leavers, then 350 of 373.
    care = kpis["DFE01"]
    assert (care["Previous Numerator"], care["Previous Denominator"]) == (293, 311)
    assert (care["Latest Numerator"], care["Latest Denominator"]) == (350, 373)
    assert care["95% CI"] == "90.9% to 95.9%"
    assert care["Significance"] == NOT_SIGNIFICANT
    assert care["RAG Reason"].endswith("(not significant: 94% to 94% on 311 and 373 cases)")
    # Referrals per 10,000: 6,236 then 6,752 referrals, a real rise.
    referrals = kpis["DFE04"]
    assert referrals["Significance"] == SIGNIFICANT and referrals["Latest Denominator"] is None
    assert referrals["95% CI"] == "447.1 to 469.1"
    assert "Increase (significant: 428.3 to 458 per 10,000; 6,236 and 6,752 events)" in referrals["RAG Reason"]
    assert {k["Significance"] for k in with_counts} >= {SIGNIFICANT, NOT_SIGNIFICANT}
    # Rows without counts say nothing about significance.
    assert kpis["SC01"]["95% CI"] is None and kpis["SC01"]["Significance"] is None


def test_vs_england_is_judged_at_the_benchmark_period_from_laits_counts(refreshed: Path) -> None:
    kpis = {r["Code"]: r for r in table(refreshed, "KPIs", "Topic")}
    # SC06 is a quarterly dashboard value for Q2 2022/23 (no counts), so it is judged at LAIT's
    # matching year, 2022: 222 of 231 (96.1%) against England's 88%, better allowing for chance.
    # DFE01 is the same LAIT measure for 2025: 350 of 373 (93.8%), 90.9% to 95.9% against 89%.
    assert kpis["SC06"]["vs England"] == "Better" and kpis["SC06"]["Benchmark Period"] == "2022"
    assert kpis["DFE01"]["vs England"] == "Better" and kpis["DFE01"]["Benchmark Period"] == "2025"
    assert kpis["DFE02"]["vs England"] == "Similar"  # 153 of 618 (24.8%) against England's 24.5%
    assert kpis["SC02"]["vs England"] == "Worse"  # 2022: 195 of 695 (28.1%) against England's 22.7%
    assert kpis["DFE04"]["vs England"] == "Lower"  # no polarity: Fingertips' higher/lower
    assert kpis["SC01"]["vs England"] is None  # LAIT has no counts for RevCP
    bench = {r["Code"]: r for r in table(refreshed, "Benchmark", "Indicator")}
    assert bench["CareLeaverAcc"]["vs England"] == "Better"


def test_funnel_plots_are_native_scatter_charts_with_their_data_and_alt_text(refreshed: Path) -> None:
    book = load_workbook(refreshed)
    values = list(book["Benchmark"].iter_rows(values_only=True))
    titles = [i for i, r in enumerate(values) if isinstance(r[0], str) and r[0].startswith("Funnel plot data:")]
    assert len(titles) == 2  # CareLeaverAcc and PrevRegCPR: proportions with counts in LAIT
    first = titles[0]
    note = values[first + 1][0]
    assert note.startswith("Funnel plot of Care Leavers - Suitable accommodation (%) (2025): each of ")
    assert "Leicestershire (350 of 373, 93.8%)" in note
    header = values[first + 2]
    assert header[:7] == ("Authority", "Denominator", "Other authorities", "Leicestershire", "Average",
                          "95% limits", "99.8% limits")
    ours = next(r for r in values[first + 3:] if r[0] == "Leicestershire")
    assert ours[1] == 373 and ours[3] == pytest.approx(93.834, abs=1e-3) and ours[2] is None
    with zipfile.ZipFile(refreshed) as archive:
        charts = {n: etree.fromstring(archive.read(n)) for n in archive.namelist()
                  if re.fullmatch(r"xl/charts/chart\d+\.xml", n)}
        drawings = [etree.fromstring(archive.read(n)) for n in archive.namelist()
                    if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
    scatters = [root for root in charts.values() if root.find(f".//{C}scatterChart") is not None]
    assert len(scatters) == 2
    series = scatters[0].findall(f".//{C}ser")
    assert [s.find(f"{C}tx/{C}v").text for s in series] == ["Other authorities", "Leicestershire", "Average",
                                                            "95% limits", "99.8% limits"]
    x_ref = series[0].find(f"{C}xVal/{C}numRef/{C}f").text
    y_ref = series[1].find(f"{C}yVal/{C}numRef/{C}f").text
    assert x_ref == f"Benchmark!$B${first + 4}:$B${x_ref.rsplit('$', 1)[1]}" and y_ref.startswith("Benchmark!$D$")
    cached = [float(pt.find(f"{C}v").text) for pt in series[1].findall(f"{C}yVal/{C}numRef/{C}numCache/{C}pt")]
    assert cached == [pytest.approx(93.834, abs=1e-3)]  # the chart draws before Excel recalculates
    descriptions = [el.get("descr") for d in drawings for el in d.iter() if el.tag.endswith("}cNvPr")]
    assert note in descriptions


def test_writers_agree_on_the_funnel_data(tmp_path: Path) -> None:
    import xlwings as xw

    from tests.addin.payload import REFRESH_SHEETS, book_payload
    from kpi_excel.addin.book_door import refresh_book

    from .addin.replay import replay

    master = new_report(tmp_path / "master.xlsx", example=True)
    by_file, by_web = tmp_path / "file.xlsx", tmp_path / "web.xlsx"
    shutil.copyfile(master, by_file)
    shutil.copyfile(master, by_web)
    refresh_report(by_file, now=NOW, user="tester")
    book = xw.Book(json=book_payload(by_web, include=REFRESH_SHEETS))
    refresh_book(book, door="file", user="tester", now=NOW)
    actions = book.json()["actions"]
    scatters = [a for a in actions if a["func"] == "addChart" and a["args"][1] == "XYScatter"]
    assert len(scatters) == 2 and scatters[0]["args"][3].startswith("$B$")  # x values first: Denominator
    assert any(a["func"] == "setChartAxis" for a in actions)  # axis titles, 0-100% scale
    workbook = load_workbook(by_web)
    replay(workbook, actions)
    workbook.save(by_web)
    file_rows = list(load_workbook(by_file)["Benchmark"].iter_rows(values_only=True))
    web_rows = list(load_workbook(by_web)["Benchmark"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(file_rows) if isinstance(r[0], str) and r[0].startswith("Funnel plot"))
    assert len(file_rows) == len(web_rows)
    for f, w in zip(file_rows[start:], web_rows[start:]):
        for a, b in zip(f[:7], w[:7]):
            assert a == pytest.approx(b) if isinstance(a, float) else a == b


def test_settings_choose_the_level_and_whether_trends_need_significance(tmp_path: Path) -> None:
    path = new_report(tmp_path / "strict.xlsx", example=True)
    package = XlsxPackage.open(path)
    values = package.read_sheet("Settings")
    last = values.used_range.max_row
    package.write_rows("Settings", (last + 1, 1), [["Confidence level", "99.8%"], ["Trend needs significance", "Yes"]])
    package.save()
    refresh_report(path, now=NOW, user="officer")
    kpis = {r["Code"]: r for r in table(path, "KPIs", "Topic")}
    # 429 to 511 children on a plan is significant at 95% (ratio 1.02 to 1.36) but not at 99.8%.
    plans = kpis["DFE05"]
    assert plans["Significance"] == NOT_SIGNIFICANT and plans["Trend"] == "Same"
    assert plans["Direction"] == "Not applicable"  # no polarity
    assert plans["99.8% CI"] == "30.1 to 39.7" and plans["95% CI"] == "31.8 to 37.8"
    referrals = kpis["DFE04"]
    assert referrals["Significance"] == SIGNIFICANT and referrals["Trend"] == "Increase"
    repeat = kpis["DFE02"]
    assert repeat["Trend"] == "Same" and repeat["Direction"] == "No change"
    assert repeat["RAG Reason"].endswith("No change (not significant: 26.9% to 24.8% on 553 and 618 cases)")


@pytest.mark.parametrize("written,level", [("95%", 0.95), ("99.8", 0.998), (0.998, 0.998), ("0.95", 0.95)])
def test_confidence_level_setting(written: object, level: float) -> None:
    assert read_settings([("Confidence level", written)]).confidence == level


def test_an_odd_confidence_level_is_named_and_defaulted() -> None:
    settings = read_settings([("Confidence level", "90%"), ("Trend needs significance", "maybe")])
    assert settings.confidence == 0.95 and settings.trend_needs_significance is False
    assert [p.message for p in settings.problems] == [
        "row 1 (Confidence level): '90%' is not 95% or 99.8%; using the default",
        "row 2 (Trend needs significance): 'maybe' is not Yes or No; using the default",
    ]


def test_counts_come_from_any_source_and_from_a_value_with_its_count(tmp_path: Path) -> None:
    path = new_report(tmp_path / "report.xlsx", example=True)
    extra = tmp_path / "extra.csv"
    with extra.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Code", "Period", "Value", "Numerator", "Denominator"])
        writer.writerow(["SC07", "Q3 2022/23", "61.0%", 61, 100])  # counts in their own columns
        writer.writerow(["SC09", "Q3 2022/23", "25.0% (153)", None, None])  # "rate (count)": 153 of 612
    refresh_report(path, sources=[str(extra)], now=NOW, user="officer")
    kpis = {r["Code"]: r for r in table(path, "KPIs", "Topic")}
    assert kpis["SC07"]["Latest Numerator"] == 61 and kpis["SC07"]["95% CI"] == "51.2% to 70.0%"
    assert kpis["SC07"]["Significance"] is None  # Q2's 61.30% came without counts
    assert kpis["SC09"]["Latest Numerator"] == 153 and kpis["SC09"]["Latest Denominator"] is None
    assert kpis["SC09"]["95% CI"] == "21.7% to 28.6%"


# --- LAIT's count pairs ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lait() -> pd.DataFrame:
    data = pd.read_parquet(LAIT)
    data = data.rename(columns={"Short Desc": "code", "LA and Regions": "area", "Years": "period"})
    data["value"] = pd.to_numeric(data["Values"], errors="coerce")
    return data[["code", "area", "period", "value", "LA Number"]]


def test_every_count_pair_reproduces_laits_published_values(lait: pd.DataFrame) -> None:
    pairs = read_count_pairs(PAIRS)
    authorities = lait[lait["LA Number"] < 970]
    wide = authorities.pivot_table(index=["area", "period"], columns="code", values="value", aggfunc="first")
    populations, rounding = {}, {}
    for code, pair in pairs.items():
        if pair.kind == "proportion":
            both = wide[[code, pair.numerator, pair.denominator]].dropna()
            both = both[both[pair.denominator] > 0]
            worked = 100 * both[pair.numerator] / both[pair.denominator]
            # LAIT publishes these as whole percentages or to one place: within half a unit.
            assert len(both) > 100 and (np.abs(worked - both[code]) <= 0.5 + 1e-9).mean() >= 0.99, code
        else:
            rate = wide[code].where(wide[code] > 0)
            populations[code] = wide[pair.numerator] * pair.multiplier / rate
            rounding[code] = np.where(rate % 1 == 0, 0.5, 0.05) / rate  # the rate's own rounding, relative
    # A rate's population is not published: the ones worked out from each rate's count agree,
    # within the rates' rounding, for every authority and year since 2019 (when DfE's tables
    # moved to one population base; earlier years mix bases).
    frame, error = pd.DataFrame(populations), pd.DataFrame(rounding, index=wide.index)
    recent = frame.index.get_level_values("period").isin([str(y) for y in range(2019, 2026)])
    frame, error = frame[recent], error[recent]
    distance = (frame.div(frame.median(axis=1), axis=0) - 1).abs()
    allowed = error.add(error.max(axis=1), axis=0) + 0.005
    compared = frame.notna().sum(axis=1) >= 2
    assert compared.sum() > 1000
    assert ((distance <= allowed) | frame.isna()).all(axis=1)[compared].all()


def test_counts_and_funnel_from_lait(lait: pd.DataFrame) -> None:
    pairs = read_count_pairs(PAIRS)
    counts = counts_at(lait, pairs, {"CareLeaverAcc": "2025", "LAC": "2025"})
    leics = counts[(counts["area"] == "Leicestershire")].set_index("indicator")
    assert tuple(leics.loc["CareLeaverAcc", ["numerator", "denominator"]]) == (350, 373)
    assert leics.loc["LAC", "numerator"] == 694
    assert leics.loc["LAC", "denominator"] == pytest.approx(694 * 10_000 / 47)  # from the count and the rate
    authorities = set(lait.loc[lait["LA Number"] < 970, "area"])
    funnel = funnel_for(counts, indicator="CareLeaverAcc", name="Care leavers", period="2025",
                        ours="Leicestershire", kind="proportion", multiplier=100, group=authorities)
    assert funnel is not None and "England" not in funnel.areas and len(funnel.areas) > 140
    assert funnel.average == pytest.approx(sum(funnel.numerators) / sum(funnel.denominators))
    index = funnel.our_index
    assert index is not None and int(funnel.bands()[index]) == 2  # 93.8% of 373 against 88.4%: above 99.8%
    assert funnel_for(counts, indicator="LAC", name="Looked after", period="2025", ours="Leicestershire",
                      kind="rate", multiplier=10_000) is None  # PHE's proportion funnel only


def test_the_rag_key_says_when_trends_need_significance() -> None:
    from kpi_excel.core.settings import ReportSettings
    from kpi_excel.core.template import rag_key_sheet

    assert all(row[0] != "Trend" for row in rag_key_sheet(ReportSettings()).rows)
    strict = rag_key_sheet(ReportSettings(trend_needs_significance=True, confidence=0.998)).rows[-1]
    assert strict[0] == "Trend" and "significant (99.8% confidence)" in strict[2]


def test_the_funnel_note_says_the_data_are_overdispersed_and_where_we_are_allowing_for_it(refreshed: Path) -> None:
    values = list(load_workbook(refreshed)["Benchmark"].iter_rows(values_only=True))
    title = next(i for i, r in enumerate(values) if isinstance(r[0], str) and r[0].startswith("Funnel plot data:"))
    note = values[title + 1][0]
    # Care leavers 2025: 13 authorities above and 13 below the 99.8% limits, where chance would put 0.3.
    assert "26 of 149 authorities lie outside the 99.8% limits, where chance alone would put about 0.3: the " \
           "data are overdispersed (phi = 3.82)" in note
    assert "Leicestershire (350 of 373, 93.8%) is above the 99.8% limit" in note
    assert note.endswith("Against Spiegelhalter's overdispersion-adjusted limits Leicestershire is within the "
                         "adjusted 99.8% limits: not shown to differ from the average.")


def test_spiegelhalters_limits_can_be_drawn_instead(lait: pd.DataFrame) -> None:
    counts = counts_at(lait, read_count_pairs(PAIRS), {"CareLeaverAcc": "2025"})
    authorities = set(lait.loc[lait["LA Number"] < 970, "area"])
    plain, adjusted = (funnel_for(counts, indicator="CareLeaverAcc", name="Care leavers", period="2025",
                                  ours="Leicestershire", kind="proportion", multiplier=100, group=authorities,
                                  adjusted=chosen) for chosen in (False, True))
    assert plain is not None and adjusted is not None
    assert plain.outside() == (13, 13) and adjusted.outside() == (0, 4)
    assert adjusted.phi == plain.phi == pytest.approx(3.8178, abs=1e-4)
    # Each limit is the plain one's distance from the average times sqrt(phi).
    for (low, high), (wide_low, wide_high) in zip(plain.limits998, adjusted.limits998):
        average = plain.average * 100
        if 0 < low and high < 100 and 0 < wide_low and wide_high < 100:
            assert wide_high - average == pytest.approx((high - average) * np.sqrt(plain.phi), rel=1e-9)
    assert "The limits drawn are Spiegelhalter's" in overdispersion_note(adjusted)


def test_the_rag_key_says_an_insignificant_move_does_not_move_the_quartile_key(refreshed: Path) -> None:
    from kpi_excel.core.template import RAG_KEY_SHEET

    rows = [r for r in load_workbook(refreshed)[RAG_KEY_SHEET].iter_rows(values_only=True) if r[0] == "By benchmark"]
    meaning = {r[1]: r[2] for r in rows}
    assert meaning["Green"].endswith("with improving trend (where the indicator has counts, a statistically "
                                     "significant one).")
    assert meaning["Red"].endswith("declining trend (where the indicator has counts, a statistically significant "
                                   "one).")


def test_settings_choose_spiegelhalters_funnel_limits_and_the_default_keeps_phes(refreshed: Path,
                                                                                  tmp_path: Path) -> None:
    """Issue 16 item 14: the overdispersion-adjusted limits are the officer's choice (Settings), off by default."""
    assert read_settings([]).funnel_adjusted is False
    assert read_settings([("Funnel limits for overdispersion", "Yes")]).funnel_adjusted is True
    unreadable = read_settings([("Funnel limits for overdispersion", "wider please")])
    assert unreadable.funnel_adjusted is False and "not Yes or No" in str(unreadable.problems[0])
    path = new_report(tmp_path / "adjusted.xlsx", example=True)
    package = XlsxPackage.open(path)
    settings = {r[0]: r[1] for r in load_workbook(path)["Settings"].iter_rows(values_only=True)}
    assert settings["Funnel limits for overdispersion"] == "No"  # the template offers it, switched off
    last = package.read_sheet("Settings").used_range.max_row
    package.write_rows("Settings", (last + 1, 1), [["Funnel limits for overdispersion", "Yes"]])
    package.save()
    refresh_report(path, now=NOW, user="officer")

    def funnel(book: Path) -> tuple[str, list[str], list[tuple[object, ...]]]:
        values = list(load_workbook(book)["Benchmark"].iter_rows(values_only=True))
        title = next(i for i, r in enumerate(values) if isinstance(r[0], str) and r[0].startswith("Funnel plot data:"))
        rows = [r for r in values[title + 3:] if r[0] == "upper limits"]
        return values[title + 1][0], [str(h) for h in values[title + 2] if h], rows

    plain_note, plain_headers, plain_upper = funnel(refreshed)
    note, headers, upper = funnel(path)
    assert "Spiegelhalter's, widened" not in plain_note and "99.8% limits" in plain_headers
    assert "The limits drawn are Spiegelhalter's, widened by the square root of phi." in note
    assert "99.8% limits (overdispersion-adjusted)" in headers
    # Care leavers 2025 (phi 3.82): every upper 99.8% limit short of 100% is higher, the funnel wider.
    widened = [(a[6], b[6]) for a, b in zip(plain_upper, upper) if b[6] is not None and b[6] < 100]
    assert len(widened) > 10 and all(b > a for a, b in widened)
