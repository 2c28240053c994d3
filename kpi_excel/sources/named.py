"""Short names for sources, configured outside any workbook.

A workbook is data anyone with edit rights can write, so it must not choose
where an officer's database password goes. Databases (and anything else worth
a name) are configured *outside* the workbook and the workbook names them by a
short name, on every door:

* the command and the desktop add-in read the officer's **sources file**,
  ``KPI_EXCEL_SOURCES_FILE`` if set (an administrator may point it at a
  machine-wide file), else ``%APPDATA%\\kpi-excel\\sources.toml`` on Windows and
  ``~/.config/kpi-excel/sources.toml`` elsewhere (``$XDG_CONFIG_HOME`` if set)::

      [sources]
      warehouse = "sql:postgresql+psycopg://kpi_reader@db.council.local/kpi#table=kpi_values"
      "lait 2026" = "lait:C:/KPI/lait/bds_long.parquet"

* the web add-in's server reads ``KPI_EXCEL_SOURCES`` (:mod:`.policy`).

A short name wins over a file of the same name beside the workbook, and
``kpi-excel refresh --data warehouse`` names one too.

Only these texts get a password from ``${NAME}`` or ``KPI_EXCEL_SQL_PASSWORD``;
so a file other users can change is refused (on POSIX: owned by someone else
or writable by group or others), as it could send the password anywhere.

This module is the one home of what a short name is: letters, digits, spaces,
``-``, ``_`` and ``.`` (up to 60), matched ignoring case and surrounding spaces;
``example`` is the bundled example benchmark and cannot be taken.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Mapping

from kpi_excel.errors import InputError

__all__ = ["SOURCES_FILE_ENV", "EXAMPLE_BENCHMARK", "key", "shown", "check_names", "sources_file", "load_named"]

SOURCES_FILE_ENV = "KPI_EXCEL_SOURCES_FILE"
EXAMPLE_BENCHMARK = "example"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}")
_SHOWN = 80  # characters of an officer's own text repeated back in a message


def key(name: str) -> str:
    """How a short name is matched: case and runs of spaces do not matter."""
    return " ".join(name.split()).casefold()


def shown(text: object) -> str:
    """An officer's text, on one line and cut short, to repeat back in a message."""
    text = " ".join(str(text).split())
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def check_names(raw: Mapping[object, object], where: str) -> dict[str, str]:
    """Short name → source text, each checked; ValueError says what is wrong, starting with ``where``."""
    named: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, spec in raw.items():
        clean = " ".join(str(name).split())
        if not _NAME.fullmatch(clean):
            raise ValueError(f"{where}: '{shown(name)}' is not a usable short name (letters, digits, "
                             "spaces, '-', '_' and '.', up to 60 characters, starting with a letter or digit)")
        if key(clean) == EXAMPLE_BENCHMARK:
            raise ValueError(f"{where}: 'example' is the bundled example benchmark; choose another name")
        if key(clean) in seen:
            raise ValueError(f"{where}: '{clean}' and '{seen[key(clean)]}' are the same name")
        if not isinstance(spec, str) or not spec.strip():
            raise ValueError(f"{where}: '{clean}' must name a path or URL as text")
        seen[key(clean)] = clean
        named[clean] = spec.strip()
    return named


def sources_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the officer's named sources are configured (the file need not exist)."""
    env = os.environ if environ is None else environ
    if env.get(SOURCES_FILE_ENV):
        return Path(env[SOURCES_FILE_ENV]).expanduser()
    if sys.platform == "win32" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "kpi-excel" / "sources.toml"
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "kpi-excel" / "sources.toml"


def load_named(path: Path | None = None) -> dict[str, str]:
    """The sources file's ``[sources]`` table; none when there is no file. InputError names the file."""
    import tomllib

    path = sources_file() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise InputError(f"cannot read the sources file ({error.strerror})", source=str(path)) from None
    _refuse_if_others_can_change(path)
    try:
        table = tomllib.loads(raw.decode("utf-8-sig")).get("sources", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"not a valid sources file ({error}); write a [sources] table of "
                         'short name = "source" lines', source=str(path)) from None
    if not isinstance(table, dict):
        raise InputError("'sources' must be a table: [sources] then short name = \"source\" lines",
                         source=str(path))
    try:
        return check_names(table, "[sources]")
    except ValueError as error:
        raise InputError(str(error), source=str(path)) from None


def _refuse_if_others_can_change(path: Path) -> None:
    if os.name != "posix":
        return  # Windows: the profile folder's ACLs keep it the user's
    info = path.stat()
    if info.st_uid not in (os.geteuid(), 0) or info.st_mode & 0o022:
        raise InputError("other users can change this sources file, so it could send your database password "
                         "anywhere: make it yours and run chmod go-w on it", source=str(path))
