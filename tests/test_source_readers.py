"""Sources are chosen by the reader registry in kpi_excel.sources.spec, never by an error's text."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kpi_excel.errors import InputError, NoSuchSheetError
from kpi_excel.sources.spec import READERS, parse_spec, read_source


def _claimed_by(text: str) -> str:
    parsed = parse_spec(text)
    return next(reader.name for reader in READERS if reader.claims(parsed))


def test_each_kind_of_text_goes_to_its_reader(tmp_path: Path) -> None:
    assert _claimed_by("sql:sqlite:///k.db#table=kpi_values") == "sql"
    assert _claimed_by("lait:bds_long.parquet") == "lait"
    assert _claimed_by(str(tmp_path / "report.xlsx")) == "workbook"
    assert _claimed_by(str(tmp_path / "report.xlsx#Figures")) == "table"
    assert _claimed_by(str(tmp_path / "values.csv")) == "table"


def _workbook(path: Path, sheet: str, rows: list[tuple]) -> Path:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_workbook_without_a_data_sheet_is_read_as_a_table(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "figures.xlsx", "Figures",
                     [("Code", "Period", "Value"), ("EH1", "Q2 2022/23", 12.5)])
    with pytest.raises(NoSuchSheetError):
        from kpi_excel.sources.datasheet import read_data_sheet

        read_data_sheet(path)
    observations = read_source(str(path))
    assert list(observations.frame["value"]) == [12.5]
    assert observations.frame["source"].iloc[0] == "figures.xlsx#Figures"


def test_a_data_sheet_problem_is_not_mistaken_for_a_missing_sheet(tmp_path: Path, monkeypatch) -> None:
    """Only a missing sheet (NoSuchSheetError) sends a workbook to the table reader; another error
    stays the officer's, whatever its words."""
    path = _workbook(tmp_path / "report.xlsx", "Data", [("Code", "Period", "Value"), ("EH1", "Q2 2022/23", 1)])
    from kpi_excel.sources import datasheet

    def unreadable(*args, **kwargs):
        raise InputError("no sheet named 'Data' could be read: its header row is a merged cell")

    monkeypatch.setattr(datasheet, "read_data_sheet", unreadable)
    with pytest.raises(InputError, match="merged cell"):
        read_source(str(path))
