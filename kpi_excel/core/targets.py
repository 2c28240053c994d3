"""Targets and tolerances as officers write them.

Targets: ``>97.2%`` (strictly above), ``>=90%`` / ``≥ 90%`` / ``at least 90%`` /
``95% or above`` / ``90+`` (inclusive), ``<20.8%`` / ``below 10``, ``<=`` /
``no more than 5%`` / ``5 or less``, a bare number (met on the good side of the
polarity, inclusively; ``10 days`` and ``£1.1m`` are numbers too), a band
``90%-95%`` / ``between 90 and 95`` / ``95% ± 2``, ``Maintain`` (no worse than
the previous value), ``Top quartile`` (the comparator group's top-quartile
threshold; ``Top quartile (>74.3)`` once the benchmark has said what it is),
and ``N/A`` (no target). A target written as a sentence reads the same:
``A minimum of 50%.``, ``A maximum of 16,387 tonnes.``, ``Less than 30 weeks.``.

Tolerances (how near a miss is Green or Amber, or how near a change is Same):
``5%`` is relative (5% of the target, or of the previous value), ``2pp`` /
``2 points`` / ``2`` is absolute, and ``10 auto`` is points when the value is a
percentage and relative otherwise (the "within 10%" many councils write for
both rates and counts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kpi_excel.core.values import Value, ValueReadError, format_number, parse_value
from kpi_excel.errors import CellError

__all__ = ["Target", "TargetError", "Tolerance", "parse_target", "parse_tolerance", "MAINTAIN", "TOP_QUARTILE"]


class TargetError(CellError):
    """A target or tolerance we cannot read."""


@dataclass(frozen=True)
class Target:
    """A target: ``op`` is one of ``> >= < <= = band``.

    ``=`` is a bare number whose good side comes from the polarity; ``band``
    runs from ``value`` to ``upper``.
    """

    op: str  # > >= < <= = band maintain top_quartile
    value: float
    percent: bool = False
    decimals: int | None = None
    upper: float | None = None
    text: str = ""
    unit: str | None = None  # "£", "days": said again in reasons

    @property
    def numeric(self) -> bool:
        """True for a target with a number to compare (not Maintain or an
        unresolved Top quartile)."""
        return self.op not in (MAINTAIN, TOP_QUARTILE)

    def display(self) -> str:
        """The target as written, e.g. ``>97.2%``."""
        if self.text:
            return self.text
        low = format_number(self.value, self.decimals, self.percent)
        if self.op == "band" and self.upper is not None:
            return f"{low}–{format_number(self.upper, self.decimals, self.percent)}"
        return low if self.op == "=" else f"{self.op}{low}"

    def scaled(self, factor: float) -> "Target":
        """The same target in other units (a fraction read as a percentage)."""
        upper = None if self.upper is None else self.upper * factor
        decimals = None if self.decimals is None else max(self.decimals - 2, 0)
        return Target(self.op, self.value * factor, True, decimals, upper, "")


MAINTAIN, TOP_QUARTILE = "maintain", "top_quartile"


_NO_TARGET = {"", "n/a", "na", "-", "–", "none", "no target", "tbc", "tbd", "not set", "n/k", "x", "nil"}
_WORD_OPS = [
    (">=", r"at least|minimum( of)?|min\.?|no less than|not less than|greater than or equal to|"
           r"equal to or (above|greater than|more than)"),
    (">", r"more than|above|over|greater than|exceeds?|better than|higher than"),
    ("<=", r"at most|maximum( of)?|max\.?|no more than|not more than|up to|less than or equal to|"
           r"equal to or (below|less than)"),
    ("<", r"less than|below|under|fewer than|lower than"),
]
# "95% or above", "5 or fewer", "90+": the word after the number.
_SUFFIX_OPS = [
    (">=", r"or\s+(above|more|higher|greater|over)|and\s+(above|over)|\+|or\s+better"),
    ("<=", r"or\s+(below|less|fewer|lower|under)|and\s+(below|under)"),
]
_MAINTAIN = re.compile(r"^(maintain|maintained|maintain (or improve|performance|current (level|performance))|"
                       r"no worse than (last|the previous) (year|quarter|period|value)|same or better|"
                       r"at least (the )?same( as last (year|quarter))?)$", re.I)
_TOP_QUARTILE = re.compile(r"^(top|upper|1st|first)\s+quartile(\s*\((?P<inner>[^()]+)\))?$", re.I)
_SYMBOL_OP = re.compile(r"^(?P<op>>=|=>|≥|<=|=<|≤|>|<|=)\s*(?P<rest>.+)$")
_BAND = re.compile(
    r"^(?:between\s+)?(?P<low>[-+]?[\d.,]+\s*%?)\s*(?:-|–|—|to|and)\s*(?P<high>[-+]?[\d.,]+\s*%?)$", re.I
)
_PLUS_MINUS = re.compile(r"^(?P<mid>[-+]?[\d.,]+\s*%?)\s*\(?\s*(?:±|\+/-|\+-)\s*(?P<half>[\d.,]+)\s*(?:%|pp|points?)?\s*\)?$", re.I)


def parse_target(raw: object, number_format: str | None = None) -> Target | None:
    """Read a target cell; None when there is no target (``N/A``, empty, ``TBC``).

    Raises :class:`TargetError` naming the text when it cannot be read.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise TargetError(f"'{raw}' is not a target")
    if isinstance(raw, (int, float)):
        value = _value(raw, number_format, str(raw))
        return Target("=", value.number, value.percent, value.decimals)  # type: ignore[arg-type]
    return _parse_text(str(raw))


