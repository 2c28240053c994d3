"""RAG ratings and the reason for each, in words an officer can paste into a paper.

A rule is written as councils write their key (a :class:`RuleSpec`): a kind and
up to two tolerances, e.g. ``target``, ``target 10pp`` (a near miss within 10
points is Amber), ``target green 5% amber 10%`` ("Green: on, above or within 5%
of target; Amber: 5-10%; Red: more than 10%"), ``target amber 10 auto`` (points
for a percentage, % for a count), ``quartile``, ``trend``, ``auto`` or ``none``.

Rules:

* **target**: met is Green, missed is Red. A miss within the green tolerance is
  Green ("within the 5% green tolerance"); within the amber tolerance it is
  Amber; beyond both it is Red. Tolerances are inclusive ("within 10%" counts
  10% itself). ``>`` is strict, ``>=`` inclusive, a bare number is met on the
  good side of the polarity inclusively. A band (``90%-95%``) is Green inside,
  and Green outside on the good side of a High or Low polarity (with a note); a
  bare target on a "close to target" indicator is Green only on target.
  ``Maintain`` is met when the value is no worse than the previous one (judged
  by the polarity); ``Top quartile`` is the comparator group's top-quartile
  threshold, or the quartile itself when only that is known. A censored value
  (``<0.1%``) is compared as a bound: it is rated only when the bound settles
  the answer, and the reason says it is a bound.
* **trend** (councils that rate direction only): improving is Green, no change
  Amber, declining Red.
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
from kpi_excel.core.targets import MAINTAIN, TOP_QUARTILE, Target, TargetError, Tolerance, parse_tolerance
from kpi_excel.core.trend import DECLINING, IMPROVING, NO_CHANGE, round_to
from kpi_excel.core.values import Value, format_number
from kpi_excel.errors import CellError

__all__ = [
    "RED",
    "AMBER",
    "GREEN",
    "NA",
    "RAG_RANK",
    "Rule",
    "RuleSpec",
    "parse_rule_spec",
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
    "rate_by_trend",
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
    TREND = "trend"
    NONE = "none"


_RULE_NAMES = {
    "target": Rule.TARGET, "targets": Rule.TARGET, "by target": Rule.TARGET, "against target": Rule.TARGET,
    "quartile": Rule.QUARTILE, "quartiles": Rule.QUARTILE, "benchmark": Rule.QUARTILE,
    "by quartile": Rule.QUARTILE, "auto": Rule.AUTO, "automatic": Rule.AUTO, "default": Rule.AUTO,
    "trend": Rule.TREND, "direction": Rule.TREND, "by trend": Rule.TREND, "direction of travel": Rule.TREND,
    "dot": Rule.TREND,
    "none": Rule.NONE, "n/a": Rule.NONE, "not rated": Rule.NONE, "no rag": Rule.NONE,
}


@dataclass(frozen=True)
class RuleSpec:
    """A RAG rule as a council's key states it: the kind and its tolerances.

    ``green_within``: a miss this near is still Green. ``amber_within``: a miss
    this near is Amber. None: not given here (a wider setting may give it).
    """

    kind: Rule = Rule.AUTO
    green_within: Tolerance | None = None
    amber_within: Tolerance | None = None

    def text(self) -> str:
        """As an officer would type it: ``target green 5% amber 10%``."""
        parts = [self.kind.value]
        if self.green_within is not None:
            parts.append(f"green {self.green_within.text()}")
        if self.amber_within is not None:
            parts.append(f"amber {self.amber_within.text()}")
        return " ".join(parts)


_TOLERANCE_WORD = r"(\d+(?:\.\d+)?|\.\d+)\s*(%|pp|ppt|points?|pts?|auto|\(auto\))?|auto\s+\d+(?:\.\d+)?"
_SPEC = re.compile(
    rf"^(?P<kind>[a-z/ ]*?)\s*(?:within\s+)?(?P<bare>{_TOLERANCE_WORD})?\s*[,;]?\s*"
    rf"(?:green(?:\s+within)?\s*[:=]?\s*(?P<green>{_TOLERANCE_WORD}))?\s*[,;]?\s*"
    rf"(?:amber(?:\s+within)?\s*[:=]?\s*(?P<amber>{_TOLERANCE_WORD}))?$"
)


def parse_rule_spec(text: object, default: RuleSpec | None = None) -> RuleSpec | None:
    """Read a rule as written in a RAG Rule cell, a Settings row or ``--rule``.

    ``target 10pp`` (the bare tolerance is the amber one), ``target green 5%
    amber 10%``, ``quartile``, ``trend``, ``auto``, ``none``. Tolerances alone
    (``green 5% amber 10%``) mean ``auto`` with those tolerances. Empty gives
    ``default``. Raises :class:`RagError` naming the text otherwise.
    """
    if isinstance(text, RuleSpec):
        return text
    if isinstance(text, Rule):
        return RuleSpec(text)
    cleaned = re.sub(r"\s+", " ", str(text or "").strip().lower())
    if cleaned == "":
        return default
    match = _SPEC.match(cleaned)
    kind_text = (match["kind"].strip() if match else cleaned) or ("auto" if match else "")
    if match is None or kind_text not in _RULE_NAMES:
        raise RagError(
            f"unknown RAG rule '{str(text).strip()[:60]}' (expected target, quartile, trend, auto or none, "
            "optionally with tolerances: target 10pp, target green 5% amber 10%)"
        )
    kind = _RULE_NAMES[kind_text]
    try:
        green = parse_tolerance(match["green"])
        amber = parse_tolerance(match["amber"] or match["bare"])
    except TargetError as error:
        raise RagError(f"RAG rule '{str(text).strip()[:60]}': {error}") from None
    if match["bare"] and match["amber"]:
        raise RagError(f"RAG rule '{str(text).strip()[:60]}' gives the amber tolerance twice")
    if (green or amber) and kind in (Rule.QUARTILE, Rule.TREND, Rule.NONE):
        raise RagError(f"RAG rule '{str(text).strip()[:60]}': tolerances apply to targets, not to the "
                       f"{kind.value} rule")
    return RuleSpec(kind, green, amber)


def parse_rule(text: object, default: Rule = Rule.AUTO) -> Rule:
    """Read a RAG rule's kind (tolerances, if written, are read by
    :func:`parse_rule_spec`); empty gives ``default``."""
    if isinstance(text, Rule):
        return text
    spec = parse_rule_spec(text)
    return default if spec is None else spec.kind


def narrower_than(amber: Tolerance | None, green: Tolerance | None) -> bool:
    """True when an amber tolerance is narrower than the green one (same unit):
    then nothing is ever Amber by tolerance, which is almost surely a typo."""
    if amber is None or green is None:
        return False
    return (amber.relative, amber.auto) == (green.relative, green.auto) and amber.amount < green.amount


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
# How published keys say it (Pentana's Alert/Warning/OK; "On target"; Belfast's yellow).
_PUBLISHED_RAG_WORDS = {
    **{w: GREEN for w in ("on target", "on track", "met", "target met", "achieved", "target achieved", "ok",
                          "above target", "exceeded", "exceeding target", "meeting target", "better than target",
                          "on or above target")},
    **{w: AMBER for w in ("close to target", "near target", "within tolerance", "slightly below target",
                          "warning", "just short", "just short of target", "yellow", "slightly missed",
                          "target slightly missed", "minor variance")},
    **{w: RED for w in ("off target", "off track", "not met", "target not met", "missed", "target missed",
                        "below target", "alert", "target not achieved", "not achieved",
                        "significantly below target")},
    **{w: NA for w in ("data only", "info only", "information only", "for info only", "for information only",
                       "for information", "no target", "not applicable",
                       "unknown", "no data", "tbc", "grey", "gray", "contextual", "volumetric", "n/k")},
}


def parse_rag_word(raw: object) -> str | None:
    """A RAG word (Red/Amber/Green/N/A) from text such as "G", "green" or a
    published key's "On target" / "Alert"; None if not one."""
    cleaned = re.sub(r"\s+", " ", str(raw or "").strip().lower().rstrip("."))
    word = _RAG_WORDS.get(cleaned) or _PUBLISHED_RAG_WORDS.get(cleaned)
    if word is None:
        # A status cell that goes on to say more: "Target achieved. Slight decrease in
        # performance from 2022/23." (Mid and East Antrim's "Status and trend").
        first = re.split(r"(?<=[a-z])\.\s+|;\s+|\s+[-–—]\s+", cleaned, maxsplit=1)[0]
        if first != cleaned:
            word = _RAG_WORDS.get(first) or _PUBLISHED_RAG_WORDS.get(first)
    return word


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


