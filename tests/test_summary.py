"""The report in sentences: counts, directions, topics, moves since the last refresh, the exceptions rule."""

from __future__ import annotations

import pytest

from kpi_excel.core.polarity import Polarity
from kpi_excel.core.summary import IndicatorStatus, exception_reason, missed_target, summarise
from kpi_excel.core.targets import parse_target
from kpi_excel.core.values import Value


def status(name: str, rag: str, direction: str = "No change", **more: object) -> IndicatorStatus:
    return IndicatorStatus(indicator=name, code=name.upper(), rag=rag, direction=direction, **more)  # type: ignore[arg-type]


def test_counts_by_rag_and_direction_and_why_not_rated() -> None:
    rows = [status(f"g{i}", "Green", "Improving") for i in range(5)]
    rows += [status(f"a{i}", "Amber", "Declining") for i in range(9)]
    rows += [status(f"r{i}", "Red", "No change") for i in range(3)]
    rows += [status(f"n{i}", "N/A", "Not applicable", rag_reason="N/A: no target and no benchmark quartile")
             for i in range(6)]
    rows += [status(f"p{i}", "N/A", "Not applicable", rag_reason="N/A: the indicator has no polarity")
             for i in range(2)]
    summary = summarise(rows)
    assert summary.overall[0] == ("Of 25 indicators, 17 are rated: 5 Green, 9 Amber, 3 Red; 6 have no target or "
                                  "benchmark and 2 have no polarity.")
    assert summary.overall[1] == ("Since the comparable previous period: 5 improved, 9 declined, 3 did not change "
                                  "and 8 cannot be compared (no comparable previous value, or no polarity).")
    assert summary.counts == {"Green": 5, "Amber": 9, "Red": 3, "N/A": 8}
    assert summary.changes == ()  # no previous refresh: nothing to compare with


def test_singular_words_and_an_empty_rating_counts_as_na() -> None:
    summary = summarise([status("one", "Green", "Improving"), status("two", "", "",
                                                                      rag_reason="N/A: latest value is c")])
    assert summary.overall[0] == "Of 2 indicators, 1 is rated: 1 Green; 1 has no usable latest value."
    assert summarise([]).overall == ("There are no indicators on the KPIs sheet.",)


def test_topic_sentences_in_order_of_first_appearance() -> None:
    rows = [status("a", "Red", "Declining", topic="Safe"), status("b", "Green", "Improving", topic="Learning"),
            status("c", "Amber", "Improving", topic="Safe")]
    assert summarise(rows).topics == (
        "Safe: 2 indicators, 1 Amber, 1 Red; 1 improved and 1 declined.",
        "Learning: 1 indicator, 1 Green; 1 improved.",
    )
    assert summarise([status("a", "Red")]).topics == ()  # no topics written: no topic sentences


def test_moves_since_the_previous_refresh_grouped_worst_first() -> None:
    rows = [status("Care leavers EET", "Red", previous_rag="Amber"), status("Re-referrals", "Red", previous_rag="Amber"),
            status("Dental checks", "Green", previous_rag="Red"), status("Steady", "Amber", previous_rag="Amber"),
            status("New row", "Green")]
    summary = summarise(rows, previous_refresh="2026-11-30 10:15")
    assert summary.changes == (
        "3 ratings changed since the previous refresh (2026-11-30 10:15).",
        "2 moved from Amber to Red: Care leavers EET; Re-referrals.",
        "1 moved from Red to Green: Dental checks.",
    )
    assert [(m.before, m.after) for m in summary.moves] == [("Amber", "Red"), ("Amber", "Red"), ("Red", "Green")]
    assert summarise(rows[3:], previous_refresh="").changes == ("No rating changed since the previous refresh.",)


@pytest.mark.parametrize("row, why", [
    (status("x", "Red", "Improving"), "Red"),
    (status("x", "Red", "Declining", below_target=True), "Red"),
    (status("x", "Amber", "Declining", below_target=True), "declining and below target"),
    (status("x", "Green", "Declining", quartile=4), "declining and in the bottom quartile"),
    (status("x", "Amber", "Declining", below_target=False, quartile=3), None),
    (status("x", "Amber", "Improving", below_target=True, quartile=4), None),
    (status("x", "N/A", "Declining"), None),
    (status("x", "Green", "No change", quartile=4), None),
])
def test_the_exceptions_rule(row: IndicatorStatus, why: str | None) -> None:
    assert exception_reason(row) == why
    assert [e.why for e in summarise([row]).exceptions] == ([why] if why else [])


def test_missed_target_reads_the_target_the_way_the_rag_does() -> None:
    high = Polarity.HIGH
    assert missed_target(Value(77.6, True, 1), parse_target(">97.2%"), high) is True
    assert missed_target(Value(97.2, True, 1), parse_target(">=97.2%"), high) is False
    assert missed_target(Value(22.4, True, 1), parse_target("<18.7%"), Polarity.LOW) is True
    assert missed_target(Value(92.0, True, 1), parse_target("90%-95%"), Polarity.TARGET) is False
    assert missed_target(Value(None, missing="c"), parse_target(">50%"), high) is None  # no value: not known
    assert missed_target(Value(50.0), None, high) is None  # no target
    assert missed_target(Value(50.0), parse_target("40"), Polarity.NONE) is None  # no side is good


def test_exception_carries_its_benchmark_position_in_words() -> None:
    [item] = summarise([status("x", "Red", quartile=4, rank="129 of 150", comment="Audit under way")]).exceptions
    assert item.benchmark == "quartile 4 of 4 (1 = best), rank 129 of 150"
    assert item.status.comment == "Audit under way"


def test_moves_say_how_many_were_significant_where_counts_could_tell() -> None:
    rows = [status(f"s{i}", "Green", "Improving", significance="significant") for i in range(3)]
    rows += [status(f"n{i}", "Amber", "Improving", significance="not significant") for i in range(4)]
    rows += [status(f"u{i}", "Amber", "Improving") for i in range(3)]  # no counts: not tested
    rows += [status("d", "Red", "Declining", significance="not significant"), status("e", "Red", "Declining")]
    assert summarise(rows).overall[1] == (
        "Since the comparable previous period: 10 improved (3 significantly, 3 without counts to test) and "
        "2 declined (none significantly, 1 without counts to test).")
    untested = summarise([status("a", "Green", "Improving"), status("b", "Red", "Declining")])
    assert untested.overall[1] == "Since the comparable previous period: 1 improved and 1 declined."


def test_the_refreshed_summary_and_paper_say_which_moves_were_significant(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from openpyxl import load_workbook

    from kpi_excel.app.paper.content import read_paper
    from kpi_excel.app.report_files import new_report, refresh_report

    path = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(path, now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
    lines = [r[0] for r in load_workbook(path)["Summary"].iter_rows(max_row=4, values_only=True) if r[0]]
    moves = next(line for line in lines if line.startswith("Since the comparable previous period"))
    # The example's only tested moves (care leavers' 94.2% to 93.8%, repeat plans) are not significant.
    assert "improved (none significantly, " in moves and "declined (none significantly, " in moves
    paper = read_paper(path, now=dt.datetime(2026, 11, 23, 10))
    assert paper.summary.overall[1] == moves  # the paper says the same
