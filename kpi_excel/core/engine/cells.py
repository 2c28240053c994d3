"""The engine's input: each field's cells as a column, read once per distinct cell.

Indicator tables repeat themselves: a polarity, a frequency, a target, a rule,
a period is written the same way on many rows. :class:`RowCells` holds the raw
cells of each canonical field (and their Excel number formats, where a workbook
gave them) and hands out :class:`Distinct` views: each distinct cell once, and a
code per row pointing at it. A parser then runs once per distinct cell, and the
answer reaches every row by indexing.

A cell is blank (:func:`is_blank`) when it is None, NaN, NaT, pandas' NA, or text that is
empty or only spaces;
blank cells get code -1. Cells are told apart by type as well as value (``1``,
``1.0`` and ``True`` are three cells), since the readers treat them differently.

This module is the one place that decides which cells are the same cell
(:func:`group_cells`, for the engine; :func:`read_spread`, which spreads each
distinct cell's reading straight to a list, for the Data sheet's readers in
:mod:`kpi_excel.core.cell_reading`, blank cells and all). :func:`read_each`
keeps a reader's error in place of its answer (:class:`Failed`).
"""

from __future__ import annotations

import datetime as dt
import math
from itertools import compress, repeat, starmap
from operator import is_not
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from kpi_excel.ooxml.cell_content import Uncalculated

__all__ = ["RowCells", "Distinct", "BLANK", "Failed", "blank_to_readers", "combine", "group_cells", "is_blank",
           "is_text", "read_each", "read_spread"]

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


def is_blank(value: object) -> bool:
    """No value: None, NaN, NaT, pandas' NA, or text that is empty or only spaces."""
    if value is None:
        return True
    if isinstance(value, str):
        return value == "" or value.isspace()
    if isinstance(value, float):
        return value != value  # NaN: pandas' empty cell
    return value is pd.NaT or value is pd.NA


def blank_to_readers(value: object) -> bool:
    """Blank to a cell reader: as :func:`is_blank`, but a formula whose result was never saved
    (:class:`Uncalculated`, empty text) reaches the readers, so the value reader can say so."""
    return is_blank(value) and value.__class__ is not Uncalculated


def is_text(column: object) -> bool:
    """A pandas text column (a CSV read as text), whose cells are all str or missing."""
    return isinstance(column, pd.Series) and column.dtype != object and pd.api.types.is_string_dtype(column.dtype)


