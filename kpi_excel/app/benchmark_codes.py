"""The Benchmark Codes an officer can type on the KPIs sheet: ``kpi-excel benchmark-codes``.

A KPI row is benchmarked when its Benchmark Code is one of the benchmark data's
indicator codes (LAIT's ``Short Desc``). Finding one meant opening the parquet;
this lists them from the benchmark data's dictionary (each code, its name and
polarity), for the bundled example, a report's own Settings, or a LAIT file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from kpi_excel.errors import InputError, officer_errors
from kpi_excel.sources.policy import EXAMPLE_BENCHMARK

__all__ = ["benchmark_codes"]

_WORKBOOKS = (".xlsx", ".xlsm")


def benchmark_codes(source: str = EXAMPLE_BENCHMARK, search: str | None = None) -> pd.DataFrame:
    """Code, Indicator and Polarity of every indicator of the benchmark data ``source``:
    ``example`` (bundled), a report workbook (its Settings' Benchmark data), or LAIT's data
    (``lait:path.parquet``; its dictionary lies beside it). ``search`` keeps the rows whose code
    or name holds every word of it, ignoring case."""
    from kpi_excel.app.authority_benchmark import dictionary_beside
    from kpi_excel.sources.lait_files import read_dictionary

    spec = source.strip()
    if spec.lower().endswith(_WORKBOOKS):
        spec = _workbook_benchmark(Path(spec))
    if spec.lower() == EXAMPLE_BENCHMARK:
        dictionary = Path(str(resources.files("kpi_excel").joinpath("data/benchmark/lait_dictionary.csv")))
    elif spec.lower().endswith(".csv") and not spec.startswith("lait:") and "dictionary" in Path(spec).name.lower():
        dictionary = Path(spec)  # the dictionary itself
    else:
        dictionary = dictionary_beside(spec)
    found = read_dictionary(dictionary)
    polarity = found["polarity"].astype(str).map(
        lambda p: {"high": "High = Good", "low": "Low = Good"}.get(p.strip().lower(), "N/A"))
    table = pd.DataFrame({"Code": found.index.astype(str), "Indicator": found["name"].astype(str).to_numpy(),
                          "Polarity": polarity.to_numpy()})
    for word in (search or "").lower().split():
        table = table[table["Code"].str.lower().str.contains(word, regex=False)
                      | table["Indicator"].str.lower().str.contains(word, regex=False)]
    return table.sort_values("Code", key=lambda codes: codes.str.lower()).reset_index(drop=True)


def _workbook_benchmark(path: Path) -> str:
    """The Benchmark data a report's Settings sheet names (relative paths from the workbook's folder)."""
    from kpi_excel.core.report import settings_from
    from kpi_excel.sources.policy import SourcePolicy
    from kpi_excel.workbook.file_door import read_inputs
    from kpi_excel.ooxml import XlsxPackage

    if not path.is_file():
        raise InputError("no such file", source=str(path))
    with officer_errors():
        settings = settings_from(read_inputs(XlsxPackage.open(path), path.parent).content.settings)
    if not settings.benchmark_source:
        raise InputError("Benchmark data is empty: set it (e.g. 'example' or 'lait:path.parquet'), or give the "
                         "benchmark data itself", source=str(path), sheet="Settings")
    if settings.benchmark_source.strip().lower() == EXAMPLE_BENCHMARK:
        return EXAMPLE_BENCHMARK
    return SourcePolicy.as_user().benchmark(settings.benchmark_source, path.parent).spec
