"""The Measure Type dropdown offers every kind of measure the engine rates (issue 16 items 4 and 12).

The choices and what each means live in one place (``MEASURES_OFFERED``); these
tests hold the dropdown to the reader, and the template to the choices.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from kpi_excel.core import measures
from kpi_excel.core.measures import MEASURE_TYPE_CHOICES, MEASURES_OFFERED, parse_measure_type
from kpi_excel.app.report_files import new_report


def test_each_choice_reads_back_as_its_kind() -> None:
    for word, measure in MEASURES_OFFERED.items():
        assert parse_measure_type(word) == measure, word
        assert parse_measure_type(word.upper()) == measure, word


def test_every_kind_the_engine_rates_is_offered() -> None:
    kinds = {measures.PROPORTION, measures.RATE, measures.COUNT, measures.MEAN, measures.STANDARDISED}
    assert {m.kind for m in MEASURES_OFFERED.values()} == kinds
    assert parse_measure_type("DSR per 100000") == measures.Measure(measures.STANDARDISED, 100000.0)
    # What an officer types for a DSR is read the same as the offered word.
    assert parse_measure_type("Directly standardised rate per 100,000") == parse_measure_type("DSR per 100000")


def test_the_choices_fit_an_excel_inline_list() -> None:
    assert not any("," in word for word in MEASURE_TYPE_CHOICES)  # a comma would split a choice in two
    assert len(",".join(MEASURE_TYPE_CHOICES)) <= 255


def test_the_new_reports_dropdown_holds_the_choices(tmp_path: Path) -> None:
    book = load_workbook(new_report(tmp_path / "report.xlsx"))
    sheet = book["KPIs"]
    headers = [c.value for c in sheet[1]]
    letter = sheet.cell(1, headers.index("Measure Type") + 1).column_letter
    [validation] = [v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(f"{letter}2")]
    assert validation.formula1 == '"' + ",".join(MEASURE_TYPE_CHOICES) + '"'
    assert "DSR per 100000" in validation.formula1
