"""The benchmark job: load the data, the dictionary, neighbours and a comparator
group, call :func:`kpi_excel.core.benchmark.benchmark`, hand back a table.

What the ``kpi-excel benchmark`` command and the add-ins call; all input and
output decisions live here so the core stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Hashable, Sequence

import pandas as pd

from kpi_excel.core.areas import AreaDirectory, AreaError
from kpi_excel.core.benchmark import benchmark
from kpi_excel.core.observations import SourceProblem
from kpi_excel.errors import InputError, UnreadableFileError, officer_errors

__all__ = [
    "BenchmarkRun",
    "BenchmarkData",
    "load_benchmark_data",
    "read_group",
    "pick_neighbours",
    "run_benchmark",
    "for_writing",
    "write_benchmark",
]


@dataclass
class BenchmarkData:
    """Values ready to benchmark, and what is known about their areas."""

    values: pd.DataFrame  # code, area, period, value (and numerator, denominator when the source has them)
    authorities: list[str]
    directory: AreaDirectory
    latest_by: str  # "label" for LAIT files (LAIT's rule), "period" otherwise
    period_order: dict[str, tuple] | None
    source: str
    problems: list[SourceProblem] = field(default_factory=list)
    # Kept with a LAIT file read once a process (LaitData.derived); None when read afresh.
    derived: dict[Hashable, Any] | None = field(default=None, repr=False)


@dataclass
class BenchmarkRun:
    """A finished benchmark: the table, and what an officer should hear."""

    frame: pd.DataFrame
    problems: list[SourceProblem]
    indicators: int
    areas: int
    neighbour_lists: list[str]

    def summary(self, output: Path | None = None) -> str:
        ranked = int(self.frame["rank"].notna().sum()) if len(self.frame) else 0
        where = f" → {output}" if output else ""
        lists = f"; neighbours from {', '.join(self.neighbour_lists)}" if self.neighbour_lists else ""
        problems = f"; {len(self.problems)} problem(s) in the data" if self.problems else ""
        return (f"Benchmarked {self.indicators} indicator{'s' if self.indicators != 1 else ''} for "
                f"{self.areas} area{'s' if self.areas != 1 else ''}: {len(self.frame):,} rows, {ranked:,} ranked"
                f"{lists}{problems}{where}")


def load_benchmark_data(spec: str | Path, directory: AreaDirectory | None = None, *,
                        reuse: bool = False) -> BenchmarkData:
    """Read DATA: LAIT's long format (parquet or CSV, found by its headers) or
    any source in the observations model (see :mod:`kpi_excel.sources.spec`).
    ``reuse``: a LAIT file is read once a process (see :func:`~kpi_excel.sources.lait_files.read_lait`)."""
    from kpi_excel.sources.lait_files import load_directory, read_lait
    from kpi_excel.sources.spec import is_lait_source, read_source

    base = directory or load_directory()
    if is_lait_source(spec):
        path = str(spec)
        data = read_lait(Path(path[5:] if path.startswith("lait:") else path), reuse=reuse)
        return BenchmarkData(data.values[["code", "area", "period", "value"]], data.authorities,
                             data.directory(base), "label", None, data.source, data.problems, data.derived)
    observations = read_source(spec, directory=base)
    frame = observations.frame
    areas = set(frame["area"].unique())
    authorities = sorted(a for a in areas if a in base and base.areas[a].is_authority)
    from kpi_excel.core.periods import PeriodError, parse_period

    order: dict[str, tuple] = {}
    for label in frame["period"].unique():
        try:
            period = parse_period(label)
        except PeriodError:
            continue
        order[label] = period.sort_key
    columns = ["code", "area", "period", "value"]
    if frame["numerator"].notna().any():  # counts across authorities: intervals and funnel plots
        columns += ["numerator", "denominator"]
    return BenchmarkData(frame[columns], authorities, base, "period", order, str(spec), observations.problems)


def read_group(path: Path, directory: AreaDirectory) -> set[str]:
    """A comparator group: one LA name or number a line, or a CSV/XLSX column
    headed like ``LA Name``, ``Area``, ``Authority`` or ``LA Number`` (else its
    first column). Every entry must be a known authority: an unknown line is an
    error naming it, never a silently smaller group."""
    path = Path(path)
    if not path.exists():
        raise UnreadableFileError("no such file", source=str(path))
    entries = _group_entries(path)
    members: set[str] = set()
    for line, text in entries:
        try:
            name = directory.resolve(text, source=str(path))
        except AreaError as error:
            raise AreaError(error.message, source=str(path), row=line) from None
        if not directory.areas[name].is_authority:
            raise InputError(f"'{text}' is {name}, not an authority", source=str(path), row=line)
        members.add(name)
    if not members:
        raise InputError("the comparator group lists no authorities", source=str(path))
    return members


def _group_entries(path: Path) -> list[tuple[int, str]]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".xlsx", ".xlsm"):
        from kpi_excel.sources.table_files import read_table

        if suffix in (".xlsx", ".xlsm"):
            from kpi_excel.sources.xlsx import sheet_table

            frame = sheet_table(path)
        else:
            frame, _ = read_table(path)
        keys = {"".join(ch for ch in str(c).lower() if ch.isalnum()): c for c in frame.columns}
        column = next((keys[k] for k in ("laname", "area", "authority", "localauthority", "name", "lanumber",
                                          "lanum", "la", "code") if k in keys), frame.columns[0] if len(frame.columns)
                      else None)
        if column is None:
            return []
        return [(i + 2, str(v).strip()) for i, v in enumerate(frame[column].tolist())
                if v is not None and str(v).strip() not in ("", "nan")]
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [(i + 1, line.strip()) for i, line in enumerate(lines) if line.strip() and not line.strip().startswith("#")]


def pick_neighbours(lists: Sequence, prefer: str | None = None) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each authority's neighbours from the newest list that has it (so an
    authority that exists only in an older list, such as Northamptonshire in
    2021, still gets its neighbours), or from the list whose label starts with
    ``prefer`` first. Returns (neighbours, list label per authority)."""
    ordered = sorted(lists, key=lambda item: item.label, reverse=True)
    if prefer:
        chosen = [item for item in ordered if item.label.startswith(prefer) or prefer in item.source]
        if not chosen:
            labels = ", ".join(item.label for item in ordered) or "none given"
            raise InputError(f"no neighbour list for '{prefer}' (lists: {labels})")
        ordered = chosen + [item for item in ordered if item not in chosen]
    neighbours: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for item in ordered:
        for area, names in item.neighbours.items():
            if area not in neighbours and names:
                neighbours[area] = list(names)
                labels[area] = item.label
    return neighbours, labels


