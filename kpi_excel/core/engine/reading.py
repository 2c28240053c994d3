"""Read each input column once per distinct cell: the row readers, column-wise.

Every reader here calls the one parser for its field (:mod:`kpi_excel.core.values`,
:mod:`~kpi_excel.core.targets`, :mod:`~kpi_excel.core.polarity`,
:mod:`~kpi_excel.core.periods`, :mod:`~kpi_excel.core.rag`) on each distinct cell,
spreads the answer to every row that wrote that cell, and names what it cannot
read in the problem log (for ``active`` rows only: a heading or footnote row has
no problems). Nothing here raises for a bad cell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from kpi_excel.core.engine.cells import Distinct, Failed, RowCells, read_each
from kpi_excel.core.engine.options import RateOptions, default_rule
from kpi_excel.core.engine.parsed import (
    any_of,
    half_code,
    OP_GE,
    OP_GT,
    OP_LE,
    OP_LT,
    P_HIGH,
    P_LOW,
    P_NONE,
    POLARITIES,
    POLARITY_CODE,
    TargetColumn,
    ToleranceColumn,
    ValueColumn,
    each,
    objects,
)
from kpi_excel.core.engine.problems import ProblemLog
from kpi_excel.core.periods import parse_frequency, parse_period
from kpi_excel.core.polarity import Polarity, information_only, parse_polarity, polarity_in_name
from kpi_excel.core.rag import RuleSpec, narrower_than, parse_override, parse_quartile, parse_rule_spec
from kpi_excel.core.targets import parse_target, parse_tolerance
from kpi_excel.core.values import Value, parse_value
from kpi_excel.errors import CellError

__all__ = [
    "PolarityColumn",
    "RuleColumns",
    "QuartileColumns",
    "read_polarity",
    "read_frequency",
    "read_period",
    "read_values",
    "read_target",
    "read_quartile",
    "read_rules",
    "read_override",
    "inferred_polarity",
]

_UNREADABLE = object()


def _parse_each(field: Distinct, parse: Callable[[object], object], blank: object) -> tuple[list[object], list[str | None]]:
    """``parse`` of each distinct cell (and of a blank one, last): answers and error messages."""
    read = read_each(parse, [*field.keys, blank], CellError)
    return [_UNREADABLE if isinstance(a, Failed) else a for a in read], \
        [str(a.error) if isinstance(a, Failed) else None for a in read]


def _spread(field: Distinct, parse: Callable[[object], object], blank: object, column: str, active: np.ndarray,
            log: ProblemLog, unreadable: object = None) -> np.ndarray:
    """Each row's answer (``unreadable`` where the cell could not be read, named in the log)."""
    answers, errors = _parse_each(field, parse, blank)
    answers = [unreadable if a is _UNREADABLE else a for a in answers]
    slots = field.slots
    failed = np.array([e is not None for e in errors], dtype=bool)
    rows = np.flatnonzero(failed[slots] & active)
    log.add(rows, column, [errors[s] for s in slots[rows]])  # type: ignore[misc]
    return each(answers)[slots]


@dataclass
class PolarityColumn:
    """Each row's polarity code (P_NONE where not recognised), whether it was
    recognised, whether a polarity was written at all (in its cell, or in the
    indicator's name), and the N/A reason where it says "no polarity"."""

    code: np.ndarray
    known: np.ndarray
    written: np.ndarray
    no_polarity_reason: np.ndarray


def read_polarity(cells: RowCells, active: np.ndarray, log: ProblemLog) -> PolarityColumn:
    """The Polarity cell, else a polarity the indicator's name states ("(aim to maximise)")."""
    field = cells.distinct("polarity")
    keys = list(field.keys)
    codes = field.codes.copy()
    blank = np.flatnonzero(~field.present)
    if len(blank):
        stated = [polarity_in_name(name) for name in cells.cells_at("indicator", blank)]
        extra = {p: len(keys) + k for k, p in enumerate(sorted({p for p in stated if p is not None},
                                                                key=lambda p: p.value))}
        keys.extend(p.value for p in extra)
        for row, named in zip(blank, stated):
            if named is not None:
                codes[row] = extra[named]
    written = Distinct(codes, keys)
    answers, errors = _parse_each(written, _polarity_of, None)
    slots = written.slots
    failed = np.array([e is not None for e in errors], dtype=bool)
    rows = np.flatnonzero(failed[slots] & active)
    log.add(rows, "polarity", [errors[s] for s in slots[rows]])  # type: ignore[misc]
    code = np.array([P_NONE if a is _UNREADABLE else a[0] for a in answers], dtype=np.int8)  # type: ignore[index]
    reasons = objects([None if a is _UNREADABLE else a[1] for a in answers])  # type: ignore[index]
    return PolarityColumn(code[slots], ~failed[slots], written.present, reasons[slots])


