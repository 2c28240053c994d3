"""Reading a worksheet part: the cells that are there, in memory that follows them.

A sheet's cells are kept sparse, in four parallel arrays ordered by (row,
column): a key ``row << 14 | column - 1``, the value, the style id and, for
formulas, a dict entry. A sheet holding A1 and XFD1048576 costs two entries,
not the 17 billion of its rectangle; a cell costs about 20 bytes plus its
value. :meth:`SheetValues.grid` hands the core its row-major block (rows from
the first one with a cell, each only as long as its last cell) and refuses a
block that would be absurdly large.

Reading streams: Excel's canonical cell form (``<c r="B2" s="1" t="s"><v>4</v></c>``)
is read straight from the part's bytes, a megabyte at a time: a chunk whose
cells are all plain numbers or shared strings in numpy, with no Python per cell
(a million-row Data sheet), any other chunk by one compiled pattern and a loop,
about four times faster than any XML parser callable from Python. The fast
path runs only when the sheet data has no CDATA, comments or prefixes and it
accounts for *every* ``<c`` element; otherwise lxml's ``iterparse`` reads the
sheet. Tests check the three give equal results.

Limits (:class:`SheetLimits`) are checked as early as they can be: the part's
size before it is inflated, the number of cells before they are read, the
grid before it is built. Each refusal is one line naming the sheet and the
limit. References outside Excel's grid, malformed numbers and character
references XML does not allow are refused naming the cell.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from lxml import etree

from kpi_excel.ooxml.cell_content import EXCEL_CELL_LIMIT, Uncalculated
from kpi_excel.ooxml.errors import CorruptPackageError, UnsafePackageError
from kpi_excel.ooxml.refs import MAX_COL, MAX_ROW, CellRange, cell_ref, column_index, column_letter
from kpi_excel.ooxml.xmlutil import check_no_dtd, main, unescape_xstring

__all__ = [
    "ErrorValue",
    "SheetLimits",
    "KPI_SHEET_LIMITS",
    "WEB_SHEET_LIMITS",
    "MAX_SHARED_STRINGS_BYTES",
    "too_many_cells",
    "SheetValues",
    "SheetRows",
    "Grid",
    "UNCALCULATED",
    "from_excel_serial",
    "parse_shared_strings",
    "read_sheet_values",
    "element_value",
]

_C = main("c")
_V = main("v")
_F = main("f")
_IS = main("is")
_T = main("t")
_ROW = main("row")
_SI = main("si")
_RPH = main("rPh")

# A cell's key: row in the high bits, 0-based column in the low 14 (16,384 columns).
_COL_BITS = 14
_COL_MASK = (1 << _COL_BITS) - 1
_EMPTY_ROW: tuple[()] = ()

# A formula cell whose result was never saved (written by a tool that does not calculate).
UNCALCULATED = Uncalculated()


@dataclass(frozen=True)
class SheetLimits:
    """How much of one sheet kpi_excel reads before refusing it, in one line.

    The defaults follow Excel's grid: a Data sheet may use every one of its
    1,048,576 rows. What bounds the cost is what is really in the file, each
    counted before the work it would cost is done:

    * ``max_part_bytes`` (512 MB): the sheet's XML, uncompressed, checked from
      the zip's directory before it is inflated (the zip guard also checks the
      size and a 200:1 ratio while inflating). Every row of Excel's grid in the
      eight columns a Data sheet can use is ~400 MB as Excel writes it;
    * ``max_cells`` (8,388,608 = 1,048,576 rows x 8 columns): cells present
      (``<c>`` elements, blank styled ones included), counted in the bytes
      before any is read. A cell costs ~50 bytes held, so a sheet at the limit
      is held in well under a gigabyte, and 512 MB of XML can never make more;
    * ``max_grid`` (16,777,216 = 1,048,576 rows x 16 columns): the row-major
      block handed to the report, every row from the first to the last, each as
      wide as its last cell (a stray value in XFD1048576 costs one row of
      16,384; one in column XFD of every row is refused).

    Rows and columns are bounded by Excel's own grid (1,048,576 x 16,384): a
    reference outside it is a corrupt file. The KPIs sheet, which is also
    parsed whole to be edited, has lower limits (:data:`KPI_SHEET_LIMITS`), and
    so do the sheets the web add-in sends as JSON (:data:`WEB_SHEET_LIMITS`).
    """

    max_part_bytes: int = 512 << 20
    max_cells: int = MAX_ROW * 8
    max_grid: int = MAX_ROW * 16


# The KPIs sheet is also parsed whole to be edited (lxml keeps ~0.5 KB a cell), so
# it has lower limits than sheets that are only read: 500,000 cells is 10,000
# indicators of 50 columns, in well under 64 MB of XML. The web door counts the
# same limits in the JSON Excel sends (kpi_excel.addin.server.sheet_sizes).
KPI_SHEET_LIMITS = SheetLimits(max_part_bytes=64 << 20, max_cells=500_000, max_grid=10_000_000)

# A sheet the web add-in sends arrives as JSON, already a Python object per cell (~100 bytes
# each) inside a request the server caps at 20 MB by default: a million cells is its bound.
WEB_SHEET_LIMITS = SheetLimits(max_part_bytes=128 << 20, max_cells=1_000_000, max_grid=10_000_000)

# The shared strings are parsed into a list of texts (~3x their XML held): read up to this.
MAX_SHARED_STRINGS_BYTES = 128 << 20


def too_many_cells(sheet: str, count: int, limit: int) -> UnsafePackageError:
    """The one-line refusal of a sheet with more cells than kpi_excel reads (every door says it alike)."""
    return UnsafePackageError(f"sheet '{sheet}' has {count:,} cells, more than the {limit:,} kpi_excel reads from "
                              "one sheet")


class ErrorValue(str):
    """A cell error such as ``#N/A`` or ``#DIV/0!``; a ``str`` so it prints as Excel shows it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ErrorValue({str.__repr__(self)})"


class _BadCell(ValueError):
    """A cell whose content cannot be read (raised inside the readers, reported with its place)."""


class Grid(NamedTuple):
    """A sheet row-major, as the report reads it: ``values[i]`` is sheet row ``top + i``
    from column A; rows are as long as their last cell (an empty row is ``()``)."""

    top: int
    values: list[Sequence[Any]]
    formats: list[Sequence[str | None]] | None