def _amount(gap: float, decimals: int | None, percent: bool, unit: str | None = None) -> str:
    text = format_number(abs(gap), decimals, False)
    if percent:
        return f"{text} point" if text in ("1", "1.0", "1.00") else f"{text} points"
    if unit == "£":
        return f"£{text}"
    if unit:
        singular = unit[:-1] if text in ("1", "1.0", "1.00") and unit.endswith("s") else unit
        return f"{text} {singular}"
    return text


def _near(
    gap: float,
    reference: float,
    text: str,
    percent: bool,
    green_within: Tolerance | None,
    amber_within: Tolerance | None,
) -> Rating:
    """A miss of ``gap`` (>= 0) from ``reference``: Green, Amber or Red by the tolerances."""
    if green_within is not None and gap <= green_within.width(reference, percent) + 1e-9:
        return Rating(GREEN, f"Green: {text}, within the {green_within.describe(percent, 'green')}", "target")
    if amber_within is not None and gap <= amber_within.width(reference, percent) + 1e-9:
        return Rating(AMBER, f"Amber: {text}, within the {amber_within.describe(percent, 'amber')}", "target")
    return Rating(RED, f"Red: {text}", "target")


def rate_by_target(
    latest: Value,
    target: Target,
    polarity: Polarity,
    amber_within: Tolerance | None = None,
    green_within: Tolerance | None = None,
    previous: Value | None = None,
) -> Rating:
    """Rate a value against a target (see the module notes for the rules)."""
    if target.op == MAINTAIN:
        return _rate_maintain(latest, previous, target, polarity, amber_within, green_within)
    if latest.bound is not None:
        return _rate_bound(latest, target, polarity, amber_within, green_within)
    decimals = _max_decimals(latest.decimals, target.decimals)
    value = round_to(latest.number, decimals)  # type: ignore[arg-type]
    shown = latest.display()
    wanted = target.display()
    percent = latest.percent or target.percent
    unit = latest.unit or target.unit
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
        text = f"{shown} is {_amount(gap, decimals, percent, unit)} {where} the {wanted} target range"
        good_side = (polarity is Polarity.HIGH and gap > 0) or (polarity is Polarity.LOW and gap < 0)
        if good_side:
            return Rating(GREEN, f"Green: {text}, on the good side ({polarity.value})", "target")
        return _near(abs(gap), edge, text, percent, green_within, amber_within)
    aim = round_to(target.value, decimals)
    if op == "point":
        gap = value - aim
        if gap == 0:
            return Rating(GREEN, f"Green: {shown} is on the {wanted} target", "target")
        text = f"{shown} is {_amount(gap, decimals, percent, unit)} away from the {wanted} target"
        return _near(abs(gap), aim, text, percent, green_within, amber_within)
    higher_is_better = op in (">", ">=")
    met = {">": value > aim, ">=": value >= aim, "<": value < aim, "<=": value <= aim}[op]
    if met:
        return Rating(GREEN, f"Green: {shown} meets the {wanted} target", "target")
    shortfall = aim - value if higher_is_better else value - aim
    if shortfall == 0:
        text = f"{shown} is level with the {wanted} target but does not beat it"
    elif higher_is_better:
        text = f"{shown} is {_amount(shortfall, decimals, percent, unit)} short of the {wanted} target"
    else:
        text = f"{shown} is {_amount(shortfall, decimals, percent, unit)} above the {wanted} target"
    return _near(shortfall, aim, text, percent, green_within, amber_within)


