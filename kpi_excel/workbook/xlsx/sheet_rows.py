"""A worksheet's rows held as text beside a parsed frame of the rest of the sheet.

A refresh rewrites a few columns in every row of the KPIs sheet and edits a
handful of elements around its cells (rules, dropdowns, sparklines). Parsing
the whole sheet to a tree costs ~20x its XML in memory (230 MB for 10,000
indicators); here the sheet is parsed without its rows (the frame), and the
rows are edited a chunk at a time: each chunk is parsed under the sheet's own
root and namespace declarations, written by the same :class:`WorksheetEditor`
as a whole tree would be, and serialised back. Every row passes through lxml
once when the rows are set apart, so the text is exactly what serialising the
whole tree would give, and a part with its rows apart saves byte-identical to
one edited whole.

:func:`set_apart` refuses (None) anything this cannot do exactly: a sheet whose
rows are not numbered in order, which holds array, data-table or shared
formulas (they reach across rows), comments, processing instructions or CDATA
among its rows, or whose ``sheetData`` or ``dimension`` is unusual.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from kpi_excel.workbook.xlsx.cells import WorksheetEditor, WriteReport
from kpi_excel.workbook.xlsx.xmlutil import main, parse_serialised, parse_xml

__all__ = ["RowsApart", "set_apart", "write_apart", "EMPTY_ROWS"]

EMPTY_ROWS = b"<sheetData/>"  # what the frame's sheetData serialises as: the rows go back here
CHUNK_ROWS = 2000
_SHEET_DATA = re.compile(rb"<sheetData>(.*)</sheetData>", re.S)
_ROW_START = re.compile(rb"<row[\s/>]")
_ROW_NUMBER = re.compile(rb'<row r="([0-9]{1,7})"')
_ROOT_TAG = re.compile(rb"<([^\s>/]+)")
# Formulas that reach across rows, and markup a split at "<row" could cut through.
_ACROSS_ROWS = (b'"shared"', b'"array"', b'"dataTable"', b"<!--", b"<?", b"<![CDATA[", b"'shared'",
                b"'array'", b"'dataTable'")


@dataclass
class RowsApart:
    """A sheet's rows as text, split where chunks begin, with each chunk's first row."""

    head: bytes  # the root's start tag and the sheet's <cols>, to parse a chunk under
    text: list[bytes]  # chunks of whole rows, canonical (as lxml serialises them)
    first_rows: list[int]  # the row number each chunk starts with

    def element(self) -> bytes:
        """The sheetData element with these rows, as serialising the whole tree writes it."""
        rows = b"".join(self.text)
        return b"<sheetData>" + rows + b"</sheetData>" if rows else EMPTY_ROWS


def set_apart(data: bytes, part: str) -> tuple[etree._Element, RowsApart] | None:
    """The sheet ``data`` as a frame (its ``sheetData`` empty) and its rows apart; None
    when the sheet is not one this can edit exactly (see the module's docstring)."""
    found = _SHEET_DATA.search(data)
    if found is None or data.count(b"<sheetData") != 1 or any(m in found.group(1) for m in _ACROSS_ROWS):
        return None
    frame = parse_xml(data[:found.start()] + EMPTY_ROWS + data[found.end():], part)
    sheet_data = frame.find(main("sheetData"))
    dimension = frame.find(main("dimension"))
    if sheet_data is None or sheet_data.attrib or sheet_data.nsmap != frame.nsmap or dimension is None \
            or dimension.get("ref") in (None, "A1") or _utf8(frame).count(EMPTY_ROWS) != 1:
        return None
    head = _head(frame)
    rows = found.group(1)
    starts = [m.start() for m in _ROW_START.finditer(rows)]
    if not starts:
        return None
    # Pass every row through lxml once (a file from Excel may quote or escape otherwise).
    text: list[bytes] = []
    first_rows: list[int] = []
    last = 0
    bounds = [0] + starts[CHUNK_ROWS::CHUNK_ROWS] + [len(rows)]
    for lo, hi in zip(bounds, bounds[1:]):
        chunk = _serialise(_parse_chunk(head, rows[lo:hi], part))
        numbers = [int(m.group(1)) for m in _ROW_NUMBER.finditer(chunk)]
        if len(numbers) != chunk.count(b"<row") or not numbers:
            return None  # a row without its number first: the editor would number it by position
        if any(b <= a for a, b in zip(numbers, numbers[1:])) or numbers[0] <= last:
            return None  # rows out of order: where a new row goes depends on all of them
        last = numbers[-1]
        text.append(chunk)
        first_rows.append(numbers[0])
    return frame, RowsApart(head, text, first_rows)


def write_apart(rows: RowsApart, frame: etree._Element, items: Sequence[tuple[int, int, Any, int | None]],
                *, sheet: str, date1904: bool, part: str) -> WriteReport:
    """Write (row, col, value, style) items into the rows apart, a chunk at a time, as
    :meth:`WorksheetEditor.write` would into the whole tree; the frame's dimension grows
    as the whole tree's would."""
    # A chunk holds its rows and every new row before the next chunk's first.
    by_chunk: dict[int, list[tuple[int, int, Any, int | None]]] = {}
    starts = rows.first_rows
    for item in items:
        chunk = _chunk_of(starts, item[0])
        by_chunk.setdefault(chunk, []).append(item)
    report = WriteReport()
    for chunk, chunk_items in sorted(by_chunk.items()):
        root = _parse_chunk(rows.head, rows.text[chunk], part)
        editor = WorksheetEditor(root, sheet=sheet, date1904=date1904)
        done = editor.write(chunk_items)
        report.merge(done)
        rows.text[chunk] = _serialise(root)
    if report.written_range is not None:
        WorksheetEditor(frame, sheet=sheet, date1904=date1904)._extend_dimension(report.written_range)
    return report


def _chunk_of(starts: list[int], row: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # the last chunk starting at or before the row (the first for rows above it)
        mid = (lo + hi + 1) // 2
        if starts[mid] <= row:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _head(frame: etree._Element) -> bytes:
    """The root's start tag as lxml writes it, with the sheet's <cols> (new cells take their style)."""
    bare = copy.copy(frame)
    for child in list(bare):
        bare.remove(child)
    cols = frame.find(main("cols"))
    if cols is not None:
        bare.append(copy.deepcopy(cols))
    whole = _utf8(bare)
    end = whole.rfind(b"</")
    return whole[:end] if end > 0 else whole[:-2] + b">"


def _parse_chunk(head: bytes, chunk: bytes, part: str) -> etree._Element:
    tag = _ROOT_TAG.match(head)
    assert tag is not None
    # Rows we wrote may hold text "" (<t></t>): read back as written, as the whole tree holds it.
    return parse_serialised(head + b"<sheetData>" + chunk + b"</sheetData></" + tag.group(1) + b">", part)


def _serialise(root: etree._Element) -> bytes:
    whole = _utf8(root)
    start = whole.index(b"<sheetData")
    if whole.startswith(EMPTY_ROWS, start):
        return b""
    return whole[start + len(b"<sheetData>"):whole.rindex(b"</sheetData>")]


def _utf8(root: etree._Element) -> bytes:
    """As :func:`~.xmlutil.serialize_xml` writes a part's elements: UTF-8, characters as they are."""
    return etree.tostring(root, encoding="UTF-8", xml_declaration=False)
