"""Where observations come from, written as one ``--data`` text.

======================================  =============================================
``report.xlsx``                         the workbook's ``Data`` sheet (else its first)
``report.xlsx#Sheet name``              that sheet (long or wide layout)
``values.csv`` / ``values.tsv``         a CSV or TSV file (long or wide layout)
``values.parquet``                      a parquet file (LAIT's long format is found
                                        by its headers)
``lait:bds_long.parquet``               LAIT's long format, parquet or CSV
``sql:URL#table=kpi_values``            every row of a table (``&schema=NAME``
                                        optional)
``sql:URL#query=SELECT ...``            the rows of a query; everything after
                                        ``query=`` is the query
======================================  =============================================

``URL`` is an SQLAlchemy URL such as
``postgresql+psycopg://kpi@db.example/kpi``. Keep passwords out of command
lines: write ``${NAME}`` for an environment variable
(``postgresql+psycopg://kpi:${KPI_DB_PASSWORD}@db/kpi``), or leave the password
out and set ``KPI_EXCEL_SQL_PASSWORD``. Messages show the URL with the password
masked. Several ``--data`` sources may be given; for the same indicator and
period the newest observation wins (see :mod:`kpi_excel.core.observations`).

The ``${NAME}`` and ``KPI_EXCEL_SQL_PASSWORD`` rules make these texts trusted:
they come from the officer (``--data``) or from a sources file or
``KPI_EXCEL_SOURCES`` an officer or administrator wrote. A workbook's own text
never reaches :func:`parse_spec` as a database: :mod:`kpi_excel.sources.policy`
refuses an ``sql:`` text in its Settings first.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.observations import Observations, combine_observations
from kpi_excel.errors import InputError, NoSuchSheetError
from kpi_excel.extras import require

__all__ = ["SourceSpec", "SourceReader", "READERS", "parse_spec", "read_source", "read_sources", "is_lait_source"]

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class SourceSpec:
    """A parsed ``--data`` text."""

    kind: str  # "file" | "lait" | "sql"
    path: Path | None = None
    sheet: str | None = None
    url: str | None = None
    table: str | None = None
    query: str | None = None
    schema: str | None = None

    def __str__(self) -> str:
        if self.kind == "sql":
            from kpi_excel.sources.sql import safe_url

            what = f"table={self.table}" if self.table else "query=…"
            return f"sql:{safe_url(self.url or '')}#{what}"
        prefix = "lait:" if self.kind == "lait" else ""
        return f"{prefix}{self.path}" + (f"#{self.sheet}" if self.sheet else "")


def parse_spec(text: str | Path) -> SourceSpec:
    """Read a ``--data`` text; raises :class:`InputError` saying what is wrong."""
    raw = str(text).strip()
    if not raw:
        raise InputError("empty data source")
    if raw.startswith("sql:"):
        return _sql_spec(raw[4:])
    if raw.startswith("lait:"):
        return SourceSpec("lait", path=Path(raw[5:]))
    path, sheet = raw, None
    if "#" in raw and not Path(raw).exists():
        path, sheet = raw.split("#", 1)
    return SourceSpec("file", path=Path(path), sheet=sheet or None)


# The options start at the first '#' followed by one: a password may hold '#'.
_OPTIONS = re.compile(r"#(?=(?:table|schema|query)=)")


def _sql_spec(rest: str) -> SourceSpec:
    found = _OPTIONS.search(rest)
    url, fragment = (rest[:found.start()], rest[found.end():]) if found else (rest, "")
    if not url:
        raise InputError("sql: needs a database URL, e.g. sql:postgresql+psycopg://user@host/db#table=kpi_values")
    params: dict[str, str] = {}
    if fragment.startswith("query="):
        params["query"] = fragment[len("query="):]  # taken as written: a query may hold & and =
    else:
        for part in filter(None, fragment.split("&")):
            key, _, value = part.partition("=")
            if key not in ("table", "schema", "query"):
                raise InputError(f"unknown sql: option '{key}' (use table=, schema= or query=)")
            params[key] = unquote(value)
    if "table" not in params and "query" not in params:
        raise InputError("sql: source needs '#table=NAME' or '#query=SELECT ...' after the URL")
    require("sql", "an sql: source", ("sqlalchemy",))  # before the URL is parsed with it
    return SourceSpec("sql", url=_with_password(url), table=params.get("table"), query=params.get("query"),
                      schema=params.get("schema"))


def _with_password(url: str) -> str:
    def env(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise InputError(f"the database URL names ${{{name}}} but that environment variable is not set")
        from urllib.parse import quote

        return quote(os.environ[name], safe="")

    from kpi_excel.sources.sql import PASSWORD_ENV  # here: a file source need not compile sql's query checks

    url = _ENV.sub(env, url)
    password = os.environ.get(PASSWORD_ENV)
    if password:
        from sqlalchemy.engine import make_url

        try:
            parsed = make_url(url)
        except Exception:  # noqa: BLE001 - its message repeats the URL; say so without it
            raise InputError("sql: the database URL cannot be read (expected dialect+driver://user@host/database)") \
                from None
        if parsed.password is None and parsed.username:
            url = parsed.set(password=password).render_as_string(hide_password=False)
    return url


def is_lait_source(text: str | Path) -> bool:
    """True for ``lait:...`` or a parquet/CSV file with LAIT's headers."""
    raw = str(text)
    if raw.startswith("lait:"):
        return True
    if raw.startswith("sql:"):
        return False
    path = Path(raw)
    suffix = path.suffix.lower()
    if not path.is_file():
        return False
    from kpi_excel.core.lait_rules import is_lait_frame

    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return is_lait_frame(pq.read_schema(path).names)
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline()
        import csv

        return is_lait_frame(next(csv.reader([first]), []))
    return False


