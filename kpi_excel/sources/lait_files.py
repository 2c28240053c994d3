"""DfE LAIT files: the long data (parquet or CSV), the data dictionary, the
statistical-neighbour lists and the LA code list.

LAIT's ``Short Desc`` is our indicator code, ``LA and Regions`` the area,
``Years`` the period and ``Values`` the value (text: numbers, or ``-``, ``c``,
``..`` for missing). ``LA Number`` tells authorities (< 970) from England and
the regions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Hashable, Sequence

import numpy as np
import pandas as pd

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.lait_rules import LAIT_MISSING, is_lait_frame, lait_dictionary, lait_numbers
from kpi_excel.core.observations import Observations, SourceProblem, empty_observations
from kpi_excel.errors import MissingColumnError, UnreadableFileError
from kpi_excel.sources.file_cache import cached, remembered

if TYPE_CHECKING:  # pyarrow is imported where it is used
    import pyarrow as pa

    from kpi_excel.core.funnel import CountPair

__all__ = [
    "LaitData",
    "NeighbourList",
    "read_lait",
    "read_lait_table",
    "read_dictionary",
    "read_neighbours",
    "load_directory",
    "lait_observations",
    "read_count_pairs",
]

_NEEDED = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
_TEXT = ["Short Desc", "Years", "LA and Regions", "Region"]  # few distinct values each
# Read as dictionary arrays too: parquet stores Values so (16,000 distinct texts a row group of
# 32,000), and each distinct text is then cleaned once (see _numbers).
_ENCODED = [*_TEXT, "Values"]


@dataclass
class LaitData:
    """LAIT's long data, read and cleaned: one row per indicator, area and year."""

    values: pd.DataFrame  # code, area, period, value (float; NaN missing), number, region
    source: str
    problems: list[SourceProblem] = field(default_factory=list)
    area_table: pd.DataFrame | None = field(default=None, repr=False)  # _areas() worked out once, when reused
    # What requests work out from this data alone (a funnel's counts), kept with the read that
    # made it: shared by every reuse of one read, dropped with it when the file changes.
    derived: dict[Hashable, Any] | None = field(default=None, repr=False)

    def _areas(self) -> pd.DataFrame:
        """One row per area: its name, LA number and region. Worked out on first use and
        kept (``authorities`` and ``directory`` both ask; the values are not changed after reading)."""
        if self.area_table is None:
            self.area_table = self._area_rows()
        return self.area_table.copy(deep=False)

    def _area_rows(self) -> pd.DataFrame:
        codes = self.values["area"].cat.codes.to_numpy() if isinstance(self.values["area"].dtype, pd.CategoricalDtype) \
            else pd.factorize(self.values["area"])[0]
        first = pd.Series(codes).drop_duplicates().index.to_numpy()  # each area's first row, in row order
        rows = self.values[["area", "number", "region"]].iloc[first]  # not the other columns' rows too
        return pd.DataFrame({"area": rows["area"].astype(object).to_numpy(), "number": rows["number"].to_numpy(),
                             "region": rows["region"].astype(object).to_numpy()})

    @property
    def authorities(self) -> list[str]:
        """Areas whose LA Number is below 970, as LAIT decides them (read once a process: found
        once, kept in ``derived`` as a tuple, and each caller given its own list)."""
        def authorities() -> tuple[str, ...]:
            areas = self._areas()
            return tuple(sorted(areas.loc[areas["number"] < 970, "area"]))

        return list(remembered(self.derived, ("authorities",), authorities))

    def directory(self, base: AreaDirectory | None = None) -> AreaDirectory:
        """The areas of the data (their numbers), added to ``base`` (the code list).

        Read once a process (``derived``), the sum for a base made a known way (the bundled
        code list) is worked out once too, and later bases are given a copy of it."""
        directory = base or AreaDirectory()
        made_from = directory.made_from
        key = ("directory", made_from)
        built = self.derived.get(key) if self.derived is not None and made_from is not None else None
        if built is not None:
            directory.take(built)  # what the adds below would make of a directory made the same way
            return directory
        for area, number, region in self._areas().itertuples(index=False, name=None):
            has_number = number == number
            directory.add(area, int(number) if has_number else None,
                          region if isinstance(region, str) and region not in ("", "NA") else None)
        directory.finish_regions()
        if self.derived is not None and made_from is not None:
            self.derived[key] = directory.copy()
        return directory


