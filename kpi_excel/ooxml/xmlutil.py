"""Safe XML parsing, namespaces, serialisation and schema-order insertion.

Every XML part is parsed with entity resolution, network access and lxml's
"huge tree" mode off, and any DOCTYPE is refused: OOXML never needs one, and a
DTD is how entity-expansion attacks get in.

Edited parts are written back with their original prolog (XML declaration and
any processing instructions before the root, e.g. ``<?mso-contentType?>``), so
a part we touch differs from the original only where we changed it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

from lxml import etree

from kpi_excel.ooxml.errors import CorruptPackageError, UnsafePackageError

__all__ = [
    "int_attr",
    "NS",
    "qn",
    "main",
    "parse_xml",
    "check_xml",
    "parse_serialised",
    "child_attribute",
    "check_no_dtd",
    "serialize_xml",
    "insert_in_order",
    "find_or_create",
    "iter_children",
    "local_name",
    "effective_local_name",
    "escape_xstring",
    "unescape_xstring",
    "xml_text",
    "WORKSHEET_ORDER",
    "STYLESHEET_ORDER",
    "WORKBOOK_ORDER",
    "SHEETPR_ORDER",
]

NS: dict[str, str] = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "x14": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main",
    "xm": "http://schemas.microsoft.com/office/excel/2006/main",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "ds": "http://schemas.openxmlformats.org/officeDocument/2006/customXml",
    "strict": "http://purl.oclc.org/ooxml/spreadsheetml/main",
}


def qn(prefix: str, local: str) -> str:
    """Clark-notation name, e.g. ``qn("r", "id")`` -> ``{...relationships}id``."""
    return f"{{{NS[prefix]}}}{local}"


def main(local: str) -> str:
    """Clark-notation name in the SpreadsheetML main namespace."""
    return f"{{{NS['main']}}}{local}"


def int_attr(el: etree._Element, name: str, default: int = 0) -> int:
    """The whole number in attribute ``name`` (``default`` when absent); anything else, such as
    ``sheetId="one"``, is a corrupt file named by its part, not a crash."""
    value = el.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:  # also more than 4,300 digits
        part = el.getroottree().docinfo.URL or "an XML part"
        tag = etree.QName(el).localname
        raise CorruptPackageError(f"{part}: <{tag} {name}=\"{value[:40]}\"> is not a whole number") from None


def _parser(target: object = None) -> etree.XMLParser:
    # A fresh parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=False,
        collect_ids=False,
        target=target,
    )


class _NoTree:
    """A parser target that builds nothing: the parse only checks the XML."""

    def close(self) -> None:
        return None


def check_no_dtd(data: bytes, part: str) -> None:
    """Refuse a part whose prolog declares a DTD, however it is padded or encoded.

    OOXML parts are UTF-8 or UTF-16 (ECMA-376 Part 2); anything that starts
    otherwise is refused too, so no encoding can hide a DOCTYPE from this scan.
    The prolog is walked (declaration, processing instructions, comments,
    white space) up to the root element; a ``<!`` other than a comment there
    is a DOCTYPE.
    """
    head = data
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0) != (data[1] == 0)):
        try:
            head = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise CorruptPackageError(f"XML part {part!r} is not valid UTF-16") from None
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    n = len(head)
    while True:
        while pos < n and head[pos] in b" \t\r\n":
            pos += 1
        if head.startswith(b"<?", pos):
            end = head.find(b"?>", pos + 2)
            if end < 0:
                return  # malformed: the parser says so
            pos = end + 2
        elif head.startswith(b"<!--", pos):
            end = head.find(b"-->", pos + 4)
            if end < 0:
                return
            pos = end + 3
        elif head.startswith(b"<!", pos):
            raise UnsafePackageError(f"XML part {part!r} declares a DTD (<!DOCTYPE); Office files never need one, "
                                     "and it is how entity-expansion attacks get in: refusing to read it")
        elif pos < n and head[pos:pos + 1] != b"<":
            raise UnsafePackageError(f"XML part {part!r} is neither UTF-8 nor UTF-16 XML; refusing to read it")
        else:
            return


def parse_xml(data: bytes, part: str = "") -> etree._Element:
    """Parse one XML part safely and return its root element.

    Raises :class:`UnsafePackageError` for a DOCTYPE and
    :class:`CorruptPackageError` for malformed XML.
    """
    check_no_dtd(data, part)
    try:
        root = etree.fromstring(data, _parser(), base_url=part or None)  # int_attr names the part
    except etree.XMLSyntaxError as exc:
        raise CorruptPackageError(f"XML part {part!r} is not well-formed ({exc})") from None
    if root.getroottree().docinfo.doctype:
        raise UnsafePackageError(f"XML part {part!r} declares a DTD; refusing to parse it")
    return root


_EMPTY_TEXT = re.compile(rb"<([A-Za-z_][\w.:-]*)((?:\s[^<>]*)?)></\1>")
_EMPTY_MARK = "kpi-excel-empty-text"


def check_xml(data: bytes, part: str = "") -> None:
    """What :func:`parse_xml` checks (well-formed, no DTD) without building the tree: a
    saved sheet of 10,000 indicators re-read to verify it would cost ~230 MB as a tree."""
    check_no_dtd(data, part)
    try:
        etree.fromstring(data, _parser(_NoTree()), base_url=part or None)
    except etree.XMLSyntaxError as exc:
        raise CorruptPackageError(f"XML part {part!r} is not well-formed ({exc})") from None


def parse_serialised(data: bytes, part: str = "") -> etree._Element:
    """Parse bytes that :func:`serialize_xml` wrote in this session back to the same tree.

    An element whose text was set to "" serialises as ``<t></t>`` and a parser reads
    that as no text, which serialises as ``<t/>``: the round trip would change the
    bytes a part saves with. Each such element gets its "" back. Only for bytes we
    serialised (a settled part, rows held apart): a file's own ``<t></t>`` reads as
    no text, as it always has."""
    marked = _EMPTY_TEXT.sub(rb"<\1\2><?" + _EMPTY_MARK.encode() + rb"?></\1>", data)
    root = parse_xml(marked, part)
    if marked is not data and len(marked) != len(data):
        for mark in root.iter(etree.ProcessingInstruction):
            if mark.target == _EMPTY_MARK:
                parent = mark.getparent()
                parent.remove(mark)
                parent.text = ""
    return root


def child_attribute(data: bytes, part: str, child: str, attribute: str, *, skip: bytes = b"") -> str | None:
    """``attribute`` of the root's first ``child`` (Clark name), as ``parse_xml(data).find(child)``
    would give it, without building the tree: reading a sheet's ``sheetPr`` must not cost a
    parse of its million cells. Streams the part (as safely as :func:`parse_xml`) and stops at
    the child; elements passed over are freed as they end.

    ``skip`` (e.g. ``b"sheetData"``): an element whose content is left unread when the part
    holds it once, unprefixed, with only elements and text inside: a sheet without ``sheetPr``
    is then not streamed cell by cell (the child cannot be inside it: it is the root's). A fault
    in what is skipped is found where that content is read."""
    check_no_dtd(data, part)
    data = _without_content(data, skip) if skip else data
    depth = 0
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False, no_network=True,
                             huge_tree=False, load_dtd=False, remove_blank_text=False, collect_ids=False)
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth == 2 and element.tag == child:
                    return element.get(attribute)
            else:
                depth -= 1
                if depth >= 1:
                    element.clear()  # a passed-over row and its cells: not kept
    except etree.XMLSyntaxError as exc:
        raise CorruptPackageError(f"XML part {part!r} is not well-formed ({exc})") from None
    return None


def _without_content(data: bytes, tag: bytes) -> bytes:
    """``data`` with the content of its one ``<tag>`` cut out, or as it is when that is not plain."""
    start, end = data.find(b"<" + tag + b">"), data.rfind(b"</" + tag + b">")
    if start < 0 or end < start or data.count(b"<" + tag) != 1 or data.count(b"</" + tag) != 1:
        return data
    inner = start + len(tag) + 2
    # One byte looked for first (a memchr): "<" is in every tag, "!" and "?" are rare in rows.
    if (data.find(b"!", inner, end) >= 0 and data.find(b"<!", inner, end) >= 0) or \
            (data.find(b"?", inner, end) >= 0 and data.find(b"<?", inner, end) >= 0):
        return data  # a comment, CDATA or instruction could hide markup: read it all
    return data[:inner] + data[end:]


_PROLOG_END = re.compile(rb"<(?![?!])")
_DEFAULT_DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


PROLOG_BYTES = 8192  # how far into a part's original bytes its prolog is looked for


def _prolog(original: bytes | None) -> bytes:
    """Bytes before the root element of ``original`` (declaration, PIs), if UTF-8."""
    if not original:
        return _DEFAULT_DECL
    match = _PROLOG_END.search(original, 0, PROLOG_BYTES)
    if match is None:
        return _DEFAULT_DECL
    prolog = original[: match.start()]
    decl = prolog[:100].lower()
    if b"encoding" in decl and b"utf-8" not in decl:
        # Re-encoding a UTF-16 part is lxml's job, not ours; rare enough to let it write.
        return b""
    if b"<!--" in prolog:
        return _DEFAULT_DECL if prolog.startswith(b"<?xml") else b""
    return prolog


def serialize_xml(root: etree._Element, original: bytes | None = None) -> bytes:
    """Serialise ``root`` as UTF-8, reusing the prolog of the part's original bytes."""
    prolog = _prolog(original)
    if not prolog:
        return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True, standalone=True)
    return prolog + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def local_name(el: etree._Element) -> str:
    """Local part of an element's tag ('' for comments and PIs)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def effective_local_name(el: etree._Element) -> str:
    """Local name used for schema ordering.

    An ``mc:AlternateContent`` wrapper stands where its content would stand:
    Excel writes ``<mc:AlternateContent><mc:Choice><controls>`` at the place of
    ``controls`` in a worksheet, so we order by the first wrapped element.
    """
    tag = el.tag
    if tag == qn("mc", "AlternateContent"):
        for branch in el:
            for child in branch:
                if isinstance(child.tag, str):
                    return local_name(child)
        return ""
    return local_name(el)


def insert_in_order(parent: etree._Element, child: etree._Element, order: Sequence[str]) -> etree._Element:
    """Insert ``child`` into ``parent`` at its schema position.

    ``order`` lists the local names of the parent's children in schema order.
    The child goes after the last existing child whose name ranks at or before
    its own; children we do not know (comments, unknown extensions) keep their
    place. Returns ``child``.
    """
    rank = {name: i for i, name in enumerate(order)}
    mine = rank[local_name(child)]
    insert_at = 0
    for index, existing in enumerate(parent):
        existing_rank = rank.get(effective_local_name(existing))
        if existing_rank is None:
            continue
        if existing_rank <= mine:
            insert_at = index + 1
    parent.insert(insert_at, child)
    return child


def find_or_create(parent: etree._Element, local: str, order: Sequence[str], ns: str = "main") -> etree._Element:
    """The first child ``local`` of ``parent``, created in schema position if absent."""
    found = parent.find(qn(ns, local))
    if found is not None:
        return found
    return insert_in_order(parent, etree.Element(qn(ns, local)), order)


# CT_Worksheet children (ECMA-376 Part 1, 18.3.1.99), transitional schema.
WORKSHEET_ORDER: tuple[str, ...] = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData",
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter",
    "sortState", "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr",
    "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions",
    "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks",
    "customProperties", "cellWatches", "ignoredErrors", "smartTags", "drawing",
    "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst",
)

# CT_SheetPr children.
SHEETPR_ORDER: tuple[str, ...] = ("tabColor", "outlinePr", "pageSetUpPr")

# CT_Stylesheet children.
STYLESHEET_ORDER: tuple[str, ...] = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
    "dxfs", "tableStyles", "colors", "extLst",
)

# CT_Workbook children.
WORKBOOK_ORDER: tuple[str, ...] = (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews",
    "sheets", "functionGroups", "externalReferences", "definedNames", "calcPr",
    "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
    "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst",
)

# ST_Xstring escapes characters XML 1.0 cannot carry as _xHHHH_ (ECMA-376 22.9.2.19).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LITERAL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def xml_text(text: str) -> str:
    """Text as XML element content that parses back to exactly ``text`` (a carriage return is
    a reference: a parser turns a literal one into a newline). Each character replaced only if
    the text has it: ``str.translate`` with a table runs Python per character, ~15x slower on a
    short text and ~1,500x on a long one with a character beyond ASCII (cells and charts)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def escape_xstring(text: str) -> str:
    """Make ``text`` storable in an OOXML string element, as Excel does."""
    if "_x" in text:
        # A literal "_x0041_" must survive a round trip: escape its underscore.
        text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def unescape_xstring(text: str) -> str:
    """Reverse :func:`escape_xstring` (``_x000D_`` -> carriage return).

    An escaped half of a surrogate pair (``_xD800_``) is no character on its
    own: it becomes U+FFFD rather than a string nothing can print or save.
    """
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: _escaped_char(int(m.group(1), 16)), text)


def _escaped_char(code: int) -> str:
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)


def iter_children(parent: etree._Element, local: str, ns: str = "main") -> Iterable[etree._Element]:
    """Direct children of ``parent`` named ``local`` in namespace ``ns``."""
    return parent.iterchildren(qn(ns, local))
