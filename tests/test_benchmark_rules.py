"""LAIT's rules that decide bands and ranks, case by case (tests/benchmark_cases.csv),
plus R's quantile arithmetic, latest labels, groups, neighbours and regions."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi_excel.core.benchmark import BENCHMARK_COLUMNS, benchmark, quartile_band, r_mean, r_quantile7
from kpi_excel.core.lait_rules import lait_numbers

CASES = list(csv.DictReader((Path(__file__).parent / "benchmark_cases.csv").open(encoding="utf-8")))
AREAS = ["A", "B", "C", "D", "E"]


def _values(code: str, texts: list[str], period: str = "2024", areas: list[str] = AREAS) -> pd.DataFrame:
    numbers, _ = lait_numbers(pd.Series(texts, dtype=object))
    return pd.DataFrame({"code": code, "area": areas, "period": period, "value": numbers})


def _indicators(**rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    for column, default in (("no_quartile", False), ("dps", 1), ("name", "")):
        if column not in frame:
            frame[column] = default
    return frame


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_case_table(case: dict[str, str]) -> None:
    values = _values("X", case["values"].split("|"))
    indicators = _indicators(X={"polarity": case["polarity"], "no_quartile": case["no_quartile"] == "N"})
    out = benchmark(values, indicators, AREAS).set_index("area")
    row = out.loc[case["area"]]
    quartile = "" if pd.isna(row["quartile"]) else str(int(row["quartile"]))
    rank = "" if pd.isna(row["rank"]) else str(int(row["rank"]))
    assert (quartile, rank, row["position"]) == (
        case["expected_quartile"], case["expected_rank"], case["expected_position"])


def test_r_quantile7_matches_r_values() -> None:
    # R: quantile(c(1, 2, 3, 4)) -> 1, 1.75, 2.5, 3.25, 4; quantile(c(10, 20)) -> 10, 12.5, 15, 17.5, 20
    data = np.array([1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 7.0])
    probs = np.array([0, 0.25, 0.5, 0.75, 1])
    q = r_quantile7(data, np.array([0, 4, 6, 7]), np.array([4, 2, 1, 0]), probs)
    assert q[0].tolist() == [1.0, 1.75, 2.5, 3.25, 4.0]
    assert q[1].tolist() == [10.0, 12.5, 15.0, 17.5, 20.0]
    assert q[2].tolist() == [7.0] * 5
    assert np.isnan(q[3]).all()


def test_r_quantile7_uses_rs_arithmetic_not_numpys() -> None:
    # R 4.2.2: sprintf("%.17g", quantile(c(2.2, 43.3, 59.1, 69.58, 72.2, 90.1))[2]) is 47.249999999999993;
    # numpy's "linear" method gives 47.25 and would move a value of 47.25 to another band.
    data = np.array([2.2, 43.3, 59.1, 69.58, 72.2, 90.1, 8.6, 36.71, 37.1, 46.93, 70.34, 77.84])
    q = r_quantile7(data, np.array([0, 6]), np.array([6, 6]), np.array([0.25]))
    assert q[0, 0] == 47.249999999999993 and np.quantile(data[:6], 0.25) == 47.25
    assert q[1, 0] == 36.807499999999997


def test_equal_neighbours_are_not_interpolated() -> None:
    # R takes x[lo] itself where x[hi] == x[lo]; (1-h)*x + h*x may not equal x.
    x = 0.1 + 0.2
    q = r_quantile7(np.array([x, x, x, x, x]), np.array([0]), np.array([5]), np.array([0.3]))[0, 0]
    assert q == x


def test_quartile_band_single_value_rule() -> None:
    assert quartile_band(2.0, 2.0, 3.0, 4.0, "Low") == 1
    assert quartile_band(2.0, 2.0, 3.0, 4.0, "High") == 4
    assert quartile_band(4.5, 2.0, 3.0, 4.0, "High") == 1
    assert quartile_band(float("nan"), 2.0, 3.0, 4.0, "High") is None
    assert quartile_band(2.0, 2.0, 3.0, 4.0, "-") is None


def test_latest_label_is_the_greatest_label_even_if_all_missing() -> None:
    # LAIT's slice_max(Years): "2025 (prov)" > "2024"; an all-missing latest year still wins.
    frame = pd.concat([
        _values("X", ["1", "2", "3", "4", "5"], period="2024"),
        _values("X", ["-", "-", "-", "-", "-"], period="2025 (prov)"),
    ])
    out = benchmark(frame, _indicators(X={"polarity": "High"}), AREAS)
    assert set(out["period"]) == {"2025 (prov)"}
    assert out["rank"].isna().all() and out["quartile"].isna().all()
    assert (out["n_areas"] == 0).all()
    assert out["derived_target_text"].eq("").all()


def test_latest_label_order_is_bytewise() -> None:
    frame = pd.concat([_values("X", ["1"] * 5, period=p) for p in ("2024", "2025 (prov)", "2025-26", "0")])
    out = benchmark(frame, _indicators(X={"polarity": "Low"}), AREAS)
    assert set(out["period"]) == {"2025-26"}  # '-' (0x2d) sorts after ' ' (0x20)


def test_latest_by_period_for_our_own_labels() -> None:
    labels = ["Q4 2021/22", "Q1 2022/23"]  # as text, "Q4 2021/22" is greater
    frame = pd.concat([_values("X", ["1"] * 5, period=p) for p in labels])
    from kpi_excel.core.periods import parse_period

    order = {label: parse_period(label).sort_key for label in labels}
    out = benchmark(frame, _indicators(X={"polarity": "Low"}), AREAS, latest_by="period", period_order=order)
    assert set(out["period"]) == {"Q1 2022/23"}


def test_latest_label_comes_from_authorities_only() -> None:
    frame = pd.concat([
        _values("X", ["1", "2", "3", "4", "5"], period="2024"),
        pd.DataFrame({"code": ["X"], "area": ["England"], "period": ["2025"], "value": [3.0]}),
    ])
    out = benchmark(frame, _indicators(X={"polarity": "Low"}), AREAS)
    assert set(out["period"]) == {"2024"}


def test_position_and_derived_target() -> None:
    values = _values("H", [str(v) for v in range(1, 10)], areas=list("ABCDEFGHI"))
    out = benchmark(values, _indicators(H={"polarity": "High", "dps": 1}), list("ABCDEFGHI")).set_index("area")
    # q75 = 7, q87.5 = 8: I (9) is in band A's better half, G (7) on q75 is band B.
    assert out.loc["I", ["quartile", "position"]].tolist() == [1, "better"]
    assert out.loc["H", ["quartile", "position"]].tolist() == [1, "worse"]  # 8 == q87.5: worse half for High
    assert out.loc["G", "quartile"] == 2
    assert out.loc["A", "derived_target"] == 7.0
    assert out.loc["A", "derived_target_text"] == ">7.0"
    low = benchmark(values.assign(code="L"), _indicators(L={"polarity": "Low", "dps": 2}),
                    list("ABCDEFGHI")).set_index("area")
    assert low.loc["A", "derived_target_text"] == "<=3.00"
    assert low.loc["B", ["quartile", "position"]].tolist() == [1, "better"]  # 2 == q12.5: better half for Low


def test_comparator_group_changes_cut_points_and_ranks() -> None:
    values = _values("X", ["1", "2", "3", "4", "5"])
    everyone = benchmark(values, _indicators(X={"polarity": "High"}), AREAS).set_index("area")
    group = benchmark(values, _indicators(X={"polarity": "High"}), AREAS, group={"C", "D", "E"}).set_index("area")
    assert list(group.index) == ["C", "D", "E"]
    assert everyone.loc["C", "rank"] == 3 and group.loc["C", "rank"] == 3
    assert group.loc["E", "rank"] == 1 and group.loc["C", "n_areas"] == 3
    assert group.loc["C", "q50"] == 4.0 and everyone.loc["C", "q50"] == 3.0
    # An area benchmarked against a group it is not in is counted in it.
    alone = benchmark(values, _indicators(X={"polarity": "High"}), AREAS, areas=["A"], group={"D", "E"})
    assert alone["area"].tolist() == ["A"] and alone["n_areas"].iloc[0] == 3 and alone["rank"].iloc[0] == 3


def test_neighbours_england_and_region_with_londons_fallback() -> None:
    values = pd.concat([
        _values("X", ["1", "2", "-", "4", "5"]),
        pd.DataFrame({"code": "X", "area": ["England", "London", "London (Inner)"], "period": "2024",
                      "value": [3.0, 6.0, np.nan]}),
    ])
    out = benchmark(values, _indicators(X={"polarity": "High"}), AREAS,
                    neighbours={"A": ["B", "C", "D"], "B": ["C"]}, neighbour_list={"A": "2025-05", "B": "2025-05"},
                    regions={"A": "London (Inner)", "B": "England"}).set_index("area")
    assert out.loc["A", "sn_average"] == 3.0 and out.loc["A", "sn_count"] == 2  # (2 + 4) / 2, C missing
    assert np.isnan(out.loc["B", "sn_average"]) and out.loc["B", "sn_count"] == 0
    assert out.loc["A", "sn_list"] == "2025-05"
    assert out.loc["A", "england"] == 3.0
    assert out.loc["A", ["region_name", "region"]].tolist() == ["London", 6.0]


def test_r_mean_corrects_like_r() -> None:
    values = np.array([[0.1, 0.2, 0.3, np.nan], [np.nan] * 4])
    mean, count = r_mean(values)
    assert count.tolist() == [3, 0]
    assert mean[0] == 0.2  # R: mean(c(.1, .2, .3)) == .2 is TRUE; the naive sum / 3 is 0.20000000000000004
    assert np.isnan(mean[1])


def test_columns_and_empty_input() -> None:
    out = benchmark(_values("X", ["1"] * 5), _indicators(X={"polarity": "High"}), AREAS)
    assert tuple(out.columns) == BENCHMARK_COLUMNS
    empty = benchmark(_values("X", ["1"] * 5), _indicators(X={"polarity": "High"}), AREAS, period="1999")
    assert empty.empty and tuple(empty.columns) == BENCHMARK_COLUMNS


def test_indicator_missing_from_dictionary_gets_no_rank() -> None:
    out = benchmark(_values("X", ["1", "2", "3", "4", "5"]), _indicators(Y={"polarity": "High"}), AREAS)
    assert out["rank"].isna().all() and (out["band"] == "-").all()
    assert out["q50"].iloc[0] == 3.0  # cut points are still shown


def test_lait_numbers_follow_r() -> None:
    numbers, bad = lait_numbers(pd.Series(["1.5", "-", "c", "..", "", "x", "1e3", " 2 ", "0x10", "Inf"], dtype=object))
    assert numbers[0] == 1.5 and np.isnan(numbers[1:6]).all()
    assert numbers[6] == 1000.0 and numbers[7] == 2.0 and numbers[8] == 16.0 and np.isinf(numbers[9])
    assert bad.tolist() == [False, False, False, False, False, True, False, False, False, False]


def test_dictionary_entries_first_row_decides_and_gaps_take_defaults() -> None:
    values = pd.concat([_values(code, ["1", "2", "3", "4", "5"]) for code in ("X", "Y", "Z")], ignore_index=True)
    indicators = pd.DataFrame({"polarity": ["High", "Low", None], "no_quartile": [False, True, None],
                               "dps": ["2", "0", None], "name": ["Ex", "Ex again", None]},
                              index=pd.Index(["X", "X", "Y"], dtype=object))
    out = benchmark(values, indicators, AREAS).drop_duplicates("indicator").set_index("indicator")
    assert out.loc["X", "polarity"] == "High" and out.loc["X", "indicator_name"] == "Ex"  # the first X row
    assert out.loc["X", "derived_target_text"] == ">4.00"  # dps "2" read as a number
    for code in ("Y", "Z"):  # Y's cells are empty, Z is not in the dictionary: "", False, 1, ""
        assert out.loc[code, "polarity"] == "" and out.loc[code, "indicator_name"] == ""
        assert pd.isna(out.loc[code, "rank"]) and out.loc[code, "band"] == "-"
    assert out.loc["X", "quartile"] == 4 and out.loc["X", "band"] == "D"  # area A, the lowest of High