def read_lait_table(path: Path, columns: list[str] | None = None) -> pa.Table:
    """LAIT's long table as stored (parquet or CSV) as a pyarrow Table of text."""
    import pyarrow as pa

    path = Path(path)
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            present = set(pq.read_schema(path).names)
            wanted = [c for c in columns if c in present] if columns else None
            # Text columns straight into dictionary arrays: parquet stores them so already.
            dictionary = [c for c in _ENCODED if c in present and (wanted is None or c in wanted)]
            # The one file read as such: read_table reads through pyarrow.dataset, whose import and
            # planning were a third of reading the bundled extract. In this thread: arrow's pool of
            # threads cost several times the CPU of the read itself on a busy machine (5 ms alone,
            # often 20-60 ms threaded for the bundled extract), and a refresh is counted in CPU.
            with pq.ParquetFile(path, read_dictionary=dictionary) as parquet:
                return parquet.read(columns=wanted, use_threads=False)
        if suffix in (".csv", ".txt"):
            import pyarrow.csv as pcsv

            with path.open("rb") as handle:
                header = handle.readline().decode("utf-8-sig")
            names = next(__import__("csv").reader([header]), [])
            convert = pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names if name != "LA Number"},
                strings_can_be_null=False, include_columns=[c for c in columns if c in names] if columns else None,
            )
            return pcsv.read_csv(path, convert_options=convert)
    except (OSError, ValueError, KeyError, pa.ArrowException) as error:
        raise UnreadableFileError(f"cannot read as LAIT data ({type(error).__name__}: "
                                  f"{str(error).strip().splitlines()[0]})", source=str(path)) from None
    raise UnreadableFileError(f"cannot read '{suffix}' files as LAIT data (use .parquet or .csv)", source=str(path))


def read_lait(path: Path, *, reuse: bool = False) -> LaitData:
    """Read and clean LAIT's long data. Text that is neither a number nor one of
    LAIT's missing codes is missing too (as in R), and reported by row.

    Text columns come back categorical (arrow's dictionary encoding): 641,070
    rows name only 434 indicators, 170 areas and 64 years.

    ``reuse``: read the file once a process (again when it changes; see
    :mod:`~kpi_excel.sources.file_cache`), for a server that benchmarks request
    after request; each caller still gets a frame of its own.
    """
    if reuse:
        data = cached("lait", path, lambda: _with_area_table(read_lait(path)))
        return LaitData(data.values.copy(deep=False), data.source, list(data.problems), data.area_table,
                        data.derived)
    path = Path(path)
    source = f"lait:{path.name}"
    table = read_lait_table(path, columns=_NEEDED + ["Region"])
    if not is_lait_frame(table.column_names):
        raise MissingColumnError("not LAIT's long format (needs Short Desc, LA and Regions, Years, Values)",
                                 source=str(path))
    numbers, unreadable = _numbers(table.column("Values"))
    years = table.column("Years")
    # copy=False: the columns are ours, made just now; pandas would otherwise stack the two float
    # columns into one block, a fresh 10 MB copy (~20 ms of a benchmark's CPU).
    values = pd.DataFrame({
        "code": _categorical(table.column("Short Desc")),
        "area": _categorical(table.column("LA and Regions")),
        "period": _categorical(years),
        "value": numbers,
        "number": _float(table.column("LA Number")) if "LA Number" in table.column_names else np.nan,
        "region": _categorical(table.column("Region")) if "Region" in table.column_names else "",
    }, copy=False)
    problems = []
    if unreadable.any():
        texts = table.column("Values").to_pylist()
        codes = table.column("Short Desc").to_pylist()
        problems = [SourceProblem(f"{source} row {i + 2}", f"cannot read '{texts[i]}' as a number; taken as missing",
                                  str(codes[i])) for i in np.flatnonzero(unreadable)]
    blank_period = values["period"].isna().to_numpy()
    if blank_period.any():  # LAIT drops rows with no year; so do we, saying so
        problems += [SourceProblem(f"{source} row {i + 2}", "no year; row not used", str(values["code"].iloc[i]))
                     for i in np.flatnonzero(blank_period)]
        values = values[~blank_period].reset_index(drop=True)
    return LaitData(values, source, problems)


