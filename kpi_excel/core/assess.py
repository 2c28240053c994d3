"""Assess one indicator row: read its cells, work out trend and RAG, name problems.

A row is a mapping of canonical field names (see :mod:`kpi_excel.core.columns`)
to raw cell values; ``formats`` gives Excel number formats where the row came
from a workbook. Nothing here raises for bad cells: each becomes a
:class:`~kpi_excel.errors.Problem` and the row still gets an answer (often N/A).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Mapping

from kpi_excel.core.periods import (
    Frequency,
    Period,
    comparable_previous,
    effective_frequency,
    parse_frequency,
    parse_period,
)
from kpi_excel.core.polarity import Polarity, information_only, parse_polarity, polarity_in_name
from kpi_excel.core.significance import RowStatistics, judge_row, reason_with_change, trend_with_significance
from kpi_excel.core.rag import (
    NA,
    Quartile,
    Rating,
    Rule,
    RuleSpec,
    narrower_than,
    parse_override,
    parse_quartile,
    parse_rag_word,
    parse_rule_spec,
    rate,
)
from kpi_excel.core.targets import TOP_QUARTILE, Target, Tolerance, parse_target, parse_tolerance
from kpi_excel.core.trend import (
    DECLINING,
    DECREASE,
    IMPROVING,
    INCREASE,
    NO_CHANGE,
    NOT_APPLICABLE,
    SAME,
    Trend,
    assess_trend,
)
from kpi_excel.core.values import Value, parse_value
from kpi_excel.errors import CellError, Problem

__all__ = ["RateOptions", "Assessment", "assess_row", "read_published_trend", "duplicate_codes"]


@dataclass(frozen=True)
class RateOptions:
    """Choices that apply to every row unless the row says otherwise.

    ``rule`` may be a :class:`RuleSpec` with its own tolerances; ``green_within``
    and ``amber_within`` given here win over those.
    """

    rule: Rule | RuleSpec = Rule.AUTO
    amber_within: Tolerance | None = None
    same_within: Tolerance | None = None
    green_within: Tolerance | None = None
    confidence: float = 0.95  # level of intervals, change and "vs England" tests (0.95 or 0.998)
    trend_needs_significance: bool = False  # a change that is not significant reads Same


@dataclass(frozen=True)
class Assessment:
    """The answer for one row, and the parsed inputs callers may reuse."""

    change: float | None = None
    trend: str = ""
    direction: str = ""
    rag: str = ""
    rag_reason: str = ""
    rule: str = ""
    problems: tuple[Problem, ...] = ()
    latest: Value | None = None
    previous: Value | None = None
    polarity: Polarity | None = None
    target: Target | None = None
    frequency: Frequency | None = None
    latest_period: Period | None = None
    previous_period: Period | None = None
    quartile: Quartile | None = None
    blank: bool = False
    statistics: RowStatistics | None = None  # intervals, significance, vs England (issue 12)

    @property
    def problem_text(self) -> str:
        return "; ".join(str(p) for p in self.problems)



@dataclass
class _Reader:
    """Reads one row's cells, collecting problems instead of raising."""

    row: Mapping[str, object]
    formats: Mapping[str, str | None]
    problems: list[Problem] = field(default_factory=list)

    def cell(self, name: str) -> object:
        value = self.row.get(name)
        if value.__class__ is str and (value == "" or value.isspace()):
            return None
        return value

    def read(self, name: str, parser, *args):  # type: ignore[no-untyped-def]
        raw = self.cell(name)
        try:
            return parser(raw, *args)
        except CellError as error:
            self.problems.append(Problem(name, str(error)))
            return _UNREADABLE

    def note(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, message))


_UNREADABLE = object()

_ESSENTIAL = ("indicator", "code", "latest_value", "previous_value", "target")


