"""Observations from the report workbook's own **Data** sheet.

The sheet is long: ``Code``, ``Period``, ``Value`` and optionally ``Area`` and
``Note`` (also ``Numerator``, ``Denominator``, ``Updated``), found by header
text in any order, under any title rows. Each value keeps its cell's number
format: 0.776 in a ``0.0%`` cell is 77.6. Problems name the cell (``Data!C17``).

The cells come through :func:`kpi_excel.sources.xlsx.read_sheet`, one small
function, so a faster reader can replace it without touching this module.
"""

from __future__ import annotations

from pathlib import Path

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.observations import Observations
from kpi_excel.sources.tables import column_letter, observations_from_cells
from kpi_excel.sources.xlsx import read_sheet

__all__ = ["DATA_SHEET", "read_data_sheet"]

DATA_SHEET = "Data"


def read_data_sheet(path: Path, sheet: str = DATA_SHEET, directory: AreaDirectory | None = None) -> Observations:
    """Observations from the workbook's Data sheet (source ``Data sheet``)."""
    found = read_sheet(Path(path), sheet)
    name = found.name
    quoted = f"'{name}'" if not name.replace("_", "").isalnum() else name
    return observations_from_cells(
        found.rows, source=f"{name} sheet", first_row=found.first_row, directory=directory,
        cell_ref=lambda row, column: f"{quoted}!{column_letter(column)}{row}",
    )
