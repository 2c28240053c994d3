"""Settings' Extra sources: each named once, and a bounded number (issue 17, Medium 6).

A Settings cell of 'finance; finance; ...' x 2,000 took 20.9 s and 4,406 file opens
in one web request; the same source is now read once, and a list longer than any
report needs is named as a problem instead of opened.
"""

from __future__ import annotations

from kpi_excel.core.settings import MAX_SOURCES, read_settings


def test_a_source_named_many_times_is_read_once() -> None:
    settings = read_settings([("Extra sources", "; ".join(["finance", " FINANCE ", "finance"] * 700))])
    assert settings.sources == ("finance",) and settings.problems == ()


def test_distinct_sources_keep_their_order_and_spelling() -> None:
    settings = read_settings([("Extra sources", "b.csv;\nA.xlsx#Sheet one;  b.csv ; a.xlsx#sheet  one")])
    assert settings.sources == ("b.csv", "A.xlsx#Sheet one")


def test_more_sources_than_a_report_reads_is_a_named_problem_and_none_is_opened() -> None:
    many = "; ".join(f"s{i}.csv" for i in range(MAX_SOURCES + 1))
    settings = read_settings([("Setting", "Value"), ("Extra sources", many)])
    assert settings.sources == ()
    [problem] = settings.problems
    assert "row 2 (Extra sources)" in str(problem) and f"names {MAX_SOURCES + 1} sources" in str(problem)