def assess_row(
    row: Mapping[str, object],
    formats: Mapping[str, str | None] | None = None,
    options: RateOptions = RateOptions(),
) -> Assessment:
    """Work out change, trend, direction, RAG and its reason for one row."""
    reader = _Reader(row, formats or {})
    if all(reader.cell(name) is None for name in _ESSENTIAL):
        return Assessment(blank=True)  # a section heading or empty row

    polarity_raw = reader.cell("polarity")
    if polarity_raw is None:
        # "Invoices paid on time (aim to maximise)": the name says which way is good.
        named = polarity_in_name(reader.cell("indicator"))
        polarity_raw = named.value if named is not None else None
        if named is not None:
            reader.row = {**reader.row, "polarity": named.value}
    polarity = reader.read("polarity", parse_polarity)
    polarity_known = polarity is not _UNREADABLE
    if not polarity_known:
        polarity = Polarity.NONE
    frequency = reader.read("frequency", parse_frequency)
    if frequency is _UNREADABLE:
        frequency = None
    frequency = effective_frequency(frequency, str(reader.cell("indicator") or ""))

    latest_period = _period(reader, "latest_period")
    previous_period = _period(reader, "previous_period")
    latest = _value(reader, "latest_value")
    previous = _value(reader, "previous_value")
    target = reader.read("target", parse_target, reader.formats.get("target"))
    if target is _UNREADABLE:
        target = None
    latest, previous, target = _same_units(reader, latest, previous, target)

    if polarity_raw is None and target is not None and target.op in (">", ">=", "<", "<="):
        polarity = Polarity.HIGH if target.op.startswith(">") else Polarity.LOW
    elif target is not None and polarity in (Polarity.HIGH, Polarity.LOW) and target.op in (">", ">=", "<", "<="):
        if (polarity is Polarity.HIGH) != target.op.startswith(">"):
            reader.note("target", f"'{target.display()}' points the other way from the polarity "
                                  f"({polarity.value}); rated by the target")

    trend = assess_trend(previous, latest, polarity, target, options.same_within)
    statistics = _statistics(reader, latest, previous, polarity, options)
    trend = trend_with_significance(trend, statistics, options.trend_needs_significance)

    quartile = reader.read("quartile", parse_quartile, reader.cell("quartile_position"))
    if quartile is _UNREADABLE:
        quartile = None
    rule = _rule_for_row(reader, options)
    override = reader.read("rag_override", parse_override, reader.cell("rag_override_reason"))
    if override is _UNREADABLE:
        override = None
    if target is not None and target.op == TOP_QUARTILE and quartile is None and rule.kind in (Rule.AUTO, Rule.TARGET):
        reader.note("target", f"'{target.display()}' needs benchmark data (Settings: Benchmark data) or a Quartile "
                              "to say where the top quartile starts")

    rating = _rating(
        polarity_known, polarity, polarity_raw, rule, latest, trend, target, quartile, override, previous
    )
    rating = reason_with_change(rating, trend, statistics)
    _check_periods(reader, latest_period, previous_period, frequency)
    _check_published(reader, trend, rating, latest, previous)
    return Assessment(
        change=trend.change,
        trend=trend.word,
        direction=trend.direction,
        rag=rating.rag,
        rag_reason=rating.reason,
        rule=rating.rule,
        problems=tuple(reader.problems),
        latest=latest,
        previous=previous,
        polarity=polarity if polarity_known else None,
        target=target,
        frequency=frequency,
        latest_period=latest_period,
        previous_period=previous_period,
        quartile=quartile,
        statistics=statistics,
    )


def _statistics(reader: _Reader, latest: Value, previous: Value, polarity: Polarity,
                options: RateOptions) -> RowStatistics:
    """Intervals, significant change and "vs England" (see :mod:`kpi_excel.core.significance`)."""
    statistics = judge_row(reader.row, reader.formats, latest, previous, polarity, options.confidence)
    reader.problems.extend(statistics.problems)
    return statistics


def _rule_for_row(reader: _Reader, options: RateOptions) -> RuleSpec:
    """The row's rule with both tolerances settled. Each tolerance comes from the
    row's RAG Rule text, else the row's tolerance column, else the options (a
    ``--green-within`` or Settings row, then the options' own rule text)."""
    default = _default_rule(options)
    if reader.cell("rag_rule") is None and reader.cell("green_within") is None and reader.cell("amber_within") is None:
        rule = default  # the common case: nothing on the row, so nothing to read
    else:
        spec = reader.read("rag_rule", parse_rule_spec)
        if spec is _UNREADABLE or spec is None:
            spec = RuleSpec(default.kind)
        tolerances = []
        for name, from_spec, from_default in (("green_within", spec.green_within, default.green_within),
                                              ("amber_within", spec.amber_within, default.amber_within)):
            column = reader.read(name, parse_tolerance)
            if column is _UNREADABLE:
                column = None
            tolerances.append(next((t for t in (from_spec, column, from_default) if t is not None), None))
        rule = RuleSpec(spec.kind, *tolerances)
    if narrower_than(rule.amber_within, rule.green_within):
        reader.note("amber_within", f"the amber tolerance {rule.amber_within.text()} is narrower than the green "  # type: ignore[union-attr]
                                    f"tolerance {rule.green_within.text()}: a miss within "  # type: ignore[union-attr]
                                    f"{rule.green_within.text()} is Green, so none is Amber")  # type: ignore[union-attr]
    return rule


