"""The ASGI app ``kpi-excel serve`` runs: xlwings Server with our project, wrapped in guards.

Import order matters, which is why this module does the importing itself:

1. :func:`~.config.prepare_environment` sets ``XLWINGS_PROJECT_DIR`` (our
   ``project/`` folder: scripts, manifest, ribbon code, auth overrides),
   ``XLWINGS_ON_SERVER=true`` and our defaults;
2. ``xlwings_server.config`` is imported before anything imports xlwings, so
   ``xw.script`` is the real decorator and the licence key is seen;
3. ``xlwings_server.main`` builds the FastAPI app, importing
   ``custom_scripts`` from our project folder;
4. we then make it safe to face a network: static files that cannot leave
   their folders (:mod:`.static`), a 400 for bodies that are not workbooks
   (:mod:`.book_input`), and the guards of :mod:`.security` around it all.

If xlwings was imported earlier in this process without ``XLWINGS_ON_SERVER``,
the scripts would be stand-ins that do nothing; :func:`build_app` refuses to
start rather than serve buttons that do nothing.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from kpi_excel.addin.server.config import ServerConfig, prepare_environment
from kpi_excel.addin.server.security import (
    SECURITY_HEADERS,
    BodySizeLimit,
    PathGuard,
    SecurityHeaders,
    SignInFirst,
    _respond,
)

__all__ = ["build_app", "app", "LICENCE_HELP"]

LICENCE_HELP = (
    "xlwings Server needs XLWINGS_LICENSE_KEY. A council (a government institution) may use xlwings under "
    "the PolyForm Noncommercial licence: set XLWINGS_LICENSE_KEY=noncommercial. Otherwise use a paid key "
    "from xlwings.org. See docs/admin-guide.md."
)


class ScriptsOnly:
    """404 for script names we do not serve, and for custom-function calls, before the body is read.

    xlwings Server looks a script (and a custom function) up with ``getattr``
    on its module, so only names that are really scripts should ever reach it;
    kpi_excel has no custom functions, so their call endpoint is closed.
    """

    def __init__(self, app: ASGIApp, prefix: str, names: tuple[str, ...], closed: tuple[str, ...] = ()) -> None:
        self.app, self.prefix, self.names, self.closed = app, prefix, names, closed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(self.prefix) and path[len(self.prefix):].strip("/") not in self.names:
            await _respond(send, 404, "No such script.")
            return
        if path in self.closed:
            await _respond(send, 404, "Not Found")
            return
        await self.app(scope, receive, send)


def _check_xlwings_mode() -> None:
    if "xlwings" in sys.modules:
        import xlwings

        if not getattr(xlwings, "on_server", False):
            raise RuntimeError(
                "xlwings was imported before the server set XLWINGS_ON_SERVER=true, so its @script "
                "decorator is a stand-in. Start the server with 'kpi-excel serve' (or import "
                "kpi_excel.addin.server.app before anything imports xlwings)."
            )


def build_app() -> Any:
    """Build the wrapped xlwings Server app from the current environment."""
    prepare_environment()
    if not os.getenv("XLWINGS_LICENSE_KEY"):
        raise RuntimeError(LICENCE_HELP)
    _check_xlwings_mode()
    import xlwings_server.config  # noqa: F401  - before xlwings, see the module docstring
    from xlwings_server import dependencies
    from xlwings_server.config import settings
    from xlwings_server.main import app as fastapi_app
    from xlwings_server.main import main_app

    from kpi_excel.addin.server.book_input import get_book, parse_book_json
    from kpi_excel.addin.server.scripts import SCRIPT_NAMES
    from kpi_excel.addin.server.static import contain_static_files

    config = ServerConfig.from_env()
    contain_static_files(fastapi_app)
    fastapi_app.dependency_overrides[dependencies.parse_book_input] = parse_book_json
    fastapi_app.dependency_overrides[dependencies.get_book] = get_book
    script_prefix = f"{settings.app_path}/xlwings/custom-scripts-call/"
    functions_call = f"{settings.app_path}/xlwings/custom-functions-call"
    inner: Any = ScriptsOnly(main_app, script_prefix, SCRIPT_NAMES, closed=(functions_call, functions_call + "/"))
    inner = SignInFirst(inner, list(settings.auth_providers or []), script_prefix)
    inner = CORSMiddleware(
        inner,
        allow_origins=[],
        allow_origin_regex=config.cors_origin_regex,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type", "Auth-Provider"],
        allow_credentials=False,
        max_age=600,
    )
    inner = BodySizeLimit(inner, config.max_request_bytes)
    headers = tuple((name, value) for name, value in SECURITY_HEADERS if name != b"content-security-policy")
    csp = f"frame-ancestors {config.frame_ancestors}; object-src 'none'; base-uri 'self'"
    guarded = SecurityHeaders(PathGuard(inner), headers + ((b"content-security-policy", csp.encode("latin-1")),))
    _freeze_start_up()
    return guarded


def _freeze_start_up() -> None:
    """Leave what start-up made (modules, classes, functions: ~170,000 objects that live as long
    as the process) out of the cycle collector's full passes.

    A refresh of 1,000 indicators keeps its cells and rows alive until it answers, so the
    collector makes two or three full passes during it, and each walked every start-up object
    again: a fifth of the request's time. ``gc.freeze()`` is one call at start-up; it changes no
    threshold (requests in other threads are collected as before), and frees nothing that would
    otherwise be freed (these objects are never garbage). The ``refresh`` command's pause
    (:mod:`kpi_excel.cycle_pause`) stays the command's own.
    """
    gc.collect()  # the imports' garbage is freed now rather than kept for good
    gc.freeze()


app = build_app()
