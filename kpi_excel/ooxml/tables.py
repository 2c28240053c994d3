"""Excel tables (``xl/tables/tableN.xml``): read, grow, rename headers, create.

Table ids and names are unique across the whole workbook, and a table name
also shares its namespace with defined names, so new names are checked
against both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from kpi_excel.ooxml.errors import OoxmlValueError
from kpi_excel.ooxml.package import CT, RT, OpcPackage
from kpi_excel.ooxml.refs import CellRange, parse_range
from kpi_excel.ooxml.xmlutil import NS, escape_xstring, int_attr, main, unescape_xstring

__all__ = [
    "TableInfo",
    "read_table",
    "sheet_tables",
    "workbook_table_ids_and_names",
    "grow_table",
    "widen_table",
    "rename_table_column",
    "build_table_xml",
    "valid_table_name",
]


@dataclass(frozen=True)
class TableInfo:
    """One Excel table: name, range, header names, and the part that holds it."""

    name: str
    display_name: str
    id: int
    ref: CellRange
    columns: tuple[str, ...]
    header_row_count: int
    totals_row_count: int
    part: str
    sheet: str

    @property
    def data_range(self) -> CellRange | None:
        """Rows below the header and above any totals row (None when the table has none)."""
        first = self.ref.min_row + self.header_row_count
        last = self.ref.max_row - self.totals_row_count
        if last < first:
            return None
        return CellRange(first, self.ref.min_col, last, self.ref.max_col)


def read_table(pkg: OpcPackage, part: str, sheet: str) -> TableInfo:
    """Parse one table part."""
    root = pkg.xml(part)
    cols = root.find(main("tableColumns"))
    names = tuple(
        unescape_xstring(el.get("name", "")) for el in cols.iterchildren(main("tableColumn"))
    ) if cols is not None else ()
    return TableInfo(
        name=root.get("name", root.get("displayName", "")),
        display_name=root.get("displayName", root.get("name", "")),
        id=int_attr(root, "id"),
        ref=parse_range(root.get("ref", "A1")),
        columns=names,
        header_row_count=int_attr(root, "headerRowCount", 1),
        totals_row_count=int_attr(root, "totalsRowCount"),
        part=part,
        sheet=sheet,
    )


def sheet_tables(pkg: OpcPackage, sheet_part: str, sheet: str) -> list[TableInfo]:
    """Tables listed in a sheet's ``tableParts``, in order."""
    out = []
    for rel in pkg.related(sheet_part, RT.TABLE):
        part = rel.part
        if part and pkg.has(part):
            out.append(read_table(pkg, pkg.actual_name(part) or part, sheet))
    return out


def workbook_table_ids_and_names(pkg: OpcPackage) -> tuple[set[int], set[str]]:
    """Every table id and (lower-cased) name in the package."""
    ids: set[int] = set()
    names: set[str] = set()
    for part in pkg.names():
        if pkg.content_type(part) == CT.TABLE:
            root = pkg.xml(part)
            if root.get("id", "").isdigit():
                ids.add(int_attr(root, "id"))
            for attr in ("name", "displayName"):
                if root.get(attr):
                    names.add(root.get(attr, "").lower())
    return ids, names


_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.\\]*$")
_LOOKS_LIKE_REF = re.compile(r"^([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*|[RrCc])$")


def valid_table_name(name: str) -> bool:
    """Whether Excel accepts ``name`` for a table (or a defined name)."""
    return bool(_NAME.match(name)) and not _LOOKS_LIKE_REF.match(name) and len(name) <= 255


def grow_table(pkg: OpcPackage, table: TableInfo, new_max_row: int) -> TableInfo:
    """Extend a table (and its autoFilter) down to ``new_max_row``."""
    root = pkg.xml(table.part)
    ref = CellRange(table.ref.min_row, table.ref.min_col, new_max_row, table.ref.max_col)
    root.set("ref", ref.ref)
    auto = root.find(main("autoFilter"))
    if auto is not None:
        auto.set("ref", ref.ref)
    pkg.mark_dirty(table.part)
    return TableInfo(
        table.name, table.display_name, table.id, ref, table.columns, table.header_row_count,
        table.totals_row_count, table.part, table.sheet,
    )


