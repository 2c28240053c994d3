"""RAG rules, one registry: a rule is declared once, with everything about it.

A :class:`RuleKind` holds a rule's name and the synonyms councils write for it
(how a RAG Rule cell, a Settings row or ``--rule`` is read), whether it takes
tolerances, the phrase that names it in help texts, the sentence the RAG key
sheet prints for it, examples of how it is written (the help line a new
workbook's Settings sheet gives it, :func:`rule_help_lines`), and, for a rule
added to the engine's built-ins, how it decides a row. Every reader, help text, key and the rating engine look rules up
here, so adding a rule is one :func:`register` call (see
``tests/test_rule_registry.py``).

The built-in rules (auto, target, quartile, trend, none) are decided by the
column engine's own vectorised paths (:mod:`kpi_excel.core.engine.rag_columns`),
which share the target rule's machinery; a registered rule brings its own
``decide``, which the engine calls with that rule's rows.

This module is a leaf: it imports nothing else of kpi_excel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Callable, Iterator

__all__ = ["RuleKind", "Rule", "RuleCode", "register", "find_rule", "rule_kinds", "rule_of_code", "rule_names",
           "rule_phrases", "rule_help_lines"]


@dataclass(frozen=True, eq=False)
class RuleKind:
    """One RAG rule. ``value`` is its name as typed; ``code`` its integer code in
    the engine's arrays (given by :func:`register`)."""

    value: str
    synonyms: tuple[str, ...]
    help: str  # how help texts name it: "trend (improving Green, no change Amber, declining Red)"
    key: str  # the RAG key's sentence after "Rule: ...": "by direction only: ..."
    takes_tolerances: bool = False
    # How the rule is written, with its tolerances and a council's own statuses: "target yellow 5% amber 10%".
    examples: tuple[str, ...] = ()
    # A registered rule's rater: called with the engine's RuleRows for its rows, returns
    # (RAG word, reason) a row. None for the built-ins (decided by the engine itself).
    decide: Callable[[Any], Any] | None = None
    code: int = -1

    @property
    def name(self) -> str:
        return self.value.upper()

    def __repr__(self) -> str:
        return f"Rule.{self.name}"

    # One object per rule (compared by identity, like an Enum member): a copy or an
    # unpickled rule is the registered one.
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return find_rule, (self.value,)

    def __copy__(self) -> "RuleKind":
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> "RuleKind":
        return self


_KINDS: list[RuleKind] = []
_NAMES: dict[str, RuleKind] = {}


def register(value: str, synonyms: tuple[str, ...] = (), *, help: str | None = None, key: str,
             takes_tolerances: bool = False, examples: tuple[str, ...] = (),
             decide: Callable[[Any], Any] | None = None) -> RuleKind:
    """Declare a rule; its name and synonyms become readable everywhere at once.

    Raises ValueError when a name is already taken (two rules cannot share a word)."""
    words = [w.lower() for w in (value, *synonyms)]
    taken = [w for w in words if w in _NAMES]
    if taken:
        raise ValueError(f"RAG rule name '{taken[0]}' is already registered")
    kind = RuleKind(value.lower(), tuple(synonyms), help or value.lower(), key, takes_tolerances, tuple(examples),
                    decide, len(_KINDS))
    _KINDS.append(kind)
    for word in words:
        _NAMES[word] = kind
    return kind


def unregister(kind: RuleKind) -> None:
    """Take back the last rule registered (for tests that add one)."""
    if not _KINDS or _KINDS[-1] is not kind:
        raise ValueError("only the last rule registered can be taken back")
    _KINDS.pop()
    for word in [w for w, k in _NAMES.items() if k is kind]:
        del _NAMES[word]


def find_rule(text: str) -> RuleKind | None:
    """The rule a (lower-case, single-spaced) name or synonym stands for."""
    return _NAMES.get(text)


def rule_kinds() -> Iterator[RuleKind]:
    """Every rule, in the order registered (the built-ins first)."""
    return iter(tuple(_KINDS))


def rule_of_code(code: int) -> RuleKind:
    return _KINDS[code]


def rule_names(rating_first: bool = False) -> str:
    """"auto, target, quartile, trend or none" (every rule's name); ``rating_first``:
    the rules that rate first, then auto and none ("target, quartile, trend, auto or none")."""
    kinds = _KINDS
    if rating_first:
        kinds = [k for k in _KINDS if k.code > RuleCode.NONE or k.code in (RuleCode.TARGET, RuleCode.QUARTILE,
                                                                          RuleCode.TREND)]
        kinds += [k for k in _KINDS if k.code in (RuleCode.AUTO, RuleCode.NONE)]
    return _listed([kind.value for kind in kinds])


def rule_phrases() -> str:
    """Every rule as help texts name it: "auto (target if ...), target, ... or none"."""
    return _listed([kind.help for kind in _KINDS])


def rule_help_lines() -> list[str]:
    """One line a rule, for a workbook's help: its name, what it does, how it is written
    (``target: by target only. E.g. target 10pp; target green 5% amber 10%; ...``)."""
    return [f"{kind.value}: {kind.key}" + (f" E.g. {'; '.join(kind.examples)}." if kind.examples else "")
            for kind in _KINDS]


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


class _RuleNamespace(type):
    def __iter__(cls) -> Iterator[RuleKind]:
        return rule_kinds()


class Rule(metaclass=_RuleNamespace):
    """The built-in rules by name (``Rule.TARGET``); iterating gives every registered rule."""

    AUTO = register("auto", ("automatic", "default"),
                    help="auto (target if the indicator has one, else quartile)",
                    key="by target where the indicator has one, otherwise by benchmark quartile.",
                    takes_tolerances=True,
                    examples=("green 5% amber 10%",))
    TARGET = register("target", ("targets", "by target", "against target"), key="by target only.",
                      takes_tolerances=True, examples=(
                          "target 10pp", "target green 5% amber 10%", "target amber 10 auto",
                          "target yellow 5% amber 10%", "target amber 5% blue at TTAF", "target blue beyond 5%",
                          "target green 10% amber if improved", "target names Green=On track"))
    QUARTILE = register("quartile", ("quartiles", "benchmark", "by quartile"), key="by benchmark quartile only.")
    TREND = register("trend", ("direction", "by trend", "direction of travel", "dot"),
                     help="trend (improving Green, no change Amber, declining Red)",
                     key="by direction only: improving Green, no change Amber, declining Red.")
    NONE = register("none", ("n/a", "not rated", "no rag"), key="not rated.")


# The built-ins' codes, for the engine's arrays (a registered rule's code follows them).
RuleCode = IntEnum("RuleCode", {kind.name: kind.code for kind in _KINDS})  # type: ignore[misc]