@dataclass(frozen=True)
class SourceReader:
    """One kind of source: whether it reads a parsed ``--data`` text, and how.

    :data:`READERS` is asked in order and the first that claims a text reads it
    (pandas' ``io/excel`` engines have the same shape). A new kind of source is
    one reader here, placed before the ones it must win over.
    """

    name: str
    claims: Callable[[SourceSpec], bool]
    read: Callable[[SourceSpec, AreaDirectory | None], Observations]


def _read_sql(spec: SourceSpec, directory: AreaDirectory | None) -> Observations:
    from kpi_excel.sources.sql import read_sql

    return read_sql(spec.url or "", table=spec.table, query=spec.query, schema=spec.schema, directory=directory)


def _read_lait(spec: SourceSpec, directory: AreaDirectory | None) -> Observations:
    from kpi_excel.sources.lait_files import lait_observations, read_lait

    return lait_observations(read_lait(_path(spec)))


def _read_workbook(spec: SourceSpec, directory: AreaDirectory | None) -> Observations:
    """A report workbook's Data sheet; a workbook without one is read as a table (its first sheet)."""
    from kpi_excel.sources.datasheet import read_data_sheet

    try:
        return read_data_sheet(_path(spec), directory=directory)
    except NoSuchSheetError:
        return _read_table(spec, directory)


def _read_table(spec: SourceSpec, directory: AreaDirectory | None) -> Observations:
    from kpi_excel.sources.tables import read_table_source

    return read_table_source(_path(spec), spec.sheet, directory=directory)


def _path(spec: SourceSpec) -> Path:
    assert spec.path is not None  # every kind but sql: names a file
    return spec.path


READERS: tuple[SourceReader, ...] = (
    SourceReader("sql", lambda spec: spec.kind == "sql", _read_sql),
    SourceReader("lait", lambda spec: spec.kind == "lait" or (spec.sheet is None and is_lait_source(_path(spec))),
                 _read_lait),
    SourceReader("workbook", lambda spec: _path(spec).suffix.lower() in (".xlsx", ".xlsm") and spec.sheet is None,
                 _read_workbook),
    SourceReader("table", lambda spec: True, _read_table),  # CSV, TSV, parquet, a named worksheet
)


def read_source(text: str | Path | SourceSpec, directory: AreaDirectory | None = None) -> Observations:
    """Observations from one source, read by the first of :data:`READERS` that claims it."""
    spec = text if isinstance(text, SourceSpec) else parse_spec(text)
    reader = next(reader for reader in READERS if reader.claims(spec))
    return reader.read(spec, directory)


def read_sources(texts: list[str | Path], directory: AreaDirectory | None = None) -> Observations:
    """Observations from several sources, later ones preferred on a tie."""
    return combine_observations([read_source(text, directory) for text in texts])
