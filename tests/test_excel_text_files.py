"""Text files an officer opens in Excel on Windows: CSV/TSV written with a UTF-8 BOM.

Excel on Windows opens a CSV without a BOM in the ANSI code page, so "→" becomes "â†’" and
"£" becomes "Â£". With the BOM it reads UTF-8. (The add-in's config file, read by VBA, is the
opposite case: ANSI and CR LF; see tests/addin/test_install.py.)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kpi_excel.cli import main

BOM = b"\xef\xbb\xbf"
NAME = "Children’s centres – £ per visit (Zoë’s team)"


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_rate_output_opens_as_utf8_in_excel(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "in.csv"
    source.write_text("Indicator,Polarity,Previous,Latest,Target\n"
                      f'"{NAME}",High = Good,91.6,77.6,>97.2\n', encoding="cp1252")  # as Excel saves CSV
    out = tmp_path / f"rated{suffix}"
    result = CliRunner().invoke(main, ["rate", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(BOM) and not raw[3:].startswith(BOM)
    text = raw.decode("utf-8-sig")
    assert NAME in text and "\r" not in text
    frame = pd.read_csv(out, sep="\t" if suffix == ".tsv" else ",", dtype=str)
    assert frame.columns[0] == "Indicator" and frame.loc[0, "rag"] == "Red"


def test_rate_to_stdout_has_no_bom(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f'Indicator,Polarity,Previous,Latest\n"{NAME}",High = Good,1,2\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["rate", str(source)])
    assert result.exit_code == 0 and result.stdout.startswith('"Indicator",')  # no BOM before the header


def test_benchmark_csv_opens_as_utf8_in_excel(lait_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "leics.csv"
    result = CliRunner().invoke(main, ["benchmark", str(lait_dir / "bds_long_0.parquet"), "--dictionary",
                                       str(lait_dir / "lait_data_dictionary.csv"), "--area", "Leicestershire",
                                       "--latest", "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(BOM + b"indicator,") and raw.count(BOM) == 1
    assert len(pd.read_csv(out, dtype=str)) == 434


@pytest.mark.parametrize("above", ["", "\r\n\n", "# Source: Zoë’s team – £\n",
                                   "# ”quoted” notes\r\n\n# again\n"])
@pytest.mark.parametrize("bom", [b"", BOM])
def test_utf8_read_as_bytes_gives_the_cells_the_text_reader_gives(tmp_path: Path, above: str, bom: bytes) -> None:
    # UTF-8 goes to the parser as the file's bytes, cp1252 as decoded text: the same cells either way.
    from kpi_excel.sources.table_files import read_table

    text = (above + "Indicator,Polarity,Latest,Note\r\n"
            f'"{NAME}",High = Good,77.6,"two\r\nlines, “quoted”"\n\n'
            '"say ""hi""",L,1,€5\r\n')
    utf8, ansi = tmp_path / "utf8.csv", tmp_path / "ansi.csv"
    utf8.write_bytes(bom + text.encode("utf-8"))
    ansi.write_bytes(text.encode("cp1252"))
    from_bytes, from_text = read_table(utf8)[0], read_table(ansi)[0]
    pd.testing.assert_frame_equal(from_bytes, from_text)
    assert list(from_bytes.columns) == ["Indicator", "Polarity", "Latest", "Note"]
    assert from_bytes.iloc[0].tolist() == [NAME, "High = Good", "77.6", "two\r\nlines, “quoted”"]
    assert from_bytes.iloc[1].tolist() == ['say "hi"', "L", "1", "€5"]
