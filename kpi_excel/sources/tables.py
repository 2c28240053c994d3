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
from functools import lru_cache
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Collection, Iterable, Sequence

import pandas as pd

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.ooxml.a1 import column_letter as letters_of
from kpi_excel.core.observations import Observations, match_observation_columns, observations_from_columns
from kpi_excel.core.periods import PeriodError, parse_period
from kpi_excel.errors import MissingColumnError, UnreadableFileError
from kpi_excel.sources.xlsx import Cell

__all__ = ["read_table_source", "observations_from_cells", "observations_from_grid", "column_letter"]

HEADER_SEARCH_ROWS = 20


@lru_cache(maxsize=None)  # at most Excel's 16,384 columns; asked once per problem a sheet has
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
        return observations_from_grid(rows, None, source=path.name, cell_ref=lambda r, c: f"{path.name} row {r}",
                                      directory=directory)
    if suffix in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
        rows = [list(frame.columns)] + [list(row) for row in frame.itertuples(index=False, name=None)]
        return observations_from_grid(rows, None, source=path.name, cell_ref=lambda r, c: f"{path.name} row {r}",
                                      directory=directory)
    raise UnreadableFileError(f"cannot read '{suffix or 'no extension'}' files as data "
                              "(use .csv, .tsv, .xlsx or .parquet)", source=str(path))


def _delimited_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise UnreadableFileError("looks like a binary file, not CSV text", source=str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel on Windows saves CSV as cp1252
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or first.count("\t") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def observations_from_cells(
    rows: Sequence[Sequence[Cell]],
    *,
    source: str,
    cell_ref,  # (sheet row, 0-based column) -> "Data!C17"
    first_row: int = 1,
    directory: AreaDirectory | None = None,
) -> Observations:
    """Find the header row, tell long from wide, and build observations."""
    values = [[cell.value for cell in row] if row else () for row in rows]
    formats = [[cell.number_format for cell in row] if row else () for row in rows]
    return observations_from_grid(values, formats, source=source, cell_ref=cell_ref, first_row=first_row,
                                  directory=directory)


def observations_from_grid(
    values: Sequence[Sequence[object]],
    formats: Sequence[Sequence[object]] | None,
    *,
    source: str,
    cell_ref,  # (sheet row, 0-based column) -> "Data!C17"
    first_row: int = 1,
    directory: AreaDirectory | None = None,
    wanted: Collection[str] | None = None,
) -> Observations:
    """As :func:`observations_from_cells`, from rows of values and rows of their number formats
    (``formats[i]`` may be shorter than ``values[i]``, or ``formats`` None: formats not known).
    An empty row (``()``) is not data. ``wanted``: see
    :func:`~kpi_excel.core.observations.observations_from_columns`."""
    header_at, columns, periods = _find_header(values)
    if header_at is None:
        raise MissingColumnError(
            "no header row with an indicator code column and either Period and Value columns (long layout) "
            "or one column per period (wide layout) in the first 20 rows", source=source)
    body = values[header_at + 1:]
    looks = formats[header_at + 1:] if formats is not None else None
    body_first = first_row + header_at + 1
    if "period" in columns and "value" in columns:
        return _long(body, looks, body_first, columns, source, cell_ref, directory, wanted)
    return _wide(body, looks, body_first, columns, periods, source, cell_ref, directory, wanted)


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int | None, dict[str, int], dict[int, str]]:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        values = list(row)
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


def _columns(rows: Sequence[Sequence[object]], indices: Iterable[int]) -> tuple[list[int], list[list[object]]]:
    """The positions of the rows that are not empty (readers give sparse sheets' gaps as ``()``) and,
    for each of ``indices``, that column over them: what
    :meth:`~kpi_excel.ooxml.sheet_values.SheetRows.columns` gives, which rows made only when asked
    for answer straight from their cells."""
    if hasattr(rows, "columns"):
        return rows.columns(indices)
    present = list(compress(range(len(rows)), rows))
    if len(present) != len(rows):
        rows = [rows[offset] for offset in present]
    return present, _picked(rows, indices)


def _picked(rows: Sequence[Sequence[object]], indices: Iterable[int]) -> list[list[object]]:
    """Columns ``indices`` of the rows (None where a row is shorter), the rows measured once for all."""
    lengths = list(map(len, rows))
    shortest, longest = (min(lengths), max(lengths)) if lengths else (0, 0)

    def column(i: int) -> list[object]:
        if shortest > i:
            return list(map(itemgetter(i), rows))  # every row reaches it: no length check per row
        if longest <= i:
            return [None] * len(lengths)  # no row reaches it (a column only the header row names)
        return [row[i] if length > i else None for row, length in zip(rows, lengths)]

    return [column(i) for i in indices]


def _long(body, looks, body_first, columns, source, cell_ref, directory, wanted=None) -> Observations:
    """One record per non-empty row, read a column at a time."""
    present, found = _columns(body, columns.values())
    every_row = len(present) == len(body)
    rows = list(range(body_first, body_first + len(body))) if every_row else [body_first + offset for offset in present]
    return observations_from_columns(dict(zip(columns, found)), rows, source=source, directory=directory,
                                     value_formats=_value_formats(looks, present, every_row, columns["value"]),
                                     wanted=wanted,
                                     where=lambda i, field: cell_ref(rows[i], columns.get(field, columns["code"])))


def _value_formats(looks, present: list[int], every_row: bool, value_at: int) -> list[object] | None:
    """The number formats of the value column in the rows ``present`` (rows of values that are not
    empty; their row of formats may be shorter, even ``()``), or None when formats are not known."""
    if looks is None:
        return None
    if hasattr(looks, "columns"):  # formats of the same cells: the same rows present
        return looks.columns([value_at])[1][0]
    return _picked(looks if every_row else [looks[offset] for offset in present], [value_at])[0]


def _wide(body, looks, body_first, columns, periods, source, cell_ref, directory, wanted=None) -> Observations:
    """One record per filled period cell; an empty period cell is simply not
    reported yet. A row with values but no code is kept so it is reported."""
    names = ("code", "area", "period", "value", "note")
    records: dict[str, list] = {name: [] for name in names}
    rows: list[int] = []
    value_formats: list[object] = []
    value_columns: list[int] = []
    code_at, area_at, note_at = columns["code"], columns.get("area"), columns.get("note")

    def get(row: Sequence[object], i: int | None) -> object:
        return row[i] if i is not None and i < len(row) else None

    for offset, row in enumerate(body):
        if not row:
            continue
        look = looks[offset] if looks is not None else ()
        for i, label in periods.items():
            value = row[i] if i < len(row) else None
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            for name, cell in zip(names, (get(row, code_at), get(row, area_at), label, value, get(row, note_at))):
                records[name].append(cell)
            rows.append(body_first + offset)
            value_formats.append(look[i] if i < len(look) else None)
            value_columns.append(i)

    def where(i: int, field: str) -> str:
        column = {"code": code_at, "area": area_at, "note": note_at}.get(field)
        return cell_ref(rows[i], column if column is not None else value_columns[i])

    return observations_from_columns(records, rows, source=source, value_formats=value_formats,
                                     directory=directory, where=where, wanted=wanted)