def widen_table(pkg: OpcPackage, table: TableInfo, headers: list[str]) -> TableInfo:
    """Add columns named ``headers`` at the table's right edge (the caller has
    written the header cells there). Column ids stay unique within the table."""
    taken = {c.lower() for c in table.columns}
    for name in headers:
        if not name.strip() or name.lower() in taken:
            raise OoxmlValueError(f"table {table.name!r} cannot take a column named {name!r}", sheet=table.sheet)
        taken.add(name.lower())
    root = pkg.xml(table.part)
    ref = CellRange(table.ref.min_row, table.ref.min_col, table.ref.max_row, table.ref.max_col + len(headers))
    root.set("ref", ref.ref)
    auto = root.find(main("autoFilter"))
    if auto is not None:
        auto.set("ref", CellRange(ref.min_row, ref.min_col, ref.max_row - table.totals_row_count, ref.max_col).ref)
    cols = root.find(main("tableColumns"))
    assert cols is not None
    next_id = max((int_attr(c, "id") for c in cols.iterchildren(main("tableColumn"))), default=0) + 1
    for offset, name in enumerate(headers):
        col = etree.SubElement(cols, main("tableColumn"))
        col.set("id", str(next_id + offset))
        col.set("name", escape_xstring(name))
    cols.set("count", str(len(cols)))
    pkg.mark_dirty(table.part)
    return TableInfo(table.name, table.display_name, table.id, ref, table.columns + tuple(headers),
                     table.header_row_count, table.totals_row_count, table.part, table.sheet)


def rename_table_column(pkg: OpcPackage, table: TableInfo, index: int, name: str) -> None:
    """Rename column ``index`` (0-based) so it matches a header cell we wrote.

    ``table.columns`` must already hold the other columns' final names.
    """
    if not name.strip():
        raise OoxmlValueError(f"a header of table {table.name!r} cannot be blank", sheet=table.sheet)
    others = [c.lower() for i, c in enumerate(table.columns) if i != index]
    if name.lower() in others:
        raise OoxmlValueError(f"table {table.name!r} already has a column named {name!r}", sheet=table.sheet)
    root = pkg.xml(table.part)
    cols = root.find(main("tableColumns"))
    assert cols is not None
    col = list(cols.iterchildren(main("tableColumn")))[index]
    col.set("name", escape_xstring(name))
    pkg.mark_dirty(table.part)


def build_table_xml(
    table_id: int,
    name: str,
    ref: CellRange,
    headers: list[str],
    *,
    style: str = "TableStyleMedium2",
    row_stripes: bool = True,
) -> etree._Element:
    """A new table part's root element (header row, autoFilter, built-in style)."""
    root = etree.Element(main("table"), nsmap={None: NS["main"]})
    root.set("id", str(table_id))
    root.set("name", name)
    root.set("displayName", name)
    root.set("ref", ref.ref)
    root.set("totalsRowShown", "0")
    etree.SubElement(root, main("autoFilter")).set("ref", ref.ref)
    cols = etree.SubElement(root, main("tableColumns"))
    cols.set("count", str(len(headers)))
    for i, header in enumerate(headers, start=1):
        col = etree.SubElement(cols, main("tableColumn"))
        col.set("id", str(i))
        col.set("name", escape_xstring(header))
    info = etree.SubElement(root, main("tableStyleInfo"))
    info.set("name", style)
    info.set("showFirstColumn", "0")
    info.set("showLastColumn", "0")
    info.set("showRowStripes", "1" if row_stripes else "0")
    info.set("showColumnStripes", "0")
    return root
