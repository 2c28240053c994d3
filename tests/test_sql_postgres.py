"""Observations from a real PostgreSQL server through SQLAlchemy (psycopg 3), read by a login that can
only read (``pg_reader_url``); the tables are made by the superuser (``pg_url``)."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

pytestmark = pytest.mark.postgres

sa = pytest.importorskip("sqlalchemy")


@pytest.fixture(scope="module")
def kpi_table(pg_url: str) -> str:
    engine = sa.create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS perf CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA perf"))
        connection.execute(sa.text(
            "CREATE TABLE perf.kpi_values (indicator_code text, la_name text, time_period text, "
            "value numeric(12, 4), numerator integer, denominator integer, "
            "last_updated timestamptz, comments text)"))
        connection.execute(sa.text(
            "INSERT INTO perf.kpi_values VALUES "
            "('EH1', 'Leicestershire', 'Q1 2022/23', 75.5, 151, 200, '2023-08-01 10:00+01', NULL),"
            "('EH1', 'Leicestershire', 'Q2 2022/23', 77.6, 388, 500, '2023-11-01 09:00+00', 'provisional'),"
            "('EH1', 'Leicester', 'Q2 2022/23', 70.25, NULL, NULL, NULL, NULL),"
            "('EH1', 'Narnia', 'Q2 2022/23', 1, NULL, NULL, NULL, NULL),"
            "('EH2', 'Leicestershire', 'sometime', 5, NULL, NULL, NULL, NULL),"
            "('EH2', 'Leicestershire', 'Q2 2022/23', 6, NULL, NULL, NULL, NULL),"
            "('EH2', 'Leicestershire', 'Q2 2022/23', 7, NULL, NULL, NULL, NULL)"))
    engine.dispose()
    return "kpi_values"


def test_table_source(pg_reader_url: str, kpi_table: str) -> None:
    from kpi_excel.sources.lait_files import load_directory
    from kpi_excel.sources.spec import read_source

    found = read_source(f"sql:{pg_reader_url}#table={kpi_table}&schema=perf", directory=load_directory())
    frame = found.frame.sort_values(["code", "area", "period"]).reset_index(drop=True)
    assert set(frame["source"]) == {"sql:kpi_values"}
    assert [str(p) for p in found.problems] == [
        "sql:kpi_values row 4: unknown area 'Narnia' (not an authority in the LA code list, England or a region); "
        "row not used (indicator EH1)",
        "sql:kpi_values row 5: unknown period 'sometime' (expected a form such as Q2 2022/23, Summer 2022, 2021/22, "
        "2024-25, 2025, Mar-25 or Apr-Sep 2022); row not used (indicator EH2)",
        "sql:kpi_values row 6: Q2 2022/23 is given 2 times with different values (6, 7; rows 6, 7); "
        "none of them used (indicator EH2)",
        "sql:kpi_values row 7: Q2 2022/23 is given 2 times with different values (6, 7; rows 6, 7); "
        "none of them used (indicator EH2)",
    ]
    row = frame[(frame["area"] == "Leicestershire") & (frame["period"] == "Q2 2022/23")].iloc[0]
    assert row["value"] == pytest.approx(77.6) and row["numerator"] == 388 and row["denominator"] == 500
    assert row["note"] == "provisional"
    assert row["updated"] == dt.datetime(2023, 11, 1, 9, 0)  # stored as UTC, naive
    assert frame[frame["area"] == "Leicester"]["value"].tolist() == [70.25]


def test_query_source_and_period_choice(pg_reader_url: str, kpi_table: str) -> None:
    from kpi_excel.core.observations import choose_periods
    from kpi_excel.sources.spec import read_source

    query = ("SELECT indicator_code AS code, time_period AS period, value, last_updated AS updated "
             "FROM perf.kpi_values WHERE la_name = 'Leicestershire' AND indicator_code = 'EH1'")
    found = read_source(f"sql:{pg_reader_url}#query={query}")
    assert not found.problems and set(found.frame["source"]) == {"sql:query"}
    chosen = choose_periods(found, {"EH1": "Quarterly"}).frame.loc["EH1"]
    assert chosen[["previous_period", "previous_value", "latest_period", "latest_value"]].tolist() == [
        "Q1 2022/23", 75.5, "Q2 2022/23", 77.6]


def test_errors_name_the_place_and_hide_the_password(pg_reader_url: str, kpi_table: str) -> None:
    from kpi_excel.errors import InputError
    from kpi_excel.sources.spec import read_source

    with pytest.raises(InputError, match="no table 'nope'"):
        read_source(f"sql:{pg_reader_url}#table=nope")
    with pytest.raises(InputError, match="no column for code, period, value"):
        read_source(f"sql:{pg_reader_url}#query=SELECT 1 AS x")
    with_password = pg_reader_url.replace("kpi_reader@", "kpi_reader:hunter2@")
    with pytest.raises(InputError) as caught:
        read_source(f"sql:{with_password}#query=SELECT * FROM missing_table")
    assert "hunter2" not in str(caught.value) and "***" in str(caught.value)


def test_decimal_values_become_floats(pg_url: str) -> None:
    from kpi_excel.sources.sql import _plain

    assert _plain(decimal.Decimal("77.6000")) == 77.6