def from_excel_serial(serial: float, date1904: bool = False) -> dt.datetime | float:
    """The datetime of an Excel day number; numbers outside Excel's dates (before 1900, after
    9999) are left as numbers rather than overflowing."""
    if not 0 <= serial < 2_958_466:
        return serial
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    return base + dt.timedelta(days=float(serial))


class SheetValues:
    """The cells present in one sheet, sparse, in (row, column) order.

    Values are ``int``/``float`` (numbers and dates alike: see :meth:`is_date`),
    ``str``, ``bool``, :class:`ErrorValue`, or :data:`UNCALCULATED` for a
    formula never calculated; a blank styled cell holds ``None``. ``formulas``
    maps (row, col) to formula text (without ``=``; empty for cells sharing
    another cell's formula); ``number_formats`` maps every style id present to
    its number format code, so a caller can tell that 0.776 shows as ``0.0%``.
    """

    __slots__ = ("sheet", "_keys", "_values", "_styles", "formulas", "number_formats", "date_styles", "_cols")

    def __init__(self, sheet: str, keys: array, values: list[Any], styles: array,
                 formulas: dict[tuple[int, int], str], number_formats: dict[int, str],
                 date_styles: frozenset[int] = frozenset()) -> None:
        self.sheet = sheet
        self._keys = keys
        self._values = values
        self._styles = styles
        self.formulas = formulas
        self.number_formats = number_formats
        self.date_styles = date_styles
        self._cols: tuple[int, int] | None = None

    # ---- shape -----------------------------------------------------------------------

    @property
    def cell_count(self) -> int:
        """How many cells the sheet has (blank styled cells included)."""
        return len(self._keys)

    @property
    def first_row(self) -> int:
        """Row of the first cell (1 for an empty sheet)."""
        return self._keys[0] >> _COL_BITS if self._keys else 1

    @property
    def last_row(self) -> int:
        """Row of the last cell (0 for an empty sheet)."""
        return self._keys[-1] >> _COL_BITS if self._keys else 0

    def _col_bounds(self) -> tuple[int, int]:
        if self._cols is None:
            if not self._keys:
                self._cols = (1, 0)
            else:
                import numpy as np

                cols = np.frombuffer(self._keys, dtype=np.int64) & _COL_MASK
                self._cols = (int(cols.min()) + 1, int(cols.max()) + 1)
        return self._cols

    @property
    def first_col(self) -> int:
        """Leftmost column with a cell (1 for an empty sheet)."""
        return self._col_bounds()[0]

    @property
    def last_col(self) -> int:
        """Rightmost column with a cell (0 for an empty sheet)."""
        return self._col_bounds()[1]

    @property
    def n_rows(self) -> int:
        """Rows spanned from the first cell to the last."""
        return self.last_row - self.first_row + 1 if self._keys else 0

    @property
    def n_cols(self) -> int:
        """Columns spanned from the leftmost cell to the rightmost."""
        return self.last_col - self.first_col + 1 if self._keys else 0

    @property
    def used_range(self) -> CellRange | None:
        """Range spanned by the cells that exist in the sheet (None for an empty sheet)."""
        if not self._keys:
            return None
        return CellRange(self.first_row, self.first_col, self.last_row, self.last_col)

    # ---- one cell ----------------------------------------------------------------------

    def _at(self, row: int, col: int) -> int | None:
        if not (1 <= col <= MAX_COL and row >= 1):
            return None
        key = (row << _COL_BITS) | (col - 1)
        i = bisect_left(self._keys, key)
        return i if i < len(self._keys) and self._keys[i] == key else None

    def value(self, row: int, col: int) -> Any:
        """Value at (row, col); None where there is no cell."""
        i = self._at(row, col)
        return None if i is None else self._values[i]

    def style(self, row: int, col: int) -> int:
        """Style id at (row, col); 0 where there is no cell."""
        i = self._at(row, col)
        return 0 if i is None else self._styles[i]

    def number_format(self, row: int, col: int) -> str:
        """Number format code of the cell at (row, col)."""
        return self.number_formats.get(self.style(row, col), "General")

    def is_date(self, row: int, col: int) -> bool:
        """Whether the cell's number format shows a date or time."""
        return self.style(row, col) in self.date_styles

    def cells(self) -> Iterator[tuple[int, int, Any, int]]:
        """(row, col, value, style) of every cell, in order."""
        for key, value, style in zip(self._keys, self._values, self._styles):
            yield key >> _COL_BITS, (key & _COL_MASK) + 1, value, style

    # ---- the row-major block -----------------------------------------------------------

    def grid(self, *, date1904: bool = False, with_formats: bool = True, dates: bool = True,
             max_grid: int | None = None) -> Grid:
        """Rows from the first row with a cell, each from column A to its last cell.

        Date-formatted numbers become datetimes when ``dates``. Raises
        :class:`UnsafePackageError` naming the sheet when the block would exceed
        ``max_grid`` slots (default :class:`SheetLimits`).
        """
        import numpy as np

        limit = SheetLimits().max_grid if max_grid is None else max_grid
        values = self._values
        out: list[Sequence[Any]] = []
        out_formats: list[Sequence[str | None]] | None = [] if with_formats else None
        n = len(self._keys)
        if not n:
            return Grid(1, out, out_formats)
        keys = np.frombuffer(self._keys, dtype=np.int64)
        rows, cols = keys >> _COL_BITS, keys & _COL_MASK  # cols 0-based
        starts, row_of, last = self._check_spread(rows, cols, limit)
        ends = np.r_[starts[1:], n]
        first = cols[starts]
        top = int(row_of[0])
        whole = last - first + 1 == ends - starts  # rows without gaps: slices, the usual case
        look = self.number_formats.__getitem__  # holds every style id present
        styles = self._styles
        shown_all = list(map(look, styles)) if out_formats is not None else []  # each cell's format, in one pass
        starts_l, ends_l = starts.tolist(), ends.tolist()
        if bool(whole.all()) and not first.any() and int(row_of[-1]) - top + 1 == len(starts):
            # Every row from column A, none missing, none with a gap (a Data sheet): slices alone.
            out.extend([values[i:j] for i, j in zip(starts_l, ends_l)])
            if out_formats is not None:
                out_formats.extend([shown_all[i:j] for i, j in zip(starts_l, ends_l)])
            starts_l = ends_l = []
        next_row = top
        for i, j, row, head, tail, plain in zip(starts_l, ends_l, row_of.tolist(), first.tolist(),
                                                last.tolist(), whole.tolist()):
            if row > next_row:
                out.extend([_EMPTY_ROW] * (row - next_row))
                if out_formats is not None:
                    out_formats.extend([_EMPTY_ROW] * (row - next_row))
            if plain:
                out.append([None] * head + values[i:j])
                if out_formats is not None:
                    out_formats.append([None] * head + shown_all[i:j])
            else:
                line: list[Any] = [None] * (tail + 1)
                shown: list[str | None] = [None] * (tail + 1)
                for k, col in zip(range(i, j), cols[i:j].tolist()):
                    line[col] = values[k]
                    shown[col] = look(styles[k])
                out.append(line)
                if out_formats is not None:
                    out_formats.append(shown)
            next_row = row + 1
        date_styles = self.date_styles if dates else frozenset()
        if date_styles:
            marked = np.isin(np.frombuffer(styles, dtype=f"i{styles.itemsize}"), list(date_styles))
            for k in np.flatnonzero(marked).tolist():
                value = values[k]
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    out[(self._keys[k] >> _COL_BITS) - top][self._keys[k] & _COL_MASK] = \
                        from_excel_serial(value, date1904)  # type: ignore[index]
        return Grid(top, out, out_formats)

    def block(self, *, date1904: bool = False, with_formats: bool = True, dates: bool = True,
              max_grid: int | None = None) -> Grid:
        """:meth:`grid`'s block (refused alike), its rows made only when asked for: a
        :class:`SheetRows` of values and one of number formats. A reader that wants the block a
        column at a time (a Data sheet's million rows) asks them for columns and no row is made."""
        import numpy as np

        limit = SheetLimits().max_grid if max_grid is None else max_grid
        top = bottom = 1
        if self._keys:
            keys = np.frombuffer(self._keys, dtype=np.int64)
            _, row_of, _ = self._check_spread(keys >> _COL_BITS, keys & _COL_MASK, limit)
            top, bottom = int(row_of[0]), int(row_of[-1]) + 1
        date_styles = self.date_styles if dates else frozenset()
        values = SheetRows(self, top, bottom, date1904, date_styles, formats=False)
        return Grid(top, values, SheetRows(self, top, bottom, date1904, date_styles, formats=True)
                    if with_formats else None)

    def _check_spread(self, rows: Any, cols: Any, limit: int) -> tuple[Any, Any, Any]:
        """Where each row's cells start, its row number and its last (0-based) column; refused (naming
        the sheet) when the block from the first row to the last, each row as wide as its last cell,
        would be more than ``limit`` slots."""
        import numpy as np

        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        row_of, last = rows[starts], cols[np.r_[starts[1:], len(rows)] - 1]
        slots = int(last.sum()) + len(starts) + int(row_of[-1] - row_of[0] + 1) - len(starts)
        if slots > limit:
            self._too_spread(limit)
        return starts, row_of, last

    def _too_spread(self, limit: int) -> None:
        corner = cell_ref(min(self.last_row, MAX_ROW), min(max(self.last_col, 1), MAX_COL))
        raise UnsafePackageError(
            f"sheet '{self.sheet}': its {self.cell_count:,} cells spread from {cell_ref(self.first_row, 1)} to "
            f"{corner}, more than the {limit:,} grid cells kpi_excel reads from a sheet; delete stray cells far "
            "below or to the right of the table")

    # ---- dense copies, for small sheets and tests -----------------------------------------

    def _dense(self) -> tuple[list[list[Any]], list[list[int]]]:
        if not self._keys:
            return [], []
        if self.n_rows * self.n_cols > SheetLimits().max_grid:
            self._too_spread(SheetLimits().max_grid)
        r0, c0 = self.first_row, self.first_col
        columns: list[list[Any]] = [[None] * self.n_rows for _ in range(self.n_cols)]
        styles: list[list[int]] = [[0] * self.n_rows for _ in range(self.n_cols)]
        for key, value, style in zip(self._keys, self._values, self._styles):
            i, j = (key >> _COL_BITS) - r0, (key & _COL_MASK) + 1 - c0
            columns[j][i] = value
            styles[j][i] = style
        return columns, styles

    @property
    def columns(self) -> list[list[Any]]:
        """The block from the first cell to the last, column-major (a dense copy: small sheets only)."""
        return self._dense()[0]

    @property
    def style_ids(self) -> list[list[int]]:
        """Style ids in the shape of :attr:`columns`."""
        return self._dense()[1]

    def column(self, col: int) -> list[Any]:
        """Values of one sheet column over the block's rows (a copy)."""
        if not self._keys:
            return []
        return [self.value(row, col) for row in range(self.first_row, self.last_row + 1)]

    def rows(self) -> list[list[Any]]:
        """The block row-major, from its leftmost column (a dense copy: small sheets only)."""
        columns = self.columns
        return [list(r) for r in zip(*columns, strict=False)] if columns else []

    def to_dataframe(self, header_row: int | None = None) -> Any:
        """A pandas DataFrame of the block (a dense copy: small sheets only).

        With ``header_row`` (a sheet row number), that row's values name the
        columns (blank or repeated names get a column letter suffix, as
        ``"Value (D)"``) and only the rows below it are data. Without it,
        columns are named by their letters. Dates stay Excel serial numbers.
        """
        import pandas as pd

        columns = self.columns
        letters = [column_letter(self.first_col + j) for j in range(len(columns))]
        if header_row is None:
            return pd.DataFrame(dict(zip(letters, columns, strict=True)), index=None)
        start = header_row - self.first_row
        if not 0 <= start < self.n_rows:
            return pd.DataFrame(columns=letters)
        names: list[str] = []
        seen: set[str] = set()
        for letter, column in zip(letters, columns, strict=True):
            head = column[start]
            name = "" if head is None else str(head).strip()
            if not name or name.lower() in seen:
                name = f"{name} ({letter})".strip()
            seen.add(name.lower())
            names.append(name)
        return pd.DataFrame({name: column[start + 1:] for name, column in zip(names, columns, strict=True)})