def _polarity_of(raw: object) -> tuple[int, str | None]:
    polarity = parse_polarity(raw)
    reason = None
    if polarity is Polarity.NONE and raw is not None:
        reason = (f"N/A: for information only ({str(raw).strip()}), not rated" if information_only(raw)
                  else "N/A: the indicator has no polarity")
    return POLARITY_CODE[polarity], reason


def read_frequency(cells: RowCells, active: np.ndarray, log: ProblemLog) -> np.ndarray:
    return _spread(cells.distinct("frequency"), parse_frequency, None, "frequency", active, log)


def read_period(cells: RowCells, name: str, active: np.ndarray, log: ProblemLog) -> np.ndarray:
    return _spread(cells.distinct(name), lambda raw: None if raw is None else parse_period(raw), None, name, active,
                   log)


def read_values(cells: RowCells, name: str, active: np.ndarray, log: ProblemLog) -> ValueColumn:
    """Values as written (with their number formats): unreadable ones and those
    with no number are named."""
    formatted = cells.has_formats(name)
    field = cells.with_format(name) if formatted else cells.distinct(name)
    what = "latest" if name == "latest_value" else "previous"
    answers: list[Value] = []
    notes: list[str | None] = []
    for key in [*field.keys, (None, None) if formatted else None]:
        raw, number_format = key if formatted else (key, None)  # type: ignore[misc]
        try:
            value = parse_value(raw, number_format)
            note = _no_number(value, what, name)
        except CellError as error:
            value, note = Value(None, missing="unreadable"), str(error)  # the reason says "unreadable"
        answers.append(value)
        notes.append(note)
    slots = field.slots
    has = np.array([n is not None for n in notes], dtype=bool)
    rows = np.flatnonzero(has[slots] & active)
    log.add(rows, name, [notes[s] for s in slots[rows]])  # type: ignore[misc]
    return ValueColumn.of(answers, slots)


def _no_number(value: Value, what: str, name: str) -> str | None:
    if value.number is None and value.missing not in ("no value",):
        return f"{what} value is {value.missing}; no number to compare"
    if value.number is None and name == "latest_value":
        return "no latest value"
    return None


def read_target(cells: RowCells, active: np.ndarray, log: ProblemLog, name: str = "target") -> TargetColumn:
    """The Target column (or, by ``name``, the second, stretch target)."""
    if cells.has_formats(name):
        field = cells.with_format(name)
        answers, errors = _parse_each(field, lambda key: parse_target(*key), (None, None))  # type: ignore[misc]
    else:
        field = cells.distinct(name)
        answers, errors = _parse_each(field, parse_target, None)
    answers = [None if a is _UNREADABLE else a for a in answers]
    slots = field.slots
    failed = np.array([e is not None for e in errors], dtype=bool)
    rows = np.flatnonzero(failed[slots] & active)
    log.add(rows, name, [errors[s] for s in slots[rows]])  # type: ignore[misc]
    return TargetColumn.of(answers, slots)  # type: ignore[arg-type]


@dataclass
class QuartileColumns:
    quartiles: np.ndarray  # Quartile or None
    number: np.ndarray  # 1-4, 0 where none
    half: np.ndarray  # a QuartileHalf code


def read_quartile(cells: RowCells, active: np.ndarray, log: ProblemLog) -> QuartileColumns:
    field = cells.together("quartile", "quartile_position")
    answers, errors = _parse_each(field, lambda key: parse_quartile(*key), (None, None))  # type: ignore[misc]
    answers = [None if a is _UNREADABLE else a for a in answers]
    slots = field.slots
    failed = np.array([e is not None for e in errors], dtype=bool)
    rows = np.flatnonzero(failed[slots] & active)
    log.add(rows, "quartile", [errors[s] for s in slots[rows]])  # type: ignore[misc]
    number = np.array([0 if q is None else q.number for q in answers], dtype=np.int8)  # type: ignore[union-attr]
    half = np.array([half_code(q) for q in answers], dtype=np.int8)  # type: ignore[arg-type]
    return QuartileColumns(objects(answers)[slots], number[slots], half[slots])


@dataclass
class RuleColumns:
    kind: np.ndarray  # K_* code
    green: ToleranceColumn
    amber: ToleranceColumn
    specs: np.ndarray  # each row's settled RuleSpec (its own statuses: Yellow, Blue, names)
    own: np.ndarray  # whether the row's rule adds statuses (Yellow, Blue, Amber by trend)
    named: np.ndarray  # whether the row's rule names its statuses in the council's words


