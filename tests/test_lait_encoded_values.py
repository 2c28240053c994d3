"""LAIT's Values read as parquet stores them (dictionary-encoded) clean to the same numbers,
and the same unreadable rows, as the same texts read plainly (issue 20: each distinct
text is cleaned once)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kpi_excel.sources.lait_files import _numbers, read_lait, read_lait_table

TEXTS = ["1", "2.5", "-", "c", "..", "", "  ", " 3 ", "-0", "1e3", "0x1A", "Inf", "NaN", None, "abc", " - ", "1", "-",
         "7,5", "12", None, "c"]


def _same(plain: tuple[np.ndarray, np.ndarray], encoded: tuple[np.ndarray, np.ndarray]) -> None:
    assert np.array_equal(plain[0], encoded[0], equal_nan=True)
    assert np.array_equal(np.signbit(plain[0]), np.signbit(encoded[0]))  # -0 stays -0
    assert np.array_equal(plain[1], encoded[1])


@pytest.mark.parametrize("texts", [TEXTS, [t for t in TEXTS if t not in ("0x1A", "Inf", "NaN", "abc", " - ", "7,5")],
                                   [None, None], []])
def test_a_dictionary_column_cleans_as_its_texts_do(texts: list[str | None]) -> None:
    plain = pa.chunked_array([pa.array(texts, pa.string())])
    encoded = pa.chunked_array([pa.array(texts[:5], pa.string()).dictionary_encode(),
                                pa.array(texts[5:], pa.string()).dictionary_encode()])
    _same(_numbers(plain), _numbers(encoded))


def test_read_lait_reads_values_encoded_and_keeps_its_numbers_and_problems(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = len(TEXTS)
    table = pa.table({"Short Desc": ["A"] * rows, "Years": [str(2000 + i) for i in range(rows)],
                      "LA and Regions": ["Leeds"] * rows, "Values": TEXTS, "LA Number": [383.0] * rows})
    path = tmp_path / "lait.parquet"
    pq.write_table(table, path, row_group_size=7)  # several row groups, each its own dictionary
    data = read_lait(path)
    _same(_numbers(pa.chunked_array([pa.array(TEXTS, pa.string())])),
          (data.values["value"].to_numpy(), np.isin(np.arange(rows), [int(p.where.rsplit(" ", 1)[1]) - 2
                                                                      for p in data.problems])))
    assert [p.where.rsplit(" ", 1)[1] for p in data.problems] == ["16", "17", "20"]  # abc, " - ", 7,5
    assert pa.types.is_dictionary(read_lait_table(path, ["Values"]).column("Values").type)
