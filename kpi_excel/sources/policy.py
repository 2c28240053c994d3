"""Which sources a refresh may open: the trust model of every door, in one place.

A workbook's Settings sheet names sources ("Extra sources", "Benchmark data",
"Comparator group"). Who may make kpi_excel open what depends on the door:

* the command (``kpi-excel refresh``) and the desktop add-in act **as the
  user** on their own machine: reading the user's files is their right, so a
  path or ``lait:`` file is opened as written, and so are the short names of
  the user's sources file (:mod:`.named`) (:meth:`SourcePolicy.as_user`). A
  workbook never names a database itself: an ``sql:`` URL in its Settings is
  refused on every door before any connection, because a shared workbook must
  not choose where the officer's password goes (or which host learns who
  opened it). Databases are configured outside the workbook, in the sources
  file, and named by short name; ``kpi-excel refresh --data sql:...`` (typed
  by the officer) still opens any URL (:meth:`SourcePolicy.given`);
* the web add-in's server acts for many users: it opens only the sources its
  administrator **offers** (``KPI_EXCEL_SOURCES``, short name → path or URL),
  and a workbook may name those by their short name and nothing else
  (:meth:`SourcePolicy.offered_only`). Anything else is refused with
  :class:`SourceRefusedError` *before* anything is opened, and a failure while
  reading an offered source reaches the officer as
  :class:`SourceUnavailableError`, which names the source but never its path,
  URL or contents (the server's log has the details).

``KPI_EXCEL_SOURCES`` is a JSON object, for example::

    {"finance": "/srv/kpi/finance.csv",
     "warehouse": "sql:postgresql+psycopg://kpi@db.council.local/kpi#table=kpi_values",
     "lait 2026": "lait:/srv/kpi/lait/bds_long.parquet",
     "neighbours": "/srv/kpi/groups/east_midlands.txt"}

A name is letters, digits, spaces, ``-``, ``_`` and ``.`` (up to 60), matched
ignoring case and surrounding spaces (:mod:`.named`). ``example`` is the bundled
example benchmark, offered by every door. Only sources named outside the
workbook (or given on the command line) get a password from ``${NAME}`` or
``KPI_EXCEL_SQL_PASSWORD``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Mapping

from kpi_excel.core.observations import Observations
from kpi_excel.errors import InputError, KpiExcelError
from kpi_excel.sources.named import EXAMPLE_BENCHMARK, check_names, load_named, sources_file
from kpi_excel.sources.named import key as _key, shown as _shown

__all__ = [
    "SOURCES_ENV",
    "EXAMPLE_BENCHMARK",
    "Source",
    "SourcePolicy",
    "SourceRefusedError",
    "SourceUnavailableError",
    "parse_offered",
    "offered_from_env",
]

logger = logging.getLogger(__name__)

SOURCES_ENV = "KPI_EXCEL_SOURCES"


class SourceRefusedError(InputError):
    """A workbook named a source this door does not open; nothing was opened."""


class SourceUnavailableError(InputError):
    """An offered source could not be read; the message names it, never its path or URL."""


@dataclass(frozen=True)
class Source:
    """A source a refresh will open: what the readers open, and what officers are shown."""

    spec: str  # a --data text: path[#sheet], lait:path, sql:URL#table=... (see kpi_excel.sources.spec)
    label: str  # what messages, the Source column and the Log show
    offered: bool = False  # an administrator's source: show only its label, never its spec
    named: bool = False  # configured under a short name: rows and problems are labelled by it


@dataclass(frozen=True)
class SourcePolicy:
    """What a refresh may open: the user's own files, or only the sources an administrator offers."""

    own_files: bool
    # The short names this door knows (the server's offer, or the user's sources file): casefolded -> spec
    offered: Mapping[str, str] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # casefolded short name -> name as configured

    @classmethod
    def as_user(cls, named: Mapping[str, str] | None = None) -> "SourcePolicy":
        """The command and the desktop add-in: they act as the user, so the user's files are theirs.

        ``named``: the user's short names (default: their sources file, :func:`.named.load_named`).
        """
        named = load_named() if named is None else named
        return cls(own_files=True, offered={_key(k): v for k, v in named.items()},
                   names={_key(k): k for k in named})

    @classmethod
    def offered_only(cls, offered: Mapping[str, str]) -> "SourcePolicy":
        """The web add-in's server: only these short names (``parse_offered``'s result)."""
        return cls(own_files=False, offered={_key(k): v for k, v in offered.items()},
                   names={_key(k): k for k in offered})

    # --- what a Settings text means -------------------------------------------------------

    def source(self, text: str, directory: Path | None, *, setting: str = "Extra sources") -> Source:
        """The source a workbook's "Extra sources" entry names."""
        if self.own_files:
            return self._as_user(text, directory, setting)
        return self._offered(text, setting)

    def given(self, text: str, directory: Path | None) -> Source:
        """A source the user gave themselves (``--data``): a short name, or any path or URL as written."""
        if not self.own_files:
            return self._offered(text, "--data")
        if _key(str(text)) in self.offered:
            return self._named(text)
        return Source(_resolve(text, directory), _display(text))

    def benchmark(self, text: str, directory: Path | None) -> Source:
        """The source "Benchmark data" names; ``example`` is the bundled extract for every door."""
        if text.strip().lower() == EXAMPLE_BENCHMARK:
            from importlib import resources

            bundled = resources.files("kpi_excel").joinpath("data/benchmark/lait_extract.parquet")
            return Source(f"lait:{bundled}", text.strip(), offered=not self.own_files)
        if self.own_files:
            return self._as_user(text, directory, "Benchmark data")
        return self._offered(text, "Benchmark data")

    def comparator_group(self, text: str, directory: Path | None) -> tuple[Source, Path]:
        """The group file "Comparator group" names (a list of names separated by ";" is not a file)."""
        if self.own_files and _key(str(text)) not in self.offered:
            _refuse_database(text, "Comparator group")
            path = Path(_resolve(text, directory))
            if not path.exists():
                raise InputError(f"Comparator group: no such group file '{text}' (give 'All authorities', names "
                                 "separated by semicolons, or a file)", sheet="Settings")
            return Source(str(path), text), path
        source = self._named(text) if self.own_files else \
            self._offered(text, "Comparator group", hint=" (or list authority names separated by semicolons)")
        from kpi_excel.sources.spec import parse_spec

        with self.reading(source, "Comparator group"):
            spec = parse_spec(source.spec)
            if spec.kind != "file" or spec.path is None:
                raise InputError("a comparator group must be a file of authority names", source=source.spec)
        return source, spec.path

    def _as_user(self, text: str, directory: Path | None, setting: str) -> Source:
        """A workbook's text on the user's own machine: a short name of theirs, else a path, never a database."""
        if _key(str(text)) in self.offered:
            return self._named(text)
        _refuse_database(text, setting)
        return Source(_resolve(text, directory), _display(text))

    def _named(self, text: str) -> Source:
        key = _key(str(text))
        return Source(self.offered[key], self.names[key], named=True)

    def _offered(self, text: str, setting: str, hint: str = "") -> Source:
        key = _key(str(text))
        if key in self.offered:
            return Source(self.offered[key], self.names[key], offered=True, named=True)
        raise SourceRefusedError(f"{setting}: '{_shown(text)}' is not a source this server offers; "
                                 f"ask your administrator{hint}", sheet="Settings")

    # --- reading ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def reading(self, source: Source, setting: str) -> Iterator[None]:
        """Around the reading of ``source``: an offered source's failure is told without its details.

        The full error (with the path or masked URL) goes to the server's log; the
        officer is told which source failed and whom to ask.
        """
        if not source.offered:
            yield
            return
        try:
            yield
        except Exception as error:  # noqa: BLE001 - any failure: an administrator's source, logged in full
            logger.error("%s '%s' (%s) could not be read: %s", setting, source.label, _masked(source.spec),
                         _one_line(error), exc_info=not isinstance(error, KpiExcelError))
            raise SourceUnavailableError(f"{setting}: the source '{source.label}' could not be read on the "
                                         "server; ask your administrator (the server's log says why)",
                                         sheet="Settings") from None

    def read(self, source: Source, directory: object = None, *, setting: str = "Extra sources") -> Observations:
        """Observations from ``source``; an offered one is labelled with its short name throughout."""
        from kpi_excel.sources.spec import read_source

        with self.reading(source, setting):
            observations = read_source(source.spec, directory=directory)  # type: ignore[arg-type]
        return _relabel(observations, source) if source.named else observations