@lru_cache(maxsize=8192)
def _parse_text(raw: str) -> Target | None:
    text = raw.replace("\u00a0", " ").replace("\u2212", "-").strip()
    if len(text) > 60:
        raise TargetError(f"a {len(text):,}-character text is not a target")
    text = re.sub(r"^target\s*[:=]?\s*", "", text, flags=re.I).strip()
    if text.lower().rstrip(".*") in _NO_TARGET:
        return None
    shown = raw.strip()
    # Written as a sentence: "A minimum of 50%." (Northern Ireland's statutory standards).
    text = re.sub(r"^an?\s+(?=(minimum|maximum)\b)", "", text, flags=re.I)
    text = re.sub(r"(?<=[\d%a-z])\.$", "", text, flags=re.I)
    shown = re.sub(r"(?<=[\d%a-z])\.$", "", shown, flags=re.I)  # "the Less than 30 weeks target"
    if _MAINTAIN.match(text):
        return Target(MAINTAIN, 0.0, text=shown)
    match = _TOP_QUARTILE.match(text)
    if match:
        if match["inner"]:
            inner = _parse_text(match["inner"])
            if inner is not None and inner.numeric:
                return Target(inner.op, inner.value, inner.percent, inner.decimals, inner.upper, shown, inner.unit)
        return Target(TOP_QUARTILE, 0.0, text=shown)
    match = _SYMBOL_OP.match(text)
    if match:
        op = {"=>": ">=", "≥": ">=", "=<": "<=", "≤": "<="}.get(match["op"], match["op"])
        value = _value(match["rest"].strip(), None, raw)
        return _target(op, value, shown)
    for op, words in _WORD_OPS:
        match = re.match(rf"^(?:{words})\s+(?P<rest>.+)$", text, re.I)
        if match:
            value = _value(match["rest"].strip(), None, raw)
            return _target(op, value, shown)
    for op, words in _SUFFIX_OPS:
        match = re.match(rf"^(?P<rest>.*?\d\s*%?)\s*(?P<word>{words})$", text, re.I)
        if match:
            value = _value(match["rest"].strip(), None, raw)
            if match["word"].lower().replace(" ", "") == "orbetter":
                op = "="  # a bare number: met on the good side of the polarity
            return _target(op, value, shown)
    match = _PLUS_MINUS.match(text)
    if match:
        mid = _value(match["mid"], None, raw)
        half = float(match["half"].replace(",", ""))
        return Target(
            "band", mid.number - half, mid.percent, mid.decimals, mid.number + half, text=shown  # type: ignore[operator]
        )
    match = _BAND.match(text)
    if match and not _is_plain_number(text):
        low, high = _value(match["low"], None, raw), _value(match["high"], None, raw)
        percent = low.percent or high.percent
        if low.number > high.number:  # type: ignore[operator]
            low, high = high, low
        decimals = max(low.decimals or 0, high.decimals or 0)
        return Target("band", low.number, percent, decimals, high.number, text=shown)  # type: ignore[arg-type]
    value = _value(text, None, raw)
    return _target("=", value, shown)


