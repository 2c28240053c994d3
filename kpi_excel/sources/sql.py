"""Observations from a SQL database through SQLAlchemy, read-only.

A whole table (``table=kpi_values``, optionally ``schema=``) or the rows of a
query (``query=SELECT ...``); columns are found by header synonyms like any
other source (``code``/``indicator``, ``area``, ``period``, ``value``,
``numerator``, ``denominator``, ``note``, ``updated``). Problems name the
result row: ``sql:kpi_values row 12``.

A source only ever reads, whatever the query says:

* **One SELECT.** The query must be a single ``SELECT`` (or ``WITH ...
  SELECT``) statement, judged with comments, string literals and quoted names
  taken out: a trailing ``;`` at most, and none of the words that write,
  lock or run other code (``INSERT``, ``UPDATE``, ``DELETE``, ``MERGE``,
  ``INTO``, ``CREATE``, ``DROP``, ``ALTER``, ``TRUNCATE``, ``GRANT``, ``COPY``,
  ``CALL``, ``EXECUTE``, ``FOR SHARE``, ...). Quoting that databases read
  differently (a backslash before a quote, a comment inside a comment, MySQL's
  ``/*!`` comments) is refused rather than guessed at.
* **A read-only transaction, always rolled back**, made read-only by the
  database itself where it can be: PostgreSQL ``SET TRANSACTION READ ONLY``
  (and the query runs as a sub-select, so the server's parser refuses a second
  statement too, with a ``statement_timeout``); SQLite opens the file
  read-only (``mode=ro``) with ``PRAGMA query_only``, and a file that does not
  exist is an error, never created; MySQL, MariaDB and Oracle ``SET
  TRANSACTION READ ONLY``. SQL Server has no read-only transaction: there the
  rollback and the one-SELECT rule stand, and the account should be one that
  can only read (``db_datareader``), as it should everywhere.
* **Bounded**: at most :data:`MAX_ROWS` rows are fetched.

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
from pathlib import Path
from urllib.parse import quote, unquote

import pandas as pd

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.observations import Observations, match_observation_columns, observations_from_records
from kpi_excel.errors import MissingColumnError, UnreadableFileError
from kpi_excel.extras import extra_for_module, require

__all__ = ["read_sql", "safe_url", "check_query", "MAX_ROWS", "TIMEOUT_SECONDS", "PASSWORD_ENV"]

PASSWORD_ENV = "KPI_EXCEL_SQL_PASSWORD"  # the password of a URL written without one

MAX_ROWS = 500_000
TIMEOUT_SECONDS = 300  # PostgreSQL's statement_timeout for a source's query

# Words that write, lock, or run other code: none belongs in a query that reads.
_FORBIDDEN = (
    "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "INTO", "CREATE", "DROP", "ALTER", "TRUNCATE", "RENAME",
    "GRANT", "REVOKE", "COPY", "CALL", "EXEC", "EXECUTE", "PREPARE", "DEALLOCATE", "ATTACH", "DETACH", "PRAGMA",
    "VACUUM", "REINDEX", "CLUSTER", "LOCK", "SHARE", "NOTIFY", "LISTEN", "LOAD", "HANDLER", "OUTFILE",
    "DUMPFILE", "SHUTDOWN", "KILL",
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_PASSWORD_PARAM = re.compile(r"(?i)([?&;](?:password|passwd|pwd|pass)=)[^&;#]*")


# ---- judging a query ---------------------------------------------------------------------


class _Refused(Exception):
    """Why a query is not run (turned into one line by the caller)."""


def _scan_quoted(query: str, start: int, close: str, backslash_check: bool = True) -> int:
    """Index just past a quoted run opened at ``start``, the closing character doubled to escape."""
    i, n = start + 1, len(query)
    while i < n:
        ch = query[i]
        if ch == "\\" and backslash_check and i + 1 < n and query[i + 1] == close:
            raise _Refused(f"a backslash before {close} inside a quoted text is read differently by different "
                           f"databases; write the {close} twice instead")
        if ch == close:
            if i + 1 < n and query[i + 1] == close:
                i += 2
                continue
            return i + 1
        i += 1
    raise _Refused("the query has an unterminated quoted text or name")


def _code_only(query: str, dialect: str) -> str:
    """The query with comments, literals and quoted names blanked out.

    The result has the query's length, character for character (a blanked
    run keeps its quotes and becomes spaces inside), so a position in it is a
    position in the query.
    """
    pg = dialect == "postgresql"
    mysql = dialect in ("mysql", "mariadb")
    brackets = dialect in ("mssql", "sqlite", "sybase", "access")
    backticks = mysql or dialect == "sqlite"
    out: list[str] = []
    i, n = 0, len(query)

    def blank(start: int, end: int, keep_ends: bool) -> None:
        if keep_ends and end - start >= 2:
            out.append(query[start] + " " * (end - start - 2) + query[end - 1])
        else:
            out.append(" " * (end - start))

    while i < n:
        ch = query[i]
        if ch == "-" and query.startswith("--", i) or (mysql and ch == "#"):
            end = query.find("\n", i)
            end = n if end < 0 else end
            blank(i, end, False)
            i = end
        elif ch == "/" and query.startswith("/*", i):
            if query.startswith("/*!", i):
                raise _Refused("MySQL runs the text of /*! comments as SQL: remove them")
            end = query.find("*/", i + 2)
            if end < 0:
                raise _Refused("the query has an unterminated /* comment")
            if "/*" in query[i + 2:end]:
                raise _Refused("a comment inside a comment is read differently by different databases: remove it")
            blank(i, end + 2, False)
            i = end + 2
        elif ch in "'\"" or (ch == "`" and backticks) or (ch == "[" and brackets):
            end = _scan_quoted(query, i, "]" if ch == "[" else ch, backslash_check=ch != "[")
            blank(i, end, True)
            i = end
        elif ch == "$" and pg and (i == 0 or not (query[i - 1].isalnum() or query[i - 1] in "_$")) \
                and (match := _DOLLAR.match(query, i)):
            close = query.find(match.group(0), match.end())
            if close < 0:
                raise _Refused("the query has an unterminated $$ quoted text")
            end = close + len(match.group(0))
            blank(i, end, False)
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def check_query(query: str, dialect: str = "") -> str:
    """The statement to run if ``query`` only reads; raises :class:`UnreadableFileError` saying why not.

    One ``SELECT`` (or ``WITH ... SELECT``) statement, a trailing ``;`` at
    most, none of the words that write (see the module's notes). Returns the
    statement without its trailing ``;`` (and whatever follows it).
    """
    try:
        code = _code_only(query, dialect)
        end = len(code.rstrip())
        if end and code[end - 1] == ";":
            end -= 1
        statement, code = query[:end].strip(), code[:end]
        if ";" in code:
            raise _Refused("the query must be one statement: a ';' may only end it")
        words = [w.upper() for w in _WORD.findall(code)]
        if not words or words[0] not in ("SELECT", "WITH"):
            first = words[0] if words else "nothing"
            raise _Refused(f"a source runs one SELECT (or WITH ... SELECT) statement; this query starts with {first}")
        if "SELECT" not in words:
            raise _Refused("a source runs one SELECT (or WITH ... SELECT) statement; this query has no SELECT")
        forbidden = next((w for w in words if w in _FORBIDDEN), None)
        if forbidden is not None:
            raise _Refused(f"a source only reads: {forbidden} is not allowed in its query")
    except _Refused as refusal:
        raise UnreadableFileError(f"query refused: {refusal}", source="sql:query") from None
    return statement


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
    return sa.create_engine(parsed, poolclass=NullPool, connect_args=connect_args), backend


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


def _read_only(connection, backend: str) -> None:  # type: ignore[no-untyped-def]
    """Make the transaction just begun read-only, as the database itself enforces it."""
    if backend == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {TIMEOUT_SECONDS * 1000}")
    elif backend == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
    elif backend in ("mysql", "mariadb", "oracle"):
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def _fetch(result, label: str) -> list:  # type: ignore[no-untyped-def]
    rows: list = []
    while batch := result.fetchmany(10_000):
        rows.extend(batch)
        if len(rows) > MAX_ROWS:
            raise UnreadableFileError(f"more than {MAX_ROWS:,} rows; a source is read whole, so narrow the "
                                      "query (WHERE, or fewer periods)", source=label)
    return rows


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
    statement = None
    if query is not None:
        statement = check_query(query, backend)
        if backend == "postgresql":
            # As a sub-select the server's own parser refuses anything but one query.
            statement = f"SELECT * FROM (\n{statement}\n) AS kpi_excel_source"
    try:
        with engine.connect() as connection:
            transaction = connection.begin()
            try:
                _read_only(connection, backend)
                streaming = connection.execution_options(stream_results=True)
                if table:
                    reflected = sa.Table(table, sa.MetaData(), schema=schema, autoload_with=connection)
                    result = streaming.execute(sa.select(reflected))
                else:
                    result = streaming.execute(sa.text(statement))
                if not result.returns_rows:
                    raise UnreadableFileError("the query returned no rows to read", source=label)
                headers = list(result.keys())
                rows = _fetch(result, label)
            finally:
                transaction.rollback()  # a source never changes the database
    except sa.exc.NoSuchTableError:
        raise UnreadableFileError(f"no table '{table}' in {where}", source=label) from None
    except sa.exc.SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        raise UnreadableFileError(_scrub(f"database error at {where}: {_first_line(cause)}", secrets),
                                  source=label) from None
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
