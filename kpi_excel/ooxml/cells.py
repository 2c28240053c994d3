"""Writing cells of a worksheet part (reading is :mod:`.sheet_values`).

:class:`WorksheetEditor` edits the parsed worksheet tree in place: it finds or
inserts ``<row>``/``<c>`` in sorted order, writes numbers, booleans and text
(always as inline strings, so ``"=SUM(A1)"`` stays text), keeps each cell's
style unless told otherwise, and removes formulas it overwrites, reporting
them. Nothing else in the sheet is touched.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml.refs import CellRange, cell_ref, column_index, column_letter, parse_cell, parse_range
from kpi_excel.ooxml.sheet_values import ErrorValue
from kpi_excel.ooxml.xmlutil import WORKSHEET_ORDER, escape_xstring, insert_in_order, int_attr, main, xml_text

__all__ = [
    "KEEP",
    "WriteReport",
    "WorksheetEditor",
    "to_excel_serial",
]

_C = main("c")
_V = main("v")
_F = main("f")
_IS = main("is")
_T = main("t")
_ROW = main("row")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_MAIN_NS = _C[1:_C.index("}")]
_NEW_ROW = etree.Element(_ROW)  # what a row made by the editor looks like before its cells
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that make a text need escaping, keeping spaces or the slow path (see _content).
_UNPLAIN = re.compile("[_&<>\r\n\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Cells rewritten per parse (see WorksheetEditor._overwrite_cells).
_SWAP_CHUNK = 4096
# Attribute values written back as they are (no escaping needed): a cell's r, s, t, cm, vm, ph.
_PLAIN_ATTR = re.compile(r"[A-Za-z0-9$:._-]*")
# How a new cell whose text is "" ends: a parser reads it back as no text (see _build_cells).
_EMPTY_ENDS = ("<t></t></is></c>", "<v></v></c>")


def to_excel_serial(value: dt.date | dt.datetime | dt.time, date1904: bool = False) -> float:
    """Excel's day number for a date/time (1900 or 1904 date system)."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        delta = value - base
        serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    else:
        base_d = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
        serial = float((value - base_d).days)
    if not date1904 and serial < 61:
        serial -= 1  # Excel's phantom 29 Feb 1900 shifts only dates before March 1900
    return serial


def _format_number(value: float | int) -> str:
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


@dataclass
class WriteReport:
    """What a cell write did beyond writing values.

    ``formulas_removed`` lists cells (A1) whose formula was replaced by a value
    (including array formulas removed because a written cell lay in their
    range); ``tables_resized`` names tables whose range grew to take appended
    rows; ``table_headers_renamed`` names tables whose column names followed a
    written header cell.
    """

    cells_written: int = 0
    formulas_removed: list[str] = field(default_factory=list)
    tables_resized: list[str] = field(default_factory=list)
    table_headers_renamed: list[str] = field(default_factory=list)
    written_range: CellRange | None = None

    def merge(self, other: WriteReport) -> None:
        """Fold another report into this one."""
        self.cells_written += other.cells_written
        self.formulas_removed += other.formulas_removed
        self.tables_resized += other.tables_resized
        self.table_headers_renamed += other.table_headers_renamed
        if other.written_range is not None:
            self.written_range = (
                other.written_range if self.written_range is None else self.written_range.union(other.written_range)
            )


