"""RAG for whole columns, with the reason for each row in words an officer can paste.

The rules are those of :mod:`kpi_excel.core.rag` (its module notes say them in
full): target (met Green; a miss within the green tolerance Green, within the
amber tolerance Amber, else Red; bands, points, Maintain, Top quartile and
censored values), quartile (the Leicestershire key), trend (direction only),
auto, none; an officer's override wins and keeps its reason; no polarity or no
data is N/A.

Each row is decided with numpy masks over the rows of its rule; the reason is
then written from a template for the branch the row took, filled with the
values as they were shown. A censored value is rated by evaluating the same
target rule at the values its bound allows.
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Sequence

import numpy as np

from kpi_excel.core.engine.parsed import (
    any_of,
    D_DECLINING,
    D_IMPROVING,
    D_NO_CHANGE,
    DIRECTIONS,
    K_AUTO,
    K_NONE,
    K_QUARTILE,
    K_TARGET,
    K_TREND,
    OP_BAND,
    OP_EQ,
    OP_GE,
    OP_GT,
    OP_LE,
    OP_LT,
    OP_MAINTAIN,
    OP_TOP_QUARTILE,
    P_HIGH,
    P_LOW,
    P_NONE,
    POLARITIES,
    POLARITY_CODE,
    R_AMBER,
    R_GREEN,
    R_NA,
    R_RED,
    R_YELLOW,
    R_BLUE,
    RAGS,
    TargetColumn,
    ToleranceColumn,
    ValueColumn,
    each,
    half_code,
    H_BETTER,
    H_WORSE,
    objects,
    QuartileHalf,
)
from kpi_excel.core.engine.rounding import max_decimals, round_columns
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.rag import AMBER, BLUE, GREEN, NA, RED, YELLOW, Quartile, Rating, RuleSpec
from kpi_excel.core.rule_registry import RuleKind, rule_of_code
from kpi_excel.core.targets import Target, Tolerance
from kpi_excel.core.values import Value, format_number

__all__ = ["RagInputs", "RagColumns", "RuleRows", "rag_columns", "rate_parsed", "RAG_CODE", "format_numbers"]

RAG_CODE = {NA: R_NA, RED: R_RED, AMBER: R_AMBER, GREEN: R_GREEN, YELLOW: R_YELLOW, BLUE: R_BLUE}
# A target written as words that compare ("below 20%", "Less than 30 weeks.", "A minimum of 50%")
# cannot go between "the" and "target" ("above the below 20% target"): it follows in brackets.
_WORDED = re.compile(r"^(?:below|above|under|over|less|more|fewer|greater|lower|higher|at least|at most|"
                     r"an? (?:minimum|maximum)|minimum|maximum|no (?:more|less|fewer)|not (?:more|less|over|under)|"
                     r"up to|within|between)\b", re.I)


def the_target(text: object, what: str = "target") -> str:
    """"the >97.2% target", but "the target (below 20%)" for a target written in words."""
    text = str(text)
    return f"the {what} ({text})" if _WORDED.match(text.strip()) else f"the {text} {what}"


# the_target for a column's target texts (str): a million rows name a few thousand targets.
_the_target_text = lru_cache(maxsize=4096)(the_target)


class _TargetOp(IntEnum):
    """Operators the target rule adds to :data:`~kpi_excel.core.engine.parsed.Op`'s (numbered past them)."""

    POINT = 100  # a bare number on a "close to target" indicator: best on the target itself


_OP_POINT = _TargetOp.POINT


@dataclass
class RagInputs:
    """What each row is rated from (arrays a row each)."""

    kind: np.ndarray  # rule kind code (K_*)
    green: ToleranceColumn
    amber: ToleranceColumn
    latest: ValueColumn
    previous: ValueColumn
    target: TargetColumn
    polarity: np.ndarray  # P_* (P_NONE where not recognised)
    polarity_known: np.ndarray
    no_polarity_reason: np.ndarray  # the N/A reason where the polarity says "none" (else None)
    direction: np.ndarray  # D_*
    quartile: np.ndarray  # 1-4, 0 where none
    half: np.ndarray  # a QuartileHalf code
    override: np.ndarray  # (RAG word, officer's reason) or None
    # Each row's settled RuleSpec, where a council's key adds statuses (Yellow, Blue, Amber
    # by trend), and the second, stretch target Blue is measured against.
    rules: np.ndarray | None = None
    own: np.ndarray | None = None  # rows whose rule adds statuses
    stretch: TargetColumn | None = None


@dataclass
class RagColumns:
    rag: np.ndarray  # R_* codes
    reason: np.ndarray  # str
    rule: np.ndarray  # "target" / "quartile" / "trend" / "none" / "override"


