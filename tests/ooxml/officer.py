"""An 'officer-style' workbook built with XlsxWriter, as a council officer might make one.

It has what refreshes must not break: a KPI table, conditional formats
including 2010 data bars (x14, in extLst), a dropdown fed from another sheet,
notes, a picture, a chart, a text box, sparklines, defined names, a hidden
lists sheet, and (added after XlsxWriter) a ribbon customUI part linked from
the package relationships.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import xlsxwriter

CUSTOM_UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
CUSTOM_UI_PART = "customUI/customUI14.xml"
CUSTOM_UI = (
    b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
    b'<ribbon><tabs><tab id="kpiTab" label="KPI"><group id="g" label="Report">'
    b'<button id="refresh" label="Refresh" onAction="RunMain"/></group></tab></tabs></ribbon></customUI>'
)


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A valid RGB PNG made with zlib (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x1f\x4e\x79" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


KPI_HEADERS = ["Code", "Indicator", "Polarity", "Target", "Latest", "Previous", "Trend", "RAG"]


def build_officer_workbook(path: Path) -> Path:
    """Write the officer workbook to ``path`` and return it."""
    tmp = path.with_suffix(".plain.xlsx")
    wb = xlsxwriter.Workbook(str(tmp))
    pct = wb.add_format({"num_format": "0.0%"})
    bold = wb.add_format({"bold": True})
    kpis = wb.add_worksheet("KPIs")
    data = wb.add_worksheet("Data")
    lists = wb.add_worksheet("Lists")
    lists.hide()

    rows = [
        ["CS01", "Re-referrals to children's social care", "Low = Good", 0.22, 0.2240, 0.2308, None, None],
        ["CS02", "Children in need per 10,000", "Low = Good", 350, 372.1, 365.0, None, None],
        ["ED01", "Good level of development", "High = Good", 0.68, 0.651, 0.662, None, None],
        ["ED02", "Attendance (primary)", "High = Good", 0.955, 0.958, 0.949, None, None],
        ["AS01", "Adults in contact with services", "N/A", None, 1204, 1187, None, None],
    ]
    table_rows = [[v for v in r] for r in rows]
    kpis.add_table(
        0, 0, len(rows), len(KPI_HEADERS) - 1,
        {"name": "KPITable", "data": table_rows, "columns": [{"header": h} for h in KPI_HEADERS],
         "style": "Table Style Medium 2"},
    )
    kpis.set_column(1, 1, 42)
    kpis.set_column(3, 5, 11, pct)
    kpis.freeze_panes(1, 0)
    kpis.conditional_format("E2:E6", {"type": "data_bar", "bar_color": "#63C384", "data_bar_2010": True})
    kpis.conditional_format("F2:F6", {"type": "3_color_scale"})
    kpis.conditional_format("D2:D6", {"type": "icon_set", "icon_style": "3_arrows"})
    kpis.conditional_format(
        "B2:B6", {"type": "text", "criteria": "containing", "value": "Adults",
                  "format": wb.add_format({"bg_color": "#FFEB9C"})},
    )
    kpis.data_validation("H2:H6", {"validate": "list", "source": "=Lists!$A$1:$A$3"})
    kpis.write_comment("A1", "Codes come from the corporate KPI register.", {"author": "Officer"})
    kpis.write_comment("E2", "Provisional figure.")
    kpis.insert_image("K2", "logo.png", {"image_data": __import__("io").BytesIO(tiny_png()),
                                         "description": "Council logo"})
    kpis.insert_textbox("K8", "Figures are provisional until the annual return.", {"width": 260, "height": 60})

    data.write_row(0, 0, ["Code", "Period", "Value"], bold)
    periods = ["Q1 2022/23", "Q2 2022/23", "Q3 2022/23", "Q4 2022/23"]
    r = 1
    for code in ("CS01", "ED01", "ED02"):
        for i, period in enumerate(periods):
            data.write_row(r, 0, [code, period])
            data.write_number(r, 2, 0.2 + i / 100 if code == "CS01" else 0.6 + i / 50, pct)
            r += 1
    data.add_sparkline("E2", {"range": "Data!C2:C5"})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Latest", "categories": "=KPIs!$A$2:$A$5", "values": "=KPIs!$E$2:$E$5"})
    chart.set_title({"name": "Latest values"})
    data.insert_chart("G2", chart)

    lists.write_column(0, 0, ["Red", "Amber", "Green"])
    wb.define_name("RagOptions", "=Lists!$A$1:$A$3")
    wb.define_name("KPIs!PeriodLabel", '="Q2 2022/23"')
    kpis.print_area(0, 0, len(rows), len(KPI_HEADERS) - 1)
    wb.close()

    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "_rels/.rels":
                content = content.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdUI" Type="{CUSTOM_UI_REL}" Target="{CUSTOM_UI_PART}"/>'.encode()
                    + b"</Relationships>",
                )
            out.writestr(info, content)
        out.writestr(CUSTOM_UI_PART, CUSTOM_UI)
    tmp.unlink()
    return path
