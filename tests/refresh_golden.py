"""Golden refreshes: what a refresh writes, captured so a speed-up can prove it changed nothing.

Three workbooks are made in code and refreshed with a fixed clock and user:

* ``example``: the bundled example report (``kpi-excel new --example``);
* ``big``: ``bench/big_report.py``'s workbook at a small size (120 indicators,
  4,800 history rows: Summary, Benchmark, KPI history with its 60 line charts);
* ``messy``: a report whose Data sheet holds what officers really paste: blank
  and float codes, dates and unreadable periods, suppression codes, ``3% (420)``,
  text numbers, counts, Updated stamps, unknown areas, repeats with the same and
  with different values.

The golden of each (``tests/fixtures/refresh_golden/<name>.json.gz``) holds the
summary lines and problems, and the text of every part of the refreshed file
(the package's own version and the input's creation time blanked out). For
``messy`` it also holds the observations read from its Data sheet, with and
without number formats (the xlwings door sees no formats).

Regenerate only when a change of output is intended, and say so in the commit:

    python -m tests.refresh_golden
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import re
import sys
import zipfile
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_DIR = ROOT / "tests" / "fixtures" / "refresh_golden"
NOW = dt.datetime(2026, 11, 23, 9, 30)
USER = "officer"
NAMES = ("example", "big", "messy")


def make_input(name: str, folder: Path) -> Path:
    """The workbook to refresh, made afresh (the same bytes of content every time)."""
    path = folder / f"{name}.xlsx"
    if name == "example":
        from kpi_excel.app.report_files import new_report

        return new_report(path, example=True)
    if name == "big":
        sys.path.insert(0, str(ROOT / "bench"))
        from big_report import make_big_report

        return make_big_report(path, indicators=120, history_rows=4800)
    if name == "messy":
        return make_messy_report(path)
    raise ValueError(name)


def make_messy_report(path: Path) -> Path:
    """A small report whose Data sheet has every kind of cell a reader must cope with."""
    from kpi_excel.core.template import KPI_COLUMNS

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    percent = book.add_format({"num_format": "0.0%"})
    comma = book.add_format({"num_format": "#,##0"})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    headers = [c.header for c in KPI_COLUMNS]
    kinds = [("High = Good", "Quarterly", "%", ">60%"), ("Low = Good", "Quarterly", "%", "<20%"),
             ("High = Good", "Annual", "", "N/A"), ("Low = Good", "Monthly", "", "<100"),
             ("N/A", "Termly", "%", ""), ("High = Good", "Academic year", "%", ">50%"),
             ("Low = Good", "Financial year", "", "N/A"), ("High = Good", "", "%", ">70%")]
    rows = []
    for i in range(24):
        polarity, frequency, unit, target = kinds[i % len(kinds)]
        row = {h: None for h in headers}
        row.update({"Topic": f"Priority {i % 3 + 1}", "Theme": f"Service {i % 5}", "Indicator": f"Measure {i}",
                    "Code": f"M{i:02d}" if i != 7 else "707", "Polarity": polarity, "Frequency": frequency,
                    "Unit": unit, "Target": target,
                    "Benchmark Code": ["RevCP", "ReReferral", "CareLeaverEET"][i % 3] if i < 6 else None})
        rows.append([row[h] for h in headers])
    kpis = book.add_worksheet("KPIs")
    kpis.add_table(0, 0, len(rows), len(headers) - 1,
                   {"name": "KPIs", "data": rows, "columns": [{"header": h} for h in headers]})
    data = book.add_worksheet("Data")
    columns = ["Code", "Period", "Value", "Numerator", "Denominator", "Area", "Updated", "Note"]
    data.write_row(0, 0, columns)
    r = 1

    def put(code, period, value, numerator=None, denominator=None, area=None, updated=None, note=None,
            value_format=None):  # type: ignore[no-untyped-def]
        nonlocal r
        for c, cell in enumerate((code, period, value, numerator, denominator, area, updated, note)):
            if cell is None:
                continue
            fmt = value_format if c == 2 else (when if c == 6 else None)
            if isinstance(cell, dt.datetime):
                data.write_datetime(r, c, cell, fmt or day)
            elif isinstance(cell, bool):
                data.write_boolean(r, c, cell)
            elif isinstance(cell, (int, float)):
                data.write_number(r, c, cell, fmt if c == 2 else (comma if c in (3, 4) else fmt))
            elif isinstance(cell, tuple):  # a formula Excel has not calculated
                data.write_formula(r, c, cell[0], None, "")
            else:
                data.write_string(r, c, cell)
        r += 1

    quarters = ["Q1 2022/23", "Q2 2022/23", "Q3 2022/23", "Q4 2022/23", "Q1 2023/24", "Q2 2023/24",
                "Q3 2023/24", "Q4 2023/24", "Q1 2024/25", "Q2 2024/25"]
    for q, label in enumerate(quarters):
        put("M00", label, 0.55 + q / 100, value_format=percent)
        put("M01", label, f"{22 - q / 3:.1f}%", numerator=100 + q, denominator=480 + q)
        put("M08", label if q % 2 else label.replace(" ", "  "), 0.6 + q / 50, value_format=percent)
    put("M01", "Q2 2024/25", "c", note="suppressed")
    for year in range(2018, 2025):
        put("M02", f"{year}/{(year + 1) % 100:02d}", 1200 + year % 7 * 31, value_format=comma)
        put("M06", f"{year}-{(year + 1) % 100:02d}", f"{3000 + year % 5 * 13:,}")
        put("M10", f"{year}/{(year + 1) % 100:02d}", float(40 + year % 4))
        put(707.0, float(year), 12.5 + year % 3)
    for month in range(1, 13):
        put("M03", dt.datetime(2024, month, 1), 90 + month * 3 if month != 6 else "x")
        put("M11", f"{dt.date(2024, month, 1):%b %Y}", 70 + month, area="Leicestershire" if month % 2 else None)
    for term, value in (("Autumn 2023", "41%"), ("Spring 2024", "3% (420)"), ("Summer 2024", ".."),
                        ("Autumn 2024", "44.5%")):
        put("M04", term, value)
    for year in (2021, 2022, 2023):
        put("M05", f"{year}/{(year + 1) % 100:02d}", 0.5 + (year - 2021) / 40, numerator=f"{300 + year % 9}",
            denominator=600, value_format=percent)
        put("M05", f"{year}/{(year + 1) % 100:02d}", 0.48, area="England", value_format=percent)
        put("M05", f"{year}/{(year + 1) % 100:02d}", 0.47, area="Atlantis", value_format=percent)
    put("M07", "Q1 2024/25", 0.71, updated=dt.datetime(2024, 8, 1, 9, 0), value_format=percent)
    put("M07", "Q1 2024/25", 0.73, updated=dt.datetime(2024, 9, 1, 9, 0), value_format=percent)
    put("M07", "Q4 2023/24", 0.70, updated="not a date", value_format=percent)
    put("M07", "Q4 2023/24", 0.70, value_format=percent)  # the same value twice: kept once
    put("M09", "Q1 2024/25", 15.0)
    put("M09", "Q1 2024/25", 16.0)  # different values: both reported, neither used
    put("M09", "Q4 2023/24", 14.0, numerator="lots", denominator=-3)
    put("M12", "Q4 2023/24", ("=1/0",))
    put("M12", "Q1 2024/25", True)
    put("M12", "Q2 2024/25", "about seven")
    put("M13", "next quarter", 5)
    put("M13", "", 6)
    put(None, "Q1 2024/25", 7)
    put("  ", "Q2 2024/25", 8)
    r += 2  # empty rows are not data
    put("M14", "Q1 2026/27", 9, note="after today")
    put("M15", "Q3 2024/25", "=", note="a lone equals sign")
    put("M16", "Q3 2024/25", "1e400")
    put("M17", "Q3 2024/25", "  ", note="blank value, a note")
    put("UNKNOWN", "Q3 2024/25", 3)
    put("M18", "Q3 2024/25", "12,5")
    put("M19", "2023", 5.5)
    put("M19", "2024", "5.7 ")
    put("M20", "Q3 2024/25", "£1,234.50")
    put("M21", "Q2 2024/25", 0.123456789, value_format=percent)
    put("M21", "Q3 2024/25", "61.2345%")
    put("M22", "Q3 2024/25", "n/a")
    put("M23", "Q3 2024/25", "<5")
    wide = book.add_worksheet("Wide")  # not read by a refresh; read as a source by the observations golden
    wide.write_row(0, 0, ["Wide layout, as DfE publishes"])
    wide.write_row(2, 0, ["Indicator code", "Area", "2020/21", "2021/22", "Not a period", "2022/23", "Notes"])
    for at, row in enumerate([("W1", None, 0.5, 0.52, "x", "c", "fine"), (None, None, 3, None, None, 4, None),
                              ("W2", "England", "1,200", "", None, 1250.0, None), ("W3", "Atlantis", 1, 2, 3, 4, 5),
                              (12.0, "Leicestershire", "12%", "3% (420)", None, "..", "rounded")], start=3):
        for c, cell in enumerate(row):
            if cell is not None:
                (wide.write_number(at, c, cell, percent if isinstance(cell, float) and cell < 1 else None)
                 if isinstance(cell, (int, float)) else wide.write_string(at, c, cell))
    settings = book.add_worksheet("Settings")
    for row_at, pair in enumerate([("Setting", "Value"), ("Authority", "Leicestershire"),
                                   ("Benchmark data", "example"), ("Amber tolerance", "5%")]):
        settings.write_row(row_at, 0, pair)
    book.close()
    return path


# --- capturing --------------------------------------------------------------------------

_CREATED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_ITEM_ID = re.compile(rb'(ds:itemID=")\{[0-9A-F-]+\}(")')  # a new GUID each time the package is marked


def canonical_parts(path: Path) -> dict[str, str]:
    """Every part of a workbook as text; the package version and the input's stamps blanked."""
    from kpi_excel import __version__

    out = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            data = archive.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CREATED.sub(rb"\1\2", data)
            if info.filename.startswith("customXml/itemProps"):
                data = _ITEM_ID.sub(rb"\1\2", data)
            text = data.decode("utf-8", "replace")
            out[info.filename] = text.replace(f">{__version__}<", ">{version}<")
    return out


