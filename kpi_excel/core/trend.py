"""Trend: how the latest value moved since the comparable previous one, in words.

The *trend* is Increase / Decrease / Same. Same means equal at the precision
the values are displayed with (``91.6%`` and ``91.6%``), or within a tolerance
the officer sets. The *direction* reads the trend through the polarity:
Improving / Declining / No change, or Not applicable when the indicator has no
polarity or a value is missing. For "close to target" indicators, moving
nearer the target is Improving.

A censored value (``<0.1%``) is a bound: the move is known only when the bound
settles it (2% → <0.1% is a decrease; 0.05% → <0.1% is not known), and the
change is then not a number.

This module holds the words and the reader of a published trend column (words,
arrows, and a direction of travel printed as Green or Red); the rule itself runs
on whole columns in :mod:`kpi_excel.core.engine.trend_columns`, and Excel's
rounding (one number or a column) is :mod:`kpi_excel.core.engine.rounding`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Trend",
    "INCREASE",
    "DECREASE",
    "SAME",
    "IMPROVING",
    "DECLINING",
    "NO_CHANGE",
    "NOT_APPLICABLE",
    "read_published_trend",
]

INCREASE, DECREASE, SAME = "Increase", "Decrease", "Same"
IMPROVING, DECLINING, NO_CHANGE, NOT_APPLICABLE = "Improving", "Declining", "No change", "Not applicable"


@dataclass(frozen=True)
class Trend:
    """The movement between two values (no change: None; no move known: "N/A")."""

    change: float | None
    word: str  # Increase | Decrease | Same | N/A
    direction: str  # Improving | Declining | No change | Not applicable


# Arrows drawn in the Wingdings font come out of a PDF or Word document as Latin
# letters: Havering's é/ê/è and Tower Hamlets' ñ/ò/ð are better/worse/same.
_PUBLISHED_WORDS = [
    (INCREASE, "word", r"inc(rease[ds]?)?|up|higher|rise|risen|rising|increasing|going up|↑|▲|⬆|↗|⇧"),
    (DECREASE, "word", r"dec(rease[ds]?)?|down|lower|fall|fallen|falling|decreasing|reduced|going down|↓|▼|⬇|↘|⇩"),
    (SAME, "word", r"same|unchanged|no change|stable|static|level|flat|no movement|maintained|"
                   r"↔|►|=|⟷|→|⇒|➡|⇔|◄►|no significant change|è|ð|"
                   # Havering's key: "black/amber horizontal arrow" is the same.
                   r"(?:(?:black|amber|grey|gray|yellow) )?(?:horizontal|sideways|level) arrow"),
    (IMPROVING, "direction", r"improv(ing|ed|ement)|better|getting better|positive|good|performance (has )?improved|"
                             r"é|ñ"),
    (DECLINING, "direction", r"declin(ing|ed|e)|worse|getting worse|worsen(ing|ed)|deteriorat(ing|ed|ion)|"
                             r"negative|performance (has )?declined|ê|ò"),
]


# A direction of travel printed as a colour, alone or on an arrow ("Green", "↑ Red", "↓ (green)"):
# the colour says better or worse, whichever way the arrow points.
# Havering writes it out: "green up arrow" better, "red down arrow" worse.
_COLOURED = re.compile(r"^[\W_]*(?P<colour>green|red)(?:[\W_]+(?:(?:up|down|upward|downward) )?arrow"
                       r"(?: (?:up|down))?)?[\W_]*$")


def read_published_trend(text: object) -> tuple[str, str] | None:
    """A published trend cell as ("word", Increase/Decrease/Same) or
    ("direction", Improving/Declining); None when blank or not recognised."""
    cleaned = re.sub(r"\s+", " ", str(text or "")).strip().lower().rstrip(".")
    if not cleaned:
        return None
    coloured = _COLOURED.match(cleaned)
    if coloured:
        return "direction", IMPROVING if coloured.group("colour") == "green" else DECLINING
    for value, kind, pattern in _PUBLISHED_WORDS:
        if re.fullmatch(pattern, cleaned):
            return kind, value
    return None