def parse_offered(text: str) -> dict[str, str]:
    """Read ``KPI_EXCEL_SOURCES`` (a JSON object of short name → source); ValueError says what is wrong."""
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{SOURCES_ENV} is not valid JSON ({error.msg} at character {error.pos}); write a "
                         'JSON object such as {"finance": "/srv/kpi/finance.csv"}') from None
    if not isinstance(raw, dict):
        raise ValueError(f'{SOURCES_ENV} must be a JSON object of short name to source, such as '
                         '{"finance": "/srv/kpi/finance.csv"}')
    return check_names(raw, SOURCES_ENV)


def offered_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The sources this server offers, from ``KPI_EXCEL_SOURCES``."""
    return parse_offered((os.environ if environ is None else environ).get(SOURCES_ENV, ""))


# --- the user's own files: relative to the workbook, as they always were --------------------

def _refuse_database(text: str, setting: str) -> None:
    """A workbook's text naming a database: refused before anything is parsed, expanded or connected."""
    if str(text).strip().lower().startswith("sql:"):
        raise SourceRefusedError(
            f"{setting}: a workbook cannot name a database itself ('{_shown(_database_shown(text))}'), as it "
            f"could send your password anywhere; add it to your sources file ({sources_file()}) with a short "
            "name and write that name", sheet="Settings")


