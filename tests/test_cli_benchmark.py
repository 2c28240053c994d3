"""``kpi-excel benchmark`` through click's runner, on LAIT's real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kpi_excel.cli import main


@pytest.fixture(scope="module")
def paths(lait_dir: Path) -> dict[str, str]:
    return {"data": str(lait_dir / "bds_long_0.parquet"), "dict": str(lait_dir / "lait_data_dictionary.csv"),
            "sn25": str(lait_dir / "sn_may_2025.xlsx"), "sn21": str(lait_dir / "sn_april_2021.xlsx")}


def _run(*args: str):
    return CliRunner().invoke(main, ["benchmark", *args])


def test_one_area_lenient_name_with_neighbours(paths, tmp_path: Path) -> None:
    out = tmp_path / "leics.csv"
    result = _run(paths["data"], "--dictionary", paths["dict"], "--area", "leicestershire county council",
                  "--neighbours", paths["sn25"], "--neighbours", paths["sn21"], "--latest", "-o", str(out))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert set(frame["area"]) == {"Leicestershire"} and len(frame) == 434
    for column in ("indicator", "area", "period", "value", "rank", "quartile", "q25", "q50", "q75", "n_areas",
                   "sn_average", "england", "region", "derived_target", "polarity", "position", "indicator_name"):
        assert column in frame.columns
    neet = frame.set_index("indicator").loc["16-17 NEET"]
    assert (neet["period"], neet["value"], neet["rank"], neet["quartile"], neet["sn_average"]) == (
        "2025", "1.2", "9", "1", "2.86")
    assert neet["region"] == "2.8" and neet["region_name"] == "East Midlands"
    assert "Benchmarked 434 indicators for 1 area" in result.stderr
    assert "neighbours from 2025-05" in result.stderr


def test_group_file_and_period(paths, tmp_path: Path) -> None:
    group = tmp_path / "group.txt"
    group.write_text("# East Midlands shire counties\nDerbyshire\n855\nLincolnshire\nNottinghamshire\n"
                     "Northamptonshire\n", encoding="utf-8")
    out = tmp_path / "group.csv"
    result = _run(paths["data"], "--dictionary", paths["dict"], "--all-areas", "--group", str(group),
                  "--period", "2024", "-o", str(out))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert set(frame["area"]) == {"Derbyshire", "Leicestershire", "Lincolnshire", "Nottinghamshire",
                                  "Northamptonshire"}
    assert set(frame["period"]) == {"2024"}
    ranked = frame[frame["rank"] != ""]
    assert ranked["rank"].astype(int).max() <= 5 and ranked["n_areas"].astype(int).max() <= 5


def test_unknown_group_member_is_an_error_with_its_line(paths, tmp_path: Path) -> None:
    group = tmp_path / "group.txt"
    group.write_text("Derbyshire\nLeicestershre\n", encoding="utf-8")
    result = _run(paths["data"], "--dictionary", paths["dict"], "--group", str(group))
    assert result.exit_code == 1
    assert "group.txt, row 2: unknown area 'Leicestershre'" in result.stderr


def test_bad_area_and_period(paths) -> None:
    result = _run(paths["data"], "--dictionary", paths["dict"], "--area", "Bournemouth")
    assert result.exit_code == 1 and "could be any of Bournemouth (Pre LG), Bournemouth, Christchurch" in result.stderr
    result = _run(paths["data"], "--dictionary", paths["dict"], "--area", "East Midlands")
    assert result.exit_code == 1 and "not an authority" in result.stderr
    result = _run(paths["data"], "--dictionary", paths["dict"], "--period", "1066")
    assert result.exit_code == 1 and "no indicator has data for period '1066'" in result.stderr
    result = _run(paths["data"], "--dictionary", paths["dict"], "--area", "Kent", "--all-areas")
    assert result.exit_code == 2


def test_xlsx_output(paths, tmp_path: Path) -> None:
    out = tmp_path / "kent.xlsx"
    result = _run(paths["data"], "--dictionary", paths["dict"], "--area", "Kent", "-o", str(out))
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook

    sheet = load_workbook(out, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("indicator", "indicator_name", "area") and len(rows) == 435
    assert all(r[2] == "Kent" for r in rows[1:])


def test_our_own_observations_as_data(tmp_path: Path, lait_dir: Path) -> None:
    data = tmp_path / "values.csv"
    data.write_text("Code,Area,Period,Value\n"
                    "X,Derbyshire,Q1 2022/23,1\nX,Derbyshire,Q4 2021/22,9\nX,Leicestershire,Q1 2022/23,3\n"
                    "X,Bristol,Q1 2022/23,2\nX,England,Q1 2022/23,2.5\nX,Atlantis,Q1 2022/23,4\n", encoding="utf-8")
    dictionary = tmp_path / "dict.csv"
    dictionary.write_text("Code,Polarity,dps\nX,High = Good,1\n", encoding="utf-8")
    result = _run(str(data), "--dictionary", str(dictionary), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(tmp_path / "out.csv", keep_default_na=False, dtype=str).set_index("area")
    assert list(frame.index) == ["Bristol, City of", "Derbyshire", "Leicestershire"]
    assert set(frame["period"]) == {"Q1 2022/23"}  # by time, not by text
    assert frame.loc["Leicestershire", ["rank", "england", "derived_target_text"]].tolist() == ["1", "2.5", ">2.5"]
    assert "values.csv row 7: unknown area 'Atlantis'" in result.stderr


def test_help_text() -> None:
    result = CliRunner().invoke(main, ["benchmark", "--help"])
    assert result.exit_code == 0 and "the way DfE's LAIT does" in result.output
