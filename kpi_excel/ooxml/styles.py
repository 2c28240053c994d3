"""``xl/styles.xml``: number formats for reading, and dxfs / cell formats for writing.

New entries are appended and identical ones reused, so a refresh run every
week does not grow the style table. Nothing already in styles.xml is changed
except the ``count`` attributes of the lists we append to.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from kpi_excel.ooxml.brackets import drop_between
from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml.package import CT, RT, OpcPackage
from kpi_excel.ooxml.xmlutil import STYLESHEET_ORDER, find_or_create, insert_in_order, int_attr, main

__all__ = [
    "BUILTIN_FORMATS",
    "DxfStyle",
    "StyleBook",
    "is_date_format",
    "is_percent_format",
    "normalize_color",
]

# Built-in number formats that every locale shows the same (ECMA-376 18.8.30).
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss",
    47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
# Locale-dependent built-ins (East Asian dates and times); only their date-ness matters here.
_BUILTIN_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))

_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.')
_ELAPSED = re.compile(r"\[(h+|m+|s+)\]", re.I)


def _strip_literals(code: str) -> str:
    return _QUOTED.sub("", code)


def is_date_format(code: str, fmt_id: int | None = None) -> bool:
    """Whether a number format shows a date or time (so 45000 is a day, not a count)."""
    if fmt_id is not None and fmt_id in _BUILTIN_DATE_IDS:
        return True
    if not code or code.lower() == "general":
        return False
    bare = _strip_literals(code)
    if _ELAPSED.search(bare):
        return True
    bare = drop_between(bare, "[", "]")  # [Red], [$-409]: one pass (a regex is quadratic on "[[[[")
    return bool(re.search(r"[dmyhs]", bare, re.I)) and not re.fullmatch(r"[#0.,%E+\-;() ?/]*", bare)


def is_percent_format(code: str) -> bool:
    """Whether a number format multiplies by 100 and shows '%' (0.776 shown as 77.6%)."""
    return "%" in drop_between(_strip_literals(code), "[", "]")


def normalize_color(color: str) -> str:
    """'#c6efce' / 'C6EFCE' / 'FFC6EFCE' -> 'FFC6EFCE' (ARGB, as styles.xml wants)."""
    text = color.strip().lstrip("#").upper()
    if re.fullmatch(r"[0-9A-F]{6}", text):
        return "FF" + text
    if re.fullmatch(r"[0-9A-F]{8}", text):
        return text
    raise OoxmlValueError(f"colour {color!r} is not RRGGBB or AARRGGBB hex")


@dataclass(frozen=True)
class DxfStyle:
    """A differential format for conditional formatting: fill, font colour, bold."""

    fill: str | None = None
    font_color: str | None = None
    bold: bool | None = None

    def to_xml(self) -> etree._Element:
        """The ``<dxf>`` element, in the form Excel itself writes."""
        dxf = etree.Element(main("dxf"))
        if self.bold is not None or self.font_color is not None:
            font = etree.SubElement(dxf, main("font"))
            if self.bold is not None:
                b = etree.SubElement(font, main("b"))
                if not self.bold:
                    b.set("val", "0")
            if self.font_color is not None:
                etree.SubElement(font, main("color")).set("rgb", normalize_color(self.font_color))
        if self.fill is not None:
            fill = etree.SubElement(dxf, main("fill"))
            pattern = etree.SubElement(fill, main("patternFill"))
            etree.SubElement(pattern, main("bgColor")).set("rgb", normalize_color(self.fill))
        return dxf

    @classmethod
    def from_xml(cls, dxf: etree._Element) -> DxfStyle:
        """Read back the parts of a dxf this class models (others are ignored)."""
        bold = None
        font_color = None
        fill = None
        font = dxf.find(main("font"))
        if font is not None:
            b = font.find(main("b"))
            if b is not None:
                bold = b.get("val", "1") not in ("0", "false")
            color = font.find(main("color"))
            if color is not None and color.get("rgb"):
                font_color = color.get("rgb", "").upper()
        pattern = dxf.find(f"{main('fill')}/{main('patternFill')}")
        if pattern is not None:
            colour = pattern.find(main("bgColor"))
            if colour is None and pattern.get("patternType") == "solid":
                colour = pattern.find(main("fgColor"))
            if colour is not None and colour.get("rgb"):
                fill = colour.get("rgb", "").upper()
        return cls(fill=fill, font_color=font_color, bold=bold)


def canonical(el: etree._Element) -> tuple:
    """Order-insensitive (for attributes) structural key of an element, for reuse checks."""
    return (
        el.tag,
        tuple(sorted(el.attrib.items())),
        (el.text or "").strip(),
        tuple(canonical(child) for child in el if isinstance(child.tag, str)),
    )


_MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    b"</styleSheet>"
)

# CT_Font children, for putting <b/> and <color/> in the right place.
_FONT_ORDER = (
    "b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz",
    "color", "name", "family", "charset", "scheme",
)
_XF_ORDER = ("alignment", "protection", "extLst")


class StyleBook:
    """Reads and extends the workbook's ``styles.xml``."""

    def __init__(self, pkg: OpcPackage, workbook_part: str) -> None:
        self._pkg = pkg
        self._wb = workbook_part
        self._part: str | None = None
        for rel in pkg.related(workbook_part, RT.STYLES):
            if rel.part and pkg.has(rel.part):
                self._part = pkg.actual_name(rel.part)
        self._format_cache: dict[int, str] | None = None
        self._date_cache: frozenset[int] | None = None

    # ---- reading -------------------------------------------------------------------

    def _root(self, create: bool = False) -> etree._Element | None:
        if self._part is None:
            if not create:
                return None
            self._part = "xl/styles.xml" if not self._pkg.has("xl/styles.xml") else self._pkg.next_free("xl/styles{}.xml")
            self._pkg.write(self._part, _MINIMAL_STYLES, CT.STYLES)
            self._pkg.add_relationship(self._wb, RT.STYLES, self._part)
        return self._pkg.xml(self._part)

    def _custom_formats(self) -> dict[int, str]:
        root = self._root()
        formats: dict[int, str] = {}
        if root is None:
            return formats
        numfmts = root.find(main("numFmts"))
        if numfmts is not None:
            for el in numfmts.iterchildren(main("numFmt")):
                formats[int_attr(el, "numFmtId")] = el.get("formatCode", "")
        return formats

    def xf_number_formats(self) -> dict[int, str]:
        """Format code of every cell format (``s`` attribute value -> code)."""
        if self._format_cache is None:
            root = self._root()
            custom = self._custom_formats()
            out: dict[int, str] = {}
            xfs = root.find(main("cellXfs")) if root is not None else None
            if xfs is not None:
                for index, xf in enumerate(xfs.iterchildren(main("xf"))):
                    fmt_id = int_attr(xf, "numFmtId")
                    out[index] = custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, "General"))
            self._format_cache = out
        return self._format_cache

    def number_format(self, style_id: int) -> str:
        """Format code of the cell format ``style_id`` ('General' if unknown)."""
        return self.xf_number_formats().get(style_id, "General")

    def date_styles(self) -> frozenset[int]:
        """Cell format indexes whose number format shows a date or time."""
        if self._date_cache is None:
            root = self._root()
            xfs = root.find(main("cellXfs")) if root is not None else None
            formats = self.xf_number_formats()
            found = set()
            if xfs is not None:
                for index, xf in enumerate(xfs.iterchildren(main("xf"))):
                    if is_date_format(formats.get(index, "General"), int_attr(xf, "numFmtId")):
                        found.add(index)
            self._date_cache = frozenset(found)
        return self._date_cache

    def xf_is_date(self, style_id: int) -> bool:
        """Whether cells with this format show dates or times."""
        return style_id in self.date_styles()

    def dxf(self, dxf_id: int) -> etree._Element | None:
        """The ``<dxf>`` element with this id, if any."""
        root = self._root()
        dxfs = root.find(main("dxfs")) if root is not None else None
        if dxfs is None:
            return None
        items = list(dxfs.iterchildren(main("dxf")))
        return items[dxf_id] if 0 <= dxf_id < len(items) else None

    # ---- writing -------------------------------------------------------------------

    def _append(self, list_name: str, item: etree._Element, reuse: bool = True) -> int:
        """Append ``item`` to a counted list (reusing an identical entry); return its index."""
        root = self._root(create=True)
        assert root is not None and self._part is not None
        container = find_or_create(root, list_name, STYLESHEET_ORDER)
        children = [el for el in container if isinstance(el.tag, str)]
        if reuse:
            key = canonical(item)
            for index, existing in enumerate(children):
                if canonical(existing) == key:
                    return index
        container.append(item)
        container.set("count", str(len(children) + 1))
        self._pkg.mark_dirty(self._part)
        return len(children)

    def add_dxf(self, style: DxfStyle) -> int:
        """Index of a ``<dxf>`` with this look (added if no identical one exists)."""
        return self._append("dxfs", style.to_xml())

    def _number_format_id(self, code: str) -> int:
        for fmt_id, builtin in BUILTIN_FORMATS.items():
            if builtin == code:
                return fmt_id
        custom = self._custom_formats()
        for fmt_id, existing in custom.items():
            if existing == code:
                return fmt_id
        root = self._root(create=True)
        assert root is not None and self._part is not None
        numfmts = find_or_create(root, "numFmts", STYLESHEET_ORDER)
        new_id = max([163, *custom]) + 1
        el = etree.SubElement(numfmts, main("numFmt"))
        el.set("numFmtId", str(new_id))
        el.set("formatCode", code)
        numfmts.set("count", str(len(numfmts)))
        self._pkg.mark_dirty(self._part)
        return new_id

    def add_cell_style(
        self,
        base: int = 0,
        *,
        number_format: str | None = None,
        fill: str | None = None,
        font_color: str | None = None,
        bold: bool | None = None,
        wrap: bool | None = None,
        horizontal: str | None = None,
    ) -> int:
        """Index of a cell format like ``base`` with the given changes (reused if it exists).

        ``base`` is an existing ``cellXfs`` index (an ``s`` attribute value), so a
        new value keeps the officer's font, borders and alignment and changes only
        what is asked: number format, solid fill, font colour/bold, wrap, alignment.
        """
        root = self._root(create=True)
        assert root is not None
        xfs = find_or_create(root, "cellXfs", STYLESHEET_ORDER)
        items = list(xfs.iterchildren(main("xf")))
        if items and not 0 <= base < len(items):
            raise OoxmlValueError(f"cell style {base} does not exist (the workbook has {len(items)})")
        xf = etree.Element(main("xf"))
        if items:
            for key, value in items[base].attrib.items():
                xf.set(key, value)
            for child in items[base]:
                if isinstance(child.tag, str):
                    xf.append(_copy(child))
        else:
            for key in ("numFmtId", "fontId", "fillId", "borderId", "xfId"):
                xf.set(key, "0")
        if number_format is not None:
            xf.set("numFmtId", str(self._number_format_id(number_format)))
            xf.set("applyNumberFormat", "1")
        if font_color is not None or bold is not None:
            xf.set("fontId", str(self._derive_font(int_attr(xf, "fontId"), font_color, bold)))
            xf.set("applyFont", "1")
        if fill is not None:
            xf.set("fillId", str(self._add_fill(fill)))
            xf.set("applyFill", "1")
        if wrap is not None or horizontal is not None:
            alignment = xf.find(main("alignment"))
            if alignment is None:
                alignment = insert_in_order(xf, etree.Element(main("alignment")), _XF_ORDER)
            if wrap is not None:
                alignment.set("wrapText", "1" if wrap else "0")
            if horizontal is not None:
                alignment.set("horizontal", horizontal)
            xf.set("applyAlignment", "1")
        index = self._append("cellXfs", xf)
        self._format_cache = None
        self._date_cache = None
        return index

    def _derive_font(self, font_id: int, color: str | None, bold: bool | None) -> int:
        root = self._root(create=True)
        assert root is not None
        fonts = find_or_create(root, "fonts", STYLESHEET_ORDER)
        items = list(fonts.iterchildren(main("font")))
        font = _copy(items[font_id]) if 0 <= font_id < len(items) else etree.Element(main("font"))
        if bold is not None:
            b = font.find(main("b"))
            if bold and b is None:
                insert_in_order(font, etree.Element(main("b")), _FONT_ORDER)
            elif not bold and b is not None:
                font.remove(b)
        if color is not None:
            old = font.find(main("color"))
            if old is not None:
                font.remove(old)
            el = etree.Element(main("color"))
            el.set("rgb", normalize_color(color))
            insert_in_order(font, el, _FONT_ORDER)
        return self._append("fonts", font)

    def _add_fill(self, color: str) -> int:
        fill = etree.Element(main("fill"))
        pattern = etree.SubElement(fill, main("patternFill"))
        pattern.set("patternType", "solid")
        etree.SubElement(pattern, main("fgColor")).set("rgb", normalize_color(color))
        etree.SubElement(pattern, main("bgColor")).set("indexed", "64")
        return self._append("fills", fill)


def _copy(el: etree._Element) -> etree._Element:
    return copy.deepcopy(el)
