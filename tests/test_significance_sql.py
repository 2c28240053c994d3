"""Counts from an SQL source reach the KPIs sheet's interval and significance (real PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.postgres

sa = pytest.importorskip("sqlalchemy")


@pytest.fixture(scope="module")
def counts_table(pg_url: str) -> str:
    engine = sa.create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS stats12 CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA stats12"))
        connection.execute(sa.text(
            "CREATE TABLE stats12.kpi_counts (indicator_code text, la_name text, time_period text, "
            "value numeric(12, 4), numerator integer, denominator integer)"))
        # Test figures for a warehouse table: the same quarter again, now with its counts, then Q3.
        connection.execute(sa.text(
            "INSERT INTO stats12.kpi_counts VALUES "
            "('SC07', 'Leicestershire', 'Q2 2022/23', 61.3, 1226, 2000),"
            "('SC07', 'Leicestershire', 'Q3 2022/23', 65.0, 1300, 2000)"))
    engine.dispose()
    return "kpi_counts"


def test_sql_counts_give_an_interval_and_a_significant_change(pg_reader_url: str, counts_table: str,
                                                              tmp_path: Path) -> None:
    from kpi_excel.app.report_files import new_report, refresh_report

    path = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(path, sources=[f"sql:{pg_reader_url}#table={counts_table}&schema=stats12"],
                   now=dt.datetime(2026, 11, 23, 9, 30), user="officer")
    values = list(load_workbook(path)["KPIs"].iter_rows(values_only=True))
    rows = [dict(zip(values[0], r)) for r in values[1:]]
    eet = next(r for r in rows if r["Code"] == "SC07")
    assert (eet["Previous Numerator"], eet["Latest Numerator"], eet["Latest Denominator"]) == (1226, 1300, 2000)
    assert eet["95% CI"] == "62.9% to 67.1%"
    assert eet["Significance"] == "significant"
    assert "Improving (significant: 61.3% to 65% on 2,000 cases)" in eet["RAG Reason"]
