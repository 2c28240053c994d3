"""A source's query cannot act outside its read-only transaction (issue 17, High 2).

Against the real PostgreSQL the suite starts, in a database of its own with
the ``dblink`` extension installed. Each hole is first shown open (the same
SQL, run directly in a read-only transaction, deletes rows or kills a
session), then ``kpi-excel refresh --data sql:...`` is shown refusing it in
one line, exit 1, workbook unchanged, and the database or session as it was.
The login is checked too: one that may run ``dblink``, a superuser, or a
member of a server-file role is refused before its query runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from kpi_excel.cli import main
from tests.security.hostile import example_report, refused_in_one_line
from tests.security.web_helpers import Trap

sa = pytest.importorskip("sqlalchemy")
psycopg = pytest.importorskip("psycopg")

pytestmark = pytest.mark.postgres

DATABASE = "kpi_dblink"
ROWS = [("EH1", "Q1 2022/23", 75.5), ("EH1", "Q2 2022/23", 77.6)]


def _in(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


def _conninfo(url: str) -> str:
    """The libpq connection string of an SQLAlchemy URL, as dblink and psycopg take it."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    parts = {"host": parsed.host, "port": parsed.port, "user": parsed.username, "password": parsed.password,
             "dbname": parsed.database}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v is not None)