def rag_columns(inputs: RagInputs) -> RagColumns:
    """Rate every row by its rule (see the module notes)."""
    size = len(inputs.kind)
    out = RagColumns(np.full(size, R_NA, dtype=np.int8), np.full(size, "", dtype=object), np.full(size, "", dtype=object))
    overridden = np.array([o is not None for o in inputs.override], dtype=bool)
    unknown = ~overridden & ~inputs.polarity_known
    out.reason[unknown], out.rule[unknown] = "N/A: polarity not recognised", "none"
    told = ~overridden & ~unknown & (inputs.polarity == P_NONE) & \
        np.array([r is not None for r in inputs.no_polarity_reason], dtype=bool) & (inputs.kind != K_NONE)
    out.reason[told], out.rule[told] = inputs.no_polarity_reason[told], "none"
    computed = np.flatnonzero(overridden | (~unknown & ~told))
    if len(computed):
        _computed(inputs, computed, out)
    rows = np.flatnonzero(overridden)
    if len(rows):
        words = [inputs.override[row][0] for row in rows]
        reasons = []
        for row, (word, why) in zip(rows, (inputs.override[row] for row in rows)):
            said = f": {why}" if why else ""
            reasons.append(f"{word} (officer override{said}; calculated {RAGS[out.rag[row]]})")
        out.rag[rows] = [RAG_CODE[w] for w in words]
        out.reason[rows] = objects(reasons)
        out.rule[rows] = "override"
    return out


def _set(out: RagColumns, rows: np.ndarray, rag: object, reasons: object, rule: object) -> None:
    if len(rows):
        out.rag[rows] = rag
        out.reason[rows] = reasons if isinstance(reasons, str) else objects(reasons)  # type: ignore[arg-type]
        out.rule[rows] = rule


@dataclass(frozen=True)
class RuleRows:
    """What a registered rule's ``decide`` is given: its rows, parsed, one entry a
    row (``direction`` as words: Improving, Declining, No change, Not applicable;
    ``quartile`` 1-4 or 0). It returns a (RAG word, reason) per row."""

    latest: list[Value]
    previous: list[Value]
    target: list[Target | None]
    polarity: list[Polarity]
    direction: list[str]
    quartile: list[int]
    green_within: list[Tolerance | None]
    amber_within: list[Tolerance | None]


def _registered(inputs: RagInputs, rows: np.ndarray, out: RagColumns) -> None:
    """Rows whose rule was registered beyond the built-ins: each rule's own ``decide``."""
    kind = inputs.kind[rows]
    for code in np.unique(kind[kind > K_NONE]).tolist():
        picked = rows[kind == code]
        rule = rule_of_code(code)
        given = RuleRows(inputs.latest.values[picked].tolist(), inputs.previous.values[picked].tolist(),
                         inputs.target.targets[picked].tolist(), [POLARITIES[p] for p in inputs.polarity[picked]],
                         DIRECTIONS[inputs.direction[picked]].tolist(), inputs.quartile[picked].tolist(),
                         inputs.green.tolerances[picked].tolist(), inputs.amber.tolerances[picked].tolist())
        decided = list(rule.decide(given))  # type: ignore[misc]
        _set(out, picked, [RAG_CODE[word] for word, _ in decided], [reason for _, reason in decided], rule.value)


def _computed(inputs: RagInputs, rows: np.ndarray, out: RagColumns) -> None:
    """The rating each rule gives (before an override)."""
    kind = inputs.kind[rows]
    _set(out, rows[kind == K_NONE], R_NA, "N/A: not rated (rule: none)", "none")
    _registered(inputs, rows, out)
    by_trend = rows[kind == K_TREND]
    if len(by_trend):
        table = _trend_table()
        picked = inputs.direction[by_trend]
        out.rag[by_trend] = [table[d][0] for d in picked]
        out.reason[by_trend] = objects([table[d][1] for d in picked])
        out.rule[by_trend] = "trend"
    # auto: the target rule where there is a target, else the quartile rule where there is a quartile.
    has_target = inputs.target.present[rows]
    has_quartile = inputs.quartile[rows] > 0
    effective = np.where(kind == K_AUTO, np.where(has_target, K_TARGET, np.where(has_quartile, K_QUARTILE, -1)), kind)
    _set(out, rows[effective == -1], R_NA, "N/A: no target and no benchmark quartile", "none")
    rated = any_of(effective, (K_TARGET, K_QUARTILE))
    no_value = rated & ~inputs.latest.ok[rows]
    missing = rows[no_value]
    _set(out, missing, R_NA, [f"N/A: latest value {why}" for why in inputs.latest.missing(missing)],
         np.where(effective[no_value] == K_TARGET, "target", "quartile").astype(object))
    by_target = rows[rated & ~no_value & (effective == K_TARGET)]
    if len(by_target):
        _by_target(inputs, by_target, out)
    by_quartile = rows[rated & ~no_value & (effective == K_QUARTILE)]
    if len(by_quartile):
        quartile = inputs.quartile[by_quartile]
        _set(out, by_quartile[quartile == 0], R_NA, "N/A: no benchmark quartile", "quartile")
        known = by_quartile[quartile > 0]
        if len(known):
            table = _quartile_table()
            keys = [(q, h, d) for q, h, d in zip(inputs.quartile[known], inputs.half[known], inputs.direction[known])]
            out.rag[known] = [table[k][0] for k in keys]
            out.reason[known] = objects([table[k][1] for k in keys])
            out.rule[known] = "quartile"


