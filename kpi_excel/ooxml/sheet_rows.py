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

A write that only gives existing cells new values (a repeat refresh's computed
columns) is made in the text itself, a chunk at a time, when every cell it
touches is plain (numbered, plain attributes, only a value inside): each cell's
new text is the one the tree path would serialise (:meth:`WorksheetEditor.cell_text`).
Any other chunk goes through the tree.

:func:`set_apart` refuses (None) anything this cannot do exactly: a sheet whose
rows are not numbered in order, which holds array, data-table or shared
formulas (they reach across rows), comments, processing instructions or CDATA
among its rows, or whose ``sheetData`` or ``dimension`` is unusual.
"""

from __future__ import annotations

import bisect
import copy
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from kpi_excel.ooxml.cells import KEEP, WorksheetEditor, WriteReport
from kpi_excel.ooxml.refs import CellRange, column_letter
from kpi_excel.ooxml.xmlutil import check_xml, main, parse_serialised, parse_xml

__all__ = ["RowsApart", "set_apart", "write_apart", "new_rows", "rows_document", "set_heights", "rows_head", "EMPTY_ROWS",
           "item_row", "item_column"]

EMPTY_ROWS = b"<sheetData/>"  # what the frame's sheetData serialises as: the rows go back here
CHUNK_ROWS = 2000
_SHEET_DATA = re.compile(rb"<sheetData>(.*)</sheetData>", re.S)
_ROW_START = re.compile(rb"<row[\s/>]")
_ROW_NUMBER = re.compile(rb'<row r="([0-9]{1,7})"')
_ROOT_TAG = re.compile(rb"<([^\s>/]+)")
# A cell as lxml serialises it: its number first, attributes plain; what a value-only cell holds.
_CELL_REF = re.compile(rb'(<c r="[A-Z]{1,3}[0-9]{1,7}")')  # with the tag's start: what is looked for
_REF_MARKUP = b'<c r="ABCDEFGHIJKLMNOPQRSTUVWXYZ'  # what of a found reference is not its row's number
# The rest of a cell's start tag after its reference (other attributes plain), from the reference's end.
_CELL_START = re.compile(rb'((?: [A-Za-z]+="[A-Za-z0-9$:._-]*")*)(/?)>')
_ATTRIBUTE = re.compile(rb' ([A-Za-z0-9_:.-]+)="([^"]*)"')
# A row's start as lxml serialises it, its attributes plain (no character to escape).
_ROW_TAG = re.compile(rb'<row r="([0-9]{1,7})"((?: [A-Za-z0-9_:.-]+="[^"<>&]*")*)/?>')
_VALUE_ONLY = re.compile(rb'(?:<v>[^<]*</v>|<v/>|<is><t(?: xml:space="preserve")?>[^<]*</t></is>'
                         rb'|<is><t(?: xml:space="preserve")?/></is>)*')
# Formulas that reach across rows, and markup a split at "<row" could cut through.
_ACROSS_ROWS = (b'"shared"', b'"array"', b'"dataTable"', b"<!--", b"<?", b"<![CDATA[", b"'shared'",
                b"'array'", b"'dataTable'")


@dataclass
class RowsApart:
    """A sheet's rows as text, split where chunks begin, with each chunk's first row."""

    head: bytes  # the root's start tag and the sheet's <cols>, to parse a chunk under
    text: list[bytes]  # chunks of whole rows, canonical (as lxml serialises them)
    first_rows: list[int]  # the row number each chunk starts with
    # Each chunk's text when last indexed, and where its rows start (see span).
    _offsets: dict[int, tuple[bytes, list[tuple[int, int]]]] = field(default_factory=dict, repr=False)

    def span(self, first: int, last: int) -> bytes:
        """The text of the rows numbered ``first`` to ``last`` (those there are)."""
        pieces = []
        for index in range(_chunk_of(self.first_rows, first), len(self.text)):
            if index and self.first_rows[index] > last:
                break
            text = self.text[index]
            cached = self._offsets.get(index)
            if cached is None or cached[0] is not text:  # each version of a chunk is indexed once
                cached = self._offsets[index] = (text, [(int(m.group(1)), m.start())
                                                        for m in _ROW_NUMBER.finditer(text)])
            offsets = cached[1]
            numbers = [n for n, _ in offsets]
            lo, hi = bisect.bisect_left(numbers, first), bisect.bisect_right(numbers, last)
            if lo < hi:
                pieces.append(text[offsets[lo][1]:offsets[hi][1] if hi < len(offsets) else len(text)])
        return b"".join(pieces)

    def element(self) -> bytes:
        """The sheetData element with these rows, as serialising the whole tree writes it."""
        rows = b"".join(self.text)
        return b"<sheetData>" + rows + b"</sheetData>" if rows else EMPTY_ROWS


def set_apart(data: bytes, part: str) -> tuple[etree._Element, RowsApart] | None:
    """The sheet ``data`` as a frame (its ``sheetData`` empty) and its rows apart; None
    when the sheet is not one this can edit exactly (see the module's docstring)."""
    found = _SHEET_DATA.search(data)
    if found is None or data.count(b"<sheetData") != 1:
        return None
    rows = found.group(1)
    if _across_rows(rows):
        return None
    frame = parse_xml(data[:found.start()] + EMPTY_ROWS + data[found.end():], part)
    sheet_data = frame.find(main("sheetData"))
    dimension = frame.find(main("dimension"))
    if sheet_data is None or sheet_data.attrib or sheet_data.nsmap != frame.nsmap or dimension is None \
            or dimension.get("ref") in (None, "A1") or _utf8(frame).count(EMPTY_ROWS) != 1:
        return None
    head = rows_head(frame)
    starts = [m.start() for m in _ROW_START.finditer(rows)]
    if not starts:
        return None
    # Pass every row through lxml once (a file from Excel may quote or escape otherwise); rows
    # already as lxml writes them (a sheet the refresh before saved) are only checked.
    canonical = _canonical(rows, head)
    text: list[bytes] = []
    first_rows: list[int] = []
    last = 0
    bounds = [0] + starts[CHUNK_ROWS::CHUNK_ROWS] + [len(rows)]
    for lo, hi in zip(bounds, bounds[1:]):
        if canonical:
            chunk = rows[lo:hi]
            check_xml(_chunk_document(head, chunk), part)  # refuses what _parse_chunk refuses
        else:
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


def new_rows(editor: WorksheetEditor, top_left: tuple[int, int], rows: Sequence[Sequence[Any]],
             styles: Sequence[Sequence[int | None]] | None,
             heights: Mapping[int, float]) -> tuple[list[bytes], list[int], CellRange] | None:
    """The rows of a sheet that has none yet, as text in chunks (with each chunk's first row)
    and the range written: what writing the row-major block ``rows`` (``styles`` per cell, as
    :meth:`~.XlsxPackage.write_rows` takes them) into its tree with :meth:`WorksheetEditor.write`
    and then giving rows ``heights`` (as :func:`~.sheets.apply_settings` does) serialises to,
    without a tree (a sheet we own is written whole every refresh: the KPI history of 10,000
    indicators is 11 MB of XML, ~200 MB as a tree). None when there is nothing to write or a
    text cannot be carried as it is: write through the tree.

    A cell is ``<c`` + its attributes + what :meth:`WorksheetEditor.new_cell_text` writes after
    them, which depends on the value alone: worked out once per distinct text (a sheet's texts
    repeat: periods, RAGs, frequencies), and each row's ``s`` attributes once per distinct
    row of styles."""
    r0, c0 = top_left
    widest = max((len(row) for row in rows), default=0)
    if not (1 <= r0 and r0 + len(rows) - 1 <= 1_048_576 and 1 <= c0 and c0 + widest - 1 <= 16_384):
        return None  # the tree path says which cell is outside the sheet
    letters = [column_letter(col) for col in range(c0, c0 + widest)]
    looks: dict[tuple[int, int | None], str] = {}  # (column, style) -> the cell's s attribute
    row_looks: dict[tuple[int, tuple[int | None, ...]], list[str]] = {}  # a row's s attributes
    texts: dict[str, str] = {}  # a text -> its cell after the attributes
    chunks: list[bytes] = []
    first_rows: list[int] = []
    parts: list[str] = []
    written: list[int] = []
    plain = editor.plain_value
    new_cell = editor.new_cell_text
    no_styles: tuple[int | None, ...] = ()
    for i, row in enumerate(rows):
        if not row:
            continue  # no cells, no row
        r = r0 + i
        if len(written) % CHUNK_ROWS == 0:
            if parts:
                chunks.append("".join(parts).encode())
                parts = []
            first_rows.append(r)
        written.append(r)
        height = heights.get(r)
        parts.append(f'<row r="{r}">' if height is None else f'<row r="{r}" ht="{height:g}" customHeight="1">')
        row_styles = tuple(styles[i]) if styles is not None and i < len(styles) else no_styles
        key = (len(row), row_styles)
        s_attrs = row_looks.get(key)
        if s_attrs is None:
            s_attrs = row_looks[key] = []
            for j in range(len(row)):
                style = row_styles[j] if j < len(row_styles) else None
                s_attr = looks.get((j, style))
                if s_attr is None:  # a new row's cell without a style of its own takes its column's
                    look = style if style is not None else editor._inherited_style(None, c0 + j)
                    s_attr = looks[(j, style)] = f' s="{look}"' if look else ""
                s_attrs.append(s_attr)
        for j, value in enumerate(row):
            kind = type(value)
            if kind is str:
                tail = texts.get(value)
                if tail is None:
                    cell = new_cell("", value)
                    if cell is None:
                        return None
                    tail = texts[value] = cell[2:]
                parts.append(f'<c r="{letters[j]}{r}"{s_attrs[j]}{tail}')
                continue
            if kind is float:
                if value != value:
                    value = None  # NaN: a blank, as prepare makes it
            elif not (value is None or kind is int):
                value = plain(value)
            cell = new_cell(f' r="{letters[j]}{r}"{s_attrs[j]}', value)
            if cell is None:
                return None
            parts.append(cell)
        parts.append("</row>")
    if not written:
        return None
    chunks.append("".join(parts).encode())
    return chunks, first_rows, CellRange(written[0], c0, written[-1], c0 + widest - 1)


def set_heights(rows: RowsApart, heights: Mapping[int, float], *, only_if_absent: bool) -> bool | None:
    """Give the rows apart ``heights`` in their text, as :func:`~.sheets.apply_settings` gives a
    tree's rows (``ht`` and ``customHeight`` set in place or added last); whether any changed.
    None, with nothing changed, when a row's start is not plain: give them through the tree."""
    edited: dict[int, bytes] = {}
    for index, text in enumerate(rows.text):
        tags = list(_ROW_TAG.finditer(text))
        if len(tags) != text.count(b"<row"):
            return None
        pieces, last = [], 0
        for tag in tags:
            height = heights.get(int(tag.group(1)))
            if height is None:
                continue
            attributes = _ATTRIBUTE.findall(tag.group(2))
            if only_if_absent and dict(attributes).get(b"ht"):
                continue
            wanted = {b"ht": f"{height:g}".encode(), b"customHeight": b"1"}
            attributes = [(name, wanted.pop(name, value)) for name, value in attributes] + list(wanted.items())
            start = b"".join(b' %s="%s"' % pair for pair in attributes)
            pieces += (text[last:tag.start(2)], start)
            last = tag.end(2)
        if pieces:
            edited[index] = b"".join(pieces) + text[last:]
    for index, text in edited.items():
        rows.text[index] = text
    return bool(edited)


def rows_document(rows: RowsApart, first: int, last: int) -> bytes:
    """Rows ``first`` to ``last`` alone as a sheet's bytes (to read a few cells, as a chart's
    cache does, without joining and parsing every row)."""
    return _chunk_document(rows.head, rows.span(first, last))


def write_apart(rows: RowsApart, frame: etree._Element, items: Sequence[tuple[int, int, Any, int | None]],
                *, sheet: str, date1904: bool, part: str) -> WriteReport:
    """Write (row, col, value, style) items into the rows apart, a chunk at a time, as
    :meth:`WorksheetEditor.write` would into the whole tree; the frame's dimension grows
    as the whole tree's would."""
    values = WorksheetEditor(frame, sheet=sheet, date1904=date1904)  # how a value is written (no cells)
    if not items:
        return WriteReport()
    numbers, cols = list(map(item_row, items)), list(map(item_column, items))
    if not (1 <= min(numbers) and max(numbers) <= 1_048_576 and 1 <= min(cols) and max(cols) <= 16_384):
        values.prepare(items)  # says which cell is outside the sheet, before anything is written
    by_chunk = _by_chunk(rows.first_rows, items, numbers)
    report = WriteReport()
    for chunk, chunk_items in by_chunk:
        edited = _write_text(rows.text[chunk], chunk_items, values)
        if edited is not None:
            rows.text[chunk], done = edited
            report.merge(done)
            continue
        root = _parse_chunk(rows.head, rows.text[chunk], part)
        editor = WorksheetEditor(root, sheet=sheet, date1904=date1904)
        done = editor.write(chunk_items)
        report.merge(done)
        rows.text[chunk] = _serialise(root)
    if report.written_range is not None:
        WorksheetEditor(frame, sheet=sheet, date1904=date1904)._extend_dimension(report.written_range)
    return report


def _by_chunk(starts: list[int], items: Sequence[tuple[int, int, Any, int | None]],
              numbers: list[int]) -> list[tuple[int, list[tuple[int, int, Any, int | None]]]]:
    """The items of each chunk (in their order), chunks in order: a chunk holds its rows and
    every new row before the next chunk's first (the first chunk, the rows above it too).
    Sorted by row, not asked per cell: a refresh writes 28 columns of 10,000 rows."""
    first, last = _chunk_of(starts, min(numbers)), _chunk_of(starts, max(numbers))
    if first == last:
        return [(first, list(items))]
    # Items in a few runs of rising rows (a column block goes down each column, a row block
    # along each row): each run is cut where chunks begin, and the pieces taken as they lie.
    falls = list(map(operator.lt, numbers[1:], numbers[:-1]))  # where a run ends
    runs, at = [0], 0
    while len(runs) <= _MAX_RUNS:
        try:
            at = falls.index(True, at) + 1
        except ValueError:
            break
        runs.append(at)
    if len(runs) <= _MAX_RUNS:
        runs.append(len(numbers))
        pieces: dict[int, list[tuple[int, int, Any, int | None]]] = {}
        for lo, hi in zip(runs, runs[1:]):
            chunk = _chunk_of(starts, numbers[lo])
            while lo < hi:
                end = hi if chunk + 1 >= len(starts) else bisect.bisect_left(numbers, starts[chunk + 1], lo, hi)
                if end > lo:
                    pieces.setdefault(chunk, []).extend(items[lo:end])
                lo, chunk = end, chunk + 1
        return sorted(pieces.items())
    order = sorted(range(len(numbers)), key=numbers.__getitem__)
    in_order = list(map(numbers.__getitem__, order))
    bounds = [0, *(bisect.bisect_left(in_order, starts[chunk]) for chunk in range(first + 1, last + 1)), len(order)]
    return [(first + k, list(map(items.__getitem__, sorted(order[lo:hi]))))
            for k, (lo, hi) in enumerate(zip(bounds, bounds[1:])) if lo < hi]


_MAX_RUNS = 256  # more runs of rising rows than this: the items are sorted by row instead


def _write_text(text: bytes, items: list[tuple[int, int, Any, int | None]],
                editor: WorksheetEditor) -> tuple[bytes, WriteReport] | None:
    """``text`` (a chunk of rows) with ``items`` written into its existing cells, and the report
    the tree path gives; None when an item is not a value for a plain cell that exists once
    in its own row, or a cell of the chunk stands in a row its reference does not name. The
    items are inside the sheet; their values are made plain here, as :meth:`WorksheetEditor.prepare`
    makes them (one pass over the items, not two).

    What can be asked of all cells at once is (in C, not per cell in Python): that each is
    numbered once and stands in its own row, that every item's cell is there and named once;
    only the cells given a value or a style are then looked at one by one."""
    refs = _CELL_REF.findall(text)
    present = set(refs)
    if len(refs) != text.count(b"<c") or len(present) != len(refs):
        return None  # a cell without its number first, a number twice, or other markup named c...
    # Where each row starts; every cell stands in the row its reference names: the row numbers
    # the cells name, in order, are each row's own number as many times as it holds cells.
    starts = [(m.group(1), m.start()) for m in _ROW_NUMBER.finditer(text)]
    expected: list[bytes] = []
    row_start: dict[int, int] = {}
    count = text.count
    for (number, start), (_, end) in zip(starts, [*starts[1:], (b"", len(text))]):
        expected += [number] * count(b"<c", start, end)
        row_start[int(number)] = start
    if b"|".join(refs).translate(None, _REF_MARKUP) != b"|".join(expected):  # the numbers the cells name
        return None  # a cell before the first row, or in a row its reference does not name
    letters = {col: b'<c r="' + column_letter(col).encode() for col in set(map(item_column, items))}
    item_refs = [letters[col] + b'%d"' % r for r, col, _, _ in items]  # <c r="B7"
    if len(set(item_refs)) != len(item_refs) or not present.issuperset(item_refs):
        return None  # a new cell, or one written twice
    edits: list[tuple[int, int, bytes]] = []
    # A cell's text after its reference depends only on its other attributes, the style and
    # the value written: worked out once per such (a computed column's cells mostly share them).
    tails: dict[tuple[bytes, int | None, type, Any], bytes | None] = {}
    looks: dict[tuple[bytes, int | None], bytes | None] = {}
    restyled: dict[tuple[bytes, int | None], bytes] = {}  # the same for a cell whose value is kept
    written = 0
    find, rest_of_tag, cell_text, plain = text.find, _CELL_START.match, editor.new_cell_text, editor.plain_value
    starts_with = text.startswith
    for ref, (r, _, value, style) in zip(item_refs, items):  # inside the sheet (see write_apart)
        if value is KEEP and style is None:
            continue
        start = find(ref, row_start[r])  # in its row: each reference is there once
        tag = rest_of_tag(text, start + len(ref))
        if tag is None:
            return None
        attributes, close = tag.groups()
        if value is KEEP:  # the value stays, the style changes: only the cell's start tag
            key = (attributes, style)
            look = restyled.get(key)
            if look is None:
                look = restyled[key] = _restyled(attributes, style)
            cell = ref + look + close + b">"
            if text[start:tag.end()] != cell:
                edits.append((start, tag.end(), cell))
            continue
        kind = type(value)
        if kind is float:
            if value != value:
                value = None  # NaN: a blank, as WorksheetEditor.prepare makes it
                kind = type(None)
        elif not (kind is str or value is None or kind is int):
            value = plain(value)
            kind = type(value)
        # Keyed by the value's type too: 1, 1.0 and True are equal keys but different cells.
        tail_key = (attributes, style, kind, value)
        tail = tails.get(tail_key, _UNSEEN)
        if tail is _UNSEEN:
            key = (attributes, style)  # the attributes after r="..."
            look = looks.get(key, _UNSEEN)
            if look is _UNSEEN:
                look = looks[key] = _look(editor, attributes, style)
            content = cell_text("", value)
            tail = tails[tail_key] = None if look is None or content is None else look + content[2:].encode()
        if tail is None:
            return None
        cell = ref + tail
        written += 1
        # The same text at the cell's start is the same cell: the new one holds one "</c>" or "/>",
        # at its end (a value the refresh before wrote too stays as it is).
        if starts_with(cell, start):
            continue
        end = tag.end()
        if not close:
            close_at = find(b"</c>", end)
            if close_at < 0 or not _VALUE_ONLY.fullmatch(text, end, close_at):
                return None
            end = close_at + 4
        edits.append((start, end, cell))
    edits.sort()
    pieces, last = [], 0
    for start, end, cell in edits:
        pieces += (text[last:start], cell)
        last = end
    pieces.append(text[last:])
    report = WriteReport(cells_written=written)
    if items:
        rows_written, cols = list(map(item_row, items)), list(map(item_column, items))
        report.written_range = CellRange(min(rows_written), min(cols), max(rows_written), max(cols))
    return b"".join(pieces), report


_UNSEEN = b"\0"  # not a look: a look not worked out yet
# A write item's row and column (items are (row, col, value, style)); xlsx_package reads rows too.
item_row, item_column = operator.itemgetter(0), operator.itemgetter(1)


def _look(editor: WorksheetEditor, attributes: bytes, style: int | None) -> bytes | None:
    """The attributes a cell holding only a value has after its reference once written with
    ``style`` (see :meth:`WorksheetEditor.cell_text`), or None when they cannot be carried."""
    cell = editor.cell_text([(n.decode(), v.decode()) for n, v in _ATTRIBUTE.findall(attributes)], None, style)
    return None if cell is None else cell[2:-2].encode()  # <c ... />


def _restyled(attributes: bytes, style: int) -> bytes:
    """A cell's attributes after its reference once given ``style`` and its value kept, as the
    tree's editor leaves them: ``s`` set in place or added last, or removed for style 0."""
    pairs = _ATTRIBUTE.findall(attributes)
    if style and not any(name == b"s" for name, _ in pairs):
        pairs.append((b"s", b""))
    return b"".join(b' %s="%s"' % (name, str(style).encode() if name == b"s" else value)
                    for name, value in pairs if name != b"s" or style)


def _across_rows(rows: bytes) -> bool:
    """Whether the rows may hold a formula that reaches across rows, or markup a split at "<row"
    could cut through (:data:`_ACROSS_ROWS`); a one-byte look first rules most out (a memchr)."""
    formulas = b"<f" in rows or b":f" in rows  # a formula's <f> (or <x:f>): where "shared" could be
    return any(mark in rows for mark in _ACROSS_ROWS
               if (formulas or mark[:1] not in b"\"'") and (mark[1:2] != b"!" or b"!" in rows)
               and (mark[1:2] != b"?" or b"?" in rows))


def _chunk_of(starts: list[int], row: int) -> int:
    """The last chunk starting at or before the row (the first for rows above it)."""
    return max(bisect.bisect_right(starts, row) - 1, 0)


def rows_head(frame: etree._Element) -> bytes:
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
    # Rows we wrote may hold text "" (<t></t>): read back as written, as the whole tree holds it.
    return parse_serialised(_chunk_document(head, chunk), part)


def _chunk_document(head: bytes, chunk: bytes) -> bytes:
    """A chunk of rows as a sheet of its own, under the sheet's root and declarations."""
    tag = _ROOT_TAG.match(head)
    assert tag is not None
    return head + b"<sheetData>" + chunk + b"</sheetData></" + tag.group(1) + b">"


# In a tag lxml writes one space before each attribute, nothing else: more spaces, one before
# "=", "/>" or ">", or after "=" (or a value in single quotes) is text it would write otherwise.
_SPACE_OUT = re.compile(rb" [ =/>]")
_AFTER_EQUALS = re.compile(rb"=[ ']")
_SPACE_IN_TAG = re.compile(rb"<[^>]*[\t\n]")
_NON_ASCII_NAME = re.compile(rb"</?[^\s/>]*[\x80-\xff]")


def _canonical(rows: bytes, head: bytes) -> bool:
    """Whether the rows' text (well-formed: checked apart) is already what parsing it under the
    sheet's root (:func:`_parse_chunk`) and serialising it (:func:`_serialise`) gives back, byte
    for byte, so that pass can be skipped; False (make the pass) when unsure.

    lxml writes a ">" in text or a value as "&gt;" (seen as more ">" than "<": a "<" only
    starts a tag), resolves every reference but ``&amp;``, ``&lt;`` and ``&gt;`` (and writes
    these back), puts a row's namespace declarations before its attributes, normalises a tab,
    newline or carriage return in a tag, and writes an empty element ``<a></a>`` as ``<a/>``
    unless its name is ASCII (:func:`~.xmlutil.parse_serialised` keeps those). Single bytes
    are looked for first (``in`` on one byte is a memchr). The well-formedness check that
    stands in for the parse does not look at namespaces: each prefixed name must be one
    the parse would take (:func:`_prefixes_declared`)."""
    if b"\r" in rows or rows.count(b"<") != rows.count(b">"):
        return False
    if b"&" in rows and rows.count(b"&") != rows.count(b"&amp;") + rows.count(b"&lt;") + rows.count(b"&gt;"):
        return False
    if _SPACE_OUT.search(rows) or _AFTER_EQUALS.search(rows) or b"xmlns" in rows:
        return False
    if (b"\t" in rows or b"\n" in rows) and _SPACE_IN_TAG.search(rows):
        return False  # a tab or newline in a tag (in text they are kept as they are)
    if not (rows.isascii() or not _NON_ASCII_NAME.search(rows)):
        return False
    return b":" not in rows or _prefixes_declared(rows, head)


_COLON = re.compile(rb":")
_PREFIXED = re.compile(rb"([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*(?=[ =/>])")
_DECLARED = re.compile(rb' xmlns:([A-Za-z_][\w.-]*)="[^"]')


def _prefixes_declared(rows: bytes, head: bytes) -> bool:
    """Whether every colon in a tag's names (not in its values) joins a prefix the sheet's root
    declares (or ``xml``) to a local name: what parsing with namespaces takes and the check
    without a tree does not look at (``<x:b>``, ``<a:>``). Rows not ASCII are not asked."""
    declared = {b"xml", *_DECLARED.findall(head[:head.find(b">")])}
    for colon in _COLON.finditer(rows):
        at = colon.start()
        opened = rows.rfind(b"<", 0, at)
        if rows.rfind(b">", 0, at) > opened or rows.count(b'"', opened, at) % 2:
            continue  # in text, or in a value
        start = max(rows.rfind(b" ", opened, at), rows.rfind(b"/", opened, at), opened) + 1
        name = _PREFIXED.match(rows, start)
        if name is None or name.end(1) != at or name.group(1) not in declared:
            return False
    return True


def _serialise(root: etree._Element) -> bytes:
    whole = _utf8(root)
    start = whole.index(b"<sheetData")
    if whole.startswith(EMPTY_ROWS, start):
        return b""
    return whole[start + len(b"<sheetData>"):whole.rindex(b"</sheetData>")]


def _utf8(root: etree._Element) -> bytes:
    """As :func:`~.xmlutil.serialize_xml` writes a part's elements: UTF-8, characters as they are."""
    return etree.tostring(root, encoding="UTF-8", xml_declaration=False)
