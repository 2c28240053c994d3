"""The server's settings: ours (``KPI_EXCEL_*``) and the xlwings Server defaults we choose.

xlwings Server reads its settings (``XLWINGS_*``) from the environment when
``xlwings_server.config`` is first imported. :func:`prepare_environment` runs
before that and fills in *defaults* only; anything an administrator sets in the
environment (or in the file named by ``DOTENV_PATH``) wins, except
``XLWINGS_CORS_ALLOW_ORIGINS``, which we always empty (see
:mod:`.security`: Office's origins need a pattern, which xlwings Server's list
cannot express).
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from kpi_excel.addin.server.security import FRAME_ANCESTORS, OFFICE_ORIGIN_REGEX
from kpi_excel.sources.policy import SOURCES_ENV, SourcePolicy, offered_from_env

__all__ = ["PROJECT_DIR", "ServerConfig", "prepare_environment", "XLWINGS_DEFAULTS", "server_policy",
           "server_secrets"]

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent / "project"

# Our defaults for xlwings Server. The manifest IDs are kpi_excel's own, so the
# add-in never collides with another xlwings Server add-in in a tenant (the
# package's defaults are shared by every project that did not run `init`).
XLWINGS_DEFAULTS: dict[str, str] = {
    "XLWINGS_PROJECT_NAME": "KPI Report",
    "XLWINGS_ENVIRONMENT": "prod",
    "XLWINGS_ENABLE_SOCKETIO": "false",
    "XLWINGS_ENABLE_HOTRELOAD": "false",
    "XLWINGS_ENABLE_EXAMPLES": "false",
    "XLWINGS_ENABLE_HTMX": "false",
    "XLWINGS_ENABLE_ALPINEJS_CSP": "false",
    "XLWINGS_ENABLE_WASM": "false",
    "XLWINGS_ENABLE_EXCEL_ONLINE": "true",
    "XLWINGS_ADD_SECURITY_HEADERS": "true",
    "XLWINGS_FUNCTIONS_NAMESPACE": "KPI",
    "XLWINGS_MANIFEST_ID_DEV": "e290c4f5-b67a-45b5-924c-60298111ab04",
    "XLWINGS_MANIFEST_ID_QA": "1dbd9f24-91d7-481c-b060-ca5db63ef832",
    "XLWINGS_MANIFEST_ID_UAT": "bfbe2a5f-5650-46f4-889f-06724265ce9a",
    "XLWINGS_MANIFEST_ID_STAGING": "9dba5f2b-ed76-45bc-a989-b98e749cf64f",
    "XLWINGS_MANIFEST_ID_PROD": "e49d48e4-4994-4bed-9195-7a1e8095959a",
}


@dataclass(frozen=True)
class ServerConfig:
    """kpi_excel's own server settings, from ``KPI_EXCEL_*`` environment variables."""

    max_request_bytes: int
    cors_origin_regex: str
    frame_ancestors: str = FRAME_ANCESTORS
    sources: dict[str, str] = field(default_factory=dict)  # short name -> source, from KPI_EXCEL_SOURCES

    @classmethod
    def from_env(cls) -> "ServerConfig":
        raw = os.getenv("KPI_EXCEL_MAX_REQUEST_MB", "20")
        try:
            megabytes = float(raw)
        except ValueError:
            raise SystemExit(f"KPI_EXCEL_MAX_REQUEST_MB must be a number of megabytes, not {raw!r}") from None
        if megabytes <= 0:
            raise SystemExit("KPI_EXCEL_MAX_REQUEST_MB must be more than 0")
        try:
            sources = offered_from_env()
        except ValueError as error:
            raise SystemExit(str(error)) from None
        for name, spec in sources.items():
            _check_source(name, spec)
        return cls(
            max_request_bytes=int(megabytes * 1_000_000),
            cors_origin_regex=os.getenv("KPI_EXCEL_CORS_ORIGIN_REGEX", OFFICE_ORIGIN_REGEX),
            frame_ancestors=" ".join(os.getenv("KPI_EXCEL_FRAME_ANCESTORS", "").split()) or FRAME_ANCESTORS,
            sources=sources,
        )


def _check_source(name: str, spec: str) -> None:
    """Refuse to start on a source that can never be read; warn about a file not there (yet)."""
    from kpi_excel.errors import KpiExcelError
    from kpi_excel.sources.spec import parse_spec

    try:
        parsed = parse_spec(spec)
    except KpiExcelError as error:
        raise SystemExit(f"{SOURCES_ENV}: source '{name}': {error}") from None
    if parsed.path is not None and not parsed.path.is_absolute():
        logger.warning("%s: source '%s' is a relative path, read from %s; give an absolute path", SOURCES_ENV,
                       name, Path.cwd())
    if parsed.path is not None and not parsed.path.exists():
        logger.warning("%s: source '%s': %s does not exist (yet)", SOURCES_ENV, name, parsed.path)


@functools.lru_cache(maxsize=1)
def server_policy() -> SourcePolicy:
    """What a web refresh may open: only the sources in ``KPI_EXCEL_SOURCES``, by short name."""
    return SourcePolicy.offered_only(ServerConfig.from_env().sources)


@functools.lru_cache(maxsize=1)
def server_secrets() -> tuple[str, ...]:
    """Text never to show an officer: each offered source's spec, path, folder and database URL."""
    from kpi_excel.sources.spec import parse_spec

    found: set[str] = set()
    for spec in ServerConfig.from_env().sources.values():
        found.add(spec)
        parsed = parse_spec(spec)
        if parsed.url:
            found.add(parsed.url)
            found.add(spec[4:].partition("#")[0])
        if parsed.path is not None:
            found.update({str(parsed.path), str(parsed.path.resolve()), str(parsed.path.resolve().parent)})
    password = os.getenv("KPI_EXCEL_SQL_PASSWORD")
    if password:
        found.add(password)
    return tuple(sorted((s for s in found if len(s) >= 3 and s not in (".", "/")), key=len, reverse=True))


def prepare_environment() -> None:
    """Set xlwings Server's environment before ``xlwings_server.config`` is imported."""
    dotenv = os.getenv("DOTENV_PATH")
    if dotenv and Path(dotenv).is_file():
        from dotenv import load_dotenv

        load_dotenv(dotenv, override=False)  # the administrator's file wins over our defaults
    os.environ["XLWINGS_PROJECT_DIR"] = str(PROJECT_DIR)  # our scripts and manifest, always
    for key, value in XLWINGS_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if os.environ.get("XLWINGS_CORS_ALLOW_ORIGINS", "[]").strip() not in ("", "[]"):
        logger.warning("XLWINGS_CORS_ALLOW_ORIGINS is ignored; set KPI_EXCEL_CORS_ORIGIN_REGEX instead")
    os.environ["XLWINGS_CORS_ALLOW_ORIGINS"] = "[]"
    os.environ["XLWINGS_ON_SERVER"] = "true"