def _by_target(inputs: RagInputs, rows: np.ndarray, out: RagColumns) -> None:
    target = inputs.target
    op = target.op[rows]
    present = op != 0
    _set(out, rows[~present], R_NA, "N/A: no target", "target")
    undirected = present & (inputs.polarity[rows] == P_NONE) & (op == OP_EQ)
    picked = rows[undirected]
    _set(out, picked, R_NA, [f"N/A: {the_target(w)} has no direction and the indicator has no polarity"
                             for w in target.shown[picked]], "target")
    left = present & ~undirected
    _top_quartile(inputs, rows[left & (op == OP_TOP_QUARTILE)], out)
    _maintain(inputs, rows[left & (op == OP_MAINTAIN)], out)
    numeric = left & ~any_of(op, (OP_TOP_QUARTILE, OP_MAINTAIN))
    bounded = numeric & (inputs.latest.bound[rows] != 0)
    _bounded(inputs, rows[bounded], out)
    _numeric(inputs, rows[numeric & ~bounded], out)


def _top_quartile(inputs: RagInputs, rows: np.ndarray, out: RagColumns) -> None:
    """A ``Top quartile`` target whose threshold is not known: the quartile says it."""
    if not len(rows):
        return
    quartile, wanted = inputs.quartile[rows], inputs.target.shown[rows]
    none, top, other = quartile == 0, quartile == 1, quartile > 1
    _set(out, rows[none], R_NA, [f"N/A: {the_target(w)} needs benchmark data (Settings: Benchmark data) or a Quartile"
                                 for w in wanted[none]], "target")
    _set(out, rows[top], R_GREEN, [f"Green: in the top quartile, meeting {the_target(w)}" for w in wanted[top]],
         "target")
    _set(out, rows[other], R_RED, [f"Red: in quartile {q}, short of {the_target(w)}"
                                   for q, w in zip(quartile[other], wanted[other])], "target")


# --- numbers against a target ---------------------------------------------------------------


@dataclass
class _Decision:
    """How the numeric target rule decided each row."""

    rag: np.ndarray
    branch: np.ndarray  # a _Branch code
    gap: np.ndarray  # the gap the reason states (signed for bands and points)
    decimals: np.ndarray
    percent: np.ndarray


class _Branch(IntEnum):
    """Which way the numeric target rule decided a row; the reason's wording follows it."""

    BAND_IN = 0  # within a target range: Green
    BAND_GOOD = 1  # outside the range on the polarity's good side: Green
    BAND_OUT = 2  # outside the range on the bad side: by the tolerances
    ON = 3  # on a "close to target" point: Green
    AWAY = 4  # away from the point: by the tolerances
    MEETS = 5  # meets an operator's target (>, >=, <, <=): Green
    LEVEL = 6  # level with a target it must beat (> or <): by the tolerances
    SHORT = 7  # short of a target to reach: by the tolerances
    ABOVE = 8  # above a target to stay under: by the tolerances


_BAND_IN, _BAND_GOOD, _BAND_OUT, _ON, _AWAY, _MEETS, _LEVEL, _SHORT, _ABOVE = _Branch


