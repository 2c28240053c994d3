"""Observations from the Data sheet, CSV/Excel (long and wide) and LAIT files;
problems reported by place; choosing the latest and comparable periods."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi_excel.core.observations import (
    OBSERVATION_COLUMNS,
    Observations,
    choose_periods,
    choose_periods_and_values,
    combine_observations,
    winning_values,
    match_observation_columns,
)
from kpi_excel.sources.datasheet import read_data_sheet
from kpi_excel.sources.lait_files import load_directory
from kpi_excel.sources.spec import parse_spec, read_source, read_sources
from kpi_excel.sources.tables import read_table_source


@pytest.fixture(scope="module")
def directory():
    return load_directory()


def _workbook(path: Path, sheets: dict[str, list[list[object]]], formats: dict[tuple[str, str], str] = {}) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    for (name, ref), number_format in formats.items():
        book[name][ref].number_format = number_format
    book.save(path)
    return path


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_data_sheet_long_with_formats_title_rows_and_problems(tmp_path: Path, directory) -> None:
    rows = [
        ["KPI data (do not edit the headers)"],
        [],
        ["Note", "Value", "Period", "Code", "Area"],  # any order
        [None, 0.776, "Q2 2022/23", "EH1", None],
        ["provisional", 0.75, "Q1 2022/23", "EH1", "Leicestershire County Council"],
        [None, "c", "Q4 2021/22", "EH1", None],
        [None, "lots", "Q3 2021/22", "EH1", None],
        [None, 12, "Quarter seven", "EH1", None],
        [None, 5, "Q2 2022/23", "EH2", "Atlantis"],
        [None, 7, "Q2 2022/23", None, None],
        [None, None, None, None, None],
        [None, 3972, "2021/22", "CS1", None],
    ]
    book = _workbook(tmp_path / "report.xlsx", {"KPIs": [["Code"]], "Data": rows},
                     {("Data", "B4"): "0.0%", ("Data", "B5"): "0%", ("Data", "B13"): "#,##0"})
    found = read_data_sheet(book, directory=directory)
    frame = found.frame
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    eh1 = frame[frame["code"] == "EH1"].set_index("period")
    assert eh1.loc["Q2 2022/23", "value"] == pytest.approx(77.6)
    assert eh1.loc["Q1 2022/23", "value"] == pytest.approx(75.0)
    assert eh1.loc["Q1 2022/23", "area"] == "Leicestershire"
    assert eh1.loc["Q1 2022/23", "note"] == "provisional"
    assert np.isnan(eh1.loc["Q4 2021/22", "value"]) and "confidential" in eh1.loc["Q4 2021/22", "note"]
    assert eh1.loc["Q2 2022/23", "source"] == "Data sheet" and eh1.loc["Q2 2022/23", "row"] == 4
    messages = [str(p) for p in found.problems]
    assert any(m.startswith("Data!B7: cannot read 'lots'") for m in messages)
    assert any(m.startswith("Data!C8: unknown period 'Quarter seven'") for m in messages)
    assert any(m.startswith("Data!E9: unknown area 'Atlantis'") for m in messages)
    assert any(m.startswith("Data!D10: no indicator code") for m in messages)
    assert len(found.problems) == 4
    assert "Atlantis" not in set(frame["area"]) and len(frame) == 5  # the unreadable value stays, as no value


def test_duplicate_periods_with_different_values_are_reported_and_unused(tmp_path: Path) -> None:
    path = _csv(tmp_path / "dups.csv", "Code,Period,Value\nA,2022/23,1\nA,2022-23,2\nA,2021/22,5\nA,2021/22,5\n")
    found = read_table_source(path)
    assert sorted(found.frame["period"]) == ["2021/22"]  # the repeat kept once
    assert [p.where for p in found.problems] == ["dups.csv row 2", "dups.csv row 3"]
    assert "given 2 times with different values (1, 2; rows 2, 3)" in found.problems[0].message


def test_wide_csv(tmp_path: Path) -> None:
    path = _csv(tmp_path / "wide.csv", "Indicator code,Q1 2022/23,Q2 2022/23,Q3 2022/23\nA,1.5,2.5,\nB,c,4,x y\n")
    found = read_table_source(path)
    frame = found.frame.sort_values(["code", "period"])
    assert frame[["code", "period"]].values.tolist() == [
        ["A", "Q1 2022/23"], ["A", "Q2 2022/23"], ["B", "Q1 2022/23"], ["B", "Q2 2022/23"], ["B", "Q3 2022/23"]]
    assert [str(p) for p in found.problems] == [
        "wide.csv row 3: cannot read 'x y' as a number or a suppression code; kept as no value (indicator B)"]


def test_wide_sheet_names_the_period_cell(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "wide.xlsx", {"Values": [["Code", "Area", "2021/22", "2022/23"],
                                                         ["KS4", "Leicestershire", 46.1, "oops"]]})
    found = read_source(f"{book}#Values", directory=load_directory())
    assert [p.where for p in found.problems] == ["Values!D2"]
    assert found.frame["area"].tolist() == ["Leicestershire"] * 2  # "oops" stays as no value


def test_header_synonyms_prefer_code_over_indicator() -> None:
    found = match_observation_columns(["Indicator", "Code", "Year", "Values", "LA Name", "Last updated"])
    assert found == {"code": 1, "area": 4, "period": 2, "value": 3, "updated": 5}


def test_lait_file_as_observations(lait_dir: Path) -> None:
    found = read_source(f"lait:{lait_dir / 'bds_long_0.parquet'}")
    assert len(found.frame) == 641_070 and not found.problems
    row = found.frame.iloc[0]
    assert (row["code"], row["area"], row["period"], row["value"]) == ("RTA", "Barking and Dagenham", "2014-16", 12.13)


# --- choosing periods ---------------------------------------------------------------------


def _obs(rows: list[tuple], source: str = "Data sheet") -> Observations:
    frame = pd.DataFrame(rows, columns=["code", "period", "value"])
    frame["area"] = ""
    frame["numerator"] = np.nan
    frame["denominator"] = np.nan
    frame["source"] = source
    frame["note"] = ""
    frame["updated"] = pd.NaT
    frame["row"] = range(2, len(frame) + 2)
    frame["shown"] = ""
    return Observations(frame[list(OBSERVATION_COLUMNS)])


def test_quarterly_ytd_termly_annual() -> None:
    observations = _obs([
        ("Q", "Q1 2022/23", 10.0), ("Q", "Q2 2022/23", 12.0), ("Q", "Q2 2021/22", 9.0),
        ("Y", "Q1 2021/22", 30.0), ("Y", "Q1 2022/23", 35.0), ("Y", "Q4 2021/22", 50.0),
        ("T", "Summer 2022", 4.0), ("T", "Spring 2022", 3.0), ("T", "Autumn 2021", 2.0),
        ("A", "2018/19", 46.1), ("A", "2021/22", 48.0),
    ])
    indicators = pd.DataFrame({"code": ["Q", "Y", "T", "A", "N"],
                               "frequency": ["Quarterly", "YTD", "Termly", "Annual", "Annual"]})
    chosen = choose_periods(observations, indicators).frame
    assert chosen.loc["Q", ["previous_period", "previous_value", "latest_period", "latest_value"]].tolist() == [
        "Q1 2022/23", 10.0, "Q2 2022/23", 12.0]
    assert chosen.loc["Y", ["previous_period", "previous_value", "latest_period"]].tolist() == [
        "Q1 2021/22", 30.0, "Q1 2022/23"]
    assert chosen.loc["T", ["previous_period", "latest_period"]].tolist() == ["Spring 2022", "Summer 2022"]
    assert chosen.loc["A", ["previous_period", "previous_value", "latest_period"]].tolist() == [
        "2018/19", 46.1, "2021/22"]  # exams cancelled between
    assert chosen.loc["N", "choice_note"] == "no observations for this area"
    assert chosen.loc["Q", "latest_source"] == "Data sheet row 3"


def test_as_of_reruns_a_past_quarter_and_missing_previous_is_noted() -> None:
    observations = _obs([("Q", "Q1 2022/23", 10.0), ("Q", "Q2 2022/23", 12.0), ("Q", "Q3 2022/23", 13.0)])
    chosen = choose_periods(observations, {"Q": "Quarterly"}, as_of="Q2 2022/23").frame.loc["Q"]
    assert chosen["latest_period"] == "Q2 2022/23" and chosen["previous_value"] == 10.0
    assert "1 observation(s) after Q2 2022/23 ignored" in chosen["choice_note"]
    first = choose_periods(observations, {"Q": "Quarterly"}, as_of="Q1 2022/23").frame.loc["Q"]
    assert first["previous_period"] == "Q4 2021/22" and np.isnan(first["previous_value"])
    assert "no data for Q4 2021/22" in first["choice_note"]


def test_suppressed_latest_is_skipped_with_a_note() -> None:
    observations = _obs([("Q", "Q1 2022/23", 10.0), ("Q", "Q2 2022/23", np.nan)])
    observations.frame.loc[1, "note"] = "confidential (c)"
    chosen = choose_periods(observations, ["Q"]).frame.loc["Q"]
    assert chosen["latest_period"] == "Q1 2022/23"
    assert "Q2 2022/23 has no value (confidential (c))" in chosen["choice_note"]


def test_newest_observation_wins_across_sources() -> None:
    sheet = _obs([("Q", "Q1 2022/23", 10.0), ("Q", "Q2 2022/23", 12.0)])
    database = _obs([("Q", "Q2 2022/23", 12.5), ("Q", "Q1 2022/23", 10.0)], source="sql:kpi_values")
    chosen = choose_periods(combine_observations([sheet, database]), {"Q": "Quarterly"}).frame.loc["Q"]
    assert chosen["latest_value"] == 12.5 and chosen["latest_source"] == "sql:kpi_values row 2"
    assert chosen["choice_note"] == ("Q2 2022/23: 12.5 from sql:kpi_values row 2 (the source given later) "
                                     "used over 12 from Data sheet row 3")
    # An updated stamp beats the order the sources were given in.
    sheet.frame.loc[1, "updated"] = pd.Timestamp("2023-11-01 09:00")
    database.frame.loc[0, "updated"] = pd.Timestamp("2023-10-01 09:00")
    chosen = choose_periods(combine_observations([sheet, database]), {"Q": "Quarterly"}).frame.loc["Q"]
    assert chosen["latest_value"] == 12.0
    assert "(updated 2023-11-01 09:00:00)" in chosen["choice_note"]


def test_one_grouping_gives_both_the_choice_and_the_values() -> None:
    # Repeats across sources, a label written two ways, a period after as_of, a text label.
    sheet = _obs([("Q", "Q1 2022/23", 10.0), ("Q", "Q2 2022/23", 12.0), ("Q", "Q1  2022/23", 10.5),
                  ("Q", "Q3 2022/23", 14.0), ("R", "someday", 1.0), ("R", "Q1 2022/23", np.nan)])
    database = _obs([("Q", "Q2 2022/23", 12.5)], source="sql:kpi_values")
    observations = combine_observations([sheet, database])
    choice, values = choose_periods_and_values(observations, {"Q": "Quarterly", "R": None, "S": None},
                                               as_of="Q2 2022/23")
    alone = choose_periods(observations, {"Q": "Quarterly", "R": None, "S": None}, as_of="Q2 2022/23")
    pd.testing.assert_frame_equal(choice.frame, alone.frame)
    assert repr(values) == repr(winning_values(observations, as_of="Q2 2022/23"))  # NaN != NaN
    assert [str(p) for p in values["Q"]] == ["Q1 2022/23", "Q2 2022/23"]
    assert values["Q"][next(iter(values["Q"]))][0] == 10.5  # the later row of a repeated period wins
    note = choice.frame.loc["Q", "choice_note"]
    assert note.startswith("1 observation(s) after Q2 2022/23 ignored (as of); Q1  2022/23: 10.5 from ")
    assert "12.5 from sql:kpi_values row 2 (the source given later) used over 12 from Data sheet row 3" in note
    assert choice.frame.loc["R", "choice_note"] == "no period has a value"


def test_area_rows_and_unknown_frequency() -> None:
    observations = _obs([("Q", "2021/22", 1.0), ("Q", "2022/23", 2.0)])
    observations.frame.loc[1, "area"] = "Leicester"
    found = choose_periods(observations, pd.DataFrame({"code": ["Q"], "frequency": ["fortnightly-ish"]}),
                           area="Leicestershire")
    assert found.frame.loc["Q", "latest_period"] == "2021/22"  # Leicester's row is not Leicestershire's
    assert [p.code for p in found.problems] == ["Q"] and "frequency inferred" in found.problems[0].message


def test_spec_parsing() -> None:
    assert parse_spec("book.xlsx#My Data").sheet == "My Data"
    assert parse_spec("lait:bds.parquet").kind == "lait"
    spec = parse_spec("sql:postgresql+psycopg://kpi:secret@db/kpi#table=kpi_values&schema=perf")
    assert (spec.table, spec.schema) == ("kpi_values", "perf")
    assert "secret" not in str(spec) and "***" in str(spec)
    query = parse_spec("sql:sqlite://#query=SELECT code, period, value FROM t WHERE a = 1 & b = 2")
    assert query.query == "SELECT code, period, value FROM t WHERE a = 1 & b = 2"


def test_spec_password_from_environment(monkeypatch) -> None:
    from kpi_excel.errors import InputError

    monkeypatch.setenv("KPI_TEST_PW", "p@ss word")
    spec = parse_spec("sql:postgresql+psycopg://kpi:${KPI_TEST_PW}@db/kpi#table=t")
    assert "p%40ss%20word" in spec.url and "p@ss" not in str(spec)
    monkeypatch.delenv("KPI_TEST_PW")
    with pytest.raises(InputError, match="KPI_TEST_PW"):
        parse_spec("sql:postgresql+psycopg://kpi:${KPI_TEST_PW}@db/kpi#table=t")
    with pytest.raises(InputError, match="table=NAME"):
        parse_spec("sql:postgresql+psycopg://kpi@db/kpi")


def test_read_sources_in_order(tmp_path: Path) -> None:
    a = _csv(tmp_path / "a.csv", "Code,Period,Value\nQ,Q1 2022/23,1\n")
    b = _csv(tmp_path / "b.csv", "Code,Period,Value\nQ,Q1 2022/23,2\n")
    combined = read_sources([a, b])
    chosen = choose_periods(combined, ["Q"]).frame.loc["Q"]
    assert chosen["latest_value"] == 2.0 and chosen["latest_source"] == "b.csv row 2"


def test_lait_csv_reads_like_the_parquet(lait_dir: Path, tmp_path: Path) -> None:
    from kpi_excel.sources.lait_files import read_lait

    parquet = pd.read_parquet(lait_dir / "bds_long_0.parquet")
    sample = parquet[parquet["Short Desc"].isin(["16-17 NEET", "6wksBreast"])].copy()
    sample.loc[sample.index[3], "Values"] = "n/k"  # R: NA with a warning; here NA and a problem
    sample.to_csv(tmp_path / "bds.csv", index=False)
    data = read_lait(tmp_path / "bds.csv")
    assert len(data.values) == len(sample)
    assert [p.where for p in data.problems] == ["lait:bds.csv row 5"]
    assert "cannot read 'n/k'" in data.problems[0].message
    expected = pd.to_numeric(sample["Values"].replace({"-": None, "n/k": None}), errors="coerce").to_numpy()
    assert np.array_equal(data.values["value"].to_numpy(), expected, equal_nan=True)
    assert sorted(data.authorities) == sorted(parquet.loc[parquet["LA Number"] < 970, "LA and Regions"].unique())


# --- reading only the codes a report uses ------------------------------------------------------------


def _messy_long_rows() -> list[list[object]]:
    """Used and unused codes alike with bad periods, unknown areas, harmless and conflicting repeats."""
    return [
        ["Code", "Period", "Value", "Area", "Note"],
        ["A1", "Q1 2023/24", 5, "", ""],
        ["ZZ", "Q1 2023/24", "c", "", "suppressed"],
        ["ZZ", "not a period", 3, "", ""],
        ["ZZ", "Q2 2023/24", 4, "", ""],
        ["ZZ", "Q2 2023/24", 4, "", ""],  # a harmless repeat: listed once
        ["YY", "Q3 2023/24", 1, "", ""],
        ["YY", "Q3  2023/24", 2, "", ""],  # the same period written apart, another value: neither used
        ["A1", "Q2 2023/24", "oops", "", ""],
        ["XX", "Q1 2023/24", 7, "Nowhere Shire", ""],
        [None, "Q1 2023/24", 8, "", ""],
        ["A1", "Q2 2023/24", 6, "", ""],
        ["YY", "Q4 2023/24", 9, "", ""],
        ["WW", "Q4 2023/24", 9, "", ""],
    ]


def test_reading_only_wanted_codes_keeps_their_rows_and_lists_the_others_as_a_full_reading_keeps_them(directory):
    from kpi_excel.sources.tables import observations_from_grid

    rows = _messy_long_rows()

    def read(wanted):
        return observations_from_grid(rows, None, source="Data sheet", first_row=1, directory=directory,
                                      cell_ref=lambda r, c: f"Data!{c}{r}", wanted=wanted)

    full, part = read(None), read(frozenset({"A1"}))
    assert full.others is None
    pd.testing.assert_frame_equal(part.frame, full.frame[full.frame["code"] == "A1"].reset_index(drop=True))
    others = full.frame[full.frame["code"] != "A1"]
    assert list(zip(part.others["code"], part.others["row"])) == list(zip(others["code"], others["row"]))
    assert list(part.others["row"]) == [3, 5, 13, 14]  # a repeat listed once; YY's Q3, two values, not at all
    mine = [p for p in full.problems if p.code in ("A1", "")]
    assert [p for p in part.problems if p.code in ("A1", "")] == mine and mine  # the used code's problems, same


@pytest.mark.parametrize("wanted", [None, frozenset({"A1"})])
def test_a_sheet_read_a_column_at_a_time_gives_what_its_rows_give(directory, wanted) -> None:
    # The file door hands the Data sheet as rows made only when asked for (SheetValues.block), read a
    # column at a time from the cells: title rows, gaps, short rows, dates and formats as its grid reads.
    from array import array

    from kpi_excel.ooxml.sheet_values import SheetValues
    from kpi_excel.sources.tables import observations_from_grid

    rows = [["Data from the warehouse"], []] + _messy_long_rows()
    rows[5] = rows[5][:3]  # a row ending at its value
    rows[7] = [None] + rows[7][1:]  # a blank styled code cell
    rows.insert(9, [])
    rows.append(["A1", 45291, 0.5, "", ""])  # a period typed as a date
    rows.append([None, None, 0.25])  # a value with no code
    cells = [(r, c, v) for r, row in enumerate(rows, start=3) for c, v in enumerate(row, start=1)
             if v is not None or (r, c) == (10, 1)]
    styles = {(10, 1): 3, (len(rows) + 1, 2): 2}
    sheet = SheetValues("Data", array("q", [(r << 14) | (c - 1) for r, c, _ in cells]), [v for _, _, v in cells],
                        array("l", [styles.get((r, c), 1 if c == 3 else 0) for r, c, _ in cells]), {},
                        {0: "General", 1: "0.0%", 2: "dd/mm/yyyy", 3: "@"}, frozenset({2}))

    def read(grid):
        return observations_from_grid(grid.values, grid.formats, source="Data sheet", first_row=grid.top,
                                      directory=directory, cell_ref=lambda r, c: f"Data!{c}{r}", wanted=wanted)

    by_rows, by_columns = read(sheet.grid()), read(sheet.block())
    assert not isinstance(sheet.block().values, list)
    pd.testing.assert_frame_equal(by_columns.frame, by_rows.frame)
    assert by_columns.problems == by_rows.problems and by_rows.problems
    if wanted is not None:
        pd.testing.assert_frame_equal(by_columns.others, by_rows.others)
    assert "2023-12-31" in set(by_rows.frame["period"])  # the date cell read as a date