@lru_cache(maxsize=64)
def _default_rule(options: RateOptions) -> RuleSpec:
    """The options' rule with their tolerances settled (options first, then the rule text's)."""
    given = options.rule if isinstance(options.rule, RuleSpec) else RuleSpec(options.rule)
    green = options.green_within if options.green_within is not None else given.green_within
    amber = options.amber_within if options.amber_within is not None else given.amber_within
    return RuleSpec(given.kind, green, amber)


def _period(reader: _Reader, name: str) -> Period | None:
    period = reader.read(name, lambda raw: None if raw is None else parse_period(raw))
    return None if period is _UNREADABLE else period


def _value(reader: _Reader, name: str) -> Value:
    value = reader.read(name, parse_value, reader.formats.get(name))
    if value is _UNREADABLE:
        return Value(None, missing="unreadable")
    if value.number is None and value.missing not in ("no value",):
        what = "latest" if name == "latest_value" else "previous"
        reader.note(name, f"{what} value is {value.missing}; no number to compare")
    elif value.number is None and name == "latest_value":
        reader.note(name, "no latest value")
    return value


def _same_units(
    reader: _Reader, latest: Value, previous: Value, target: Target | None
) -> tuple[Value, Value, Target | None]:
    """Put a fraction and a percentage on one scale: 0.776 beside 76.0% is 77.6%."""
    anchor = latest if latest.ok else previous
    if not anchor.ok:
        return latest, previous, target

    def as_percent(value: Value, name: str) -> Value:
        if value.ok and not value.percent and anchor.percent and abs(value.number) <= 1 < abs(anchor.number):
            reader.note(name, f"{value.display()} read as {value.number * 100:g}% to match the other values")
            decimals = None if value.decimals is None else max(value.decimals - 2, 0)
            return replace(value, number=value.number * 100, percent=True, decimals=decimals, text=None)
        return value

    latest, previous = as_percent(latest, "latest_value"), as_percent(previous, "previous_value")
    if target is not None and anchor.percent and not target.percent and abs(target.value) <= 1 < abs(anchor.number):
        reader.note("target", f"'{target.display()}' read as {target.value * 100:g}% to match the values")
        target = target.scaled(100)
    elif target is not None and target.percent and anchor.ok and not anchor.percent and abs(anchor.number) <= 1 < abs(target.value):
        scaled = Value(anchor.number * 100, True, None if anchor.decimals is None else max(anchor.decimals - 2, 0))
        reader.note("latest_value", f"{anchor.display()} read as {scaled.display()} to match the target")
        if anchor is latest:
            latest = scaled
    return latest, previous, target


def _rating(
    polarity_known: bool,
    polarity: Polarity,
    polarity_raw: object,
    rule: RuleSpec,
    latest: Value,
    trend: Trend,
    target: Target | None,
    quartile: Quartile | None,
    override: tuple[str, str] | None,
    previous: Value | None = None,
) -> Rating:
    if override is not None:
        return rate(rule=rule, latest=latest, polarity=polarity, direction=trend.direction, target=target,
                    quartile=quartile, override=override, previous=previous)
    if not polarity_known:
        return Rating(NA, "N/A: polarity not recognised", "none")
    if polarity is Polarity.NONE and polarity_raw is not None and rule.kind is not Rule.NONE:
        if information_only(polarity_raw):
            return Rating(NA, f"N/A: for information only ({str(polarity_raw).strip()}), not rated", "none")
        return Rating(NA, "N/A: the indicator has no polarity", "none")
    return rate(rule=rule, latest=latest, polarity=polarity, direction=trend.direction, target=target,
                quartile=quartile, previous=previous)


def _check_periods(
    reader: _Reader, latest: Period | None, previous: Period | None, frequency: Frequency | None
) -> None:
    if latest is None or previous is None:
        return
    if not previous < latest:
        reader.note("previous_period", f"{previous.label} is not before the latest period {latest.label}")
        return
    if frequency is Frequency.ANNUAL or (frequency is None and latest.kind == "year"):
        if previous.kind != latest.kind or previous.months != latest.months:
            reader.note("previous_period", f"{previous.label} is not the same kind of period as {latest.label}")
        return  # annual data compares with the most recent earlier year that has data
    expected = comparable_previous(latest, frequency)
    if expected is not None and expected != previous:
        how = (frequency.value.lower() if frequency else "this") + " data"
        reader.note("previous_period", f"{previous.label} is not the comparable period for {how} "
                                       f"(expected {expected.label})")


