"""Golden outputs of the rating engine: every door, every case table, the bench data.

Run ``python tests/golden/make_golden.py`` from the repository root to write
them. ``tests/test_golden.py`` runs each case again and asserts the output is
the same, cell for cell (text exactly, numbers exactly as printed).

Why: the rating engine is rewritten for speed (issue 11). These files were
written by the engine *before* that rewrite, so any difference the rewrite makes
shows up here. Regenerate them only for a change of behaviour you mean, and say
in the commit which outputs changed and why.

Each case is frozen with its input (``inputs/``), so a case table that grows
later (a new row in rag_cases.csv, a new council) does not change these files:

* ``rate`` cases: a table (CSV, or XLSX with number formats) and a command line;
  the golden is the CSV on stdout, and the summary line on stderr.
* ``refresh`` cases: a report workbook (and Settings to change); the golden is
  what the refresh plans to write on the KPIs sheet, the Benchmark sheet's rows
  and the summary (what any door writes, before the writer).

Inputs come from ``tests/cases/**`` (each case table turned into an indicator
table), the council corpus with its own command lines, the seed table, the
rate benchmark's generated rows and a seeded mix of every word, value, period,
target and rule the readers know (``fuzz``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import random
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = ["RATE_CASES", "REFRESH_CASES", "run_rate", "run_refresh", "read_text", "main"]

GOLDEN = Path(__file__).resolve().parent
ROOT = GOLDEN.parents[1]
TESTS = ROOT / "tests"
CASES = TESTS / "cases"
INPUTS = GOLDEN / "inputs"
OUTPUTS = GOLDEN / "outputs"
NOW = dt.datetime(2026, 1, 5, 9, 30)


@dataclass(frozen=True)
class RateCase:
    name: str
    input: str  # file name under inputs/ (or a path from the repository root for tables kept elsewhere)
    args: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        return ROOT / self.input if "/" in self.input else INPUTS / self.input


@dataclass(frozen=True)
class RefreshCase:
    name: str
    workbook: str  # file name under inputs/
    settings: tuple[tuple[str, str], ...] = ()  # Settings rows to change: (setting, value)


# --- inputs ---------------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _write_csv(name: str, header: list[str], rows: list[list[object]]) -> None:
    """A plain CSV, or gzipped when the name ends .gz (the larger generated tables)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if c is None else c for c in row] for row in rows)
    if name.endswith(".gz"):
        write_text(INPUTS / name, buffer.getvalue())
    else:
        (INPUTS / name).write_text(buffer.getvalue(), encoding="utf-8")


RAG_HEADER = ["Code", "Indicator", "RAG Rule", "Previous Value", "Latest Value", "Target", "Polarity", "Quartile",
              "Quartile Position", "Amber tolerance", "Green tolerance", "RAG Override", "Trend"]


def _rag_cases() -> None:
    """rag_cases.csv as rows: the case's own direction cannot be typed, so each
    case is rated three times, with a previous value below, equal to and above
    the latest (or the case's own previous value where it has one)."""
    rows = []
    for number, case in enumerate(_rows(CASES / "rag_cases.csv")):
        previous_values = [case["previous"]] if case.get("previous") else ["", *_around(case["latest"])]
        for k, previous in enumerate(previous_values):
            rows.append([f"R{number:03d}{k}", case["case"], case["rule"], previous, case["latest"], case["target"],
                         case["polarity"], case["quartile"], case["position"], case["amber_within"],
                         case.get("green_within", ""), case["override"], case["direction"]])
    _write_csv("rag_cases.csv", RAG_HEADER, rows)


def _around(text: str) -> list[str]:
    """Values just below, equal to and above a value as written (same style)."""
    from kpi_excel.core.values import ValueReadError, parse_value

    try:
        value = parse_value(text)
    except ValueReadError:
        return [text]
    if value.number is None or value.bound is not None or value.text:
        return [text]
    step = 10.0 ** -(value.decimals or 0)
    shown = []
    for delta in (-3 * step, 0.0, 3 * step):
        number = value.number + delta
        digits = f"{number:.{value.decimals or 0}f}"
        shown.append(digits + ("%" if value.percent else ""))
    return shown


def _period_cases() -> None:
    rows = []
    for number, case in enumerate(_rows(CASES / "period_cases.csv")):
        for k, (frequency, previous) in enumerate([(case["frequency"], case["previous"]),
                                                   ("", case["canonical_previous"]),
                                                   (case["frequency"], case["label"])]):
            rows.append([f"P{number:03d}{k}", f"Period case {case['label']}", "High = Good", frequency, previous,
                         "71.5%", case["label"], "73.0%", ">72%"])
    _write_csv("period_cases.csv", ["Code", "Indicator", "Polarity", "Frequency", "Previous Period", "Previous Value",
                                    "Latest Period", "Latest Value", "Target"], rows)


