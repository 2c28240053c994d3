"""Build the example data bundled in kpi_excel/data from tests/fixtures (run from the repo root).

- example/indicators.csv: the 25 indicators of Leicestershire's published 2022/23 Q2
  Children and Families table (tests/seed_table.py reads it from the PDF text), with our
  own codes, the unit, and the matching LAIT indicator where DfE publishes the same measure.
- example/history.csv: every value those tables publish: the 2022/23 Q2 table's previous
  and latest values, and the 2021/22 Q2 table's figures (tests/fixtures/seeds/000_...). Nothing made up.
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
    (OUT / "example").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(indicators).to_csv(OUT / "example" / "indicators.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    pd.DataFrame(history).to_csv(OUT / "example" / "history.csv", index=False)

    codes = sorted({c[1] for c in CODES if c[1]})
    data = pd.read_parquet(LAIT / "bds_long_0.parquet")
    extract = data[data["Short Desc"].isin(codes)][["Short Desc", "Years", "LA and Regions", "Values", "LA Number",
                                                   "Region"]]
    (OUT / "benchmark").mkdir(parents=True, exist_ok=True)
    extract.reset_index(drop=True).to_parquet(OUT / "benchmark" / "lait_extract.parquet", index=False,
                                              compression="zstd")
    dictionary = pd.read_csv(LAIT / "lait_data_dictionary.csv")
    dictionary = dictionary[dictionary["Measure_short"].isin(codes)].drop_duplicates("Measure_short")
    dictionary[["Measure_short", "Measure", "Topic", "Polarity", "No_Quartile", "dps", "Year_Type"]].to_csv(
        OUT / "benchmark" / "lait_dictionary.csv", index=False)
    for name in ("sn_may_2025.xlsx", "sn_april_2021.xlsx"):
        shutil.copyfile(LAIT / name, OUT / "benchmark" / name)
    print(f"{len(indicators)} indicators, {len(history)} history rows, {len(extract)} LAIT rows")


if __name__ == "__main__":
    main()