def _decide(number: np.ndarray, decimals: np.ndarray, percent: np.ndarray, target: TargetColumn, rows: np.ndarray,
            polarity: np.ndarray, green: ToleranceColumn, amber: ToleranceColumn,
            yellow: ToleranceColumn | None = None) -> _Decision:
    """The target rule for numbers (not bounds, Maintain or Top quartile): met is
    Green, a miss is Green/Amber/Red by the tolerances; ``>`` strict, ``>=``
    inclusive, a bare number met on the good side of the polarity; a band is
    Green inside and on the good side of a High/Low polarity."""
    places = max_decimals(decimals, target.decimals[rows])
    value = round_columns(number, places)
    percent = percent | target.percent[rows]
    op = target.op[rows].astype(np.int16)
    op = np.where(op == OP_EQ, np.where(polarity == P_HIGH, OP_GE, np.where(polarity == P_LOW, OP_LE, _OP_POINT)), op)
    upper = target.upper[rows]
    band = (op == OP_BAND) & ~np.isnan(upper)
    aim = round_columns(target.value[rows], places)  # a band's low end, rounded alike
    high = round_columns(upper, places)
    size = len(rows)
    branch = np.full(size, _MEETS, dtype=np.int8)
    gap = np.zeros(size)
    reference = aim.copy()
    near = np.zeros(size, dtype=bool)
    rag = np.full(size, R_GREEN, dtype=np.int8)

    inside = band & (aim <= value) & (value <= high)
    branch[inside] = _BAND_IN
    outside = band & ~inside
    edge = np.where(value < aim, aim, high)
    band_gap = value - edge
    good = outside & (((polarity == P_HIGH) & (band_gap > 0)) | ((polarity == P_LOW) & (band_gap < 0)))
    branch[good] = _BAND_GOOD
    miss = outside & ~good
    branch[miss], gap[miss], reference[miss], near[miss] = _BAND_OUT, band_gap[miss], edge[miss], True
    gap[good] = band_gap[good]

    point = ~band & (op == _OP_POINT)
    point_gap = value - aim
    on = point & (point_gap == 0)
    branch[on] = _ON
    away = point & ~on
    branch[away], gap[away], near[away] = _AWAY, point_gap[away], True

    compared = ~band & ~point
    higher_is_better = (op == OP_GT) | (op == OP_GE)
    met = compared & (((op == OP_GT) & (value > aim)) | ((op == OP_GE) & (value >= aim)) |
                      ((op == OP_LT) & (value < aim)) | ((op == OP_LE) & (value <= aim)))
    shortfall = np.where(higher_is_better, aim - value, value - aim)
    missed = compared & ~met
    branch[missed] = np.where(shortfall[missed] == 0, _LEVEL, np.where(higher_is_better[missed], _SHORT, _ABOVE))
    gap[missed], near[missed] = shortfall[missed], True

    if near.any():
        distance = np.abs(gap)
        within_green = near & green.present & (distance <= green.width(reference, percent) + 1e-9)
        within_yellow = np.zeros(size, dtype=bool) if yellow is None else \
            near & ~within_green & yellow.present & (distance <= yellow.width(reference, percent) + 1e-9)
        within_amber = near & ~within_green & ~within_yellow & amber.present & \
            (distance <= amber.width(reference, percent) + 1e-9)
        rag[near] = R_RED
        rag[within_green] = R_GREEN
        rag[within_yellow] = R_YELLOW
        rag[within_amber] = R_AMBER
    return _Decision(rag, branch, gap, places, percent)


def _numeric(inputs: RagInputs, rows: np.ndarray, out: RagColumns) -> None:
    if not len(rows):
        return
    latest, target = inputs.latest, inputs.target
    polarity = inputs.polarity[rows]
    green, amber = inputs.green.take(rows), inputs.amber.take(rows)
    own = inputs.rules is not None and inputs.own is not None and bool(inputs.own[rows].any())
    specs = inputs.rules[rows] if own else None  # type: ignore[index]
    yellow = ToleranceColumn.of([s.yellow_within for s in specs.tolist()]) if own else None  # type: ignore[union-attr]
    decision = _decide(latest.number[rows], latest.decimals[rows], latest.percent[rows], target, rows, polarity,
                       green, amber, yellow)
    shown, wanted = latest.shown[rows], target.shown[rows]
    branch = decision.branch
    reasons = np.empty(len(rows), dtype=object)
    for code, template, what in ((_MEETS, "Green: {} meets {}", "target"),
                                 (_BAND_IN, "Green: {} is within {}", "target range"),
                                 (_ON, "Green: {} is on {}", "target"),
                                 (_LEVEL, "{} is level with {} but does not beat it", "target")):
        picked = np.flatnonzero(branch == code)
        reasons[picked] = [template.format(a, _the_target_text(b, what))
                           for a, b in zip(shown[picked].tolist(), wanted[picked].tolist())]
    measured = np.flatnonzero(~any_of(branch, (_MEETS, _BAND_IN, _ON, _LEVEL)))
    if len(measured):
        units = np.where(latest.unit[rows[measured]] == None, target.unit[rows[measured]],  # noqa: E711
                         latest.unit[rows[measured]])
        amounts = _amounts(decision.gap[measured], decision.decimals[measured], decision.percent[measured], units)
        middle = np.select([branch[measured] == _AWAY, branch[measured] == _SHORT, branch[measured] == _ABOVE],
                           [" away from the ", " short of the ", " above the "], " ")
        banded = any_of(branch[measured], (_BAND_OUT, _BAND_GOOD))
        side = np.where(decision.gap[measured] < 0, " below the ", " above the ")
        middle = np.where(banded, side, middle)
        ending = np.where(banded, " target range", " target")
        reasons[measured] = [f"{a} is {b}{c[:-4]}{_the_target_text(d, e[1:])}" if c.endswith("the ") else
                             f"{a} is {b}{c}{d}{e}" for a, b, c, d, e in zip(
            shown[measured].tolist(), amounts, middle.tolist(), wanted[measured].tolist(), ending.tolist())]
    good = np.flatnonzero(branch == _BAND_GOOD)
    reasons[good] = [f"Green: {text}, on the good side ({POLARITIES[p].value})"
                     for text, p in zip(reasons[good].tolist(), polarity[good].tolist())]
    near = np.flatnonzero(any_of(branch, (_BAND_OUT, _AWAY, _LEVEL, _SHORT, _ABOVE)))
    reasons[near] = _near_reasons(decision.rag[near], reasons[near], green.tolerances[near], amber.tolerances[near],
                                  decision.percent[near], None if yellow is None else yellow.tolerances[near])
    if own:
        _own_statuses(inputs, rows, decision, reasons, specs)  # type: ignore[arg-type]
    _set(out, rows, decision.rag, reasons, "target")


