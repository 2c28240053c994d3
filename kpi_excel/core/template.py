"""The report workbook's sheets as specs: KPIs, Data, Settings, RAG key, Log.

``kpi-excel new`` and ``kpi-excel init`` write these through the lossless
writer; refresh finds columns by these header texts (any order, officers' own
columns untouched).
"""

from __future__ import annotations

from typing import Mapping

from kpi_excel.core.measures import MEASURE_TYPE_CHOICES
from kpi_excel.core.palette import COMPARISON_COLOURS, QUARTILE_COLOURS, RAG_COLOURS, status_swatch
from kpi_excel.core.plan import Cell, ColumnSpec, FormatRule, SheetSpec
from kpi_excel.core.rule_registry import Rule, rule_names
from kpi_excel.core.targets import Tolerance
from kpi_excel.core.settings import ReportSettings, settings_table

__all__ = [
    "KPI_SHEET",
    "DATA_SHEET",
    "SETTINGS_SHEET",
    "RAG_KEY_SHEET",
    "LOG_SHEET",
    "BENCHMARK_SHEET",
    "SUMMARY_SHEET",
    "HISTORY_SHEET",
    "KPI_COLUMNS",
    "KPI_INPUTS",
    "KPI_OUTPUTS",
    "KPI_OUTPUT_SPECS",
    "POLARITY_CHOICES",
    "FREQUENCY_CHOICES",
    "RAG_CHOICES",
    "RULE_CHOICES",
    "kpi_rules",
    "kpi_sheet",
    "data_sheet",
    "settings_sheet",
    "rag_key_sheet",
    "log_sheet",
    "LOG_COLUMNS",
    "LISTS_SHEET",
    "BENCHMARK_CODES_NAME",
    "lists_sheet",
]

KPI_SHEET, DATA_SHEET, SETTINGS_SHEET = "KPIs", "Data", "Settings"
RAG_KEY_SHEET, LOG_SHEET, BENCHMARK_SHEET = "RAG key", "Log", "Benchmark"
SUMMARY_SHEET, HISTORY_SHEET = "Summary", "KPI history"  # Excel reserves "History"
LISTS_SHEET, BENCHMARK_CODES_NAME = "Lists", "BenchmarkCodes"

POLARITY_CHOICES = ("High = Good", "Low = Good", "Close to target", "N/A")
FREQUENCY_CHOICES = ("Monthly", "Quarterly", "Termly", "Half-yearly", "Annual", "YTD")
RAG_CHOICES = ("Red", "Amber", "Green", "N/A")
RULE_CHOICES = tuple(rule.value for rule in Rule)

