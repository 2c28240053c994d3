"""Sign-in tokens, request bodies and response headers of the web door, over real HTTP.

Two servers with Entra ID sign-in on: one has the tenant's signing keys (a key
set file, as an air-gapped server would), the other's key file does not exist,
so any token that gets as far as fetching keys is answered 503. A garbage or
expiry-less token answered 401 by the second server was therefore refused
before any key was fetched.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any, Iterator

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from kpi_excel.addin.server.security import OFFICE_HOSTS
from kpi_excel.addin.server.tokens import check_token_shape

from tests.addin.conftest import RunningServer, body, call_script, start_server, stop_server  # noqa: F401 - body is a fixture

from .web_helpers import SCRIPT, raw_request

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "66666666-7777-8888-9999-000000000000"
KEY = RSAKey.generate_key(2048, parameters={"kid": "tenant-key"})


def _b64(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    found = {"ver": "2.0", "aud": CLIENT, "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "iat": now,
             "nbf": now, "exp": now + 3600, "oid": "abc-123", "name": "Ann Officer",
             "preferred_username": "ann.officer@council.gov.uk"}
    found.update(overrides)
    return {k: v for k, v in found.items() if v is not None}


def signed(**overrides: Any) -> str:
    return jwt.encode({"alg": "RS256", "kid": "tenant-key"}, claims(**overrides), KEY)


def unsigned(header: dict[str, Any], payload: dict[str, Any] | bytes) -> str:
    return f"{_b64(header)}.{_b64(payload)}.{_b64(b'not-a-signature')}"


def _auth_env(jwks: str) -> dict[str, str]:
    return {"XLWINGS_AUTH_PROVIDERS": '["entraid"]', "XLWINGS_AUTH_ENTRAID_TENANT_ID": TENANT,
            "XLWINGS_AUTH_ENTRAID_CLIENT_ID": CLIENT, "KPI_EXCEL_ENTRAID_JWKS_FILE": jwks,
            "KPI_EXCEL_MAX_REQUEST_MB": "2"}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("keyed")
    (tmp / "jwks.json").write_text(json.dumps(KeySet([KEY]).as_dict(private=False)))
    running = start_server(tmp, _auth_env(str(tmp / "jwks.json")))
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def keyless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("keyless")
    running = start_server(tmp, _auth_env(str(tmp / "no-such-key-file.json")))
    yield running
    stop_server(running)


def test_a_good_token_is_accepted(keyed: RunningServer, body: bytes) -> None:
    assert call_script(keyed, body, f"Bearer {signed()}").status_code == 200


def test_a_token_without_exp_is_401_before_keys_are_fetched(keyed: RunningServer, keyless: RunningServer,
                                                             body: bytes) -> None:
    no_exp = signed(exp=None)
    assert "exp" not in jwt.decode(no_exp, KEY).claims  # the signature is good; only the expiry is missing
    for server in (keyed, keyless):
        response = call_script(server, body, f"Bearer {no_exp}")
        assert response.status_code == 401 and "no expiry" in response.json()["detail"]


def test_an_expired_token_is_401_even_after_it_was_accepted(keyed: RunningServer, body: bytes) -> None:
    short = signed(exp=int(time.time()) + 3)
    assert call_script(keyed, body, f"Bearer {short}").status_code == 200  # accepted (and cached) while it lives
    time.sleep(max(0.0, jwt.decode(short, KEY).claims["exp"] - time.time()) + 1.1)
    response = call_script(keyed, body, f"Bearer {short}")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    assert call_script(keyed, body, f"Bearer {signed(exp=int(time.time()) - 5)}").status_code == 401


GARBAGE = {
    "not base64": "Bearer !!!.???.***",
    "one segment": "Bearer abcdefghijkl",
    "two segments": "Bearer abc.def",
    "four segments": "Bearer ab.cd.ef.gh",
    "random base64": f"Bearer {_b64(b'x' * 30)}.{_b64(b'y' * 30)}.{_b64(b'z' * 30)}",
    "header not JSON": f"Bearer {_b64(b'{not json')}.{_b64({'exp': 9999999999})}.c2ln",
    "header a list": f"Bearer {_b64(b'[1,2]')}.{_b64({'exp': 9999999999})}.c2ln",
    "alg none": "Bearer " + unsigned({"alg": "none", "kid": "tenant-key"}, claims()),
    "alg HS256": "Bearer " + unsigned({"alg": "HS256", "kid": "tenant-key"}, claims()),
    "no kid": "Bearer " + unsigned({"alg": "RS256"}, claims()),
    "exp a string": "Bearer " + unsigned({"alg": "RS256", "kid": "k"}, claims(exp="tomorrow")),
    "exp true": "Bearer " + unsigned({"alg": "RS256", "kid": "k"}, claims(exp=True)),
    "exp infinite": "Bearer " + unsigned({"alg": "RS256", "kid": "k"}, b'{"exp": 1e999}'),
    "exp missing": "Bearer " + unsigned({"alg": "RS256", "kid": "k"}, claims(exp=None)),
    "expired": "Bearer " + unsigned({"alg": "RS256", "kid": "k"}, claims(exp=int(time.time()) - 1)),
    "payload not JSON": f"Bearer {_b64({'alg': 'RS256', 'kid': 'k'})}.{_b64(b'garbage')}.c2ln",
    "huge": "Bearer " + "a" * 10_000 + "." + "b" * 10_000 + "." + "c" * 10_000,
    "three parts": "Bearer a b",
    "Basic": "Basic dXNlcjpwYXNz",
    "Office error": "Error: 13003",
    "Office error with markup": "Error: <script>alert(1)</script> 13001",
}


@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_tokens_are_401_without_fetching_keys(keyless: RunningServer, body: bytes, name: str) -> None:
    response = call_script(keyless, body, GARBAGE[name])
    assert response.status_code == 401, (name, response.status_code, response.text[:200])
    detail = response.json()["detail"]
    assert detail.startswith("Auth error:") and len(detail) < 250 and "<script>" not in detail


def test_a_well_formed_token_does_reach_the_keys(keyless: RunningServer, body: bytes) -> None:
    """The control for the test above: past the cheap checks, a missing key set is a 503."""
    response = call_script(keyless, body, f"Bearer {signed()}")
    assert response.status_code == 503
    assert keyless.alive()


def test_token_shape_checks_are_pure() -> None:
    token = signed()
    assert check_token_shape(f"Bearer {token}")[0] == token
    assert check_token_shape(f"bearer  {token} ")[0] == token
    with pytest.raises(Exception, match="expired"):
        check_token_shape(f"Bearer {token}", now=time.time() + 7200)


# --- bodies that are not workbooks --------------------------------------------------------------

BAD_BODIES = {
    "empty": b"", "spaces": b"   \n", "not JSON": b"{not json", "truncated": b'{"book": {"name": "x"',
    "a list": b"[]", "null": b"null", "a number": b"1", "a string": b'"workbook"', "huge exponent": b"1e999999",
    "sheets a number": b'{"book": {}, "sheets": 1}', "sheet not an object": b'{"book": {}, "sheets": [1]}',
    "no version": b'{"book": {}, "sheets": []}', "version a number": b'{"book": {}, "sheets": [], "version": 5}',
    "bad UTF-8": b'{"book": {"name": "\xff\xfe"}, "sheets": []}', "deep nesting": b"[" * 200_000 + b"]" * 200_000,
    "NaN": b"NaN",
}


@pytest.mark.parametrize("name", list(BAD_BODIES))
def test_a_body_that_is_not_a_workbook_is_a_short_400(keyed: RunningServer, name: str) -> None:
    response = call_script(keyed, BAD_BODIES[name], f"Bearer {signed()}")
    assert response.status_code == 400, (name, response.status_code, response.text[:200])
    assert len(response.json()["detail"]) < 100
    assert keyed.alive()


# --- headers on every kind of answer ---------------------------------------------------------


def test_every_answer_carries_the_security_headers(keyed: RunningServer, body: bytes) -> None:
    answers = {
        "manifest": raw_request(keyed.port, b"/manifest"),
        "task pane": raw_request(keyed.port, b"/taskpane.html"),
        "icon": raw_request(keyed.port, b"/static/images/icons/kpi-32.png"),
        "path refused": raw_request(keyed.port, b"/static/..%2f..%2fetc%2fpasswd"),
        "not found": raw_request(keyed.port, b"/no-such-page"),
        "no token": raw_request(keyed.port, SCRIPT.encode(), method=b"POST", body=b"{}"),
        "bad body": raw_request(keyed.port, SCRIPT.encode(), method=b"POST", body=b"{not json",
                                headers={"Authorization": f"Bearer {signed()}", "Auth-Provider": "entraid"}),
        "too large": raw_request(keyed.port, SCRIPT.encode(), method=b"POST", content_length=100_000_000),
        "refresh": raw_request(keyed.port, SCRIPT.encode(), method=b"POST", body=body,
                               headers={"Authorization": f"Bearer {signed()}", "Auth-Provider": "entraid",
                                        "Content-Type": "application/json"}),
    }
    expected_status = {"manifest": 200, "task pane": 200, "icon": 200, "path refused": 404, "not found": 404,
                       "no token": 401, "bad body": 400, "too large": 413, "refresh": 200}
    ancestors = "frame-ancestors 'self' " + " ".join(f"https://*.{host}" for host in OFFICE_HOSTS)
    for name, answer in answers.items():
        assert answer.status == expected_status[name], (name, answer.status, answer.body[:200])
        assert answer.headers.get("x-content-type-options") == "nosniff", name
        assert answer.headers.get("content-security-policy", "").startswith(ancestors + ";"), name
        assert "server" not in answer.headers, (name, answer.headers.get("server"))
        assert "strict-transport-security" in answer.headers, name
    assert "x-frame-options" not in answers["task pane"].headers  # Office frames the task pane