def _rate_maintain(
    latest: Value,
    previous: Value | None,
    target: Target,
    polarity: Polarity,
    amber_within: Tolerance | None,
    green_within: Tolerance | None,
) -> Rating:
    """``Maintain``: no worse than the previous value, judged by the polarity."""
    wanted = target.display()
    if polarity not in (Polarity.HIGH, Polarity.LOW):
        return Rating(NA, f"N/A: the {wanted} target needs a polarity to tell better from worse", "target")
    if previous is None or previous.number is None:
        why = previous.missing if previous is not None else "no value"
        return Rating(NA, f"N/A: the {wanted} target needs the previous value ({why})", "target")
    if latest.bound is not None or previous.bound is not None:
        return Rating(NA, f"N/A: {previous.display()} → {latest.display()} includes a bound, so the {wanted} "
                          "target cannot be judged", "target")
    decimals = _max_decimals(latest.decimals, previous.decimals)
    now, before = round_to(latest.number, decimals), round_to(previous.number, decimals)  # type: ignore[arg-type]
    worse_by = before - now if polarity is Polarity.HIGH else now - before
    percent = latest.percent or previous.percent
    if worse_by <= 0:
        verb = "keeps" if worse_by == 0 else "improves on"
        return Rating(GREEN, f"Green: {latest.display()} {verb} the previous {previous.display()} "
                             f"({wanted} target)", "target")
    text = (f"{latest.display()} is {_amount(worse_by, decimals, percent, latest.unit)} worse than the previous "
            f"{previous.display()} ({wanted} target)")
    return _near(worse_by, before, text, percent, green_within, amber_within)