# (header, canonical field, spec). Inputs are the officer's; outputs are ours.
_INPUTS = (
    ("Topic", "topic", ColumnSpec("Topic", 17, wrap=True)),
    ("Theme", "theme", ColumnSpec("Theme", 11, wrap=True)),
    ("Indicator", "indicator", ColumnSpec("Indicator", 38, wrap=True)),
    ("Code", "code", ColumnSpec("Code", 9, help="Your code for the indicator; the Data sheet uses it.")),
    ("Polarity", "polarity", ColumnSpec("Polarity", 10, wrap=True, choices=POLARITY_CHOICES, free_text=True,
                                        help="High = Good, Low = Good, Close to target or N/A; also Aim to "
                                             "maximise, Smaller is better, Data only, Contextual ...")),
    ("Frequency", "frequency", ColumnSpec("Frequency", 10, choices=FREQUENCY_CHOICES)),
    ("Unit", "unit", ColumnSpec("Unit", 8, help="% for percentages; anything else is shown as it is.")),
    ("Measure Type", "measure_type",
     ColumnSpec("Measure Type", 14, choices=MEASURE_TYPE_CHOICES,
                help="Percentage, Proportion, Rate per N, DSR per N (directly standardised), Count, Mean or "
                     "Score. With counts (Numerator and "
                     "Denominator in the Data sheet), percentages, rates and counts get a confidence interval "
                     "and a significance test.")),
    ("Target", "target", ColumnSpec("Target", 9, wrap=True, help="e.g. >97.2%, <20.8%, 95% or above, 85%, 90%-95%, "
                                                       "10 days, Maintain, Top quartile or N/A")),
    ("Comment", "comment", ColumnSpec("Comment", 16, wrap=True)),
    ("RAG Override", "rag_override", ColumnSpec("RAG Override", 12, choices=RAG_CHOICES)),
    ("Override Reason", "rag_override_reason", ColumnSpec("Override Reason", 30, wrap=True)),
    ("RAG Rule", "rag_rule", ColumnSpec("RAG Rule", 14, choices=RULE_CHOICES, free_text=True,
                                        help=f"{rule_names()}; tolerances may follow, "
                                             "e.g. target 10pp or target green 5% amber 10%")),
    ("Benchmark Code", "benchmark_code",
     ColumnSpec("Benchmark Code", 18, choices_from=BENCHMARK_CODES_NAME, free_text=True,
                help="The indicator's code in the benchmark data (LAIT Short Desc): pick one, or see the Lists "
                     "sheet (unhide it) or kpi-excel benchmark-codes for each code's indicator.")),
)
_OUTPUTS = (
    ("Previous Period", "previous_period", ColumnSpec("Previous Period", 10, wrap=True, computed=True)),
    ("Previous Value", "previous_value", ColumnSpec("Previous Value", 9, computed=True)),
    ("Latest Period", "latest_period", ColumnSpec("Latest Period", 10, wrap=True, computed=True)),
    ("Latest Value", "latest_value", ColumnSpec("Latest Value", 9, computed=True)),
    ("Change", "change", ColumnSpec("Change", 8, computed=True)),
    ("Trend", "trend", ColumnSpec("Trend", 9, computed=True)),
    ("Direction", "direction", ColumnSpec("Direction", 10, computed=True)),
    ("History", "history", ColumnSpec("History", 10, computed=True,
                                      help="A sparkline of the last periods (History sheet); latest point marked.")),
    ("RAG", "rag", ColumnSpec("RAG", 8, computed=True)),
    ("RAG Reason", "rag_reason", ColumnSpec("RAG Reason", 32, wrap=True, computed=True)),
    ("Quartile", "quartile", ColumnSpec("Quartile", 8, computed=True)),
    ("Stat Neighbour Avg", "sn_average", ColumnSpec("Stat Neighbour Avg", 9, computed=True)),
    ("England", "england", ColumnSpec("England", 10, computed=True)),
    ("Rank", "rank", ColumnSpec("Rank", 9, wrap=True, computed=True)),
    ("Quartile Position", "quartile_position", ColumnSpec("Quartile Position", 11, computed=True)),
    ("Top Quartile Target", "derived_target", ColumnSpec("Top Quartile Target", 12, computed=True)),
    ("Benchmark Value", "benchmark_value",
     ColumnSpec("Benchmark Value", 10, computed=True,
                help="The figure the Quartile and Rank were worked out from: the benchmark data's value for "
                     "your authority in the Benchmark Period, which may differ from the Latest Value.")),
    ("Benchmark Period", "benchmark_period", ColumnSpec("Benchmark Period", 10, wrap=True, computed=True)),
    ("Previous Numerator", "previous_numerator", ColumnSpec("Previous Numerator", 11, "#,##0", computed=True)),
    ("Previous Denominator", "previous_denominator", ColumnSpec("Previous Denominator", 12, "#,##0", computed=True)),
    ("Latest Numerator", "latest_numerator", ColumnSpec("Latest Numerator", 11, "#,##0", computed=True)),
    ("Latest Denominator", "latest_denominator", ColumnSpec("Latest Denominator", 12, "#,##0", computed=True)),
    ("95% CI", "ci95", ColumnSpec("95% CI", 17, computed=True,
                                  help="The range the true latest value lies in, 19 times out of 20.")),
    ("99.8% CI", "ci998", ColumnSpec("99.8% CI", 17, computed=True)),
    ("Significance", "significance", ColumnSpec("Significance", 14, computed=True,
                                                help="Whether the change from the previous period is bigger "
                                                     "than chance alone would make it.")),
    ("vs England", "vs_england", ColumnSpec("vs England", 11, computed=True,
                                            help="Better, similar or worse than England, allowing for chance.")),
    ("Source", "source", ColumnSpec("Source", 24, wrap=True, computed=True)),
    ("Checks", "checks", ColumnSpec("Checks", 40, wrap=True, computed=True)),
    ("Override Period", "override_period",
     ColumnSpec("Override Period", 13, computed=True,
                help="The period the RAG Override was made for, filled by the refresh that first applies it. "
                     "When a later period comes in the override is not applied until you confirm it (type the "
                     "new period here) or clear it.")),
)

# The sheet's column order: the published table's order first, then the extras.
_ORDER = ("Topic", "Theme", "Indicator", "Code", "Polarity", "Frequency", "Previous Period", "Previous Value",
          "Latest Period", "Latest Value", "Change", "Trend", "Direction", "History", "Target", "RAG", "RAG Reason",
          "Quartile", "Rank", "Benchmark Value", "Benchmark Period", "Stat Neighbour Avg", "Comment", "RAG Override", "Override Reason", "Override Period", "RAG Rule", "Unit",
          "Measure Type", "Benchmark Code", "England", "vs England", "Quartile Position",
          "Top Quartile Target", "95% CI", "Significance", "Previous Numerator",
          "Previous Denominator", "Latest Numerator", "Latest Denominator", "Source", "Checks")
