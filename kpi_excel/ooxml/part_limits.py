"""How much of any one part, and of a whole package, kpi_excel inflates or parses.

The zip guard (:mod:`.zipio`) stops bombs: 1 GiB a part at most, 200:1. That
still let a 1 MB file's ``styles.xml`` inflate to 150 MB and become ~10 GB of
lxml tree. So every part is capped where it is used, before the work is done:

* inflating a part: 128 MB for a worksheet or the shared strings (a sheet
  read's limit, :class:`~.sheet_values.SheetLimits`), 32 MB for any other part
  (styles, drawings, charts, tables, relationships, custom XML...);
* parsing a part into a tree (to edit it): 64 MB for a worksheet (the KPIs
  sheet's limit) and a count of its elements and attributes, made in the
  bytes first: a tree costs ~120-220 bytes a node whatever the part's size on
  disk, so the count is what bounds memory. 4 million nodes for a worksheet
  (the KPIs sheet's 500,000 cells), 2 million for any other part;
* a whole package: 8 million nodes parsed and 512 MB of inflated parts kept,
  so a file of many parts each under its limit cannot add up to more.

Parts kpi_excel never reads are copied raw and cost nothing; the check after
saving inflates them a block at a time (:func:`.zipio.check_entry`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi_excel.ooxml.errors import UnsafePackageError
from kpi_excel.ooxml.sheet_values import KPI_SHEET_LIMITS, SheetLimits

__all__ = ["PartLimits", "PartBudget", "xml_nodes"]


@dataclass(frozen=True)
class PartLimits:
    """Refusal thresholds for the parts of one package (defaults suit council workbooks)."""

    big_part_bytes: int = SheetLimits().max_part_bytes  # a worksheet or the shared strings, inflated
    other_part_bytes: int = 32 << 20  # Excel's largest styles.xml (64,000 formats) is ~15 MB
    sheet_tree_bytes: int = KPI_SHEET_LIMITS.max_part_bytes  # a worksheet parsed to be edited
    sheet_nodes: int = 4_000_000  # 500,000 KPIs cells are ~3 million (<c r s t><v>)
    other_nodes: int = 2_000_000
    package_nodes: int = 8_000_000
    package_kept_bytes: int = 512 << 20


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def xml_nodes(data: bytes) -> int:
    """Elements plus attributes in an XML text, at most (markup in text or comments counts too)."""
    return data.count(b"<") - data.count(b"</") + data.count(b'="') + data.count(b"='")


class PartBudget:
    """What one package has inflated and parsed so far; each check refuses in one line naming the part."""

    def __init__(self, limits: PartLimits | None = None) -> None:
        self.limits = limits or PartLimits()
        self.kept_bytes = 0
        self.nodes = 0

    def inflate(self, part: str, size: int, *, big: bool, keep: bool) -> None:
        """Before inflating ``size`` bytes of ``part`` (``big``: a worksheet or the shared strings)."""
        limit = self.limits.big_part_bytes if big else self.limits.other_part_bytes
        if size > limit:
            raise UnsafePackageError(f"part '{part}' is {_mb(size)} uncompressed, more than the {_mb(limit)} "
                                     "kpi_excel reads from one part")
        if keep:
            if self.kept_bytes + size > self.limits.package_kept_bytes:
                raise UnsafePackageError(f"part '{part}' takes the parts kpi_excel reads past "
                                         f"{_mb(self.limits.package_kept_bytes)} uncompressed")
            self.kept_bytes += size

    def parse(self, part: str, data: bytes, *, worksheet: bool) -> None:
        """Before lxml builds a tree of ``part``."""
        if worksheet and len(data) > self.limits.sheet_tree_bytes:
            raise UnsafePackageError(f"part '{part}' is {_mb(len(data))} of XML, more than the "
                                     f"{_mb(self.limits.sheet_tree_bytes)} kpi_excel edits in one sheet")
        nodes = xml_nodes(data)
        limit = self.limits.sheet_nodes if worksheet else self.limits.other_nodes
        if nodes > limit:
            raise UnsafePackageError(f"part '{part}' has {nodes:,} XML elements and attributes, more than the "
                                     f"{limit:,} kpi_excel reads from one part")
        if self.nodes + nodes > self.limits.package_nodes:
            raise UnsafePackageError(f"part '{part}' takes the XML kpi_excel reads past "
                                     f"{self.limits.package_nodes:,} elements and attributes")
        self.nodes += nodes
