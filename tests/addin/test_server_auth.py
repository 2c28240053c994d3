"""Entra ID sign-in through xlwings Server's own validator, tested offline.

There is no internet here, so the server reads its signing keys from a key set
file (``KPI_EXCEL_ENTRAID_JWKS_FILE``, the air-gapped option in
``project/auth/entraid/jwks.py``); tokens are signed with a key we make, with
the claims Entra ID puts in a v2.0 access token.
"""

from __future__ import annotations

import json
import socket
import time
from typing import Any, Iterator

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


from .conftest import RunningServer, call_script, start_server, stop_server

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "66666666-7777-8888-9999-000000000000"
ROLE = "KPI.Refresh"
SCRIPT = "/xlwings/custom-scripts-call/refresh_kpis"

SIGNING_KEY = RSAKey.generate_key(2048, parameters={"kid": "tenant-key"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "tenant-key"})  # same kid, wrong key


def token(key: RSAKey = SIGNING_KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"ver": "2.0", "aud": CLIENT, "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0",
              "iat": now, "nbf": now, "exp": now + 3600, "oid": "abc-123", "name": "Ann Officer",
              "preferred_username": "ann.officer@council.gov.uk", "roles": [ROLE]}
    claims.update(overrides)
    return jwt.encode({"alg": "RS256", "kid": "tenant-key"}, claims, key)


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("auth")
    jwks = tmp / "jwks.json"
    jwks.write_text(json.dumps(KeySet([SIGNING_KEY]).as_dict(private=False)))
    running = start_server(tmp, {
        "XLWINGS_AUTH_PROVIDERS": '["entraid"]',
        "XLWINGS_AUTH_ENTRAID_TENANT_ID": TENANT,
        "XLWINGS_AUTH_ENTRAID_CLIENT_ID": CLIENT,
        "XLWINGS_AUTH_REQUIRED_ROLES": f'["{ROLE}"]',
        "KPI_EXCEL_ENTRAID_JWKS_FILE": str(jwks),
    })
    yield running
    stop_server(running)


def test_valid_token_refreshes_and_names_the_officer_in_the_log(auth_server: RunningServer, body: bytes) -> None:
    response = call_script(auth_server, body, f"Bearer {token()}")
    assert response.status_code == 200, response.text
    from tests.addin.batch_view import batch_of

    log = batch_of(response.json()["actions"])["log"]
    assert log["values"][2] == "web" and log["values"][1] == "ann.officer@council.gov.uk"


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Error: SSO not supported",
])
def test_no_or_malformed_token_is_401(auth_server: RunningServer, body: bytes, authorization: str | None) -> None:
    assert call_script(auth_server, body, authorization).status_code == 401


def test_token_signed_by_another_key_is_401(auth_server: RunningServer, body: bytes) -> None:
    assert call_script(auth_server, body, f"Bearer {token(OTHER_KEY)}").status_code == 401


@pytest.mark.parametrize("claims", [
    {"aud": "some-other-app"},
    {"iss": "https://login.microsoftonline.com/99999999-0000-0000-0000-000000000000/v2.0"},
    {"exp": int(time.time()) - 60},
    {"ver": "3.0"},
])
def test_token_for_another_app_tenant_or_expired_is_401(auth_server: RunningServer, body: bytes,
                                                         claims: dict[str, Any]) -> None:
    assert call_script(auth_server, body, f"Bearer {token(**claims)}").status_code == 401


def test_signed_in_without_the_role_is_403(auth_server: RunningServer, body: bytes) -> None:
    assert call_script(auth_server, body, f"Bearer {token(roles=[])}").status_code == 403


def test_refused_before_the_body_is_read(auth_server: RunningServer) -> None:
    """A caller with no token is answered while it still owes the whole body."""
    head = (f"POST {SCRIPT} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: 4000000\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", auth_server.port), timeout=10) as sock:
        sock.sendall(head)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 401")


def test_manifest_asks_office_for_a_token(auth_server: RunningServer) -> None:
    manifest = httpx.get(auth_server.url + "/manifest").text
    assert f"<Id>{CLIENT}</Id>" in manifest and "WebApplicationInfo" in manifest
    assert httpx.get(auth_server.url + "/manifest").status_code == 200  # the manifest itself is public