def _plain(value: object) -> object:
    if isinstance(value, float):
        return None if math.isnan(value) else repr(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def observation_records(name: str, path: Path) -> dict[str, object]:
    """The messy Data sheet's observations and problems, read with and without number formats."""
    from kpi_excel.app.refresh_plan import data_observations, find_kpi_table, _percent_codes
    from kpi_excel.sources.lait_files import load_directory
    from kpi_excel.sources.tables import read_table_source
    from kpi_excel.workbook.file_door import read_inputs
    from kpi_excel.ooxml import XlsxPackage
    from kpi_excel.core.report import SheetCells

    inputs = read_inputs(XlsxPackage.open(path), path.parent)
    assert inputs.data is not None and inputs.content.kpis is not None
    percent = _percent_codes(find_kpi_table(inputs.content.kpis))
    out: dict[str, object] = {}
    for label, cells in (("formats", inputs.data),
                         ("values only", SheetCells(inputs.data.name, inputs.data.values, None, inputs.data.top))):
        found = data_observations(cells, load_directory(), percent)
        frame = found.frame
        out[label] = {
            "columns": list(frame.columns),
            "dtypes": [str(t) for t in frame.dtypes],
            "rows": [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)],
            "problems": [[p.where, p.message, p.code] for p in found.problems],
        }
    csv_text = path.parent / "data.csv"  # the Data sheet as a CSV export: text only
    with csv_text.open("w", encoding="utf-8", newline="") as handle:
        import csv

        csv.writer(handle).writerows([["" if v is None else str(v) for v in row] for row in inputs.data.values])
    for label, source in (("wide sheet", lambda: read_table_source(path, "Wide", load_directory())),
                          ("csv", lambda: read_table_source(csv_text, None, load_directory()))):
        found = source()
        out[label] = {
            "rows": [[_plain(v) for v in row] for row in found.frame.itertuples(index=False, name=None)],
            "problems": [[p.where, p.message, p.code] for p in found.problems],
        }
    return out


