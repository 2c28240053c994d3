"""ASGI guards around xlwings Server: headers, path checks, body-size cap, sign-in before parsing, CORS.

Order, outermost first (see :func:`kpi_excel.addin.server.app.build_app`):

0. :class:`SecurityHeaders` - every response, including errors made by xlwings
   Server's last-resort handler (which bypasses its own header middleware),
   carries ``nosniff``, a ``Content-Security-Policy`` whose ``frame-ancestors``
   are Office's hosts only, and the other OWASP headers; no ``Server`` banner.
   :class:`PathGuard` - a request path that tries to step out of where it
   points (any ``%`` escape, backslashes, ``..`` or dot-only segments, empty
   segments, ``:``, control characters) gets **404** before any route sees it.
   No URL of the add-in needs any of these, so nothing legitimate is refused.
1. :class:`BodySizeLimit` - a request body over the limit gets **413** without
   being read: a too-large ``Content-Length`` is refused before one body byte
   is received, and a chunked body is counted as it arrives and cut off at the
   limit. The server never holds more than the limit in memory, so a 100 MB
   upload cannot take it down.
2. :class:`SignInFirst` - with sign-in configured (``XLWINGS_AUTH_PROVIDERS``),
   script calls are refused (401/403) *before* the body is read. xlwings Server
   resolves its dependencies in parameter order, so on its own it parses the
   whole workbook JSON of an anonymous caller before checking the token; this
   runs xlwings Server's own token validation first and lets only valid
   callers through (it validates again, from its cache).
3. CORS (Starlette's middleware with ``allow_origin_regex``) - Excel on the web
   and SharePoint origins only, never ``*``. xlwings Server's own CORS list is
   set empty, because it only does exact origins and Office's are wildcard
   subdomains.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable

logger = logging.getLogger(__name__)

__all__ = ["BodySizeLimit", "SignInFirst", "SecurityHeaders", "PathGuard", "SECURITY_HEADERS", "OFFICE_HOSTS",
           "OFFICE_ORIGIN_REGEX", "FRAME_ANCESTORS", "path_problem"]

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Where Office runs the add-in: Excel on the web (*.officeapps.live.com), SharePoint and
# OneDrive for work (*.sharepoint.com), Office on the web and Microsoft 365 (*.office.com,
# *.office365.com, *.microsoft365.com, *.cloud.microsoft). HTTPS only.
OFFICE_HOSTS: tuple[str, ...] = (
    "officeapps.live.com", "sharepoint.com", "office.com", "office365.com", "microsoft365.com", "cloud.microsoft",
)
OFFICE_ORIGIN_REGEX = r"https://([a-z0-9-]+\.)*(" + "|".join(h.replace(".", r"\.") for h in OFFICE_HOSTS) + ")"
# Who may show our pages in a frame: ourselves and Office's hosts (the task pane in Excel on
# the web is framed by them); desktop Office shows it in its own web view, not a frame.
FRAME_ANCESTORS = " ".join(["'self'"] + [f"https://*.{host}" for host in OFFICE_HOSTS])

# Added to every response that does not already carry them (xlwings Server sets most of
# these on the responses it makes; its 500 handler and our own refusals do not).
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy",
     f"frame-ancestors {FRAME_ANCESTORS}; object-src 'none'; base-uri 'self'".encode("ascii")),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"x-permitted-cross-domain-policies", b"none"),
)


async def _respond(send: Send, status: int, detail: str, *, close: bool = False) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store, max-age=0")]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` where missing and drop any ``Server`` header, on every response."""

    def __init__(self, app: ASGIApp, headers: tuple[tuple[bytes, bytes], ...] = SECURITY_HEADERS) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_SUSPECT = re.compile(rb"[%\\:\x00-\x1f\x7f]")  # escapes, backslashes, colons, control characters
_SEGMENT = re.compile(r"/(?:\.+|[^/]*[. ])?(?=/|$)")  # empty, all dots, or ending in a dot or space


def path_problem(path: str, raw_path: bytes | None = None) -> str | None:
    """Why a request path is refused, or None. No URL the add-in uses needs any of these."""
    raw = raw_path if raw_path is not None else path.encode("utf-8", "surrogateescape")
    decoded = path.encode("utf-8", "surrogateescape")
    for text in (raw, decoded):
        found = _SUSPECT.search(text)
        if found:
            return {b"%": "percent-escape", b"\\": "backslash", b":": "colon"}.get(found.group(0),
                                                                                 "control character")
    if path == "/":
        return None
    if not path.startswith("/"):
        return "relative path"
    # '//' or a trailing '/' (proxies merge or keep them differently); '.', '..', '....';
    # a trailing dot or space (Windows drops them: 'x.js.' is 'x.js', '.. ' is '..')
    return "empty, dot or trailing-dot segment" if _SEGMENT.search(path) else None


class PathGuard:
    """404 for request paths that try to step outside where they point, before any route sees them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            problem = path_problem(scope.get("path", ""), scope.get("raw_path"))
            if problem:
                shown = (scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace"))[:200]
                logger.warning("Refused %s %r: %s", scope.get("method", "WEBSOCKET"), shown, problem)
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await _respond(send, 404, "Not Found")
                return
        await self.app(scope, receive, send)


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes with 413, without reading them whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _detail(self) -> str:
        return (f"The workbook sent is larger than this server accepts ({self.limit // 1_000_000} MB). "
                "Ask your administrator to raise KPI_EXCEL_MAX_REQUEST_MB, or remove unused sheets.")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await _respond(send, 400, "Invalid Content-Length header.", close=True)
                    return
        if length is not None and length > self.limit:
            logger.warning("Refused %s %s: Content-Length %d over %d", scope.get("method"), scope.get("path"),
                           length, self.limit)
            await _respond(send, 413, self._detail(), close=True)
            return

        received = 0
        too_large = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    too_large = True
                    # Stop the app from reading on: to it, the client went away.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to a cut-off body is replaced by our 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not started:
            logger.warning("Refused %s %s: body over %d bytes", scope.get("method"), scope.get("path"), self.limit)
            await _respond(send, 413, self._detail(), close=True)


class SignInFirst:
    """With sign-in configured, check the token of script calls before the body is read."""

    def __init__(self, app: ASGIApp, providers: list[str], protected_prefix: str) -> None:
        self.app = app
        self.providers = providers
        self.prefix = protected_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or not self.providers or scope.get("method") != "POST"
                or not scope.get("path", "").startswith(self.prefix)):
            await self.app(scope, receive, send)
            return
        from fastapi import HTTPException

        from xlwings_server import dependencies

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        try:
            user = await dependencies.authenticate(headers.get("authorization", ""), headers.get("auth-provider"))
            # Roles are checked by xlwings Server afterwards too; checking here keeps
            # the body of a signed-in but unauthorised caller unread as well.
            from xlwings_server.config import settings

            if not await user.has_required_roles(settings.auth_required_roles) or not await user.is_authorized():
                raise HTTPException(status_code=403, detail=f"Auth error: {user.name} may not run scripts here")
        except HTTPException as error:
            await _respond(send, error.status_code, str(error.detail), close=True)
            return
        except Exception:  # noqa: BLE001 - e.g. the Entra ID key set cannot be fetched
            logger.exception("Sign-in check failed")
            await _respond(send, 503, "Sign-in could not be checked; try again later.", close=True)
            return
        await self.app(scope, receive, send)
