"""A large report workbook for the refresh benchmark and the kill test.

``make_big_report(path, indicators=2000, history_rows=80000)`` writes a report
like an officer's after years of use: a KPIs table of the template's columns,
a Data sheet of quarterly history (percentages as Excel stores them, with a %
format), Settings naming the authority and the bundled benchmark. Built with
XlsxWriter, so making it costs little. A code keeps at most 100 quarters; Data rows
beyond indicators x 100 hold codes the KPIs table does not list.
"""

from __future__ import annotations

import random
from pathlib import Path

import xlsxwriter

from kpi_excel.core.template import KPI_COLUMNS

BENCHMARK_CODES = ["RevCP", "PrevRegCPR", "ReReferral", "Continue_Assess_Comp", "CPPlans2yrsActive",
                   "CareLeaverAcc", "CareLeaverEET", "LACDental%", "LACHealth%", "KS2RWM_Expected_STD"]
POLARITY = ["High = Good", "Low = Good", "N/A"]
MAX_QUARTERS = 100


def _quarters(count: int) -> list[str]:
    labels = []
    year, quarter = 2026, 2
    for _ in range(count):
        labels.append(f"Q{quarter} {year}/{(year + 1) % 100:02d}")
        quarter -= 1
        if quarter == 0:
            quarter, year = 4, year - 1
    return list(reversed(labels))


def make_big_report(path: Path, indicators: int = 2000, history_rows: int = 80000, seed: int = 1) -> Path:
    rng = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    percent = book.add_format({"num_format": "0.0%"})
    headers = [c.header for c in KPI_COLUMNS]
    kpis = book.add_worksheet("KPIs")
    # At most 100 quarters (25 years) a code, as no council keeps more: rows beyond that belong to
    # codes the KPIs table does not list, as in a warehouse export pasted whole. (A million rows
    # over 1,000 codes once meant 1,000 quarters each, back to 1777, which no period reader takes.)
    per = min(max(history_rows // indicators, 2), MAX_QUARTERS)
    quarters = _quarters(per)
    rows, history = [], []
    for i in range(indicators):
        code = f"K{i:05d}"
        is_percent = i % 3 != 2
        polarity = POLARITY[i % 3]
        target = (f">{rng.randint(50, 95)}%" if polarity == "High = Good" else f"<{rng.randint(5, 40)}%") \
            if is_percent and i % 4 else "N/A"
        row = {h: None for h in headers}
        row.update({"Topic": f"Priority {i % 7 + 1}", "Theme": f"Service {i % 23 + 1}", "Indicator": f"Indicator {i}",
                    "Code": code, "Polarity": polarity, "Frequency": "Quarterly", "Unit": "%" if is_percent else "",
                    "Target": target, "Benchmark Code": BENCHMARK_CODES[i % len(BENCHMARK_CODES)] if i < 40 else None})
        rows.append([row[h] for h in headers])
        level = rng.uniform(0.2, 0.9) if is_percent else rng.uniform(100, 5000)
        for quarter in quarters:
            level *= rng.uniform(0.95, 1.05)
            history.append((code, quarter, round(level, 4 if is_percent else 0), is_percent))
    for i in range(indicators, indicators + -(-max(history_rows - len(history), 0) // per)):
        level, is_percent = rng.uniform(0.2, 0.9), i % 3 != 2
        for quarter in quarters:
            level *= rng.uniform(0.95, 1.05)
            history.append((f"K{i:05d}", quarter, round(level, 4 if is_percent else 0), is_percent))
    kpis.add_table(0, 0, len(rows), len(headers) - 1,
                   {"name": "KPIs", "data": rows, "columns": [{"header": h} for h in headers]})
    data = book.add_worksheet("Data")
    data.write_row(0, 0, ["Code", "Period", "Value", "Area", "Note"])
    for r, (code, quarter, value, is_percent) in enumerate(history[:history_rows], start=1):
        data.write_string(r, 0, code)
        data.write_string(r, 1, quarter)
        data.write_number(r, 2, value, percent if is_percent else None)
    settings = book.add_worksheet("Settings")
    for r, pair in enumerate([("Setting", "Value"), ("Authority", "Leicestershire"), ("Benchmark data", "example"),
                              ("Amber tolerance", "5%")]):
        settings.write_row(r, 0, pair)
    book.close()
    return path
