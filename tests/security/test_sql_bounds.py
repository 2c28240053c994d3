"""A source's query is bounded in time and size on every database (issue 17, Low 9).

Real runs of ``kpi-excel refresh --data sql:...`` against a real SQLite file
and the real PostgreSQL the suite starts. A query that never returns a row
(a recursive CTE with no end) is stopped at the deadline, one line, exit 1,
and the workbook's lock is released (the next refresh runs); a value or row
too big (a ``zeroblob`` bomb, ``repeat()``) is refused in one line before it
is held in memory; a result too big in all is refused as it is fetched.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from kpi_excel.cli import main
from tests.security.hostile import example_report, refused_in_one_line

sa = pytest.importorskip("sqlalchemy")

NEVER_ENDS = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
              "SELECT 'EH1' AS code, 'Q1 2022/23' AS period, n AS value FROM r WHERE n < 0")


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return example_report(tmp_path / "report.xlsx")


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "kpi.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE kv (code TEXT, period TEXT, value REAL)")
        connection.execute("INSERT INTO kv VALUES ('EH1', 'Q1 2022/23', 75.5)")
    connection.close()
    return path


def _sqlite(path: Path, query: str) -> str:
    return f"sql:sqlite:///{path}#query={query}"


def _timed_refusal(runner, report: Path, source: str) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    line = refused_in_one_line(runner, ["refresh", report, "--data", source], report)
    return line, time.monotonic() - started


# ---- SQLite ----------------------------------------------------------------------------------


def test_sqlite_a_query_that_never_returns_is_stopped_and_the_lock_released(runner, report, sqlite_file,
                                                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kpi_excel.sources.sql.TIMEOUT_SECONDS", 1)
    for source in (_sqlite(sqlite_file, NEVER_ENDS), f"sql:sqlite://#query={NEVER_ENDS}"):
        line, took = _timed_refusal(runner, report, source)
        assert "the query ran longer than 1 s and was stopped" in line, line
        assert took < 30, took
    result = runner.invoke(main, ["refresh", str(report), "--data", _sqlite(sqlite_file, "SELECT * FROM kv")])
    assert result.exit_code == 0, result.output  # the workbook's lock went with the stopped query


def test_sqlite_a_zeroblob_bomb_is_one_line(runner, report, sqlite_file) -> None:  # type: ignore[no-untyped-def]
    for value in ("zeroblob(1000000000)", "randomblob(900000000)", "replace(hex(zeroblob(400000000)), '0', 'xx')",
                  "replace(printf('%.*c', 400000, 'x'), 'x', 'xxxx')"):
        query = f"SELECT 'EH1' AS code, 'Q1 2022/23' AS period, {value} AS value"
        line, took = _timed_refusal(runner, report, _sqlite(sqlite_file, query))
        assert "a row of the result is over 512,000 bytes" in line, line
        assert took < 30, took


def test_sqlite_a_result_too_big_in_all_is_refused_as_it_is_fetched(runner, report, sqlite_file,
                                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kpi_excel.sources.sql.MAX_RESULT_BYTES", 2_000_000)
    query = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10000) "
             "SELECT 'EH1' AS code, 'Q1 2022/23' AS period, n AS value, printf('%.*c', 1000, 'x') AS note FROM r")
    line, _ = _timed_refusal(runner, report, _sqlite(sqlite_file, query))
    assert "the result holds more than 2 MB of text" in line, line


def test_sqlite_an_ordinary_query_still_reads(runner, report, sqlite_file) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT code, period, value, printf('%.*c', 30000, 'x') AS note FROM kv"  # a long note is fine
    result = runner.invoke(main, ["refresh", str(report), "--data", _sqlite(sqlite_file, query)])
    assert result.exit_code == 0, result.output


# ---- PostgreSQL --------------------------------------------------------------------------------


def _pg(url: str, query: str) -> str:
    return f"sql:{url}#query={query}"


@pytest.mark.postgres
def test_postgres_a_query_that_never_returns_is_stopped(runner, report, pg_reader_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kpi_excel.sources.sql.TIMEOUT_SECONDS", 1)
    line, took = _timed_refusal(runner, report, _pg(pg_reader_url, NEVER_ENDS))
    assert "the query ran longer than 1 s and was stopped" in line, line
    assert took < 30, took


@pytest.mark.postgres
def test_postgres_a_row_too_big_is_refused_on_the_server(runner, report, pg_reader_url) -> None:  # type: ignore[no-untyped-def]
    query = ("SELECT 'EH1' AS code, 'Q1 2022/23' AS period, 1 AS value, repeat('x', 100000000) AS note "
             "FROM generate_series(1, 50)")
    line, took = _timed_refusal(runner, report, _pg(pg_reader_url, query))
    assert "a row of the result is over 512,000 bytes" in line, line
    assert took < 60, took


@pytest.mark.postgres
def test_postgres_a_result_too_big_in_all_is_refused(runner, report, pg_reader_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kpi_excel.sources.sql.MAX_RESULT_BYTES", 2_000_000)
    query = ("SELECT 'EH1' AS code, 'Q1 2022/23' AS period, g AS value, repeat('x', 1000) AS note "
             "FROM generate_series(1, 10000) AS g")
    line, _ = _timed_refusal(runner, report, _pg(pg_reader_url, query))
    assert "the result holds more than 2 MB of text" in line, line
