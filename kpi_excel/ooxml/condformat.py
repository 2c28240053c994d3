"""Conditional formatting rules: build, place, prioritise, recognise.

Placement: new ``<conditionalFormatting>`` blocks go after any existing ones,
in the worksheet's schema position.

Priority: Excel applies the rule with the lowest ``priority`` first. Ours are
numbered after the highest priority already in the sheet, counting 2010-style
rules kept in ``extLst`` too, so an officer's own rules keep precedence over
the ones the report adds and no two rules share a number.

Recognition: :func:`rule_signature` reduces a rule to what it *does* (type,
operator, formulas, text, icon/bar/scale settings and the look of its dxf) and
leaves out what Excel or the officer's edits move around (priority, dxf index,
sqref). See :mod:`kpi_excel.ooxml.managed` for how signatures make
re-applying idempotent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml.refs import parse_range
from kpi_excel.ooxml.styles import DxfStyle, StyleBook, normalize_color
from kpi_excel.ooxml.xmlutil import WORKSHEET_ORDER, insert_in_order, int_attr, local_name, main, qn

__all__ = [
    "CellIsRule",
    "ExpressionRule",
    "ContainsTextRule",
    "DataBarRule",
    "ColorScaleRule",
    "IconSetRule",
    "Rule",
    "ConditionalFormat",
    "existing_priorities",
    "add_conditional_formats",
    "rule_signature",
    "remove_rules_by_signature",
]

_OPERATORS = {
    "equal", "notEqual", "greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual",
    "between", "notBetween",
}


def _formula(text: str) -> str:
    return text[1:] if text.startswith("=") else text


@dataclass(frozen=True)
class CellIsRule:
    """'Cell value is ...' with a dxf; formulas are Excel formulas (``'"Red"'``, ``'0.9'``)."""

    operator: str
    formulas: tuple[str, ...]
    style: DxfStyle
    stop_if_true: bool = False

    def build(self, dxf_id: int | None, priority: int, top_left: str) -> etree._Element:
        """The ``<cfRule>`` element."""
        if self.operator not in _OPERATORS:
            raise OoxmlValueError(f"unknown conditional format operator {self.operator!r}")
        needed = 2 if self.operator in ("between", "notBetween") else 1
        if len(self.formulas) != needed:
            raise OoxmlValueError(f"operator {self.operator!r} takes {needed} formula(s)")
        rule = _rule("cellIs", dxf_id, priority, self.stop_if_true)
        rule.set("operator", self.operator)
        for f in self.formulas:
            etree.SubElement(rule, main("formula")).text = _formula(f)
        return rule


@dataclass(frozen=True)
class ExpressionRule:
    """'Use a formula' rule; the formula is relative to the top-left cell of the range."""

    formula: str
    style: DxfStyle
    stop_if_true: bool = False

    def build(self, dxf_id: int | None, priority: int, top_left: str) -> etree._Element:
        """The ``<cfRule>`` element."""
        rule = _rule("expression", dxf_id, priority, self.stop_if_true)
        etree.SubElement(rule, main("formula")).text = _formula(self.formula)
        return rule


@dataclass(frozen=True)
class ContainsTextRule:
    """'Text that contains ...' (case-insensitive, as Excel's own rule)."""

    text: str
    style: DxfStyle
    stop_if_true: bool = False

    def build(self, dxf_id: int | None, priority: int, top_left: str) -> etree._Element:
        """The ``<cfRule>`` element, with the formula Excel itself writes for this rule."""
        rule = _rule("containsText", dxf_id, priority, self.stop_if_true)
        rule.set("operator", "containsText")
        rule.set("text", self.text)
        quoted = self.text.replace('"', '""')
        etree.SubElement(rule, main("formula")).text = f'NOT(ISERROR(SEARCH("{quoted}",{top_left})))'
        return rule


Threshold = tuple[str, str | float | None]


def _cfvo(parent: etree._Element, kind: str, value: str | float | None) -> None:
    el = etree.SubElement(parent, main("cfvo"))
    el.set("type", kind)
    if value is not None:
        el.set("val", str(value))


@dataclass(frozen=True)
class DataBarRule:
    """Data bar (2007 form, understood by every Excel version and LibreOffice)."""

    color: str = "638EC6"
    low: Threshold = ("min", None)
    high: Threshold = ("max", None)
    show_value: bool = True
    style: None = None

    def build(self, dxf_id: int | None, priority: int, top_left: str) -> etree._Element:
        """The ``<cfRule>`` element."""
        rule = _rule("dataBar", None, priority, False)
        bar = etree.SubElement(rule, main("dataBar"))
        if not self.show_value:
            bar.set("showValue", "0")
        _cfvo(bar, *self.low)
        _cfvo(bar, *self.high)
        etree.SubElement(bar, main("color")).set("rgb", normalize_color(self.color))
        return rule


@dataclass(frozen=True)
class ColorScaleRule:
    """Two- or three-colour scale; ``points`` default to min/(50th percentile)/max."""

    colors: tuple[str, ...] = ("F8696B", "FFEB84", "63BE7B")
    points: tuple[Threshold, ...] | None = None
    style: None = None

    def build(self, dxf_id: int | None, priority: int, top_left: str) -> etree._Element:
        """The ``<cfRule>`` element."""
        if len(self.colors) not in (2, 3):
            raise OoxmlValueError("a colour scale has 2 or 3 colours")
        points = self.points or (
            (("min", None), ("max", None))
            if len(self.colors) == 2
            else (("min", None), ("percentile", 50), ("max", None))
        )
        if len(points) != len(self.colors):
            raise OoxmlValueError("a colour scale needs one point per colour")
        rule = _rule("colorScale", None, priority, False)
        scale = etree.SubElement(rule, main("colorScale"))
        for kind, value in points:
            _cfvo(scale, kind, value)
        for color in self.colors:
            etree.SubElement(scale, main("color")).set("rgb", normalize_color(color))
        return rule


@dataclass(frozen=True)
class IconSetRule:
    """Icon set, e.g. '3Arrows' or '3TrafficLights1', with its thresholds."""

    icon_set: str = "3Arrows"
    thresholds: tuple[Threshold, ...] = (("percent", 0), ("percent", 33), ("percent", 67))
    reverse: bool = False
    show_value: bool = True
    style: None = None

    def build(self, dxf_id: int | None, priority: int, top_left: str) -> etree._Element:
        """The ``<cfRule>`` element."""
        count = int(self.icon_set[0]) if self.icon_set[:1].isdigit() else 3
        if len(self.thresholds) != count:
            raise OoxmlValueError(f"icon set {self.icon_set!r} needs {count} thresholds")
        rule = _rule("iconSet", None, priority, False)
        icons = etree.SubElement(rule, main("iconSet"))
        if self.icon_set != "3TrafficLights1":
            icons.set("iconSet", self.icon_set)
        if not self.show_value:
            icons.set("showValue", "0")
        if self.reverse:
            icons.set("reverse", "1")
        for kind, value in self.thresholds:
            _cfvo(icons, kind, value)
        return rule


Rule = CellIsRule | ExpressionRule | ContainsTextRule | DataBarRule | ColorScaleRule | IconSetRule


@dataclass(frozen=True)
class ConditionalFormat:
    """A rule applied to a range (``sqref``: 'F2:F40', or several ranges separated by spaces)."""

    sqref: str
    rule: Rule

    def top_left(self) -> str:
        """First cell of the first range: the anchor of relative formula references."""
        rng = parse_range(self.sqref.split()[0])
        from kpi_excel.ooxml.refs import cell_ref

        return cell_ref(rng.min_row, rng.min_col)


def _rule(kind: str, dxf_id: int | None, priority: int, stop: bool) -> etree._Element:
    rule = etree.Element(main("cfRule"))
    rule.set("type", kind)
    if dxf_id is not None:
        rule.set("dxfId", str(dxf_id))
    rule.set("priority", str(priority))
    if stop:
        rule.set("stopIfTrue", "1")
    return rule


def existing_priorities(root: etree._Element) -> list[int]:
    """Priorities of every rule in a worksheet, 2007 and 2010 (extLst) alike."""
    out = []
    for tag in (main("cfRule"), qn("x14", "cfRule")):
        for rule in root.iter(tag):
            value = rule.get("priority")
            if value is not None and value.lstrip("-").isdigit():
                out.append(int(value))
    return out


def add_conditional_formats(
    root: etree._Element, styles: StyleBook, formats: Sequence[ConditionalFormat]
) -> list[etree._Element]:
    """Append the rules to a worksheet; returns the new ``<cfRule>`` elements.

    Rules that share an sqref share one ``<conditionalFormatting>`` block, in
    the order given (earlier = applied first).
    """
    priority = max(existing_priorities(root), default=0)
    blocks: dict[str, etree._Element] = {}
    added = []
    for fmt in formats:
        sqref = " ".join(parse_range(part).ref for part in fmt.sqref.split())
        block = blocks.get(sqref)
        if block is None:
            block = etree.Element(main("conditionalFormatting"))
            block.set("sqref", sqref)
            insert_in_order(root, block, WORKSHEET_ORDER)
            blocks[sqref] = block
        priority += 1
        dxf_id = styles.add_dxf(fmt.rule.style) if getattr(fmt.rule, "style", None) is not None else None
        rule = fmt.rule.build(dxf_id, priority, fmt.top_left())
        block.append(rule)
        added.append(rule)
    return added


def _canonical(el: etree._Element) -> list:
    return [
        local_name(el),
        sorted(el.attrib.items()),
        (el.text or "").strip(),
        [_canonical(c) for c in el if isinstance(c.tag, str) and local_name(c) != "extLst"],
    ]


def rule_signature(rule: etree._Element, styles: StyleBook) -> str:
    """What a ``<cfRule>`` does, as a short stable hash (see the module docstring)."""
    attrs = {k: v for k, v in rule.attrib.items() if k not in ("priority", "dxfId")}
    look = None
    if rule.get("dxfId") is not None and rule.get("dxfId", "").isdigit():
        dxf = styles.dxf(int_attr(rule, "dxfId"))
        if dxf is not None:
            d = DxfStyle.from_xml(dxf)
            look = [d.fill, d.font_color, d.bold]
    body = [_canonical(c) for c in rule if isinstance(c.tag, str) and local_name(c) != "extLst"]
    payload = json.dumps(["cf", sorted(attrs.items()), look, body], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def remove_rules_by_signature(
    root: etree._Element, styles: StyleBook, recorded: Iterable[tuple[str, str]]
) -> int:
    """Remove 2007-style rules matching a recorded (signature, sqref): same signature, overlapping range.

    Blocks left without rules are dropped.
    """
    from kpi_excel.ooxml.managed import sqrefs_overlap

    wanted: dict[str, list[str]] = {}
    for sig, sqref in recorded:
        wanted.setdefault(sig, []).append(sqref)
    if not wanted:
        return 0
    removed = 0
    for block in list(root.iterchildren(main("conditionalFormatting"))):
        sqref = block.get("sqref", "")
        for rule in list(block.iterchildren(main("cfRule"))):
            ranges = wanted.get(rule_signature(rule, styles))
            if ranges and any(sqrefs_overlap(sqref, r) for r in ranges):
                block.remove(rule)
                removed += 1
        if not any(True for _ in block.iterchildren(main("cfRule"))):
            root.remove(block)
    return removed
