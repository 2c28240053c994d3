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

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from kpi_excel.addin.server.security import OFFICE_ORIGIN_REGEX

__all__ = ["PROJECT_DIR", "ServerConfig", "prepare_environment", "XLWINGS_DEFAULTS"]

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

    @classmethod
    def from_env(cls) -> "ServerConfig":
        raw = os.getenv("KPI_EXCEL_MAX_REQUEST_MB", "20")
        try:
            megabytes = float(raw)
        except ValueError:
            raise SystemExit(f"KPI_EXCEL_MAX_REQUEST_MB must be a number of megabytes, not {raw!r}") from None
        if megabytes <= 0:
            raise SystemExit("KPI_EXCEL_MAX_REQUEST_MB must be more than 0")
        return cls(
            max_request_bytes=int(megabytes * 1_000_000),
            cors_origin_regex=os.getenv("KPI_EXCEL_CORS_ORIGIN_REGEX", OFFICE_ORIGIN_REGEX),
        )


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