_SPECS = {header: spec for header, _, spec in _INPUTS + _OUTPUTS}
KPI_COLUMNS: tuple[ColumnSpec, ...] = tuple(_SPECS[h] for h in _ORDER)
KPI_INPUTS: dict[str, str] = {field: header for header, field, _ in _INPUTS}
# Every computed column's spec by header, including ones added only on request ("99.8% CI").
KPI_OUTPUT_SPECS: dict[str, ColumnSpec] = {header: spec for header, _, spec in _OUTPUTS}
KPI_OUTPUTS: dict[str, str] = {field: header for header, field, _ in _OUTPUTS}

LOG_COLUMNS = ("When", "Who", "Door", "Sources", "Rated", "Green", "Amber", "Red", "N/A", "Changes", "Problems",
               "kpi_excel version")


def status_rules(header: str, words: Mapping[str, str | None] | tuple[str, ...] = ()) -> list[FormatRule]:
    """Fills for the RAG words, then for ``words``: the statuses a council's key adds
    (Blue, Yellow) and its own names for them (Harlow's "Green star"), each mapped to
    the status it stands for where known (a name with no colour in it takes its status's)."""
    rules = [FormatRule(header, "equals", word, s.fill, s.font, bold=True) for word, s in RAG_COLOURS.items()]
    statuses = words if isinstance(words, Mapping) else dict.fromkeys(words)
    for word, status in statuses.items():
        swatch = status_swatch(word, status)
        if word not in RAG_COLOURS and swatch is not None:
            rules.append(FormatRule(header, "equals", word, swatch.fill, swatch.font, bold=True))
    return rules


def kpi_rules(statuses: Mapping[str, str | None] | tuple[str, ...] = ()) -> tuple[FormatRule, ...]:
    """RAG fills that follow the word (and the key's own ``statuses``), direction
    colours, change arrows, quartile shading."""
    rules = status_rules("RAG", statuses)
    rules += [
        FormatRule("Direction", "equals", "Improving", "E2EFDA", "375623"),
        FormatRule("Direction", "equals", "Declining", "FCE4D6", "833C0B"),
        FormatRule("Change", "arrows"),
    ]
    rules += [FormatRule("Quartile", "equals", str(q), s.fill, s.font) for q, s in QUARTILE_COLOURS.items()]
    rules += [FormatRule("vs England", "equals", word, s.fill, s.font) for word, s in COMPARISON_COLOURS.items()]
    rules.append(FormatRule("Significance", "equals", "significant", bold=True))
    return tuple(rules)


def kpi_sheet(rows: tuple[tuple[object, ...], ...] = ()) -> SheetSpec:
    """The KPIs sheet; ``rows`` hold values in KPI_COLUMNS order."""
    # The committee prints the published table (Topic to Comment): on A3 landscape, one page wide, its
    # widths keep the text at 8 pt or more; the working columns to the right stay on screen.
    return SheetSpec(KPI_SHEET, KPI_COLUMNS, rows, table="KPIs", tab_colour="1F4E79", rules=kpi_rules(),
                     print_through="Comment", paper="A3")


def data_sheet(rows: tuple[tuple[object, ...], ...] = ()) -> SheetSpec:
    """The history, long format: paste a new period's rows at the bottom."""
    columns = (
        ColumnSpec("Code", 14, help="The indicator's Code on the KPIs sheet."),
        ColumnSpec("Period", 14, help="e.g. Q2 2022/23, Summer 2022, 2021/22, Mar-25"),
        ColumnSpec("Value", 12, help="A number, a percentage, or a suppression code such as c or x."),
        ColumnSpec("Numerator", 11, "#,##0", help="Optional: the count behind a percentage or rate (e.g. 153 "
                                                  "children), for confidence intervals."),
        ColumnSpec("Denominator", 12, "#,##0", help="Optional: what the count is out of (e.g. 618 plans); for a "
                                                    "rate, the population."),
        ColumnSpec("Area", 16, help="Empty for your authority; another authority's name for comparisons."),
        ColumnSpec("Note", 40, wrap=True),
    )
    return SheetSpec(DATA_SHEET, columns, rows, table="Data", landscape=False, tab_colour="548235")


def lists_sheet(codes: tuple[tuple[str, str, str], ...]) -> SheetSpec:
    """The Benchmark Code dropdown's list (code, indicator, polarity), hidden and protected: 434
    codes are far beyond the 255 characters an inline dropdown holds, so it reads this range."""
    columns = (ColumnSpec("Benchmark Code", 28), ColumnSpec("Indicator", 80), ColumnSpec("Polarity", 12))
    return SheetSpec(LISTS_SHEET, columns, codes, landscape=False, tab_colour="7F7F7F", hidden=True,
                     names=((BENCHMARK_CODES_NAME, "Benchmark Code"),))


