"""Bracketed runs of text removed or found in one pass, where a regular expression would be quadratic.

``re.sub(r"\\(.*?\\)", ...)`` and ``re.sub(r"\\[[^\\]]*\\]", ...)`` restart at every
opener that has no closer after it and scan to the end again: 100,000 "(" in
one cell took minutes, with the server's other requests waiting. These do the
same work with ``str.find``, each character looked at a bounded number of times.
"""

from __future__ import annotations

__all__ = ["drop_between", "bracketed_tail"]


def drop_between(text: str, opener: str, closer: str, replacement: str = "", *, one_line: bool = False) -> str:
    """``text`` with every run from an ``opener`` to the first ``closer`` after it replaced, as
    ``re.sub(re.escape(opener) + "[^" + closer + "]*" + re.escape(closer), replacement, text)`` does
    (``one_line``: a run does not cross a line break, as ``.*?`` does not)."""
    out: list[str] = []
    kept = search = 0
    close = -1
    while True:
        start = text.find(opener, search)
        if start < 0:
            break
        if close <= start:  # the closer found last time still serves every opener before it
            close = text.find(closer, start + 1)
            if close < 0:
                break
        if one_line:
            newline = text.find("\n", start + 1, close)
            if newline >= 0:
                search = newline + 1  # no opener before the line break can reach this closer
                continue
        out += (text[kept:start], replacement)
        kept = search = close + 1
    out.append(text[kept:])
    return "".join(out)


def bracketed_tail(text: str) -> tuple[str, str] | None:
    """``"2 (high)"`` -> ``("2", "high")``: the text before the first "(" and what lies between it and
    a ")" that ends the text, as ``re.match(r"^(.*?)\\s*\\((.*)\\)\\s*$", text)`` gives them; None
    when that pattern would not match."""
    stripped = text.rstrip()
    if not stripped.endswith(")"):
        return None
    # "." does not cross a line break, the spaces before "(" may: the "(" is the first after the
    # last line break, and the head may hold a line break only in its trailing spaces.
    start = stripped.find("(", stripped.rfind("\n") + 1)
    if start < 0:
        return None
    head = stripped[:start].rstrip()
    return None if "\n" in head else (head, stripped[start + 1 : -1])
