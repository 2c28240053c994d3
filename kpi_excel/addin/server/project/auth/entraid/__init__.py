"""Entra ID sign-in: xlwings Server looks the validator up here (``auth.entraid``).

kpi_excel's validator (:mod:`kpi_excel.addin.server.tokens`) refuses malformed,
expiry-less and expired tokens before any key is fetched, then runs xlwings
Server's own validation and caches its answer no longer than the token lives.
``jwks.py`` beside this file supplies the signing keys.
"""

from kpi_excel.addin.server.tokens import validate_token

__all__ = ["validate_token"]