def capture(name: str, folder: Path) -> dict[str, object]:
    """Refresh the named workbook in ``folder`` and describe everything it wrote."""
    from kpi_excel.app.report_files import refresh_report

    path = make_input(name, folder)
    golden: dict[str, object] = {}
    if name == "messy":
        golden["observations"] = observation_records(name, path)
    summary, written = refresh_report(path, now=NOW, user=USER)
    golden["summary"] = summary.lines()
    golden["problems"] = list(summary.problems)
    golden["written"] = {"columns_added": written.columns_added, "sheets_written": written.sheets_written,
                         "skipped": written.skipped}
    golden["parts"] = canonical_parts(path)
    golden["part order"] = list(golden["parts"])  # type: ignore[call-overload]
    return golden


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.json.gz"


def load_golden(name: str) -> dict[str, object]:
    return json.loads(gzip.decompress(golden_path(name).read_bytes()).decode("utf-8"))


def save_golden(name: str, golden: dict[str, object]) -> None:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(golden, ensure_ascii=False, indent=0, sort_keys=True)
    golden_path(name).write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


# --- comparing --------------------------------------------------------------------------

_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def _cells(xml: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in _CELL.finditer(xml)}


def differences(expected: dict[str, object], actual: dict[str, object], most: int = 12) -> list[str]:
    """What differs, cell by cell in worksheets and line by line elsewhere (at most ``most`` lines)."""
    out: list[str] = []
    for key in sorted(set(expected) | set(actual)):
        if key == "parts":
            continue
        if expected.get(key) != actual.get(key):
            out.append(f"{key}: expected {json.dumps(expected.get(key))[:600]}\n   got {json.dumps(actual.get(key))[:600]}")
    want, got = expected.get("parts", {}), actual.get("parts", {})
    assert isinstance(want, dict) and isinstance(got, dict)
    if set(want) != set(got):
        out.append(f"parts differ: missing {sorted(set(want) - set(got))}, extra {sorted(set(got) - set(want))}")
    for part in want:
        if part not in got or want[part] == got[part]:
            continue
        if part.startswith("xl/worksheets/sheet"):
            a, b = _cells(want[part]), _cells(got[part])
            changed = [ref for ref in sorted(set(a) | set(b)) if a.get(ref) != b.get(ref)]
            for ref in changed[:most]:
                out.append(f"{part} {ref}: expected {a.get(ref)!r}\n   got {b.get(ref)!r}")
            if not changed:
                out.append(f"{part}: cells identical, other XML differs: {_first_difference(want[part], got[part])}")
        else:
            out.append(f"{part}: {_first_difference(want[part], got[part])}")
        if len(out) >= most:
            break
    return out[:most]


def _first_difference(a: str, b: str) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at character {at}: expected {a[max(0, at - 80):at + 120]!r}\n   got {b[max(0, at - 80):at + 120]!r}"


def main() -> int:
    import tempfile

    names = sys.argv[1:] or list(NAMES)
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            golden = capture(name, Path(folder))
            save_golden(name, golden)
            print(f"{golden_path(name).relative_to(ROOT)}: {len(golden['parts'])} parts, "  # type: ignore[arg-type]
                  f"{golden_path(name).stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