def settings_sheet(settings: ReportSettings = ReportSettings()) -> SheetSpec:
    columns = (ColumnSpec("Setting", 26), ColumnSpec("Value", 30), ColumnSpec("What it means", 90, wrap=True))
    return SheetSpec(SETTINGS_SHEET, columns, tuple(settings_table(settings)), table="Settings",
                     landscape=False, tab_colour="7F7F7F")


def rag_key_sheet(settings: ReportSettings = ReportSettings()) -> SheetSpec:
    """The key in words, as the published dashboards print it, from the settings."""
    settled = settings.rag_rule.overridden_by(settings.green_within, settings.amber_within)
    green, tolerance = settled.green_within, settled.amber_within
    named = settled.name_of
    target_green = "Target met (>: strictly above; >=: at or above; a bare number: on the good side)"
    target_green += "." if green is None else f", or missed by no more than {_within(green)}."
    if tolerance is None:
        target_amber = "There is no Amber by target: a missed target is Red."
    else:
        target_amber = f"Missed, but within {_within(tolerance)}."
    comparator = settings.comparator if not settings.comparator_members else \
        f"a group of {len(settings.comparator_members)} authorities"
    target_red = "Target missed" + ("." if tolerance is None else " by more than the tolerance.")
    if settled.amber_if_improved:  # Havering: a miss beyond the tolerance is Amber or Red by the trend
        target_amber = (target_amber if tolerance is not None else "") + \
            " Missed by more than the tolerance, but improved on or held the previous value."
        target_red = target_red[:-1] + ", and worse than the previous value."
    rows = (
        *(() if not isinstance(settled.blue, Tolerance) else
          (("By target", named("Blue"), f"Target beaten by more than {_within(settled.blue)}."),)),
        *(() if settled.blue != "stretch" else
          (("By target", named("Blue"), "The stretch target (the target to aim for) met as well."),)),
        ("By target", named("Green"), target_green),
        *(() if settled.yellow_within is None else
          (("By target", named("Yellow"), f"Missed, but within {_within(settled.yellow_within)}."),)),
        ("By target", named("Amber"), target_amber.strip()),
        ("By target", named("Red"), target_red),
        ("By benchmark", "Green", "Top quartile of local authorities or high in second quartile with improving "
                                  "trend" + _SIGNIFICANT_MOVE),
        ("By benchmark", "Amber", "Second or third quartile with room for improvement."),
        ("By benchmark", "Red", "Fourth quartile or low in the third quartile with a declining trend"
                                + _SIGNIFICANT_MOVE),
        ("Any", "N/A", "No target and no benchmark, no polarity, or no data (suppressed values are not zeros)."),
        ("Any", "Override", "An officer's RAG Override wins; its reason is kept in the RAG Reason."),
    )
    if settings.trend_needs_significance:
        rows += (("Trend", "Significant", f"A change counts as improving or declining only when it is statistically "
                                          f"significant ({settings.confidence * 100:g}% confidence) for indicators "
                                          "with counts; otherwise it reads Same."),)
    notes = (
        Cell("RAG rating key", style="title"),
        Cell(f"Rule: {settings.rag_rule.text()} — {settings.rag_rule.kind.key}"
             + f" Quartiles are worked out among {comparator} (quartile 1 = top).", style="note"),
    )
    columns = (ColumnSpec("Rule", 16), ColumnSpec("RAG", 10), ColumnSpec("Meaning", 90, wrap=True))
    own = {named(status): status for status in settled.statuses() if named(status) not in RAG_COLOURS}
    rules = tuple(status_rules("RAG", own))
    return SheetSpec(RAG_KEY_SHEET, columns, rows, title=notes, landscape=False, tab_colour="BF8F00", rules=rules)


# Where counts can tell, a move that is not significant is no move to the quartile key.
_SIGNIFICANT_MOVE = " (where the indicator has counts, a statistically significant one)."


def _within(tolerance: Tolerance) -> str:
    """A tolerance in the key's words: "10% of the target", "2 points of the target"."""
    if tolerance.auto:
        return (f"{tolerance.amount:g} points of the target for a percentage, {tolerance.amount:g}% of the "
                "target otherwise")
    if tolerance.relative:
        return f"{tolerance.amount:g}% of the target"
    return f"{tolerance.amount:g} points of the target"


def log_sheet() -> SheetSpec:
    widths = {"When": 18, "Who": 16, "Door": 10, "Sources": 40, "Changes": 60, "Problems": 10,
              "kpi_excel version": 14}
    columns = tuple(ColumnSpec(h, widths.get(h, 8), wrap=h in ("Sources", "Changes")) for h in LOG_COLUMNS)
    return SheetSpec(LOG_SHEET, columns, (), table=None, landscape=True, tab_colour="7F7F7F")