def _with_area_table(data: LaitData) -> LaitData:
    data.area_table = data._areas()
    data.derived = {}
    return data


def _categorical(column) -> pd.Categorical:  # type: ignore[no-untyped-def]
    """An arrow text column as a pandas categorical, without making 641,070 str objects."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        chunked = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([column])
        encoded = chunked.unify_dictionaries().combine_chunks() if chunked.num_chunks else \
            pc.dictionary_encode(chunked.cast(pa.string())).combine_chunks()
        if not pa.types.is_string(encoded.dictionary.type):
            encoded = pc.dictionary_encode(encoded.cast(pa.string()))
    else:
        encoded = pc.dictionary_encode(column.cast(pa.string())).combine_chunks()
    # The indices as arrow holds them (int32, no copy without nulls): from_codes narrows them to
    # int8/int16 itself, so a widening to int64 first was two copies of 641,070 numbers for nothing.
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    if encoded.indices.null_count:
        indices = np.where(encoded.indices.is_null().to_numpy(zero_copy_only=False), -1, indices)
    names = encoded.dictionary.to_pylist()
    return pd.Categorical.from_codes(indices, categories=pd.Index(names, dtype=object))


def _float(column) -> np.ndarray:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = pc.if_else(pc.equal(pc.utf8_trim_whitespace(column), ""), pa.scalar(None, pa.string()), column)
        column = pc.cast(column, pa.float64(), safe=False)
    return column.cast(pa.float64()).to_numpy(zero_copy_only=False)


def _numbers(column) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """LAIT's cleaning, in arrow: missing codes to null, then to float64 (arrow
    parses text to the nearest double, as R does). Unusual text takes the slower
    path through :func:`kpi_excel.core.lait_rules.lait_numbers`. Returns (numbers,
    NaN where missing; where the text is neither a number nor a missing code).

    A dictionary-encoded column (parquet's) is cleaned a distinct text at a time."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        return _encoded_numbers(column)
    return _text_numbers(column)


def _encoded_numbers(column) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """:func:`_numbers` of a dictionary column: each chunk's dictionary read, then spread
    to its rows (a null row is missing, as a null text is)."""
    import pyarrow as pa

    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    numbers = np.empty(len(column), dtype=np.float64)
    unreadable = np.empty(len(column), dtype=bool)
    start = 0
    for chunk in chunks:
        distinct, odd = _text_numbers(chunk.dictionary)
        # One more entry, NaN and readable, for the null rows.
        rows = chunk.indices.fill_null(len(distinct)).to_numpy(zero_copy_only=False)
        stop = start + len(chunk)
        numbers[start:stop] = np.append(distinct, np.nan)[rows]
        unreadable[start:stop] = np.append(odd, False)[rows]
        start = stop
    return numbers, unreadable


def _text_numbers(column) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.compute as pc

    text = column.cast(pa.string())
    missing = pc.or_kleene(pc.is_in(text, value_set=pa.array(list(LAIT_MISSING))),
                           pc.equal(pc.utf8_trim_whitespace(text), ""))
    cleaned = pc.if_else(pc.fill_null(missing, True), pa.scalar(None, pa.string()), text)
    try:
        numbers = pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False)  # float64 already
        # A column with nulls comes out as a fresh array; one without, as arrow's read-only memory.
        return numbers if numbers.flags.writeable else numbers.copy(), np.zeros(len(numbers), dtype=bool)
    except pa.ArrowInvalid:
        return lait_numbers(pd.Series(text.to_pylist(), dtype=object))


