"""Polarity: which way is good for an indicator.

Spellings seen in the wild: ``High = Good``, ``Low = Good``, ``(high is good)``,
``(low is good)``, ``(no polarity)``, ``N/A``, LAIT's ``High`` / ``Low`` / ``-``,
Kent's ``H`` / ``L`` / ``T`` (T: close to target is best, "goldilocks"),
Richmond's ``aim to maximise`` / ``aim to minimise``, ``Bigger is better``,
``Smaller values are best``. Indicators published for information only
(``Info only``, ``Data only``, ``Measure for information``, ``Contextual``,
``Volumetric``) have no good direction: they are N/A, not a problem.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache

from kpi_excel.errors import CellError

__all__ = ["Polarity", "PolarityError", "parse_polarity", "information_only", "polarity_in_name",
           "polarity_suggested_by_words"]


class PolarityError(CellError):
    """A polarity we cannot read."""


class Polarity(Enum):
    HIGH = "High = Good"
    LOW = "Low = Good"
    TARGET = "Close to target"
    NONE = "N/A"


# Published for information: no good direction, and that is no problem.
_INFORMATION = (r"context(ual)?(\s*(only|indicator|measure))?|information(al)?(\s*only)?|info(\s*only)?|"
                r"(for|measure\s*for)\s*information(\s*only)?|data\s*only|monitor(ing)?(\s*only)?|"
                r"volumetric|tracking(\s*only)?|demand(\s*measure)?|not\s*targeted|no\s*target\s*set")

_SPELLINGS: list[tuple[Polarity, str]] = [
    (Polarity.HIGH, r"h|high|higher|up|\+|↑|high(er)?\s*(=|is|are)\s*(good|better)|"
                    r"(bigger|larger|more|higher)\s*(is)?\s*better|good\s*(=|is)\s*high(er)?|"
                    r"high(er)?\s*good|increase\s*(=|is)\s*good|(aim\s*(is\s*)?to\s*)?maximi[sz]e|high\s*=\s*good|"
                    r"(bigger|larger|higher)\s*(values?|numbers?|figures?)?\s*(is|are)\s*(best|better|good)|"
                    r"increas(e|ing)|up\s*is\s*(good|better)"),
    (Polarity.LOW, r"l|low|lower|down|↓|low(er)?\s*(=|is|are)\s*(good|better)|"
                   r"(smaller|less|fewer|lower)\s*(is)?\s*better|good\s*(=|is)\s*low(er)?|"
                   r"low(er)?\s*good|decrease\s*(=|is)\s*good|(aim\s*(is\s*)?to\s*)?minimi[sz]e|"
                   r"(smaller|lower|fewer)\s*(values?|numbers?|figures?)?\s*(is|are)\s*(best|better|good)|"
                   r"decreas(e|ing)|reduc(e|ing)|down\s*is\s*(good|better)"),
    (Polarity.TARGET, r"t|target|close\s*to\s*target|closer\s*to\s*target(\s*is\s*(good|better))?|"
                      r"(near|nearest|closest)\s*(to)?\s*target|goldilocks|on\s*target|"
                      r"within\s*(a\s*)?(range|band)|in\s*range|range|band"),
    (Polarity.NONE, r"|-|–|n/?a|none|no\s*polarity|not\s*applicable|neutral|no\s*good\s*direction|"
                    + _INFORMATION + r"|no\s*target"),
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


@lru_cache(maxsize=1024)
def information_only(text: object) -> bool:
    """True for a polarity such as ``Data only`` or ``Contextual``: published for
    information, not to be rated."""
    cleaned = re.sub(r"\s+", " ", str(text or "").strip().lower().strip("()[]. "))
    return bool(cleaned) and re.fullmatch(_INFORMATION, cleaned) is not None


_IN_NAME = re.compile(r"\(\s*((?:aim\s*(?:is\s*)?to\s*)?(?:maximi[sz]e|minimi[sz]e)|(?:high|low)(?:er)?\s*(?:is|=)\s*"
                      r"(?:good|better)|(?:bigger|smaller|larger)\s*is\s*better)\s*\)", re.I)


@lru_cache(maxsize=4096)
def polarity_in_name(name: object) -> Polarity | None:
    """The polarity an indicator's name states in brackets, as Richmond writes
    "(aim to maximise)" after each name; None when the name says none."""
    match = _IN_NAME.search(str(name or ""))
    if match is None:
        return None
    return _lookup(re.sub(r"\s+", " ", match.group(1).strip().lower()))


# Words in an indicator's name that suggest a good direction without stating it: only a
# guess ("complaints responded to within 10 days" holds both kinds, and is left unguessed).
_LOW_WORDS = re.compile(r"\b(missed|complaints?|days to|falling below|waiting|delay(?:s|ed)?|overdue|backlog|"
                        r"sickness|days lost|re-?referrals?)\b", re.I)
_HIGH_WORDS = re.compile(r"\b(within|on time|satisf(?:ied|action)|answered|achiev(?:ed|ing))\b", re.I)


@lru_cache(maxsize=4096)
def polarity_suggested_by_words(name: object) -> tuple[Polarity | None, tuple[str, ...]]:
    """The polarity an indicator's wording suggests ("missed", "complaints", "days to"
    suggest Low = Good; "within", "satisfied" High = Good) and the words found; the
    polarity is None when no word or words of both kinds are found."""
    text = str(name or "")
    low = list(dict.fromkeys(m.group(1).lower() for m in _LOW_WORDS.finditer(text)))
    high = list(dict.fromkeys(m.group(1).lower() for m in _HIGH_WORDS.finditer(text)))
    if low and high:
        return None, tuple(low + high)
    if low:
        return Polarity.LOW, tuple(low)
    if high:
        return Polarity.HIGH, tuple(high)
    return None, ()