@pytest.fixture(scope="module")
def dblink_urls(pg_url: str, pg_reader_url: str) -> Iterator[tuple[str, str]]:
    """(superuser, reader) URLs of a fresh database with dblink installed and a table t.kv the
    reader may even write, so what stops each write is our refusal, not a missing grant."""
    with psycopg.connect(_conninfo(pg_url), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    admin_url = _in(pg_url, DATABASE)
    with psycopg.connect(_conninfo(admin_url), autocommit=True) as admin:
        admin.execute("CREATE EXTENSION dblink")
        # Installing dblink lets everyone run it; a database set up as the admin guide says revokes that.
        admin.execute("REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC")
        admin.execute("CREATE SCHEMA t")
        admin.execute("CREATE TABLE t.kv (code text, period text, value numeric)")
        admin.execute("GRANT ALL ON SCHEMA t TO kpi_reader")
        admin.execute("GRANT ALL ON t.kv TO kpi_reader")
    yield admin_url, _in(pg_reader_url, DATABASE)
    with psycopg.connect(_conninfo(pg_url), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@pytest.fixture
def db(dblink_urls: tuple[str, str]) -> tuple[str, str]:
    """The URLs, with t.kv holding ROWS afresh."""
    with psycopg.connect(_conninfo(dblink_urls[0]), autocommit=True) as admin:
        admin.execute("DELETE FROM t.kv")
        with admin.cursor() as cursor:
            cursor.executemany("INSERT INTO t.kv VALUES (%s, %s, %s)", ROWS)
    return dblink_urls


def _rows(url: str) -> list[tuple]:  # type: ignore[type-arg]
    with psycopg.connect(_conninfo(url)) as connection:
        return [(c, p, float(v)) for c, p, v in connection.execute("SELECT * FROM t.kv ORDER BY period")]


def _read_only(url: str, sql: str) -> None:
    """Run ``sql`` the way a source runs: in a read-only transaction, rolled back."""
    with psycopg.connect(_conninfo(url)) as connection:
        connection.execute("SET TRANSACTION READ ONLY")
        connection.execute(sql).fetchall()
        connection.rollback()


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return example_report(tmp_path / "report.xlsx")


def _source(url: str, query: str) -> str:
    return f"sql:{url}#query={query}"


def _as_row(expression: str) -> str:
    return f"SELECT ({expression})::text AS code, 'Q1 2022/23' AS period, 1 AS value"


# ---- dblink: a second connection, outside the read-only transaction ----------------------------


def test_dblink_exec_delete_is_refused_and_the_rows_stay(runner, report, db) -> None:  # type: ignore[no-untyped-def]
    admin, reader = db
    delete = f"dblink_exec('{_conninfo(admin)}', 'DELETE FROM t.kv')"
    _read_only(admin, f"SELECT {delete}")  # the hole: a read-only transaction does not stop it
    assert _rows(admin) == []
    with psycopg.connect(_conninfo(admin), autocommit=True) as connection, connection.cursor() as cursor:
        cursor.executemany("INSERT INTO t.kv VALUES (%s, %s, %s)", ROWS)

    for query in (_as_row(delete),
                  _as_row(f'public."dblink_exec" (\'{_conninfo(admin)}\', \'DELETE FROM t.kv\')'),
                  f"SELECT * FROM dblink('{_conninfo(admin)}', 'DELETE FROM t.kv RETURNING *') "
                  "AS gone(code text, period text, value numeric)",
                  _as_row(f"query_to_xml('SELECT {delete.replace(chr(39), chr(39) * 2)}', true, false, '')"),
                  _as_row('U&"\\0064blink_exec"(\'x\', \'DELETE FROM t.kv\')')):
        line = refused_in_one_line(runner, ["refresh", report, "--data", _source(reader, query)], report)
        assert "query refused" in line and ("acts outside its read-only transaction" in line or "U&" in line), line
        assert _rows(admin) == ROWS


def test_a_login_that_may_run_dblink_is_refused_before_its_query_runs(runner, report, db) -> None:  # type: ignore[no-untyped-def]
    admin, reader = db
    harmless = _source(reader, "SELECT code, period, value FROM t.kv")
    result = runner.invoke(main,
                           ["refresh", str(report), "-o", str(report.with_name("out.xlsx")), "--data", harmless])
    assert result.exit_code == 0, result.output  # revoked, as the admin guide says: it reads
    with psycopg.connect(_conninfo(admin), autocommit=True) as connection:
        connection.execute("GRANT EXECUTE ON FUNCTION dblink_exec(text, text) TO kpi_reader")
    try:
        line = refused_in_one_line(runner, ["refresh", report, "--data", harmless], report)
    finally:
        with psycopg.connect(_conninfo(admin), autocommit=True) as connection:
            connection.execute("REVOKE EXECUTE ON FUNCTION dblink_exec(text, text) FROM kpi_reader")
    assert "the database login 'kpi_reader' may run dblink_exec(text,text)" in line, line
    assert "REVOKE EXECUTE" in line and "can only read" in line
    assert _rows(admin) == ROWS


def test_a_superuser_login_is_refused(runner, report, db) -> None:  # type: ignore[no-untyped-def]
    admin, _ = db
    line = refused_in_one_line(runner, ["refresh", report, "--data", _source(admin, "SELECT * FROM t.kv")], report)
    assert "the database login 'kpi' is a superuser" in line, line


def test_a_login_in_a_server_file_role_is_refused(runner, report, db) -> None:  # type: ignore[no-untyped-def]
    admin, reader = db
    with psycopg.connect(_conninfo(admin), autocommit=True) as connection:
        connection.execute("DROP ROLE IF EXISTS kpi_files")
        connection.execute("CREATE ROLE kpi_files LOGIN IN ROLE pg_read_all_data, pg_write_server_files")
    try:
        url = reader.replace("kpi_reader@", "kpi_files@")
        line = refused_in_one_line(runner, ["refresh", report, "--data", _source(url, "SELECT * FROM t.kv")], report)
    finally:
        with psycopg.connect(_conninfo(admin), autocommit=True) as connection:
            connection.execute("DROP ROLE kpi_files")
    assert "is a member of pg_write_server_files" in line, line


# ---- other sessions of the same login ----------------------------------------------------------


def test_pg_terminate_backend_is_refused_and_the_other_session_lives(runner, report, db) -> None:  # type: ignore[no-untyped-def]
    _, reader = db
    kill = ("SELECT pg_terminate_backend(pid)::text AS code, 'Q1 2022/23' AS period, 1 AS value "
            "FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid()")
    with psycopg.connect(_conninfo(reader), autocommit=True) as victim:
        _read_only(reader, kill)  # the hole: the same login may end its other sessions
        with pytest.raises(psycopg.OperationalError):
            victim.execute("SELECT 1")
    with psycopg.connect(_conninfo(reader), autocommit=True) as victim:
        for query in (kill, kill.replace("pg_terminate_backend", "pg_catalog.pg_cancel_backend")):
            line = refused_in_one_line(runner, ["refresh", report, "--data", _source(reader, query)], report)
            assert "acts outside its read-only transaction" in line, line
        assert victim.execute("SELECT 1").fetchone() == (1,)


# ---- the rest of the list: refused before any connection is made --------------------------------


@pytest.mark.parametrize("call", [
    "pg_stat_reset()", "pg_stat_reset_shared('bgwriter')", "lo_import('/etc/passwd')", "lo_unlink(1)",
    "lo_from_bytea(0, 'x')", "pg_read_file('/etc/passwd')", "pg_read_binary_file('/etc/passwd')",
    "pg_ls_dir('.')", "set_config('statement_timeout', '0', false)", "pg_advisory_lock(1)", "pg_notify('a', 'b')",
    "pg_reload_conf()", "pg_create_logical_replication_slot('s', 'test_decoding')", "PG_CATALOG.LOWRITE(0, 'x')",
])
def test_other_functions_acting_outside_are_refused_before_connecting(runner, report, call) -> None:  # type: ignore[no-untyped-def]
    trap = Trap()  # the database URL leads here: a query refused must never connect
    try:
        url = f"postgresql+psycopg://kpi_reader@127.0.0.1:{trap.port}/kpi"
        line = refused_in_one_line(runner, ["refresh", report, "--data", _source(url, _as_row(call))], report)
    finally:
        trap.close()
    assert "query refused" in line and "acts outside its read-only transaction" in line, line
    assert trap.connections == 0
