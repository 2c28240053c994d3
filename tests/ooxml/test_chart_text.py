"""A chart is written as text and parsed once (kpi_excel.ooxml.charts): what an officer types
(titles, series names, category labels, number formats) must come out of the parse exactly as
a tree built element by element holds it, empty text and characters a parser rewrites included."""

from __future__ import annotations

import pytest
from lxml import etree

from kpi_excel.ooxml.charts import ChartSeries, ChartSpec, build_chart_xml
from kpi_excel.ooxml.refs import CellRange
from kpi_excel.ooxml.xmlutil import NS, escape_xstring, serialize_xml

AWKWARD = ["A & B", "<b>", 'say "hi"', "line\nbreak", "cr\rhere", "tab\there", "x_x0041_y", "ctl\x01x", "a > b",
           "]]>", "&amp;", "  spaced  ", "é 中", "<?kpi-empty-text?>"]


def _chart(title: str, name: str, labels: list, number_format: str | None, kind: str = "column"):
    series = [ChartSeries(name, CellRange(2, 1, 1 + len(labels), 1), CellRange(2, 2, 1 + len(labels), 2),
                          sheet="Q&A 'sheet'")]
    spec = ChartSpec(kind=kind, title=title, series=series, x_title=title, y_number_format=number_format)
    values = {1: labels, 2: [float(i) for i in range(len(labels))]}
    return build_chart_xml(spec, "KPI history", lambda sheet, rng: values[rng.min_col])


def _texts(root: etree._Element, local: str, ns: str = "c") -> list[str | None]:
    return [el.text for el in root.iter(f"{{{NS[ns]}}}{local}")]


def test_officers_text_comes_out_as_typed():
    for text in AWKWARD:
        number_format = text.replace("\x01", "")  # a control character is no number format (see below)
        root = _chart(text, text, [text, None, 3.0], number_format)
        assert _texts(root, "t", "a") == [escape_xstring(text)] * 2  # the title and the x axis title
        assert _texts(root, "v")[0] == escape_xstring(text)  # the series name
        cats = root.find(f".//{{{NS['c']}}}cat/{{{NS['c']}}}strRef/{{{NS['c']}}}strCache")
        assert [pt.findtext(f"{{{NS['c']}}}v") for pt in cats.iter(f"{{{NS['c']}}}pt")] == [escape_xstring(text), "3"]
        formats = [el.get("formatCode") for el in root.iter(f"{{{NS['c']}}}numFmt")]
        assert formats == ["General", number_format]
        assert _texts(root, "formatCode")[-1] == number_format  # the values' cache
        assert _texts(root, "f")[0] == "'Q&A ''sheet'''!$A$2:$A$4"


def test_empty_text_is_written_as_a_tree_holds_it():
    root = _chart("Title", "", ["", "b"], None)
    data = serialize_xml(root)
    assert b"<c:tx><c:v></c:v></c:tx>" in data  # a name set to "": <c:v></c:v>, not <c:v/>
    assert b'<c:pt idx="0"><c:v></c:v></c:pt>' in data
    assert not list(root.iter(etree.ProcessingInstruction))


def test_one_declaration_of_each_namespace():
    data = serialize_xml(_chart("T", "s", ["a"], "0.0%", kind="line"))
    assert data.count(b"xmlns:c=") == data.count(b"xmlns:a=") == data.count(b"xmlns:r=") == 1


def test_a_control_character_in_a_number_format_is_refused_as_a_tree_refuses_it():
    with pytest.raises(ValueError):
        _chart("T", "s", ["a"], "0.0\x01")


@pytest.mark.parametrize("legend", ['"', "&", "<r>", "b\n"])
def test_the_legend_position_is_written_as_a_tree_writes_it(legend: str) -> None:
    # ChartSpec.legend is the caller's text: it goes into an attribute, as escaped as any other
    spec = ChartSpec(kind="column", title="T", series=[ChartSeries("s", CellRange(1, 1, 2, 1), CellRange(1, 2, 2, 2))],
                     legend=legend)
    root = build_chart_xml(spec, "S", lambda sheet, rng: ["a", 1.0])
    assert root.find(f".//{{{NS['c']}}}legendPos").get("val") == legend
