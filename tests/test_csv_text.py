"""The Arrow-built CSV writes the same bytes pandas' csv-module writer wrote before it
(quoting=QUOTE_NONNUMERIC, lineterminator="\\n"), on every awkward cell we know of."""

from __future__ import annotations

import codecs
import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_excel.sources import csv_text
from kpi_excel.sources.csv_text import csv_pieces
from kpi_excel.sources.table_files import _as_shown, defuse_formulas, write_table

AWKWARD = ['plain', 'a "quoted" word', 'comma, inside', 'two\nlines', 'carriage\rreturn', 'crlf\r\nend',
           'tab\there', '', ' ', '"', '""', '£5 → 7 ë', '🙂 emoji', '=SUM(A1:A2)', '+44 20', '-0.07', '@me',
           'semi;colon', 'x\x00y']


def pandas_bytes(frame: pd.DataFrame, sep: str = ",") -> bytes:
    """What write_table wrote before: pandas' to_csv through a UTF-8 text wrapper, no BOM here."""
    return frame.to_csv(None, index=False, sep=sep, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")


def our_bytes(frame: pd.DataFrame, sep: str = ",") -> bytes:
    return b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in csv_pieces(frame, sep))


def awkward_frame(rows: int = 60) -> pd.DataFrame:
    texts = [AWKWARD[i % len(AWKWARD)] for i in range(rows)]
    floats = [[0.1 + 0.2, math.nan, -0.0, 1e-05, 1e16, math.inf, -math.inf, 58.05, 3.0, 123456789.125][i % 10]
              for i in range(rows)]
    with_missing = [[None, math.nan, pd.NA, "x", 'say "hi"'][i % 5] for i in range(rows)]
    return pd.DataFrame({
        "Code": pd.array(texts, dtype="str"),
        'He said "Indicator", then\nleft': pd.array([None if i % 7 == 0 else t for i, t in enumerate(texts)],
                                                    dtype="str"),
        "change": np.array(floats, dtype=np.float64),
        "trend": pd.Series(with_missing, dtype=object),
        "rag": pd.Categorical([[None, "Green", 'Am"ber', "=Red"][i % 4] for i in range(rows)]),
        "all missing": pd.Series([None] * rows, dtype=object),
        "problems": pd.Series(texts[::-1], dtype=object),
    })


@pytest.mark.parametrize("sep", [",", "\t"])
def test_every_awkward_cell_is_written_as_pandas_wrote_it(sep: str) -> None:
    frame = awkward_frame()
    assert isinstance(next(iter(csv_pieces(frame, sep))), bytes)  # the Arrow path, not the fallback
    assert our_bytes(frame, sep) == pandas_bytes(frame, sep)


def test_pieces_join_into_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_text, "ROWS_PER_PIECE", 7)
    frame = awkward_frame(50).iloc[3:]  # a slice: Arrow arrays with an offset
    assert len(list(csv_pieces(frame, ","))) == 1 + 7
    assert our_bytes(frame) == pandas_bytes(frame)


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"only": pd.array(["a", None, 'b"'], dtype="str")}),
    pd.DataFrame({"only": [math.nan, 1.5, math.nan]}),
    pd.DataFrame({"a": pd.array([], dtype="str"), "b": np.array([], dtype=np.float64)}),
    pd.DataFrame({"a": pd.array(["x"], dtype="str")}).iloc[:0],
], ids=["one text column", "one float column", "no rows", "no rows, sliced"])
def test_small_shapes(frame: pd.DataFrame) -> None:
    assert our_bytes(frame) == pandas_bytes(frame)


@pytest.mark.parametrize("column", [
    pd.Series([1, 2, 3]), pd.Series([True, False, True]), pd.Series(["a", 1, 2.5], dtype=object),
    pd.Series(np.array([0.1, 0.2, 0.3], dtype=np.float32)), pd.Series(pd.to_datetime(["2024-01-01"] * 3)),
    pd.Series(pd.array([1.5, None, 2.0], dtype="Float64")),
], ids=["ints", "bools", "mixed", "float32", "dates", "nullable floats"])
def test_other_kinds_of_column_are_left_to_pandas(column: pd.Series) -> None:
    frame = pd.DataFrame({"text": ["a", "b", "c"], "other": column})
    assert all(isinstance(p, str) for p in csv_pieces(frame, ","))
    assert our_bytes(frame) == pandas_bytes(frame)


