"""Every parser of officer-typed text runs in linear time, and no cell over Excel's limit is read.

One KPIs Quartile cell of 100,000 "(" took 138 s (``^(.*?)\\s*\\((.*)\\)\\s*$`` in
the quartile parser) while the server's health check waited behind it. Each
parser entry point a workbook, a source or a request reaches is run here on
100,000-character hostile texts made of the characters its patterns look for;
each call must finish well inside a generous bound (a quadratic pattern takes
minutes on these). Cells longer than Excel's 32,767 characters, which no
Excel writes, are refused on read naming their sheet and cell.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from kpi_excel.core import areas, columns, measures, periods, polarity, rag, settings, targets, trend, values
from kpi_excel.workbook import file_door
from kpi_excel.ooxml import refs, styles
from tests.security.hostile import add_cells, example_report, refused_in_one_line

N = 100_000
BOUND = 5.0  # seconds for one call on 100,000 characters: linear parsers take milliseconds, quadratic minutes

# What the patterns look for, repeated: brackets, spaces, digits, signs, words they key on.
UNITS = ["(", ")", " ", "a", "0", "1", "-", ".", "%", "/", ":", "<", ">", "=", ",", "*", "[", "]", "£", "±",
         "Q", "q1", "1 ", "( ", " (", "(a", "a (", "1,", "0.", "1e", "+-", "a-", " -", "%(", "x(", "ytd ",
         "per ", "rate ", "aim to ", "(high ", "high is ", "2022/", "20 ", "12 ", "1 (", "(1%", "1%", "q ",
         "red ", "r ", "amber-", "better ", "median ", "quartile ", "above ", "#", "\"", "'", "\\", "\t", "\n"]


# The few that found every quadratic pattern of the sweep (brackets without their closer, spaces
# and digits before a suffix a pattern wants): run every time. The rest: with -m slow.
QUICK_UNITS = ["(", "[", " ", "1 ", "%", "(a", "a (", "q1 "]


def hostile_texts(units: list[str], variants: bool) -> list[str]:
    out = []
    for unit in units:
        body = unit * (N // len(unit))
        out += [body, "(" + body + ")x"]
        if variants:
            out += [body + "!", "x" + body, body + "(" * 3, "1" + body + "%"]
    return out

ENTRY_POINTS: dict[str, Callable[[str], Any]] = {
    "values.parse_value": values.parse_value,
    "values.parse_value (format)": lambda text: values.parse_value("1", text),
    "values.looks_like_formula": values.looks_like_formula,
    "values.decimals_of_format": values.decimals_of_format,
    "values.is_percent_format": values.is_percent_format,
    "targets.parse_target": targets.parse_target,
    "targets.parse_tolerance": targets.parse_tolerance,
    "periods.parse_period": periods.parse_period,
    "periods.parse_frequency": periods.parse_frequency,
    "periods.effective_frequency": lambda text: periods.effective_frequency(None, text),
    "polarity.parse_polarity": polarity.parse_polarity,
    "polarity.information_only": polarity.information_only,
    "polarity.polarity_in_name": polarity.polarity_in_name,
    "rag.parse_rule_spec": rag.parse_rule_spec,
    "rag.parse_rule": rag.parse_rule,
    "rag.parse_position": rag.parse_position,
    "rag.parse_quartile": rag.parse_quartile,
    "rag.parse_rag_word": rag.parse_rag_word,
    "rag.parse_override": rag.parse_override,
    "rag.parse_override (reason)": lambda text: rag.parse_override("Red", text),
    "trend.read_published_trend": trend.read_published_trend,
    "measures.parse_measure_type": measures.parse_measure_type,
    "measures.measure_from_unit": measures.measure_from_unit,
    "columns.normalise_header": columns.normalise_header,
    "columns.match_columns": lambda text: columns.match_columns([text, "Indicator", text]),
    "settings.read_settings": lambda text: settings.read_settings([("Extra sources", text), (text, text),
                                                                   ("RAG rule", text), ("Tolerance", text)]),
    "areas.normalise_area": areas.normalise_area,
    "refs.parse_range": refs.parse_range,
    "styles.is_date_format": styles.is_date_format,
}


def _run(parse: Callable[[str], Any], text: str) -> float:
    started = time.perf_counter()
    try:
        parse(text)
    except (ValueError, LookupError):  # refusing the text is fine; taking minutes is not
        pass
    except Exception as error:  # noqa: BLE001 - our errors are fine too
        if not type(error).__module__.startswith("kpi_excel"):
            raise
    return time.perf_counter() - started


def _check(name: str, texts: list[str]) -> None:
    parse = ENTRY_POINTS[name]
    slowest = max((_run(parse, text), repr(text[:12])) for text in texts)
    assert slowest[0] < BOUND, f"{name} took {slowest[0]:.1f} s on {slowest[1]}... ({N:,} characters)"


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_each_parser_is_linear_on_100k_character_hostile_text(name: str) -> None:
    _check(name, hostile_texts(QUICK_UNITS, variants=False))


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_each_parser_is_linear_on_the_whole_sweep(name: str) -> None:
    """~370 texts a parser (about four minutes in all): what found the quadratic patterns."""
    _check(name, hostile_texts(UNITS, variants=True))


def test_the_issue_case_a_quartile_of_100k_open_brackets() -> None:
    assert _run(rag.parse_quartile, "(" * N) < 0.5


# --- cells over Excel's limit, on read -----------------------------------------------------------


@pytest.mark.parametrize("cell", [
    '<c r="E9" t="inlineStr"><is><t>{}</t></is></c>',
    '<c r="E9" t="str"><f>REPT("x",40000)</f><v>{}</v></c>',
])
def test_a_cell_longer_than_excel_allows_is_refused_naming_sheet_and_cell(tmp_path, cell: str) -> None:  # type: ignore[no-untyped-def]
    report = example_report(tmp_path / "report.xlsx")
    add_cells(report, "Data", f'<row r="9000">{cell.format("(" * 40_000).replace("E9", "E9000")}</row>')
    line = refused_in_one_line(CliRunner(), ["refresh", report], report)
    assert "sheet 'Data' cell E9000: it holds 40,000 characters, more than the 32,767 Excel allows" in line


def test_file_door_reads_a_cell_of_exactly_excels_limit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kpi_excel.ooxml import XlsxPackage

    report = example_report(tmp_path / "report.xlsx")
    add_cells(report, "Data", f'<row r="9000"><c r="E9000" t="inlineStr"><is><t>{"x" * 32_767}</t></is></c></row>')
    assert XlsxPackage.open(report).read_sheet("Data").value(9000, 5) == "x" * 32_767
    assert file_door  # the door reads through the same reader


@pytest.mark.parametrize("cells", [
    b'<c r="A1">' * 100_000,  # no cell ever closed: the fast reader's ".*?</c>" scanned to the end for each
    b'<c r="A1" t="inlineStr">' + b"<is><t>" * 50_000 + b"</c>",  # one cell of unclosed bodies
    b'<c r="A1">' + b"<f>" * 100_000 + b"</c>",
])
def test_the_sheet_reader_is_linear_on_unclosed_cells(cells: bytes) -> None:
    """20,000 unclosed cells (200 KB of XML) took the sheet reader 128 s."""
    from kpi_excel.ooxml.sheet_values import read_sheet_values

    data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
            + cells + b"</row></sheetData></worksheet>")
    started = time.perf_counter()
    try:
        read_sheet_values(data, [], sheet="Data")
    except Exception as error:  # noqa: BLE001 - refusing the sheet is fine; the time is the test
        assert type(error).__module__.startswith("kpi_excel"), error
    assert time.perf_counter() - started < BOUND
