"""ASGI guards around xlwings Server: body-size cap, sign-in before parsing, CORS.

Order, outermost first (see :func:`kpi_excel.addin.server.app.build_app`):

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
from typing import Any, Awaitable, Callable

logger = logging.getLogger(__name__)

__all__ = ["BodySizeLimit", "SignInFirst", "SECURITY_HEADERS", "OFFICE_ORIGIN_REGEX"]

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Excel on the web (*.officeapps.live.com), SharePoint and OneDrive for work
# (*.sharepoint.com), Office on the web (*.office.com, *.office365.com). HTTPS only.
OFFICE_ORIGIN_REGEX = (
    r"https://([a-z0-9-]+\.)*(officeapps\.live\.com|sharepoint\.com|office\.com|office365\.com)"
)

# Sent on responses we make ourselves (413, 401 from SignInFirst); xlwings
# Server adds its OWASP set to the responses it makes.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store, max-age=0"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
)


async def _respond(send: Send, status: int, detail: str, *, close: bool = False) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += list(SECURITY_HEADERS)
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


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
