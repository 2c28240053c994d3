"""Polarity: which way is good for an indicator.

Spellings seen in the wild: ``High = Good``, ``Low = Good``, ``(high is good)``,
``(low is good)``, ``(no polarity)``, ``N/A``, LAIT's ``High`` / ``Low`` / ``-``,
Kent's ``H`` / ``L`` / ``T`` (T: close to target is best, "goldilocks").
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

from kpi_excel.errors import CellError

__all__ = ["Polarity", "PolarityError", "parse_polarity"]


class PolarityError(CellError):
    """A polarity we cannot read."""


class Polarity(Enum):
    HIGH = "High = Good"
    LOW = "Low = Good"
    TARGET = "Close to target"
    NONE = "N/A"

    @property
    def has_direction(self) -> bool:
        return self is not Polarity.NONE


_SPELLINGS: list[tuple[Polarity, str]] = [
    (Polarity.HIGH, r"h|high|higher|up|\+|↑|high(er)?\s*(=|is|are)\s*(good|better)|"
                    r"(bigger|larger|more|higher)\s*(is)?\s*better|good\s*(=|is)\s*high(er)?|"
                    r"high(er)?\s*good|increase\s*(=|is)\s*good|maximi[sz]e|high\s*=\s*good"),
    (Polarity.LOW, r"l|low|lower|down|↓|low(er)?\s*(=|is|are)\s*(good|better)|"
                   r"(smaller|less|fewer|lower)\s*(is)?\s*better|good\s*(=|is)\s*low(er)?|"
                   r"low(er)?\s*good|decrease\s*(=|is)\s*good|minimi[sz]e"),
    (Polarity.TARGET, r"t|target|close\s*to\s*target|closer\s*to\s*target(\s*is\s*(good|better))?|"
                      r"(near|nearest|closest)\s*(to)?\s*target|goldilocks|on\s*target|"
                      r"within\s*(a\s*)?(range|band)|in\s*range|range|band"),
    (Polarity.NONE, r"|-|–|n/?a|none|no\s*polarity|not\s*applicable|neutral|no\s*good\s*direction|"
                    r"context(ual)?|information(al)?|info|for\s*information|monitor(ing)?( only)?|"
                    r"no\s*target"),
]


@lru_cache(maxsize=1024)
def _lookup(cleaned: str) -> Polarity | None:
    for polarity, pattern in _SPELLINGS:
        if re.fullmatch(pattern, cleaned):
            return polarity
    return None


def parse_polarity(text: object) -> Polarity:
    """Read a polarity; empty or ``N/A`` is :attr:`Polarity.NONE`.

    Raises :class:`PolarityError` for text we do not recognise.
    """
    if text is None:
        return Polarity.NONE
    if isinstance(text, Polarity):
        return text
    return _parse(str(text))


@lru_cache(maxsize=1024)
def _parse(raw: str) -> Polarity:
    if len(raw) > 60:
        raise PolarityError(f"a {len(raw):,}-character text is not a polarity")
    # "(high is good)", "High = Good.", "HIGH IS GOOD" all read alike.
    cleaned = re.sub(r"\s+", " ", raw.strip().lower().strip("()[]. "))
    polarity = _lookup(cleaned)
    if polarity is None:
        raise PolarityError(
            f"unknown polarity '{raw.strip()}' (expected High = Good, Low = Good, "
            "close to target (T) or N/A)"
        )
    return polarity