def read_rules(cells: RowCells, options: RateOptions, active: np.ndarray, log: ProblemLog) -> RuleColumns:
    """Each row's rule with both tolerances settled: each tolerance comes from the
    row's RAG Rule text, else the row's tolerance column, else the options."""
    default = default_rule(options)
    field = cells.together("rag_rule", "green_within", "amber_within")
    settled = field.apply(lambda key: _settle(key, default), blank=_settle((None, None, None), default))
    slots = field.slots
    for position in range(4):  # rag_rule, green_within, amber_within, then the narrower note
        has = np.array([len(s[1]) > position for s in settled], dtype=bool)
        rows = np.flatnonzero(has[slots] & active)
        picked = [settled[s][1][position] for s in slots[rows]]  # type: ignore[index]
        log.add(rows, [p[0] for p in picked], [p[1] for p in picked])
    rules = [s[0] for s in settled]  # type: ignore[index]
    kind = np.array([r.kind.code for r in rules], dtype=np.int8)
    return RuleColumns(kind[slots], ToleranceColumn.of([r.green_within for r in rules], slots),
                       ToleranceColumn.of([r.amber_within for r in rules], slots), objects(rules)[slots],
                       np.array([r.yellow_within is not None or r.blue is not None or r.amber_if_improved
                                 for r in rules], dtype=bool)[slots],
                       np.array([bool(r.names) for r in rules], dtype=bool)[slots])


def _settle(key: object, default: RuleSpec) -> tuple[RuleSpec, list[tuple[str, str]]]:
    rag_rule, green_cell, amber_cell = key  # type: ignore[misc]
    problems: list[tuple[str, str]] = []
    if rag_rule is None and green_cell is None and amber_cell is None:
        rule = default  # the common case: nothing on the row, so nothing to read
    else:
        try:
            spec = parse_rule_spec(rag_rule)
        except CellError as error:
            problems.append(("rag_rule", str(error)))
            spec = None
        if spec is None:  # tolerance columns only: the default rule, its own statuses kept
            spec = replace(default, green_within=None, amber_within=None)
        tolerances = []
        for name, cell, from_spec, from_default in (("green_within", green_cell, spec.green_within,
                                                     default.green_within),
                                                    ("amber_within", amber_cell, spec.amber_within,
                                                     default.amber_within)):
            try:
                column = parse_tolerance(cell)
            except CellError as error:
                problems.append((name, str(error)))
                column = None
            tolerances.append(next((t for t in (from_spec, column, from_default) if t is not None), None))
        rule = replace(spec, green_within=tolerances[0], amber_within=tolerances[1])
    if narrower_than(rule.amber_within, rule.green_within):
        problems.append(("amber_within", f"the amber tolerance {rule.amber_within.text()} is narrower than the "  # type: ignore[union-attr]
                                         f"green tolerance {rule.green_within.text()}: a miss within "  # type: ignore[union-attr]
                                         f"{rule.green_within.text()} is Green, so none is Amber"))  # type: ignore[union-attr]
    return rule, problems


def read_override(cells: RowCells, active: np.ndarray, log: ProblemLog) -> np.ndarray:
    field = cells.together("rag_override", "rag_override_reason")
    return _spread(field, lambda key: parse_override(*key), (None, None), "rag_override", active, log)  # type: ignore[misc]


def inferred_polarity(polarity: PolarityColumn, target: TargetColumn, log: ProblemLog,
                      active: np.ndarray) -> np.ndarray:
    """A row with no polarity written takes it from a one-sided target (``>90%``
    is High = Good); a target that points the other way from the polarity is named."""
    one_sided = any_of(target.op, (OP_GT, OP_GE, OP_LT, OP_LE))
    upward = any_of(target.op, (OP_GT, OP_GE))
    inferred = ~polarity.written & one_sided
    code = np.where(inferred, np.where(upward, P_HIGH, P_LOW), polarity.code).astype(np.int8)
    against = active & ~inferred & one_sided & any_of(polarity.code, (P_HIGH, P_LOW)) & \
        ((polarity.code == P_HIGH) != upward)
    rows = np.flatnonzero(against)
    said: dict[tuple[str, int], str] = {}
    messages = []
    for shown, pole in zip(target.shown[rows].tolist(), polarity.code[rows].tolist()):
        message = said.get((shown, pole))
        if message is None:
            message = said[(shown, pole)] = (f"'{shown}' points the other way from the polarity "
                                             f"({POLARITIES[pole].value}); rated by the target")
        messages.append(message)
    log.add(rows, "target", messages)
    return code