def lait_observations(data: LaitData) -> Observations:
    """LAIT data in the observations model (``source`` = ``lait:<file>``)."""
    values = data.values
    frame = empty_observations().reindex(range(len(values)))
    frame["code"] = values["code"].astype(object).to_numpy()
    frame["area"] = values["area"].astype(object).to_numpy()
    frame["period"] = values["period"].astype(object).to_numpy()
    frame["value"] = values["value"].to_numpy(np.float64)
    frame["source"] = data.source
    frame["note"] = np.where(np.isnan(frame["value"].to_numpy()), "not available (-)", "")
    frame["updated"] = pd.NaT
    frame["row"] = np.arange(2, len(values) + 2)
    return Observations(frame, list(data.problems))


def read_dictionary(path: Path, *, reuse: bool = False) -> pd.DataFrame:
    """An indicator table indexed by code (``name, polarity, no_quartile, dps``)
    from LAIT's data dictionary CSV or any table with code and polarity columns.
    ``reuse``: once a process, as :func:`read_lait`."""
    if reuse:
        return cached("dictionary", path, lambda: read_dictionary(path)).copy(deep=False)
    path = Path(path)
    if path.suffix.lower() == ".csv":
        if not path.exists():
            raise UnreadableFileError("no such file", source=str(path))
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        from kpi_excel.sources.table_files import read_table

        frame, _ = read_table(path)
    try:
        return lait_dictionary(frame)
    except KeyError:
        raise MissingColumnError("no indicator code column (Measure_short, Short Desc or Code)",
                                 source=str(path)) from None


@dataclass(frozen=True)
class NeighbourList:
    """One statistical-neighbour list: each authority's neighbours, best first."""

    label: str  # "2025-05" from sn_may_2025.xlsx; the file name otherwise
    neighbours: dict[str, list[str]]
    source: str


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

_MONTH_WORD = re.compile(rf"(?:^|[_\W])({'|'.join(_MONTHS)})")


def _label(path: Path) -> str:
    name = path.stem.lower()
    year = re.search(r"(?:19|20)\d\d", name)
    # The earliest month in the year named anywhere (one pattern for the twelve: each compiled was ~1 ms a process).
    month = min((_MONTHS[found] for found in _MONTH_WORD.findall(name)), default=None)
    if year:
        return f"{year.group(0)}-{month:02d}" if month else year.group(0)
    return path.stem


def read_neighbours(path: Path, directory: AreaDirectory, *, reuse: bool = False) -> NeighbourList:
    """A DfE statistical-neighbour workbook (``LA num, LA Name, ..., SN1, SNP,
    SN2, ...`` under a few title rows; neighbours by LA number) or a CSV with
    the same headers. Neighbours are returned by canonical area name.

    ``reuse``: the file's cells are read once a process, as :func:`read_lait`;
    names are still looked up in ``directory`` each time (a few ms)."""
    path = Path(path)
    rows: Sequence[Sequence[object]] = cached("neighbour rows", path, lambda: tuple(
        tuple(row) for row in _neighbour_rows(path))) if reuse else _neighbour_rows(path)
    header_at = next((i for i, row in enumerate(rows[:30])
                      if any(_norm(c) == "sn1" for c in row) and any(_norm(c) in ("la name", "la num") for c in row)),
                     None)
    if header_at is None:
        raise MissingColumnError("no header row with 'LA Name' and 'SN1' columns in the first 30 rows",
                                 source=str(path))
    header = [_norm(c) for c in rows[header_at]]
    name_at = header.index("la name") if "la name" in header else None
    num_at = header.index("la num") if "la num" in header else header.index("la number") if "la number" in header \
        else None
    sn_at = [i for i, h in enumerate(header) if re.fullmatch(r"sn\s?\d+", h)]
    neighbours: dict[str, list[str]] = {}
    for row in rows[header_at + 1:]:
        own = _area_of(row, num_at, name_at, directory)
        if own is None:
            continue
        names = []
        for i in sn_at:
            if i < len(row) and row[i] not in (None, ""):
                other = directory.by_number(int(float(row[i]))) if _is_number(row[i]) else directory.find(row[i])
                if other is not None:
                    names.append(other)
        neighbours[own] = names
    return NeighbourList(_label(path), neighbours, str(path))