def _database_shown(text: str) -> str:
    """Only the kind and host of a workbook's ``sql:`` text: never its user, password or query."""
    from urllib.parse import urlsplit

    url = str(text).strip()[4:]
    try:
        parts = urlsplit(url.partition("#")[0])
        host = parts.hostname or ""
    except ValueError:
        return "sql:…"
    return f"sql:{parts.scheme}://{host}/…" if parts.scheme else "sql:…"


def _resolve(spec: str, directory: Path | None) -> str:
    """A relative file path in the Settings is relative to the workbook."""
    if directory is None or spec.startswith("sql:"):
        return spec
    prefix = "lait:" if spec.startswith("lait:") else ""
    path_text = spec[len(prefix):]
    path_part, hash_, sheet = path_text.partition("#")
    path = Path(path_part)
    if not path.is_absolute() and (directory / path).exists():
        return prefix + str(directory / path) + hash_ + sheet
    return spec


def _display(spec: str) -> str:
    if spec.startswith("sql:"):
        from kpi_excel.sources.spec import parse_spec

        return str(parse_spec(spec))
    return spec


def _masked(spec: str) -> str:
    """A spec for the server's log: an SQL URL's password masked."""
    if not spec.startswith("sql:"):
        return spec
    from kpi_excel.sources.sql import safe_url

    url, hash_, rest = spec[4:].partition("#")
    return f"sql:{safe_url(url)}{hash_}{rest}"


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _relabel(observations: Observations, source: Source) -> Observations:
    """Name every row and problem by the source's short name, not its file name or table."""
    frame = observations.frame
    olds = {str(s) for s in frame["source"].unique()} if len(frame) else set()
    spec = source.spec
    if spec.startswith("sql:"):
        fragment = spec.partition("#")[2]
        olds.add("sql:query")
        olds.update(f"sql:{part[6:]}" for part in fragment.split("&") if part.startswith("table="))
    else:
        name = Path(spec[5:] if spec.startswith("lait:") else spec.partition("#")[0]).name
        olds.update({name, f"lait:{name}"} if name else set())
    ordered = sorted(olds, key=len, reverse=True)  # the longest label first: 'x.xlsx#Data' before 'x.xlsx'
    problems = []
    for problem in observations.problems:
        where = next((source.label + problem.where[len(old):] for old in ordered
                      if old and problem.where.startswith(old)), f"{source.label}: {problem.where}")
        problems.append(replace(problem, where=where))
    frame = frame.assign(source=source.label) if len(frame) else frame
    return Observations(frame, problems)
