"""Data validation: dropdown lists, placed in schema order, recognised by signature.

Only the worksheet's own ``<dataValidations>`` is edited; 2010-style
validations kept in ``extLst`` (Excel puts cross-sheet lists there) are left
as they are. A list that refers to another sheet or to a defined name is
written as a plain formula, which Excel 2010 and later accept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml.refs import parse_range
from kpi_excel.ooxml.xmlutil import WORKSHEET_ORDER, find_or_create, local_name, main, qn

__all__ = [
    "ListValidation",
    "add_validations",
    "validation_signature",
    "remove_validations_by_signature",
    "validated_ranges",
]


@dataclass(frozen=True)
class ListValidation:
    """A dropdown on ``sqref``.

    ``source`` is either a sequence of options (written inline, at most 255
    characters, no commas in an option) or a formula string naming the list:
    ``"=Lists!$A$2:$A$5"`` or ``"=RagOptions"`` (the ``=`` is optional).
    """

    sqref: str
    source: Sequence[str] | str
    allow_blank: bool = True
    show_error: bool = True
    error_title: str | None = None
    error: str | None = None
    prompt_title: str | None = None
    prompt: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def formula1(self) -> str:
        """The list formula as stored in ``<formula1>``."""
        if isinstance(self.source, str):
            text = self.source[1:] if self.source.startswith("=") else self.source
            if not text:
                raise OoxmlValueError("a list validation needs a source")
            return text
        options = [str(o) for o in self.source]
        if not options:
            raise OoxmlValueError("a list validation needs at least one option")
        if any("," in o for o in options):
            raise OoxmlValueError("an inline dropdown option cannot contain a comma; use a range instead")
        text = ",".join(o.replace('"', '""') for o in options)
        if len(text) > 255:
            raise OoxmlValueError("an inline dropdown list is limited to 255 characters; use a range instead")
        return f'"{text}"'

    def build(self) -> etree._Element:
        """The ``<dataValidation>`` element."""
        sqref = " ".join(parse_range(part).ref for part in self.sqref.split())
        el = etree.Element(main("dataValidation"))
        el.set("type", "list")
        if self.allow_blank:
            el.set("allowBlank", "1")
        el.set("showInputMessage", "1")
        if self.show_error:
            el.set("showErrorMessage", "1")
        for attr, value in (
            ("errorTitle", self.error_title), ("error", self.error),
            ("promptTitle", self.prompt_title), ("prompt", self.prompt),
        ):
            if value:
                el.set(attr, value)
        for attr, value in self.extra.items():
            el.set(attr, value)
        el.set("sqref", sqref)
        etree.SubElement(el, main("formula1")).text = self.formula1()
        return el


def _container(root: etree._Element) -> etree._Element:
    return find_or_create(root, "dataValidations", WORKSHEET_ORDER)


def _recount(root: etree._Element, container: etree._Element) -> None:
    count = sum(1 for _ in container.iterchildren(main("dataValidation")))
    if count == 0:
        root.remove(container)
    else:
        container.set("count", str(count))


def add_validations(root: etree._Element, items: Sequence[ListValidation]) -> list[etree._Element]:
    """Append validations to a worksheet; returns the new elements."""
    if not items:
        return []
    container = _container(root)
    added = []
    for item in items:
        el = item.build()
        container.append(el)
        added.append(el)
    _recount(root, container)
    return added


def validated_ranges(root: etree._Element) -> list[str]:
    """The sqref of every validation on the sheet: its own ``<dataValidations>`` and the
    2010 ones in ``extLst`` (``x14:dataValidation`` with an ``xm:sqref`` child)."""
    found = [el.get("sqref", "") for el in root.iter(main("dataValidation"))]
    found += [(ref.text or "") for el in root.iter(qn("x14", "dataValidation")) for ref in el.iter(qn("xm", "sqref"))]
    return [ref for ref in found if ref.strip()]


def validation_signature(el: etree._Element) -> str:
    """What a ``<dataValidation>`` does (everything but its sqref and revision id)."""
    attrs = sorted((k, v) for k, v in el.attrib.items() if k != "sqref" and not k.startswith("{"))
    body = [(local_name(c), (c.text or "").strip()) for c in el if isinstance(c.tag, str)]
    payload = json.dumps(["dv", attrs, body], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def remove_validations_by_signature(root: etree._Element, recorded: Iterable[tuple[str, str]]) -> int:
    """Remove validations matching a recorded (signature, sqref) with an overlapping range."""
    from kpi_excel.ooxml.managed import sqrefs_overlap

    wanted: dict[str, list[str]] = {}
    for sig, sqref in recorded:
        wanted.setdefault(sig, []).append(sqref)
    container = root.find(main("dataValidations"))
    if container is None or not wanted:
        return 0
    removed = 0
    for el in list(container.iterchildren(main("dataValidation"))):
        ranges = wanted.get(validation_signature(el))
        if ranges and any(sqrefs_overlap(el.get("sqref", ""), r) for r in ranges):
            container.remove(el)
            removed += 1
    if removed:
        _recount(root, container)
    return removed
