"""Build the example data bundled in kpi_excel/data from tests/fixtures (run from the repo root).

- example/indicators.csv: the 25 indicators of Leicestershire's published 2022/23 Q2
  Children and Families table (tests/seed_table.py reads it from the PDF text), with our
  own codes, the unit, and the matching LAIT indicator where DfE publishes the same measure.
- example/history.csv: every value those tables publish: the 2022/23 Q2 table's previous
  and latest values, and the 2021/22 Q2 table's figures (tests/fixtures/seeds/000_...). Nothing made up.
- five more indicators with their counts (Numerator, Denominator), for confidence intervals
  and significance: DfE's published annual figures for Leicestershire from LAIT (the rate or
  percentage LAIT publishes, and the LAIT indicators that hold its numerator and denominator;
  see kpi_excel/data/benchmark/lait_counts.csv). A rate's population is not published: its
  Denominator is left empty and worked out from the count and the rate.
- benchmark/lait_extract.parquet, benchmark/lait_dictionary.csv: LAIT rows for the matched
  indicators, every area and year, and DfE's two statistical-neighbour lists as published
  (Open Government Licence v3.0).
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from seed_table import HEADERS, seed_rows  # noqa: E402

LAIT = REPO / "tests" / "fixtures" / "lait"
OUT = REPO / "kpi_excel" / "data"

# (our code, LAIT Short Desc or "", unit, quartile as published when there is no LAIT match)
CODES = [
    ("CFWS01", "", "", ""), ("CFWS02", "", "", ""), ("SEND01", "", "", ""), ("SEND02", "", "", ""),
    ("SC01", "RevCP", "%", ""), ("SC02", "PrevRegCPR", "%", ""), ("SC03", "ReReferral", "%", ""),
    ("SC04", "Continue_Assess_Comp", "%", ""), ("SC05", "CPPlans2yrsActive", "%", ""),
    ("SC06", "CareLeaverAcc", "%", ""), ("SC07", "CareLeaverEET", "%", ""), ("SC08", "LACDental%", "%", ""),
    ("SC09", "LACHealth%", "%", ""), ("ED01", "", "%", "3"), ("ED02", "", "%", "3"),
    ("ED03", "AVG_Prog8_Score", "score", ""), ("ED04", "FSM_AVG_Prog8_Score", "score", ""),
    ("ED05", "SEN_Stat_AVG_Prog8_Score", "score", ""), ("ED06", "SEN_WoStat_AVG_Prog8_Score", "score", ""),
    ("ED07", "KS2RWM_Expected_STD", "%", ""), ("ED08", "", "%", "3"), ("ED09", "", "", ""),
    ("YJ01", "", "", ""), ("YJ02", "", "", ""), ("YJ03", "", "", ""),
]
# The 2021/22 Q2 table (seed 000), by our code: (period, value).
EARLIER = {
    "SC02": ("Q2 2021/22", "28.4%"), "SC03": ("Q2 2021/22", "19.3%"), "SC04": ("Q2 2021/22", "91.6%"),
    "SC05": ("Q2 2021/22", "2.1%"), "SC06": ("Q2 2021/22", "95.4%"), "SC07": ("Q2 2021/22", "62.6%"),
    "SC08": ("Q2 2021/22", "42.8%"), "SC09": ("Q2 2021/22", "86.3%"), "CFWS01": ("Q2 2021/22", "3,972"),
    "CFWS02": ("Q2 2021/22", "1,505"), "SEND01": ("Summer 2021", "2,244"), "SEND02": ("Summer 2021", "11,371"),
    "ED09": ("Q2 2021/22", "749"),
}


# Indicators with counts, from LAIT for Leicestershire: (our code, indicator name, polarity, unit,
# LAIT indicator, LAIT numerator, LAIT denominator or "").
WITH_COUNTS = [
    ("DFE01", "Care leavers aged 19-21 in suitable accommodation (DfE, annual)", "High = Good", "%",
     "CareLeaverAcc", "NoCareLeaverAcc", "NoCareLeavers"),
    ("DFE02", "Child protection plans that were a second or later plan (DfE, annual)", "Low = Good", "%",
     "PrevRegCPR", "ReRegCPR", "CPP_Abuse"),
    ("DFE03", "Child protection plans starting in the year, per 10,000 children (DfE, annual)", "Low = Good",
     "per 10,000", "CPP_Abuse_Rate", "CPP_Abuse", ""),
    ("DFE04", "Referrals to children's social care, per 10,000 children (DfE, annual)", "N/A", "per 10,000",
     "CPP_Total_Rateper10,000", "CPP_Total_NumRef", ""),
    ("DFE05", "Children on a child protection plan, per 10,000 children (DfE, annual)", "N/A", "per 10,000",
     "CPP_rate", "CPP_Num", ""),
]
COUNT_YEARS = ("2023", "2024", "2025")
COUNT_TOPIC = "DfE published figures with their counts (for confidence intervals)"


def _lait_value(data: pd.DataFrame, code: str, year: str, area: str = "Leicestershire") -> str:
    found = data[(data["Short Desc"] == code) & (data["Years"] == year) & (data["LA and Regions"] == area)]
    text = str(found["Values"].iloc[0]).strip()
    return f"{float(text):.10g}"  # LAIT writes 34.7 as 34.700000000000003


def _with_counts(data: pd.DataFrame) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    indicators, history = [], []
    for code, name, polarity, unit, lait, numerator, denominator in WITH_COUNTS:
        indicators.append({"Topic": COUNT_TOPIC, "Theme": "Social Care", "Indicator": name, "Code": code,
                           "Polarity": polarity, "Frequency": "Annual", "Unit": unit, "Target": "N/A",
                           "Quartile": "", "Benchmark Code": lait})
        for year in COUNT_YEARS:
            value = _lait_value(data, lait, year)
            history.append({
                "Code": code, "Period": year, "Value": value + ("%" if unit == "%" else ""),
                "Numerator": _lait_value(data, numerator, year),
                "Denominator": _lait_value(data, denominator, year) if denominator else "",
                "Note": f"DfE, LAIT ({lait}, {numerator}{', ' + denominator if denominator else ''})",
            })
    return indicators, history


def main() -> None:
    rows = seed_rows()
    column = {h: i for i, h in enumerate(HEADERS) if h}
    indicators, history = [], []
    topic = ""
    for row, (code, lait, unit, quartile) in zip(rows, CODES):
        topic = row[column["Topic"]] or topic
        polarity = row[column["Polarity"]]
        indicators.append({
            "Topic": topic, "Theme": row[column["Theme"]] or "Education", "Indicator": row[column["Indicator"]],
            "Code": code, "Polarity": polarity, "Frequency": row[column["Reporting Frequency"]],
            "Unit": unit, "Target": row[column["Target"]], "Quartile": quartile, "Benchmark Code": lait,
        })
        note = "Leicestershire Children and Families performance, 2022/23 Q2"
        history.append({"Code": code, "Period": row[column["Previous Period"]], "Value": row[6], "Note": note})
        history.append({"Code": code, "Period": row[column["Latest Period"]], "Value": row[column["Latest Value"]],
                        "Note": note})
        if code in EARLIER:
            period, value = EARLIER[code]
            history.append({"Code": code, "Period": period, "Value": value,
                            "Note": "Leicestershire Children and Families performance, 2021/22 Q2"})
    data = pd.read_parquet(LAIT / "bds_long_0.parquet")
    more_indicators, more_history = _with_counts(data)
    indicators += more_indicators
    history += more_history
    (OUT / "example").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(indicators).to_csv(OUT / "example" / "indicators.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    pd.DataFrame(history, columns=["Code", "Period", "Value", "Numerator", "Denominator", "Note"]).to_csv(
        OUT / "example" / "history.csv", index=False)

    pairs = pd.read_csv(OUT / "benchmark" / "lait_counts.csv", dtype=str, keep_default_na=False)
    codes = sorted({c[1] for c in CODES if c[1]} | {c[4] for c in WITH_COUNTS})
    # The LAIT indicators holding those indicators' numerators and denominators, for intervals and funnels.
    count_codes = {code for _, row in pairs[pairs["indicator"].isin(codes)].iterrows()
                   for code in (row["numerator"], row["denominator"]) if code}
    extract = data[data["Short Desc"].isin(set(codes) | count_codes)][
        ["Short Desc", "Years", "LA and Regions", "Values", "LA Number", "Region"]]
    (OUT / "benchmark").mkdir(parents=True, exist_ok=True)
    extract.reset_index(drop=True).to_parquet(OUT / "benchmark" / "lait_extract.parquet", index=False,
                                              compression="zstd")
    dictionary = pd.read_csv(LAIT / "lait_data_dictionary.csv")
    dictionary = dictionary[dictionary["Measure_short"].isin(set(codes) | count_codes)].drop_duplicates(
        "Measure_short")
    dictionary[["Measure_short", "Measure", "Topic", "Polarity", "No_Quartile", "dps", "Year_Type"]].to_csv(
        OUT / "benchmark" / "lait_dictionary.csv", index=False)
    for name in ("sn_may_2025.xlsx", "sn_april_2021.xlsx"):
        shutil.copyfile(LAIT / name, OUT / "benchmark" / name)
    print(f"{len(indicators)} indicators, {len(history)} history rows, {len(extract)} LAIT rows")


if __name__ == "__main__":
    main()