class SheetRows(Sequence[Sequence[Any]]):
    """Rows ``top`` to ``bottom - 1`` of a sheet as :meth:`SheetValues.grid` gives them (values, or
    number formats with ``formats``), each made when asked for, and the block a column at a time
    (:meth:`columns`) with no row made. Memory follows the cells present."""

    __slots__ = ("_sheet", "_top", "_bottom", "_date1904", "_dates", "_formats")

    def __init__(self, sheet: SheetValues, top: int, bottom: int, date1904: bool, dates: frozenset[int], *,
                 formats: bool) -> None:
        self._sheet, self._top, self._bottom = sheet, top, max(top, bottom)
        self._date1904, self._dates, self._formats = date1904, dates, formats

    def __len__(self) -> int:
        return self._bottom - self._top

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[k] for k in range(start, stop, step)]
            return SheetRows(self._sheet, self._top + start, self._top + max(start, stop), self._date1904,
                             self._dates, formats=self._formats)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("row out of the block")
        row = self._top + index
        keys = self._sheet._keys
        lo = bisect_left(keys, row << _COL_BITS)
        hi = bisect_left(keys, (row + 1) << _COL_BITS, lo)
        if lo == hi:
            return _EMPTY_ROW
        line: list[Any] = [None] * ((keys[hi - 1] & _COL_MASK) + 1)
        for k in range(lo, hi):
            line[keys[k] & _COL_MASK] = self._cell(k)
        return line

    def _cell(self, k: int) -> Any:
        sheet = self._sheet
        style = sheet._styles[k]
        if self._formats:
            return sheet.number_formats[style]
        value = sheet._values[k]
        if style in self._dates and isinstance(value, (int, float)) and not isinstance(value, bool):
            return from_excel_serial(value, self._date1904)
        return value

    def columns(self, indices: Iterable[int]) -> tuple[list[int], list[list[Any]]]:
        """The positions of the rows that have a cell (a blank styled one counts: the rows that are
        not ``()``) and, for each of ``indices``, ``[row[i] if i < len(row) else None]`` over those
        rows: the block a column at a time, no row made."""
        import numpy as np

        sheet = self._sheet
        keys = np.frombuffer(sheet._keys, dtype=np.int64)
        lo, hi = np.searchsorted(keys, [self._top << _COL_BITS, self._bottom << _COL_BITS]).tolist()
        block = keys[lo:hi]
        rows, cols = block >> _COL_BITS, block & _COL_MASK
        new_row = np.r_[True, rows[1:] != rows[:-1]] if hi > lo else np.zeros(0, dtype=bool)
        present = rows[new_row] - self._top
        styles = np.frombuffer(sheet._styles, dtype=f"i{sheet._styles.itemsize}")[lo:hi]
        out = []
        place = None
        formats = self._format_table() if self._formats else None
        for index in indices:
            found = np.flatnonzero(cols == index)
            if not len(found):  # a column with no cell (one only the header row names)
                out.append([None] * len(present))
                continue
            cells = self._cells_at(found + lo, styles[found], formats)
            if len(cells) < len(present):  # rows without the cell: each cell put in its row's place
                if place is None:
                    place = np.cumsum(new_row) - 1  # each cell's row among the rows present
                column: list[Any] = [None] * len(present)
                for n, cell in zip(place[found].tolist(), cells):
                    column[n] = cell
                cells = column
            out.append(cells)
        return present.tolist(), out

    def _format_table(self) -> tuple[Any, Any]:
        """Every style id present, sorted, and its number format: made once for all the columns."""
        import numpy as np

        number_formats = self._sheet.number_formats
        known = np.array(sorted(number_formats), dtype=np.int64)
        return known, np.array([number_formats[s] for s in known.tolist()], dtype=object)

    def _cells_at(self, found: Any, styles: Any, formats: tuple[Any, Any] | None) -> list[Any]:
        """The cells at ``found`` (with their ``styles``), in order: their number formats, looked up
        in ``formats`` (:meth:`_format_table`), when the rows give formats."""
        import numpy as np

        sheet = self._sheet
        if formats is not None:
            known, shown = formats
            cells = shown[np.searchsorted(known, styles)].tolist()
        else:
            steps = np.diff(found)
            if len(found) > 1 and (steps == steps[0]).all():  # evenly spaced (every row alike): a slice
                cells = sheet._values[int(found[0]):int(found[-1]) + 1:int(steps[0])]
            else:
                cells = [sheet._values[k] for k in found.tolist()]
            if self._dates:
                for n in np.flatnonzero(np.isin(styles, list(self._dates))).tolist():
                    cells[n] = self._cell(int(found[n]))
        return cells


