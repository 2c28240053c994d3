"""The report's Settings sheet: what an officer can choose without touching code.

The sheet is a two-column list (Setting, Value) with a third column explaining
each. Keys are matched ignoring case and spacing; unknown keys are kept and
reported, never an error. Anything missing takes the default, so an older
workbook with no Settings sheet still refreshes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable

from kpi_excel.core.rag import RuleSpec, parse_rule_spec
from kpi_excel.core.rule_registry import Rule, rule_help_lines
from kpi_excel.core.targets import Tolerance, parse_tolerance
from kpi_excel.errors import CellError, Problem

__all__ = ["ReportSettings", "SETTING_ROWS", "read_settings", "settings_table", "ALL_AUTHORITIES"]

ALL_AUTHORITIES = "All authorities"


@dataclass(frozen=True)
class ReportSettings:
    """Choices for a refresh; every field has a default an officer would expect."""

    authority: str = ""
    comparator: str = ALL_AUTHORITIES
    comparator_members: tuple[str, ...] = ()
    rag_rule: RuleSpec = RuleSpec(Rule.AUTO)
    green_within: Tolerance | None = None
    amber_within: Tolerance | None = None
    same_within: Tolerance | None = None
    derive_targets: bool = False
    benchmark_source: str = ""
    neighbours: str = "2025"
    sources: tuple[str, ...] = ()
    as_of: str = ""
    confidence: float = 0.95
    trend_needs_significance: bool = False
    history_periods: int = 8
    funnel_adjusted: bool = False  # funnel limits widened for overdispersion (Spiegelhalter); default: PHE's plain limits
    problems: tuple[Problem, ...] = field(default=(), compare=False)


# (label, field, help) in the order the Settings sheet lists them.
SETTING_ROWS: tuple[tuple[str, str, str], ...] = (
    ("Authority", "authority",
     "Your authority as DfE names it (e.g. Leicestershire). Benchmarks are worked out for it."),
    ("Comparator group", "comparator",
     "'All authorities', or a list of authority names separated by semicolons, or the name of a "
     "group file; quartiles and ranks are worked out within it."),
    ("RAG rule", "rag_rule",
     # then a line a rule, from the registry (settings_table)
     "The rule for rows without their own RAG Rule (a row's own wins), one of:"),
    ("Green tolerance", "green_within",
     "How near a missed target is still Green: 5% (of the target), 2pp (points) or 10 auto (points for a "
     "percentage, % of the target otherwise). Empty: only a met target is Green."),
    ("Amber tolerance", "amber_within",
     "How near a missed target is Amber: 5% (of the target), 2pp (points) or 10 auto. Empty: a miss beyond "
     "the green tolerance is Red."),
    ("Trend tolerance", "same_within",
     "A change this small is 'Same': 1% (of the previous value) or 0.5. Empty: same as displayed."),
    ("Targets from benchmark", "derive_targets",
     "Yes: an indicator with no target is aimed at the comparator group's top quartile."),
    ("Benchmark data", "benchmark_source",
     "Where every authority's values come from: a LAIT file (lait:path.parquet) or 'example' for "
     "the bundled extract; on the web, a short name your administrator offers. Empty: no benchmarking."),
    ("Statistical neighbours", "neighbours", "2025 or 2021: which DfE neighbour list to average."),
    ("Extra sources", "sources",
     "More places to read values from, one per line or separated by semicolons "
     "(path.csv, path.xlsx#Sheet, or a short name from your sources file, which is where databases go; on "
     "the web, the short names your administrator offers). The Data sheet is always read."),
    ("As of period", "as_of", "Re-run a past period (e.g. Q2 2022/23): later data is ignored. Empty: latest."),
    ("Confidence level", "confidence",
     "95% or 99.8%: how sure a change or a difference from England must be before it is called "
     "significant (for indicators with counts). 99.8% is stricter: fewer false alarms."),
    ("Trend needs significance", "trend_needs_significance",
     "Yes: a change that is not statistically significant reads 'Same', and the quartile RAG key treats it "
     "as no change. No: the trend follows the numbers as shown."),
    ("History periods", "history_periods",
     "How many periods of each indicator's frequency the History sheet, sparklines and charts show (2-40)."),
    ("Funnel limits for overdispersion", "funnel_adjusted",
     "No (the default): funnel plots draw PHE's 95% and 99.8% limits, from chance alone. Yes: where the "
     "authorities differ by more than chance (overdispersed data), draw Spiegelhalter's limits, widened by the "
     "square root of phi, so only authorities that differ beyond that spread stand out."),
)

_BY_KEY = {re.sub(r"[^a-z0-9]", "", label.lower()): name for label, name, _ in SETTING_ROWS}
_BY_KEY.update({re.sub(r"[^a-z0-9]", "", name.lower()): name for _, name, _ in SETTING_ROWS})
_BY_KEY.update({"la": "authority", "localauthority": "authority", "council": "authority",
                "comparators": "comparator", "group": "comparator", "rule": "rag_rule",
                "tolerance": "amber_within", "ambertolerance": "amber_within", "asof": "as_of",
                "greenwithin": "green_within", "amberwithin": "amber_within", "ragkey": "rag_rule",
                "sn": "neighbours", "statneighbours": "neighbours", "confidence": "confidence",
                "significancelevel": "confidence", "significance": "confidence",
                "trendsignificance": "trend_needs_significance", "overdispersion": "funnel_adjusted",
                "funnellimits": "funnel_adjusted", "spiegelhalter": "funnel_adjusted",
                "adjustfunnels": "funnel_adjusted"})


def read_settings(pairs: Iterable[tuple[object, object]], sheet: str = "Settings") -> ReportSettings:
    """Read (setting, value) pairs; unreadable values are reported and defaulted."""
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for row, (key, value) in enumerate(pairs, start=1):
        name = _BY_KEY.get(re.sub(r"[^a-z0-9]", "", str(key or "").lower()))
        if name is None:
            if str(key or "").strip() and str(key).strip().lower() not in ("setting", "settings"):
                problems.append(Problem(sheet, f"row {row}: unknown setting '{str(key).strip()[:40]}' ignored"))
            continue
        text = "" if value is None else str(value).strip()
        if text == "":
            continue
        try:
            values[name] = _convert(name, value, text)
        except CellError as error:
            problems.append(Problem(sheet, f"row {row} ({key}): {error}; using the default"))
    settings = ReportSettings(**values)  # type: ignore[arg-type]
    if settings.comparator != ALL_AUTHORITIES and ";" in settings.comparator:
        members = tuple(m.strip() for m in settings.comparator.split(";") if m.strip())
        settings = replace(settings, comparator_members=members)
    return replace(settings, problems=tuple(problems))


def _convert(name: str, raw: object, text: str) -> object:
    if name == "rag_rule":
        return parse_rule_spec(text)
    if name in ("green_within", "amber_within", "same_within"):
        return parse_tolerance(raw)
    if name in ("derive_targets", "trend_needs_significance", "funnel_adjusted"):
        lowered = text.lower()
        if lowered in ("yes", "y", "true", "1", "on"):
            return True
        if lowered in ("no", "n", "false", "0", "off"):
            return False
        raise CellError(f"'{text[:20]}' is not Yes or No")
    if name == "confidence":
        return _confidence(raw, text)
    if name == "sources":
        return _sources(text)
    if name == "neighbours":
        if text not in ("2021", "2025"):
            raise CellError(f"'{text[:20]}' is not 2021 or 2025")
        return text
    if name == "history_periods":
        try:
            number = float(text)
        except ValueError:
            raise CellError(f"'{text[:20]}' is not a whole number of periods") from None
        if not number.is_integer() or not 2 <= number <= 40:
            raise CellError(f"'{text[:20]}' is not a whole number from 2 to 40")
        return int(number)
    if name == "comparator" and text.lower() in ("all", "all authorities", "all las", "england", "national"):
        return ALL_AUTHORITIES
    return text


# A report reads a handful of sources; thousands would cost one open each (a slow
# refresh holding the workbook's lock, or a worker on the server) for nothing.
MAX_SOURCES = 20


def _sources(text: str) -> tuple[str, ...]:
    """The Extra sources named, each once (case and spacing aside), at most :data:`MAX_SOURCES`."""
    named: dict[str, str] = {}
    for entry in re.split(r"[;\n]", text):
        entry = entry.strip()
        if entry:
            named.setdefault(" ".join(entry.lower().split()), entry)
    if len(named) > MAX_SOURCES:
        raise CellError(f"names {len(named)} sources; a report reads at most {MAX_SOURCES}")
    return tuple(named.values())


def _confidence(raw: object, text: str) -> float:
    """95% or 99.8% (written 95, 95%, 0.95, 99.8, 99.8%, 0.998), as Fingertips offers them."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = float(raw) * (100 if float(raw) <= 1 else 1)
    else:
        try:
            number = float(text.rstrip("%").strip())
        except ValueError:
            raise CellError(f"'{text[:20]}' is not 95% or 99.8%") from None
        number = number * 100 if number <= 1 else number
    for level in (95.0, 99.8):
        if abs(number - level) < 1e-6:
            return level / 100
    raise CellError(f"'{text[:20]}' is not 95% or 99.8%")


def settings_table(settings: ReportSettings) -> list[tuple[str, str, str]]:
    """Rows for a Settings sheet: (setting, value as text, what it means)."""
    rows = []
    for label, name, help_text in SETTING_ROWS:
        value = getattr(settings, name)
        if isinstance(value, RuleSpec):
            text = value.text()
        elif isinstance(value, Tolerance):
            text = value.text()
        elif isinstance(value, bool):
            text = "Yes" if value else "No"
        elif name == "confidence":
            text = f"{value * 100:g}%"
        elif isinstance(value, tuple):
            text = "; ".join(value)
        else:
            text = "" if value is None else str(value)
        if name == "rag_rule":  # every registered rule's help line, made now: a rule added later has its own
            help_text = "\n".join((help_text, *rule_help_lines()))
        rows.append((label, text, help_text))
    return rows
