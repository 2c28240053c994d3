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
from pathlib import Path

import numpy as np
import pandas as pd

from kpi_excel.core.areas import AreaDirectory
from kpi_excel.core.lait import LAIT_COLUMNS, is_lait_frame, lait_dictionary, lait_numbers
from kpi_excel.core.observations import Observations, SourceProblem, empty_observations
from kpi_excel.errors import MissingColumnError, UnreadableFileError

__all__ = [
    "LaitData",
    "NeighbourList",
    "read_lait",
    "read_lait_table",
    "read_dictionary",
    "read_neighbours",
    "load_directory",
    "lait_observations",
]

_NEEDED = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]


@dataclass
class LaitData:
    """LAIT's long data, read and cleaned: one row per indicator, area and year."""

    values: pd.DataFrame  # code, area, period, value (float; NaN missing), number, region
    source: str
    problems: list[SourceProblem] = field(default_factory=list)

    @property
    def authorities(self) -> list[str]:
        """Areas whose LA Number is below 970, as LAIT decides them."""
        rows = self.values.drop_duplicates("area")
        return sorted(rows.loc[rows["number"] < 970, "area"])

    def directory(self, base: AreaDirectory | None = None) -> AreaDirectory:
        """The areas of the data (their numbers), added to ``base`` (the code list)."""
        directory = base or AreaDirectory()
        areas = self.values.drop_duplicates("area")[["area", "number", "region"]]
        for area, number, region in areas.itertuples(index=False, name=None):
            has_number = number == number
            directory.add(area, int(number) if has_number else None,
                          region if isinstance(region, str) and region not in ("", "NA") else None)
        directory.finish_regions()
        return directory


def read_lait_table(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """LAIT's long table as stored (parquet or CSV), text columns as text."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            table = pq.read_table(path, columns=columns)
            return table.to_pandas()
        if suffix in (".csv", ".txt", ".gz"):
            return pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns, engine="pyarrow"
                               if columns is None else "c")
    except (OSError, ValueError, KeyError) as error:
        raise UnreadableFileError(f"cannot read as LAIT data ({type(error).__name__}: "
                                  f"{str(error).splitlines()[0]})", source=str(path)) from None
    raise UnreadableFileError(f"cannot read '{suffix}' files as LAIT data (use .parquet or .csv)", source=str(path))


def read_lait(path: Path) -> LaitData:
    """Read and clean LAIT's long data. Text that is neither a number nor one of
    LAIT's missing codes is missing too (as in R), and reported by row."""
    path = Path(path)
    source = f"lait:{path.name}"
    try:
        raw = read_lait_table(path, columns=_NEEDED + ["Region"])
    except UnreadableFileError:
        raw = read_lait_table(path)
    if not is_lait_frame(raw.columns):
        raise MissingColumnError("not LAIT's long format (needs Short Desc, LA and Regions, Years, Values)",
                                 source=str(path))
    numbers, unreadable = lait_numbers(raw["Values"])
    values = pd.DataFrame({
        "code": raw["Short Desc"].to_numpy(object),
        "area": raw["LA and Regions"].to_numpy(object),
        "period": raw["Years"].to_numpy(object),
        "value": numbers,
        "number": pd.to_numeric(raw["LA Number"], errors="coerce").to_numpy(np.float64)
        if "LA Number" in raw.columns else np.nan,
        "region": raw["Region"].to_numpy(object) if "Region" in raw.columns else "",
    })
    problems = [
        SourceProblem(f"{source} row {i + 2}", f"cannot read '{raw['Values'].iloc[i]}' as a number; taken as missing",
                      str(raw["Short Desc"].iloc[i]))
        for i in np.flatnonzero(unreadable)
    ]
    blank_period = values["period"].isna().to_numpy()
    if blank_period.any():  # LAIT drops rows with no year; so do we, saying so
        problems += [SourceProblem(f"{source} row {i + 2}", "no year; row not used", str(values["code"].iloc[i]))
                     for i in np.flatnonzero(blank_period)]
        values = values[~blank_period].reset_index(drop=True)
    return LaitData(values, source, problems)


def lait_observations(data: LaitData) -> Observations:
    """LAIT data in the observations model (``source`` = ``lait:<file>``)."""
    values = data.values
    frame = empty_observations().reindex(range(len(values)))
    frame["code"] = values["code"].to_numpy(object)
    frame["area"] = values["area"].to_numpy(object)
    frame["period"] = values["period"].to_numpy(object)
    frame["value"] = values["value"].to_numpy(np.float64)
    frame["source"] = data.source
    frame["note"] = np.where(np.isnan(frame["value"].to_numpy()), "not available (-)", "")
    frame["updated"] = pd.NaT
    frame["row"] = np.arange(2, len(values) + 2)
    return Observations(frame, list(data.problems))


def read_dictionary(path: Path) -> pd.DataFrame:
    """An indicator table indexed by code (``name, polarity, no_quartile, dps``)
    from LAIT's data dictionary CSV or any table with code and polarity columns."""
    from kpi_excel.tablefile import read_table

    path = Path(path)
    if path.suffix.lower() == ".csv":
        if not path.exists():
            raise UnreadableFileError("no such file", source=str(path))
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
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


def _label(path: Path) -> str:
    name = path.stem.lower()
    year = re.search(r"(?:19|20)\d\d", name)
    month = next((number for word, number in _MONTHS.items() if re.search(rf"(?:^|[_\W]){word}", name)), None)
    if year:
        return f"{year.group(0)}-{month:02d}" if month else year.group(0)
    return path.stem


def read_neighbours(path: Path, directory: AreaDirectory) -> NeighbourList:
    """A DfE statistical-neighbour workbook (``LA num, LA Name, ..., SN1, SNP,
    SN2, ...`` under a few title rows; neighbours by LA number) or a CSV with
    the same headers. Neighbours are returned by canonical area name."""
    path = Path(path)
    rows = _neighbour_rows(path)
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
        from kpi_excel.sources.xlsx import read_sheet

        sheet = read_sheet(path, prefer=("LA SN Groups",))
        return [[cell.value for cell in row] for row in sheet.rows]
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, header=None)
    return frame.to_numpy(object).tolist()


def _area_of(row: list[object], num_at: int | None, name_at: int | None, directory: AreaDirectory) -> str | None:
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
        text = resources.files("kpi_excel").joinpath("data/la_code_list.csv").read_text(encoding="utf-8")
        import io

        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    else:
        path = Path(path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from kpi_excel.sources.xlsx import read_sheet

            sheet = read_sheet(path)
            rows = [[c.value for c in row] for row in sheet.rows]
            frame = pd.DataFrame(rows[1:], columns=[str(c) for c in rows[0]], dtype=object)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
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
