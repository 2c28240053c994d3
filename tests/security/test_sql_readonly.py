"""A ``sql:`` source only reads: hostile queries against a real PostgreSQL and SQLite.

Each case is a real ``kpi-excel refresh --data sql:...`` run. A refusal is one
line on stderr, exit 1, the workbook untouched, no output written, and the
database exactly as it was (PostgreSQL: every table's rows and every
sequence; SQLite: the file byte for byte). Some cases get past the query check
on purpose (a function that deletes, nextval) to show the database's own
read-only transaction stops them too. Passwords never reach a message or the
Log, whatever they hold.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from kpi_excel.cli import main
from kpi_excel.ooxml import XlsxPackage
from tests.security.hostile import example_report

sa = pytest.importorskip("sqlalchemy")

HOSTILE = [
    "DROP TABLE kv",
    "DELETE FROM kv",
    "UPDATE kv SET value = 0",
    "INSERT INTO kv VALUES ('X', 'Q1 2022/23', 9)",
    "CREATE TABLE made (a int)",
    "SELECT * FROM kv; DROP TABLE kv",
    "SELECT * FROM kv; COMMIT; DROP TABLE kv",
    "WITH gone AS (DELETE FROM kv RETURNING *) SELECT * FROM gone",
    "SELECT * INTO made FROM kv",
    "SELECT * FROM kv FOR UPDATE",
    "SELECT E'\\'' ; DROP TABLE kv; --' AS code",
    "/* /* */ ; DROP TABLE kv; */ SELECT * FROM kv",
    "TRUNCATE kv",
]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return example_report(tmp_path / "report.xlsx")


def _refresh(runner, workbook: Path, source: str):  # type: ignore[no-untyped-def]
    before = workbook.read_bytes()
    out = workbook.with_name("out.xlsx")
    result = runner.invoke(main, ["refresh", str(workbook), "-o", str(out), "--data", source])
    assert workbook.read_bytes() == before
    return result, out


def _refused(result, out: Path) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kpi-excel: "), lines
    assert "internal error" not in lines[0]
    assert not out.exists()
    return lines[0]


# ---- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def pg(pg_url: str, pg_reader_url: str):  # type: ignore[no-untyped-def]
    """A fresh schema 'hostile' with a table, a sequence and a function that deletes.

    The reading login may write all of it, so what stops each write below is the
    query check or the read-only transaction, not a missing privilege."""
    engine = sa.create_engine(pg_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS hostile CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA hostile"))
        connection.execute(sa.text("CREATE TABLE hostile.kv (code text, period text, value numeric)"))
        connection.execute(sa.text("INSERT INTO hostile.kv VALUES ('EH1', 'Q1 2022/23', 75.5), "
                                   "('EH1', 'Q2 2022/23', 77.6)"))
        connection.execute(sa.text("CREATE SEQUENCE hostile.counter"))
        connection.execute(sa.text(
            "CREATE FUNCTION hostile.wipe() RETURNS text LANGUAGE plpgsql AS "
            "$f$ BEGIN DELETE FROM hostile.kv; RETURN 'EH1'; END $f$"))
        connection.execute(sa.text("GRANT ALL ON SCHEMA hostile TO kpi_reader"))
        connection.execute(sa.text("GRANT ALL ON ALL TABLES IN SCHEMA hostile TO kpi_reader"))
        connection.execute(sa.text("GRANT ALL ON ALL SEQUENCES IN SCHEMA hostile TO kpi_reader"))
    yield engine
    engine.dispose()


def _pg_state(engine) -> tuple:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        tables = connection.execute(sa.text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")).fetchall()
        rows = connection.execute(sa.text("SELECT * FROM hostile.kv ORDER BY period")).fetchall() \
            if ("hostile", "kv") in [tuple(t) for t in tables] else None
        counter = connection.execute(sa.text("SELECT last_value, is_called FROM hostile.counter")).fetchone()
    return tuple(map(tuple, tables)), rows, tuple(counter)


def _pg_source(pg_url: str, query: str) -> str:
    return f"sql:{pg_url}?options=-csearch_path%3Dhostile#query={query}"


pytestmark_pg = pytest.mark.postgres


@pytest.mark.postgres
@pytest.mark.parametrize("query", HOSTILE)
def test_sql_writing_queries_are_refused_and_postgres_is_unchanged(runner, workbook, pg, pg_reader_url, query) -> None:  # type: ignore[no-untyped-def]
    before = _pg_state(pg)
    result, out = _refresh(runner, workbook, _pg_source(pg_reader_url, query))
    line = _refused(result, out)
    assert "query refused" in line
    assert _pg_state(pg) == before


@pytest.mark.postgres
@pytest.mark.parametrize("query, said", [
    ("SELECT hostile.wipe() AS code, 'Q1 2022/23' AS period, 1 AS value", "cannot execute DELETE in a read-only"),
    ("SELECT nextval('hostile.counter') AS code, 'Q1 2022/23' AS period, 1 AS value",
     "cannot execute nextval() in a read-only"),
])
def test_sql_the_database_itself_refuses_what_the_check_lets_through(runner, workbook, pg, pg_reader_url, query, said) -> None:  # type: ignore[no-untyped-def]
    before = _pg_state(pg)
    result, out = _refresh(runner, workbook, _pg_source(pg_reader_url, query))
    assert said in _refused(result, out)
    assert _pg_state(pg) == before


@pytest.mark.postgres
def test_sql_a_failing_query_is_one_line_not_an_internal_error(runner, workbook, pg, pg_reader_url) -> None:  # type: ignore[no-untyped-def]
    before = _pg_state(pg)
    result, out = _refresh(runner, workbook, _pg_source(pg_reader_url, "SELECT * FROM no_such_table"))
    assert 'relation "no_such_table" does not exist' in _refused(result, out)
    assert _pg_state(pg) == before


@pytest.mark.postgres
def test_sql_a_reading_query_still_reads(runner, workbook, pg, pg_reader_url) -> None:  # type: ignore[no-untyped-def]
    before = _pg_state(pg)
    query = "WITH latest AS (SELECT code, period, value FROM kv) SELECT * FROM latest -- the Q2 figures;"
    result, out = _refresh(runner, workbook, _pg_source(pg_reader_url, query))
    assert result.exit_code == 0, result.output
    assert "#query=" in XlsxPackage.open(out).read_sheet("Log").value(2, 4)
    assert _pg_state(pg) == before


@pytest.mark.postgres
def test_sql_rows_are_bounded(runner, workbook, pg, pg_reader_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("kpi_excel.sources.sql.MAX_ROWS", 1000)
    query = "SELECT 'EH1' AS code, 'Q1 2022/23' AS period, g AS value FROM generate_series(1, 5000) AS g"
    result, out = _refresh(runner, workbook, _pg_source(pg_reader_url, query))
    assert "more than 1,000 rows" in _refused(result, out)


# ---- passwords --------------------------------------------------------------------------------

PASSWORD = "S3cr#t?Pw@rd/x"  # '#', '?', '@' and '/' in one password


def _leaks(text: str) -> list[str]:
    from urllib.parse import quote

    spellings = {PASSWORD, quote(PASSWORD, safe=""), "S3cr", "Pw@rd", "rd/x"}
    return [s for s in spellings if s in text]


def _with_password(pg_url: str, how: str, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    from urllib.parse import quote

    scheme, rest = pg_url.split("://", 1)
    user, host = rest.split("@", 1)
    if how == "encoded":
        return f"{scheme}://{user}:{quote(PASSWORD, safe='')}@{host}"
    if how == "raw hash":
        return f"{scheme}://{user}:S3cr#t%3FPw%40rd%2Fx@{host}"
    if how == "raw at":
        return f"{scheme}://{user}:{PASSWORD}@{host}"
    if how == "query parameter":
        return f"{scheme}://{user}@{host}?password={quote(PASSWORD, safe='')}"
    if how == "environment":
        monkeypatch.setenv("KPI_TEST_DB_PASSWORD", PASSWORD)
        return f"{scheme}://{user}:${{KPI_TEST_DB_PASSWORD}}@{host}"
    monkeypatch.setenv("KPI_EXCEL_SQL_PASSWORD", PASSWORD)
    return pg_url


HOWS = ["encoded", "raw hash", "raw at", "query parameter", "environment", "KPI_EXCEL_SQL_PASSWORD"]


@pytest.mark.postgres
@pytest.mark.parametrize("how", HOWS)
def test_sql_passwords_never_reach_a_message(runner, workbook, pg, pg_reader_url, how, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = _with_password(pg_reader_url, how, monkeypatch)
    for query in ("SELECT * FROM no_such_table", "DELETE FROM kv"):
        sep = "&" if "?" in url else "?"
        result, out = _refresh(runner, workbook, f"sql:{url}{sep}options=-csearch_path%3Dhostile#query={query}")
        line = _refused(result, out)
        assert not _leaks(line), line
    result, out = _refresh(runner, workbook, f"sql:{url}#table=no_such")
    assert not _leaks(_refused(result, out))


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["encoded", "raw hash", "query parameter", "environment", "KPI_EXCEL_SQL_PASSWORD"])
def test_sql_passwords_never_reach_the_log(runner, workbook, pg, pg_reader_url, how, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    url = _with_password(pg_reader_url, how, monkeypatch)
    result, out = _refresh(runner, workbook, f"sql:{url}#table=kv&schema=hostile")
    assert result.exit_code == 0, result.output
    assert not _leaks(result.output)
    log = XlsxPackage.open(out).read_sheet("Log")
    texts = [str(value) for _, _, value, _ in log.cells()]
    assert any("sql:" in t for t in texts) and not any(_leaks(t) for t in texts), texts


def test_sql_a_password_holding_at_is_refused_without_showing_it(runner, workbook) -> None:  # type: ignore[no-untyped-def]
    result, out = _refresh(runner, workbook, f"sql:postgresql+psycopg://kpi:{PASSWORD}@db.invalid/kpi#table=kv")
    line = _refused(result, out)
    assert "holds '@'" in line and not _leaks(line)


def test_sql_an_unreadable_url_does_not_echo_it(runner, workbook, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KPI_EXCEL_SQL_PASSWORD", PASSWORD)
    for url in ("not a url S3cr#t?Pw@rd/x", "nosuchdialect://kpi:S3cr%23t@db/kpi"):
        result, out = _refresh(runner, workbook, f"sql:{url}#table=kv")
        assert not _leaks(_refused(result, out))


# ---- SQLite -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    path = tmp_path / "kpi.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE kv (code TEXT, period TEXT, value REAL)")
    connection.execute("INSERT INTO kv VALUES ('EH1', 'Q1 2022/23', 75.5), ('EH1', 'Q2 2022/23', 77.6)")
    connection.commit()
    connection.close()
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("query", [*HOSTILE, "PRAGMA writable_schema = ON", "ATTACH DATABASE 'x.db' AS x",
                                   "SELECT * FROM kv; VACUUM", "REPLACE INTO kv VALUES ('a', 'b', 1)"])
def test_sql_writing_queries_are_refused_and_sqlite_is_unchanged(runner, workbook, sqlite_db, query) -> None:  # type: ignore[no-untyped-def]
    before = _digest(sqlite_db)
    files = sorted(p.name for p in sqlite_db.parent.iterdir())
    result, out = _refresh(runner, workbook, f"sql:sqlite:///{sqlite_db}#query={query}")
    _refused(result, out)
    assert _digest(sqlite_db) == before
    assert sorted(p.name for p in sqlite_db.parent.iterdir() if p.name != "out.xlsx") == files


def test_sql_a_missing_sqlite_file_is_an_error_never_created(runner, workbook, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for url in (f"sqlite:///{tmp_path}/new.db", f"sqlite:///file:{tmp_path}/new.db?mode=rwc&uri=true"):
        result, out = _refresh(runner, workbook, f"sql:{url}#query=SELECT 1 AS code")
        assert "never created" in _refused(result, out)
        assert not (tmp_path / "new.db").exists()


def test_sql_sqlite_is_opened_read_only(sqlite_db) -> None:  # type: ignore[no-untyped-def]
    """Even a write the query check never sees is refused by SQLite itself."""
    from kpi_excel.sources.sql import _engine, _read_only

    before = _digest(sqlite_db)
    engine, backend = _engine(f"sqlite:///{sqlite_db}", "sql:test")
    with engine.connect() as connection:
        _read_only(connection, backend)
        with pytest.raises(sa.exc.OperationalError, match="readonly|read-only|query_only"):
            connection.exec_driver_sql("DELETE FROM kv")
    engine.dispose()
    assert _digest(sqlite_db) == before


def test_sql_sqlite_reads(runner, workbook, sqlite_db) -> None:  # type: ignore[no-untyped-def]
    before = _digest(sqlite_db)
    result, out = _refresh(runner, workbook, f"sql:sqlite:///{sqlite_db}#query=SELECT code, period, value FROM kv;")
    assert result.exit_code == 0, result.output
    assert _digest(sqlite_db) == before
    assert not any(p.name.endswith(("-journal", "-wal")) for p in sqlite_db.parent.iterdir())


@pytest.mark.parametrize("query, allowed", [
    ("SELECT 'a;b' AS x", True),
    ("select code, 'it''s' AS note /* ; */ FROM kv", True),
    ('SELECT "delete", last_update, updated FROM kv', True),
    ("(SELECT 1)", True),
    ("SELECT 1; -- the end; really", True),
    ("SELECT $$;DROP$$ AS x", True),
    ("select 1 # 2; drop table kv", False),
    ("SELECT 'unterminated", False),
    ("SELECT /*! DROP TABLE kv */ 1", False),
    ("  ", False),
])
def test_sql_the_query_check_reads_quoting_as_postgres_does(query, allowed) -> None:  # type: ignore[no-untyped-def]
    from kpi_excel.errors import UnreadableFileError
    from kpi_excel.sources.sql import check_query

    if allowed:
        assert check_query(query, "postgresql").rstrip(";").strip()
    else:
        with pytest.raises(UnreadableFileError):
            check_query(query, "postgresql")


def test_sql_mysql_hash_comments_and_brackets_follow_their_dialects() -> None:
    from kpi_excel.errors import UnreadableFileError
    from kpi_excel.sources.sql import check_query

    assert check_query("SELECT 1 # ; DROP TABLE kv", "mysql") == "SELECT 1"  # a MySQL comment
    with pytest.raises(UnreadableFileError):
        check_query("SELECT $$;DROP TABLE kv$$", "mysql")  # not a quote in MySQL: two statements
    assert check_query("SELECT [a;b] FROM kv", "mssql") == "SELECT [a;b] FROM kv"
    with pytest.raises(UnreadableFileError):
        check_query("SELECT [a;b] FROM kv", "postgresql")


@pytest.mark.parametrize("query", [
    "SELECT code, lo_bound, dblink_count, 'dblink_exec(' AS x FROM kv",  # names, not calls
    'SELECT "pg_notify", "set_config" FROM kv',
    "SELECT code, period, sum(value) AS value, max(pg_sleep_note) FROM kv GROUP BY code, period",
    "SELECT u&'\\0041' AS code, now() AS period, 1 AS value",
])
def test_sql_names_that_only_look_like_outside_functions_still_read(query) -> None:  # type: ignore[no-untyped-def]
    from kpi_excel.sources.sql import check_query

    assert check_query(query, "postgresql") == query
