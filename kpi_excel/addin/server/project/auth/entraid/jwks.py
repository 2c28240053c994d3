"""Where Entra ID's token-signing keys come from.

By default (``None``) xlwings Server downloads Microsoft's key set from
``login.microsoftonline.com`` and caches it for a day. A server that cannot
reach the internet (or an offline test) sets ``KPI_EXCEL_ENTRAID_JWKS_FILE`` to
a JSON key set saved from the ``jwks_uri`` of
``https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["get_jwks_json"]


async def get_jwks_json() -> dict[str, Any] | None:
    path = os.getenv("KPI_EXCEL_ENTRAID_JWKS_FILE")
    if not path:
        return None
    return json.loads(Path(path).read_text(encoding="utf-8"))
