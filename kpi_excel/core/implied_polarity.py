"""Polarity where a table has no Polarity column: from what the table itself says.

Few councils publish a polarity column. The rating engine already reads a
polarity stated in an indicator's name ("(aim to minimise)") and one a
one-sided target states ("at least 90%", "below 10", "no more than 5"). Here,
for the rows neither settles:

1. a published direction of travel or trend word that judges (Improving,
   Better, Green, Worse, Red) against the change in value: "Green" on a fall
   means lower is good. Said in the row's reason.
2. the indicator's wording alone ("missed", "complaints", "days to", "falling
   below"): only a guess, so said in the row's problems, asking for a Polarity
   column to confirm it.

The published RAG is never used: it is what the rating is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from kpi_excel.core.polarity import Polarity, polarity_in_name, polarity_suggested_by_words
from kpi_excel.core.targets import TargetError, parse_target
from kpi_excel.core.trend import IMPROVING, read_published_trend
from kpi_excel.core.values import ValueReadError, parse_value

__all__ = ["ImpliedPolarity", "implied_polarities"]


@dataclass
class ImpliedPolarity:
    """Each row's polarity cell as the engine should read it, with what to say where it was implied."""

    cells: list[object]
    reasons: dict[int, str] = field(default_factory=dict)  # row → note for rag_reason
    problems: dict[int, str] = field(default_factory=dict)  # row → text for problems

    @property
    def any_implied(self) -> bool:
        return bool(self.reasons or self.problems)


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell) or (isinstance(cell, str) and not cell.strip())


def _one_sided(target: object) -> bool:
    try:
        read = parse_target(None if _blank(target) else target)
    except TargetError:
        return False
    return read is not None and read.op in (">", ">=", "<", "<=")


def _number(cell: object) -> tuple[float, bool] | None:
    if _blank(cell):
        return None
    try:
        value = parse_value(cell)
    except ValueReadError:
        return None
    return (value.number, value.percent) if value.ok and value.bound is None else None  # type: ignore[return-value]


def _memo(function: Callable[[object], object]) -> Callable[[object], object]:
    """``function`` once per distinct cell of this table (tables repeat targets and trend words)."""
    answers: dict[object, object] = {}

    def once(cell: object) -> object:
        key = (cell.__class__, cell)
        if key not in answers:
            answers[key] = function(cell)
        return answers[key]
    return once


def implied_polarities(size: int, polarity: Sequence[object] | None, indicator: Sequence[object] | None,
                       target: Sequence[object] | None, latest: Sequence[object] | None,
                       previous: Sequence[object] | None, trend: Sequence[object] | None,
                       trend_header: str = "published trend") -> ImpliedPolarity:
    """Each row's polarity cell, filled where it is blank and the table implies one."""
    def at(column: Sequence[object] | None, row: int) -> object:
        return None if column is None else column[row]

    one_sided, number = _memo(_one_sided), _memo(_number)
    judging = _memo(lambda cell: read_published_trend(None if _blank(cell) else cell))
    cells = [at(polarity, row) for row in range(size)]
    found = ImpliedPolarity(cells)
    for row in range(size):
        name = at(indicator, row)
        if not _blank(cells[row]) or polarity_in_name(name) is not None or one_sided(at(target, row)):
            continue  # written, stated in the name, or stated by the target: the engine reads those
        reading = judging(at(trend, row))
        if reading is not None and reading[0] == "direction":  # type: ignore[index]
            new, old = number(at(latest, row)), number(at(previous, row))
            if new is not None and old is not None and new[1] == old[1] and new[0] != old[0]:  # type: ignore[index]
                rose = new[0] > old[0]  # type: ignore[index]
                pole = Polarity.HIGH if rose == (reading[1] == IMPROVING) else Polarity.LOW  # type: ignore[index]
                cells[row] = pole.value
                found.reasons[row] = (f"polarity {pole.value} from the {trend_header} '{str(at(trend, row)).strip()}'"
                                      f" on {'a rise' if rose else 'a fall'} ({str(at(previous, row)).strip()} → "
                                      f"{str(at(latest, row)).strip()})")
                continue
        guessed, words = polarity_suggested_by_words(None if _blank(name) else name)
        quoted = "', '".join(words)
        if guessed is not None:
            cells[row] = guessed.value
            found.problems[row] = (f"polarity guessed from the words '{quoted}'; add a Polarity column to confirm "
                                   f"(rated as {guessed.value})")
        elif words:
            found.problems[row] = (f"polarity not known: the words '{quoted}' point both ways; "
                                   "add a Polarity column")
    return found
