"""What the web door may tell an officer: messages without the server's paths, URLs or secrets.

The readers' messages are written for someone on their own machine ("/srv/kpi/
finance.csv: no such file", "database error at postgresql://kpi@db..."). The
server's administrator sees those in the server's log; an officer in Excel on
the web is told what happened without the server's file system or network in
it. :mod:`kpi_excel.sources.policy` already names offered sources by their short
name; this is the last net, at the door, for anything else.
"""

from __future__ import annotations

import re
from typing import Iterable

__all__ = ["public_message", "MAX_MESSAGE"]

MAX_MESSAGE = 2000  # an alert is read, not scrolled
HIDDEN = "[server detail hidden]"

_PATTERNS = (
    re.compile(r"\bsql:[^\s'\"]+"),  # a source spec with its database URL
    re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"]+", re.IGNORECASE),  # URLs and SQLAlchemy URLs
    re.compile(r"\bfile:[^\s'\"]+", re.IGNORECASE),
    re.compile(r"\\\\[^\s'\"\\]+\\[^\s'\"]*"),  # \\server\share\...
    re.compile(r"(?<![\w])[A-Za-z]:[\\/][^\s'\"]*"),  # C:\... or C:/...
    re.compile(r"(?<![\w.~/-])~?/[^\s'\"/]+(?:/[^\s'\"/]*)*"),  # /abs/path and ~/path (not 2022/23)
)


def public_message(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with server paths, URLs and each of ``secrets`` replaced by a marker."""
    out = str(text)
    for secret in sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        out = out.replace(secret, HIDDEN)
    for pattern in _PATTERNS:
        out = pattern.sub(HIDDEN, out)
    if len(out) > MAX_MESSAGE:
        out = out[:MAX_MESSAGE - 1] + "…"
    return out
