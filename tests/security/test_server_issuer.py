"""With multitenant sign-in, a token's own issuer is checked (issue 17, Low 12).

xlwings Server 1.20 matched its issuer pattern against the issuer it expects,
not the token's: a well-signed token whose ``iss`` was ``https://evil.example/``,
or missing, got 200. Over HTTP against the real server with a local key set.
"""

from __future__ import annotations

import json
from typing import Iterator

import pytest
from joserfc.jwk import KeySet

from kpi_excel.addin.server.tokens import check_issuer
from tests.addin.conftest import RunningServer, body, call_script, start_server, stop_server  # noqa: F401 - fixture

from .test_server_tokens import CLIENT, KEY, TENANT, signed

OTHER_TENANT = "12345678-aaaa-bbbb-cccc-1234567890ab"


@pytest.fixture(scope="module")
def multitenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    tmp = tmp_path_factory.mktemp("multitenant")
    (tmp / "jwks.json").write_text(json.dumps(KeySet([KEY]).as_dict(private=False)))
    running = start_server(tmp, {
        "XLWINGS_AUTH_PROVIDERS": '["entraid"]', "XLWINGS_AUTH_ENTRAID_TENANT_ID": TENANT,
        "XLWINGS_AUTH_ENTRAID_CLIENT_ID": CLIENT, "XLWINGS_AUTH_ENTRAID_MULTITENANT": "true",
        "KPI_EXCEL_ENTRAID_JWKS_FILE": str(tmp / "jwks.json"), "KPI_EXCEL_MAX_REQUEST_MB": "2"})
    yield running
    stop_server(running)


def test_a_token_from_another_issuer_or_none_is_401(multitenant: RunningServer, body: bytes) -> None:
    other = f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"
    assert call_script(multitenant, body, f"Bearer {signed(iss=other, tid=OTHER_TENANT)}").status_code == 200
    for iss, tid in (("https://evil.example/", None), (None, None), (other, TENANT),
                     (f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0/x", None)):
        response = call_script(multitenant, body, f"Bearer {signed(iss=iss, tid=tid)}")
        assert response.status_code == 401, (iss, response.text)
        assert "not issued by Microsoft Entra ID" in response.json()["detail"]
    assert call_script(multitenant, body, f"Bearer {signed()}").status_code == 200  # still answering


def test_issuers_by_token_version() -> None:
    check_issuer({"ver": "1.0", "iss": f"https://sts.windows.net/{TENANT}/"})
    check_issuer({"ver": "2.0", "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "tid": TENANT})
    for claims in ({"ver": "1.0", "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0"},
                   {"ver": "2.0", "iss": "https://login.microsoftonline.com/common/v2.0"}, {"ver": "2.0"}):
        with pytest.raises(Exception, match="not issued by Microsoft Entra ID"):
            check_issuer(claims)
