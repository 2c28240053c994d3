"""Workbook-level parts: ``xl/workbook.xml`` (sheets, defined names) and ``docProps/app.xml``.

Sheets are always found by name through the workbook's relationships, never
by assuming ``sheet1.xml``. Adding or removing a sheet keeps the things that
count sheets by *position* consistent: ``localSheetId`` of defined names and
the ``activeTab``/``firstSheet`` of workbook views.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from kpi_excel.ooxml.errors import CorruptPackageError, OoxmlValueError, UnsupportedPackageError
from kpi_excel.ooxml.package import RT, OpcPackage
from kpi_excel.ooxml.xmlutil import NS, WORKBOOK_ORDER, find_or_create, int_attr, main, qn

__all__ = [
    "SheetInfo",
    "DefinedName",
    "workbook_part",
    "read_sheets",
    "read_defined_names",
    "is_date1904",
    "add_sheet_entry",
    "remove_sheet_entry",
    "set_defined_name",
    "remove_defined_names",
    "update_app_sheet_titles",
    "validate_sheet_name",
]

_SHEET_KINDS = {
    RT.WORKSHEET: "worksheet",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet": "chartsheet",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/dialogsheet": "dialogsheet",
    "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet": "macrosheet",
    "http://schemas.microsoft.com/office/2006/relationships/xlIntlMacrosheet": "macrosheet",
}


@dataclass(frozen=True)
class SheetInfo:
    """One sheet as listed in ``xl/workbook.xml``.

    ``index`` is the 0-based tab position, ``state`` is 'visible', 'hidden' or
    'veryHidden', ``kind`` is 'worksheet', 'chartsheet', 'dialogsheet' or
    'macrosheet', ``part`` the sheet's part name in the package.
    """

    name: str
    index: int
    sheet_id: int
    rel_id: str
    part: str | None
    state: str
    kind: str


@dataclass(frozen=True)
class DefinedName:
    """A defined name; ``local_sheet`` is the sheet name for a sheet-scoped name."""

    name: str
    value: str
    local_sheet: str | None
    hidden: bool


def workbook_part(pkg: OpcPackage) -> str:
    """Name of the workbook part (normally ``xl/workbook.xml``)."""
    for rel in pkg.related("", RT.OFFICE_DOCUMENT):
        part = rel.part
        if part and pkg.has(part):
            root_tag = pkg.xml(part).tag
            if root_tag.startswith("{" + NS["strict"] + "}"):
                raise UnsupportedPackageError(
                    "this workbook is saved as 'Strict Open XML'; save it as an ordinary Excel Workbook",
                    path=pkg.path,
                )
            return pkg.actual_name(part) or part
    raise CorruptPackageError("package has no workbook part", path=pkg.path)


def read_sheets(pkg: OpcPackage, wb: str) -> list[SheetInfo]:
    """Sheets in tab order."""
    root = pkg.xml(wb)
    sheets_el = root.find(main("sheets"))
    if sheets_el is None:
        raise CorruptPackageError("workbook.xml has no <sheets>", path=pkg.path)
    rels = {r.id: r for r in pkg.relationships(wb)}
    out = []
    for index, el in enumerate(sheets_el.iterchildren(main("sheet"))):
        rel_id = el.get(qn("r", "id"), "")
        rel = rels.get(rel_id)
        part = rel.part if rel is not None else None
        out.append(
            SheetInfo(
                name=el.get("name", ""),
                index=index,
                sheet_id=int_attr(el, "sheetId"),
                rel_id=rel_id,
                part=(pkg.actual_name(part) or part) if part else None,
                state=el.get("state", "visible"),
                kind=_SHEET_KINDS.get(rel.type, "other") if rel is not None else "other",
            )
        )
    return out


def read_defined_names(pkg: OpcPackage, wb: str) -> list[DefinedName]:
    """Defined names in file order, with sheet scope resolved to a sheet name."""
    root = pkg.xml(wb)
    names_el = root.find(main("definedNames"))
    if names_el is None:
        return []
    sheets = read_sheets(pkg, wb)
    out = []
    for el in names_el.iterchildren(main("definedName")):
        local = el.get("localSheetId")
        local_sheet = None
        if local is not None and local.isdecimal() and int(local) < len(sheets):
            local_sheet = sheets[int(local)].name
        out.append(
            DefinedName(
                name=el.get("name", ""),
                value=el.text or "",
                local_sheet=local_sheet,
                hidden=el.get("hidden") in ("1", "true"),
            )
        )
    return out


def is_date1904(pkg: OpcPackage, wb: str) -> bool:
    """Whether the workbook counts dates from 1904 (old Mac workbooks)."""
    pr = pkg.xml(wb).find(main("workbookPr"))
    return pr is not None and pr.get("date1904") in ("1", "true")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def validate_sheet_name(name: str, existing: list[str]) -> None:
    """Raise :class:`OoxmlValueError` unless Excel would accept ``name`` as a new sheet name."""
    if not name or len(name) > 31:
        raise OoxmlValueError(f"sheet name {name!r} must be 1 to 31 characters", sheet=name)
    if _BAD_SHEET_CHARS.search(name) or name.startswith("'") or name.endswith("'"):
        raise OoxmlValueError(f"sheet name {name!r} contains a character Excel does not allow", sheet=name)
    if name.lower() == "history":
        raise OoxmlValueError("Excel reserves the sheet name 'History'", sheet=name)
    if name.lower() in {n.lower() for n in existing}:
        raise OoxmlValueError(f"a sheet named {name!r} already exists", sheet=name)


def _shift_positions(root: etree._Element, at: int, delta: int, removed: int | None = None) -> None:
    """Keep position-based references right after inserting/removing a sheet at ``at``."""
    names_el = root.find(main("definedNames"))
    if names_el is not None:
        for el in list(names_el):
            local = el.get("localSheetId")
            if local is None or not local.isdecimal():
                continue
            pos = int(local)
            if removed is not None and pos == removed:
                names_el.remove(el)
            elif pos >= at:
                el.set("localSheetId", str(pos + delta))
        if len(names_el) == 0:
            root.remove(names_el)
    for view, attr, value in _view_tabs(root):
        if value.isdecimal() and int(value) >= at:
            view.set(attr, str(max(int(value) + delta, 0)))


def _view_tabs(root: etree._Element) -> Iterator[tuple[etree._Element, str, str]]:
    """(view, attribute, its text) of each sheet position a workbook view holds: the active tab
    and the first tab shown."""
    views = root.find(main("bookViews"))
    for view in views.iterchildren(main("workbookView")) if views is not None else ():
        for attr in ("activeTab", "firstSheet"):
            value = view.get(attr)
            if value is not None:
                yield view, attr, value


def add_sheet_entry(pkg: OpcPackage, wb: str, name: str, part: str, position: int) -> tuple[str, int]:
    """List a new worksheet part in the workbook at tab ``position``; returns (rId, sheetId)."""
    root = pkg.xml(wb)
    sheets_el = root.find(main("sheets"))
    assert sheets_el is not None
    existing = list(sheets_el.iterchildren(main("sheet")))
    sheet_id = max((int_attr(el, "sheetId") for el in existing), default=0) + 1
    rel_id = pkg.add_relationship(wb, RT.WORKSHEET, part)
    el = etree.Element(main("sheet"))
    el.set("name", name)
    el.set("sheetId", str(sheet_id))
    el.set(qn("r", "id"), rel_id)
    position = max(0, min(position, len(existing)))
    if position < len(existing):
        existing[position].addprevious(el)
    else:
        sheets_el.append(el)
    _shift_positions(root, position, +1)
    pkg.mark_dirty(wb)
    return rel_id, sheet_id


def remove_sheet_entry(pkg: OpcPackage, wb: str, sheet: SheetInfo) -> None:
    """Remove a sheet from the workbook listing and its relationship (not its part)."""
    root = pkg.xml(wb)
    sheets_el = root.find(main("sheets"))
    assert sheets_el is not None
    for el in sheets_el.iterchildren(main("sheet")):
        if el.get("name") == sheet.name:
            sheets_el.remove(el)
            break
    pkg.remove_relationship(wb, sheet.rel_id)
    _shift_positions(root, sheet.index + 1, -1, removed=sheet.index)
    remaining = len(sheets_el)
    for view, attr, value in _view_tabs(root):
        if value.isdecimal() and int(value) >= remaining:
            view.set(attr, str(max(remaining - 1, 0)))
    pkg.mark_dirty(wb)


def set_defined_name(
    pkg: OpcPackage, wb: str, name: str, value: str, *, local_sheet_index: int | None = None, hidden: bool = False
) -> None:
    """Create or replace a defined name (sheet-scoped when ``local_sheet_index`` is given)."""
    root = pkg.xml(wb)
    names_el = find_or_create(root, "definedNames", WORKBOOK_ORDER)
    scope = None if local_sheet_index is None else str(local_sheet_index)
    for el in names_el.iterchildren(main("definedName")):
        if el.get("name", "").lower() == name.lower() and el.get("localSheetId") == scope:
            if el.text != value:
                el.text = value
                pkg.mark_dirty(wb)
            return
    el = etree.SubElement(names_el, main("definedName"))
    el.set("name", name)
    if scope is not None:
        el.set("localSheetId", scope)
    if hidden:
        el.set("hidden", "1")
    el.text = value
    pkg.mark_dirty(wb)


def remove_defined_names(pkg: OpcPackage, wb: str, name: str, local_sheet_index: int | None) -> None:
    """Remove the defined name ``name`` with the given scope, if present."""
    root = pkg.xml(wb)
    names_el = root.find(main("definedNames"))
    if names_el is None:
        return
    scope = None if local_sheet_index is None else str(local_sheet_index)
    for el in list(names_el):
        if el.get("name", "").lower() == name.lower() and el.get("localSheetId") == scope:
            names_el.remove(el)
            pkg.mark_dirty(wb)
    if len(names_el) == 0:
        root.remove(names_el)


def update_app_sheet_titles(pkg: OpcPackage, old_titles: list[str], new_titles: list[str]) -> bool:
    """Replace the worksheet titles in ``docProps/app.xml`` and fix the counts.

    The worksheet segment is the HeadingPairs entry whose titles equal
    ``old_titles`` (its heading text is localised, so we match by content).
    If app.xml is absent or does not match, it is left alone: it is
    informational and Excel rewrites it on its next save. Returns whether it
    was updated.
    """
    app = "docProps/app.xml"
    for rel in pkg.related("", RT.EXTENDED_PROPERTIES):
        app = rel.part or app
    if not pkg.has(app):
        return False
    root = pkg.xml(app)
    vt = NS["vt"]
    pairs = root.find(qn("ep", "HeadingPairs") + f"/{{{vt}}}vector")
    titles = root.find(qn("ep", "TitlesOfParts") + f"/{{{vt}}}vector")
    if pairs is None or titles is None:
        return False
    variants = list(pairs.iterchildren(f"{{{vt}}}variant"))
    lpstrs = list(titles.iterchildren(f"{{{vt}}}lpstr"))
    offset = 0
    for i in range(0, len(variants) - 1, 2):
        count_el = variants[i + 1].find(f"{{{vt}}}i4")
        if count_el is None or not (count_el.text or "").strip().lstrip("-").isdecimal():
            return False
        count = int(count_el.text)
        segment = lpstrs[offset : offset + count]
        if [el.text or "" for el in segment] == old_titles:
            anchor = segment[0].getprevious() if segment else (lpstrs[offset - 1] if offset else None)
            for el in segment:
                titles.remove(el)
            new_els = []
            for title in new_titles:
                el = etree.Element(f"{{{vt}}}lpstr")
                el.text = title
                new_els.append(el)
            insert_at = 0 if anchor is None else titles.index(anchor) + 1
            for j, el in enumerate(new_els):
                titles.insert(insert_at + j, el)
            count_el.text = str(len(new_titles))
            titles.set("size", str(len(list(titles.iterchildren(f"{{{vt}}}lpstr")))))
            pkg.mark_dirty(app)
            return True
        offset += count
    return False


def set_sheet_state(pkg: OpcPackage, wb: str, index: int, state: str) -> None:
    """Set the ``index``-th sheet's state ('visible', 'hidden', 'veryHidden'); a hidden sheet is
    never left the active or first shown tab."""
    root = pkg.xml(wb)
    sheets_el = root.find(main("sheets"))
    if sheets_el is None:
        return
    el = list(sheets_el.iterchildren(main("sheet")))[index]
    wanted = None if state == "visible" else state
    if el.get("state") == wanted:
        return
    if wanted is None:
        el.attrib.pop("state", None)
    else:
        el.set("state", wanted)
        for view, attr, value in _view_tabs(root):
            if value == str(index):
                view.set(attr, "0" if index else "1")
    pkg.mark_dirty(wb)
