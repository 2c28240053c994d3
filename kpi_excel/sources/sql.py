"""Observations from a SQL database through SQLAlchemy, read-only.

A whole table (``table=kpi_values``, optionally ``schema=``) or the rows of a
query (``query=SELECT ...``); columns are found by header synonyms like any
other source (``code``/``indicator``, ``area``, ``period``, ``value``,
``numerator``, ``denominator``, ``note``, ``updated``). Problems name the
result row: ``sql:kpi_values row 12``.

A source only ever reads, whatever the query says:

* **One SELECT that calls nothing outside itself** (:mod:`.sql_query`): a
  single ``SELECT`` (or ``WITH ... SELECT``), none of the words that write,
  lock or run other code, and no call of a function that acts outside the
  transaction (``dblink*``, ``pg_terminate_backend``, ``lo_*``,
  ``pg_read_file``, ``pg_stat_reset*``, ``set_config``, ...), judged before
  any connection is made.
* **A login that can only read**: on PostgreSQL a superuser, a member of the
  server-file or signal roles, or a login that may run ``dblink`` and the like
  is refused before the query runs (:mod:`.sql_login`).
* **A read-only transaction, always rolled back**, made read-only by the
  database itself where it can be: PostgreSQL ``SET TRANSACTION READ ONLY``
  (and the query runs as a sub-select, so the server's parser refuses a second
  statement too, with a ``statement_timeout``); SQLite opens the file
  read-only (``mode=ro``) with ``PRAGMA query_only``, and a file that does not
  exist is an error, never created; MySQL, MariaDB and Oracle ``SET
  TRANSACTION READ ONLY``. SQL Server has no read-only transaction: there the
  rollback and the one-SELECT rule stand, and the account should be one that
  can only read (``db_datareader``), as it should everywhere.
* **Bounded in time and size, on every database**: at most :data:`MAX_ROWS`
  rows and :data:`MAX_RESULT_BYTES` of text and bytes are kept, fetched
  :data:`FETCH_ROWS` at a time, and fetching stops after
  :data:`TIMEOUT_SECONDS`. The database itself stops what the client cannot:
  PostgreSQL's ``statement_timeout``, and a row over :data:`MAX_ROW_BYTES`
  (its text form) fails on the server before it is sent; SQLite stops a
  query at the deadline (a progress handler, so a recursive query that never
  returns a row ends too) and refuses a value over :data:`MAX_ROW_BYTES`
  (``SQLITE_LIMIT_LENGTH``, so a ``zeroblob`` bomb is one line, not
  ``MemoryError``). Other databases get the client's bounds only; give their
  login a time limit of its own.

Every refusal and database error is one line, and never shows a password:
not in the URL (even one holding ``#``, ``@`` or ``?password=``), not from the
driver's message, not from ``KPI_EXCEL_SQL_PASSWORD``.

Needs ``sqlalchemy`` and a driver (``psycopg[binary]`` for PostgreSQL), the
``sql`` extra.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
import time
from pathlib import Path
from urllib.parse import quote, unquote

import pandas as pd

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.observations import Observations, match_observation_columns, observations_from_records
from kpi_excel.errors import MissingColumnError, UnreadableFileError
from kpi_excel.extras import extra_for_module, require
from kpi_excel.sources.sql_login import check_login
from kpi_excel.sources.sql_query import check_query

__all__ = ["read_sql", "safe_url", "check_query", "MAX_ROWS", "MAX_ROW_BYTES", "MAX_RESULT_BYTES", "FETCH_ROWS",
           "TIMEOUT_SECONDS", "PASSWORD_ENV"]

PASSWORD_ENV = "KPI_EXCEL_SQL_PASSWORD"  # the password of a URL written without one

MAX_ROWS = 500_000
TIMEOUT_SECONDS = 300  # a source's query, and its fetching, stop after this
MAX_ROW_BYTES = 512_000  # a result row (PostgreSQL: as text) or value (SQLite): three full Excel cells
MAX_RESULT_BYTES = 256_000_000  # the text and bytes of a whole result, as fetched
FETCH_ROWS = 500  # rows in flight at once: at most FETCH_ROWS * MAX_ROW_BYTES from PostgreSQL
_TOO_BIG = "kpi-excel: row over"  # the marker of the server-side row check's error

_PASSWORD_PARAM = re.compile(r"(?i)([?&;](?:password|passwd|pwd|pass)=)[^&;#]*")


# ---- URLs and secrets ------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages and the Log.

    Does not trust the URL to be well formed: everything before the *last*
    ``@`` is user information (a password may hold ``@``, ``#``, ``/`` or
    ``?``), and ``password=`` query parameters are masked too.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return f"{scheme.split(':', 1)[0]}:…"
    at = rest.rfind("@")
    if at >= 0:
        user = rest[:at].split(":", 1)[0]
        rest = f"{user}:***@{rest[at + 1:]}" if ":" in rest[:at] else f"{user}@{rest[at + 1:]}"
    shown = f"{scheme}://{rest}"
    shown = _PASSWORD_PARAM.sub(r"\1***", shown)
    return _scrub(shown, _secrets(url))


def _secrets(url: str) -> set[str]:
    """Every spelling of a password the URL (or the environment) carries."""
    found: set[str] = set()
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if sep and at >= 0 and ":" in rest[:at]:
        found.add(rest[:at].split(":", 1)[1])
    found.update(m.group(0).split("=", 1)[1] for m in _PASSWORD_PARAM.finditer(url))
    try:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if parsed.password:
            found.add(str(parsed.password))
        for key, value in parsed.query.items():
            if key.lower() in ("password", "passwd", "pwd", "pass"):
                found.update([value] if isinstance(value, str) else value)
    except Exception:  # noqa: BLE001 - an unreadable URL: the text-level spellings above suffice
        pass
    if os.environ.get(PASSWORD_ENV):
        found.add(os.environ[PASSWORD_ENV])
    spelled: set[str] = set()
    for secret in found:
        spelled.update({secret, unquote(secret), quote(secret, safe=""), quote(unquote(secret), safe="")})
    return {s for s in spelled if len(s) >= 3}


def _scrub(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# ---- opening read-only -------------------------------------------------------------------------


def _engine(url: str, label: str):  # type: ignore[no-untyped-def]
    """An engine that cannot write where the database can promise it; SQLite never creates a file."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    if url.partition("://")[2].count("@") > 1:
        # SQLAlchemy ends a password at its first '@': the rest would become the host, and
        # the driver's "cannot resolve host" would show part of the password.
        raise UnreadableFileError("the database URL's password holds '@': write it as %40, or put it in an "
                                  f"environment variable (${{NAME}} in the URL, or {PASSWORD_ENV})", source=label)
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    connect_args: dict[str, object] = {}
    if backend == "sqlite":
        parsed = _sqlite_read_only(parsed, label)
    elif backend == "postgresql":
        connect_args["connect_timeout"] = 15
    engine = sa.create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    if backend == "sqlite":
        sa.event.listen(engine, "connect", _bound_sqlite)
    return engine, backend


