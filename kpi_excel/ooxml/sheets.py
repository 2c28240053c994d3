"""Worksheet skeletons for sheets we own, and sheet settings applied only where absent.

``apply_settings(..., only_if_absent=True)`` is the mode for an officer's
sheet: a frozen pane, column width, tab colour or print setting the officer
chose is never overridden; we fill in only what is missing. On a sheet we own
the same function runs with ``only_if_absent=False``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml.refs import cell_ref
from kpi_excel.ooxml.styles import normalize_color
from kpi_excel.ooxml.xmlutil import (
    int_attr,
    NS,
    SHEETPR_ORDER,
    WORKSHEET_ORDER,
    find_or_create,
    insert_in_order,
    main,
)

__all__ = ["SheetSettings", "new_worksheet_root", "apply_settings"]

_SHEETVIEW_ORDER = ("pane", "selection", "pivotSelection", "extLst")


@dataclass(frozen=True)
class SheetSettings:
    """Presentation settings for a sheet.

    ``freeze`` is (rows, columns) kept in view, e.g. (1, 0) for a header row;
    ``column_widths`` maps 1-based columns to widths in characters;
    ``landscape``/``fit_to_width`` set up printing on A4 (``paper_size`` 9);
    ``row_heights`` maps 1-based rows (that have cells) to heights in points,
    for wrapped text that neither Excel nor LibreOffice grows rows for on opening.
    ``margins`` (left, right, top, bottom, in inches) replace the default ones;
    ``row_breaks`` are rows a printed page starts at; ``column_styles`` give a
    column's default cell style, which Excel gives a cell typed there later.
    """

    freeze: tuple[int, int] | None = None
    column_widths: dict[int, float] = field(default_factory=dict)
    tab_color: str | None = None
    landscape: bool | None = None
    fit_to_width: bool = False
    paper_size: int | None = 9
    row_heights: dict[int, float] = field(default_factory=dict)
    margins: tuple[float, float, float, float] | None = None
    row_breaks: tuple[int, ...] | None = None  # None: leave the sheet's own breaks alone
    column_styles: dict[int, int] = field(default_factory=dict)


def new_worksheet_root(code_name: str | None = None) -> etree._Element:
    """An empty worksheet like the one Excel writes for a new sheet."""
    root = etree.Element(main("worksheet"), nsmap={None: NS["main"], "r": NS["r"]})
    if code_name:
        etree.SubElement(root, main("sheetPr")).set("codeName", code_name)
    etree.SubElement(root, main("dimension")).set("ref", "A1")
    views = etree.SubElement(root, main("sheetViews"))
    etree.SubElement(views, main("sheetView")).set("workbookViewId", "0")
    etree.SubElement(root, main("sheetFormatPr")).set("defaultRowHeight", "15")
    etree.SubElement(root, main("sheetData"))
    margins = etree.SubElement(root, main("pageMargins"))
    for key, value in (("left", "0.7"), ("right", "0.7"), ("top", "0.75"), ("bottom", "0.75"),
                       ("header", "0.3"), ("footer", "0.3")):
        margins.set(key, value)
    return root


def _sheet_pr(root: etree._Element) -> etree._Element:
    return find_or_create(root, "sheetPr", WORKSHEET_ORDER)


def _set_tab_color(root: etree._Element, color: str, only_if_absent: bool) -> bool:
    pr = _sheet_pr(root)
    tab = pr.find(main("tabColor"))
    if tab is not None and only_if_absent:
        return False
    if tab is None:
        tab = insert_in_order(pr, etree.Element(main("tabColor")), SHEETPR_ORDER)
    for key in list(tab.attrib):
        del tab.attrib[key]
    tab.set("rgb", normalize_color(color))
    return True


def _set_freeze(root: etree._Element, rows: int, cols: int, only_if_absent: bool) -> bool:
    if rows < 0 or cols < 0 or (rows == 0 and cols == 0):
        raise OoxmlValueError("freeze panes need a positive number of rows or columns")
    views = find_or_create(root, "sheetViews", WORKSHEET_ORDER)
    view = views.find(main("sheetView"))
    if view is None:
        view = etree.SubElement(views, main("sheetView"))
        view.set("workbookViewId", "0")
    pane = view.find(main("pane"))
    if pane is not None and only_if_absent:
        return False
    for el in list(view):
        if el.tag in (main("pane"), main("selection")):
            view.remove(el)
    top_left = cell_ref(rows + 1, cols + 1)
    active = "bottomRight" if rows and cols else ("bottomLeft" if rows else "topRight")
    pane = etree.Element(main("pane"))
    if cols:
        pane.set("xSplit", str(cols))
    if rows:
        pane.set("ySplit", str(rows))
    pane.set("topLeftCell", top_left)
    pane.set("activePane", active)
    pane.set("state", "frozen")
    insert_in_order(view, pane, _SHEETVIEW_ORDER)
    panes = ["topRight", "bottomLeft", "bottomRight"] if rows and cols else [active]
    for name in panes:
        sel = etree.Element(main("selection"))
        sel.set("pane", name)
        if name == active:
            sel.set("activeCell", top_left)
            sel.set("sqref", top_left)
        insert_in_order(view, sel, _SHEETVIEW_ORDER)
    return True


def _set_widths(root: etree._Element, widths: dict[int, float], only_if_absent: bool) -> bool:
    cols = find_or_create(root, "cols", WORKSHEET_ORDER)
    existing = list(cols.iterchildren(main("col")))
    changed = False
    for col, width in sorted(widths.items()):
        covering = [el for el in existing if int_attr(el, "min") <= col <= int_attr(el, "max")]
        if covering:
            if only_if_absent:
                continue
            el = covering[0]
            if el.get("min") != el.get("max"):
                continue  # a shared <col> range belongs to the officer's layout
            el.set("width", f"{width:g}")
            el.set("customWidth", "1")
            changed = True
            continue
        el = etree.Element(main("col"))
        el.set("min", str(col))
        el.set("max", str(col))
        el.set("width", f"{width:g}")
        el.set("customWidth", "1")
        # <col> entries must stay sorted and disjoint.
        after = [e for e in existing if int_attr(e, "max") < col]
        if after:
            after[-1].addnext(el)
        else:
            cols.insert(0, el)
        existing = list(cols.iterchildren(main("col")))
        changed = True
    if len(cols) == 0:
        root.remove(cols)
    return changed


def _set_print(root: etree._Element, settings: SheetSettings, only_if_absent: bool) -> bool:
    changed = False
    setup = root.find(main("pageSetup"))
    if setup is None:
        setup = insert_in_order(root, etree.Element(main("pageSetup")), WORKSHEET_ORDER)
        changed = True
        if settings.paper_size is not None:
            setup.set("paperSize", str(settings.paper_size))
    elif settings.paper_size is not None and not (only_if_absent and setup.get("paperSize")):
        setup.set("paperSize", str(settings.paper_size))
        changed = True
    if settings.landscape is not None and not (only_if_absent and setup.get("orientation")):
        setup.set("orientation", "landscape" if settings.landscape else "portrait")
        changed = True
    if settings.fit_to_width:
        pr = _sheet_pr(root)
        page_pr = pr.find(main("pageSetUpPr"))
        if page_pr is None:
            page_pr = insert_in_order(pr, etree.Element(main("pageSetUpPr")), SHEETPR_ORDER)
        if not (only_if_absent and page_pr.get("fitToPage")):
            page_pr.set("fitToPage", "1")
            setup.set("fitToWidth", "1")
            setup.set("fitToHeight", "0")
            changed = True
    if root.find(main("pageMargins")) is None:
        margins = etree.Element(main("pageMargins"))
        for key, value in (("left", "0.7"), ("right", "0.7"), ("top", "0.75"), ("bottom", "0.75"),
                           ("header", "0.3"), ("footer", "0.3")):
            margins.set(key, value)
        insert_in_order(root, margins, WORKSHEET_ORDER)
        changed = True
    if settings.margins is not None and not only_if_absent:
        margins = root.find(main("pageMargins"))
        for key, value in zip(("left", "right", "top", "bottom"), settings.margins):
            margins.set(key, f"{value:g}")
        changed = True
    return changed


def _set_row_breaks(root: etree._Element, rows: tuple[int, ...]) -> bool:
    """Manual page breaks: a page starts at each of ``rows`` (Excel stores the row above)."""
    old = root.find(main("rowBreaks"))
    if old is not None:
        root.remove(old)
    if not rows:
        return old is not None
    breaks = etree.Element(main("rowBreaks"))
    breaks.set("count", str(len(rows)))
    breaks.set("manualBreakCount", str(len(rows)))
    for row in sorted(set(rows)):
        brk = etree.SubElement(breaks, main("brk"))
        brk.set("id", str(row - 1))
        brk.set("max", "16383")
        brk.set("man", "1")
    insert_in_order(root, breaks, WORKSHEET_ORDER)
    return True


def _set_column_styles(root: etree._Element, styles: dict[int, int]) -> bool:
    """The default style of single-column ``<col>`` entries (widths set first)."""
    cols = root.find(main("cols"))
    if cols is None:
        return False
    changed = False
    for el in cols.iterchildren(main("col")):
        style = styles.get(int(el.get("min", "0")))
        if style is not None and el.get("min") == el.get("max"):
            el.set("style", str(style))
            changed = True
    return changed


def _set_heights(root: etree._Element, heights: dict[int, float], only_if_absent: bool) -> bool:
    data = root.find(main("sheetData"))
    if data is None:
        return False
    changed = False
    for row in data.iterchildren(main("row")):
        height = heights.get(int_attr(row, "r"))
        if height is None or (only_if_absent and row.get("ht")):
            continue
        row.set("ht", f"{height:g}")
        row.set("customHeight", "1")
        changed = True
    return changed


def apply_settings(root: etree._Element, settings: SheetSettings, *, only_if_absent: bool = True) -> list[str]:
    """Apply ``settings`` to a worksheet root; returns the names of settings applied."""
    applied = []
    if settings.tab_color and _set_tab_color(root, settings.tab_color, only_if_absent):
        applied.append("tab_color")
    if settings.freeze and _set_freeze(root, *settings.freeze, only_if_absent):
        applied.append("freeze")
    if settings.column_widths and _set_widths(root, settings.column_widths, only_if_absent):
        applied.append("column_widths")
    if (settings.landscape is not None or settings.fit_to_width) and _set_print(root, settings, only_if_absent):
        applied.append("print")
    if settings.row_heights and _set_heights(root, settings.row_heights, only_if_absent):
        applied.append("row_heights")
    if settings.row_breaks is not None and not only_if_absent and _set_row_breaks(root, settings.row_breaks):
        applied.append("row_breaks")
    if settings.column_styles and not only_if_absent and _set_column_styles(root, settings.column_styles):
        applied.append("column_styles")
    pr = root.find(main("sheetPr"))
    if pr is not None and len(pr) == 0 and not pr.attrib:
        root.remove(pr)
    return applied
