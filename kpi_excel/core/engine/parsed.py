"""Parsed columns: values, targets, polarities, quartiles and words as numpy arrays.

Each column keeps the parsed objects themselves (a :class:`Value` or
:class:`Target` per row, shared between rows that wrote the same cell) beside
the arrays the rules compute with. Small integer codes stand for words:
polarity, target operator, bound side, trend word and direction, RAG and rule.
Each set of codes is an IntEnum made from the words it stands for, so the two
cannot drift apart (the short names, ``P_HIGH`` and the like, are its members).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Sequence

import numpy as np

from kpi_excel.core.polarity import Polarity
from kpi_excel.core.rag import AMBER, BLUE, GREEN, NA, RED, YELLOW, Quartile
from kpi_excel.core.rule_registry import RuleCode
from kpi_excel.core.targets import MAINTAIN, TOP_QUARTILE, Target, Tolerance
from kpi_excel.core.trend import DECLINING, DECREASE, IMPROVING, INCREASE, NO_CHANGE, NOT_APPLICABLE, SAME
from kpi_excel.core.values import Value

__all__ = [
    "ValueColumn",
    "TargetColumn",
    "ToleranceColumn",
    "POLARITIES",
    "POLARITY_CODE",
    "P_NONE",
    "P_HIGH",
    "P_LOW",
    "P_TARGET",
    "OPS",
    "OP_NONE",
    "OP_GT",
    "OP_GE",
    "OP_LT",
    "OP_LE",
    "OP_EQ",
    "OP_BAND",
    "OP_MAINTAIN",
    "OP_TOP_QUARTILE",
    "WORDS",
    "W_NA",
    "W_INCREASE",
    "W_DECREASE",
    "W_SAME",
    "DIRECTIONS",
    "D_NOT_APPLICABLE",
    "D_IMPROVING",
    "D_DECLINING",
    "D_NO_CHANGE",
    "PolarityCode",
    "Op",
    "TrendWord",
    "Direction",
    "RagCode",
    "RuleCode",
    "RAGS",
    "R_NA",
    "R_RED",
    "R_AMBER",
    "R_GREEN",
    "R_YELLOW",
    "R_BLUE",
    "QuartileHalf",
    "H_NOT_KNOWN",
    "H_BETTER",
    "H_WORSE",
    "half_code",
    "K_AUTO",
    "K_TARGET",
    "K_QUARTILE",
    "K_TREND",
    "K_NONE",
    "any_of",
    "objects",
    "each",
]

def _codes(name: str, words: Sequence[str]) -> type[IntEnum]:
    """An IntEnum whose members are ``words`` (as identifiers) numbered in order."""
    return IntEnum(name, {_identifier(word): code for code, word in enumerate(words)})  # type: ignore[return-value]


def _identifier(word: str) -> str:
    return {"N/A": "NA", ">": "GT", ">=": "GE", "<": "LT", "<=": "LE", "=": "EQ"}.get(word) or \
        word.upper().replace(" ", "_")


# Polarity codes: 0 is "not recognised / none".
POLARITIES = (Polarity.NONE, Polarity.HIGH, Polarity.LOW, Polarity.TARGET)
PolarityCode = _codes("PolarityCode", [p.name for p in POLARITIES])
P_NONE, P_HIGH, P_LOW, P_TARGET = PolarityCode
POLARITY_CODE = {p: PolarityCode(code) for code, p in enumerate(POLARITIES)}

# Target operators (NONE: no target), by the operator as Target.op writes it.
_OP_WORDS = ("none", ">", ">=", "<", "<=", "=", "band", MAINTAIN, TOP_QUARTILE)
Op = _codes("Op", _OP_WORDS)
OP_NONE, OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_BAND, OP_MAINTAIN, OP_TOP_QUARTILE = Op
OPS = {word: Op(code) for code, word in enumerate(_OP_WORDS) if word != "none"}

# Trend words and directions.
WORDS = np.array(["N/A", INCREASE, DECREASE, SAME], dtype=object)
TrendWord = _codes("TrendWord", list(WORDS))
W_NA, W_INCREASE, W_DECREASE, W_SAME = TrendWord
DIRECTIONS = np.array([NOT_APPLICABLE, IMPROVING, DECLINING, NO_CHANGE], dtype=object)
Direction = _codes("Direction", list(DIRECTIONS))
D_NOT_APPLICABLE, D_IMPROVING, D_DECLINING, D_NO_CHANGE = Direction

# RAG words (Yellow and Blue only where a council's key has them).
RAGS = np.array([NA, RED, AMBER, GREEN, YELLOW, BLUE], dtype=object)
RagCode = _codes("RagCode", list(RAGS))
R_NA, R_RED, R_AMBER, R_GREEN, R_YELLOW, R_BLUE = RagCode

# Where in its quartile a value sits (a Quartile's position), for the Leicestershire key.
QuartileHalf = _codes("QuartileHalf", ["not known", "better", "worse"])
H_NOT_KNOWN, H_BETTER, H_WORSE = QuartileHalf


def half_code(quartile: Quartile | None) -> int:
    """The half code of a parsed quartile (not known where none, or its position is not given)."""
    position = quartile.position if quartile is not None else None
    return {"better": H_BETTER, "worse": H_WORSE}.get(position or "", H_NOT_KNOWN)


# Rule kinds: the registry's codes (kpi_excel.core.rule_registry); a registered rule has its own.
K_AUTO, K_TARGET, K_QUARTILE, K_TREND, K_NONE = RuleCode


def any_of(codes: np.ndarray, choices: Sequence[object]) -> np.ndarray:
    """Rows whose code is one of a few ``choices`` (np.isin, without its set-up cost)."""
    found = codes == choices[0]
    for choice in choices[1:]:
        found = found | (codes == choice)
    return found


def objects(items: Sequence[object]) -> np.ndarray:
    """A 1-D object array of ``items`` (no tuples or lists among them: see :func:`each`)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def each(items: Sequence[object]) -> np.ndarray:
    """A 1-D object array of ``items``, a tuple staying whole in its slot."""
    out = np.empty(len(items), dtype=object)
    for index, item in enumerate(items):
        out[index] = item
    return out