def run_benchmark(
    data: str | Path,
    dictionary: Path,
    *,
    area: str | None = None,
    period: str | None = None,
    group: Path | set[str] | None = None,
    neighbours: Sequence[Path] = (),
    neighbours_from: str | None = None,
    codes: Path | None = None,
) -> BenchmarkRun:
    """Benchmark every indicator in ``data`` at its latest period (or ``period``)
    for ``area`` (lenient name matching) or, with ``area=None``, every authority."""
    from kpi_excel.sources.lait_files import load_directory, read_dictionary, read_neighbours

    directory = load_directory(codes) if codes else None
    loaded = load_benchmark_data(data, directory)
    indicators = read_dictionary(Path(dictionary))
    own = loaded.directory.resolve(area, lenient=True) if area else None
    if own is not None and not loaded.directory.areas[own].is_authority:
        raise InputError(f"'{area}' is {own}, not an authority; benchmark an authority")
    members = read_group(group, loaded.directory) if isinstance(group, (str, Path)) else group
    lists = [read_neighbours(Path(p), loaded.directory) for p in neighbours]
    sn, sn_labels = pick_neighbours(lists, neighbours_from) if lists else ({}, {})
    regions = {name: loaded.directory.region_of(name) or "" for name in loaded.authorities}
    frame = benchmark(
        loaded.values, indicators, loaded.authorities,
        areas=[own] if own else None, period=period, latest_by=loaded.latest_by,  # type: ignore[arg-type]
        period_order=loaded.period_order, group=members, neighbours=sn, neighbour_list=sn_labels,
        regions=regions,
    )
    if period is not None and frame.empty:
        raise InputError(f"no indicator has data for period '{period}'", source=loaded.source)
    return BenchmarkRun(frame, loaded.problems, int(frame["indicator"].nunique()), int(frame["area"].nunique()),
                        sorted({label for label in sn_labels.values()}, reverse=True))


def write_benchmark(frame: pd.DataFrame, output: Path | None) -> None:
    """Write the benchmark table: CSV through arrow's writer (68,572 rows in a
    few hundredths of a second, same text as pandas: numbers in shortest
    round-trip form, empty cells for missing), anything else through
    :func:`kpi_excel.sources.table_files.write_table`. Text a spreadsheet would run as a
    formula gets a leading ``'`` (:func:`kpi_excel.sources.table_files.defuse_formulas`);
    the file is written atomically, a full disk or read-only folder one line."""
    from kpi_excel.sources.table_files import defuse_formulas, write_table

    if output is None or Path(output).suffix.lower() != ".csv":
        out = for_writing(frame) if output is not None and Path(output).suffix.lower() == ".xlsx" else frame
        write_table(out, output)
        return
    import csv
    import io

    import pyarrow as pa
    import pyarrow.csv as pcsv

    from kpi_excel.ooxml.atomic import atomic_write

    frame = defuse_formulas(frame)
    table = pa.Table.from_pandas(frame, preserve_index=False)

    def write(handle) -> None:  # type: ignore[no-untyped-def]
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow([str(c) for c in frame.columns])
        handle.write(header.getvalue().encode("utf-8-sig"))  # a BOM: Excel on Windows then reads UTF-8
        pcsv.write_csv(table, handle, pcsv.WriteOptions(include_header=False, quoting_style="needed"))

    with officer_errors():
        atomic_write(Path(output), write, verify=lambda written: None)


def for_writing(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None (empty cells), numbers as numbers: ready for any writer."""
    out = frame.astype(object)
    return out.where(frame.notna().to_numpy(), None)

