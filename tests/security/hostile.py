"""Builders of hostile inputs, made in code: workbooks with a patched part, broken zips.

Every builder starts from a real report (``kpi-excel new --example``) or a
small table and changes only the bytes an attack needs, so the rest of the
file is an ordinary workbook and the test shows which change is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from kpi_excel.app.report_files import new_report


def refused_in_one_line(runner, args: list[object], *protected: Path) -> str:  # type: ignore[no-untyped-def]
    """Run the command in-process: it must fail with one line and exit 1 (never an internal
    error) and leave every ``protected`` file byte-identical. Returns the line."""
    from kpi_excel.cli import main

    before = [p.read_bytes() for p in protected]
    result = runner.invoke(main, [str(a) for a in args])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kpi-excel: ") and "internal error" not in lines[0], lines
    assert [p.read_bytes() for p in protected] == before
    return lines[0]


def example_report(path: Path) -> Path:
    """The example report (19 KB): KPIs, Data, Settings, RAG key and Log."""
    return new_report(path, example=True)


def part_of_sheet(path: Path, sheet: str) -> str:
    from kpi_excel.ooxml import XlsxPackage

    info = XlsxPackage.open(path).sheet(sheet)
    assert info.part is not None
    return info.part


def rewrite_parts(path: Path, change: dict[str, object], out: Path | None = None) -> Path:
    """Copy the zip with some parts replaced: ``change[name]`` is new bytes, or a
    function of the old bytes. Entries keep their order; the result is a valid zip."""
    out = out or path
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            new = change.get(info.filename, data)
            if callable(new):
                new = new(data)
            dst.writestr(info.filename, new)  # type: ignore[arg-type]
    out.write_bytes(buffer.getvalue())
    return out


def add_cells(path: Path, sheet: str, cells_xml: str, out: Path | None = None) -> Path:
    """Append ``<row>`` elements (given as XML text) at the end of a sheet's data."""
    part = part_of_sheet(path, sheet)

    def patch(data: bytes) -> bytes:
        if b"</sheetData>" in data:
            return data.replace(b"</sheetData>", cells_xml.encode() + b"</sheetData>", 1)
        return re.sub(rb"<sheetData\s*/>", b"<sheetData>" + cells_xml.encode() + b"</sheetData>", data, count=1)

    return rewrite_parts(path, {part: patch}, out)


def far_corner(path: Path, sheet: str, out: Path | None = None) -> Path:
    """A value in XFD1048576, Excel's last cell: the sheet's rectangle is 17 billion cells."""
    return add_cells(path, sheet, '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>', out)


def full_sheet(path: Path, sheet: str, out: Path, rows: int = 1_048_576) -> Path:
    """The sheet replaced by ``rows`` rows of Code, Period, Value as Excel writes
    them (shared strings, one per distinct text): every row of Excel's grid used.
    Unique (code, period) pairs, so nothing is a repeat."""
    part = part_of_sheet(path, sheet)
    periods = [f"Q{q % 4 + 1} {2000 + q // 4}/{(q // 4 + 1) % 100:02d}" for q in range(40)]
    codes = [f"K{n}" for n in range(rows // len(periods) + 1)]
    strings = ["Code", "Period", "Value", *periods, *codes]
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]

    def sheet_xml():  # streamed: the part is ~100 MB
        yield (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
               b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>')
        chunk = []
        for r in range(2, rows + 1):
            i = r - 2
            chunk.append(f'<row r="{r}"><c r="A{r}" t="s"><v>{3 + len(periods) + i // len(periods)}</v></c>'
                         f'<c r="B{r}" t="s"><v>{3 + i % len(periods)}</v></c><c r="C{r}"><v>{i % 1000 / 10}</v></c></row>')
            if len(chunk) == 20_000:
                yield "".join(chunk).encode()
                chunk = []
        yield "".join(chunk).encode() + b"</sheetData></worksheet>"

    from xml.sax.saxutils import escape

    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
           f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == part:
                with dst.open(info.filename, "w") as stream:
                    for block in sheet_xml():
                        stream.write(block)
            elif info.filename == "[Content_Types].xml" and b"sharedStrings" not in data:
                dst.writestr(info.filename, data.replace(b"</Types>", (
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                    b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')))
            elif info.filename == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in data:
                dst.writestr(info.filename, data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')))
            else:
                dst.writestr(info, data)
        dst.writestr("xl/sharedStrings.xml", sst)
    return out
