"""Native Excel sparklines (``x14:sparklineGroups`` in a worksheet's ``extLst``).

Excel 2010 put sparklines in an extension of the worksheet part::

    <extLst>
      <ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" xmlns:x14="...2009/9/main">
        <x14:sparklineGroups xmlns:xm="...excel/2006/main">
          <x14:sparklineGroup displayEmptyCellsAs="gap" last="1">
            <x14:colorSeries rgb="FF1F4E79"/> ... <x14:colorLow rgb="..."/>
            <x14:sparklines>
              <x14:sparkline><xm:f>History!O5:V5</xm:f><xm:sqref>L5</xm:sqref></x14:sparkline>
            </x14:sparklines>
          </x14:sparklineGroup>
        </x14:sparklineGroups>
      </ext>
    </extLst>

openpyxl drops all of it on a load and save; this module edits only the
groups kpi_excel wrote. Which groups are ours is remembered the way our
conditional formats are (see :mod:`.managed`): a signature of the group's
look (its attributes and colours, not its cells) and the cells it sat in. A
group is ours when its signature matches and its cells overlap the recorded
ones, so a group Excel moved when the officer inserted rows is still found,
and an officer's own sparklines (another look, or other cells) are never
touched.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Iterable, Sequence

from lxml import etree

from kpi_excel.ooxml.managed import sqrefs_overlap
from kpi_excel.ooxml.styles import normalize_color
from kpi_excel.ooxml.xmlutil import NS, WORKSHEET_ORDER, find_or_create, local_name, main

__all__ = ["SparklineGroup", "SPARKLINE_EXT_URI", "sparkline_groups", "add_sparkline_group",
           "remove_groups_by_signature", "group_signature", "group_sqref"]

SPARKLINE_EXT_URI = "{05C60535-1F16-4fd2-B633-F4F36F0B64E0}"
_X14, _XM = NS["x14"], NS["xm"]
# Where Excel puts each known extension in a worksheet's extLst (it writes them in this order).
_EXT_ORDER = (
    "{78C0D931-6437-407d-A8EE-F0AAD7539E65}",  # conditionalFormattings
    "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}",  # dataValidations
    SPARKLINE_EXT_URI,
    "{A8765BA9-456A-4dab-B4F3-ACF838C121DE}",  # slicerList
    "{FC87AEE6-9EDD-4A0A-B7FB-166176984837}",  # protectedRanges
    "{01252117-D84E-4E92-8308-4BE1C098FCBB}",  # ignoredErrors
    "{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}",  # webExtensions
    "{7E03D99C-DC04-49d9-9315-930204A7B6E9}",  # timelineRefs
)
_COLOUR_ORDER = ("colorSeries", "colorNegative", "colorAxis", "colorMarkers", "colorFirst", "colorLast",
                 "colorHigh", "colorLow")


def x14(local: str) -> str:
    return f"{{{_X14}}}{local}"


def xm(local: str) -> str:
    return f"{{{_XM}}}{local}"


@dataclass(frozen=True)
class SparklineGroup:
    """Line sparklines sharing one look: ``cells`` pairs a location (``L5``) with
    the range it draws (``History!O5:V5``). Only the last point is marked."""

    cells: Sequence[tuple[str, str]]
    colour: str = "1F4E79"
    last_colour: str = "C55A11"
    line_weight: float = 1.25


def _ext(root: etree._Element, create: bool) -> etree._Element | None:
    ext_list = root.find(main("extLst"))
    if ext_list is None:
        if not create:
            return None
        ext_list = find_or_create(root, "extLst", WORKSHEET_ORDER)
    for ext in ext_list.findall(main("ext")):
        if ext.get("uri") == SPARKLINE_EXT_URI:
            return ext
    if not create:
        return None
    ext = etree.Element(main("ext"), nsmap={"x14": _X14})
    ext.set("uri", SPARKLINE_EXT_URI)
    # Keep Excel's order of extensions: before the first one that Excel writes after ours.
    later = set(_EXT_ORDER[_EXT_ORDER.index(SPARKLINE_EXT_URI) + 1:])
    following = next((e for e in ext_list if e.get("uri") in later), None)
    if following is not None:
        following.addprevious(ext)
    else:
        ext_list.append(ext)
    return ext


def sparkline_groups(root: etree._Element) -> list[etree._Element]:
    """Every ``x14:sparklineGroup`` of a worksheet, in document order."""
    ext = _ext(root, create=False)
    if ext is None:
        return []
    return [g for groups in ext.findall(x14("sparklineGroups")) for g in groups.findall(x14("sparklineGroup"))]


def group_signature(group: etree._Element) -> str:
    """What a group looks like (attributes and colours, not its cells), as a short stable hash.

    Attributes in other namespaces (Excel's revision ids) are left out, colours
    are compared upper-case, so Excel's own re-save does not make it another group.
    """
    attrs = sorted((k, v) for k, v in group.attrib.items() if not k.startswith("{"))
    colours = []
    for child in group:
        if not isinstance(child.tag, str) or local_name(child) == "sparklines":
            continue
        colours.append([local_name(child), sorted((k, v.upper()) for k, v in child.attrib.items())])
    payload = json.dumps(["sparklineGroup", attrs, colours], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def group_sqref(group: etree._Element) -> str:
    """The cells a group's sparklines sit in, space separated."""
    return " ".join((el.text or "").strip() for el in group.iter(xm("sqref")) if (el.text or "").strip())


def _colour(parent: etree._Element, local: str, rgb: str) -> None:
    etree.SubElement(parent, x14(local)).set("rgb", normalize_color(rgb))


def add_sparkline_group(root: etree._Element, group: SparklineGroup) -> etree._Element | None:
    """Add ``group`` to a worksheet (after any existing groups); None when it has no cells."""
    if not group.cells:
        return None
    ext = _ext(root, create=True)
    assert ext is not None
    holder = ext.find(x14("sparklineGroups"))
    if holder is None:
        holder = etree.SubElement(ext, x14("sparklineGroups"), nsmap={"xm": _XM})
    el = etree.SubElement(holder, x14("sparklineGroup"))
    el.set("lineWeight", f"{group.line_weight:g}")
    el.set("displayEmptyCellsAs", "gap")
    el.set("last", "1")
    looks = {"colorSeries": group.colour, "colorNegative": "C00000", "colorAxis": "000000",
             "colorMarkers": group.colour, "colorFirst": group.colour, "colorLast": group.last_colour,
             "colorHigh": group.colour, "colorLow": group.colour}
    for local in _COLOUR_ORDER:
        _colour(el, local, looks[local])
    lines = etree.SubElement(el, x14("sparklines"))
    for location, source in group.cells:
        line = etree.SubElement(lines, x14("sparkline"))
        etree.SubElement(line, xm("f")).text = source
        etree.SubElement(line, xm("sqref")).text = location
    return el


def remove_groups_by_signature(root: etree._Element, recorded: Iterable[tuple[str, str]]) -> int:
    """Remove groups matching a recorded (signature, sqref): same look, overlapping cells.

    An extension left with no groups is removed, and an ``extLst`` left empty too.
    """
    wanted: dict[str, list[str]] = {}
    for sig, sqref in recorded:
        wanted.setdefault(sig, []).append(sqref)
    removed = 0
    for group in sparkline_groups(root):
        places = wanted.get(group_signature(group))
        if places and any(_overlap(group_sqref(group), place) for place in places):
            # Emptied first: a removed element is kept whole for its proxy, its namespaces mended
            # node by node (0.13 s for a group of 10,000 sparklines); its children go at once.
            group.clear()
            group.getparent().remove(group)
            removed += 1
    if removed:
        _tidy(root)
    return removed


def _overlap(sqref: str, place: str) -> bool:
    """:func:`~.managed.sqrefs_overlap`; a group where the refresh before put it (the same cells)
    has each of its 10,000 cells read once, not twice."""
    if sqref == place and sqref.strip():
        # Overlapping itself unless a part cannot be read: its first part stands for the whole.
        return sqrefs_overlap(sqref, sqref.split(maxsplit=1)[0])
    return sqrefs_overlap(sqref, place)


def _tidy(root: etree._Element) -> None:
    ext = _ext(root, create=False)
    if ext is None:
        return
    for holder in ext.findall(x14("sparklineGroups")):
        if not len(holder):
            ext.remove(holder)
    if not len(ext):
        ext_list = ext.getparent()
        ext_list.remove(ext)
        if not len(ext_list):
            root.remove(ext_list)


def set_groups(root: etree._Element, recorded: Iterable[tuple[str, str]],
               groups: Sequence[SparklineGroup]) -> tuple[int, set[tuple[str, str]]]:
    """Replace the groups recorded as ours by ``groups``: (removed, new records)."""
    removed = remove_groups_by_signature(root, recorded)
    records = set()
    for group in groups:
        el = add_sparkline_group(root, group)
        if el is not None:
            records.add((group_signature(el), group_sqref(el)))
    return removed, records