class Failed:
    """What a reader raised for a cell, kept in place of its answer."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def read_each(read: Callable[[object], object], keys: Sequence[object],
              catch: type[Exception] | None = None) -> list[object]:
    """``read`` of each key; with ``catch``, a key whose reading raises it gives a :class:`Failed`."""
    if catch is None:
        return list(map(read, keys))
    answers: list[object] = []
    for key in keys:
        try:
            answers.append(read(key))
        except catch as error:
            answers.append(Failed(error))
    return answers


# Markers of keys made of a cell's type and value, (marker, type, cell): two, as == cannot
# tell a -0.0 from a 0.0 that is keyed by type because it equals an earlier 0.
_TYPED = object()
_NEGATIVE_ZERO = object()
# Kinds whose cells never equal a cell of text or None: a column of one of them, text
# and blanks cannot hold equal cells of two types.
_NEVER_TEXT = frozenset({float, int, bool, dt.date, dt.datetime})
_TEXT_OR_NONE = frozenset({str, type(None)})


def _keys(values: list[object], looks: Sequence[object] | None = None
          ) -> tuple[list[object], list[object], list[object]]:
    """Each cell's key (equal keys: the same cell to every reader), the distinct
    keys, and each distinct key's first cell (a (cell, look) pair with ``looks``).

    Cells are told apart by type as well as value: ``1``, ``1.0`` and ``True`` are
    equal in Python but read differently; so are ``0.0`` and ``-0.0``. A cell is
    its own key but for those: a -0.0, or a cell equal to an earlier cell of
    another type, is keyed by its type and value (a tuple a cell would cost more).
    NaN never equals another NaN: each NaN object is a key of its own, harmlessly.
    A column holding a cell (or look) that cannot be hashed (a list from a
    database driver) gives every cell a key of its own.
    """
    kinds = set(map(type, values))
    tagged: list[int] = []
    if any(issubclass(kind, float) for kind in kinds) and _may_hold_zero(values):
        tagged = [row for row, value in enumerate(values)
                  if isinstance(value, float) and value == 0.0 and math.copysign(1.0, value) < 0]
    keyed = _tag(values, tagged, _NEGATIVE_ZERO)
    others = kinds - _TEXT_OR_NONE
    keys: list[object] | None = None
    try:
        if len(kinds) > 1 and not (len(others) <= 1 and others <= _NEVER_TEXT):
            keys = list(dict.fromkeys(keyed))
            first = dict(zip(keys, keys))
            mixed = list(compress(range(len(keyed)), map(is_not, map(type, map(first.__getitem__, keyed)),
                                                         map(type, keyed))))
            if mixed:  # 1 and 1.0, say: equal cells of two types
                keyed = _tag(keyed, mixed, _TYPED)
                tagged += mixed
                keys = None
        if looks is not None:
            keyed = list(zip(keyed, looks))
        if keys is None or looks is not None:
            keys = list(dict.fromkeys(keyed))
    except TypeError:  # an unhashable cell or look
        keyed = list(range(len(values)))
        return keyed, keyed, values if looks is None else list(zip(values, looks))
    if not tagged:
        return keyed, keys, keys  # a key is its first cell (dict.fromkeys keeps the first)
    if looks is None:
        return keyed, keys, list(map(_cell_of, keys))
    return keyed, keys, [(_cell_of(key), look) for key, look in keys]  # type: ignore[misc]


def _may_hold_zero(values: list[object]) -> bool:
    try:
        return 0.0 in values
    except TypeError:  # pandas' NA compares to nothing: look cell by cell
        return True


def _tag(keyed: list[object], rows: list[int], marker: object) -> list[object]:
    """``keyed`` with the keys on ``rows`` made of ``marker``, their type and value."""
    if not rows:
        return keyed
    keyed = list(keyed)
    for row in rows:
        keyed[row] = (marker, type(keyed[row]), keyed[row])
    return keyed


def _cell_of(key: object) -> object:
    if key.__class__ is tuple and len(key) == 3 and (key[0] is _TYPED or key[0] is _NEGATIVE_ZERO):  # type: ignore
        return key[2]  # type: ignore[index]
    return key


def read_spread(read: Callable[..., object], cells: Sequence[object], looks: Sequence[object] | None = None,
                catch: type[Exception] | None = None) -> list[object]:
    """``[read(cell) for cell in cells]`` (``read(cell, look)`` with ``looks``, the
    cells' number formats), reading each distinct cell (and look) once, blank
    cells included; with ``catch``, see :func:`read_each`."""
    values = _as_list(cells)
    if not values:
        return []
    if looks is not None and len(looks) != len(values):
        raise ValueError(f"{len(values)} cells but {len(looks)} number formats")
    if looks is not None and _one_value(looks):  # one format for the whole column (the usual case)
        look = looks[0]
        read_one: Callable[[object], object] = lambda cell: read(cell, look)  # noqa: E731
        keyed, keys, firsts = _keys(values)
        answers = list(map(read, firsts, repeat(look))) if catch is None else read_each(read_one, firsts, catch)
    elif looks is not None:
        keyed, keys, firsts = _keys(values, looks)
        answers = list(starmap(read, firsts)) if catch is None else \
            read_each(lambda pair: read(*pair), firsts, catch)  # type: ignore[misc]
    elif not any(map(is_not, values, repeat(None))):  # a column the source lacks
        return read_each(read, [None], catch) * len(values)
    else:
        keyed, keys, firsts = _keys(values)
        answers = read_each(read, firsts, catch)
    if len(answers) == 1:
        return answers * len(values)
    return list(map(dict(zip(keys, answers)).__getitem__, keyed))


def _one_value(items: Sequence[object]) -> bool:
    try:
        return len(set(items)) == 1
    except TypeError:  # an unhashable format: none we know
        return False


def group_cells(cells: Sequence[object]) -> Distinct:
    """Each distinct cell once, blank ones included, and each row's index among them
    (cells told apart as :func:`read_spread` tells them)."""
    values = _as_list(cells)
    keyed, keys, firsts = _keys(values)
    codes = dict(zip(keys, range(len(keys))))
    return Distinct(np.fromiter(map(codes.__getitem__, keyed), dtype=np.intp, count=len(values)), firsts)


def _fold_blanks(field: Distinct) -> Distinct:
    """``field`` with its blank keys dropped and their rows coded :data:`BLANK`."""
    blank = np.fromiter((blank_to_readers(k) for k in field.keys), dtype=bool, count=len(field.keys))
    if not blank.any():
        return field
    keep = np.flatnonzero(~blank)
    renumber = np.full(len(field.keys) + 1, BLANK, dtype=np.intp)  # the last slot: a BLANK code stays BLANK
    renumber[keep] = np.arange(len(keep))
    return Distinct(renumber[field.codes], [field.keys[k] for k in keep.tolist()])


def _distinct_cells(cells: object, size: int) -> Distinct:
    if is_text(cells):
        # A text column (a CSV read as text): pandas finds the distinct texts in C.
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
        return _fold_blanks(Distinct(codes.astype(np.intp, copy=False), uniques.tolist()))
    return _fold_blanks(group_cells(cells))  # type: ignore[arg-type]


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
                filled[maybe] = [not blank_to_readers(t) for t in texts]
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
        return [None if blank_to_readers(v) else v for v in picked]

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


def _as_list(column: object) -> list[object]:
    if isinstance(column, (pd.Series, np.ndarray)):
        return column.tolist()
    return column if isinstance(column, list) else list(column)  # type: ignore[call-overload]