_MET = (_MEETS, _ON, _BAND_IN, _BAND_GOOD)


def _own_statuses(inputs: RagInputs, rows: np.ndarray, decision: _Decision, reasons: np.ndarray,
                  specs: np.ndarray) -> None:
    """A council's statuses beyond Red/Amber/Green (issue 19): Blue for a met target
    that also meets the stretch target (Swansea's "Achieved TTAF") or beats the target
    by more than the blue tolerance (Harlow's star); Amber for a miss beyond the
    tolerances that improved on or held the previous value (Havering)."""
    latest, target = inputs.latest, inputs.target
    met = np.flatnonzero((decision.rag == R_GREEN) & any_of(decision.branch, _MET))
    stretch = [k for k in met.tolist() if specs[k].blue == "stretch" and inputs.stretch is not None
               and inputs.stretch.present[rows[k]]]
    if stretch:
        picked = rows[stretch]
        nothing = ToleranceColumn.of([None] * len(picked))
        against = _decide(latest.number[picked], latest.decimals[picked], latest.percent[picked], inputs.stretch,
                          picked, inputs.polarity[picked], nothing, nothing)
        for k, row, rag in zip(stretch, picked.tolist(), against.rag.tolist()):
            if rag == R_GREEN:
                decision.rag[k] = R_BLUE
                reasons[k] = (f"Blue: {latest.shown[row]} meets {the_target(inputs.stretch.shown[row], 'stretch target')}"
                              f" (and {the_target(target.shown[row])})")
    beyond = [k for k in met.tolist() if isinstance(specs[k].blue, Tolerance) and decision.branch[k] == _MEETS]
    for k in beyond:
        row = rows[k]
        tolerance: Tolerance = specs[k].blue
        margin = abs(float(latest.number[row]) - float(target.value[row]))
        percent = bool(decision.percent[k])
        if margin > tolerance.width(float(target.value[row]), percent) + 1e-9:
            amount = _amounts(np.array([margin]), decision.decimals[k:k + 1], decision.percent[k:k + 1],
                              latest.unit[row:row + 1])[0]
            decision.rag[k] = R_BLUE
            reasons[k] = (f"Blue: {latest.shown[row]} beats {the_target(target.shown[row])} by {amount}, beyond the "
                          f"{_describe(tolerance, percent, 'blue')}")
    split = [k for k in np.flatnonzero(decision.rag == R_RED).tolist() if specs[k].amber_if_improved
             and inputs.direction[rows[k]] in (D_IMPROVING, D_NO_CHANGE)]
    for k in split:
        held = "held" if inputs.direction[rows[k]] == D_NO_CHANGE else "improved on"
        decision.rag[k] = R_AMBER
        reasons[k] = f"Amber: {reasons[k].removeprefix('Red: ')}, but {held} the previous value (amber if improved)"


def _near_reasons(rag: np.ndarray, texts: np.ndarray, green: np.ndarray, amber: np.ndarray,
                  percent: np.ndarray, yellow: np.ndarray | None = None) -> list[str]:
    """A near miss: Green, Yellow or Amber within a tolerance (which the reason names), else Red."""
    out = [f"Red: {text}" for text in texts.tolist()]
    for k in np.flatnonzero(rag != R_RED):
        if rag[k] == R_YELLOW:
            out[k] = f"Yellow: {texts[k]}, within the {_describe(yellow[k], bool(percent[k]), 'yellow')}"  # type: ignore[index]
            continue
        out[k] = _near_reason(int(rag[k]), texts[k], green[k], amber[k], bool(percent[k]))
    return out