def _target(op: str, value: Value, shown: str) -> Target:
    return Target(op, value.number, value.percent, value.decimals, text=shown, unit=value.unit)  # type: ignore[arg-type]


def _is_plain_number(text: str) -> bool:
    try:
        return parse_value(text).ok
    except ValueReadError:
        return False


def _value(text: object, number_format: str | None, raw: object) -> Value:
    try:
        value = parse_value(text, number_format)
    except ValueReadError:
        value = Value(None)
    if value.number is None or value.bound is not None:
        raise TargetError(
            f"cannot read target '{str(raw).strip()[:40]}' (expected e.g. >97.2%, <20.8%, >=90, 85%, "
            "95% or above, 90%-95%, Maintain, Top quartile or N/A)"
        )
    return value


@dataclass(frozen=True)
class Tolerance:
    """How far from a reference still counts as near: relative (``5%``),
    absolute (``2pp``, ``200``), or ``auto`` (points for a percentage, else relative)."""

    amount: float
    relative: bool
    auto: bool = False

    def resolved(self, percent: bool) -> "Tolerance":
        """The tolerance for a value that is (or is not) a percentage."""
        if not self.auto:
            return self
        return Tolerance(self.amount, relative=not percent)

    def width(self, reference: float, percent: bool = False) -> float:
        """The tolerance in the units of ``reference``."""
        tolerance = self.resolved(percent)
        return abs(reference) * tolerance.amount / 100 if tolerance.relative else tolerance.amount

    def describe(self, percent_units: bool = False, kind: str = "") -> str:
        """``5% green tolerance``, ``2-point amber tolerance``, ``200 tolerance``; an
        auto tolerance says which unit it took."""
        tolerance = self.resolved(percent_units)
        amount = format_number(tolerance.amount, None)
        named = f"{kind} tolerance" if kind else "tolerance"
        if tolerance.relative:
            text = f"{amount}% {named}"
        elif percent_units:
            text = f"{amount}-point {named}"
        else:
            text = f"{amount} {named}"
        if self.auto:
            text += (" (auto: points, as the value is a percentage)" if percent_units
                     else " (auto: % of the target, as the value is not a percentage)")
        return text

    def text(self) -> str:
        """As an officer would type it back: ``5%``, ``2pp``, ``10 auto``."""
        amount = format_number(self.amount, None).replace(",", "")
        if self.auto:
            return f"{amount} auto"
        return f"{amount}%" if self.relative else f"{amount}pp"


_TOLERANCE = re.compile(
    r"^(?:(?P<auto_first>auto)\s+)?(?P<num>\d+(?:\.\d+)?|\.\d+)\s*"
    r"(?P<unit>%|pp|ppt|percentage points?|points?|pts?|abs(?:olute)?|\(?auto\)?|% ?or ?pp|pp ?or ?%)?$",
    re.I,
)


def parse_tolerance(raw: object) -> Tolerance | None:
    """Read ``5%`` (relative), ``2pp`` / ``2 points`` / ``2`` (absolute), ``10 auto``
    (points for a percentage, relative otherwise); None if empty."""
    if raw is None:
        return None
    if isinstance(raw, Tolerance):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Tolerance(float(raw), relative=False)
    text = str(raw).strip()
    if text.lower() in ("", "n/a", "none", "-", "0"):
        return None
    match = _TOLERANCE.match(text)
    if not match:
        raise TargetError(f"cannot read tolerance '{text[:40]}' (expected e.g. 5% for relative, 2pp for points, "
                          "or 10 auto for points on a percentage and % otherwise)")
    unit = re.sub(r"[\s()]", "", (match["unit"] or "").lower())
    if match["auto_first"] or unit in ("auto", "%orpp", "ppor%"):
        return Tolerance(float(match["num"]), relative=False, auto=True)
    return Tolerance(float(match["num"]), relative=unit == "%")