def _neighbour_rows(path: Path) -> list[list[object]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from kpi_excel.sources.xlsx import sheet_values

        return sheet_values(path, prefer=("LA SN Groups",))
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, header=None)
    return frame.to_numpy(object).tolist()


def _area_of(row: Sequence[object], num_at: int | None, name_at: int | None, directory: AreaDirectory) -> str | None:
    if num_at is not None and num_at < len(row) and _is_number(row[num_at]):
        found = directory.by_number(int(float(row[num_at])))  # type: ignore[arg-type]
        if found:
            return found
    if name_at is not None and name_at < len(row) and row[name_at]:
        return directory.find(row[name_at])
    return None


def _is_number(value: object) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == value
    return isinstance(value, str) and value.strip().replace(".0", "").isdigit()


def _norm(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "").strip().lower())


def load_directory(path: Path | None = None) -> AreaDirectory:
    """The LA code list (the bundled copy of DfE's unless ``path`` is given)."""
    if path is None:
        return _bundled_directory().copy()  # each caller's own: readers extend it
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from kpi_excel.sources.xlsx import sheet_table

        frame = sheet_table(path)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return _directory_from(frame, path)


@lru_cache(maxsize=1)
def _bundled_directory() -> AreaDirectory:
    """The bundled code list's directory, built once a process; never handed out (callers get copies)."""
    directory = _directory_from(_bundled_code_list(), None)
    directory.made_from = ("bundled LA code list",)
    return directory


@lru_cache(maxsize=1)
def _bundled_code_list() -> pd.DataFrame:
    # Read once a process (the server refreshes many books with the same list);
    # each caller still gets its own directory, which readers extend.
    import io

    text = resources.files("kpi_excel").joinpath("data/la_code_list.csv").read_text(encoding="utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _directory_from(frame: pd.DataFrame, path: Path | None) -> AreaDirectory:
    columns = {re.sub(r"[^a-z]", "", str(c).lower()): c for c in frame.columns}
    pick = {
        "number": columns.get("number") or columns.get("lanumber") or columns.get("lanum"),
        "name": columns.get("name") or columns.get("laname"),
        "region": columns.get("region") or columns.get("goreg"),
        "kind": columns.get("kind") or columns.get("type"),
    }
    if pick["name"] is None:
        raise MissingColumnError("no 'LA Name' column in the LA code list", source=str(path or "bundled code list"))
    records = [
        {key: (row[col] if col is not None else None) for key, col in pick.items()}
        for row in frame.to_dict("records")
    ]
    records = [r for r in records if str(r["name"] or "").strip() and "discontinued" not in str(r["name"]).lower()]
    directory = AreaDirectory.from_records(records)
    directory.finish_regions()
    return directory


def read_count_pairs(path: Path, *, reuse: bool = False) -> dict[str, "CountPair"]:
    """Which LAIT indicators hold another's numerator and denominator
    (``indicator, numerator, denominator, kind, multiplier``; see
    ``kpi_excel/data/benchmark/lait_counts.csv``), by indicator code.
    ``reuse``: once a process, as :func:`read_lait` (the pairs are frozen; the dict is the caller's)."""
    if reuse:
        return dict(cached("count pairs", path, lambda: read_count_pairs(path)))
    from kpi_excel.core.funnel import CountPair
    from kpi_excel.core.measures import PROPORTION, RATE

    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as error:
        raise UnreadableFileError(f"cannot read the count pairs: {error}", source=str(path)) from None
    missing = {"indicator", "numerator", "denominator", "kind", "multiplier"} - set(frame.columns)
    if missing:
        raise MissingColumnError(f"no {', '.join(sorted(missing))} column", source=str(path))
    pairs = {}
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        kind = row.kind.strip().lower()
        if kind not in (PROPORTION, RATE) or not row.numerator.strip() or (kind == PROPORTION and
                                                                        not row.denominator.strip()):
            raise UnreadableFileError(f"row {line}: a pair needs a numerator, a kind (proportion or rate) and, "
                                      "for a proportion, a denominator", source=str(path))
        pairs[row.indicator.strip()] = CountPair(row.indicator.strip(), row.numerator.strip(),
                                                 row.denominator.strip(), kind, float(row.multiplier))
    return pairs
