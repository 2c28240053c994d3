"""The report in sentences: counts, topics, changes since the last refresh, exceptions.

What an officer writes by hand at the top of a committee paper ("Of the 25
indicators, 5 are Green...") worked out from the ratings, deterministically:
the same ratings always give the same words, and every number is a count of
rows. The refresh writes these sentences into the Summary sheet; the
committee paper (``kpi-excel pack``) opens with them. Both build their
:class:`IndicatorStatus` rows from the KPIs table as it is published, so the
two agree.

**Exceptions** (the rule a scrutiny committee asks for): every indicator
rated Red, and every indicator whose direction is Declining and which is
below its target or in the bottom quartile (quartile 4, 1 = best) of its
comparators.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from kpi_excel.core.plan import Cell, ColumnSpec, FormatRule, SheetSpec
from kpi_excel.core.polarity import Polarity
from kpi_excel.core.rag import GREEN, NA, STATUS_ORDER, Rule
from kpi_excel.core.targets import Target
from kpi_excel.core.trend import DECLINING, IMPROVING, NO_CHANGE
from kpi_excel.core.values import Value

__all__ = [
    "RAG_ORDER",
    "IndicatorStatus",
    "Move",
    "ExceptionItem",
    "ReportSummary",
    "summarise",
    "exception_reason",
    "missed_target",
    "missed_targets",
    "summary_sheet",
    "SUMMARY_TITLE",
]

# Blue and Yellow only where a council's key has them (issue 19); a zero count is never said.
RAG_ORDER = STATUS_ORDER
_SEVERITY = {"Red": 0, "Amber": 1, "Yellow": 1.5, "Green": 2, "Blue": 2.5, "N/A": 3}


@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator as the published table shows it."""

    indicator: str
    code: str = ""
    topic: str = ""
    rag: str = ""  # Green | Amber | Red | N/A ("" counts as N/A)
    direction: str = ""  # Improving | Declining | No change | Not applicable
    rag_reason: str = ""
    quartile: int | None = None  # 1 = best
    rank: str = ""  # "12 of 150"
    comment: str = ""
    below_target: bool | None = None  # None: no target, or no value to compare
    previous_rag: str = ""  # the RAG the previous refresh gave ("" not known)
    period_rag: str = ""  # the RAG at the comparable previous period ("" not known: see previous_period_rags)
    significance: str = ""  # "significant" / "not significant" / "" (no counts to test the move)
    shown_rag: str = ""  # the council's own word for the status, where its key names one ("Green star")
    benchmark_value: str = ""  # the figure Quartile and Rank were worked out on, as shown ("85.7%")
    benchmark_period: str = ""  # its period ("2022")

    @property
    def rag_word(self) -> str:
        return self.rag if self.rag in RAG_ORDER else "N/A"


@dataclass(frozen=True)
class Move:
    """An indicator whose RAG changed since the previous refresh."""

    indicator: str
    before: str
    after: str


