"""Observations from a SQL database through SQLAlchemy.

A whole table (``table=kpi_values``, optionally ``schema=``) or the rows of a
query (``query=SELECT ...``); columns are found by header synonyms like any
other source (``code``/``indicator``, ``area``, ``period``, ``value``,
``numerator``, ``denominator``, ``note``, ``updated``). Problems name the
result row: ``sql:kpi_values row 12``. The URL's password is never printed.

Needs ``sqlalchemy`` and a driver (``psycopg[binary]`` for PostgreSQL), the
``sql`` extra.
"""

from __future__ import annotations

import datetime as dt
import decimal

import pandas as pd

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.observations import Observations, match_observation_columns, observations_from_records
from kpi_excel.errors import MissingColumnError, UnreadableFileError
from kpi_excel.extras import extra_for_module, require

__all__ = ["read_sql", "safe_url"]


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: show no part that may hold a secret
        scheme = url.split(":", 1)[0]
        return f"{scheme}://…"


def _no_driver(module: str, url: str) -> str:
    if extra_for_module(module) == "sql":
        return f'the database driver {module} is not installed: pip install "kpi-excel[sql]"'
    return f"the database driver {module} for {safe_url(url)} is not installed: pip install it beside kpi-excel"


def read_sql(url: str, *, table: str | None = None, query: str | None = None, schema: str | None = None,
             directory: AreaDirectory | None = None) -> Observations:
    """Observations from ``table`` or ``query`` at ``url`` (an SQLAlchemy URL)."""
    require("sql", "an sql: source", ("sqlalchemy",))
    import sqlalchemy as sa

    if (table is None) == (query is None):
        raise UnreadableFileError("say either table=NAME or query=SELECT ... after '#'", source=f"sql:{safe_url(url)}")
    label = f"sql:{table}" if table else "sql:query"
    try:
        engine = sa.create_engine(url)
    except ModuleNotFoundError as error:  # the URL's database driver is not installed
        raise UnreadableFileError(_no_driver(error.name or "", url), source=label) from None
    except Exception as error:
        raise UnreadableFileError(f"cannot use database URL {safe_url(url)} ({type(error).__name__}: "
                                  f"{_first_line(error)})", source=label) from None
    try:
        with engine.connect() as connection:
            if table:
                reflected = sa.Table(table, sa.MetaData(), schema=schema, autoload_with=connection)
                result = connection.execute(sa.select(reflected))
            else:
                result = connection.execute(sa.text(query))
            headers = list(result.keys())
            rows = result.fetchall()
    except sa.exc.NoSuchTableError:
        raise UnreadableFileError(f"no table '{table}' in {safe_url(url)}", source=label) from None
    except sa.exc.SQLAlchemyError as error:
        raise UnreadableFileError(f"database error at {safe_url(url)}: {_first_line(error.orig or error)}",
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


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