def _amounts(gaps: np.ndarray, decimals: np.ndarray, percent: np.ndarray, units: np.ndarray) -> list[str]:
    """:func:`_amount` for many gaps at once (numbers formatted a precision at a time)."""
    texts = np.empty(len(gaps), dtype=object)
    for places in np.unique(decimals):
        picked = np.flatnonzero(decimals == places)
        texts[picked] = format_numbers(np.abs(gaps[picked]), int(places))
    texts = texts.tolist()
    if not any(u for u in units.tolist()):  # the common case: points or plain numbers
        return [(f"{t} point" if t in _ONE else f"{t} points") if p else t for t, p in zip(texts, percent.tolist())]
    out = []
    for text, is_percent, unit in zip(texts, percent.tolist(), units.tolist()):
        if is_percent:
            out.append(f"{text} point" if text in _ONE else f"{text} points")
        elif unit == "£":
            out.append(f"£{text}")
        elif unit:
            out.append(f"{text} {unit[:-1] if text in _ONE and unit.endswith('s') else unit}")
        else:
            out.append(text)
    return out


_ONE = ("1", "1.0", "1.00")


def format_numbers(numbers: np.ndarray, decimals: int) -> list[str]:
    """:func:`~kpi_excel.core.values.format_number` (no % sign) for many numbers at one precision."""
    if len(numbers) > 256 and numbers.dtype == np.float64:  # a column's gaps repeat: each distinct one (by
        distinct, inverse = np.unique(np.ascontiguousarray(numbers).view(np.int64), return_inverse=True)  # bits)
        texts = _format_each(distinct.view(np.float64), decimals)  # formatted once
        return [texts[k] for k in inverse.ravel().tolist()]
    return _format_each(numbers, decimals)


def _format_each(numbers: np.ndarray, decimals: int) -> list[str]:
    if decimals < 0:
        return [format_number(float(n), None, False) for n in numbers]
    pattern = f"{{:,.{decimals}f}}".format
    texts = [pattern(n) for n in numbers.tolist()]
    if np.signbit(numbers).any():  # no "-0.0": a negative number (or -0.0) that rounds to zero is shown as zero
        texts = [t[1:] if t.startswith("-") and float(t.replace(",", "").replace("-", "") or 0) == 0 else t
                 for t in texts]
    return texts


def _near_reason(rag: int, text: str, green: Tolerance | None, amber: Tolerance | None, percent: bool) -> str:
    if rag == R_GREEN:
        return f"Green: {text}, within the {_describe(green, percent, 'green')}"
    if rag == R_AMBER:
        return f"Amber: {text}, within the {_describe(amber, percent, 'amber')}"
    return f"Red: {text}"


@lru_cache(maxsize=1024)
def _describe(tolerance: Tolerance, percent: bool, kind: str) -> str:
    return tolerance.describe(percent, kind)


def _maintain(inputs: RagInputs, rows: np.ndarray, out: RagColumns) -> None:
    """``Maintain``: no worse than the previous value, judged by the polarity."""
    if not len(rows):
        return
    latest, previous = inputs.latest, inputs.previous
    polarity = inputs.polarity[rows]
    wanted = inputs.target.shown[rows]
    directed = any_of(polarity, (P_HIGH, P_LOW))
    _set(out, rows[~directed], R_NA, [f"N/A: {the_target(w)} needs a polarity to tell better from worse"
                                      for w in wanted[~directed]], "target")
    no_previous = directed & ~previous.ok[rows]
    _set(out, rows[no_previous], R_NA, [f"N/A: {the_target(w)} needs the previous value ({why})"
                                        for w, why in zip(wanted[no_previous], previous.missing(rows[no_previous]))],
         "target")
    with_bound = directed & ~no_previous & ((latest.bound[rows] != 0) | (previous.bound[rows] != 0))
    picked = rows[with_bound]
    _set(out, picked, R_NA, [f"N/A: {p} → {l} includes a bound, so {the_target(w)} cannot be judged"
                             for p, l, w in zip(previous.shown[picked], latest.shown[picked], wanted[with_bound])],
         "target")
    judged = directed & ~no_previous & ~with_bound
    picked = rows[judged]
    if not len(picked):
        return
    places = max_decimals(latest.decimals[picked], previous.decimals[picked])
    now, before = round_columns(latest.number[picked], places), round_columns(previous.number[picked], places)
    high = polarity[judged] == P_HIGH
    worse_by = np.where(high, before - now, now - before)
    percent = latest.percent[picked] | previous.percent[picked]
    green, amber = inputs.green.take(picked), inputs.amber.take(picked)
    rag = np.full(len(picked), R_GREEN, dtype=np.int8)
    worse = worse_by > 0
    within_green = worse & green.present & (worse_by <= green.width(before, percent) + 1e-9)
    within_amber = worse & ~within_green & amber.present & (worse_by <= amber.width(before, percent) + 1e-9)
    rag[worse] = R_RED
    rag[within_green] = R_GREEN
    rag[within_amber] = R_AMBER
    reasons = np.empty(len(picked), dtype=object)
    kept = np.flatnonzero(~worse)
    reasons[kept] = [f"Green: {latest.shown[row]} {'keeps' if w == 0 else 'improves on'} the previous "
                     f"{previous.shown[row]} ({t} target)"
                     for row, w, t in zip(picked[kept], worse_by[kept], wanted[judged][kept])]
    lost = np.flatnonzero(worse)
    amounts = _amounts(worse_by[lost], places[lost], percent[lost], latest.unit[picked[lost]])
    texts = objects([f"{latest.shown[row]} is {amount} worse than the previous {previous.shown[row]} ({t} target)"
                     for row, amount, t in zip(picked[lost], amounts, wanted[judged][lost])])
    reasons[lost] = _near_reasons(rag[lost], texts, green.tolerances[lost], amber.tolerances[lost], percent[lost])
    _set(out, picked, rag, reasons, "target")


