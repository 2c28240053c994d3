"""Find the columns of an indicator table by their header text.

Headers are matched ignoring case, spacing and punctuation, with synonyms,
including the headers of the published Leicestershire tables ("Reporting
Frequency", "National benchmark (quartile 1 = top)", "Most recent Statistical
Neighbour average"). Letters that PDF extraction swaps for look-alike Cyrillic
ones ("Торіс") are read as Latin. A header-less column right after a period
column holds that period's value, as in the published table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from kpi_excel.core.a1 import column_letter
from kpi_excel.core.periods import PeriodError, parse_period

__all__ = [
    "CANONICAL",
    "SYNONYMS",
    "ColumnMap",
    "normalise_header",
    "match_columns",
    "column_letter",
]

# The canonical names, in the order an output lists them.
CANONICAL = (
    "topic",
    "theme",
    "code",
    "indicator",
    "polarity",
    "frequency",
    "previous_period",
    "previous_value",
    "latest_period",
    "latest_value",
    "target",
    "quartile",
    "quartile_position",
    "sn_average",
    "england",
    "rag_override",
    "rag_override_reason",
    "rag_rule",
    "amber_within",
    "comment",
    "unit",
    "measure_type",
    "previous_numerator",
    "previous_denominator",
    "latest_numerator",
    "latest_denominator",
    "benchmark_code",
    # What a published table already says, checked against the data:
    "published_trend",
    "published_direction",
    "published_rag",
    "published_change",
    "published_rag_reason",
)

SYNONYMS: dict[str, tuple[str, ...]] = {
    "topic": ("topic", "priority", "outcome", "strategic priority", "ambition", "objective"),
    "theme": ("theme", "service", "service area", "directorate", "category", "section"),
    "code": (
        "code", "indicator code", "kpi code", "pi code", "measure code", "ref", "reference", "kpi ref",
        "pi ref", "id", "indicator id", "kpi id", "short desc", "measure short", "indicator ref", "pi",
    ),
    "indicator": (
        "indicator", "indicator name", "measure", "measure name", "kpi", "kpi name", "performance indicator",
        "indicator description", "description", "metric", "name", "title", "performance measure",
        "key performance indicator", "data item", "indicator title",
    ),
    "polarity": (
        "polarity", "good is", "good performance is", "direction of good", "good direction", "better is",
        "higher or lower is better", "is higher better", "desired direction", "aim", "high or low",
        "good to be", "preferred direction",
    ),
    "frequency": (
        "frequency", "reporting frequency", "freq", "period type", "reporting period type", "reported",
        "reporting cycle", "how often", "collection frequency", "reported frequency",
    ),
    "previous_period": (
        "previous period", "prior period", "last period", "comparison period", "comparator period",
        "previous reporting period", "previous date", "period previous", "baseline period",
    ),
    "previous_value": (
        "previous value", "previous", "prior value", "last value", "previous figure", "previous result",
        "previous data", "previous performance", "previous outturn", "last year", "same period last year",
        "previous actual", "prior", "baseline", "comparison value", "previous year", "last quarter",
        "previous quarter", "previous month", "last month", "last year actual", "prior year",
    ),
    "latest_period": (
        "latest period", "period", "current period", "latest update", "reporting period", "latest date",
        "as at", "date", "latest reporting period", "period covered", "year", "time period",
    ),
    "latest_value": (
        "latest value", "latest", "current value", "current figure", "actual", "value", "outturn",
        "result", "performance", "current", "latest data", "latest figure", "latest result",
        "current performance", "latest actual", "ytd actual", "actual to date", "data", "figure",
        "latest outturn", "current result", "this period", "this quarter",
    ),
    "target": (
        "target", "targets", "annual target", "target value", "goal", "threshold", "target for period",
        "target 2022 23", "ambition target", "current target", "target ytd", "standard",
    ),
    "quartile": (
        "quartile", "national benchmark quartile 1 top", "national benchmark", "national quartile",
        "benchmark quartile", "quartile band", "quartile banding", "quartile 1 top", "national quartile band",
        "comparator quartile", "quartile position band", "band",
    ),
    "quartile_position": (
        "quartile position", "position in quartile", "position within quartile", "half of quartile",
        "within quartile",
    ),
    "sn_average": (
        "sn average", "sn avg", "stat neighbour avg", "stat neighbour average", "statistical neighbour average",
        "statistical neighbours average", "most recent statistical neighbour average", "average",
        "statistical neighbours", "stat neighbours", "sn", "statistical neighbour", "stat neighbour",
        "stat neighbours avg",
    ),
    "england": ("england", "england average", "national average", "national", "england value"),
    "rag_override": (
        "rag override", "override", "manual rag", "rag manual", "override rag", "officer rag",
        "rag officer override",
    ),
    "rag_override_reason": (
        "rag override reason", "override reason", "reason for override", "override comment",
        "reason for rag override",
    ),
    "rag_rule": ("rag rule", "rule", "rag method", "rating rule", "rag basis"),
    "amber_within": ("amber tolerance", "tolerance", "amber within", "amber threshold", "amber range"),
    "unit": ("unit", "units", "measure unit", "unit of measure", "format"),
    # Counts behind a value, for confidence intervals (issue 12).
    "measure_type": ("measure type", "type of measure", "indicator type", "statistic type", "value type",
                     "measure kind", "kind of measure"),
    "latest_numerator": ("latest numerator", "numerator", "current numerator", "latest num", "numerator latest"),
    "latest_denominator": ("latest denominator", "denominator", "current denominator", "latest denom",
                           "denominator latest", "base", "cohort", "population", "latest population"),
    "previous_numerator": ("previous numerator", "prior numerator", "last numerator", "previous num",
                           "numerator previous"),
    "previous_denominator": ("previous denominator", "prior denominator", "last denominator", "previous denom",
                             "denominator previous", "previous base", "previous cohort", "previous population"),
    "benchmark_code": ("benchmark code", "lait code", "lait short desc", "dfe code", "benchmark id",
                       "comparator code", "national code"),
    "comment": ("comment", "comments", "commentary", "narrative", "notes", "note", "officer comment"),
    "published_trend": (
        "trend", "direction of travel", "dot", "compared to previous", "compared to previous data",
        "change since last", "travel", "trend since last period", "movement",
    ),
    "published_direction": ("direction", "improving declining", "improvement", "better worse"),
    "published_rag": (
        "rag", "rag status", "status rag", "status", "rating", "rag rating", "current rag", "rag rating key",
        "performance status", "rag 2022 23",
    ),
    "published_change": ("change", "difference", "change since previous"),
    "published_rag_reason": ("rag reason", "reason", "rating reason"),
}

# Cyrillic letters PDF text extraction uses in place of Latin ones.
_LOOKALIKES = str.maketrans("АВСЕНІЈКМОРЅТХУаеіјорсхуԁһ", "ABCEHIJKMOPSTXYaeijopcxydh")


def normalise_header(header: object) -> str:
    """Lower-case words only: ``'National benchmark (quartile 1 = top)'`` →
    ``'national benchmark quartile 1 top'``."""
    text = str(header or "").translate(_LOOKALIKES).lower()
    text = text.replace("%", " percent ").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_LOOKUP: dict[str, str] = {}
for _name, _words in SYNONYMS.items():
    for _word in _words:
        _LOOKUP.setdefault(normalise_header(_word), _name)
    _LOOKUP.setdefault(normalise_header(_name), _name)


@dataclass
class ColumnMap:
    """Which input column (by position) holds each canonical field."""

    by_name: dict[str, int] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def header(self, name: str) -> str:
        """The header as the officer wrote it, for messages."""
        index = self.by_name.get(name)
        if index is None:
            return name
        return self.headers[index] or f"column {index + 1}"


def _match_one(header: str) -> str | None:
    key = normalise_header(header)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    # "Target*" and "Target 2022/23" are the target; "(quartile 1 = top)" is a note.
    without_brackets = normalise_header(re.sub(r"\(.*?\)", " ", str(header).translate(_LOOKALIKES)))
    if without_brackets in _LOOKUP:
        return _LOOKUP[without_brackets]
    without_years = re.sub(r"\b(19|20)\d\d( \d\d)?\b", "", without_brackets).strip()
    if without_years in _LOOKUP:
        return _LOOKUP[without_years]
    # "Q2 Actual", "Actual YTD", "Sept 2023 Outturn": the period is a label, not the column's meaning.
    without_periods = re.sub(r"\b(q[1-4]|h[12]|ytd|qtr [1-4]|quarter [1-4]|jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|"
                             r"nov|dec)\b", "", without_years)
    return _LOOKUP.get(re.sub(r"\s+", " ", without_periods).strip())


def _split_value_columns(result: ColumnMap) -> None:
    """Two value columns and no previous one ("Actual 2022/23", "Actual 2023/24";
    "Q1 Actual", "Q2 Actual"): the later period is the latest, the other the
    previous. Without readable periods, left to right is old to new."""
    if "previous_value" in result.by_name or "latest_value" not in result.by_name:
        return
    others = [h for name, h in result.duplicates if name == "latest_value"]
    if len(others) != 1:
        return
    first = result.by_name["latest_value"]
    second = result.headers.index(others[0], first + 1) if others[0] in result.headers[first + 1:] else None
    if second is None:
        return
    order = _period_order(result.headers[first], result.headers[second])
    later, earlier = (second, first) if order is None or order > 0 else (first, second)
    result.by_name["latest_value"], result.by_name["previous_value"] = later, earlier
    result.duplicates.remove(("latest_value", others[0]))


def _period_order(a: str, b: str) -> int | None:
    """+1 if b's period is later than a's, -1 if earlier, None if either has none."""
    periods = []
    for header in (a, b):
        words = re.sub(r"\b(actual|value|outturn|result|performance|figure|latest|current|data)\b", " ", header,
                       flags=re.I)
        try:
            periods.append(parse_period(re.sub(r"\s+", " ", words).strip(" -:")))
        except PeriodError:
            return None
    return 1 if periods[1] > periods[0] else -1 if periods[1] < periods[0] else None


def match_columns(headers: Sequence[object]) -> ColumnMap:
    """Map canonical names to column positions; the first match of a name wins."""
    texts = ["" if h is None else str(h) for h in headers]
    result = ColumnMap(headers=texts)
    for index, header in enumerate(texts):
        name = _match_one(header)
        if name is None:
            continue
        if name in result.by_name:
            result.duplicates.append((name, header))
            continue
        result.by_name[name] = index
    _split_value_columns(result)
    # A header-less column right after a period column is that period's value.
    for period, value in (("previous_period", "previous_value"), ("latest_period", "latest_value")):
        index = result.by_name.get(period)
        if value not in result.by_name and index is not None and index + 1 < len(texts):
            if not texts[index + 1].strip():
                result.by_name[value] = index + 1
    return result