# Arrows drawn in the Wingdings font come out of a PDF or Word document as Latin
# letters: Havering's é/ê/è and Tower Hamlets' ñ/ò/ð are better/worse/same.
_PUBLISHED_WORDS = [
    (INCREASE, "word", r"inc(rease[ds]?)?|up|higher|rise|risen|rising|increasing|going up|↑|▲|⬆|↗|⇧"),
    (DECREASE, "word", r"dec(rease[ds]?)?|down|lower|fall|fallen|falling|decreasing|reduced|going down|↓|▼|⬇|↘|⇩"),
    (SAME, "word", r"same|unchanged|no change|stable|static|level|flat|no movement|maintained|"
                   r"↔|►|=|⟷|→|⇒|➡|⇔|◄►|no significant change|è|ð"),
    (IMPROVING, "direction", r"improv(ing|ed|ement)|better|getting better|positive|good|performance (has )?improved|"
                             r"é|ñ"),
    (DECLINING, "direction", r"declin(ing|ed|e)|worse|getting worse|worsen(ing|ed)|deteriorat(ing|ed|ion)|"
                             r"negative|performance (has )?declined|ê|ò"),
]


def read_published_trend(text: object) -> tuple[str, str] | None:
    """A published trend cell as ("word", Increase/Decrease/Same) or
    ("direction", Improving/Declining); None when blank or not recognised."""
    cleaned = re.sub(r"\s+", " ", str(text or "")).strip().lower().rstrip(".")
    if not cleaned:
        return None
    for value, kind, pattern in _PUBLISHED_WORDS:
        if re.fullmatch(pattern, cleaned):
            return kind, value
    return None


def _check_published(
    reader: _Reader, trend: Trend, rating: Rating, latest: Value, previous: Value
) -> None:
    said = reader.cell("published_trend")
    if said is not None and trend.word in (INCREASE, DECREASE, SAME):
        reading = read_published_trend(said)
        movement = f"{previous.display()} → {latest.display()} is {_a(trend.word)}"
        if reading is None:
            reader.note("published_trend", f"published trend '{str(said)[:40]}' is not a word we know")
        elif reading[0] == "word" and reading[1] != trend.word:
            reader.note("published_trend", f"published trend '{said}' disagrees with the data: {movement}")
        elif reading[0] == "direction" and trend.direction not in (NOT_APPLICABLE,) and reading[1] != trend.direction:
            if not (trend.direction == NO_CHANGE):
                reader.note("published_trend", f"published trend '{said}' disagrees with the data: {movement} "
                                               f"({trend.direction.lower()})")
    said_rag = reader.cell("published_rag")
    if said_rag is not None and rating.rag:
        word = parse_rag_word(said_rag)
        if word is None:
            reader.note("published_rag", f"published RAG '{str(said_rag)[:40]}' is not Red, Amber, Green or N/A")
        elif word != rating.rag:
            reader.note("published_rag", f"published RAG {word} differs from the calculated {rating.reason}")


def _a(word: str) -> str:
    return {"Increase": "an increase", "Decrease": "a decrease", "Same": "the same"}.get(word, word.lower())


def duplicate_codes(codes: "list[object]", where: "list[str] | None" = None) -> dict[int, str]:
    """Rows whose code another row also has, each with a message naming the
    others: both rows would be rated from the same data. ``where`` names each
    row (e.g. "row 12"); by default its 1-based position."""
    seen: dict[str, list[int]] = {}
    for index, code in enumerate(codes):
        text = "" if code is None else str(code).strip()
        if isinstance(code, float) and code.is_integer():
            text = str(int(code))
        if text and text.lower() not in ("n/a", "-", "na"):
            seen.setdefault(text, []).append(index)
    names = where or [f"row {i + 1}" for i in range(len(codes))]
    problems: dict[int, str] = {}
    for code, indexes in seen.items():
        if len(indexes) < 2:
            continue
        for index in indexes:
            others = ", ".join(names[i] for i in indexes if i != index)
            problems[index] = (f"code '{code}' is also on {others}: both are rated from the same data; "
                               "give each indicator its own code")
    return problems