def _distinct_objects(items: Sequence[object]) -> tuple[list[object], np.ndarray]:
    """Distinct objects (by identity) and each row's index among them."""
    index: dict[int, int] = {}
    distinct: list[object] = []
    codes = np.empty(len(items), dtype=np.intp)
    for row, item in enumerate(items):
        code = index.get(id(item))
        if code is None:
            code = index[id(item)] = len(distinct)
            distinct.append(item)
        codes[row] = code
    return distinct, codes


_BOUNDS = {"<": -1, ">": 1}


@dataclass
class ValueColumn:
    """A :class:`Value` per row and its parts as arrays.

    ``number`` is NaN where there is no number; ``decimals`` -1 where the
    precision is not known; ``bound`` -1 for ``<``, +1 for ``>``, 0 otherwise;
    ``shown`` is :meth:`Value.display` of each row.
    """

    values: np.ndarray
    number: np.ndarray
    percent: np.ndarray
    decimals: np.ndarray
    bound: np.ndarray
    count: np.ndarray
    unit: np.ndarray
    shown: np.ndarray

    @classmethod
    def of(cls, values: Sequence[Value], codes: np.ndarray | None = None) -> "ValueColumn":
        """From values (with ``codes``: ``values`` are distinct and ``codes`` picks one a row)."""
        if codes is None:
            distinct, codes = _distinct_objects(values)
            values = distinct  # type: ignore[assignment]
        parts = [(np.nan if v.number is None else v.number, v.percent, -1 if v.decimals is None else v.decimals,
                  _BOUNDS.get(v.bound, 0), np.nan if v.count is None else v.count, v.unit, v.display())
                 for v in values]
        numbers, percents, places, bounds, counts, units, shown_texts = zip(*parts) if parts else ((),) * 7
        number = np.array(numbers, dtype=np.float64)
        percent = np.array(percents, dtype=bool)
        decimals = np.array(places, dtype=np.int64)
        bound = np.array(bounds, dtype=np.int8)
        count = np.array(counts, dtype=np.float64)
        unit = objects(units)
        shown = objects(shown_texts)
        return cls(objects(values)[codes], number[codes], percent[codes], decimals[codes], bound[codes], count[codes],
                   unit[codes], shown[codes])

    @property
    def ok(self) -> np.ndarray:
        return ~np.isnan(self.number)

    def missing(self, rows: np.ndarray) -> list[str]:
        """Why each of ``rows`` has no number (``Value.missing``)."""
        return [self.values[row].missing for row in rows]

    def replace_rows(self, rows: np.ndarray, values: Sequence[Value]) -> None:
        """Put new values on ``rows`` (a fraction read as a percentage)."""
        if not len(rows):
            return
        patch = ValueColumn.of(values)
        for name in ("values", "number", "percent", "decimals", "bound", "count", "unit", "shown"):
            getattr(self, name)[rows] = getattr(patch, name)