class _Keep:
    """Sentinel: leave this cell's value as it is (used inside column blocks)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def _place_cell(row: etree._Element, cells: dict[int, etree._Element], keys: list[int], col: int,
                c: etree._Element) -> None:
    """Put a cell not yet in ``row`` before the first cell of a later column, and index it."""
    pos = bisect.bisect_left(keys, col)
    if pos < len(keys):
        cells[keys[pos]].addprevious(c)
    elif keys:
        cells[keys[-1]].addnext(c)
    else:
        row.insert(0, c)  # before a row-level extLst, if any
    keys.insert(pos, col)
    cells[col] = c


class WorksheetEditor:
    """In-place editor of one worksheet's parsed XML."""

    def __init__(self, root: etree._Element, *, sheet: str, date1904: bool = False) -> None:
        self.root = root
        self.sheet = sheet
        self.date1904 = date1904
        data = root.find(main("sheetData"))
        if data is None:
            data = insert_in_order(root, etree.Element(main("sheetData")), WORKSHEET_ORDER)
        self.sheet_data = data
        self._rows: dict[int, etree._Element] | None = None
        self._row_keys: list[int] = []
        self._cells: dict[int, dict[int, etree._Element]] = {}
        self._cell_keys: dict[int, list[int]] = {}
        self._col_styles: list[tuple[int, int, int]] | None = None
        self._new_row_styles: dict[int, int] = {}

    # ---- indexes ---------------------------------------------------------------

    def _index_rows(self) -> dict[int, etree._Element]:
        if self._rows is None:
            rows: dict[int, etree._Element] = {}
            last = 0
            for row in self.sheet_data.iterchildren(_ROW):
                r = row.get("r")
                if r is None:
                    r = str(last + 1)
                    row.set("r", r)  # make the implied number explicit before inserting around it
                last = int_attr(row, "r")
                rows[last] = row
            self._rows = rows
            self._row_keys = sorted(rows)
        return self._rows

    def _row(self, r: int, create: bool) -> etree._Element | None:
        rows = self._index_rows()
        row = rows.get(r)
        if row is not None or not create:
            return row
        row = etree.Element(_ROW)
        row.set("r", str(r))
        self._place_row(r, row)
        return row

    def _place_row(self, r: int, row: etree._Element) -> None:
        """Put a row not yet in sheetData before the first row numbered above it, and index it."""
        rows = self._index_rows()
        pos = bisect.bisect_left(self._row_keys, r)
        if pos < len(self._row_keys):
            rows[self._row_keys[pos]].addprevious(row)
        elif self._row_keys:
            rows[self._row_keys[-1]].addnext(row)
        else:
            self.sheet_data.append(row)
        # addnext/addprevious move tails; sheetData rows carry no meaningful text.
        self._row_keys.insert(pos, r)
        rows[r] = row

    def _row_cells(self, r: int, row: etree._Element) -> dict[int, etree._Element]:
        cells = self._cells.get(r)
        if cells is None:
            cells = {}
            last = 0
            digits = str(r)
            cut = -len(digits)
            for c in row.iterchildren(_C):
                ref = c.get("r")
                if ref is None:
                    col = last + 1
                    c.set("r", cell_ref(r, col))
                else:  # "AB12" in row 12: its letters, without a regex per cell
                    col = _COLUMNS[ref[:cut]] if ref.endswith(digits) else 0
                    if not col:
                        col = parse_cell(ref)[1]
                cells[col] = c
                last = col
            self._cells[r] = cells
            self._cell_keys[r] = sorted(cells)
        return cells

    def cell(self, r: int, col: int, create: bool = True) -> etree._Element | None:
        """The ``<c>`` element at (r, col), inserted in order if ``create``."""
        row = self._row(r, create)
        if row is None:
            return None
        cells = self._row_cells(r, row)
        c = cells.get(col)
        if c is not None or not create:
            return c
        c = etree.Element(_C)
        c.set("r", cell_ref(r, col))
        inherited = self._default_style(row, col)
        if inherited:
            c.set("s", str(inherited))
        _place_cell(row, cells, self._cell_keys[r], col, c)
        self._widen_spans(row, col)
        return c

    def _default_style(self, row: etree._Element, col: int) -> int:
        """Style Excel gives a new cell: the row's if it has one, else the column's."""
        if row.get("customFormat") in ("1", "true") and row.get("s"):
            return int_attr(row, "s")
        if self._col_styles is None:
            self._col_styles = []
            cols = self.root.find(main("cols"))
            if cols is not None:
                for el in cols.iterchildren(main("col")):
                    if el.get("style"):
                        self._col_styles.append((int_attr(el, "min"), int_attr(el, "max"), int_attr(el, "style")))
        for lo, hi, style in self._col_styles:
            if lo <= col <= hi:
                return style
        return 0

    @staticmethod
    def _widen_spans(row: etree._Element, col: int) -> None:
        spans = row.get("spans")
        if not spans:
            return
        try:
            bounds = [int(x) for part in spans.split() for x in part.split(":")]
        except ValueError:
            del row.attrib["spans"]
            return
        lo, hi = min(bounds), max(bounds)
        if not lo <= col <= hi:
            row.set("spans", f"{min(lo, col)}:{max(hi, col)}")

    # ---- formulas --------------------------------------------------------------

    def _array_ranges(self) -> list[tuple[CellRange, etree._Element]]:
        found = []
        for f in self.sheet_data.iter(_F):
            if f.get("t") in ("array", "dataTable") and f.get("ref"):
                rng = parse_range(f.get("ref", ""))
                if rng.rows * rng.cols > 1:
                    found.append((rng, f))
        return found

    def _promote_shared(self, si: str, written: set[tuple[int, int]], master_ref: str, text: str) -> None:
        """Give a shared formula a new master when its old master was overwritten."""
        from openpyxl.formula.translate import Translator

        dependents = []
        for f in self.sheet_data.iter(_F):
            if f.get("t") == "shared" and f.get("si") == si and not f.get("ref"):
                c = f.getparent()
                r, col = parse_cell(c.get("r", ""))
                if (r, col) not in written:
                    dependents.append((r, col, f))
        if not dependents:
            return
        r, col, f = dependents[0]
        box = CellRange(min(d[0] for d in dependents), min(d[1] for d in dependents),
                        max(d[0] for d in dependents), max(d[1] for d in dependents))
        f.text = Translator("=" + text, origin=master_ref).translate_formula(cell_ref(r, col))[1:]
        f.set("ref", box.ref)

    # ---- writing ---------------------------------------------------------------

    def _content(self, value: Any) -> tuple[str | None, str, str, bool]:
        """How a value is stored: (``t`` attribute, child ``v``/``is``/none, its text, keep spaces).

        Raises :class:`OoxmlValueError` for what a cell cannot hold."""
        kind = type(value)
        if kind is float:  # the usual cells first: exact types skip the checks below
            if not math.isfinite(value):
                raise OoxmlValueError(f"cannot write {value!r} to a cell", sheet=self.sheet)
            return None, "v", _format_number(value), False
        if kind is str:
            return "inlineStr", "is", escape_xstring(value), value != value.strip() or "\n" in value
        if kind is int:
            return None, "v", str(value), False
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return "b", "v", "1" if value else "0", False
        if isinstance(value, ErrorValue):
            return "e", "v", str(value), False
        if isinstance(value, str):
            return "inlineStr", "is", escape_xstring(value), value != value.strip() or "\n" in value
        if isinstance(value, (dt.date, dt.datetime, dt.time)):
            return None, "v", _format_number(to_excel_serial(value, self.date1904)), False
        if isinstance(value, numbers.Real):
            number = int(value) if isinstance(value, numbers.Integral) else float(value)
            if isinstance(number, float) and not math.isfinite(number):
                raise OoxmlValueError(f"cannot write {value!r} to a cell", sheet=self.sheet)
            return None, "v", _format_number(number), False
        raise OoxmlValueError(f"cannot write a {type(value).__name__} to a cell", sheet=self.sheet)

    def _put(self, c: etree._Element, value: Any, style: int | None) -> etree._Element | None:
        """Write one value into ``c``; returns the removed ``<f>`` element, if any."""
        content = self._content(value) if value is not None else None
        removed_f = None
        for child in list(c):
            tag = child.tag
            if tag == _F:
                removed_f = child
                c.remove(child)
            elif tag in (_V, _IS):
                c.remove(child)
        for attr in ("t", "cm", "vm"):
            if attr in c.attrib:
                del c.attrib[attr]
        if style is not None:
            if style:
                c.set("s", str(style))
            elif "s" in c.attrib:
                del c.attrib["s"]
        if content is None:
            return removed_f
        kind, child, text, preserve = content
        if kind:
            c.set("t", kind)
        if child == "is":
            v = etree.Element(_IS)
            t = etree.SubElement(v, _T)
            t.text = text
            if preserve:
                t.set(_XML_SPACE, "preserve")
        else:
            v = etree.Element(_V)
            v.text = text
        c.insert(0, v)
        return removed_f

    def write(self, items: Iterable[tuple[int, int, Any, int | None]]) -> WriteReport:
        """Write (row, col, value, style) items; ``style`` None keeps the cell's style.

        ``value`` None clears the value and keeps the cell (and its style); a
        float NaN (pandas' missing value) counts as None; :data:`KEEP` skips
        the value but still applies a given style.
        """
        report = WriteReport()
        batch = self.prepare(items)
        if not batch:
            return report
        written = {(r, col) for r, col, _, _ in batch}
        arrays = self._array_ranges()
        for rng, f in arrays:
            if any(rng.contains(r, col) for r, col in written):
                owner = f.getparent()
                report.formulas_removed.append(owner.get("r", ""))
                owner.remove(f)
                for attr in ("cm",):
                    owner.attrib.pop(attr, None)
        shared_masters: list[tuple[str, str, str]] = []
        one_by_one = self._overwrite_cells(self._add_new_cells(batch, report), report)
        for r, col, value, style in one_by_one:
            c = self.cell(r, col, create=True)
            assert c is not None
            if value is KEEP:
                _restyle(c, style)
                continue
            removed = self._put(c, value, style)
            if removed is not None:
                report.formulas_removed.append(cell_ref(r, col))
                if removed.get("t") == "shared" and removed.get("ref") and removed.get("si") is not None:
                    shared_masters.append((removed.get("si", ""), cell_ref(r, col), removed.text or ""))
            report.cells_written += 1
        for si, ref, text in shared_masters:
            self._promote_shared(si, written, ref, text)
        rows = [r for r, _ in written]
        cols = [c for _, c in written]
        report.written_range = CellRange(min(rows), min(cols), max(rows), max(cols))
        self._extend_dimension(report.written_range)
        return report

    def prepare(self, items: Iterable[tuple[int, int, Any, int | None]]) -> list[tuple[int, int, Any, int | None]]:
        """The items as :meth:`write` takes them: each inside the sheet, a missing value as None."""
        batch = []
        for item in items:
            r, col, value, style = item
            if not (1 <= r <= 1_048_576 and 1 <= col <= 16_384):
                raise OoxmlValueError(f"cell ({r}, {col}) is outside the sheet", sheet=self.sheet, row=r, column=col)
            kind = type(value)
            if not (kind is str or value is None or kind is int or value is KEEP):  # the usual values: as they are
                value = self.plain_value(value)
                item = (r, col, value, style)
            batch.append(item if type(item) is tuple else (r, col, value, style))
        return batch

    @staticmethod
    def plain_value(value: Any) -> Any:
        """A value as it is written: a missing one (NaN, pandas.NA, NaT) as None, a blank."""
        if type(value) is float:
            return None if value != value else value
        if value is not None and value is not KEEP and not isinstance(value, (str, bool)) and _is_missing(value):
            return None
        return value

    # ---- many new cells at once -----------------------------------------------

    def _add_new_cells(self, batch: list[tuple[int, int, Any, int | None]],
                       report: WriteReport) -> list[tuple[int, int, Any, int | None]]:
        """Create every cell of ``batch`` that does not exist yet and is written once, from
        one parse of their XML (building elements one by one from Python costs several
        times more). Returns the other items, in order, to be written one at a time.

        The tree comes out as :meth:`cell` and :meth:`_put` would leave it, element for
        element: rows and cells in order, the inherited style, spans widened once.
        """
        rows = self._index_rows()
        by_row: dict[int, list[int]] = {}
        for k, item in enumerate(batch):
            by_row.setdefault(item[0], []).append(k)
        later: list[int] = []
        new: dict[int, list[int]] = {}
        for r, ks in by_row.items():
            if len({batch[k][1] for k in ks}) != len(ks):
                later.extend(ks)  # a cell written twice: in order, one at a time
                continue
            row = rows.get(r)
            present = self._row_cells(r, row) if row is not None else {}
            fresh = [k for k in ks if batch[k][1] not in present]
            if len(fresh) != len(ks):
                later.extend(k for k in ks if batch[k][1] in present)
            if fresh:
                new[r] = sorted(fresh, key=lambda k: batch[k][1])
        if new:
            later.extend(self._build_cells(batch, new, report))
        return [batch[k] for k in sorted(later)]

    def _overwrite_cells(self, items: list[tuple[int, int, Any, int | None]],
                         report: WriteReport) -> list[tuple[int, int, Any, int | None]]:
        """Write every item whose cell exists, is written once and holds only a value: the
        new cells are made from one parse of their XML and swapped in (a refresh rewrites
        its computed columns in every row; editing them one element at a time costs ~10x).
        Returns the other items, in order, for the one-at-a-time path.

        Each new ``<c>`` is what :meth:`_put` would leave: the cell's attributes in their
        order without ``t``/``cm``/``vm``, ``s`` set in place or added (or removed for 0),
        ``t`` last, then the value.
        """
        seen: set[tuple[int, int]] = set()
        repeated: set[tuple[int, int]] = set()
        for r, col, _, _ in items:
            key = (r, col)
            if key in seen:
                repeated.add(key)
            seen.add(key)
        left: list[tuple[int, int, Any, int | None]] = []
        swaps: list[tuple[etree._Element, dict[int, etree._Element], int]] = []
        empty_texts: list[int] = []  # positions of swaps whose text "" is written as <t></t>
        parts = [f'<sheetData xmlns="{_MAIN_NS}">']
        for item in items:
            if len(swaps) == _SWAP_CHUNK:  # old and new cells are both alive until swapped: a few at a time
                self._swap(parts, swaps, empty_texts)
            r, col, value, style = item
            cells = self._cells.get(r)
            c = cells.get(col) if cells is not None and (r, col) not in repeated else None
            if c is None:
                left.append(item)
                continue
            assert cells is not None
            if value is KEEP:
                _restyle(c, style)
                continue
            text = self._cell_xml(c, value, style)
            if text is None:
                left.append(item)
                continue
            if text.endswith("<t></t></is></c>") or text.endswith('<t xml:space="preserve"></t></is></c>'):
                empty_texts.append(len(swaps))
            parts.append(text)
            swaps.append((c, cells, col))
            report.cells_written += 1
        self._swap(parts, swaps, empty_texts)
        return left

    @staticmethod
    def _swap(parts: list[str], swaps: list[tuple[etree._Element, dict[int, etree._Element], int]],
              empty_texts: list[int]) -> None:
        """Parse the cells in ``parts`` and put each in the place of its old cell; empties the lists."""
        if swaps:
            parts.append("</sheetData>")
            made = list(etree.fromstring("".join(parts)))
            for i in empty_texts:
                made[i][0][0].text = ""  # the parser reads <t></t> as no text; _put wrote ""
            for (old, cells, col), new in zip(swaps, made):
                new.tail = old.tail
                old.getparent().replace(old, new)
                cells[col] = new
        del parts[1:], swaps[:], empty_texts[:]

    def _cell_xml(self, c: etree._Element, value: Any, style: int | None) -> str | None:
        """The XML of ``c`` with ``value`` written as :meth:`_put` writes it; None when the
        cell holds more than a value (a formula, text between children, an extension) or
        an attribute this text could not carry as it is."""
        if c.text is not None:
            return None
        for child in c:
            if (child.tag != _V and child.tag != _IS) or child.tail is not None:
                return None
        return self.cell_text(c.attrib.items(), value, style)

    def cell_text(self, attributes: Iterable[tuple[str, str]], value: Any, style: int | None) -> str | None:
        """The XML of a cell that holds only a value, whose attributes are ``attributes`` (in
        order), once :meth:`_put` has written ``value`` into it; None when an attribute or the
        text could not be carried as it is. With plain attributes it is also the text lxml
        serialises for that cell (rows held apart are edited as text: :mod:`.sheet_rows`)."""
        attrs = []
        has_s = False
        for name, old in attributes:
            if name in ("t", "cm", "vm"):
                continue
            if name == "s" and style is not None:
                has_s = True
                if not style:
                    continue
                old = str(style)
            if name[0] == "{" or not _PLAIN_ATTR.fullmatch(old):
                return None
            attrs.append(f' {name}="{old}"')
        if style and not has_s:
            attrs.append(f' s="{style}"')
        if value is None:
            return f"<c{''.join(attrs)}/>"
        kind, child, text, preserve = self._content(value)
        if _SURROGATE.search(text):
            return None
        if kind:
            attrs.append(f' t="{kind}"')
        body = xml_text(text)
        if child == "is":
            space = ' xml:space="preserve"' if preserve else ""
            return f"<c{''.join(attrs)}><is><t{space}>{body}</t></is></c>"
        return f"<c{''.join(attrs)}><v>{body}</v></c>"

    def new_cell_text(self, attrs: str, value: Any) -> str | None:
        """The XML of a new cell with attributes ``attrs`` (its r and s) once :meth:`_put` has
        written ``value`` into it (None, :data:`KEEP`: no value), as lxml serialises that cell;
        None when text XML cannot carry it as it is (a lone surrogate)."""
        if type(value) is float and math.isfinite(value):  # the usual cell: a number needs no escaping
            text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
            return f"<c{attrs}><v>{text}</v></c>"
        if type(value) is int:  # digits: nothing to escape
            return f"<c{attrs}><v>{value}</v></c>"
        if type(value) is str and value and value == value.strip() and not _UNPLAIN.search(value):
            return f'<c{attrs} t="inlineStr"><is><t>{value}</t></is></c>'  # nothing to escape
        if value is None or value is KEEP:
            return f"<c{attrs}/>"
        kind, child, text, preserve = self._content(value)
        if _SURROGATE.search(text):
            return None
        body = xml_text(text)
        if child == "is":
            space = ' xml:space="preserve"' if preserve else ""
            body = f"<is><t{space}>{body}</t></is>"
        else:
            body = f"<v>{body}</v>"
        return f'<c{attrs} t="{kind}">{body}</c>' if kind else f"<c{attrs}>{body}</c>"

    def _build_cells(self, batch: list[tuple[int, int, Any, int | None]], new: dict[int, list[int]],
                     report: WriteReport) -> list[int]:
        """Parse the new cells of each row and put them in place; returns the items of rows
        whose text XML cannot carry as it is (lone surrogates), for the one-at-a-time path."""
        rows = self._rows
        assert rows is not None
        parts = [f'<sheetData xmlns="{_MAIN_NS}">']
        empty_texts: list[tuple[int, int]] = []  # (row, position): text "" is written as <t></t>
        built: list[int] = []
        left: list[int] = []
        letters: dict[int, str] = {}
        looks: dict[int | None, str] = {}  # style id -> its attribute text
        for r in sorted(new):
            row = rows.get(r)
            row_look = self._row_style(row)
            start = len(parts)
            parts.append(f'<row r="{r}">')
            written = 0
            for position, k in enumerate(new[r]):
                _, col, value, style = batch[k]
                letter = letters.get(col)
                if letter is None:
                    letter = letters[col] = column_letter(col)
                look = style if style is not None else row_look if row_look is not None else \
                    self._inherited_style(None, col)
                s_attr = looks.get(look)
                if s_attr is None:
                    s_attr = looks[look] = f' s="{look}"' if look else ""
                attrs = f' r="{letter}{r}"{s_attr}'
                xml = self.new_cell_text(attrs, value)
                if xml is None:
                    break
                if xml.endswith(_EMPTY_ENDS):
                    empty_texts.append((r, position))
                parts.append(xml)
                written += value is not KEEP
            else:
                parts.append("</row>")
                built.append(r)
                report.cells_written += written
                continue
            del parts[start:]
            left.extend(new[r])
        parts.append("</sheetData>")
        parsed = {int(el.get("r")): el for el in etree.fromstring("".join(parts))}
        for r, position in empty_texts:
            if r in parsed:
                child = parsed[r][position][0]
                (child[0] if child.tag == _IS else child).text = ""
        for r in built:
            cols = [batch[k][1] for k in new[r]]
            if r in rows:
                self._insert_cells(r, rows[r], list(parsed[r]), cols)
            else:
                self._insert_row(r, parsed[r], cols)
        return left

    def _insert_row(self, r: int, row: etree._Element, cols: list[int]) -> None:
        """Put a new row in its place, as :meth:`_row` would, and index its cells."""
        self._place_row(r, row)
        self._cells[r] = dict(zip(cols, row))
        self._cell_keys[r] = list(cols)

    def _insert_cells(self, r: int, row: etree._Element, new: list[etree._Element], cols: list[int]) -> None:
        """Put new cells (``cols``, in order) into an existing row, as :meth:`cell` would."""
        cells = self._row_cells(r, row)
        keys = self._cell_keys[r]
        for c, col in zip(new, cols):
            _place_cell(row, cells, keys, col, c)
        self._widen_spans(row, min(cols))
        self._widen_spans(row, max(cols))

    @staticmethod
    def _row_style(row: etree._Element | None) -> int | None:
        """The style a row gives its new cells (see :meth:`_default_style`); None: the column's."""
        if row is not None and row.get("customFormat") in ("1", "true") and row.get("s"):
            return int_attr(row, "s")
        return None

    def _inherited_style(self, row: etree._Element | None, col: int) -> int:
        """The style a new cell takes (see :meth:`_default_style`); ``row`` None: a new row."""
        if row is None:  # a new row's cells take the column's style: the same for every new row
            style = self._new_row_styles.get(col)
            if style is None:
                style = self._new_row_styles[col] = self._default_style(_NEW_ROW, col)
            return style
        return self._default_style(row, col)

    def _extend_dimension(self, rng: CellRange) -> None:
        dim = self.root.find(main("dimension"))
        if dim is None:
            dim = insert_in_order(self.root, etree.Element(main("dimension")), WORKSHEET_ORDER)
            dim.set("ref", rng.ref)
            return
        try:
            current = parse_range(dim.get("ref", ""))
        except OoxmlValueError:
            current = rng
        if current.ref == "A1" and self._is_empty_except(rng):
            new = rng
        else:
            new = current.union(rng)
        if new.ref != dim.get("ref"):
            dim.set("ref", new.ref)

    def _is_empty_except(self, rng: CellRange) -> bool:
        # Excel writes dimension "A1" for an empty sheet; do not let it stretch our range.
        for row in self.sheet_data.iterchildren(_ROW):
            for c in row.iterchildren(_C):
                if c.get("r") == "A1" and not rng.contains(1, 1) and len(c):
                    return False
        return True


class _ColumnsByLetters(dict):
    """'AB' -> 28 for the letters of a column Excel can have, made on first use; '' (or
    anything else) -> 0, for the caller's fallback."""

    def __missing__(self, letters: str) -> int:
        if not (0 < len(letters) <= 3 and letters.isascii() and letters.isalpha() and letters.isupper()):
            return 0
        col = column_index(letters)
        self[letters] = col
        return col


_COLUMNS = _ColumnsByLetters()


def _is_missing(value: Any) -> bool:
    """pandas.NA / NaT / numpy NaN without importing pandas."""
    try:
        return bool(value != value) or type(value).__name__ in ("NAType", "NaTType")
    except (TypeError, ValueError):
        return type(value).__name__ in ("NAType", "NaTType")


def _restyle(cell: etree._Element, style: Any) -> None:
    """A KEEP write: the value stays; ``style`` None leaves the look, 0 drops it, else sets it."""
    if style is not None:
        if style:
            cell.set("s", str(style))
        else:
            cell.attrib.pop("s", None)
