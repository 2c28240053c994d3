"""Read and write indicator tables as CSV, TSV or XLSX files.

Reading keeps every cell as the officer wrote it: CSV cells stay text ("N/A"
stays "N/A", "007" stays "007"); XLSX cells keep their values and we note each
cell's number format, so 0.776 shown as 77.6% is read as 77.6%. Writing puts
text in as text, never as a formula (in CSV and TSV a text that would run as
one gets a leading ``'``), and colours the RAG column.

Text files are read as councils and Excel save them: UTF-8 (with or without a
BOM), Windows-1252, or UTF-16 (Excel's "Unicode text", tab-separated); comma,
tab or semicolon separated (Excel's CSV where the comma is the decimal mark);
``#`` comment lines above the header are skipped; a header written twice stays
twice (the rater names it) instead of becoming ``Target.1``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from pathlib import Path
from typing import BinaryIO, Sequence, TextIO

import numpy as np
import pandas as pd

from kpi_excel.errors import UnreadableFileError, officer_errors
from kpi_excel.sources.csv_text import csv_pieces

__all__ = ["read_table", "write_table", "defuse_formulas", "TABLE_SUFFIXES"]

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


def read_table(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read a table with a header row: (cells, number formats or None).

    Raises :class:`UnreadableFileError` with one clear sentence when the file
    cannot be read at all.
    """
    path = Path(path)
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    if path.is_dir():
        raise UnreadableFileError("is a folder, not a table file", source=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_delimited(path), None
    raise UnreadableFileError(
        f"cannot read '{suffix or 'no extension'}' files (use .csv, .tsv or .xlsx)", source=str(path)
    )


def _read_delimited(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    whole, encoding = _decode(raw, path)
    text = _skip_comments(whole)
    if not text.strip():
        raise UnreadableFileError("the file is empty" if not raw.strip() else "the file holds only # comment lines",
                                  source=str(path))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff(text)
    # UTF-8 (checked by decoding) goes to the parser as the file's own bytes: handed text, pandas
    # encodes it back to UTF-8 first, a tenth of the read at a million rows.
    if encoding == "utf-8-sig":
        skipped = len(whole[:len(whole) - len(text)].encode("utf-8")) + (3 if raw.startswith(codecs.BOM_UTF8) else 0)
        source: io.StringIO | io.BytesIO = io.BytesIO(raw[skipped:] if skipped else raw)
    else:
        source = io.StringIO(text)
    try:
        frame = pd.read_csv(
            source, sep=delimiter, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8",
            engine="c", quoting=csv.QUOTE_MINIMAL, header=None, skip_blank_lines=True,
        )
    except (pd.errors.ParserError, csv.Error) as error:
        raise UnreadableFileError(f"cannot read as {_NAMES.get(delimiter, 'CSV')}: "
                                  f"{str(error).strip().splitlines()[0]}", source=str(path)) from None
    except pd.errors.EmptyDataError:
        raise UnreadableFileError("the file is empty", source=str(path)) from None
    header = [str(c).strip() if c is not None else "" for c in frame.iloc[0].tolist()]
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = header  # a header written twice stays twice: the rater names it
    return frame


_NAMES = {"\t": "TSV", ",": "CSV", ";": "semicolon-separated CSV"}


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    """The text and its encoding: UTF-16 (Excel's "Unicode text", with its byte-order mark), UTF-8, or cp1252."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UnreadableFileError("starts like UTF-16 text but is not", source=str(path)) from None
    if b"\x00" in raw[:4096]:
        raise UnreadableFileError("looks like a binary file, not CSV or TSV text", source=str(path))
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as cp1252
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError("text is neither UTF-8 nor Windows-1252", source=str(path))  # pragma: no cover


# Where str.splitlines() ends a line: only the lines above the header are looked at.
_LINE_END = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _skip_comments(text: str) -> str:
    """Drop ``#`` comment lines (and blank lines) above the header row."""
    start = 0
    while start < len(text):
        match = _LINE_END.search(text, start)
        end = match.end() if match else len(text)
        line = text[start:end]
        if line.strip() and not _is_comment(line):
            break
        start = end
    return text[start:]


def _is_comment(line: str) -> bool:
    """``# Source: ...`` is a comment; ``#,Indicator,...`` is a header whose first column is "#"."""
    text = line.lstrip()
    return text.startswith("#") and not re.match(r"#\s*[,;\t]", text)


def _sniff(text: str) -> str:
    match = _LINE_END.search(text)
    first = text[:match.start()] if match else text  # the header line
    counts = {"\t": first.count("\t"), ",": first.count(","), ";": first.count(";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _read_xlsx(path: Path, sheet: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from kpi_excel.sources.xlsx import read_sheets

    for found in read_sheets(path, sheet):
        header_at = _header_row(found.rows)
        if header_at is not None:
            return _frames(found.rows, header_at)
    raise UnreadableFileError("no sheet has a header row with a latest value column", source=str(path))


def _header_row(rows: Sequence[Sequence[tuple[object, str | None]]]) -> int | None:
    """The first of the top 20 rows that names the latest value (titles may sit above)."""
    from kpi_excel.core.columns import match_columns  # here: reading a CSV needs none

    for index, row in enumerate(rows[:20]):
        if "latest_value" in match_columns([value for value, _ in row]):
            return index
    return None


def _frames(rows: Sequence[Sequence[tuple[object, str | None]]], header_at: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    header = [("" if v is None else str(v)) for v, _ in rows[header_at]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    body = [row for row in rows[header_at + 1:] if any(v is not None for v, _ in row[:width])]
    values = [[(row[i][0] if i < len(row) else None) for i in range(width)] for row in body]
    formats = [
        [(row[i][1] if i < len(row) and isinstance(row[i][0], (int, float)) else None) for i in range(width)]
        for row in body
    ]
    return pd.DataFrame(values, columns=header, dtype=object), pd.DataFrame(formats, columns=header, dtype=object)


# A text cell a spreadsheet would run as a formula (OWASP "CSV injection"): it starts
# with = + - @, a tab or a carriage return, and is not simply a number such as -0.07.
_FORMULA_START = r"^[=+\-@\t\r]"
_RISKY_FIRST = frozenset("=+-@\t\r")
_PLAIN_NUMBER = r"^(?:[+-]?(?=\.?\d)(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?%?|[+-])\Z"


def _formula_like(column: pd.Series) -> np.ndarray:
    """Positions of the cells that may start with = + - @, a tab or a CR (each is then
    looked at closely): by the first byte of each Arrow string, or the first character
    of each object (numpy's one-character text of it), with no Python per cell."""
    if isinstance(column.dtype, pd.StringDtype):
        found = _arrow_starting_with(column, _RISKY_FIRST)
        if found is not None:
            return found
        return np.flatnonzero(column.str.match(_FORMULA_START).fillna(False).to_numpy(dtype=bool))
    try:
        firsts = column.to_numpy(dtype=object).astype("U1")
    except (TypeError, ValueError):  # an object numpy cannot show as text: each distinct value, by Python
        distinct = pd.unique(column.to_numpy(dtype=object))
        starting = [v for v in distinct if isinstance(v, str) and v[:1] in _RISKY_FIRST]
        return np.flatnonzero(column.isin(starting).to_numpy(dtype=bool)) if starting else np.empty(0, np.int64)
    return np.flatnonzero(np.isin(firsts, sorted(_RISKY_FIRST)))


def _arrow_starting_with(column: pd.Series, firsts: frozenset[str]) -> np.ndarray | None:
    """Positions of the Arrow strings whose first byte is one of ``firsts`` (ASCII, so
    the first byte is the first character); None when the column is not held so."""
    import pyarrow as pa

    try:
        cells = pa.array(column.array)
    except (pa.ArrowException, TypeError):
        return None
    chunks = cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in chunks):
        return None
    wanted = np.frombuffer("".join(sorted(firsts)).encode("ascii"), dtype=np.uint8)
    found, base = [], 0
    for chunk in chunks:
        _, offsets, data = chunk.buffers()
        if len(chunk) and data is not None:
            width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            bounds = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
            starts = bounds[:-1]
            filled = np.flatnonzero(bounds[1:] > starts)  # an empty (or missing) cell has no first byte
            hits = np.isin(np.frombuffer(data, dtype=np.uint8)[starts[filled]], wanted)
            found.append(filled[hits] + base)
        base += len(chunk)
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell (and header) that a spreadsheet would run as a
    formula prefixed with ``'``, as OWASP recommends for CSV and TSV; numbers, and
    text that is just a number (``-0.07``, ``+5%``) or a lone ``-`` (a suppression
    code), stay as they are."""

    def defused(text: object) -> object:
        if isinstance(text, str) and re.match(_FORMULA_START, text) and not re.match(_PLAIN_NUMBER, text):
            return "'" + text
        return text

    out = None
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):  # the benchmark's: defuse each category once
            categories = list(column.cat.categories)
            safe = [defused(c) for c in categories]
            if safe != categories:
                out = frame.copy() if out is None else out
                out.isetitem(position, column.cat.rename_categories(safe))
            continue
        if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
            continue
        candidates = _formula_like(column)  # where a cell starts like a formula: few, looked at closely
        if not len(candidates):
            continue
        texts = column.to_numpy(dtype=object)
        risky = [i for i in candidates if defused(texts[i]) is not texts[i]]
        if not risky:
            continue
        safe = texts.copy()
        for i in risky:
            safe[i] = "'" + texts[i]
        if out is None:
            out = frame.copy()
        out.isetitem(position, pd.Series(safe, index=column.index, dtype=object))
    headers = [defused(c) for c in frame.columns]
    if headers != list(frame.columns):
        out = frame.copy() if out is None else out
        out.columns = headers
    return frame if out is None else out


def write_table(
    frame: pd.DataFrame,
    path: Path | None,
    stream: TextIO | None = None,
    formats: pd.DataFrame | None = None,
) -> None:
    """Write by extension (.csv, .tsv, .xlsx); to ``stream`` (stdout, CSV) when no path.

    CSV and TSV text that a spreadsheet would run as a formula is written
    with a leading ``'`` (:func:`defuse_formulas`), and every text is quoted
    (so a carriage return inside one cannot start a new row): the OWASP
    advice. XLSX cells are typed as text, so they never run. The file is written atomically: a full disk or a
    read-only folder is one clear error and leaves any earlier file as it was.
    ``formats`` (number formats of the input's first columns, from an XLSX
    input) keeps percentages looking like percentages in an XLSX output.
    """
    if path is None:
        out = stream or sys.stdout
        for piece in csv_pieces(defuse_formulas(_as_shown(frame, formats)), ","):
            out.write(piece if isinstance(piece, str) else piece.decode("utf-8"))
        return
    from kpi_excel.ooxml.atomic import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".tsv", ".txt"):
        raise UnreadableFileError(f"cannot write '{suffix or 'no extension'}' files (use .csv, .tsv or .xlsx)",
                                  source=str(path))

    def write(out) -> None:  # type: ignore[no-untyped-def]
        if suffix == ".xlsx":
            # openpyxl leaves its zip open if the disk fills mid-write: build in memory, then copy.
            buffer = io.BytesIO()
            _write_xlsx(frame, buffer, formats)
            out.write(buffer.getbuffer())
            return
        # With a BOM, Excel on Windows opens the file as UTF-8 ("→", "£", "ë" intact), not its ANSI code page.
        out.write(codecs.BOM_UTF8)
        for piece in csv_pieces(defuse_formulas(_as_shown(frame, formats)), "\t" if suffix == ".tsv" else ","):
            out.write(piece.encode("utf-8") if isinstance(piece, str) else piece)

    with officer_errors():
        atomic_write(path, write, verify=lambda written: None)


def _as_shown(frame: pd.DataFrame, formats: pd.DataFrame | None) -> pd.DataFrame:
    """Numbers as Excel shows them, for a text output: 0.817 under ``0.0%`` is
    ``81.7%``, a General 0.8170000000000001 is ``0.817`` (never float noise)."""
    from kpi_excel.core.values import decimals_of_format, format_number, is_percent_format

    out = None
    format_rows = formats.to_numpy(dtype=object) if formats is not None else None
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if column.dtype != object:
            continue  # our own computed numbers are already rounded to what they show
        if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty", "boolean", "integer"):
            continue  # no floats: nothing to show differently
        shown = []
        changed = False
        for row, value in enumerate(column.tolist()):
            if isinstance(value, float) and value == value and not isinstance(value, bool):
                number_format = None
                if format_rows is not None and position < format_rows.shape[1]:
                    number_format = format_rows[row][position]
                if isinstance(number_format, str) and number_format.lower() != "general":
                    percent = is_percent_format(number_format)
                    text = format_number(value * 100 if percent else value, decimals_of_format(number_format),
                                         percent)
                    if "," not in number_format.split(";")[0]:
                        text = text.replace(",", "")
                else:
                    text = f"{value:.15g}"
                shown.append(text)
                changed = True
            else:
                shown.append(value)
        if changed:
            if out is None:
                out = frame.copy()
            out.isetitem(position, pd.Series(shown, index=frame.index, dtype=object))
    return frame if out is None else out


def _write_xlsx(frame: pd.DataFrame, path: Path | BinaryIO, formats: pd.DataFrame | None) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    from kpi_excel.core.palette import HEADER, RAG_COLOURS, status_swatch
    from kpi_excel.core.plan import fit_text

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Rated")
    sheet.freeze_panes = "A2"
    header_font = Font(bold=True, color=HEADER.font)
    header_fill = PatternFill("solid", fgColor=HEADER.fill)
    rag_styles = {word: (PatternFill("solid", fgColor=s.fill), Font(color=s.font, bold=True))
                  for word, s in RAG_COLOURS.items()}
    if "rag" in frame.columns:  # a council's own statuses (Blue, Yellow, "Green star") in their colours
        for word in frame["rag"].dropna().unique().tolist():
            swatch = status_swatch(str(word)) if word not in rag_styles else None
            if swatch is not None:
                rag_styles[word] = (PatternFill("solid", fgColor=swatch.fill), Font(color=swatch.font, bold=True))
    headers = [str(c) for c in frame.columns]
    for position, header in enumerate(headers, start=1):
        width = 60 if header in ("rag_reason", "problems") else min(max(len(header) + 2, 10), 45)
        sheet.column_dimensions[get_column_letter(position)].width = width
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{len(frame) + 1}"

    def text_cell(value: object) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text, even "=SUM(...)"
        return cell

    header_cells = []
    for header in headers:
        cell = text_cell(header)
        cell.font, cell.fill = header_font, header_fill
        header_cells.append(cell)
    sheet.append(header_cells)
    rag_position = headers.index("rag") if "rag" in headers else -1
    format_rows = formats.to_numpy(dtype=object) if formats is not None else None
    for index, row in enumerate(frame.itertuples(index=False, name=None)):
        cells = []
        for position, value in enumerate(row):
            if value is None or (isinstance(value, float) and value != value):
                value = None
            elif isinstance(value, str):
                value = fit_text(value)  # Excel's cell limit, cut with a mark; the problems column says so
            cell = text_cell(value)
            if format_rows is not None and position < format_rows.shape[1] and format_rows[index][position]:
                cell.number_format = format_rows[index][position]
            if position == rag_position and value in rag_styles:
                cell.fill, cell.font = rag_styles[value]
            cells.append(cell)
        sheet.append(cells)
    book.save(path)