@dataclass
class TargetColumn:
    """A :class:`Target` (or None) per row and its parts as arrays (``op`` is
    OP_NONE where there is no target; ``upper`` NaN where there is none)."""

    targets: np.ndarray
    op: np.ndarray
    value: np.ndarray
    upper: np.ndarray
    percent: np.ndarray
    decimals: np.ndarray
    unit: np.ndarray
    shown: np.ndarray

    @classmethod
    def of(cls, targets: Sequence[Target | None], codes: np.ndarray | None = None) -> "TargetColumn":
        if codes is None:
            distinct, codes = _distinct_objects(targets)
            targets = distinct  # type: ignore[assignment]
        op = np.array([OP_NONE if t is None else OPS[t.op] for t in targets], dtype=np.int8)
        value = np.array([np.nan if t is None else t.value for t in targets], dtype=np.float64)
        upper = np.array([np.nan if t is None or t.upper is None else t.upper for t in targets], dtype=np.float64)
        percent = np.array([t is not None and t.percent for t in targets], dtype=bool)
        decimals = np.array([-1 if t is None or t.decimals is None else t.decimals for t in targets], dtype=np.int64)
        unit = objects([None if t is None else t.unit for t in targets])
        shown = objects(["" if t is None else t.display() for t in targets])
        return cls(objects(targets)[codes], op[codes], value[codes], upper[codes], percent[codes], decimals[codes],
                   unit[codes], shown[codes])

    @property
    def present(self) -> np.ndarray:
        return self.op != OP_NONE

    def replace_rows(self, rows: np.ndarray, targets: Sequence[Target]) -> None:
        if not len(rows):
            return
        patch = TargetColumn.of(targets)
        for name in ("targets", "op", "value", "upper", "percent", "decimals", "unit", "shown"):
            getattr(self, name)[rows] = getattr(patch, name)


@dataclass
class ToleranceColumn:
    """A tolerance (or None) per row: ``amount`` NaN where there is none."""

    tolerances: np.ndarray
    amount: np.ndarray
    relative: np.ndarray
    auto: np.ndarray

    @classmethod
    def of(cls, tolerances: Sequence[Tolerance | None], codes: np.ndarray | None = None) -> "ToleranceColumn":
        if codes is None:
            distinct, codes = _distinct_objects(tolerances)
            tolerances = distinct  # type: ignore[assignment]
        amount = np.array([np.nan if t is None else t.amount for t in tolerances], dtype=np.float64)
        relative = np.array([t is not None and t.relative for t in tolerances], dtype=bool)
        auto = np.array([t is not None and t.auto for t in tolerances], dtype=bool)
        return cls(objects(tolerances)[codes], amount[codes], relative[codes], auto[codes])

    @property
    def present(self) -> np.ndarray:
        return ~np.isnan(self.amount)

    def width(self, reference: np.ndarray, percent: np.ndarray) -> np.ndarray:
        """:meth:`Tolerance.width` a row at a time: relative (``auto`` is relative
        unless the value is a percentage) takes its share of ``|reference|``."""
        relative = np.where(self.auto, ~percent, self.relative)
        return np.where(relative, np.abs(reference) * self.amount / 100, self.amount)

    def take(self, rows: np.ndarray) -> "ToleranceColumn":
        return ToleranceColumn(self.tolerances[rows], self.amount[rows], self.relative[rows], self.auto[rows])
