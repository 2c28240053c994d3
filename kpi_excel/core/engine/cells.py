"""The engine's input: each field's cells as a column, read once per distinct cell.

Indicator tables repeat themselves: a polarity, a frequency, a target, a rule,
a period is written the same way on many rows. :class:`RowCells` holds the raw
cells of each canonical field (and their Excel number formats, where a workbook
gave them) and hands out :class:`Distinct` views: each distinct cell once, and a
code per row pointing at it. A parser then runs once per distinct cell, and the
answer reaches every row by indexing.

A cell is blank when it is None, NaN, or text that is empty or only spaces;
blank cells get code -1. Cells are told apart by type as well as value (``1``,
``1.0`` and ``True`` are three cells), since the readers treat them differently.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["RowCells", "Distinct", "BLANK", "combine", "is_text"]

BLANK = -1


class Distinct:
    """One or more fields' cells as distinct keys and a code per row.

    ``keys[k]`` is the k-th distinct cell (a tuple of cells for several fields);
    ``codes[i]`` the key of row ``i``, or :data:`BLANK` when every cell is blank.
    """

    def __init__(self, codes: np.ndarray, keys: list[object]):
        self.codes = codes
        self.keys = keys

    @property
    def present(self) -> np.ndarray:
        return self.codes != BLANK

    def apply(self, function: Callable[[object], object], blank: object = None) -> list[object]:
        """``function`` of each distinct key, then ``blank`` last: index it with :attr:`slots`."""
        return [function(key) for key in self.keys] + [blank]

    @property
    def slots(self) -> np.ndarray:
        """Each row's index into :meth:`apply`'s answers (blank rows: the last)."""
        return np.where(self.codes == BLANK, len(self.keys), self.codes)

    def map(self, function: Callable[[object], object], blank: object = None) -> np.ndarray:
        """``function`` of each distinct key, spread to every row (``blank`` for blank rows)."""
        results = np.empty(len(self.keys) + 1, dtype=object)
        for index, answer in enumerate(self.apply(function, blank)):
            results[index] = answer
        return results[self.slots]

    def cells(self) -> np.ndarray:
        """The (cleaned) cell of each row: None where blank."""
        return self.map(lambda key: key)


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if value.__class__ is str:
        return value == "" or value.isspace()  # type: ignore[attr-defined]
    return isinstance(value, float) and value != value  # NaN: pandas' empty cell


def is_text(column: object) -> bool:
    """A pandas text column (a CSV read as text), whose cells are all str or missing."""
    return isinstance(column, pd.Series) and column.dtype != object and pd.api.types.is_string_dtype(column.dtype)


def _distinct_cells(cells: object, size: int) -> Distinct:
    if is_text(cells):
        # A text column (a CSV read as text): pandas finds the distinct texts in C.
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        keys: list[object] = uniques.tolist()
        blank = np.fromiter((_is_blank(k) for k in keys), dtype=bool, count=len(keys))
        if blank.any():
            codes = np.where(blank[codes] & (codes != BLANK), BLANK, codes)
            keep = np.flatnonzero(~blank)
            renumber = np.full(len(keys) + 1, BLANK, dtype=np.intp)
            renumber[keep] = np.arange(len(keep))
            codes = renumber[codes]
            keys = [keys[k] for k in keep]
        return Distinct(codes.astype(np.intp, copy=False), keys)
    values = cells.tolist() if isinstance(cells, (pd.Series, np.ndarray)) else list(cells)  # type: ignore[union-attr]
    index: dict[tuple[object, ...], int] = {}
    keys = []
    codes = np.empty(size, dtype=np.intp)
    for row, value in enumerate(values):
        if _is_blank(value):
            codes[row] = BLANK
            continue
        kind = value.__class__
        # 0.0 and -0.0 are equal to Python but print differently.
        key = (kind, value, str(value)) if kind is float and value == 0 else (kind, value)
        try:
            code = index.get(key)
        except TypeError:  # a cell no reader gives (a list): a key of its own
            key = (kind, id(value))
            code = index.get(key)
        if code is None:
            code = index[key] = len(keys)
            keys.append(value)
        codes[row] = code
    return Distinct(codes, keys)


def combine(*parts: Distinct) -> Distinct:
    """Distinct combinations of several fields' cells (tuples as keys); blank
    only where every part is blank."""
    size = len(parts[0].codes)
    joined = np.zeros(size, dtype=np.int64)
    for part in parts:
        joined = joined * (len(part.keys) + 1) + (part.codes + 1)
        if len(parts) > 2:  # keep the numbers small: renumber after each step
            joined = pd.factorize(joined)[0].astype(np.int64)
    codes, uniques = pd.factorize(joined)
    first = np.zeros(len(uniques), dtype=np.intp)
    first[codes[::-1]] = np.arange(size - 1, -1, -1)  # a row of each combination
    keys = [tuple(p.keys[p.codes[row]] if p.codes[row] != BLANK else None for p in parts) for row in first]
    all_blank = np.all([p.codes == BLANK for p in parts], axis=0)
    codes = np.where(all_blank, BLANK, codes).astype(np.intp)
    if all_blank.any():
        keep = np.unique(codes[codes != BLANK])
        renumber = np.full(len(keys) + 1, BLANK, dtype=np.intp)
        renumber[keep] = np.arange(len(keep))
        codes = renumber[codes]
        keys = [keys[k] for k in keep]
    return Distinct(codes, keys)


class RowCells:
    """The raw cells of each canonical field, one entry per row.

    ``cells`` maps a field to its column (a list, array or pandas Series);
    ``formats`` maps a field to its cells' Excel number formats (None or "" where
    none). A field with no column is blank on every row.
    """

    def __init__(self, size: int, cells: Mapping[str, object], formats: Mapping[str, object] | None = None):
        self.size = size
        self._cells = dict(cells)
        self._formats = dict(formats or {})
        self._distinct: dict[tuple[str, ...], Distinct] = {}

    def present(self, name: str) -> np.ndarray:
        """Which rows have a (non-blank) cell in the field. A text column of
        mostly distinct cells (names, codes) is looked at in C, not parsed."""
        column = self._cells.get(name)
        if (name,) not in self._distinct and is_text(column):
            filled = column.notna().to_numpy(dtype=bool).copy()  # type: ignore[union-attr]
            # Only text with no letter or digit can be blank: test those the Python way.
            maybe = np.flatnonzero(filled & ~column.str.contains(r"[A-Za-z0-9]", regex=True)  # type: ignore[union-attr]
                                   .to_numpy(dtype=bool, na_value=False))
            if len(maybe):
                texts = column.iloc[maybe].tolist()  # type: ignore[union-attr]
                filled[maybe] = [not _is_blank(t) for t in texts]
            return filled
        return self.distinct(name).present

    def cells_at(self, name: str, rows: np.ndarray) -> list[object]:
        """The field's cleaned cells on ``rows`` (None where blank)."""
        column = self._cells.get(name)
        if column is None:
            return [None] * len(rows)
        if isinstance(column, pd.Series):
            picked = column.iloc[rows].tolist()
        else:
            picked = [column[row] for row in rows]  # type: ignore[index]
        return [None if _is_blank(v) else v for v in picked]

    def text_column(self, name: str) -> pd.Series | None:
        """The field's column when it is a text column (for searches in C)."""
        column = self._cells.get(name)
        return column if is_text(column) else None  # type: ignore[return-value]

    def distinct(self, name: str) -> Distinct:
        """The field's distinct cells."""
        found = self._distinct.get((name,))
        if found is None:
            column = self._cells.get(name)
            if column is None:
                found = Distinct(np.full(self.size, BLANK, dtype=np.intp), [])
            else:
                found = _distinct_cells(column, self.size)
            self._distinct[(name,)] = found
        return found

    def has_formats(self, name: str) -> bool:
        """Whether the rows came with number formats for the field (a workbook)."""
        return self._formats.get(name) is not None

    def with_format(self, name: str) -> Distinct:
        """The field's distinct (cell, number format) pairs; a number format only
        matters to a number, and an empty one is none."""
        key = (name, "#format")
        found = self._distinct.get(key)
        if found is None:
            formats = self._formats.get(name)
            cells = self.distinct(name)
            if formats is None:
                found = Distinct(cells.codes, [(k, None) for k in cells.keys])
            else:
                shown = _distinct_cells([f if f else None for f in _as_list(formats)], self.size)
                paired = combine(cells, shown)
                # A format beside a blank cell says nothing: the row stays blank.
                found = Distinct(np.where(cells.present, paired.codes, BLANK), paired.keys)
            self._distinct[key] = found
        return found

    def together(self, *names: str) -> Distinct:
        """Distinct combinations of several fields' cells."""
        found = self._distinct.get(names)
        if found is None:
            found = combine(*(self.distinct(n) for n in names))
            self._distinct[names] = found
        return found

    def cells(self, name: str) -> np.ndarray:
        """The field's cleaned cell on each row (None where blank)."""
        return self.distinct(name).cells()


def _as_list(column: object) -> Sequence[object]:
    if isinstance(column, (pd.Series, np.ndarray)):
        return column.tolist()
    return list(column)  # type: ignore[call-overload]
