"""Entra ID sign-in tokens: cheap checks first, xlwings Server's validation, a cache bounded by expiry.

xlwings Server's own ``validate_token`` checks the signature, audience, issuer
and (when present) ``exp``/``nbf``, and caches its answer for an hour by token
text. That leaves two holes this module closes:

* a token **without** ``exp`` is accepted (the claim is checked only if present);
* a token that expires within the hour is still accepted from the cache;
* with multitenant sign-in, the token's own issuer is not checked (:func:`check_issuer`).

So, before anything else, a token must be ``Bearer <header>.<payload>.<signature>``
whose header names RS256 and a key id and whose payload carries a numeric
``exp`` still in the future. Garbage is refused here with 401 **without**
fetching Entra ID's signing keys. Only then does xlwings Server's validator run
(uncached), and its answer is kept no longer than the token lives (and at most
:data:`CACHE_SECONDS`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import time
from typing import Any

from fastapi import HTTPException

__all__ = ["validate_token", "check_token_shape", "check_issuer", "CACHE_SECONDS", "clear_cache"]

CACHE_SECONDS = 300  # a signed-in user's roles are re-read at least this often
MAX_TOKEN_CHARS = 16_384  # Entra ID access tokens are a few kB; anything far larger is not one
ALGORITHMS = frozenset({"RS256"})  # what Entra ID signs access tokens with
_MAX_CACHED = 4096
_JWS = re.compile(r"[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}")
_OFFICE_ERROR = re.compile(r"\b\d{4,6}\b")
_HELP = ("See https://learn.microsoft.com/en-us/office/dev/add-ins/develop/troubleshoot-sso-in-office-add-ins"
         "#causes-and-handling-of-errors-from-getaccesstoken")

_cache: dict[bytes, tuple[float, Any]] = {}


def _refuse(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=f"Auth error: {detail}")


def _segment(text: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError):
        raise _refuse("the sign-in token is not a valid token") from None
    if not isinstance(value, dict):
        raise _refuse("the sign-in token is not a valid token")
    return value


def check_token_shape(authorization: str, now: float | None = None) -> tuple[str, float]:
    """The bare token and its expiry, or 401: nothing here needs a key or the network."""
    text = authorization.strip()
    if text.lower().startswith("error"):
        code = _OFFICE_ERROR.search(text[:200])
        which = f" (Office error {code.group(0)})" if code else ""
        raise _refuse(f"Office could not get a sign-in token{which}. {_HELP}")
    parts = text.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise _refuse("send the sign-in token as 'Bearer <token>'")
    token = parts[1]
    if len(token) > MAX_TOKEN_CHARS or not _JWS.fullmatch(token):
        raise _refuse("the sign-in token is not a valid token")
    header_text, payload_text, _ = token.split(".")
    header = _segment(header_text)
    if header.get("alg") not in ALGORITHMS or not isinstance(header.get("kid"), str):
        raise _refuse("the sign-in token is not signed the way Entra ID signs tokens")
    expires = _segment(payload_text).get("exp")
    if expires is None:
        raise _refuse("the sign-in token has no expiry time")
    if isinstance(expires, bool) or not isinstance(expires, (int, float)) or not math.isfinite(expires):
        raise _refuse("the sign-in token's expiry time is not a time")
    if expires <= (time.time() if now is None else now):
        raise _refuse("the sign-in token has expired; sign in again")
    return token, float(expires)


# Who signs Entra ID tokens, by token version: the tenant's own id in the issuer. xlwings Server
# 1.20 with multitenant sign-in matches its pattern against the issuer it expects, not the
# token's own, so any issuer (or none) passed.
_ISSUERS = {
    "1.0": re.compile(r"https://sts\.windows\.net/([0-9a-fA-F-]{36})/"),
    "2.0": re.compile(r"https://login\.microsoftonline\.com/([0-9a-fA-F-]{36})/v2\.0"),
}


def check_issuer(claims: dict[str, Any]) -> None:
    """401 unless the token's ``iss`` is Entra ID's for its version, naming its own tenant (``tid``)."""
    pattern = _ISSUERS.get(str(claims.get("ver")))
    issuer = claims.get("iss")
    match = pattern.fullmatch(issuer) if pattern is not None and isinstance(issuer, str) else None
    tenant = claims.get("tid")
    if match is None or (tenant is not None and str(tenant).lower() != match.group(1).lower()):
        raise _refuse("the sign-in token was not issued by Microsoft Entra ID")


async def validate_token(token_string: str) -> Any:
    """xlwings Server's Entra ID validation, behind the checks above and an expiry-bounded cache."""
    token, expires = check_token_shape(token_string)
    from xlwings_server.config import settings

    if settings.auth_entraid_multitenant:
        check_issuer(_segment(token.split(".")[1]))
    key = hashlib.sha256(token.encode("ascii")).digest()
    now = time.time()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    from xlwings_server.auth.entraid import validate_token as upstream

    uncached = getattr(upstream, "__wrapped__", None)  # aiocache keeps the undecorated function here
    user = await (uncached(f"Bearer {token}") if uncached else upstream(f"Bearer {token}", cache_read=False,
                                                                        cache_write=False))
    _remember(key, min(expires, now + CACHE_SECONDS), user, now)
    return user


def _remember(key: bytes, until: float, user: Any, now: float) -> None:
    if len(_cache) >= _MAX_CACHED:
        for stale in [k for k, (when, _) in _cache.items() if when <= now]:
            del _cache[stale]
        while len(_cache) >= _MAX_CACHED:
            del _cache[next(iter(_cache))]  # the oldest entry
    _cache[key] = (until, user)


def clear_cache() -> None:
    """Forget every validated token (tests, key rotation)."""
    _cache.clear()