# ---- shared strings --------------------------------------------------------------------------


def _si_text(si: etree._Element) -> str:
    # Plain <t>, or rich-text runs <r><t>; phonetic guides (<rPh>) are not cell text.
    parts = [t.text or "" for t in si.iter(_T) if t.getparent() is not None and t.getparent().tag != _RPH]
    return unescape_xstring("".join(parts))


def parse_shared_strings(data: bytes, part: str = "xl/sharedStrings.xml") -> list[str]:
    """Texts of ``xl/sharedStrings.xml`` in index order (rich text flattened).

    Refuses a DTD; malformed XML (a character reference outside Unicode, say)
    is a :class:`CorruptPackageError` naming the part.
    """
    check_no_dtd(data, part)
    out: list[str] = []
    context = etree.iterparse(
        io.BytesIO(data), events=("end",), tag=_SI, resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False,
    )
    try:
        for _, si in context:
            out.append(_si_text(si))
            si.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        raise CorruptPackageError(f"the shared strings ({part}) are not well-formed XML: {exc} "
                                  f"(after string {len(out) + 1:,})") from None
    return out


# ---- cell values -----------------------------------------------------------------------------

_CHUNK = 1 << 20
_FAST_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]+)")?(?: t="([a-zA-Z]+)")?([^>]*?)'
    # The rest of a cell never runs into the next cell's "<c": a cell without "</c>" fails where
    # the next begins (".*?" scanned to the end for each, minutes on 20,000 unclosed cells).
    rb"(?:/>|>(?:<v>([^<]*)</v>)?((?:[^<]|<(?!c[\s/>]))*?)</c>)",
    re.S,
)
# What the pattern does not read (CDATA, comments, processing instructions, a cell without a
# reference or with another space after its name): one pass finds any, and lxml reads the sheet.
_NOT_FAST = re.compile(rb"<(?:!|\?|c[\t\r\n>/])")
_ATTR = re.compile(rb'([A-Za-z:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
# Inside one cell. A body never runs past the next opening of the same element, so an
# unclosed one fails where the next begins instead of each scanning to the end (quadratic).
_F_TEXT = re.compile(rb"<f\b[^>]*?(?:/>|>((?:[^<]|<(?!f\b))*?)</f>)")
_V_TEXT = re.compile(rb"<v\b[^>]*?(?:/>|>((?:[^<]|<(?!v\b))*?)</v>)")
_IS_BODY = re.compile(rb"<is>((?:[^<]|<(?!is>))*?)</is>")
_RPH_BODY = re.compile(rb"<rPh\b(?:[^<]|<(?!rPh\b))*?</rPh>")
_T_TEXT = re.compile(rb"<t\b[^>]*?(?:/>|>((?:[^<]|<(?!t\b))*?)</t>)")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _xml_char(code: int) -> bool:
    """Whether XML 1.0 allows the character (its Char production)."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] == "#":
        digits = name[2:] if name[1] in "xX" else name[1:]
        if len(digits) > 8:
            raise _BadCell(f"the character reference &{name}; is not a character")
        code = int(digits, 16) if name[1] in "xX" else int(digits)
        if not _xml_char(code):
            raise _BadCell(f"the character reference &{name}; is not a character XML allows")
        return chr(code)
    return _NAMED[name]


def _text(raw: bytes | None) -> str:
    if not raw:
        return ""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _BadCell("its text is not valid UTF-8") from None
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    return unescape_xstring(text) if "_x" in text else text


def _number(raw: bytes | str) -> int | float:
    raw = raw.strip()
    if raw.isdigit() and raw.isascii():  # '²'.isdigit() too, but int('²') fails
        return int(raw)
    if raw[:1] in (b"-", "-") and raw[1:].isdigit() and raw.isascii():
        return int(raw)
    try:
        return float(raw)
    except ValueError:
        shown = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        raise _BadCell(f"'{shown[:30]}' is not a number") from None


def _too_long(text: str) -> _BadCell:
    return _BadCell(f"it holds {len(text):,} characters, more than the {EXCEL_CELL_LIMIT:,} Excel allows in a "
                    "cell (a file Excel did not write)")


def _typed(t: str | None, v: str | bytes | None, sst: Sequence[str], inline: str | None,
           formula: bool = False) -> Any:
    """:func:`_typed_value`, refusing a text longer than Excel's cell limit (where it came from)."""
    value = _typed_value(t, v, sst, inline, formula)
    if value.__class__ is str and len(value) > EXCEL_CELL_LIMIT:
        raise _too_long(value)
    return value


def _typed_value(t: str | None, v: str | bytes | None, sst: Sequence[str], inline: str | None,
                 formula: bool = False) -> Any:
    """Python value of a cell from its type, raw ``<v>`` text and inline string.

    An absent or empty ``<v>`` is a blank (None) whatever the type, except a
    number-typed formula's: that formula was never calculated.
    """
    if t == "inlineStr":
        return inline
    if not v:
        return UNCALCULATED if formula and t in (None, "", "n") else None
    if t is None or t == "n" or t == "":
        if not v.strip():
            return UNCALCULATED if formula else None
        return _number(v)
    if t == "s":
        try:
            index = int(v)
        except ValueError:
            raise _BadCell(f"shared string index {v!r} is not a number") from None
        return sst[index] if 0 <= index < len(sst) else None
    text = _text(v) if isinstance(v, bytes) else unescape_xstring(v)
    if t == "str":
        return text
    if t == "b":
        return text.strip() in ("1", "true")
    if t == "e":
        return ErrorValue(text)
    if t == "d":
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    return text


class _Collector:
    """Cells as the readers find them, appended to compact arrays."""

    def __init__(self, sheet: str, max_cells: int) -> None:
        self.sheet = sheet
        self.max_cells = max_cells
        self.keys = array("q")
        self.values: list[Any] = []
        self.styles = array("l")
        self.formulas: dict[tuple[int, int], str] = {}
        self.in_order = True

    def check_rows_and_order(self) -> None:
        """After the fast path: every row inside Excel's grid, and whether the cells came in order."""
        if not self.keys:
            return
        import numpy as np

        keys = np.frombuffer(self.keys, dtype=np.int64)
        rows = keys >> _COL_BITS
        bad = np.flatnonzero((rows < 1) | (rows > MAX_ROW))
        if len(bad):
            row, col = int(rows[bad[0]]), int(keys[bad[0]] & _COL_MASK) + 1
            raise CorruptPackageError(f"sheet '{self.sheet}' cell {column_letter(col)}{row}: row {row:,} is "
                                      f"outside Excel's 1..{MAX_ROW:,}")
        self.in_order = bool(np.all(keys[1:] > keys[:-1]))

    def too_many(self, count: int) -> None:
        raise too_many_cells(self.sheet, count, self.max_cells)

    def finish(self, number_formats: Mapping[int, str], dates: frozenset[int]) -> SheetValues:
        keys, values, styles = self.keys, self.values, self.styles
        if not self.in_order:
            # Out of order (or repeated) cells: Excel keeps the last of a repeated cell.
            order = sorted(range(len(keys)), key=keys.__getitem__)
            kept = [i for n, i in enumerate(order) if n + 1 == len(order) or keys[order[n + 1]] != keys[i]]
            keys = array("q", (keys[i] for i in kept))
            values = [values[i] for i in kept]
            styles = array("l", (styles[i] for i in kept))
        used = set(styles)
        used.add(0)
        return SheetValues(self.sheet, keys, values, styles, self.formulas,
                           {s: number_formats.get(s, "General") for s in used},
                           frozenset(s for s in used if s in dates))


def _fast_cells(data: bytes, sst: Sequence[str], out: _Collector) -> bool:
    """Read every cell through the pattern; False (nothing kept) when the fast path cannot vouch."""
    head_end = data.find(b">", data.find(b"<worksheet"))
    if b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' not in data[:head_end]:
        return False
    start = data.find(b"<sheetData")
    if start < 0:
        return True
    open_end = data.find(b">", start)
    if data[open_end - 1:open_end] == b"/":
        return True
    end = data.find(b"</sheetData>", open_end)
    if end < 0:
        return False
    lo = open_end + 1
    expected = data.count(b"<c ", lo, end)
    odd = _NOT_FAST.search(data, lo, end)
    if odd is not None:  # counted all the same: lxml reads no more cells than the limit allows
        expected += data.count(b"<c>", lo, end) + data.count(b"<c/>", lo, end)
    if expected > out.max_cells:
        out.too_many(expected)
    if odd is not None:
        return False
    cols: dict[bytes, int] = {}
    styles_of: dict[bytes, int] = {b"": 0}
    keys_append, values_append, styles_append = out.keys.append, out.values.append, out.styles.append
    formulas = out.formulas
    n_sst = len(sst)
    long_sst = n_sst > 0 and max(map(len, sst)) > EXCEL_CELL_LIMIT  # then each shared text is measured
    count = 0
    letters = row_b = b""
    findall = _FAST_CELL.findall
    pos = lo
    try:
        while pos < end:
            # A megabyte of cells at a time, cut at a row's end: no list of every match at once.
            stop = data.find(b"</row>", min(pos + _CHUNK, end), end)
            stop = end if stop < 0 else stop + 6
            plain = _plain_cells(data, pos, stop, sst, long_sst, out)
            if plain is not None:  # every cell of the chunk in the plain form: read in numpy
                count += plain
                pos = stop
                continue
            matches = findall(data, pos, stop)
            pos = stop
            count += len(matches)
            for letters, row_b, s_b, t_b, extra, v_b, rest in matches:
                col = cols.get(letters)
                if col is None:
                    col = cols[letters] = column_index(letters.decode())
                    if col > MAX_COL:
                        raise _BadCell("the column is beyond XFD, Excel's last")
                if t_b == b"inlineStr" and not extra and not v_b and rest.startswith(b"<is><t>") \
                        and rest.endswith(b"</t></is>") and rest.count(b"<") == 4:
                    # Plain inline text (as kpi_excel writes its columns): what _fast_complex reads, sooner.
                    style = styles_of.get(s_b)
                    if style is None:
                        style = styles_of[s_b] = int(s_b)
                    value = _text(rest[7:-9])
                    if len(value) > EXCEL_CELL_LIMIT:
                        raise _too_long(value)
                elif extra or rest:
                    style, value, formula = _fast_complex(s_b, t_b, extra, v_b, rest, sst)
                    if formula is not None:
                        formulas[(int(row_b), col)] = formula
                else:
                    style = styles_of.get(s_b)
                    if style is None:
                        style = styles_of[s_b] = int(s_b)
                    if t_b == b"s":
                        if v_b and not v_b.isdigit():
                            raise _BadCell(f"shared string index {v_b.decode('utf-8', 'replace')[:20]!r} "
                                           "is not a number")
                        index = int(v_b) if v_b else -1
                        value = sst[index] if 0 <= index < n_sst else None
                        if long_sst and value is not None and len(value) > EXCEL_CELL_LIMIT:
                            raise _too_long(value)
                    elif not t_b:
                        if not v_b:
                            value = None
                        elif v_b.isdigit():
                            value = int(v_b)
                        elif b"." in v_b:  # never an int for _number: float() reads it as _number would
                            try:
                                value = float(v_b)
                            except ValueError:
                                value = _number(v_b)  # says why, naming the cell
                        else:
                            value = _number(v_b)
                    else:
                        value = _typed(t_b.decode(), v_b, sst, None)
                keys_append((int(row_b) << _COL_BITS) | (col - 1))
                values_append(value)
                styles_append(style)
    except _BadCell as exc:
        place = (letters + row_b).decode("ascii", "replace")  # as the file wrote it
        raise CorruptPackageError(f"sheet '{out.sheet}' cell {place}: {exc}") from None
    if count != expected:
        return False
    out.check_rows_and_order()
    return True


# ---- plain cells, a chunk at a time in numpy -------------------------------------------------
#
# Nearly every cell Excel (or XlsxWriter, openpyxl) saves has one form: <c r="B2" s="1" t="s"><v>4</v></c>,
# a number or a shared string. A chunk whose cells all have it is read with numpy: every field found
# by position arithmetic over the bytes, numbers parsed in C, with no Python per cell. Any other form
# in the chunk (a formula, an inline string, another type, an entity, a number numpy and Python might
# read differently) leaves the chunk to the cell-by-cell loop, which reads it and names any error.

_LT, _QUOTE = ord("<"), ord('"')
_NUMBER_WIDTH = 40  # a longer number text is left to the loop


def _bytes_at(a: Any, pos: Any, width: int) -> Any:
    """``a[pos + k]`` for ``k < width`` as an (n, width) matrix (the chunk ends in padding)."""
    import numpy as np

    return a[np.minimum(pos[:, None] + np.arange(width), len(a) - 1)]


def _is_at(a: Any, pos: Any, text: bytes) -> Any:
    """Whether ``text`` starts at each position."""
    import numpy as np

    found = np.ones(len(pos), dtype=bool)
    for k, char in enumerate(text):
        found &= a[np.minimum(pos + k, len(a) - 1)] == char
    return found


def _digits_at(a: Any, pos: Any, most: int) -> tuple[Any, Any]:
    """The number written by the ASCII digits at each position and how many there are: 0 where there
    are none, or more than ``most`` (a run too long to be what is asked for: never its first digits).
    Positions past the end raise IndexError (the chunk ends in padding), which callers catch."""
    import numpy as np

    digit = a[pos[:, None] + np.arange(most + 1)] - np.uint8(48)  # wraps: a digit is 0..9, nothing else
    is_digit = digit < 10
    first_not = np.argmin(is_digit, axis=1)  # the first that is not a digit (0 if all are)
    count = np.where(is_digit[np.arange(len(pos)), first_not], 0, first_not)  # all most + 1 digits: too many
    value = np.zeros(len(pos), dtype=np.int64)
    for k in range(int(count.max()) if len(pos) else 0):  # Horner's rule, up to the longest run only
        value = np.where(k < count, value * 10 + digit[:, k], value)
    return value, count


def _plain_cells(data: bytes, lo: int, hi: int, sst: Sequence[str], long_sst: bool, out: _Collector) -> int | None:
    """Read ``data[lo:hi]`` when every cell in it is plain (see above): how many cells were kept,
    or None (nothing kept) for the loop to read the chunk."""
    try:
        return _read_plain(data, lo, hi, sst, long_sst, out)
    except IndexError:  # a cell cut off at the end of the sheet data: the loop says what is wrong
        return None


def _read_plain(data: bytes, lo: int, hi: int, sst: Sequence[str], long_sst: bool, out: _Collector) -> int | None:
    import numpy as np

    chunk = data[lo:hi] + b"\0" * 16
    a = np.frombuffer(chunk, dtype=np.uint8)
    lt = np.flatnonzero(a == _LT)
    if not len(lt):
        return None
    starts = lt[(a[lt + 1] == ord("c")) & (a[lt + 2] == ord(" "))]
    n = len(starts)
    if not n or not _is_at(a, starts + 3, b'r="').all():
        return None
    at = starts + 6
    letters = _bytes_at(a, at, 3).astype(np.int64) - 64
    upper = (letters >= 1) & (letters <= 26)
    if not upper[:, 0].all():
        return None
    two, three = upper[:, 1], upper[:, 1] & upper[:, 2]
    col = np.where(three, (letters[:, 0] * 26 + letters[:, 1]) * 26 + letters[:, 2],
                   np.where(two, letters[:, 0] * 26 + letters[:, 1], letters[:, 0]))
    at = at + 1 + two + three
    row, digits = _digits_at(a, at, 7)
    at = at + digits
    if not ((digits >= 1) & (col <= MAX_COL) & (a[at] == _QUOTE)).all():
        return None
    at = at + 1
    style = np.zeros(n, dtype=np.int64)
    styled = _is_at(a, at, b' s="')
    if styled.any():
        number, digits = _digits_at(a, at + 4, 9)
        if not ((digits >= 1) & (a[at + 4 + digits] == _QUOTE))[styled].all():
            return None
        style = np.where(styled, number, 0)
        at = np.where(styled, at + 5 + digits, at)
    typed = _is_at(a, at, b' t="')
    shared = typed & _is_at(a, at + 4, b's"')
    is_body = typed & ~shared  # an inline string <is><t>text</t></is>, as kpi_excel writes its columns
    if is_body.any():
        inline_at = at[is_body]
        if not (_is_at(a, inline_at + 4, b'inlineStr"') & _is_at(a, inline_at + 14, b"><is><t>")).all():
            return None  # another type (str, b, e, n...) or another inline form
        at = np.where(is_body, at + 14, at)
    at = np.where(shared, at + 6, at)
    body = _is_at(a, at, b"><v>")
    if not (body | is_body | _is_at(a, at, b"/>") | _is_at(a, at, b"></c>")).all():
        return None  # a formula, another attribute...
    text_at = np.where(is_body, at + 8, at + 4)
    k = np.searchsorted(lt, text_at)
    text_end = lt[np.minimum(k, len(lt) - 1)]
    if not _is_at(a, text_end[body], b"</v></c>").all() or not _is_at(a, text_end[is_body], b"</t></is></c>").all():
        return None
    filled = body & (text_end > text_at)
    values = np.empty(n, dtype=object)  # None: no <v>, or an empty one (as the loop reads them)
    strings = filled & shared
    if strings.any():
        if long_sst:
            return None
        index, digits = _digits_at(a, text_at[strings], 9)
        if not (digits == (text_end - text_at)[strings]).all() or (len(index) and int(index.max()) >= len(sst)):
            return None  # not an index, or beyond the table (a blank there, with its checks)
        values[strings] = list(map(sst.__getitem__, index.tolist()))
    numbers = filled & ~shared
    if numbers.any():
        read = _plain_numbers(a, text_at[numbers], (text_end - text_at)[numbers])
        if read is None:
            return None
        values[numbers] = read
    if is_body.any():
        texts = _plain_texts(chunk, text_at[is_body].tolist(), text_end[is_body].tolist())
        if texts is None:
            return None
        values[np.flatnonzero(is_body)] = texts
    out.keys.frombytes(((row << _COL_BITS) | (col - 1)).tobytes())
    out.values.extend(values.tolist())
    out.styles.frombytes(style.astype(f"=i{out.styles.itemsize}").tobytes())  # below 10**9: fits any C long
    return n


def _plain_texts(chunk: bytes, starts: list[int], ends: list[int]) -> list[str] | None:
    """The texts of plain inline strings, read as the loop reads them (one text read once per chunk),
    or None when any cannot be read or is too long: the loop reads the chunk and names the cell."""
    texts: list[str] = []
    read: dict[bytes, str] = {}
    try:
        for i, j in zip(starts, ends):
            raw = chunk[i:j]
            text = read.get(raw)
            if text is None:
                text = read[raw] = _text(raw)
                if len(text) > EXCEL_CELL_LIMIT:
                    return None
            texts.append(text)
    except _BadCell:
        return None
    return texts


def _plain_numbers(a: Any, at: Any, length: Any) -> Any:
    """The values of number texts as the loop reads them (digits alone: an int; else a float), or None
    when any is not a plain decimal (``-?digits.digits``): Python reads those, one at a time."""
    import numpy as np

    width = int(length.max())
    if width > _NUMBER_WIDTH:
        return None
    chars = np.where(np.arange(width) < length[:, None], _bytes_at(a, at, width), 0).astype(np.uint8)
    digit = (chars >= 48) & (chars <= 57)
    minus = chars[:, 0] == ord("-")
    point = chars == ord(".")
    lead = (np.arange(width) == 0) & minus[:, None]
    if not (digit | point | lead | (chars == 0)).all() or (point.sum(axis=1) > 1).any() \
            or not (digit.sum(axis=1) >= 1).all():
        return None
    whole = ~point.any(axis=1)
    if (digit.sum(axis=1)[whole] > 18).any():
        return None  # beyond int64: the loop's int() reads it
    out = np.empty(len(at), dtype=object)
    if (~whole).any():
        # A correctly rounded parse, as Python's float(): the same double for the same decimal text.
        out[~whole] = chars[~whole].view(f"S{width}").ravel().astype(np.float64).tolist()
    if whole.any():
        signed = minus[whole]
        value, digits = _digits_at(a, at[whole] + signed, 18)
        if not (digits == length[whole] - signed).all():
            return None  # a byte other than a digit among them (a NUL): the loop names the cell
        out[whole] = np.where(signed, -value, value).tolist()
    return out


def _place(row: int, col: int) -> str:
    try:
        return cell_ref(row, col)
    except Exception:  # noqa: BLE001 - the reference itself is what is wrong: say it as numbers
        return f"at row {row}, column {col}"


def _fast_complex(
    s_b: bytes, t_b: bytes, extra: bytes, v_b: bytes, rest: bytes, sst: Sequence[str]
) -> tuple[int, Any, str | None]:
    """A cell with extra attributes or with children other than a lone ``<v>``."""
    style = int(s_b) if s_b else 0
    if extra:
        attrs = {k: (a or b) for k, a, b in _ATTR.findall(extra)}
        if b"s" in attrs and not s_b:
            try:
                style = int(attrs[b"s"])
            except ValueError:
                raise _BadCell(f"style {attrs[b's']!r} is not a number") from None
        if b"t" in attrs and not t_b:
            t_b = attrs[b"t"]
    formula = None
    inline = None
    if rest:
        f_match = _F_TEXT.search(rest)
        if f_match is not None:
            formula = _text(f_match.group(1))
        if not v_b:
            v_match = _V_TEXT.search(rest)
            v_b = v_match.group(1) if v_match is not None else b""
        is_match = _IS_BODY.search(rest)
        if is_match is not None:
            body_is = _RPH_BODY.sub(b"", is_match.group(1))
            inline = "".join(_text(m) for m in _T_TEXT.findall(body_is))
    t = t_b.decode("ascii", "replace") if t_b else None
    return style, _typed(t, v_b, sst, inline, formula is not None), formula


def _slow_cells(data: bytes, sst: Sequence[str], out: _Collector) -> None:
    """Same as :func:`_fast_cells` through lxml: any prefix, missing ``r``, CDATA, comments."""
    from kpi_excel.ooxml.errors import OoxmlValueError
    from kpi_excel.ooxml.refs import parse_cell

    context = etree.iterparse(
        io.BytesIO(data), events=("end",), tag=_ROW, resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False,
    )
    keys_append, values_append, styles_append = out.keys.append, out.values.append, out.styles.append
    row_num = col = 0
    last_key = -1
    try:
        for _, row in context:
            r = row.get("r")
            row_num = int(r) if r and r.isdecimal() else row_num + 1
            if not 1 <= row_num <= MAX_ROW:
                raise _BadCell(f"row {row_num:,} is outside Excel's 1..{MAX_ROW:,}")
            col = 0
            for c in row.iterchildren(_C):
                ref = c.get("r")
                if ref:
                    try:
                        _, col = parse_cell(ref)
                    except OoxmlValueError:
                        raise _BadCell(f"{ref!r} is not a cell reference") from None
                else:
                    col += 1
                if not 1 <= col <= MAX_COL:
                    raise _BadCell("the column is beyond XFD, Excel's last")
                f_el = c.find(_F)
                if f_el is not None:
                    out.formulas[(row_num, col)] = unescape_xstring(f_el.text or "")
                value = _element_value(c, sst, f_el)
                style = c.get("s", "0") or "0"
                if not style.isdecimal():
                    raise _BadCell(f"style {style!r} is not a number")
                key = (row_num << _COL_BITS) | (col - 1)
                if key <= last_key:
                    out.in_order = False
                last_key = key
                keys_append(key)
                values_append(value)
                styles_append(int(style))
                if len(out.keys) > out.max_cells:
                    out.too_many(len(out.keys))
            row.clear(keep_tail=True)
            parent = row.getparent()
            while parent is not None and row.getprevious() is not None:
                del parent[0]
    except _BadCell as exc:
        raise CorruptPackageError(f"sheet '{out.sheet}' cell {_place(row_num, col)}: {exc}") from None
    except etree.XMLSyntaxError as exc:
        raise CorruptPackageError(f"sheet '{out.sheet}' is not well-formed XML (after row {row_num:,}): "
                                  f"{exc}") from None


def _element_value(c: etree._Element, sst: Sequence[str], f_el: etree._Element | None) -> Any:
    """A parsed ``<c>``'s value (``f_el``: its ``<f>``, if any)."""
    is_el = c.find(_IS)
    inline = None
    if is_el is not None:
        inline = unescape_xstring(
            "".join(t_el.text or "" for t_el in is_el.iter(_T) if t_el.getparent().tag != _RPH)
        )
    v_el = c.find(_V)
    v_text = None if v_el is None else (v_el.text or "")
    return _typed(c.get("t"), v_text, sst, inline, f_el is not None)


def element_value(c: etree._Element | None, sst: Sequence[str], *, sheet: str = "") -> Any:
    """The value a read of the sheet gives the parsed cell ``c`` (None: no cell), read
    by the same code as the lxml path of :func:`read_sheet_values`."""
    if c is None:
        return None
    try:
        return _element_value(c, sst, c.find(_F))
    except _BadCell as exc:
        raise CorruptPackageError(f"sheet '{sheet}' cell {c.get('r', '?')}: {exc}") from None


def read_sheet_values(
    data: bytes,
    sst: Sequence[str],
    *,
    sheet: str = "",
    number_formats: Mapping[int, str] | None = None,
    date_styles: Iterable[int] = (),
    force_slow: bool = False,
    limits: SheetLimits | None = None,
    part: str = "",
) -> SheetValues:
    """Read all cells of a worksheet part's bytes into a :class:`SheetValues`.

    Raises :class:`UnsafePackageError` (a DTD, too many cells) or
    :class:`CorruptPackageError` (a cell that cannot be read, named) - never
    anything else for bad bytes.
    """
    limits = limits or SheetLimits()
    check_no_dtd(data, part or f"sheet '{sheet}'")
    formats = dict(number_formats or {})
    dates = frozenset(date_styles)
    out = _Collector(sheet, limits.max_cells)
    if force_slow or not _fast_cells(data, sst, out):
        out = _Collector(sheet, limits.max_cells)
        _slow_cells(data, sst, out)
    return out.finish(formats, dates)