def _rate_bound(
    latest: Value,
    target: Target,
    polarity: Polarity,
    amber_within: Tolerance | None,
    green_within: Tolerance | None,
) -> Rating:
    """A censored value (``<0.1%``, ``>99%``) against a target: rated only when
    every value the bound allows gets the same rating (a percentage lies between
    0 and 100; the bound itself is excluded: ``<0.1%`` meets ``<0.1%``)."""
    below = latest.bound == "<"
    edge = float(latest.number)  # type: ignore[arg-type]
    limit = (0.0 if below else 100.0) if latest.percent else (-1e12 if below else 1e12)
    inside = edge - 1e-7 if below else edge + 1e-7  # just inside the open end
    points = [inside, limit]
    low, high = sorted((inside, limit))
    for special in (target.value, target.upper):  # a band or point target is best inside the range
        if special is not None and low < special < high:
            points.append(special)
    ratings = {rate_by_target(Value(x, latest.percent, 9), target, polarity, amber_within, green_within).rag
               for x in points}
    side = "below" if below else "above"
    bound_text = f"{latest.display()} is a bound (the value is {side} " \
                 f"{format_number(edge, latest.decimals, latest.percent)})"
    wanted = target.display()
    if len(ratings) > 1:
        could = " or ".join(sorted(ratings, key=lambda w: -RAG_RANK.get(w, -1)))
        return Rating(NA, f"N/A: {bound_text}: it could be {could} against the {wanted} target", "target")
    rag = ratings.pop()
    if rag == GREEN:
        verdict = f"any such value meets the {wanted} target"
    elif rag == AMBER:
        tolerance = amber_within.describe(latest.percent or target.percent, "amber") if amber_within else "tolerance"
        verdict = f"any such value misses the {wanted} target, within the {tolerance}"
    else:
        verdict = f"any such value misses the {wanted} target"
    return Rating(rag, f"{rag}: {bound_text}, and {verdict}", "target")


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


def rate_by_trend(direction: str) -> Rating:
    """Direction only: improving is Green, no change Amber, declining Red."""
    if direction == IMPROVING:
        return Rating(GREEN, "Green: improving on the previous value (rule: trend)", "trend")
    if direction == NO_CHANGE:
        return Rating(AMBER, "Amber: no change on the previous value (rule: trend)", "trend")
    if direction == DECLINING:
        return Rating(RED, "Red: declining on the previous value (rule: trend)", "trend")
    return Rating(NA, "N/A: no direction of travel to rate (rule: trend)", "trend")


def _top_quartile_by_quartile(target: Target, quartile: Quartile | None) -> Rating:
    """A ``Top quartile`` target whose threshold is not known: the quartile says it."""
    if quartile is None:
        return Rating(NA, f"N/A: the {target.display()} target needs benchmark data (Settings: Benchmark "
                          "data) or a Quartile", "target")
    if quartile.number == 1:
        return Rating(GREEN, f"Green: in the top quartile, meeting the {target.display()} target", "target")
    return Rating(RED, f"Red: in quartile {quartile.number}, short of the {target.display()} target", "target")


def rate(
    *,
    rule: Rule | RuleSpec,
    latest: Value | None,
    polarity: Polarity,
    direction: str,
    target: Target | None = None,
    quartile: Quartile | None = None,
    amber_within: Tolerance | None = None,
    override: tuple[str, str] | None = None,
    green_within: Tolerance | None = None,
    previous: Value | None = None,
) -> Rating:
    """Rate one indicator by ``rule``; an officer ``override`` wins, keeping its reason.

    A :class:`RuleSpec`'s own tolerances are used where ``green_within`` /
    ``amber_within`` are not given.
    """
    if isinstance(rule, RuleSpec):
        green_within = green_within if green_within is not None else rule.green_within
        amber_within = amber_within if amber_within is not None else rule.amber_within
        rule = rule.kind
    computed = _computed(rule, latest, polarity, direction, target, quartile, amber_within, green_within,
                         previous)
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
    green_within: Tolerance | None = None,
    previous: Value | None = None,
) -> Rating:
    if rule is Rule.NONE:
        return Rating(NA, "N/A: not rated (rule: none)", "none")
    if rule is Rule.TREND:
        return rate_by_trend(direction)
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
        if target.op == TOP_QUARTILE:
            return _top_quartile_by_quartile(target, quartile)
        return rate_by_target(latest, target, polarity, amber_within, green_within, previous)
    if quartile is None:
        return Rating(NA, "N/A: no benchmark quartile", "quartile")
    return rate_by_quartile(quartile, direction)