def _bounded(inputs: RagInputs, rows: np.ndarray, out: RagColumns) -> None:
    """A censored value (``<0.1%``, ``>99%``) against a target: rated only when
    every value the bound allows gets the same rating (a percentage lies between
    0 and 100; the bound itself is excluded: ``<0.1%`` meets ``<0.1%``)."""
    if not len(rows):
        return
    latest, target = inputs.latest, inputs.target
    below = latest.bound[rows] < 0
    edge = latest.number[rows]
    percent = latest.percent[rows]
    limit = np.where(percent, np.where(below, 0.0, 100.0), np.where(below, -1e12, 1e12))
    inside = np.where(below, edge - 1e-7, edge + 1e-7)
    low, high = np.minimum(inside, limit), np.maximum(inside, limit)
    value, upper = target.value[rows], target.upper[rows]
    candidates = [(inside, np.ones(len(rows), dtype=bool)), (limit, np.ones(len(rows), dtype=bool)),
                  (value, (low < value) & (value < high)), (upper, ~np.isnan(upper) & (low < upper) & (upper < high))]
    polarity = inputs.polarity[rows]
    green, amber = inputs.green.take(rows), inputs.amber.take(rows)
    seen = np.zeros((len(rows), len(RAGS)), dtype=bool)  # which RAG codes some allowed value gets
    for points, allowed in candidates:
        decision = _decide(np.where(allowed, points, 0.0), np.full(len(rows), 9), percent, target, rows, polarity,
                           green, amber)
        seen[np.flatnonzero(allowed), decision.rag[allowed]] = True
    reasons, rags = [], []
    for k, row in enumerate(rows):
        side = "below" if below[k] else "above"
        bound_text = (f"{latest.shown[row]} is a bound (the value is {side} "
                      f"{format_number(float(edge[k]), _or_none(latest.decimals[row]), bool(percent[k]))})")
        wanted = target.shown[row]
        found = [code for code in (R_GREEN, R_AMBER, R_RED) if seen[k, code]]
        if len(found) > 1:
            could = " or ".join(RAGS[code] for code in found)
            rags.append(R_NA)
            reasons.append(f"N/A: {bound_text}: it could be {could} against {the_target(wanted)}")
            continue
        code = found[0]
        if code == R_GREEN:
            verdict = f"any such value meets {the_target(wanted)}"
        elif code == R_AMBER:
            tolerance = amber.tolerances[k]
            described = _describe(tolerance, bool(percent[k] or target.percent[row]), "amber") \
                if tolerance is not None else "tolerance"
            verdict = f"any such value misses {the_target(wanted)}, within the {described}"
        else:
            verdict = f"any such value misses {the_target(wanted)}"
        rags.append(code)
        reasons.append(f"{RAGS[code]}: {bound_text}, and {verdict}")
    _set(out, rows, np.array(rags, dtype=np.int8), reasons, "target")


def _or_none(decimals: int) -> int | None:
    return None if decimals < 0 else int(decimals)


# --- the quartile and trend keys: a few words each, tabulated --------------------------------

_NOT_KNOWN = "its position within the quartile is not known"


@lru_cache(maxsize=1)
def _quartile_table() -> dict[tuple[int, int, int], tuple[int, str]]:
    """The Leicestershire key for every (quartile, half, direction): Green is the
    top quartile, or high in the second with an improving trend; Red is the bottom
    quartile, or low in the third with a declining trend; Amber otherwise. With
    the half not known, Q2 and Q3 are Amber and the reason says so."""
    table = {}
    for q in (1, 2, 3, 4):
        for half in QuartileHalf:
            for code, word in enumerate(DIRECTIONS):
                table[(q, half, code)] = _quartile_rating(q, half, code, word)
    return table


