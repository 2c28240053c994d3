"""A table as CSV or TSV text, byte for byte what pandas' ``to_csv(index=False,
quoting=csv.QUOTE_NONNUMERIC, lineterminator="\\n")`` writes, but built column
by column in Arrow: pandas hands every cell to Python's csv module one at a
time, which was 40% of ``kpi-excel rate``'s time at a million rows (issue 20).

What the csv module writes in that mode, and so what we write: a text cell (and
every header) in double quotes, a quote inside it doubled; a missing cell (None,
NaN, NA) as ``""``; a float bare, as Python's ``repr`` writes it. A table with
any other kind of column (integers, booleans, dates, a mix of types in one
column) is left to pandas whole, and a piece of rows holding a text Arrow will
not take (a lone surrogate) is left to pandas, so it is written, or fails,
exactly as before.
"""

from __future__ import annotations

import csv
from typing import Iterator

import numpy as np
import pandas as pd

__all__ = ["csv_pieces"]

ROWS_PER_PIECE = 65_536  # bounds the memory of one piece (a few MB per column) whatever the table's size


def csv_pieces(frame: pd.DataFrame, sep: str) -> Iterator[bytes | str]:
    """The table's CSV text in pieces, header first: UTF-8 bytes when built in Arrow,
    str when pandas writes it (see the module's note)."""
    kinds = _kinds(frame)
    if kinds is None:
        return iter([_by_pandas(frame, sep, header=True)])
    return _pieces(frame, kinds, sep)


def _by_pandas(frame: pd.DataFrame, sep: str, *, header: bool) -> str:
    return frame.to_csv(None, index=False, header=header, sep=sep, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)


def _pieces(frame: pd.DataFrame, kinds: list[str], sep: str) -> Iterator[bytes | str]:
    """A piece of rows at a time, converted then (memory follows the piece, not the table)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    yield (sep.join(_quoted(str(name)) for name in frame.columns) + "\n").encode("utf-8")
    # Each row is one join of the cells with the text between them: a text cell's quotes and the separators.
    marks = ['"' if kind == "text" else "" for kind in kinds]
    between = [marks[0]] + [marks[i] + sep + marks[i + 1] for i in range(len(kinds) - 1)] + [marks[-1] + "\n"]
    text = pa.large_string()
    scalars = [pa.scalar(piece, text) for piece in between]
    for start in range(0, len(frame), ROWS_PER_PIECE):
        rows = frame.iloc[start:start + ROWS_PER_PIECE]
        try:
            columns = [_written(rows.iloc[:, j], kind) for j, kind in enumerate(kinds)]
        except (pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: pandas writes (or fails) as it did
            yield _by_pandas(rows, sep, header=False)
            continue
        parts = [scalars[0]]
        for cells, after in zip(columns, scalars[1:]):
            parts += [cells, after]
        yield _joined_bytes(pc.binary_join_element_wise(*parts, pa.scalar("", text)))


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _joined_bytes(rows) -> bytes:  # type: ignore[no-untyped-def]
    """All the strings of a large_string array, end to end: its data buffer between its first and last offsets."""
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + len(rows) + 1]
    return rows.buffers()[2][int(offsets[0]):int(offsets[-1])].to_pybytes()


def _kinds(frame: pd.DataFrame) -> list[str] | None:
    """Each column's kind as written: "text" (quoted) or "float" (bare); None when a
    column (or a header) is of a kind pandas must write."""
    if frame.shape[1] == 0 or not all(isinstance(name, str) for name in frame.columns):
        return None
    kinds = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if column.dtype == np.float64:
            kinds.append("float")
        elif isinstance(column.dtype, pd.StringDtype) or (
                isinstance(column.dtype, pd.CategoricalDtype)
                and pd.api.types.infer_dtype(column.cat.categories, skipna=True) == "string") or (
                column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")):
            kinds.append("text")
        else:
            return None
    return kinds


def _written(column: pd.Series, kind: str):  # type: ignore[no-untyped-def]
    """A column's cells as written inside their quotes (quotes doubled, a missing cell
    empty) or bare (floats), as one Arrow large_string array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.large_string()
    if kind == "float":
        return _floats(column.to_numpy())
    if isinstance(column.dtype, pd.CategoricalDtype):
        cells = pa.array(column.array).dictionary_decode().cast(text)
    elif isinstance(column.dtype, pd.StringDtype):
        cells = pa.array(column.array)
        cells = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
        cells = cells.cast(text)
    else:
        values = column.to_numpy()
        missing = pd.isna(values)
        if missing.any():  # NaN, None, NA and NaT alike are written as ""
            values = np.where(missing, None, values)
        cells = pa.array(values, type=text)
    cells = cells.fill_null("")
    return pc.replace_substring(cells, '"', '""') if _holds_quote(cells) else cells


def _holds_quote(cells) -> bool:  # type: ignore[no-untyped-def]
    """Whether any text holds a double quote: a look at the bytes, far cheaper than doubling none."""
    data = cells.buffers()[2]
    return data is not None and bool((np.frombuffer(data, dtype=np.uint8) == ord('"')).any())


def _floats(values: np.ndarray):  # type: ignore[no-untyped-def]
    """Floats as the csv module writes them: ``repr``, bare; NaN is pandas' empty text, so ``""``.
    Each distinct float (by its bits: -0.0 is not 0.0) is shown once: a rated column holds few."""
    import pyarrow as pa

    codes, distinct = pd.factorize(np.ascontiguousarray(values).view(np.int64))
    shown = ['""' if number != number else repr(number) for number in distinct.view(np.float64).tolist()]
    return pa.array(shown, type=pa.large_string()).take(pa.array(codes))