def _value_cases() -> None:
    """Each value as the latest (and as the previous) against several targets and polarities."""
    texts = [c["text"] for c in _rows(CASES / "value_cases.csv")]
    targets = ["", ">5", "<0.5%", ">=90%", "1,000", "£1m", "90%-95%", "Maintain", "10 days"]
    rows = []
    for i, text in enumerate(texts):
        for j, other in enumerate(texts):
            if (i * 7 + j) % 3:
                continue
            polarity = ["High = Good", "Low = Good", "T", "N/A"][(i + j) % 4]
            rows.append([f"V{i:02d}{j:02d}", f"Value case {i}/{j}", polarity, other, text, targets[(i + 2 * j) % len(targets)]])
    _write_csv("value_cases.csv", ["Code", "Indicator", "Polarity", "Previous Value", "Latest Value", "Target"], rows)


def _target_cases() -> None:
    texts = [c["text"] for c in _rows(CASES / "target_cases.csv")]
    latests = ["95%", "84%", "91%", "4", "12", "9 days", "£1.2m", "<0.1%", ">99%", "c"]
    rows = []
    for i, text in enumerate(texts):
        for j, latest in enumerate(latests):
            for polarity in ("High = Good", "Low = Good", "", "T"):
                previous = ["93%", "", "5", "£1.0m"][(i + j) % 4]
                rows.append([f"T{i:02d}{j}{polarity[:1]}", f"Target case {text}", polarity, previous, latest, text,
                             ["", "1", "3", "2 (high)"][(i + j) % 4]])
    _write_csv("target_cases.csv", ["Code", "Indicator", "Polarity", "Previous Value", "Latest Value", "Target",
                                    "Quartile"], rows)


def _word_cases() -> None:
    """Polarity words, names stating a polarity, published trend and RAG words,
    rule texts and tolerances, each in its own column of a row."""
    cases = _rows(CASES / "word_cases.csv")
    by_kind: dict[str, list[str]] = {}
    for case in cases:
        by_kind.setdefault(case["kind"], []).append(case["text"])
    rows = []
    values = [("80%", "84%"), ("84%", "80%"), ("80%", "80%"), ("12", "9"), ("9", "12")]
    for i in range(max(len(v) for v in by_kind.values()) * 3):
        def pick(kind: str) -> str:
            words = by_kind[kind]
            return words[(i * 5 + len(kind)) % len(words)]
        previous, latest = values[i % len(values)]
        name = pick("name") if i % 3 == 0 else f"Word case {i}"
        polarity = "" if i % 3 == 0 else pick("polarity")
        rows.append([f"W{i:03d}", name, polarity, previous, latest, [">82%", "<10", "", "Maintain"][i % 4],
                     str(i % 4 + 1), pick("rule"), pick("tolerance") if i % 2 else "", pick("trend"),
                     pick("published_rag")])
    _write_csv("word_cases.csv", ["Code", "Indicator", "Polarity", "Previous Value", "Latest Value", "Target",
                                  "Quartile", "RAG Rule", "Amber tolerance", "Trend", "RAG"], rows)


def _header_cases() -> list[RateCase]:
    """Each header case as a small table of its own: values under the value
    headers, a target and a status where it has them."""
    cases = []
    filler = {"indicator": ["Households helped", "Calls answered", "Rent collected"],
              "previous_value": ["71%", "88%", "£1.1m"], "latest_value": ["74%", "85%", "£1.2m"],
              "target": [">72%", ">=90%", "£1m"], "published_rag": ["Green", "Red", "G"],
              "published_trend": ["↑", "Worse", "Better"], "green_within": ["2pp", "", "5%"],
              "amber_within": ["5pp", "5%", ""], "rag_rule": ["target", "", "target amber 10%"]}
    for number, case in enumerate(_rows(CASES / "header_cases.csv")):
        headers = case["headers"].split("|")
        expected = dict(part.split("=") for part in case["expected"].split(";"))
        by_position = {int(v): k for k, v in expected.items()}
        rows = []
        for r in range(3):
            row = []
            for position, header in enumerate(headers):
                name = by_position.get(position)
                if name in filler:
                    row.append(filler[name][r])
                elif name is None:
                    row.append(["60%", "63%", "66%"][(r + position) % 3])  # an older period's value
                else:
                    row.append("")
            rows.append(row)
        name = f"header_{number:02d}.csv"
        _write_csv(name, headers, rows)
        cases.append(RateCase(f"header_{number:02d}", name))
    return cases


