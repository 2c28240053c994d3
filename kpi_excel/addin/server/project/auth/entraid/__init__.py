"""Entra ID sign-in: xlwings Server's own token validation, unchanged.

xlwings Server imports ``auth.entraid`` from the project directory when there
is one; re-exporting its validator here keeps its behaviour and lets
``jwks.py`` beside this file supply the signing keys.
"""

from xlwings_server.auth.entraid import validate_token

__all__ = ["validate_token"]