def test_a_lone_surrogate_fails_as_it_did(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(csv_text, "ROWS_PER_PIECE", 2)
    frame = pd.DataFrame({"text": pd.Series(["fine", "good", "half \ud800 pair", "more"], dtype=object)})
    with pytest.raises(UnicodeEncodeError):
        pandas_bytes(frame)
    pieces = list(csv_pieces(frame, ","))
    assert isinstance(pieces[1], bytes) and isinstance(pieces[2], str)  # only its piece goes to pandas
    with pytest.raises(UnicodeEncodeError):
        our_bytes(frame)
    with pytest.raises(UnicodeEncodeError):
        write_table(frame, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []  # no half-written file


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=12)),
                          st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none())), max_size=30))
def test_any_text_and_float_cells(rows: list[tuple[str | None, float | None]]) -> None:
    texts = [t for t, _ in rows]
    if any("\ud800" <= c <= "\udfff" for t in texts if t for c in t):
        return  # lone surrogates: test_a_lone_surrogate_fails_as_it_did
    frame = pd.DataFrame({"text": pd.Series(texts, dtype=object), "str": pd.array(texts, dtype="str"),
                          "number": np.array([math.nan if f is None else f for _, f in rows], dtype=np.float64)})
    assert our_bytes(frame) == pandas_bytes(frame)


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_write_table_writes_the_old_bytes(tmp_path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    frame = awkward_frame()
    out = tmp_path / f"rated{suffix}"
    write_table(frame, out)
    old = io.BytesIO()
    text = io.TextIOWrapper(old, encoding="utf-8-sig", newline="")
    defuse_formulas(_as_shown(frame, None)).to_csv(text, index=False, sep="\t" if suffix == ".tsv" else ",",
                                                   lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    text.flush()
    assert out.read_bytes() == old.getvalue()
    assert out.read_bytes().startswith(codecs.BOM_UTF8 + b'"Code"')
    assert b"\"'=SUM(A1:A2)\"" in out.read_bytes()  # defused, then quoted


def test_write_table_to_a_stream_writes_the_old_text() -> None:
    frame = awkward_frame()
    ours, old = io.StringIO(), io.StringIO()
    write_table(frame, None, stream=ours)
    defuse_formulas(_as_shown(frame, None)).to_csv(old, index=False, lineterminator="\n",
                                                   quoting=csv.QUOTE_NONNUMERIC)
    assert ours.getvalue() == old.getvalue()


def _reference_defused(frame: pd.DataFrame) -> list[list[object]]:
    """defuse_formulas's rule cell by cell in Python: what the fast candidate search must not miss."""
    import re

    from kpi_excel.sources.table_files import _FORMULA_START, _PLAIN_NUMBER

    def defused(value: object) -> object:
        if isinstance(value, str) and re.match(_FORMULA_START, value) and not re.match(_PLAIN_NUMBER, value):
            return "'" + value
        return value
    return [[defused(v) for v in frame.iloc[:, j].tolist()] for j in range(frame.shape[1])]


def test_defusing_finds_every_formula_in_arrow_chunks_slices_and_objects() -> None:
    import pyarrow as pa

    texts = AWKWARD + ["\t=tab", "\r=cr", "=", "-", "-5%", "é=", "", "@"] + AWKWARD[::-1]
    chunked = pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(texts[:20], pa.large_string()),
                                                           pa.array(texts[20:] + [None], pa.large_string())]))
    frame = pd.DataFrame({
        "chunks": pd.Series(chunked).iloc[1:].reset_index(drop=True),  # an offset into the first chunk
        "objects": pd.Series(texts[1:] + [math.nan], dtype=object),
        "mixed": pd.Series([1, "=A1", None, 2.5, "+x", b"=bytes"] * 10, dtype=object).iloc[:len(texts)]
        .reset_index(drop=True),
    })
    frame = frame.iloc[:len(texts)]
    assert [defuse_formulas(frame).iloc[:, j].tolist() for j in range(3)] == _reference_defused(frame)
    assert "'=SUM(A1:A2)" in defuse_formulas(frame)["chunks"].tolist()
    assert "'\t=tab" in defuse_formulas(frame)["objects"].tolist()
