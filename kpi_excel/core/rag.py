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

This module holds the vocabulary: rules as councils write them, quartiles,
RAG words and overrides. The rules run on whole columns in
:mod:`kpi_excel.core.engine.rag_columns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from kpi_excel.ooxml.brackets import bracketed_tail
from kpi_excel.core.rule_registry import Rule, RuleKind, find_rule, rule_names
from kpi_excel.core.targets import TargetError, Tolerance, parse_tolerance
from kpi_excel.errors import CellError

__all__ = [
    "RED",
    "AMBER",
    "GREEN",
    "NA",
    "RAG_RANK",
    "YELLOW",
    "BLUE",
    "STATUS_ORDER",
    "counted_order",
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
    "status_of_word",
    "row_rule",
    "narrower_than",
]

RED, AMBER, GREEN, NA = "Red", "Amber", "Green", "N/A"
# Two statuses some councils' keys add (issue 19): Yellow between Green and Amber (Isle of
# Anglesey's near miss), Blue beyond Green (Swansea's "Achieved TTAF", a second target).
YELLOW, BLUE = "Yellow", "Blue"
RAG_RANK = {RED: 0, AMBER: 1, GREEN: 2}
# Every status, best first: how counts and keys list them.
STATUS_ORDER = (BLUE, GREEN, YELLOW, AMBER, RED, NA)


class RagError(CellError):
    """A rule, quartile or override we cannot read."""


def counted_order(counts: dict[str, int]) -> list[str]:
    """The order to say counts of statuses in: Green, Amber, Red, N/A as ever, Blue
    and Yellow in their places, a council's own words (Green star) after them."""
    known = [w for w in STATUS_ORDER if w in counts or w in (GREEN, AMBER, RED, NA)]
    return known[:-1] + [w for w in counts if w not in known] + [NA]


@dataclass(frozen=True)
class RuleSpec:
    """A RAG rule as a council's key states it: the kind and its tolerances.

    ``green_within``: a miss this near is still Green. ``amber_within``: a miss
    this near is Amber. None: not given here (a wider setting may give it).
    A council's own statuses (issue 19): ``yellow_within``, a miss this near
    (beyond the green tolerance) is Yellow; ``blue``, "stretch": meeting the
    row's second, aspirational target is Blue, or a tolerance: beating the target
    by more than it is Blue; ``amber_if_improved``, a miss beyond the tolerances
    is Amber when the value improved on or held the previous one (Red when it
    worsened); ``names``, the council's word for each status it uses
    (("Green", "Green star"), ...).
    """

    kind: RuleKind = Rule.AUTO
    green_within: Tolerance | None = None
    amber_within: Tolerance | None = None
    yellow_within: Tolerance | None = None
    blue: Tolerance | str | None = None
    amber_if_improved: bool = False
    names: tuple[tuple[str, str], ...] = ()

    def name_of(self, status: str) -> str:
        """The council's word for a status (the status itself when it gave none)."""
        return dict(self.names).get(status, status)

    def statuses(self) -> tuple[str, ...]:
        """The statuses this rule can give, best first."""
        used = {GREEN, AMBER, RED, NA}
        if self.yellow_within is not None:
            used.add(YELLOW)
        if self.blue is not None:
            used.add(BLUE)
        return tuple(s for s in STATUS_ORDER if s in used)

    def overridden_by(self, green_within: Tolerance | None, amber_within: Tolerance | None) -> "RuleSpec":
        """This rule with tolerances given elsewhere (a run's options, the Settings
        sheet's tolerance rows) winning over its own text's."""
        return replace(self, green_within=self.green_within if green_within is None else green_within,
                       amber_within=self.amber_within if amber_within is None else amber_within)

    def text(self) -> str:
        """As an officer would type it: ``target green 5% amber 10%``."""
        parts = [self.kind.value]
        if self.green_within is not None:
            parts.append(f"green {self.green_within.text()}")
        if self.yellow_within is not None:
            parts.append(f"yellow {self.yellow_within.text()}")
        if self.amber_within is not None:
            parts.append(f"amber {self.amber_within.text()}")
        if self.amber_if_improved:
            parts.append("amber if improved")
        if isinstance(self.blue, Tolerance):
            parts.append(f"blue beyond {self.blue.text()}")
        elif self.blue is not None:
            parts.append("blue at stretch target")
        if self.names:
            parts.append("names " + ", ".join(f"{status}={name}" for status, name in self.names))
        return " ".join(parts)


_TOLERANCE_WORD = r"(\d+(?:\.\d+)?|\.\d+)\s*(%|pp|ppt|points?|pts?|auto|\(auto\))?|auto\s+\d+(?:\.\d+)?"
_SPEC = re.compile(
    rf"^(?P<kind>[a-z/ ]*?)\s*(?:within\s+)?(?P<bare>{_TOLERANCE_WORD})?\s*[,;]?\s*"
    rf"(?:green(?:\s+within)?\s*[:=]?\s*(?P<green>{_TOLERANCE_WORD}))?\s*[,;]?\s*"
    rf"(?:amber(?:\s+within)?\s*[:=]?\s*(?P<amber>{_TOLERANCE_WORD}))?$"
)


_LONGEST_RULE = 200

# A council's own statuses, read off the rule text before its tolerances (issue 19).
_YELLOW = re.compile(rf"(?:^|[ ,;])yellow(?:\s+within)?\s*[:=]?\s*(?P<tolerance>{_TOLERANCE_WORD})")
_BLUE_STRETCH = re.compile(r"(?:^|[ ,;])blue\s+(?:(?:at|on|for|when|if)\s+)?(?:(?:meeting|achieving|met)\s+)?"
                           r"(?:the\s+)?(?:stretch|aspirational|ttaf|high(?:er)?|upper|second)(?:\s+target)?")
_BLUE_BEYOND = re.compile(rf"(?:^|[ ,;])blue\s+(?:beyond|above|over)\s+(?P<tolerance>{_TOLERANCE_WORD})")
_AMBER_IF_IMPROVED = re.compile(r"(?:^|[ ,;])amber\s+(?:if|when)\s+(?:improved|improving|maintained|not\s+worse)"
                                r"(?:\s+or\s+(?:maintained|held|improved))?")
_NAMES = re.compile(r"(?:^|[ ,;])(?:names?|called)\s*:?\s*(?P<names>.+)$")
_STATUS_WORDS = {"red": RED, "amber": AMBER, "yellow": YELLOW, "green": GREEN, "blue": BLUE}


def _own_statuses(cleaned: str, written: str) -> tuple[str, dict[str, object]]:
    """Take a key's own-status clauses out of a rule text: the rest, and what they say.
    ``written`` is the text as typed (same length as ``cleaned``, case kept, for names)."""
    found: dict[str, object] = {}
    names = _NAMES.search(cleaned)
    if names:
        pairs = []
        for part in re.split(r"\s*[,;]\s*", written[names.start("names"):].strip()):
            status, _, name = part.partition("=")
            key = _STATUS_WORDS.get(status.strip().lower())
            if key is None or not name.strip():
                raise RagError(f"RAG rule names '{part.strip()[:40]}': write a status and the council's word "
                               "for it, e.g. Green=Green star")
            pairs.append((key, name.strip()[:40]))
        found["names"] = tuple(pairs)
        cleaned, written = cleaned[:names.start()], written[:names.start()]
    for key, pattern in (("yellow_within", _YELLOW), ("blue", _BLUE_BEYOND), ("blue", _BLUE_STRETCH),
                         ("amber_if_improved", _AMBER_IF_IMPROVED)):
        match = pattern.search(cleaned)
        if match is None:
            continue
        if key in found:
            raise RagError(f"RAG rule '{written.strip()[:60]}' gives Blue twice")
        tolerance = match.groupdict().get("tolerance")
        found[key] = True if key == "amber_if_improved" else (tolerance if tolerance is not None else "stretch")
        cleaned = cleaned[:match.start()] + " " + cleaned[match.end():]
        written = written[:match.start()] + " " + written[match.end():]
    return re.sub(r"\s+", " ", cleaned).strip(" ,;"), found


def parse_rule_spec(text: object, default: RuleSpec | None = None) -> RuleSpec | None:
    """Read a rule as written in a RAG Rule cell, a Settings row or ``--rule``.

    ``target 10pp`` (the bare tolerance is the amber one), ``target green 5%
    amber 10%``, ``quartile``, ``trend``, ``auto``, ``none``. Tolerances alone
    (``green 5% amber 10%``) mean ``auto`` with those tolerances. Empty gives
    ``default``. Raises :class:`RagError` naming the text otherwise.
    """
    if isinstance(text, RuleSpec):
        return text
    if isinstance(text, RuleKind):
        return RuleSpec(text)
    written = re.sub(r"\s+", " ", str(text or "").strip())
    cleaned = written.lower()
    if cleaned == "":
        return default
    own: dict[str, object] = {}
    if len(cleaned) <= _LONGEST_RULE and any(w in cleaned for w in ("yellow", "blue", "amber if", "amber when",
                                                                     "name", "called")):
        cleaned, own = _own_statuses(cleaned, written)
    # The longest rule is ~60 characters; the pattern's lazy start is quadratic on a long text.
    match = _SPEC.match(cleaned) if len(cleaned) <= _LONGEST_RULE else None
    kind_text = (match["kind"].strip() if match else cleaned) or ("auto" if match else "")
    kind = find_rule(kind_text) if match is not None else None
    if kind is None:
        raise RagError(
            f"unknown RAG rule '{str(text).strip()[:60]}' (expected {rule_names(rating_first=True)}, "
            "optionally with tolerances: target 10pp, target green 5% amber 10%)"
        )
    try:
        green = parse_tolerance(match["green"])
        amber = parse_tolerance(match["amber"] or match["bare"])
    except TargetError as error:
        raise RagError(f"RAG rule '{str(text).strip()[:60]}': {error}") from None
    if match["bare"] and match["amber"]:
        raise RagError(f"RAG rule '{str(text).strip()[:60]}' gives the amber tolerance twice")
    if (green or amber or own) and not kind.takes_tolerances:
        raise RagError(f"RAG rule '{str(text).strip()[:60]}': tolerances apply to targets, not to the "
                       f"{kind.value} rule")
    try:
        yellow = parse_tolerance(own.get("yellow_within"))
        blue = own.get("blue")
        blue = parse_tolerance(blue) if blue not in (None, "stretch") else blue
    except TargetError as error:
        raise RagError(f"RAG rule '{str(text).strip()[:60]}': {error}") from None
    return RuleSpec(kind, green, amber, yellow, blue, bool(own.get("amber_if_improved")),  # type: ignore[arg-type]
                    own.get("names", ()))  # type: ignore[arg-type]


def parse_rule(text: object, default: RuleKind = Rule.AUTO) -> RuleKind:
    """Read a RAG rule's kind (tolerances, if written, are read by
    :func:`parse_rule_spec`); empty gives ``default``."""
    if isinstance(text, RuleKind):
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
    bracket = bracketed_tail(text)  # "2 (high)"; a regex here took 138 s on 100,000 "("
    if bracket:
        text, inner = bracket[0].strip(), bracket[1]
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
    "r": RED, "red": RED, "a": AMBER, "amber": AMBER, "g": GREEN, "green": GREEN, "blue": BLUE, "b": BLUE,
    "n/a": NA, "na": NA, "not rated": NA, "none": NA, "-": NA,
}
# How published keys say it (Pentana's Alert/Warning/OK; "On target"; Belfast's yellow).
_PUBLISHED_RAG_WORDS = {
    **{w: GREEN for w in ("on target", "on track", "met", "target met", "achieved", "target achieved", "ok",
                          "above target", "exceeded", "exceeding target", "meeting target", "better than target",
                          "on or above target")},
    **{w: AMBER for w in ("close to target", "near target", "within tolerance", "slightly below target",
                          "warning", "just short", "just short of target", "slightly missed",
                          "target slightly missed", "minor variance")},
    **{w: RED for w in ("off target", "off track", "not met", "target not met", "missed", "target missed",
                        "below target", "alert", "target not achieved", "not achieved",
                        "significantly below target")},
    # A key without a Yellow reads it as Amber (Belfast); checks/rating compare it as Yellow where the key has one.
    **{w: YELLOW for w in ("yellow", "amber-green", "amber/green", "amber green", "green-amber")},
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


def status_of_word(word: object, *rules: "RuleSpec | None") -> str | None:
    """The status a RAG cell says: a RAG word, Blue or Yellow, or a council's own name
    for one in ``rules``' names ("Green star" → Green); None if none of these."""
    found = parse_rag_word(word)
    if found is None:
        text = str(word or "").strip().lower()
        found = next((status for rule in rules if rule is not None for status, name in rule.names
                      if name.lower() == text), None)
    return found


def row_rule(text: object, default: "RuleSpec") -> "RuleSpec":
    """A row's RAG Rule cell as a rule (``default`` when empty or unreadable: the
    rating run names an unreadable one)."""
    try:
        return parse_rule_spec(text, default) or default
    except RagError:
        return default


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
