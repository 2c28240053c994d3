"""Observations from CSV files and worksheets, in long or wide layout.

* **long**: one value a row, columns found by header text in any order:
  ``Code`` (or ``Indicator``), ``Period``, ``Value``, optional ``Area``,
  ``Numerator``, ``Denominator``, ``Note``, ``Updated``;
* **wide**: a code (or indicator) column and one column per period, headed by
  the period's label (``Q1 2022/23``, ``2021/22``, ``Autumn 2022``), optional
  ``Area``.

The header row may sit under a few title rows (the first 20 rows are searched).
Worksheet cells keep their number format, so 0.776 in a ``0.0%`` cell is 77.6.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

import pandas as pd

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.a1 import column_letter as letters_of
from kpi_excel.core.observations import Observations, match_observation_columns, observations_from_records
from kpi_excel.core.periods import PeriodError, parse_period
from kpi_excel.errors import MissingColumnError, UnreadableFileError
from kpi_excel.sources.xlsx import Cell

__all__ = ["read_table_source", "observations_from_cells", "column_letter"]

HEADER_SEARCH_ROWS = 20


def column_letter(index: int) -> str:
    """Letters of a 0-based column position, as readers count: 0 → A, 26 → AA."""
    return letters_of(index + 1)


def read_table_source(path: Path, sheet: str | None = None, directory: AreaDirectory | None = None) -> Observations:
    """Observations from a CSV/TSV file or a worksheet (long or wide layout)."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from kpi_excel.sources.xlsx import read_sheet

        found = read_sheet(path, sheet, prefer=("Data",))
        return observations_from_cells(found.rows, source=f"{path.name}#{found.name}",
                                       cell_ref=lambda r, c: f"{found.name}!{column_letter(c)}{r}",
                                       first_row=found.first_row, directory=directory)
    if suffix in (".csv", ".tsv", ".txt"):
        rows = _delimited_rows(path)
        return observations_from_cells(rows, source=path.name, cell_ref=lambda r, c: f"{path.name} row {r}",
                                       directory=directory)
    if suffix in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
        rows = [[Cell(h, None) for h in frame.columns]] + [
            [Cell(v, None) for v in row] for row in frame.itertuples(index=False, name=None)]
        return observations_from_cells(rows, source=path.name, cell_ref=lambda r, c: f"{path.name} row {r}",
                                       directory=directory)
    raise UnreadableFileError(f"cannot read '{suffix or 'no extension'}' files as data "
                              "(use .csv, .tsv, .xlsx or .parquet)", source=str(path))


def _delimited_rows(path: Path) -> list[list[Cell]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise UnreadableFileError("looks like a binary file, not CSV text", source=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel on Windows saves CSV as cp1252
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or first.count("\t") > first.count(",") else ","
    return [[Cell(v, None) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def observations_from_cells(
    rows: Sequence[Sequence[Cell]],
    *,
    source: str,
    cell_ref,  # (sheet row, 0-based column) -> "Data!C17"
    first_row: int = 1,
    directory: AreaDirectory | None = None,
) -> Observations:
    """Find the header row, tell long from wide, and build observations."""
    header_at, columns, periods = _find_header(rows)
    if header_at is None:
        raise MissingColumnError(
            "no header row with an indicator code column and either Period and Value columns (long layout) "
            "or one column per period (wide layout) in the first 20 rows", source=source)
    body = rows[header_at + 1:]
    body_first = first_row + header_at + 1
    if "period" in columns and "value" in columns:
        return _long(body, body_first, columns, source, cell_ref, directory)
    return _wide(body, body_first, columns, periods, source, cell_ref, directory)


def _find_header(rows: Sequence[Sequence[Cell]]) -> tuple[int | None, dict[str, int], dict[int, str]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        values = [cell.value for cell in row]
        columns = match_observation_columns(values)
        if "code" not in columns:
            continue
        if "period" in columns and "value" in columns:
            return index, columns, {}
        periods = _period_columns(values, set(columns.values()))
        if periods:
            return index, columns, periods
    return None, {}, {}


def _period_columns(values: list[object], taken: set[int]) -> dict[int, str]:
    found = {}
    for index, value in enumerate(values):
        if index in taken or value is None or str(value).strip() == "":
            continue
        try:
            parse_period(value)
        except PeriodError:
            continue
        found[index] = _label(value)
    return found


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        from kpi_excel.core.periods import format_period

        return format_period(parse_period(value))
    return str(value).strip()


def _long(body, body_first, columns, source, cell_ref, directory) -> Observations:
    names = list(columns)
    records: dict[str, list] = {name: [] for name in names}
    formats: dict[str, list] = {name: [] for name in names}
    rows: list[int] = []
    for offset, row in enumerate(body):
        if not row:
            continue  # an empty row is not data (readers give sparse sheets' gaps as ``()``)
        for name in names:
            i = columns[name]
            cell = row[i] if i < len(row) else Cell(None, None)
            records[name].append(cell.value)
            formats[name].append(cell.number_format)
        rows.append(body_first + offset)
    raw = pd.DataFrame(records, dtype=object)
    raw["row"] = rows
    fmt = pd.DataFrame(formats, dtype=object)
    return observations_from_records(raw, source=source, formats=fmt, directory=directory,
                                     where=lambda i, field: cell_ref(rows[i], columns.get(field, columns["code"])))


def _wide(body, body_first, columns, periods, source, cell_ref, directory) -> Observations:
    """One record per filled period cell; an empty period cell is simply not
    reported yet. A row with values but no code is kept so it is reported."""
    names = ("code", "area", "period", "value", "note")
    records: dict[str, list] = {name: [] for name in (*names, "row")}
    value_formats: list[object] = []
    value_columns: list[int] = []
    code_at, area_at, note_at = columns["code"], columns.get("area"), columns.get("note")
    def get(row: Sequence[Cell], i: int | None) -> object:
        return row[i].value if i is not None and i < len(row) else None

    for offset, row in enumerate(body):
        if not row:
            continue
        for i, label in periods.items():
            cell = row[i] if i < len(row) else Cell(None, None)
            if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
                continue
            for name, value in zip(names, (get(row, code_at), get(row, area_at), label, cell.value, get(row, note_at))):
                records[name].append(value)
            records["row"].append(body_first + offset)
            value_formats.append(cell.number_format)
            value_columns.append(i)
    raw = pd.DataFrame(records, dtype=object)
    fmt = pd.DataFrame({"value": value_formats}, dtype=object)
    rows = records["row"]

    def where(i: int, field: str) -> str:
        column = {"code": code_at, "area": area_at, "note": note_at}.get(field)
        return cell_ref(rows[i], column if column is not None else value_columns[i])

    return observations_from_records(raw, source=source, formats=fmt, directory=directory, where=where)
