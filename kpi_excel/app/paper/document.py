"""The committee paper as a Word document (python-docx), landscape A4.

1. the summary sentences (:mod:`kpi_excel.core.summary`);
2. the exceptions, each with its RAG reason, benchmark position and comment;
3. the table as published, grouped under each topic: RAG and direction are
   words in the workbook's colours (the colour only repeats the word), and
   the header row repeats on every page;
4. one chart per indicator with alt text saying what it shows (set on the
   picture's ``docPr descr``, which Word and LibreOffice read out);
5. where it came from: the workbook, its sources, when it was refreshed, the
   period reported, the date and the tool version.

Column widths live in the table grid with a fixed layout, so Word and
LibreOffice lay the page out alike and a 2,000-row table needs no per-cell
width.
"""

from __future__ import annotations

import io
from typing import Callable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Cm, Pt, RGBColor

from kpi_excel.version import __version__
from kpi_excel.core.palette import HEADER, RAG_COLOURS, status_swatch
from kpi_excel.app.paper.charts import CHART_WIDTH_CM
from kpi_excel.app.paper.content import PAPER_COLUMNS, PaperContent, PaperIndicator

__all__ = ["write_document", "DIRECTION_COLOURS", "TABLE_WIDTHS_CM"]

# The KPIs sheet's Direction colours (core.template.kpi_rules): fill, font.
DIRECTION_COLOURS = {"Improving": ("E2EFDA", "375623"), "Declining": ("FCE4D6", "833C0B")}
TABLE_WIDTHS_CM = {
    "indicator": 3.6, "polarity": 1.5, "previous": 1.9, "latest": 1.9, "change": 1.3, "trend": 1.6,
    "direction": 1.9, "target": 1.5, "rag": 1.4, "rag_reason": 3.5, "quartile": 2.0, "sn_average": 1.5,
    "comment": 2.8,
}  # 26.4 cm: the width of landscape A4 inside 1.5 cm margins
_GROUP_FILL = "D9E1F2"


def write_document(content: PaperContent, draw: Callable[[PaperIndicator], bytes]) -> bytes:
    """The paper as .docx bytes; ``draw`` makes an indicator's chart PNG."""
    doc = Document()
    _landscape(doc)
    _styles(doc)
    doc.core_properties.title = content.title
    doc.core_properties.author = "kpi_excel"
    doc.core_properties.comments = f"Made by kpi_excel {__version__} from {content.workbook}"
    doc.add_heading(content.title, level=0)
    lead = f"From {content.workbook}"
    if content.refreshed:
        lead += f", refreshed {content.refreshed}"
    if content.as_of:
        lead += f"; latest period {content.as_of}"
    lead += f"; paper made {content.made}."
    if content.selection:
        lead += f" Showing {content.selection}."
    if not content.refreshed:
        lead += " The workbook's Log shows no refresh: refresh it first, or the ratings are whatever it holds."
    doc.add_paragraph(lead)

    doc.add_heading("Summary", level=1)
    if not content.indicators:
        doc.add_paragraph("No indicator matches this selection.")
    for line in [*content.summary.overall, *content.summary.changes]:
        doc.add_paragraph(line)
    if content.summary.topics:
        doc.add_paragraph("By topic:")
        for line in content.summary.topics:
            doc.add_paragraph(line, style="List Bullet")

    doc.add_heading("Exceptions", level=1)
    doc.add_paragraph(content.summary.exceptions_sentence)
    if content.summary.exceptions:
        _exceptions(doc, content)

    doc.add_heading("Performance table", level=1)
    if content.indicators:
        _performance_table(doc, content)

    charted = [i for i in content.indicators if i.history is not None and i.history.known]
    doc.add_heading("Each indicator over time", level=1)
    doc.add_paragraph(f"{len(charted)} of {len(content.indicators)} indicators have a history to chart. Each chart "
                      "shows the last periods of the indicator's frequency (a gap is a period with no value) as a "
                      "blue line with the latest point in orange, the target as a dashed red line and, where the "
                      "indicator is benchmarked, England as a dotted grey line and the comparators' middle half "
                      "(lower to upper quartile, in the benchmark's period) as a shaded band, with our own value in that "
                      "period, the one the quartile and rank are of, as a grey diamond (at the right, labelled "
                      "'ranked', when that period is not one the history shows).")
    ids = _ShapeIds(doc)
    for indicator in charted:
        _chart(doc, indicator, draw(indicator), ids)

    doc.add_heading("Sources", level=1)
    for line in _sources(content):
        doc.add_paragraph(line, style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _landscape(doc: Document) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    section.top_margin = section.bottom_margin = Cm(1.5)


def _styles(doc: Document) -> None:
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10)
    table_text = doc.styles.add_style("KPI table text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = doc.styles["Normal"]
    table_text.font.size = Pt(7.5)
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.space_before = Pt(0)


def _grid(table, widths: Sequence[float]) -> None:  # type: ignore[no-untyped-def]
    """Fixed layout with the widths in the grid (Word and LibreOffice both honour it)."""
    tbl = table._tbl
    pr = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    pr.append(layout)
    margins = OxmlElement("w:tblCellMar")  # narrow cell padding: words, not letters, wrap
    for side in ("left", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "45")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    pr.append(margins)
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(width / 2.54 * 1440)))