def _bound_sqlite(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """SQLite runs in our process: stop it at the deadline, and refuse values over MAX_ROW_BYTES."""
    import sqlite3

    dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_ROW_BYTES)
    deadline = time.monotonic() + TIMEOUT_SECONDS
    dbapi_connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)


def _sqlite_read_only(parsed, label: str):  # type: ignore[no-untyped-def]
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return parsed  # a private, empty in-memory database: nothing to protect
    if parsed.query.get("uri") in ("true", "1") or database.startswith("file:"):
        path_text = unquote(database[5:] if database.startswith("file:") else database).split("?", 1)[0]
    else:
        path_text = database
    path = Path(path_text)
    if not path.is_file():
        raise UnreadableFileError(f"no SQLite database file '{path}' (it is never created)", source=label)
    return parsed.set(database=f"file:{quote(str(path.resolve()))}", query={"mode": "ro", "uri": "true"})


def _read_only(connection, backend: str, label: str = "sql:query") -> None:  # type: ignore[no-untyped-def]
    """Make the transaction just begun read-only, as the database itself enforces it, and bound it."""
    if backend == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(TIMEOUT_SECONDS * 1000)}")
        check_login(connection, label)
    elif backend == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
    elif backend in ("mysql", "mariadb", "oracle"):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def _statement(connection, backend: str, query: str | None, table: str | None, schema: str | None):  # type: ignore[no-untyped-def]
    """What to run: the checked query, or every row of the table; on PostgreSQL bounded by the server."""
    import sqlalchemy as sa

    if table:
        reflected = sa.Table(table, sa.MetaData(), schema=schema, autoload_with=connection)
        if backend != "postgresql":
            return sa.select(reflected)
        query = f"SELECT * FROM {connection.dialect.identifier_preparer.format_table(reflected)}"
    if backend != "postgresql":
        return sa.text(query)
    # As a sub-select the server's own parser refuses anything but one query; a row too big
    # to send fails there (its length makes the cast's text, so it is never folded in planning).
    size = "octet_length(kpi_excel_source::text)"
    return sa.text(f"SELECT kpi_excel_source.* FROM (\n{query}\n) AS kpi_excel_source WHERE CASE WHEN "
                   f"{size} > {MAX_ROW_BYTES} THEN ('{_TOO_BIG} ' || {size})::int = 0 ELSE true END")


