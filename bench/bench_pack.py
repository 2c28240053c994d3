"""Benchmark: `kpi-excel pack` of the 2,000-indicator report (bench/big_report.py, refreshed).

Run: python bench/bench_pack.py [--indicators N] [--rows N] [--repeat N]

Baseline, measured in the same run: python-docx writing the same document
with none of our logic - the same title and summary paragraphs, the same
exceptions and performance tables (same rows, same cell texts), the same PNG
pictures (already drawn) - the way a competent python-docx user would. Ours
reads the workbook, works out the summary and exceptions, draws every chart
with matplotlib and writes the same document. Target: <= 3.0x the baseline.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from big_report import make_big_report  # noqa: E402

TARGET = 3.0


def best(action, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def baseline_document(content, pictures: list[bytes]) -> bytes:  # type: ignore[no-untyped-def]
    """The same document written with plain python-docx: no workbook, no summary logic, no charts drawn."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm

    from kpi_excel.app.paper.content import PAPER_COLUMNS

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    doc.add_heading(content.title, level=0)
    for line in [*content.summary.overall, *content.summary.changes, *content.summary.topics]:
        doc.add_paragraph(line)
    exceptions = content.summary.exceptions
    table = doc.add_table(rows=1, cols=7)
    for cell, text in zip(table.rows[0].cells, ["Indicator", "RAG", "Direction", "Why", "RAG Reason", "Benchmark",
                                                 "Comment"]):
        cell.text = text
    for item in exceptions:
        cells = table.add_row().cells
        for cell, text in zip(cells, [item.status.indicator, item.status.rag_word, item.status.direction, item.why,
                                      item.status.rag_reason, item.benchmark, item.status.comment]):
            cell.text = text
    fields = [name for name, _ in PAPER_COLUMNS]
    table = doc.add_table(rows=1, cols=len(fields))
    for cell, name in zip(table.rows[0].cells, fields):
        cell.text = content.headers[name]
    for indicator in content.indicators:
        cells = table.add_row().cells
        for cell, name in zip(cells, fields):
            cell.text = indicator.cells.get(name, "")
    for png in pictures:
        doc.add_picture(io.BytesIO(png), width=Cm(16))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--indicators", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from kpi_excel.app.paper import paper_bytes
    from kpi_excel.app.paper.charts import ChartDrawer
    from kpi_excel.app.paper.content import read_paper
    from kpi_excel.app.report_files import refresh_report

    with tempfile.TemporaryDirectory() as folder:
        report = make_big_report(Path(folder) / "report.xlsx", args.indicators, args.rows)
        refresh_report(report)
        content = read_paper(report)
        drawer = ChartDrawer()
        pictures = [drawer.draw(i) for i in content.indicators if i.history is not None and i.history.known]

        sizes: dict[str, int] = {}

        def ours() -> None:
            data, result = paper_bytes(report)
            sizes["ours"], sizes["charts"] = len(data), result.charts

        def baseline() -> None:
            sizes["baseline"] = len(baseline_document(content, pictures))

        base = best(baseline, args.repeat)
        mine = best(ours, args.repeat)
    ratio = mine / base
    print(f"report: {args.indicators:,} indicators, {args.rows:,} history rows; {sizes['charts']:,} charts")
    print(f"python-docx alone (same table and pictures): {base:.2f} s ({sizes['baseline'] / 1e6:.1f} MB)")
    print(f"kpi-excel pack:                              {mine:.2f} s ({sizes['ours'] / 1e6:.1f} MB)")
    print(f"ratio: {ratio:.2f}x (target <= {TARGET:.1f}x)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