STATS_HEADER = ["Code", "Indicator", "Polarity", "Measure Type", "Unit", "Previous Value", "Latest Value",
                "Previous Numerator", "Previous Denominator", "Latest Numerator", "Latest Denominator", "England",
                "Target"]


def _stats_cases() -> None:
    """The statistics case tables as indicator rows: interval cases (with a
    previous period a little lower), England comparisons, differences, ratios."""
    rows = []
    for number, case in enumerate(_rows(CASES / "stats" / "interval_cases.csv")):
        x, n, multiplier = float(case["x"]), float(case["n"] or "nan"), float(case["multiplier"])
        if case["method"] == "wilson":
            kind = "Percentage" if multiplier == 100 else "Proportion"
            value = f"{x / n * multiplier:.1f}%" if multiplier == 100 else f"{x / n:.3f}"
        elif case["method"] == "rate":
            kind = f"Rate per {multiplier:,.0f}"
            value = f"{x / n * multiplier:.1f}"
        else:
            kind, value, n = "Count", f"{x:.0f}", float("nan")
        previous_x = max(x - 3, 0)
        previous = "" if n != n else (f"{previous_x / n * multiplier:.1f}" + ("%" if kind == "Percentage" else "")
                                      if kind != "Proportion" else f"{previous_x / n:.3f}")
        if kind == "Count":
            previous = f"{previous_x:.0f}"
        count = "" if n != n else f"{n:.0f}"
        rows.append([f"S{number:03d}", case["case"], ["High = Good", "Low = Good", "N/A"][number % 3], kind, "",
                     previous, value, f"{previous_x:.0f}", count, f"{x:.0f}", count,
                     ["", value, "50%", "12"][number % 4], ["", ">50%", "<10"][number % 3]])
    for number, case in enumerate(_rows(CASES / "stats" / "england_cases.csv")):
        if not case["x"]:
            continue
        x, n, multiplier = float(case["x"]), float(case["n"]), float(case["multiplier"])
        rows.append([f"E{number:03d}", case["case"], case["polarity"], "", "%", f"{(x - 20) / n * 100:.1f}%",
                     f"{x / n * multiplier:.1f}%", f"{x - 20:.0f}", f"{n:.0f}", f"{x:.0f}", f"{n:.0f}",
                     f"{float(case['england']):.2f}%", ""])
    for number, case in enumerate(_rows(CASES / "stats" / "difference_cases.csv")):
        x1, n1, x2, n2 = (float(case[k]) for k in ("x1", "n1", "x2", "n2"))
        rows.append([f"D{number:03d}", case["case"], "High = Good", "Percentage", "", f"{x2 / n2 * 100:.1f}%",
                     f"{x1 / n1 * 100:.1f}%", f"{x2:.0f}", f"{n2:.0f}", f"{x1:.0f}", f"{n1:.0f}", "", ""])
    for number, case in enumerate(_rows(CASES / "stats" / "ratio_cases.csv")):
        x1, e1, x2, e2 = (float(case[k]) for k in ("x1", "exposure1", "x2", "exposure2"))
        rows.append([f"Q{number:03d}", case["case"], "Low = Good", "Rate per 100000", "",
                     f"{x2 / e2 * 1e5:.1f}", f"{x1 / e1 * 1e5:.1f}", f"{x2:.0f}", f"{e2:.0f}", f"{x1:.0f}",
                     f"{e1:.0f}", "", ""])
    # Counts written into the value ("3% (420)") and a count that disagrees with its value.
    rows.append(["C001", "Rate with its count", "Low = Good", "", "", "3.4% (400)", "3.1% (420)", "", "", "", "", "", "<3%"])
    rows.append(["C002", "Counts that disagree", "High = Good", "Percentage", "", "40%", "45%", "40", "100", "47",
                 "100", "44%", ""])
    rows.append(["C003", "A suppressed count", "High = Good", "Percentage", "", "40%", "45%", "c", "100", "45",
                 "x", "", ""])
    _write_csv("stats_cases.csv", STATS_HEADER, rows)


def _seed() -> None:
    sys.path.insert(0, str(TESTS))
    from seed_table import write_seed_tsv

    write_seed_tsv(INPUTS / "seed_2022_23.tsv")


# --- a seeded mix of everything the readers know -------------------------------------------

FUZZ_HEADER = ["Code", "Indicator", "Polarity", "Frequency", "Previous Period", "Previous Value", "Latest Period",
               "Latest Value", "Target", "Quartile", "Quartile Position", "RAG Rule", "Green tolerance",
               "Amber tolerance", "RAG Override", "Override reason", "Trend", "RAG", "Comment"]
