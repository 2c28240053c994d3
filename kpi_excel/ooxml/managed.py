"""What this library wrote into a workbook, remembered inside the workbook.

Each refresh must replace the conditional formats, dropdowns and sheets the
*previous* refresh wrote, and never touch what the officer made. We keep a
small registry in a Custom XML Part (``customXml/itemN.xml``, namespace
``urn:kpi-excel:managed:1``)::

    <kpiExcel xmlns="urn:kpi-excel:managed:1" version="1">
      <sheet id="4"/>                       owned sheet, by sheetId
      <cf sheet="2" sig="9f2c..." sqref="H2:H40"/>   a rule we added to sheet 2
      <dv sheet="2" sig="41ab..." sqref="H2:H40"/>   a dropdown we added to sheet 2
      <sl sheet="2" sig="07d1..." sqref="L5 L6"/>     a sparkline group we added to sheet 2
    </kpiExcel>

Why a Custom XML Part: Excel (desktop and web) keeps custom XML parts it
does not understand when it saves, and they are readable from every door
(Office.js ``workbook.customXmlParts``, COM ``Workbook.CustomXMLParts``). A
marker *inside* each rule would be dropped by Excel (unknown attributes) or
would change the rule's formula.

Why sheetIds, signatures and overlap: a sheetId survives renaming and
reordering. A rule is ours when its signature (what it does, see
:func:`condformat.rule_signature`) matches one we recorded *and* its range
overlaps the range we wrote it to. The signature leaves the range out, and
overlap instead of equality means a rule Excel stretched or shifted when the
officer inserted rows is still recognised; requiring overlap means the
officer's identical-looking rule elsewhere (say, the same default icon set on
another column) is never taken for ours. A rule the officer *changed*
(another colour or formula) no longer matches and becomes theirs. If the registry is lost (e.g. the file
went through a tool that drops custom XML), owned sheets are still known by
their ``codeName`` (see :data:`OWNED_CODENAME_PREFIX`), but old rules would
be left in place, so a refresh could then add a second copy of its rules.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from lxml import etree

from kpi_excel.ooxml.package import CT, RT, OpcPackage
from kpi_excel.ooxml.xmlutil import NS

__all__ = ["MANAGED_NS", "OWNED_CODENAME_PREFIX", "ManagedRegistry", "sqrefs_overlap"]

MANAGED_NS = "urn:kpi-excel:managed:1"
OWNED_CODENAME_PREFIX = "kpiExcel"


def sqrefs_overlap(a: str, b: str) -> bool:
    """Whether two space-separated range lists share a cell (False if either is unreadable)."""
    from kpi_excel.ooxml.errors import OoxmlValueError
    from kpi_excel.ooxml.refs import parse_range

    try:
        left = [parse_range(part) for part in a.split()]
        right = [parse_range(part) for part in b.split()]
    except OoxmlValueError:
        return False
    return any(x.intersects(y) for x in left for y in right)


def _tag(local: str) -> str:
    return f"{{{MANAGED_NS}}}{local}"


class ManagedRegistry:
    """Read and update the registry part of one workbook."""

    def __init__(self, pkg: OpcPackage, workbook_part: str) -> None:
        self._pkg = pkg
        self._wb = workbook_part
        self._part: str | None = None
        self.owned_sheets: set[int] = set()
        self.rules: dict[tuple[str, int], set[tuple[str, str]]] = defaultdict(set)
        self.changed = False
        for rel in pkg.related(workbook_part, RT.CUSTOM_XML):
            part = rel.part
            if not part or not pkg.has(part):
                continue
            data = pkg.read(part)
            if MANAGED_NS.encode() not in data[:2000]:
                continue
            root = pkg.xml(part)
            if root.tag != _tag("kpiExcel"):
                continue
            self._part = pkg.actual_name(part)
            for el in root:
                if el.tag == _tag("sheet") and el.get("id", "").isdecimal():
                    self.owned_sheets.add(int(el.get("id", "0")))
                elif el.tag in (_tag("cf"), _tag("dv"), _tag("sl")) and el.get("sheet", "").isdecimal() and el.get("sig"):
                    kind = el.tag.rsplit("}", 1)[1]
                    self.rules[(kind, int(el.get("sheet", "0")))].add((el.get("sig", ""), el.get("sqref", "")))
            break

    @property
    def part(self) -> str | None:
        """The registry's part name, once it exists."""
        return self._part

    def signatures(self, kind: str, sheet_id: int) -> set[tuple[str, str]]:
        """(signature, sqref) of what of ``kind`` ('cf', 'dv' or 'sl') we wrote on a sheet."""
        return set(self.rules.get((kind, sheet_id), set()))

    def set_signatures(self, kind: str, sheet_id: int, signatures: set[tuple[str, str]]) -> None:
        """Replace the remembered (signature, sqref) pairs for a sheet."""
        if self.rules.get((kind, sheet_id), set()) != signatures:
            self.rules[(kind, sheet_id)] = set(signatures)
            self.changed = True

    def own_sheet(self, sheet_id: int) -> None:
        """Remember that a sheet is ours."""
        if sheet_id not in self.owned_sheets:
            self.owned_sheets.add(sheet_id)
            self.changed = True

    def forget_sheet(self, sheet_id: int) -> None:
        """Forget a removed sheet and everything we wrote on it."""
        if sheet_id in self.owned_sheets:
            self.owned_sheets.discard(sheet_id)
            self.changed = True
        for key in [k for k in self.rules if k[1] == sheet_id]:
            del self.rules[key]
            self.changed = True

    def _build(self) -> etree._Element:
        root = etree.Element(_tag("kpiExcel"), nsmap={None: MANAGED_NS})
        root.set("version", "1")
        for sheet_id in sorted(self.owned_sheets):
            etree.SubElement(root, _tag("sheet")).set("id", str(sheet_id))
        for (kind, sheet_id), sigs in sorted(self.rules.items()):
            for sig, sqref in sorted(sigs):
                el = etree.SubElement(root, _tag(kind))
                el.set("sheet", str(sheet_id))
                el.set("sig", sig)
                el.set("sqref", sqref)
        return root

    def flush(self) -> None:
        """Write the registry into the package if it changed (creating the part if needed)."""
        if not self.changed:
            return
        root = self._build()
        if self._part is None:
            item = self._pkg.next_free("customXml/item{}.xml")
            number = item[len("customXml/item") : -len(".xml")]
            props = f"customXml/itemProps{number}.xml"
            if self._pkg.has(props):
                props = self._pkg.next_free("customXml/itemProps{}.xml")
            self._pkg.write_xml(item, root)
            self._pkg.ensure_default("xml", CT.XML)
            props_root = etree.Element(f"{{{NS['ds']}}}datastoreItem", nsmap={"ds": NS["ds"]})
            props_root.set(f"{{{NS['ds']}}}itemID", "{" + str(uuid.uuid4()).upper() + "}")
            refs = etree.SubElement(props_root, f"{{{NS['ds']}}}schemaRefs")
            etree.SubElement(refs, f"{{{NS['ds']}}}schemaRef").set(f"{{{NS['ds']}}}uri", MANAGED_NS)
            self._pkg.write_xml(props, props_root, CT.CUSTOM_XML_PROPS)
            self._pkg.add_relationship(item, RT.CUSTOM_XML_PROPS, props)
            self._pkg.add_relationship(self._wb, RT.CUSTOM_XML, item)
            self._part = item
        else:
            self._pkg.write_xml(self._part, root)
        self.changed = False