def _quartile_rating(q: int, half: int, direction: int, word: str) -> tuple[int, str]:
    better, worse = half == H_BETTER, half == H_WORSE
    improving, declining = direction == D_IMPROVING, direction == D_DECLINING
    if q == 1:
        return R_GREEN, "Green: top quartile"
    if q == 4:
        return R_RED, "Red: bottom quartile"
    if q == 2:
        if better and improving:
            return R_GREEN, "Green: high in the second quartile with an improving trend"
        if better:
            return R_AMBER, f"Amber: high in the second quartile, but the trend is not improving ({word.lower()})"
        if worse:
            return R_AMBER, "Amber: low in the second quartile"
        if improving:
            return R_AMBER, f"Amber: second quartile with an improving trend, but {_NOT_KNOWN} (Green needs the " \
                            "better half)"
        return R_AMBER, f"Amber: second quartile ({_NOT_KNOWN})"
    if worse and declining:
        return R_RED, "Red: low in the third quartile with a declining trend"
    if worse:
        return R_AMBER, f"Amber: low in the third quartile, but the trend is not declining ({word.lower()})"
    if better:
        return R_AMBER, "Amber: high in the third quartile"
    if declining:
        return R_AMBER, f"Amber: third quartile with a declining trend, but {_NOT_KNOWN} (Red needs the worse half)"
    return R_AMBER, f"Amber: third quartile ({_NOT_KNOWN})"


@lru_cache(maxsize=1)
def _trend_table() -> dict[int, tuple[int, str]]:
    """Direction only: improving is Green, no change Amber, declining Red."""
    return {
        D_IMPROVING: (R_GREEN, "Green: improving on the previous value (rule: trend)"),
        D_NO_CHANGE: (R_AMBER, "Amber: no change on the previous value (rule: trend)"),
        D_DECLINING: (R_RED, "Red: declining on the previous value (rule: trend)"),
        0: (R_NA, "N/A: no direction of travel to rate (rule: trend)"),
    }


# --- parsed inputs, a row each ----------------------------------------------------------------


def rate_parsed(
    rules: Sequence[RuleKind | RuleSpec],
    latest: Sequence[Value | None],
    polarity: Sequence[Polarity],
    direction: Sequence[str],
    target: Sequence[Target | None] | None = None,
    quartile: Sequence[Quartile | None] | None = None,
    amber_within: Sequence[Tolerance | None] | None = None,
    green_within: Sequence[Tolerance | None] | None = None,
    previous: Sequence[Value | None] | None = None,
    override: Sequence[tuple[str, str] | None] | None = None,
) -> list[Rating]:
    """Rate rows whose inputs are already parsed (one entry a row): each by its
    rule, with its trend's direction given. A :class:`RuleSpec`'s own tolerances
    are used where ``green_within`` / ``amber_within`` give none."""
    size = len(rules)
    nothing: list[None] = [None] * size
    # Rows share a few rule and tolerance objects: each pair made once, not once a row (keyed by
    # identity, as the inputs hold the objects for the call: equal-looking values stay apart).
    made: dict[tuple[int, int, int], RuleSpec] = {}
    specs = [made.get((id(r), id(g), id(a))) or made.setdefault(
                 (id(r), id(g), id(a)), (r if isinstance(r, RuleSpec) else RuleSpec(r)).overridden_by(g, a))
             for r, g, a in zip(rules, green_within or nothing, amber_within or nothing)]
    greens = [s.green_within for s in specs]
    ambers = [s.amber_within for s in specs]
    quartiles = list(quartile or nothing)
    no_value = Value(None, missing="no value")
    inputs = RagInputs(
        kind=np.array([s.kind.code for s in specs], dtype=np.int8),
        green=ToleranceColumn.of(greens), amber=ToleranceColumn.of(ambers),
        latest=ValueColumn.of([v if v is not None else no_value for v in latest]),
        previous=ValueColumn.of([v if v is not None else no_value for v in (previous or nothing)]),
        target=TargetColumn.of(list(target or nothing)),
        polarity=np.array([POLARITY_CODE[p] for p in polarity], dtype=np.int8),
        polarity_known=np.ones(size, dtype=bool), no_polarity_reason=np.full(size, None, dtype=object),
        direction=np.array([list(DIRECTIONS).index(d) for d in direction], dtype=np.int8),
        quartile=np.array([0 if q is None else q.number for q in quartiles], dtype=np.int8),
        half=np.array([half_code(q) for q in quartiles], dtype=np.int8),
        override=each(list(override or nothing)),
    )
    rated = rag_columns(inputs)
    return [Rating(RAGS[r], reason, rule) for r, reason, rule in zip(rated.rag, rated.reason, rated.rule)]
