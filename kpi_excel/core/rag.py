"""RAG ratings and the reason for each, in words an officer can paste into a paper.

Rules:

* **target**: met is Green, missed is Red; with an amber tolerance a near miss
  (within ``5%`` of the target, or ``2pp``) is Amber. ``>`` is strict, ``>=``
  inclusive, a bare number is met on the good side of the polarity inclusively.
  A band (``90%-95%``) is Green inside; a bare target on a "close to target"
  indicator is Green only on target, Amber within the tolerance.
* **quartile** (the Leicestershire key): Green is the top quartile, or high in
  the second quartile with an improving trend; Red is the bottom quartile, or low
  in the third quartile with a declining trend; Amber otherwise. With only the
  quartile number known (no position within it), Q2 and Q3 are Amber and the
  reason says so.
* **auto**: the target rule where a row has a target, else the quartile rule
  where it has a quartile, else N/A.
* **none**: N/A.

An officer override wins and keeps its reason. No data or no polarity is N/A.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from kpi_excel.core.polarity import Polarity
from kpi_excel.core.targets import Target, Tolerance
from kpi_excel.core.trend import DECLINING, IMPROVING, round_to
from kpi_excel.core.values import Value, format_number
from kpi_excel.errors import CellError

__all__ = [
    "RED",
    "AMBER",
    "GREEN",
    "NA",
    "RAG_RANK",
    "Rule",
    "Quartile",
    "Rating",
    "RagError",
    "parse_rule",
    "parse_quartile",
    "parse_position",
    "parse_rag_word",
    "parse_override",
    "rate_by_target",
    "rate_by_quartile",
    "rate",
]

RED, AMBER, GREEN, NA = "Red", "Amber", "Green", "N/A"
RAG_RANK = {RED: 0, AMBER: 1, GREEN: 2}


class RagError(CellError):
    """A rule, quartile or override we cannot read."""


class Rule(Enum):
    AUTO = "auto"
    TARGET = "target"
    QUARTILE = "quartile"
    NONE = "none"


def parse_rule(text: object, default: Rule = Rule.AUTO) -> Rule:
    """Read a RAG rule name; empty gives ``default``."""
    if isinstance(text, Rule):
        return text
    cleaned = str(text or "").strip().lower()
    if cleaned == "":
        return default
    aliases = {
        "target": Rule.TARGET, "targets": Rule.TARGET, "by target": Rule.TARGET,
        "quartile": Rule.QUARTILE, "quartiles": Rule.QUARTILE, "benchmark": Rule.QUARTILE,
        "by quartile": Rule.QUARTILE, "auto": Rule.AUTO, "automatic": Rule.AUTO, "default": Rule.AUTO,
        "none": Rule.NONE, "n/a": Rule.NONE, "not rated": Rule.NONE, "no rag": Rule.NONE,
    }
    if cleaned in aliases:
        return aliases[cleaned]
    raise RagError(f"unknown RAG rule '{str(text).strip()[:40]}' (expected target, quartile, auto or none)")


@dataclass(frozen=True)
class Quartile:
    """A benchmark quartile (1 = best) and, when known, the half of it the value is in."""

    number: int
    position: str | None = None  # "better" | "worse"


_BANDS = {"a": 1, "b": 2, "c": 3, "d": 4}
_ORDINAL_WORDS = {
    "top": 1, "first": 1, "1st": 1, "upper": 1, "second": 2, "2nd": 2, "upper middle": 2,
    "third": 3, "3rd": 3, "lower middle": 3, "fourth": 4, "4th": 4, "bottom": 4, "lower": 4,
}


def parse_position(raw: object) -> str | None:
    """Read the half of its quartile a value is in: "better", "worse" or None."""
    cleaned = re.sub(r"[\s_-]+", " ", str(raw or "")).strip().lower().strip("()")
    if cleaned in ("", "n/a", "na", "-", "unknown"):
        return None
    if re.fullmatch(r"(better|high|higher|upper|top)( half)?|above (the )?median|\+", cleaned):
        return "better"
    if re.fullmatch(r"(worse|low|lower|bottom)( half)?|below (the )?median|-", cleaned):
        return "worse"
    raise RagError(f"unknown position within quartile '{str(raw).strip()[:40]}' (expected better or worse half)")


def parse_quartile(raw: object, position: object = None) -> Quartile | None:
    """Read a quartile: 1-4, Q1-Q4, bands A-D, "top quartile"; None for N/A.

    ``position`` (better/worse half) may be given separately or inside the text,
    as in ``2 (high)``.
    """
    try:
        return _quartile(raw, position)
    except TypeError:  # unhashable input: read it uncached
        return _quartile.__wrapped__(raw, position)


@lru_cache(maxsize=4096)
def _quartile(raw: object, position: object = None) -> Quartile | None:
    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if float(raw).is_integer() and 1 <= raw <= 4:
            return Quartile(int(raw), parse_position(position))
        raise RagError(f"quartile '{raw}' is not 1, 2, 3 or 4")
    text = str(raw).strip().lower()
    if text in ("", "n/a", "na", "-", "–", "none", "no band", "x", "c", ".."):
        return None
    inner = None
    bracket = re.match(r"^(.*?)\s*\((.*)\)\s*$", text)
    if bracket:
        text, inner = bracket.group(1).strip(), bracket.group(2)
    text = re.sub(r"\b(quartile|band|national|benchmark)\b", "", text).strip(" :")
    number = None
    match = re.fullmatch(r"q?\s*([1-4])(?:\.0)?", text)
    if match:
        number = int(match.group(1))
    elif text in _BANDS:
        number = _BANDS[text]
    elif text in _ORDINAL_WORDS:
        number = _ORDINAL_WORDS[text]
    if number is None:
        raise RagError(f"cannot read quartile '{str(raw).strip()[:40]}' (expected 1-4, Q1-Q4 or A-D)")
    half = parse_position(position) if position not in (None, "") else None
    if half is None and inner is not None:
        half = parse_position(inner)
    return Quartile(number, half)


_RAG_WORDS = {
    "r": RED, "red": RED, "a": AMBER, "amber": AMBER, "g": GREEN, "green": GREEN,
    "n/a": NA, "na": NA, "not rated": NA, "none": NA, "-": NA,
}


def parse_rag_word(raw: object) -> str | None:
    """A RAG word (Red/Amber/Green/N/A) from text such as "G" or "green"; None if not one."""
    cleaned = str(raw or "").strip().lower().rstrip(".")
    return _RAG_WORDS.get(cleaned)


def parse_override(raw: object, reason: object = None) -> tuple[str, str] | None:
    """Read an override cell such as ``Green - agreed with the DCS``.

    Returns (RAG word, officer's reason) or None when empty; raises for text that
    does not start with a RAG word.
    """
    text = str(raw or "").strip()
    if text == "":
        return None
    match = re.match(r"^(red|amber|green|n/a|r|a|g)\b\s*[-:–,;.]?\s*(.*)$", text, re.I | re.S)
    if not match:
        raise RagError(f"override '{text[:40]}' does not start with Red, Amber, Green or N/A")
    word = _RAG_WORDS[match.group(1).lower()]
    why = (match.group(2) or "").strip() or str(reason or "").strip()
    return word, why


@dataclass(frozen=True)
class Rating:
    """A RAG word with its reason and the rule that produced it."""

    rag: str
    reason: str
    rule: str


def _amount(gap: float, decimals: int | None, percent: bool) -> str:
    text = format_number(abs(gap), decimals, False)
    if not percent:
        return text
    return f"{text} point" if text in ("1", "1.0", "1.00") else f"{text} points"


def rate_by_target(
    latest: Value,
    target: Target,
    polarity: Polarity,
    amber_within: Tolerance | None = None,
) -> Rating:
    """Rate a value against a target (see the module notes for the rules)."""
    decimals = _max_decimals(latest.decimals, target.decimals)
    value = round_to(latest.number, decimals)  # type: ignore[arg-type]
    shown = latest.display()
    wanted = target.display()
    percent = latest.percent or target.percent
    tolerance_note = f", within the {amber_within.describe(percent)}" if amber_within else ""
    op = target.op
    if op == "=":
        op = {Polarity.HIGH: ">=", Polarity.LOW: "<="}.get(polarity, "point")
    if op == "band" and target.upper is not None:
        low, high = round_to(target.value, decimals), round_to(target.upper, decimals)
        if low <= value <= high:
            return Rating(GREEN, f"Green: {shown} is within the {wanted} target range", "target")
        edge = low if value < low else high
        gap = value - edge
        where = "below" if gap < 0 else "above"
        text = f"{shown} is {_amount(gap, decimals, percent)} {where} the {wanted} target range"
        if amber_within and abs(gap) <= amber_within.width(edge) + 1e-9:
            return Rating(AMBER, f"Amber: {text}{tolerance_note}", "target")
        return Rating(RED, f"Red: {text}", "target")
    aim = round_to(target.value, decimals)
    if op == "point":
        gap = value - aim
        if gap == 0:
            return Rating(GREEN, f"Green: {shown} is on the {wanted} target", "target")
        text = f"{shown} is {_amount(gap, decimals, percent)} away from the {wanted} target"
        if amber_within and abs(gap) <= amber_within.width(aim) + 1e-9:
            return Rating(AMBER, f"Amber: {text}{tolerance_note}", "target")
        return Rating(RED, f"Red: {text}", "target")
    higher_is_better = op in (">", ">=")
    met = {">": value > aim, ">=": value >= aim, "<": value < aim, "<=": value <= aim}[op]
    if met:
        return Rating(GREEN, f"Green: {shown} meets the {wanted} target", "target")
    shortfall = aim - value if higher_is_better else value - aim
    if shortfall == 0:
        text = f"{shown} is level with the {wanted} target but does not beat it"
    elif higher_is_better:
        text = f"{shown} is {_amount(shortfall, decimals, percent)} short of the {wanted} target"
    else:
        text = f"{shown} is {_amount(shortfall, decimals, percent)} above the {wanted} target"
    if amber_within and shortfall <= amber_within.width(aim) + 1e-9:
        return Rating(AMBER, f"Amber: {text}{tolerance_note}", "target")
    return Rating(RED, f"Red: {text}", "target")


def _max_decimals(*decimals: int | None) -> int | None:
    known = [d for d in decimals if d is not None]
    return max(known) if known else None


_NOT_KNOWN = "its position within the quartile is not known"


def rate_by_quartile(quartile: Quartile, direction: str) -> Rating:
    """Rate by the Leicestershire key: quartile, position within it, and trend."""
    q, half = quartile.number, quartile.position
    improving, declining = direction == IMPROVING, direction == DECLINING
    if q == 1:
        return Rating(GREEN, "Green: top quartile", "quartile")
    if q == 4:
        return Rating(RED, "Red: bottom quartile", "quartile")
    if q == 2:
        if half == "better" and improving:
            return Rating(GREEN, "Green: high in the second quartile with an improving trend", "quartile")
        if half == "better":
            return Rating(AMBER, f"Amber: high in the second quartile, but the trend is not improving "
                                 f"({direction.lower()})", "quartile")
        if half == "worse":
            return Rating(AMBER, "Amber: low in the second quartile", "quartile")
        if improving:
            return Rating(AMBER, f"Amber: second quartile with an improving trend, but {_NOT_KNOWN} "
                                 "(Green needs the better half)", "quartile")
        return Rating(AMBER, f"Amber: second quartile ({_NOT_KNOWN})", "quartile")
    # third quartile
    if half == "worse" and declining:
        return Rating(RED, "Red: low in the third quartile with a declining trend", "quartile")
    if half == "worse":
        return Rating(AMBER, f"Amber: low in the third quartile, but the trend is not declining "
                             f"({direction.lower()})", "quartile")
    if half == "better":
        return Rating(AMBER, "Amber: high in the third quartile", "quartile")
    if declining:
        return Rating(AMBER, f"Amber: third quartile with a declining trend, but {_NOT_KNOWN} "
                             "(Red needs the worse half)", "quartile")
    return Rating(AMBER, f"Amber: third quartile ({_NOT_KNOWN})", "quartile")


def rate(
    *,
    rule: Rule,
    latest: Value | None,
    polarity: Polarity,
    direction: str,
    target: Target | None = None,
    quartile: Quartile | None = None,
    amber_within: Tolerance | None = None,
    override: tuple[str, str] | None = None,
) -> Rating:
    """Rate one indicator by ``rule``; an officer ``override`` wins, keeping its reason."""
    computed = _computed(rule, latest, polarity, direction, target, quartile, amber_within)
    if override is None:
        return computed
    word, why = override
    said = f": {why}" if why else ""
    return Rating(word, f"{word} (officer override{said}; calculated {computed.rag})", "override")


def _computed(
    rule: Rule,
    latest: Value | None,
    polarity: Polarity,
    direction: str,
    target: Target | None,
    quartile: Quartile | None,
    amber_within: Tolerance | None,
) -> Rating:
    if rule is Rule.NONE:
        return Rating(NA, "N/A: not rated (rule: none)", "none")
    if rule is Rule.AUTO:
        rule = Rule.TARGET if target is not None else Rule.QUARTILE if quartile is not None else Rule.NONE
        if rule is Rule.NONE:
            return Rating(NA, "N/A: no target and no benchmark quartile", "none")
    if latest is None or latest.number is None:
        why = latest.missing if latest is not None else "no value"
        return Rating(NA, f"N/A: latest value {why}", rule.value)
    if rule is Rule.TARGET:
        if target is None:
            return Rating(NA, "N/A: no target", "target")
        if polarity is Polarity.NONE and target.op in ("=",):
            return Rating(NA, f"N/A: the {target.display()} target has no direction and the "
                              "indicator has no polarity", "target")
        return rate_by_target(latest, target, polarity, amber_within)
    if quartile is None:
        return Rating(NA, "N/A: no benchmark quartile", "quartile")
    return rate_by_quartile(quartile, direction)