FUZZ_STATS = ["Unit", "Measure Type", "Previous Numerator", "Previous Denominator", "Latest Numerator",
              "Latest Denominator", "England"]


def _fuzz_rows(count: int, seed: int, with_stats: bool) -> list[list[object]]:
    rng = random.Random(seed)
    words = _rows(CASES / "word_cases.csv")
    kind = lambda k: [w["text"] for w in words if w["kind"] == k]  # noqa: E731
    periods = _rows(CASES / "period_cases.csv")
    value_texts = [c["text"] for c in _rows(CASES / "value_cases.csv")]
    target_texts = [c["text"] for c in _rows(CASES / "target_cases.csv")]
    polarities = kind("polarity") + ["High = Good", "Low = Good", "N/A", "(high is good)", "(low is good)", "H", "L",
                                     "T", "High", "Low", "-", "", "Highish", "Close to target"] * 3
    names = kind("name")
    frequencies = ["Quarterly", "Quarter", "YTD", "Termly", "Annual", "Monthly", "Half-yearly", "", "Sometimes",
                   "Cumulative", "Q"]
    targets = target_texts + [">97.2%", "<20.8%", ">=90%", "85%", "90%-95%", "", "", "", "N/A", "TBC", ">0.972",
                              "0.9", ">lots", "95% ± 2", "<=5", ">=1,000", "£2m", "=80%"]
    quartiles = ["1", "2", "3", "4", "Q2", "B", "Band C", "top quartile", "2 (high)", "3 (lower half)", "N/A", "",
                 "", "", "5", "E"]
    positions = ["", "", "", "better", "worse", "Better half", "Worse half", "meh"]
    rules = kind("rule") + ["", "", "", "", "", "", "bogus rule", "quartile 5%", "auto"]
    tolerances = kind("tolerance") + ["", "", "", "", "", "", "", "junk", "0"]
    overrides = [""] * 30 + ["Green - agreed with the DCS", "Amber", "Purple", "R: data partial", "N/A"]
    reasons = ["", "", "new service, data partial"]
    trends = kind("trend") + ["Increase", "Decrease", "Same", "wobbly", "", "", "", ""]
    rags = kind("published_rag") + ["Red", "Amber", "Green", "", "", "", "Blue"]
    comments = [""] * 20 + ["=SUM(A1:A3)", "+44 116 232 3232", "-see note", "@mention", "x" * 1200, "On track"]
    codes = ["c", "x", "..", "N/A", "low", "<5", "=1+1", "1e308", "", "nil", "TBC", "#DIV/0!", "z"]
    units = ["%", "", "", "per 10,000", "number", "£", "days", "score", "Count"]
    measures = ["", "", "", "Percentage", "Proportion", "Rate per 10000", "Count", "Mean", "Rate", "ratio of odds"]

    def number_text(number: float, percent: bool, decimals: int, style: int) -> str:
        if percent:
            return f"{number:.{decimals}f}%"
        if style == 0:
            return f"{number:,.{decimals}f}"
        if style == 1:
            return f"{number / 100:.{decimals + 2}f}"  # a fraction beside percentages
        return f"{number:.{decimals}f}"

    rows: list[list[object]] = []
    for i in range(count):
        if i % 97 == 50:
            rows.append(["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]
                        + ([""] * len(FUZZ_STATS) if with_stats else []))
            continue
        if i % 89 == 40:
            rows.append(["", "Waiting lists"] + [""] * (len(FUZZ_HEADER) - 2) + ([""] * len(FUZZ_STATS) if with_stats else []))
            continue
        percent = rng.random() < 0.6
        decimals = rng.choice([0, 1, 1, 1, 2])
        base = rng.uniform(0, 100) if percent else rng.uniform(0, 5000)
        move = rng.choice([0.0, 0.0, rng.uniform(-5, 5), rng.uniform(-0.04, 0.04), rng.uniform(-50, 50)])
        style = rng.choice([0, 0, 0, 2, 1]) if not percent else 0
        previous = number_text(base, percent, decimals, style)
        latest = number_text(base + move, percent, decimals, style if rng.random() < 0.9 else 2)
        roll = rng.random()
        if roll < 0.05:
            latest = rng.choice(codes)
        elif roll < 0.09:
            latest = rng.choice(value_texts)
        elif roll < 0.11:
            latest = rng.choice(["<0.1%", ">99%", "<1,000", f"<{base:.1f}%", f">{base:.0f}%"])
        roll = rng.random()
        if roll < 0.04:
            previous = rng.choice(codes)
        elif roll < 0.07:
            previous = rng.choice(value_texts)
        elif roll < 0.09:
            previous = rng.choice(["<0.1%", ">99%", "<1,000", f"<{base:.1f}%"])
        case = rng.choice(periods)
        if rng.random() < 0.7:
            frequency, latest_period, previous_period = case["frequency"], case["label"], case["previous"]
        else:
            frequency = rng.choice(frequencies)
            latest_period = rng.choice(periods)["label"]
            previous_period = rng.choice([rng.choice(periods)["label"], rng.choice(periods)["canonical_previous"], "",
                                          "Q5 2022/23"])
        if rng.random() < 0.05:
            latest_period = rng.choice(["", "sometime", "Q9 2020"])
        target = rng.choice(targets)
        if rng.random() < 0.35:
            aim = base + rng.uniform(-8, 8) * (1 if percent else 40)
            op = rng.choice([">", ">=", "<", "<=", "", "", "Maintain"])
            target = "Maintain" if op == "Maintain" else op + number_text(aim, percent, rng.choice([0, 1]), 0)
            if rng.random() < 0.15:
                target = f"{number_text(aim - 3, percent, 0, 0)}-{number_text(aim + 3, percent, 0, 0)}"
        code = f"K{i:05d}" if rng.random() > 0.02 else rng.choice(["K00001", "K00002", "", "N/A"])
        name_polarity = rng.random() < 0.05
        indicator = rng.choice(names) if name_polarity else f"Indicator {i}"
        row: list[object] = [
            code, indicator, "" if name_polarity else rng.choice(polarities), frequency, previous_period, previous,
            latest_period, latest, target, rng.choice(quartiles), rng.choice(positions), rng.choice(rules),
            rng.choice(tolerances), rng.choice(tolerances), rng.choice(overrides), rng.choice(reasons),
            rng.choice(trends), rng.choice(rags), rng.choice(comments),
        ]
        if with_stats:
            row.extend(_fuzz_counts(rng, percent, base, move, decimals, units, measures, codes))
        rows.append(row)
    tail = [["* provisional figures"] + [""] * (len(rows[0]) - 1),
            ["Source: council performance system"] + [""] * (len(rows[0]) - 1)]
    return rows + tail


def _fuzz_counts(rng: random.Random, percent: bool, base: float, move: float, decimals: int,
                 units: list[str], measures: list[str], codes: list[str]) -> list[object]:
    if rng.random() < 0.35:
        return [rng.choice(units), rng.choice(measures), "", "", "", "", ""]
    n_latest = rng.choice([20, 100, 250, 1000, 12000])
    n_previous = n_latest if rng.random() < 0.6 else rng.choice([20, 100, 250, 1000, 12000])
    if percent:
        x_latest = round((base + move) / 100 * n_latest)
        x_previous = round(base / 100 * n_previous)
        unit, measure = rng.choice([("%", ""), ("", "Percentage"), ("%", "Percentage"), ("", "")])
    else:
        x_latest, x_previous = round(base + move), round(base)
        unit, measure = rng.choice([("", "Count"), ("number", ""), ("per 10,000", ""), ("", "Rate per 10000")])
        if "10" in unit + measure:
            n_latest, n_previous = n_latest * 1000, n_previous * 1000
    cells: list[object] = [x_previous, n_previous, max(x_latest, 0), n_latest]
    for k in range(4):
        roll = rng.random()
        if roll < 0.15:
            cells[k] = ""
        elif roll < 0.18:
            cells[k] = rng.choice(["c", "-5", "5%", "lots"])
    england = rng.choice(["", "", f"{base:.1f}%" if percent else f"{base:.0f}", "0.5", "x"])
    return [unit, measure, *cells, england]


def _fuzz() -> None:
    _write_csv("fuzz.csv.gz", FUZZ_HEADER, _fuzz_rows(2000, 11, with_stats=False))
    _write_csv("fuzz_stats.csv.gz", FUZZ_HEADER + FUZZ_STATS, _fuzz_rows(1500, 12, with_stats=True))
    _fuzz_xlsx()


def _fuzz_xlsx() -> None:
    """Numbers as Excel holds them, with their number formats (0.776 under 0.0%)."""
    from openpyxl import Workbook

    rng = random.Random(13)
    book = Workbook()
    sheet = book.active
    sheet.title = "Indicators"
    sheet.append(["Performance report (title above the header)"])
    header = ["Code", "Indicator", "Polarity", "Previous Value", "Latest Value", "Target", "Quartile", "England",
              "Latest Numerator", "Latest Denominator", "Unit"]
    sheet.append(header)
    formats = ["0.0%", "0%", "0.00%", "#,##0", "0.0", "0.00", "General", "#,##0.0", '0.0"%"', "£#,##0"]
    for i in range(600):
        percent_format = rng.choice(formats)
        percent = "%" in percent_format.split(";")[0].replace('"%"', "")
        base = rng.uniform(0.05, 0.95) if percent else rng.uniform(1, 5000)
        latest = base + rng.choice([0.0, rng.uniform(-0.05, 0.05) * (1 if percent else 100)])
        target: object = rng.choice([base, base + 0.02, f">{base * 100:.0f}%", None, "N/A", 0.9, 90])
        n = rng.choice([None, 100, 1000])
        row = [f"X{i:04d}", f"Indicator {i}", rng.choice(["High = Good", "Low = Good", "T", "N/A", None]),
               round(base, 4), round(latest, 4), target, rng.choice([1, 2, 3, 4, None, "2 (high)"]),
               rng.choice([None, round(base + 0.01, 3)]), None if n is None else round(latest * n) if percent else None,
               n, rng.choice(["%", None, None])]
        sheet.append(row)
        for column in (4, 5, 6, 8):
            cell = sheet.cell(row=i + 3, column=column)
            if isinstance(cell.value, (int, float)):
                cell.number_format = percent_format if column != 6 or rng.random() < 0.7 else "General"
    book.save(INPUTS / "fuzz_formats.xlsx")


def _bench_rows() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_rate import HEADER, make_rows

    rows = make_rows(2000, seed=5)
    _write_csv("bench_rows.csv.gz", HEADER, rows)
    rng = random.Random(6)
    counted = []
    for row in rows[:1500]:
        latest, previous = row[7], row[5]
        n = rng.choice([50, 200, 1000, 20000])
        cells = []
        for text in (previous, latest):
            try:
                number = float(text.rstrip("%").replace(",", ""))
            except ValueError:
                cells += ["", ""]
                continue
            x = round(number / 100 * n) if text.endswith("%") else round(number)
            cells += [x, n if text.endswith("%") else ""]
        unit = "%" if latest.endswith("%") or previous.endswith("%") else "number"
        counted.append(row + [unit, *cells])
    _write_csv("bench_counts.csv.gz", HEADER + ["Unit", "Previous Numerator", "Previous Denominator", "Latest Numerator",
                                             "Latest Denominator"], counted)


def _workbooks() -> None:
    from kpi_excel.app.report_files import new_report

    sys.path.insert(0, str(ROOT / "bench"))
    from big_report import make_big_report

    new_report(INPUTS / "example_report.xlsx", example=True)
    make_big_report(INPUTS / "big_report.xlsx", 300, 3000)
    _fuzz_report()


def _fuzz_report() -> None:
    """A report workbook whose KPIs rows are the fuzz mix, typed as officers type them."""
    from openpyxl import load_workbook

    from kpi_excel.app.report_files import new_report

    path = new_report(INPUTS / "fuzz_report.xlsx")
    book = load_workbook(path)
    sheet = book["KPIs"]
    header = [c.value for c in sheet[1]]
    rows = _fuzz_rows(400, 14, with_stats=True)
    names = FUZZ_HEADER + FUZZ_STATS
    mapping = {"Amber tolerance": None, "Green tolerance": None, "Override reason": "Override Reason",
               "Quartile Position": "Quartile Position", "Trend": None, "RAG": None, "Previous Numerator":
               "Previous Numerator", "Latest Numerator": "Latest Numerator"}
    for r, row in enumerate(rows, start=2):
        for name, value in zip(names, row):
            target = mapping.get(name, name)
            if target is None or target not in header or value in ("", None):
                continue
            cell = sheet.cell(row=r, column=header.index(target) + 1)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed as text, even "=SUM(A1:A3)"
                continue
    book.save(path)


def make_inputs() -> list[RateCase]:
    INPUTS.mkdir(parents=True, exist_ok=True)
    _rag_cases()
    _period_cases()
    _value_cases()
    _target_cases()
    _word_cases()
    _stats_cases()
    _seed()
    _fuzz()
    _bench_rows()
    _workbooks()
    for path in sorted((CASES / "councils").glob("*.csv")):
        shutil.copyfile(path, INPUTS / f"council_{path.name}")
    return _header_cases()


# --- the cases ------------------------------------------------------------------------------


def _council_cases() -> list[RateCase]:
    found = []
    for path in sorted(INPUTS.glob("council_*.csv")):
        line = next(l for l in path.read_text(encoding="utf-8").splitlines() if l.startswith("# Rate:"))
        args = shlex.split(line.split(":", 1)[1])[3:]
        found.append(RateCase(path.stem, path.name, tuple(args)))
    return found


_VARIANTS = {
    "default": (),
    "target_tolerances": ("--rule", "target green 5% amber 10%", "--same-within", "1%"),
    "quartile_significance": ("--rule", "quartile", "--trend-needs-significance", "--confidence", "99.8"),
    "trend_auto": ("--rule", "trend", "--amber-within", "10auto", "--same-within", "0.5"),
    "green_amber": ("--green-within", "2pp", "--amber-within", "5%"),
    "auto_units": ("--rule", "target", "--green-within", "3 auto", "--amber-within", "10auto"),
}


def _static_cases() -> list[RateCase]:
    cases = [
        RateCase("rag_cases", "rag_cases.csv"),
        RateCase("rag_cases_amber_10pp", "rag_cases.csv", ("--amber-within", "10pp", "--same-within", "1%")),
        RateCase("period_cases", "period_cases.csv"),
        RateCase("value_cases", "value_cases.csv"),
        RateCase("value_cases_tolerances", "value_cases.csv", ("--green-within", "5%", "--amber-within", "10 auto")),
        RateCase("target_cases", "target_cases.csv"),
        RateCase("target_cases_quartile", "target_cases.csv", ("--rule", "quartile")),
        RateCase("target_cases_tolerances", "target_cases.csv", ("--rule", "target green 2 auto amber 5%")),
        RateCase("word_cases", "word_cases.csv"),
        RateCase("stats_cases", "stats_cases.csv"),
        RateCase("stats_cases_998_significance", "stats_cases.csv", ("--confidence", "99.8",
                                                                     "--trend-needs-significance")),
        RateCase("seed_2022_23", "seed_2022_23.tsv"),
        RateCase("seed_2022_23_quartile", "seed_2022_23.tsv", ("--rule", "quartile")),
        RateCase("fuzz_formats", "fuzz_formats.xlsx"),
        RateCase("fuzz_formats_tolerances", "fuzz_formats.xlsx", ("--amber-within", "5 auto", "--same-within", "1%")),
    ]
    for variant, args in _VARIANTS.items():
        cases.append(RateCase(f"fuzz_{variant}", "fuzz.csv.gz", args))
    for variant in ("default", "quartile_significance", "auto_units"):
        cases.append(RateCase(f"fuzz_stats_{variant}", "fuzz_stats.csv.gz", _VARIANTS[variant]))
    bench = {
        "default": (),
        "target": ("--rule", "target"),
        "quartile": ("--rule", "quartile"),
        "trend_same_within": ("--rule", "trend", "--same-within", "1%"),
        "tolerances": ("--green-within", "2pp", "--amber-within", "5%"),
        "auto": ("--rule", "auto", "--amber-within", "10auto"),
    }
    for variant, args in bench.items():
        cases.append(RateCase(f"bench_{variant}", "bench_rows.csv.gz", args))
    cases.append(RateCase("bench_counts_significance", "bench_counts.csv.gz", ("--trend-needs-significance",)))
    cases.append(RateCase("bench_counts_quartile_998", "bench_counts.csv.gz", ("--rule", "quartile", "--confidence",
                                                                             "99.8", "--trend-needs-significance")))
    return cases


def _header_case_list() -> list[RateCase]:
    return [RateCase(p.stem, p.name) for p in sorted(INPUTS.glob("header_*.csv"))]


def rate_cases() -> list[RateCase]:
    return _static_cases() + _council_cases() + _header_case_list()


REFRESH_CASES = [
    RefreshCase("refresh_example", "example_report.xlsx"),
    RefreshCase("refresh_example_quartile_significance", "example_report.xlsx",
                (("RAG rule", "quartile"), ("Trend needs significance", "Yes"), ("Confidence level", "99.8%"))),
    RefreshCase("refresh_example_tolerances", "example_report.xlsx",
                (("RAG rule", "target"), ("Green tolerance", "2pp"), ("Amber tolerance", "10 auto"),
                 ("Trend tolerance", "1%"))),
    RefreshCase("refresh_big_report", "big_report.xlsx"),
    RefreshCase("refresh_fuzz_report", "fuzz_report.xlsx"),
    RefreshCase("refresh_fuzz_report_trend", "fuzz_report.xlsx", (("RAG rule", "trend"), ("Amber tolerance", "5%"))),
]
RATE_CASES = rate_cases() if INPUTS.exists() else []


# --- running a case -------------------------------------------------------------------------


def run_rate(case: RateCase) -> tuple[str, str]:
    """(stdout CSV, stderr) of ``kpi-excel rate`` on the case."""
    from click.testing import CliRunner

    from kpi_excel.cli import main as cli

    with tempfile.TemporaryDirectory() as folder:
        path = case.path
        if path.suffix == ".gz":  # the larger generated tables are kept gzipped
            plain = Path(folder) / path.name[:-3]
            plain.write_text(read_text(path), encoding="utf-8")
            path = plain
        result = CliRunner().invoke(cli, ["rate", str(path), *case.args], catch_exceptions=False)
    if result.exit_code != 0:
        raise AssertionError(f"{case.name}: exit {result.exit_code}: {result.stderr}")
    return result.stdout, result.stderr.replace(str(path), case.input)


def computed_part(stdout: str) -> str:
    """The header row whole, then only our columns (``change`` onwards) of each row:
    the input's own columns come back unchanged, and the index holds a hash of the whole."""
    rows = list(csv.reader(io.StringIO(stdout)))
    header = rows[0]
    start = len(header) - 1 - header[::-1].index("change")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(row[start:] for row in rows[1:])
    return out.getvalue()


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_refresh(case: RefreshCase) -> str:
    """What the refresh plans to write, as CSV text (KPIs writes, Benchmark rows, summary)."""
    from kpi_excel.core.report import SheetCells
    from kpi_excel.app.refresh_plan import plan_workbook_refresh
    from kpi_excel.workbook.file_door import read_inputs
    from kpi_excel.ooxml import XlsxPackage

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        shutil.copyfile(INPUTS / case.workbook, path)
        inputs = read_inputs(XlsxPackage.open(path), path.parent)
    if case.settings:
        settings = inputs.content.settings
        values = [list(row) for row in settings.values]  # type: ignore[union-attr]
        for key, value in case.settings:
            for row in values:
                if row and str(row[0]).strip() == key:
                    row[1] = value
        changed = SheetCells(settings.name, values, settings.formats, settings.top, settings.table)  # type: ignore[union-attr]
        inputs = replace(inputs, content=replace(inputs.content, settings=changed))
    plan = plan_workbook_refresh(inputs, now=NOW, user="golden", door="file")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writes = plan.kpis.writes
    writer.writerow(["KPIs row", *(w.header for w in writes)])
    for index, sheet_row in enumerate(plan.kpis.body_rows):
        writer.writerow([sheet_row, *(_cell_text(w.cells[index]) for w in writes)])
    writer.writerow(["added columns", *(c.header for c in plan.kpis.add_columns)])
    for sheet in plan.sheets:
        writer.writerow([f"sheet {sheet.name}", *(c.header for c in sheet.columns)])
        for row in sheet.rows:
            writer.writerow(["", *(_value_text(v) for v in row)])
        for block in sheet.blocks:
            writer.writerow([f"block {block.title}", *(c.header for c in block.columns)])
            for row in block.rows:
                writer.writerow(["", *(_value_text(v) for v in row)])
    summary = plan.summary
    writer.writerow(["summary", *summary.lines()])
    writer.writerow(["counts", json.dumps(summary.counts, sort_keys=True)])
    for problem in summary.problems:
        writer.writerow(["problem", problem])
    return out.getvalue()


def _cell_text(cell: object) -> str:
    if cell is None:
        return "-"  # left alone
    value, number_format = cell.value, cell.number_format  # type: ignore[attr-defined]
    return _value_text(value) + (f" |{number_format}" if number_format else "")


def _value_text(value: object) -> str:
    if hasattr(value, "value") and hasattr(value, "number_format"):
        return _cell_text(value)
    return repr(value)


# --- files ----------------------------------------------------------------------------------


def output_path(name: str) -> Path:
    return OUTPUTS / f"{name}.csv.gz"


def write_text(path: Path, text: str) -> None:
    """gzip with no time stamp: regenerating unchanged outputs changes no bytes."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(text.encode("utf-8"))


def read_text(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


INDEX = OUTPUTS / "index.json"  # per rate case: the summary on stderr and a hash of the whole stdout


def main(argv: list[str]) -> int:
    if "--outputs-only" not in argv:
        make_inputs()
    OUTPUTS.mkdir(parents=True, exist_ok=True)
    index: dict[str, dict[str, str]] = {}
    for case in rate_cases():
        stdout, err = run_rate(case)
        write_text(output_path(case.name), computed_part(stdout))
        index[case.name] = {"stderr": err, "stdout_sha256": digest(stdout)}
        print(f"{case.name}: {stdout.count(chr(10)) - 1} rows")
    for case in REFRESH_CASES:
        write_text(output_path(case.name), run_refresh(case))
        print(f"{case.name}: planned")
    INDEX.write_text(json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
