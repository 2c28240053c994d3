"""The choices a rating run makes for every row that does not say otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kpi_excel.core.rag import RuleSpec
from kpi_excel.core.rule_registry import Rule, RuleKind
from kpi_excel.core.targets import Tolerance

__all__ = ["RateOptions", "default_rule"]


@dataclass(frozen=True)
class RateOptions:
    """Choices that apply to every row unless the row says otherwise.

    ``rule`` may be a :class:`RuleSpec` with its own tolerances; ``green_within``
    and ``amber_within`` given here win over those.
    """

    rule: RuleKind | RuleSpec = Rule.AUTO
    amber_within: Tolerance | None = None
    same_within: Tolerance | None = None
    green_within: Tolerance | None = None
    confidence: float = 0.95  # level of intervals, change and "vs England" tests (0.95 or 0.998)
    trend_needs_significance: bool = False  # a change that is not significant reads Same
    # Where counts show a move is not significant, the quartile key rates it as no change
    # (the Trend column still says which way it moved).
    quartile_needs_significance: bool = True


@lru_cache(maxsize=64)
def default_rule(options: RateOptions) -> RuleSpec:
    """The options' rule with their tolerances settled (options first, then the rule text's)."""
    given = options.rule if isinstance(options.rule, RuleSpec) else RuleSpec(options.rule)
    return given.overridden_by(options.green_within, options.amber_within)