def _shade(cell, fill: str) -> None:  # type: ignore[no-untyped-def]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _write(cell, text: str, style: str, *, bold: bool = False, colour: str | None = None) -> None:  # type: ignore[no-untyped-def]
    paragraph = cell.paragraphs[0]
    paragraph._p.style = style  # the style id, set directly: python-docx's lookup by object walks every style
    if text:
        run = paragraph.add_run(text)
        if bold:
            run.bold = True
        if colour:
            run.font.color.rgb = RGBColor.from_string(colour)


def _header(table, headers: Sequence[str], style) -> None:  # type: ignore[no-untyped-def]
    row = table.rows[0]
    flag = OxmlElement("w:tblHeader")  # repeat as the first row of every page
    row._tr.get_or_add_trPr().append(flag)
    for cell, text in zip(row.cells, headers):
        _write(cell, text, style, bold=True, colour=HEADER.font)
        _shade(cell, HEADER.fill)


def _status_cell(cell, status, style) -> None:  # type: ignore[no-untyped-def]
    """A row's status as the council words it (Blue, Yellow, "Green star"), in its colours."""
    shown = status.shown_rag if status.shown_rag and status.rag_word != "N/A" else status.rag_word
    _coloured(cell, shown, style, status.rag_word)


def _coloured(cell, word: str, style, status: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """A RAG or direction word in the workbook's colours: the word is always there."""
    swatch = RAG_COLOURS.get(word) or status_swatch(word, status)
    if swatch is not None:
        _write(cell, word, style, bold=True, colour=swatch.font)
        _shade(cell, swatch.fill)
        return
    fill_font = DIRECTION_COLOURS.get(word)
    if fill_font is not None:
        _write(cell, word, style, colour=fill_font[1])
        _shade(cell, fill_font[0])
        return
    _write(cell, word, style)


def _exceptions(doc: Document, content: PaperContent) -> None:
    style = doc.styles["KPI table text"].style_id
    headers = ["Indicator", "RAG", "Direction", "Why", "RAG Reason", "Benchmark", "Comment"]
    widths = [5.0, 1.4, 1.8, 3.0, 6.0, 3.6, 5.9]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    _grid(table, widths)
    _header(table, headers, style)
    for item in content.summary.exceptions:
        cells = table.add_row().cells
        status = item.status
        _write(cells[0], status.indicator, style)
        _status_cell(cells[1], status, style)
        _coloured(cells[2], status.direction, style)
        _write(cells[3], item.why, style)
        _write(cells[4], status.rag_reason, style)
        _write(cells[5], item.benchmark or "not benchmarked", style)
        _write(cells[6], status.comment, style)


def _performance_table(doc: Document, content: PaperContent) -> None:
    style = doc.styles["KPI table text"].style_id
    fields = [name for name, _ in PAPER_COLUMNS]
    table = doc.add_table(rows=1, cols=len(fields))
    table.style = doc.styles["Table Grid"]
    _grid(table, [TABLE_WIDTHS_CM[f] for f in fields])
    _header(table, [content.headers[f] for f in fields], style)
    groups: dict[str, list[PaperIndicator]] = {}
    for indicator in content.indicators:
        groups.setdefault(indicator.status.topic, []).append(indicator)
    for topic, members in groups.items():
        if topic or len(groups) > 1:
            cells = table.add_row().cells
            merged = cells[0].merge(cells[-1])
            _write(merged, topic or "No topic", style, bold=True)
            _shade(merged, _GROUP_FILL)
        for indicator in members:
            cells = table.add_row().cells
            for cell, name in zip(cells, fields):
                text = indicator.cells.get(name, "")
                if name == "rag":
                    _status_cell(cell, indicator.status, style)
                elif name == "direction":
                    _coloured(cell, text, style)
                else:
                    _write(cell, text, style)


class _ShapeIds:
    """Drawing ids for the pictures, counted here.

    python-docx's ``add_picture`` finds the next id by searching every id in the
    document, so adding n pictures after a long table costs n searches of it;
    the ids only need to be unique, so one search up front and a counter do.
    """

    def __init__(self, doc: Document) -> None:
        self.part = doc.part
        self.last = max((int(v) for v in doc.element.xpath("//@id") if v.isdigit()), default=0)

    def picture(self, run, png: bytes, width: int):  # type: ignore[no-untyped-def]
        r_id, image = self.part.get_or_add_image(io.BytesIO(png))
        cx, cy = image.scaled_dimensions(width, None)
        self.last += 1
        inline = CT_Inline.new_pic_inline(self.last, r_id, image.filename, cx, cy)
        run._r.add_drawing(inline)
        return inline


def _chart(doc: Document, indicator: PaperIndicator, png: bytes, ids: _ShapeIds) -> None:
    caption = doc.add_paragraph(indicator.status.indicator, style="Heading 3")
    caption.paragraph_format.keep_with_next = True
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    inline = ids.picture(paragraph.add_run(), png, Cm(CHART_WIDTH_CM))
    doc_pr = inline.docPr
    doc_pr.set("descr", indicator.alt_text)
    doc_pr.set("title", indicator.status.indicator[:255])


def _sources(content: PaperContent) -> list[str]:
    lines = [f"Workbook: {content.workbook}" + (f" ({content.authority})" if content.authority else "")]
    if content.refreshed:
        lines.append(f"Refreshed: {content.refreshed}" + (f" by kpi_excel {content.version}" if content.version else ""))
    else:
        lines.append("Refreshed: not recorded (the workbook's Log has no entry)")
    lines.append(f"Sources: {content.sources or 'the Data sheet'}")
    if content.as_of:
        lines.append(f"Latest period reported: {content.as_of}")
    lines.append(f"Paper made: {content.made} by kpi_excel {__version__}")
    lines.extend(content.notes)
    return lines