def _fetch(result, label: str, deadline: float) -> list:  # type: ignore[no-untyped-def]
    rows: list = []
    size = 0
    while batch := result.fetchmany(FETCH_ROWS):
        rows.extend(batch)
        size += sum(_size(row) for row in batch)
        if len(rows) > MAX_ROWS:
            raise UnreadableFileError(f"more than {MAX_ROWS:,} rows; a source is read whole, so narrow the "
                                      "query (WHERE, or fewer periods)", source=label)
        if size > MAX_RESULT_BYTES:
            raise UnreadableFileError(f"the result holds more than {MAX_RESULT_BYTES / 1_000_000:g} MB of text; "
                                      "a source holds codes, periods and values, so narrow the query", source=label)
        if time.monotonic() > deadline:
            raise UnreadableFileError(_too_slow(), source=label)
    return rows


def _size(row) -> int:  # type: ignore[no-untyped-def]
    return sum(len(v) if isinstance(v, (str, bytes, bytearray, memoryview)) else 8 for v in row)


def _too_slow() -> str:
    return f"the query ran longer than {TIMEOUT_SECONDS:g} s and was stopped; narrow it (WHERE, or fewer periods)"


def _bounded(cause: BaseException) -> str | None:
    """The message of a database error that is one of our bounds at work, else None."""
    text = str(cause)
    if "statement timeout" in text or (isinstance(cause, _sqlite_error()) and text == "interrupted"):
        return _too_slow()
    if _TOO_BIG in text or "string or blob too big" in text:
        return (f"a row of the result is over {MAX_ROW_BYTES:,} bytes; a source holds codes, periods and "
                "values, not large texts or blobs")
    return None


def _sqlite_error() -> type:
    import sqlite3

    return sqlite3.OperationalError


def _no_driver(module: str, url: str) -> str:
    if extra_for_module(module) == "sql":
        return f'the database driver {module} is not installed: pip install "kpi-excel[sql]"'
    return f"the database driver {module} for {safe_url(url)} is not installed: pip install it beside kpi-excel"


def read_sql(url: str, *, table: str | None = None, query: str | None = None, schema: str | None = None,
             directory: AreaDirectory | None = None) -> Observations:
    """Observations from ``table`` or ``query`` at ``url`` (an SQLAlchemy URL), read-only."""
    require("sql", "an sql: source", ("sqlalchemy",))
    import sqlalchemy as sa

    secrets = _secrets(url)
    where = safe_url(url)
    if (table is None) == (query is None):
        raise UnreadableFileError("say either table=NAME or query=SELECT ... after '#'", source=f"sql:{where}")
    label = f"sql:{table}" if table else "sql:query"
    try:
        engine, backend = _engine(url, label)
    except UnreadableFileError:
        raise
    except ModuleNotFoundError as error:  # the URL's database driver is not installed
        raise UnreadableFileError(_no_driver(error.name or "", url), source=label) from None
    except Exception as error:  # noqa: BLE001 - SQLAlchemy and drivers raise many kinds for a bad URL
        raise UnreadableFileError(_scrub(f"cannot use database URL {where} ({type(error).__name__}: "
                                         f"{_first_line(error)})", secrets), source=label) from None
    checked = check_query(query, backend) if query is not None else None  # before any connection
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                _read_only(connection, backend, label)
                streaming = connection.execution_options(stream_results=True, max_row_buffer=FETCH_ROWS)
                result = streaming.execute(_statement(connection, backend, checked, table, schema))
                if not result.returns_rows:
                    raise UnreadableFileError("the query returned no rows to read", source=label)
                headers = list(result.keys())
                rows = _fetch(result, label, deadline)
            finally:
                transaction.rollback()  # a source never changes the database
    except sa.exc.NoSuchTableError:
        raise UnreadableFileError(f"no table '{table}' in {where}", source=label) from None
    except sa.exc.SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        raise UnreadableFileError(_bounded(cause) or _scrub(f"database error at {where}: {_first_line(cause)}",
                                                            secrets), source=label) from None
    finally:
        engine.dispose()
    columns = match_observation_columns(headers)
    missing = [name for name in ("code", "period", "value") if name not in columns]
    if missing:
        raise MissingColumnError(f"no column for {', '.join(missing)} (columns: {', '.join(map(str, headers))})",
                                 source=label)
    raw = pd.DataFrame({name: [_plain(row[i]) for row in rows] for name, i in columns.items()}, dtype=object)
    raw["row"] = range(1, len(rows) + 1)
    return observations_from_records(raw, source=label, directory=directory,
                                     where=lambda i, field: f"{label} row {i + 1}")


def _plain(value: object) -> object:
    """Database types as the value reader expects them."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value