@dataclass(frozen=True)
class ExceptionItem:
    """An indicator the committee should look at, and why the rule picked it."""

    status: IndicatorStatus
    why: str  # "Red", "declining and below target", "declining and in the bottom quartile"

    @property
    def benchmark(self) -> str:
        """Its benchmark position in words ("" when not benchmarked)."""
        parts = []
        if self.status.quartile is not None:
            parts.append(f"quartile {self.status.quartile} of 4 (1 = best)")
        if self.status.rank:
            parts.append(f"rank {self.status.rank}")
        if parts and self.status.benchmark_value:
            period = self.status.benchmark_period
            parts.append(f"on the {period + ' ' if period else ''}value {self.status.benchmark_value}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ReportSummary:
    """The summary's sentences and the lists behind them."""

    total: int
    counts: dict[str, int]
    directions: dict[str, int]
    overall: tuple[str, ...]
    topics: tuple[str, ...]
    changes: tuple[str, ...]
    moves: tuple[Move, ...]
    exceptions: tuple[ExceptionItem, ...]

    def lines(self) -> list[str]:
        """Every sentence in reading order: overall, changes, topics, exceptions count."""
        return [*self.overall, *self.changes, *self.topics, self.exceptions_sentence]

    @property
    def exceptions_sentence(self) -> str:
        n = len(self.exceptions)
        if not n:
            return "No exceptions: no indicator is Red, and none is declining while below target or in the " \
                   "bottom quartile."
        return (f"{n} exception{_s(n)} (every Red, and every indicator declining while below target or in "
                "the bottom quartile) " + ("is" if n == 1 else "are") + " listed below.")


def missed_target(latest: Value | None, target: Target | None, polarity: Polarity | None,
                  previous: Value | None = None) -> bool | None:
    """Whether the latest value misses its target (None: no target or no value to compare)."""
    return missed_targets([(latest, target, polarity, previous)])[0]


def missed_targets(rows: Sequence[tuple[Value | None, Target | None, Polarity | None, Value | None]]
                   ) -> list[bool | None]:
    """:func:`missed_target` for many rows, read by the rating engine's target rule in one pass
    (latest, target, polarity, previous value a row; the previous one for a Maintain target)."""
    from kpi_excel.core.engine.rag_columns import rate_parsed

    judged = [i for i, (latest, target, polarity, _) in enumerate(rows)
              if target is not None and latest is not None and latest.ok and polarity is not None
              and not (target.op == "=" and polarity not in (Polarity.HIGH, Polarity.LOW, Polarity.TARGET))]
    out: list[bool | None] = [None] * len(rows)
    if not judged:
        return out
    picked = [rows[i] for i in judged]
    ratings = rate_parsed([Rule.TARGET] * len(picked), [r[0] for r in picked], [r[2] for r in picked],  # type: ignore[misc]
                          ["Not applicable"] * len(picked), target=[r[1] for r in picked],
                          previous=[r[3] for r in picked])
    for i, rating in zip(judged, ratings):
        out[i] = None if rating.rag == NA else rating.rag != GREEN
    return out


def exception_reason(status: IndicatorStatus) -> str | None:
    """Why the exceptions rule picks an indicator, or None when it does not."""
    if status.rag_word == "Red":
        return "Red"
    if status.direction != DECLINING:
        return None
    if status.below_target:
        return "declining and below target"
    if status.quartile == 4:
        return "declining and in the bottom quartile"
    return None


def summarise(statuses: Sequence[IndicatorStatus], *, previous_refresh: str | None = None) -> ReportSummary:
    """The sentences for ``statuses``.

    ``previous_refresh`` says when the previous refresh was (the Log's last
    entry; "" when the Log has one but its time is not known); None when there
    was none, and then no sentence compares with it.
    """
    total = len(statuses)
    counts = _counts(statuses)
    directions = _directions(statuses)
    overall = (_count_sentence(statuses, counts, total), _direction_sentence(directions, total),
               *_period_move_sentences(statuses)) if total else ("There are no indicators on the KPIs sheet.",)
    moves = _moves(statuses) if previous_refresh is not None else ()
    changes = _change_sentences(moves, previous_refresh) if previous_refresh is not None else ()
    topics = _topic_sentences(statuses)
    exceptions = tuple(ExceptionItem(s, why) for s in statuses if (why := exception_reason(s)))
    return ReportSummary(total, counts, directions, overall, topics, changes, moves, exceptions)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _counts(statuses: Sequence[IndicatorStatus]) -> dict[str, int]:
    """Indicators by status: Green, Amber, Red and N/A always, Blue and Yellow where a key gave them."""
    tally = Counter(s.rag_word for s in statuses)  # one pass, not one per status word
    counts = {word: tally[word] for word in RAG_ORDER}
    return {word: n for word, n in counts.items() if n or word not in ("Blue", "Yellow")}


def _rag_words(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[w]} {w}" for w in RAG_ORDER[:-1] if counts.get(w))


_NA_KINDS = (
    ("have no target or benchmark", ("n/a: no target", "n/a: no benchmark")),
    ("have no polarity", ("n/a: the indicator has no polarity", "n/a: polarity not recognised")),
    ("have no usable latest value", ("n/a: latest value",)),
)


def _not_rated(statuses: Sequence[IndicatorStatus]) -> str:
    """How many are N/A, and why, from the reasons' own words."""
    kinds: dict[str, int] = {}
    for status in statuses:
        if status.rag_word != "N/A":
            continue
        reason = status.rag_reason.strip().lower()
        kind = next((label for label, starts in _NA_KINDS if reason.startswith(starts)), "are marked N/A")
        kinds[kind] = kinds.get(kind, 0) + 1
    order = [label for label, _ in _NA_KINDS] + ["are marked N/A"]
    parts = [f"{kinds[k]} {k if kinds[k] != 1 else _singular(k)}" for k in order if kinds.get(k)]
    return _join(parts)


def _singular(kind: str) -> str:
    return {"have": "has", "are": "is"}.get(kind.split(" ", 1)[0], kind.split(" ", 1)[0]) + " " + kind.split(" ", 1)[1]


def _count_sentence(statuses: Sequence[IndicatorStatus], counts: dict[str, int], total: int) -> str:
    rated = total - counts["N/A"]
    head = f"Of {total} indicator{_s(total)}, {rated} {'is' if rated == 1 else 'are'} rated"
    head += f": {_rag_words(counts)}" if rated else ""
    if counts["N/A"]:
        head += f"; {_not_rated(statuses)}"
    return head + "."


def _directions(statuses: Sequence[IndicatorStatus]) -> dict[str, int]:
    """How many moved each way; ``improved tested``/``improved significant`` (and
    for declined) count the moves with counts to test them, and the real ones."""
    out = {"improved": 0, "declined": 0, "did not change": 0, "cannot be compared": 0}
    for moved in ("improved", "declined"):
        out[f"{moved} tested"] = out[f"{moved} significant"] = 0
    for status in statuses:
        key = {IMPROVING: "improved", DECLINING: "declined", NO_CHANGE: "did not change"}.get(
            status.direction, "cannot be compared")
        out[key] += 1
        if key in ("improved", "declined") and status.significance:
            out[f"{key} tested"] += 1
            out[f"{key} significant"] += status.significance == "significant"
    return out


def _moved(directions: dict[str, int], key: str) -> str:
    """``10 improved (3 significantly)``: how many of the moves were more than chance,
    where counts could say; the moves without counts are said to be untested."""
    text = f"{directions[key]} {key}"
    tested = directions.get(f"{key} tested", 0)
    if key not in ("improved", "declined") or not tested:
        return text
    untested = directions[key] - tested
    text += f" ({directions[f'{key} significant'] or 'none'} significantly"
    return text + (f", {untested} without counts to test)" if untested else ")")


def _direction_sentence(directions: dict[str, int], total: int) -> str:
    parts = [_moved(directions, k) for k in ("improved", "declined", "did not change") if directions[k]]
    unknown = directions["cannot be compared"]
    if unknown:
        parts.append(f"{unknown} cannot be compared (no comparable previous value, or no polarity)")
    if not parts:
        return "No indicator has a direction of travel."
    return "Since the comparable previous period: " + _join(parts) + "."


def _topic_sentences(statuses: Sequence[IndicatorStatus]) -> tuple[str, ...]:
    topics: dict[str, list[IndicatorStatus]] = {}
    for status in statuses:
        topics.setdefault(status.topic.strip(), []).append(status)
    if len(topics) < 2 and "" in topics:
        return ()  # no topics written: the overall sentence says it all
    out = []
    for topic, rows in topics.items():
        counts = _counts(rows)
        directions = _directions(rows)
        bits = [_rag_words(counts)] if _rag_words(counts) else []
        if counts["N/A"]:
            bits.append(f"{counts['N/A']} N/A")
        moving = [_moved(directions, k) for k in ("improved", "declined", "did not change") if directions[k]]
        text = f"{topic or 'No topic'}: {len(rows)} indicator{_s(len(rows))}, {', '.join(bits)}"
        if moving:
            text += "; " + _join(moving)
        out.append(text + ".")
    return tuple(out)


def _moves(statuses: Sequence[IndicatorStatus]) -> tuple[Move, ...]:
    moves = [Move(s.indicator, s.previous_rag if s.previous_rag in RAG_ORDER else "N/A", s.rag_word)
             for s in statuses if s.previous_rag and s.previous_rag != s.rag_word]
    return tuple(sorted(moves, key=lambda m: (_SEVERITY[m.after], _SEVERITY[m.before])))


def _period_move_sentences(statuses: Sequence[IndicatorStatus]) -> tuple[str, ...]:
    """RAG moves against the comparable previous period: the same however often the report is
    refreshed (an override and a re-refresh do not wipe out the quarter's moves)."""
    rated = RAG_ORDER[:-1]  # an N/A either side (no value then, no polarity) is no move
    known = [s for s in statuses if s.period_rag in rated and s.rag_word in rated]
    if not known:
        return ()
    moves = sorted((Move(s.indicator, s.period_rag, s.rag_word) for s in known if s.period_rag != s.rag_word),
                   key=lambda m: (_SEVERITY[m.after], _SEVERITY[m.before]))
    compared = f"of {len(known)} indicator{_s(len(known))} whose target rates both periods"
    if not moves:
        return (f"Against the comparable previous period no rating changed ({compared}).",)
    return (f"Against the comparable previous period {len(moves)} rating{_s(len(moves))} changed ({compared}).",
            *_move_groups(moves, " since the previous period"))


def _change_sentences(moves: tuple[Move, ...], when: str | None) -> tuple[str, ...]:
    since = f"since the previous refresh ({when})" if when else "since the previous refresh"
    if not moves:
        return (f"No rating changed {since}.",)
    return (f"{len(moves)} rating{_s(len(moves))} changed {since}.", *_move_groups(moves, ""))


def _move_groups(moves: Sequence[Move], when: str) -> list[str]:
    """One sentence per (before, after) pair, its indicators in the order given."""
    groups: dict[tuple[str, str], list[str]] = {}
    for move in moves:
        groups.setdefault((move.before, move.after), []).append(move.indicator)
    return [f"{len(names)} moved from {before} to {after}{when}: " + "; ".join(names) + "."
            for (before, after), names in groups.items()]


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --- the Summary sheet ---------------------------------------------------------------------

SUMMARY_TITLE = "Summary of the KPIs"
_EXCEPTION_COLUMNS = (
    ("Indicator", 46, True), ("Topic", 26, True), ("RAG", 8, False), ("Direction", 12, False),
    ("Why it is an exception", 24, True), ("RAG Reason", 50, True), ("Benchmark", 24, True), ("Comment", 40, True),
)


def summary_sheet(summary: ReportSummary, *, name: str, when: str, rules: Sequence[FormatRule] = (),
                  not_used: Sequence[str] = ()) -> SheetSpec:
    """The Summary sheet: the sentences above a table of the exceptions.

    ``not_used`` names data the refresh read but no indicator takes (a Data code
    matching no indicator), each on its own line after the counts.

    Its first cell always starts with :data:`SUMMARY_TITLE`, which is how a
    writer that cannot see the ownership registry (xlwings) knows the sheet is
    ours before replacing it.
    """
    title = [Cell(f"{SUMMARY_TITLE} ({when})" if when else SUMMARY_TITLE, style="title")]
    title += [Cell(line, style="note") for line in summary.overall]
    title += [Cell(f"Not used: {line}", style="bold") for line in not_used]
    title += [Cell(line, style="note") for line in [*summary.changes, *summary.topics]]
    title += [Cell(summary.exceptions_sentence, style="bold")]
    columns = tuple(ColumnSpec(h, w, wrap=wrap) for h, w, wrap in _EXCEPTION_COLUMNS)
    rows = tuple(
        (e.status.indicator, e.status.topic or None, e.status.rag_word, e.status.direction or None, e.why,
         e.status.rag_reason or None, e.benchmark or None, e.status.comment or None)
        for e in summary.exceptions
    )
    return SheetSpec(name, columns, rows, title=tuple(title), table="Exceptions" if rows else None,
                     tab_colour="C00000", rules=tuple(rules))
