"""``XlsxPackage``: open an officer's workbook, read it fast, edit it losslessly, save it safely.

Every edit goes through one of the modules of this package and changes only
the parts and elements it must; every other part goes back into the file
byte-identical. See the package docstring for the overall contract.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lxml import etree

from kpi_excel.ooxml.errors import CorruptPackageError, OoxmlValueError, PackageError, PackageVerificationError
import kpi_excel.ooxml.book as book
from kpi_excel.ooxml.atomic import FileIdentity, atomic_write, real_target
from kpi_excel.ooxml.book import SheetInfo
from kpi_excel.ooxml.cells import KEEP, WorksheetEditor, WriteReport
from kpi_excel.ooxml.sheet_values import SheetValues, element_value, read_sheet_values
from kpi_excel.ooxml.charts import ChartSpec, build_chart_xml
from kpi_excel.ooxml.condformat import (
    ConditionalFormat,
    add_conditional_formats,
    remove_rules_by_signature,
    rule_signature,
)
from kpi_excel.ooxml.drawings import append_chart_anchor, new_drawing_root
from kpi_excel.ooxml.managed import OWNED_CODENAME_PREFIX, ManagedRegistry, sqrefs_overlap
from kpi_excel.ooxml.package import CT, RT, OpcPackage, is_xml_content, rels_name
from kpi_excel.ooxml.refs import CellRange, absolute_range, parse_range, quote_sheet
from kpi_excel.ooxml.sheet_rows import (EMPTY_ROWS, RowsApart, item_row, new_rows, rows_document, rows_head, set_apart,
                                        set_heights, write_apart)
from kpi_excel.ooxml.sheets import SheetSettings, apply_settings, new_worksheet_root
from kpi_excel.ooxml.sparklines import SparklineGroup
from kpi_excel.ooxml.sparklines import set_groups as set_sparkline_groups
from kpi_excel.ooxml.styles import DxfStyle
from kpi_excel.ooxml.tables import (
    TableInfo,
    build_table_xml,
    grow_table,
    rename_table_column,
    sheet_tables,
    valid_table_name,
    widen_table,
    workbook_table_ids_and_names,
)
from kpi_excel.ooxml.validation import (
    ListValidation,
    add_validations,
    remove_validations_by_signature,
    validated_ranges,
    validation_signature,
)
from kpi_excel.ooxml.workbook_reader import WorkbookReader
from kpi_excel.ooxml.xmlutil import (
    WORKSHEET_ORDER,
    check_xml,
    child_attribute,
    find_or_create,
    insert_in_order,
    int_attr,
    main,
    parse_xml,
    qn,
)
from kpi_excel.ooxml.zipio import ZipEntry, ZipLimits, check_entry, inflate, read_zip

__all__ = ["XlsxPackage", "TableSpec", "ManagedChange", "verify_package"]

# How much of a sheet's start is inflated to find its sheetPr (see _code_name), and the root's
# start tag in it (a name right after "<": not the declaration or a comment).
_SHEET_HEAD = 1 << 16
_ROOT_START = re.compile(rb"<([A-Za-z_][A-Za-z0-9_.:-]*)")

# Writes of this many cells to a sheet not parsed yet go to its rows held apart (see _rows_apart).
ROWS_APART_FROM = 10_000


@dataclass(frozen=True)
class TableSpec:
    """An Excel table over a block we write: first row = headers."""

    name: str
    style: str = "TableStyleMedium2"
    row_stripes: bool = True


@dataclass(frozen=True)
class ManagedChange:
    """Result of re-applying managed rules: how many of ours were removed and added, and
    the ranges of ours not added because the officer's own already cover those cells."""

    removed: int
    added: int
    skipped: tuple[str, ...] = ()


CellReader = Callable[[int, int], Any]  # (row, col) -> the cell's value, None where there is none


@dataclass
class _ChartReads:
    """What charts added over unchanged cells read, kept for the next: each sheet's values
    (``values``, sheet name -> read), where each written sheet's rows are read (``rows``,
    see :meth:`XlsxPackage._written_rows`), each range's values (``ranges``), the spans of rows
    the charts read (``spans``) and the reader of each span read (``spans_read``)."""

    values: dict[str, SheetValues]
    rows: dict[str, Callable[[int, int], CellReader] | None] = field(default_factory=dict)
    ranges: dict[tuple[str, CellRange], list[Any]] = field(default_factory=dict)
    # Each sheet's spans of rows the charts read (see _row_spans): a written sheet's rows are
    # parsed once a span, not once a range (each KPI's chart reads its own row).
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    spans_read: dict[tuple[str, int, int], CellReader] = field(default_factory=dict)
    next_chart: int = 1  # chart parts numbered below this are taken (charts are only added here)

    def span_of(self, sheet: str, rng: CellRange) -> tuple[int, int]:
        """The span of rows holding ``rng`` (its own rows if no span was worked out)."""
        for first, last in self.spans.get(sheet, ()):
            if first <= rng.min_row and rng.max_row <= last:
                return first, last
        return rng.min_row, rng.max_row


# Ranges of rows at most this many apart are read in one parse: parsing the rows between costs
# less than parsing again (each parse pays for the sheet's head and a new index).
_SPAN_GAP = 64


def _row_spans(specs: Sequence[ChartSpec], sheet: str) -> dict[str, list[tuple[int, int]]]:
    """Each sheet's rows that ``specs`` (charts on ``sheet``) read, as spans in order, ranges
    at most :data:`_SPAN_GAP` rows apart joined (the first row of one less the last of the other)."""
    by_sheet: dict[str, list[tuple[int, int]]] = {}
    for spec in specs:
        for series in spec.series:
            ranges = by_sheet.setdefault(series.sheet or sheet, [])
            ranges.append((series.categories.min_row, series.categories.max_row))
            if series.literal is None:
                ranges.append((series.values.min_row, series.values.max_row))
    spans: dict[str, list[tuple[int, int]]] = {}
    for name, ranges in by_sheet.items():
        joined: list[tuple[int, int]] = []
        for first, last in sorted(ranges):
            if joined and first - joined[-1][1] <= _SPAN_GAP:
                joined[-1] = (joined[-1][0], max(last, joined[-1][1]))
            else:
                joined.append((first, last))
        spans[name] = joined
    return spans


class XlsxPackage(WorkbookReader):
    """An .xlsx/.xlsm/.xlam workbook held in memory and edited part by part.

    Open with :meth:`open`, read with :meth:`read_sheet`, edit with the
    ``set_*``/``write_*``/``add_*`` methods and write with :meth:`save`
    (atomic, verified). Sheets are addressed by name; rows and columns are
    1-based. Opening and reading are :class:`~kpi_excel.ooxml.workbook_reader.WorkbookReader`'s.
    """

    def __init__(self, opc: OpcPackage, identity: FileIdentity | None = None) -> None:
        super().__init__(opc, identity)
        self._editors: dict[str, WorksheetEditor] = {}
        self._registry: ManagedRegistry | None = None
        self._removed_formulas: dict[int, set[str]] = {}
        # Sheets whose rows are held apart from their parsed frame (see _rows_apart).
        self._apart_rows: dict[str, RowsApart] = {}

    def _managed(self) -> ManagedRegistry:
        if self._registry is None:
            self._registry = ManagedRegistry(self._opc, self._wb)
        return self._registry

    # ---- reading -------------------------------------------------------------------

    def tables(self, sheet: str | None = None) -> list[TableInfo]:
        """Excel tables on one sheet, or on every worksheet."""
        infos = [self._worksheet(sheet)] if sheet is not None else [s for s in self.sheets() if s.kind == "worksheet"]
        out: list[TableInfo] = []
        for info in infos:
            if info.part:
                out.extend(sheet_tables(self._opc, info.part, info.name))
        return out

    def number_format(self, style_id: int) -> str:
        """Number format code of a cell style id."""
        return self.styles.number_format(style_id)

    # ---- cell writing --------------------------------------------------------------

    def settle_sheet(self, name: str) -> None:
        """Done editing this sheet for now: serialise it and free its tree (see
        :meth:`OpcPackage.settle`); a later edit parses it again."""
        info = self._worksheet(name)
        assert info.part is not None
        self._editors.pop(info.part, None)
        self._forget_kept(info.part)
        self._apart_rows.pop(info.part, None)
        self._opc.settle(info.part)

    def _forget_kept(self, part: str) -> None:
        """Drop kept reads of a sheet about to be edited: they would be stale, and they cost memory."""
        self._kept.pop(part, None)

    def _editor(self, info: SheetInfo) -> WorksheetEditor:
        assert info.part is not None
        self._forget_kept(info.part)
        editor = self._editors.get(info.part)
        if editor is None or editor.root is not self._opc.xml(info.part):
            editor = WorksheetEditor(self._opc.xml(info.part), sheet=info.name, date1904=self.date1904)
            self._editors[info.part] = editor
        return editor

    def _sheet_root(self, info: SheetInfo) -> etree._Element:
        assert info.part is not None
        self._forget_kept(info.part)
        return self._opc.xml(info.part)

    def set_cells(
        self, sheet: str, cells: Mapping[tuple[int, int], Any], *, style: int | None = None
    ) -> WriteReport:
        """Write values at (row, col) keys; ``style`` (a cellXfs index) applies to all, None keeps each cell's.

        Text is always written as text. ``None`` clears a value but keeps the
        cell and its style. Returns a :class:`WriteReport` (formulas removed,
        tables grown).
        """
        return self._write(sheet, [(r, c, v, style) for (r, c), v in cells.items()])

    def write_columns(
        self,
        sheet: str,
        first_row: int,
        columns: Mapping[int, Sequence[Any]],
        *,
        styles: Mapping[int, int | None | Sequence[int | None]] | None = None,
    ) -> WriteReport:
        """Write whole column blocks: ``columns[col]`` goes down from ``first_row``.

        ``styles[col]`` is one style for the column or a sequence (one per value).
        """
        items = []
        styles = styles or {}
        for col, values in columns.items():
            spec = styles.get(col)
            if isinstance(spec, Sequence) and not isinstance(spec, str):  # asked once per column, not per cell
                rows = range(first_row, first_row + len(values))
                looks = spec if len(spec) == len(values) else [spec[i] for i in range(len(values))]
                items.extend(zip(rows, [col] * len(values), values, looks))
            else:
                items.extend((first_row + i, col, value, spec) for i, value in enumerate(values))
        return self._write(sheet, items)

    def write_rows(
        self,
        sheet: str,
        top_left: tuple[int, int],
        rows: Sequence[Sequence[Any]],
        *,
        styles: Sequence[Sequence[int | None]] | None = None,
    ) -> WriteReport:
        """Write a row-major block with its top-left cell at ``top_left`` (row, col)."""
        return self._write(sheet, _block_items(top_left, rows, styles), block=(top_left, rows, styles))

    def _write(self, sheet: str, items: list[tuple[int, int, Any, int | None]],
               block: tuple[tuple[int, int], Sequence[Sequence[Any]], Sequence[Sequence[int | None]] | None]
               | None = None) -> WriteReport:
        info = self._worksheet(sheet)
        assert info.part is not None
        tables = sheet_tables(self._opc, info.part, info.name)
        items, renames = self._table_headers(info, tables, items)  # validated before anything changes
        rows = self._rows_apart(info, len(items))
        if rows is not None:
            report = self._append_apart(rows, info, block, items, tables) if block is not None else None
            if report is None:
                report = write_apart(rows, self._opc.frame(info.part), items, sheet=info.name,
                                     date1904=self.date1904, part=info.part)
        else:
            editor = self._editor(info)
            report = editor.write(items)
            if report.cells_written or report.formulas_removed:
                self._opc.mark_dirty(info.part)
        if report.formulas_removed:
            self._removed_formulas.setdefault(info.sheet_id, set()).update(report.formulas_removed)
        for table, index, name in renames:
            rename_table_column(self._opc, table, index, name)
            if table.name not in report.table_headers_renamed:
                report.table_headers_renamed.append(table.name)
        self._grow_tables(tables, items, report)
        return report

    def _append_apart(self, rows: RowsApart, info: SheetInfo,
                      block: tuple[tuple[int, int], Sequence[Sequence[Any]], Sequence[Sequence[int | None]] | None],
                      items: list[tuple[int, int, Any, int | None]], tables: list[TableInfo]) -> WriteReport | None:
        """A block of new rows below every row held apart (a chart's data under a sheet's table),
        added as text: what :func:`write_apart` would write, without parsing, editing and
        serialising the last chunk of rows. None (nothing done) for any other block, or one
        whose text cannot be made as it is (see :func:`new_rows`)."""
        (top, left), block_rows, styles = block
        last = _last_row(rows)
        if last is None or top <= last or any(table.header_row_count and top <= table.ref.min_row
                                               for table in tables):
            return None  # among the rows, or over a table's header (whose cells are text): the editor's way
        assert info.part is not None
        # New cells take the styles of the columns as the rows' head has them (as write_apart's editor).
        head = WorksheetEditor(parse_xml(rows_document(rows, 1, 0), info.part), sheet=info.name,
                               date1904=self.date1904)
        built = new_rows(head, (top, left), block_rows, styles, {})
        if built is None:
            return None
        chunks, first_rows, written = built
        rows.text.extend(chunks)
        rows.first_rows.extend(first_rows)
        WorksheetEditor(self._opc.frame(info.part), sheet=info.name, date1904=self.date1904)._extend_dimension(written)
        return WriteReport(cells_written=sum(1 for item in items if item[2] is not KEEP), written_range=written)

    def _rows_apart(self, info: SheetInfo, count: int) -> RowsApart | None:
        """The sheet's rows held apart from its frame, for a large write to a sheet not parsed
        yet (or already apart); None: write through the whole tree. A refresh's KPIs sheet
        is then never a whole tree (see :mod:`.sheet_rows`)."""
        assert info.part is not None
        rows = self._apart_rows.get(info.part)
        if rows is not None and self._opc.held_apart(info.part):
            return rows
        self._apart_rows.pop(info.part, None)
        if count < ROWS_APART_FROM or self._opc.is_parsed(info.part):
            return None
        found = set_apart(self._opc.read(info.part, keep=False), info.part)
        if found is None:
            return None
        frame, rows = found
        self._forget_kept(info.part)
        self._opc.hold_apart(info.part, frame, EMPTY_ROWS, rows.element)
        self._apart_rows[info.part] = rows
        return rows

    def _sheet_frame(self, info: SheetInfo) -> etree._Element:
        """The sheet's tree for edits that do not reach its cells (rules, dropdowns, sparklines):
        its frame when the rows are held apart."""
        assert info.part is not None
        self._forget_kept(info.part)
        return self._opc.frame(info.part)

    def _table_headers(
        self, info: SheetInfo, tables: list[TableInfo], items: list[tuple[int, int, Any, int | None]]
    ) -> tuple[list[tuple[int, int, Any, int | None]], list[tuple[TableInfo, int, str]]]:
        """Header cells of tables must hold text equal to the column names: coerce and check.

        Returns the items (header values as text) and the column renames to make.
        """
        if not tables:
            return items, []
        headers: dict[tuple[int, int], tuple[TableInfo, int]] = {}
        for table in tables:
            if table.header_row_count:
                for j in range(min(table.ref.cols, len(table.columns))):
                    headers[(table.ref.min_row, table.ref.min_col + j)] = (table, j)
        renames: dict[tuple[str, int], tuple[TableInfo, int, str]] = {}
        out = list(items)
        header_rows = {r for r, _ in headers}
        # Only header rows can hit (asked of all at once first: a refresh's computed columns are below).
        hits = [] if header_rows.isdisjoint(map(item_row, items)) else \
            [k for k, item in enumerate(items) if item[0] in header_rows]
        for k in hits:
            r, c, value, style = items[k]
            hit = headers.get((r, c))
            if hit is not None and value is not KEEP:
                table, j = hit
                name = "" if value is None else str(value)
                if not name.strip():
                    raise OoxmlValueError(f"a header of table {table.name!r} cannot be blank", sheet=info.name,
                                          row=r, column=c)
                out[k] = (r, c, name, style)
                if name != table.columns[j]:
                    renames[(table.part, j)] = (table, j, name)
        for table in tables:
            names = [renames.get((table.part, j), (None, None, n))[2].lower() for j, n in enumerate(table.columns)]
            if len(set(names)) != len(names):
                raise OoxmlValueError(f"the headers written would repeat a column name in table {table.name!r}",
                                      sheet=info.name)
        # Rename in one pass per table so intermediate states never hold a duplicate.
        final = []
        for table in tables:
            columns = list(table.columns)
            for (part, j), (_, _, name) in renames.items():
                if part == table.part:
                    columns[j] = name
            for (part, j), (_, _, name) in renames.items():
                if part == table.part:
                    final.append((TableInfo(table.name, table.display_name, table.id, table.ref,
                                            tuple(columns[:j]) + (table.columns[j],) + tuple(columns[j + 1:]),
                                            table.header_row_count, table.totals_row_count, table.part,
                                            table.sheet), j, name))
        return out, final

    def _grow_tables(
        self, tables: list[TableInfo], items: list[tuple[int, int, Any, int | None]], report: WriteReport
    ) -> None:
        """Extend tables over rows appended right below them (not past a totals row or another table)."""
        if not tables:
            return
        below = min(table.ref.max_row for table in tables)  # only cells below a table can grow it
        if not items or max(map(item_row, items)) <= below:
            return
        written = {(r, c) for r, c, v, _ in items if r > below and v is not KEEP}
        rows_written = {r for r, _ in written}
        for table in tables:
            ref = table.ref
            if table.totals_row_count:
                continue  # appending under a totals row would need it moved: leave the table as is
            new_max = ref.max_row
            while new_max + 1 in rows_written and any(
                (new_max + 1, col) in written for col in range(ref.min_col, ref.max_col + 1)
            ):
                new_max += 1
            if new_max > ref.max_row:
                grown = CellRange(ref.min_row, ref.min_col, new_max, ref.max_col)
                if any(o.part != table.part and o.ref.intersects(grown) for o in tables):
                    continue
                grow_table(self._opc, table, new_max)
                report.tables_resized.append(table.name)

    def add_table_columns(self, sheet: str, table_name: str, headers: Sequence[str]) -> TableInfo:
        """Add columns with these headers at the right edge of an existing table.

        The header cells are written as text in the table's header row; the
        cells below are left empty for the caller to fill. Refuses when the
        columns to the right of the table hold anything (another table, the
        officer's cells) so nothing is overwritten.
        """
        info = self._worksheet(sheet)
        assert info.part is not None
        tables = sheet_tables(self._opc, info.part, info.name)
        table = next((t for t in tables if t.name.lower() == table_name.lower()), None)
        if table is None:
            raise OoxmlValueError(f"no table named {table_name!r}", sheet=info.name)
        if not headers:
            return table
        grown = CellRange(table.ref.min_row, table.ref.max_col + 1, table.ref.max_row,
                          table.ref.max_col + len(headers))
        values = self.read_sheet(info.name)
        for row in range(grown.min_row, grown.max_row + 1):
            for col in range(grown.min_col, grown.max_col + 1):
                if values.value(row, col) not in (None, ""):
                    raise OoxmlValueError(f"cannot add columns to table {table.name!r}: the cells to its right are "
                                          "in use", sheet=info.name, row=row, column=col)
        if any(o.part != table.part and o.ref.intersects(grown) for o in tables):
            raise OoxmlValueError(f"cannot add columns to table {table.name!r}: another table is in the way",
                                  sheet=info.name)
        self.write_rows(info.name, (table.ref.min_row, grown.min_col), [list(headers)])
        widened = widen_table(self._opc, table, [str(h) for h in headers])
        self._opc.mark_dirty(info.part)
        return widened

    # ---- styles --------------------------------------------------------------------

    def add_dxf(self, style: DxfStyle) -> int:
        """Id of a differential format (for conditional formats), reused if identical."""
        return self.styles.add_dxf(style)

    def add_cell_style(self, base: int = 0, **changes: Any) -> int:
        """Cell format index derived from ``base`` (see :meth:`StyleBook.add_cell_style`)."""
        return self.styles.add_cell_style(base, **changes)

    # ---- conditional formats and validation -----------------------------------------

    def set_managed_conditional_formats(self, sheet: str, formats: Sequence[ConditionalFormat]) -> ManagedChange:
        """Replace the conditional formats kpi_excel wrote on ``sheet`` before with ``formats``.

        The officer's own rules are never touched (see :mod:`.managed`).
        Running it twice with the same formats leaves the sheet as after once.
        """
        info = self._worksheet(sheet)
        root = self._sheet_frame(info)
        registry = self._managed()
        old = registry.signatures("cf", info.sheet_id)
        removed = remove_rules_by_signature(root, self.styles, old) if old else 0
        added = add_conditional_formats(root, self.styles, formats)
        registry.set_signatures(
            "cf", info.sheet_id, {(rule_signature(r, self.styles), r.getparent().get("sqref", "")) for r in added}
        )
        if removed or added:
            assert info.part is not None
            self._opc.mark_dirty(info.part)
        return ManagedChange(removed, len(added))

    def set_managed_validations(self, sheet: str, validations: Sequence[ListValidation]) -> ManagedChange:
        """Replace the dropdowns kpi_excel wrote on ``sheet`` before with ``validations``.

        Never over cells that already have a validation of the officer's (in
        ``dataValidations`` or Excel 2010's ``extLst``): Excel keeps only one per
        cell, and the officer's wins; ours is then not added at all.
        """
        info = self._worksheet(sheet)
        root = self._sheet_frame(info)
        registry = self._managed()
        old = registry.signatures("dv", info.sheet_id)
        removed = remove_validations_by_signature(root, old) if old else 0
        theirs = validated_ranges(root)
        wanted = [v for v in validations if not any(sqrefs_overlap(v.sqref, ref) for ref in theirs)]
        skipped = tuple(v.sqref for v in validations if v not in wanted)
        added = add_validations(root, wanted)
        registry.set_signatures("dv", info.sheet_id, {(validation_signature(el), el.get("sqref", "")) for el in added})
        if removed or added:
            assert info.part is not None
            self._opc.mark_dirty(info.part)
        return ManagedChange(removed, len(added), skipped)

    def set_managed_sparklines(self, sheet: str, groups: Sequence[SparklineGroup]) -> ManagedChange:
        """Replace the sparkline groups kpi_excel wrote on ``sheet`` before with ``groups``.

        The officer's own sparklines are never touched (see :mod:`.sparklines`).
        """
        info = self._worksheet(sheet)
        root = self._sheet_frame(info)
        registry = self._managed()
        removed, records = set_sparkline_groups(root, registry.signatures("sl", info.sheet_id), groups)
        registry.set_signatures("sl", info.sheet_id, records)
        if removed or records:
            assert info.part is not None
            self._opc.mark_dirty(info.part)
        return ManagedChange(removed, len(records))

    # ---- sheet settings ------------------------------------------------------------

    def apply_sheet_settings(self, sheet: str, settings: SheetSettings, *, only_if_absent: bool = True) -> list[str]:
        """Freeze panes, widths, tab colour, print setup; by default only where the sheet has none."""
        info = self._worksheet(sheet)
        assert info.part is not None
        rows = self._apart_rows.get(info.part) if self._opc.held_apart(info.part) else None
        heights = set_heights(rows, settings.row_heights, only_if_absent=only_if_absent) \
            if rows is not None and settings.row_heights else None
        if heights is None:
            applied = apply_settings(self._sheet_root(info), settings, only_if_absent=only_if_absent)
        else:  # heights went into the rows apart (a KPIs sheet of ours is never a whole tree)
            applied = apply_settings(self._sheet_frame(info), replace(settings, row_heights={}),
                                     only_if_absent=only_if_absent)
            if heights:
                applied.insert(sum(a in ("tab_color", "freeze", "column_widths", "print") for a in applied),
                               "row_heights")
        if applied:
            assert info.part is not None
            self._opc.mark_dirty(info.part)
        return applied

    def set_print_area(self, sheet: str, ref: str) -> None:
        """Print only ``ref`` (e.g. ``A1:S200``) of the sheet: the sheet's ``_xlnm.Print_Area``."""
        info = self._worksheet(sheet)
        book.set_defined_name(self._opc, self._wb, "_xlnm.Print_Area",
                              absolute_range(info.name, parse_range(ref)), local_sheet_index=info.index)

    def set_workbook_name(self, name: str, sheet: str, ref: str) -> None:
        """A workbook-scoped defined name for ``ref`` on ``sheet`` (e.g. a dropdown's list)."""
        info = self._worksheet(sheet)
        book.set_defined_name(self._opc, self._wb, name, absolute_range(info.name, parse_range(ref)))

    def hide_and_protect(self, sheet: str) -> None:
        """Hide a sheet we own and protect it from edits (no password: it guards against slips,
        not people); Excel still reads its cells for formulas and dropdowns."""
        info = self._worksheet(sheet)
        book.set_sheet_state(self._opc, self._wb, info.index, "hidden")
        root = self._sheet_frame(info)
        protection = find_or_create(root, "sheetProtection", WORKSHEET_ORDER)
        for attr in ("sheet", "objects", "scenarios"):
            protection.set(attr, "1")
        assert info.part is not None
        self._opc.mark_dirty(info.part)

    # ---- sheets we own -------------------------------------------------------------

    def is_owned(self, name: str, *, registered_only: bool = False) -> bool:
        """Whether kpi_excel created this sheet (registry, or our codeName if the registry was lost);
        ``registered_only``: as the registry says, without reading the sheet's code name."""
        info = self._find_sheet(name)
        return info is not None and self._owned(info, registered_only=registered_only)

    def _owned(self, info: SheetInfo, *, registered_only: bool = False) -> bool:
        if info.sheet_id in self._managed().owned_sheets:
            return True
        if info.part is None or registered_only:
            return False
        return (self._code_name(info.part) or "").startswith(OWNED_CODENAME_PREFIX)

    def _code_name(self, part: str) -> str | None:
        """The sheet's ``sheetPr codeName``, from its tree if parsed, else without parsing it."""
        if not self._opc.is_untouched(part):
            pr = self._opc.frame(part).find(main("sheetPr"))
            return None if pr is None else pr.get("codeName")
        try:
            # sheetPr is, by the schema, the root's first child: found in the start of the part
            # before its rows, without inflating the rows (the KPI history's 11 MB).
            head = self._opc.head(part, _SHEET_HEAD)
            cut = head.find(b"<sheetData")
            root_tag = _ROOT_START.search(head, 0, max(cut, 0))
            if root_tag is not None:
                with contextlib.suppress(PackageError):  # not plain: read it all, as below
                    pr = parse_xml(head[:cut] + b"</" + root_tag.group(1) + b">", part).find(main("sheetPr"))
                    if pr is not None:
                        return pr.get("codeName")
            return child_attribute(self._opc.read(part, keep=False), part, main("sheetPr"), "codeName",
                                   skip=b"sheetData")
        except PackageError as exc:
            if exc.path is None:
                exc.path = self.path
            raise

    def _has_vba(self) -> bool:
        return any(r.type.endswith("/vbaProject") for r in self._opc.relationships(self._wb))

    def _worksheet_titles(self) -> list[str]:
        return [s.name for s in self.sheets() if s.kind == "worksheet"]

    def add_sheet(self, name: str, *, after: str | None = None, owned: bool = True) -> SheetInfo:
        """Add an empty worksheet after ``after`` (default: last); recorded as ours if ``owned``."""
        sheets = self.sheets()
        book.validate_sheet_name(name, [s.name for s in sheets])
        position = (self.sheet(after).index + 1) if after is not None else len(sheets)
        old_titles = self._worksheet_titles()
        part = self._opc.next_free("xl/worksheets/sheet{}.xml")
        root = new_worksheet_root()
        self._opc.write_xml(part, root, CT.WORKSHEET)
        _, sheet_id = book.add_sheet_entry(self._opc, self._wb, name, part, position)
        if owned:
            self._managed().own_sheet(sheet_id)
            if not self._has_vba():
                # A second marker that survives tools which drop custom XML parts.
                pr = find_or_create(root, "sheetPr", WORKSHEET_ORDER)
                pr.set("codeName", f"{OWNED_CODENAME_PREFIX}{sheet_id}")
        book.update_app_sheet_titles(self._opc, old_titles, self._worksheet_titles())
        return self.sheet(name)

    def adopt_sheet(self, name: str) -> None:
        """Record an existing sheet as kpi_excel's: only for a workbook kpi_excel
        itself just created (the first sheet of a new report)."""
        info = self._worksheet(name)
        self._managed().own_sheet(info.sheet_id)

    def remove_owned_sheet(self, name: str) -> None:
        """Delete a sheet kpi_excel created, with its drawings, charts and tables."""
        info = self._worksheet(name)
        if not self.is_owned(name):
            raise OoxmlValueError(f"sheet {info.name!r} was not created by kpi_excel; not removing it", sheet=info.name)
        if len(self.sheets()) == 1:
            raise OoxmlValueError("cannot remove the only sheet of a workbook", sheet=info.name)
        old_titles = self._worksheet_titles()
        assert info.part is not None
        self._delete_children(info.part)
        self._opc.delete(info.part)
        self._editors.pop(info.part, None)
        book.remove_sheet_entry(self._opc, self._wb, info)
        self._managed().forget_sheet(info.sheet_id)
        book.update_app_sheet_titles(self._opc, old_titles, self._worksheet_titles())

    def _delete_children(self, part: str, sources: dict[str, list[str]] | None = None) -> None:
        """Delete the parts only ``part`` relates to (recursively), and its rels part.

        ``sources``: every part's referrers (lower case), gathered once for the whole walk (a
        sheet's drawing may hold a hundred charts); a referrer counts while its rels part is there."""
        if sources is None:
            sources = {}
            for rel in self._opc.all_references():
                target = rel.part
                if target is not None:
                    sources.setdefault(target.lower(), []).append(rel.source)
        for rel in self._opc.relationships(part):
            target = rel.part
            if target is None or not self._opc.has(target):
                continue
            if any(source != part and self._opc.has(rels_name(source)) for source in sources.get(target.lower(), ())):
                continue
            self._delete_children(target, sources)
            self._opc.delete(target)
        self._opc.delete(rels_name(part))

    def write_owned_sheet(
        self,
        name: str,
        rows: Sequence[Sequence[Any]],
        *,
        styles: Sequence[Sequence[int | None]] | None = None,
        after: str | None = None,
        settings: SheetSettings | None = None,
        table: TableSpec | None = None,
        autofilter: bool = False,
        print_titles: bool = False,
        charts: Sequence[ChartSpec] = (),
        header_row: int = 1,
    ) -> SheetInfo:
        """Create, or replace the content of, a sheet kpi_excel owns.

        ``rows`` is written from A1; row ``header_row`` holds the headers when
        ``table``, ``autofilter`` or ``print_titles`` is given (rows above it
        are titles and notes). On a later run the sheet keeps its place, name and id;
        its old drawings, charts and tables are deleted with their parts,
        relationships and content types before the new content is written.
        Refuses to touch an existing sheet of that name that is not ours.
        """
        info = self._find_sheet(name)
        if info is None:
            info = self.add_sheet(name, after=after, owned=True)
        else:
            if not self.is_owned(info.name):
                raise OoxmlValueError(
                    f"a sheet named {info.name!r} exists and was not created by kpi_excel; rename it or choose another name",
                    sheet=info.name,
                )
            assert info.part is not None
            code_name = self._code_name(info.part)  # the old content is not parsed: it is replaced
            self._delete_children(info.part)
            self._opc.write_xml(info.part, new_worksheet_root(code_name), CT.WORKSHEET)
            self._editors.pop(info.part, None)
            registry = self._managed()
            registry.forget_sheet(info.sheet_id)  # its old rules went with the old content
            registry.own_sheet(info.sheet_id)
        assert info.part is not None
        root = self._sheet_root(info)
        top = header_row - 1  # 0-based index of the header in rows
        if table is not None and len(rows) > top:
            # Excel repairs a table whose header cell is not text: write headers as text.
            rows = [*rows[:top], ["" if v is None else str(v) for v in rows[top]], *rows[top + 1:]]
        # The rows go in as text beside the sheet's tree (a new sheet has no rows to keep in order).
        editor = WorksheetEditor(root, sheet=info.name, date1904=self.date1904)
        built = new_rows(editor, (1, 1), rows, styles, settings.row_heights if settings is not None else {})
        apart = None
        if built is not None:
            editor._extend_dimension(built[2])
            # Parsed under the sheet's start as it is now, without the columns' styles the settings
            # add: cells written later (a chart's data below) take none, as the whole tree's editor,
            # which read them before the settings, gives them none.
            apart = RowsApart(rows_head(root), built[0], built[1])
        elif rows:
            self.write_rows(info.name, (1, 1), rows, styles=styles)
        n_rows = len(rows)
        n_cols = max((len(r) for r in rows[top:top + 1]), default=0) if table is not None else \
            max((len(r) for r in rows), default=0)
        block = CellRange(header_row, 1, max(n_rows, header_row), max(n_cols, 1))
        if settings is not None:
            apply_settings(root, settings, only_if_absent=False)
        if apart is not None:
            self._opc.hold_apart(info.part, root, EMPTY_ROWS, apart.element)
            self._apart_rows[info.part] = apart
        book.remove_defined_names(self._opc, self._wb, "_xlnm._FilterDatabase", info.index)
        if table is not None:
            if n_rows < header_row or n_cols < 1:
                raise OoxmlValueError("a table needs a header row", sheet=info.name)
            headers = [r for r in rows[top]] + [None] * (n_cols - len(rows[top]))
            self._add_table(info, CellRange(header_row, 1, max(n_rows, header_row + 1), n_cols), headers, table)
        elif autofilter and n_cols:
            auto = etree.Element(main("autoFilter"))
            auto.set("ref", block.ref)
            insert_in_order(root, auto, WORKSHEET_ORDER)
            book.set_defined_name(
                self._opc, self._wb, "_xlnm._FilterDatabase", absolute_range(info.name, block),
                local_sheet_index=info.index, hidden=True,
            )
        if print_titles:
            book.set_defined_name(
                self._opc, self._wb, "_xlnm.Print_Titles", f"{quote_sheet(info.name)}!${header_row}:${header_row}",
                local_sheet_index=info.index,
            )
        else:
            book.remove_defined_names(self._opc, self._wb, "_xlnm.Print_Titles", info.index)
        if charts:
            self.add_charts(info.name, charts)  # each sheet read once for all the charts' caches
        self._opc.mark_dirty(info.part)
        return self.sheet(info.name)

    def _add_table(self, info: SheetInfo, ref: CellRange, headers: list[Any], spec: TableSpec) -> str:
        assert info.part is not None
        names = []
        for i, header in enumerate(headers):
            text = "" if header is None else str(header)
            if not text.strip():
                raise OoxmlValueError("every table header must be non-blank", sheet=info.name, row=1, column=i + 1)
            if text.lower() in {n.lower() for n in names}:
                raise OoxmlValueError(f"table header {text!r} is repeated", sheet=info.name, row=1, column=i + 1)
            names.append(text)
        if not valid_table_name(spec.name):
            raise OoxmlValueError(f"{spec.name!r} is not a valid table name", sheet=info.name)
        ids, taken = workbook_table_ids_and_names(self._opc)
        taken |= {d.name.lower() for d in self.defined_names()}
        name = spec.name
        n = 2
        while name.lower() in taken:
            name = f"{spec.name}_{n}"
            n += 1
        part = self._opc.next_free("xl/tables/table{}.xml")
        table_root = build_table_xml(max(ids, default=0) + 1, name, ref, names, style=spec.style,
                                     row_stripes=spec.row_stripes)
        self._opc.write_xml(part, table_root, CT.TABLE)
        rel_id = self._opc.add_relationship(info.part, RT.TABLE, part)
        root = self._sheet_frame(info)
        parts_el = find_or_create(root, "tableParts", WORKSHEET_ORDER)
        tp = etree.SubElement(parts_el, main("tablePart"))
        tp.set(qn("r", "id"), rel_id)
        parts_el.set("count", str(len(parts_el)))
        self._opc.mark_dirty(info.part)
        return name

    # ---- charts --------------------------------------------------------------------

    def add_chart(self, sheet: str, spec: ChartSpec) -> str:
        """Add a native chart to a sheet; returns the new chart part's name.

        The chart is anchored in the sheet's drawing (created if the sheet has
        none, appended to otherwise) with ``spec.alt_text``/``alt_title`` as
        its description and title for screen readers. Many charts over cells
        none of them changes: :meth:`add_charts` reads each sheet once for all.
        """
        return self._add_chart(self._worksheet(sheet), spec, _ChartReads({}))

    def add_charts(self, sheet: str, specs: Iterable[ChartSpec]) -> list[str]:
        """:meth:`add_chart` for each of ``specs`` in turn, over cells none of them changes: the
        sheet, each sheet a chart reads and each range are found and read once for all of them."""
        info = self._worksheet(sheet)
        specs = list(specs)
        reads = _ChartReads({}, spans=_row_spans(specs, info.name))
        return [self._add_chart(info, spec, reads) for spec in specs]

    def _add_chart(self, info: SheetInfo, spec: ChartSpec, reads: _ChartReads) -> str:
        assert info.part is not None
        root = self._sheet_frame(info)
        drawing_el = root.find(main("drawing"))
        drawing_part = None
        if drawing_el is not None:
            rel = self._opc.relationship(info.part, drawing_el.get(qn("r", "id"), ""))
            if rel is not None and rel.part and self._opc.has(rel.part):
                drawing_part = self._opc.actual_name(rel.part)
        if drawing_part is None:
            drawing_part = self._opc.next_free("xl/drawings/drawing{}.xml")
            self._opc.write_xml(drawing_part, new_drawing_root(), CT.DRAWING)
            rel_id = self._opc.add_relationship(info.part, RT.DRAWING, drawing_part)
            if drawing_el is None:
                drawing_el = insert_in_order(root, etree.Element(main("drawing")), WORKSHEET_ORDER)
            drawing_el.set(qn("r", "id"), rel_id)
            self._opc.mark_dirty(info.part)
        cache = reads.values

        def read(sheet_name: str, rng: CellRange) -> list[Any]:
            if sheet_name not in cache:
                if sheet_name in reads.rows:
                    written = reads.rows[sheet_name]
                else:
                    written = reads.rows[sheet_name] = self._written_rows(sheet_name)
                if written is not None:  # a sheet of ours just written: its few cells from its rows
                    span = (sheet_name, *reads.span_of(sheet_name, rng))
                    value = reads.spans_read.get(span)
                    if value is None:
                        value = reads.spans_read[span] = written(span[1], span[2])
                    return [value(r, c) for r in range(rng.min_row, rng.max_row + 1)
                            for c in range(rng.min_col, rng.max_col + 1)]
                cache[sheet_name] = self.read_sheet(sheet_name)
            values = cache[sheet_name]
            return [values.value(r, c) for r in range(rng.min_row, rng.max_row + 1)
                    for c in range(rng.min_col, rng.max_col + 1)]

        def lookup(sheet_name: str, rng: CellRange) -> list[Any]:
            key = (sheet_name, rng)  # a chart's categories are read for each of its series
            found = reads.ranges.get(key)
            if found is None:
                found = reads.ranges[key] = read(sheet_name, rng)
            return found

        chart_part = self._opc.next_free("xl/charts/chart{}.xml", start=reads.next_chart)
        self._opc.write_xml(chart_part, build_chart_xml(spec, info.name, lookup), CT.CHART)
        chart_rel = self._opc.add_relationship(drawing_part, RT.CHART, chart_part)
        drawing_root = self._opc.xml(drawing_part)
        number = chart_part.rsplit("chart", 1)[1].split(".")[0]
        reads.next_chart = int(number) + 1
        append_chart_anchor(
            drawing_root, chart_rel, anchor=spec.anchor, width_cols=spec.width_cols,
            height_rows=spec.height_rows, name=f"Chart {number}", alt_text=spec.alt_text,
            alt_title=spec.alt_title or spec.title,
        )
        self._opc.mark_dirty(drawing_part)
        return chart_part

    def _written_rows(self, name: str) -> Callable[[int, int], CellReader] | None:
        """A reader of the cells in rows (first, last) of a sheet kpi_excel owns and has written
        in this session, if its rows are held apart or its tree is current: reading its cells
        there saves serialising and re-reading the whole sheet. Values are as stored (no dates)."""
        info = self._find_sheet(name)
        if info is None or info.kind != "worksheet" or info.part is None or not self._owned(info):
            return None
        part = info.part
        sst = self._shared_strings()
        apart = self._apart_rows.get(part)
        if apart is not None and self._opc.held_apart(part):
            return lambda first, last: read_sheet_values(rows_document(apart, first, last), sst, sheet=info.name,
                                                         part=part).value
        editor = self._editors.get(part)
        if editor is None or self._opc.held_apart(part) or editor.root is not self._opc.xml(part):
            return None
        return lambda first, last: lambda r, c: element_value(editor.cell(r, c, create=False), sst, sheet=info.name)

    # ---- output --------------------------------------------------------------------

    def _flush(self) -> None:
        if self._registry is not None:
            self._registry.flush()
        if self._removed_formulas:
            self._clean_calc_chain()

    def _clean_calc_chain(self) -> None:
        """Drop calcChain entries of cells whose formula we replaced (Excel repairs files otherwise)."""
        for rel in self._opc.related(self._wb, RT.CALC_CHAIN):
            part = rel.part
            if not part or not self._opc.has(part):
                continue
            root = self._opc.xml(part)
            current_sheet = None
            changed = False
            for el in list(root):
                if el.get("i") is not None:
                    current_sheet = int_attr(el, "i")
                removed = self._removed_formulas.get(current_sheet or -1, set())
                if el.get("r") in removed:
                    following = el.getnext()
                    if el.get("i") is not None and following is not None and following.get("i") is None:
                        following.set("i", el.get("i", ""))  # the next entry inherited our sheet id
                    root.remove(el)
                    changed = True
            if changed:
                self._opc.mark_dirty(part)
        self._removed_formulas.clear()

    def to_bytes(self) -> bytes:
        """The edited workbook as bytes (no file written)."""
        self._flush()
        return self._opc.to_bytes()

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write atomically to ``path`` (default: where it was opened) and verify the result.

        Raises :class:`PackageLockedError` when the target is open in Excel or
        LibreOffice or is read-only, and :class:`PackageVerificationError` when
        the new file fails its check; in both cases the target is unchanged.
        """
        target = Path(path) if path is not None else self.path
        if target is None:
            raise OoxmlValueError("no path to save to: the workbook was opened from bytes")
        self._flush()
        expected = self._opc.names()
        changed = [n for n in self._opc.changed_parts() if is_xml_content(n) and self._opc.has(n)]
        same_file = self.path is not None and real_target(target) == real_target(self.path)
        # An edited part that came out as the file had it is copied as it was, as an untouched
        # part is: its entry is checked, its XML is not parsed again. An entry copied from the file
        # whose part was inflated (and its CRC checked) here is checked against the file's bytes.
        written = atomic_write(target, self._opc.write_to,
                               lambda tmp: verify_package(tmp, expected,
                                                          [n for n in changed if n not in self._opc.kept_as_read],
                                                          copied=self._opc.copied_checked),
                               expect=self._identity if same_file else None, follow_link=same_file)
        self._opc.path = target
        with contextlib.suppress(OSError):
            self._identity = FileIdentity.of(os.stat(written))
        return target


_LAST_ROW = re.compile(rb'<row r="(\d+)"')


def _last_row(rows: RowsApart) -> int | None:
    """The number of the last row held apart (rows as lxml writes them: each says its number);
    None when the text does not say."""
    text = rows.text[-1] if rows.text else b""
    start = text.rfind(b"<row ")
    found = _LAST_ROW.match(text, start) if start >= 0 else None
    return int(found.group(1)) if found is not None else None


def _block_items(top_left: tuple[int, int], rows: Sequence[Sequence[Any]],
                 styles: Sequence[Sequence[int | None]] | None) -> list[tuple[int, int, Any, int | None]]:
    """(row, col, value, style) items of a row-major block with its top-left cell at ``top_left``."""
    r0, c0 = top_left
    items = []
    for i, row in enumerate(rows):
        looks = styles[i] if styles is not None and i < len(styles) else ()
        if len(looks) < len(row):  # a value without a style keeps the cell's
            looks = [*looks, *[None] * (len(row) - len(looks))]
        r = r0 + i
        items.extend(zip([r] * len(row), range(c0, c0 + len(row)), row, looks))
    return items


def verify_package(path: Path, expected_names: Iterable[str], xml_parts: Iterable[str], *,
                   copied: Mapping[str, ZipEntry] | None = None) -> None:
    """Re-read a written package: zip test, every expected part present, edited XML parses.

    Every entry is inflated through the same guarded reader used on open
    (sizes and CRCs checked), the central directory is also read by the
    standard library's ``zipfile`` as an independent second reader. ``copied``: entries
    copied from a file whose content was inflated and its CRC checked (see
    :attr:`OpcPackage.copied_checked`): one written as the same bytes with the same sizes and
    CRC inflates as it did, so it is compared rather than inflated again.
    """
    data = path.read_bytes()
    entries = read_zip(data, limits=ZipLimits(), path=path)
    to_parse = set(xml_parts)
    copied = copied or {}
    names = []
    for entry in entries:  # one edited part inflated at a time; the rest checked a block at a time
        names.append(entry.name)
        if entry.name in to_parse:
            check_xml(inflate(entry, path=path), entry.name)
        elif not _same_entry(entry, copied.get(entry.name)):
            check_entry(entry, path=path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            listed = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptPackageError(f"the standard zip reader rejects the file ({exc})", path=path) from None
    if listed != names:
        raise CorruptPackageError("the zip directory and the entries disagree", path=path)
    missing = [n for n in expected_names if n not in set(names)]
    if missing:
        raise PackageVerificationError(f"parts missing from the written file: {missing}", path=path)
    unparsed = to_parse - set(names)
    if unparsed:
        raise PackageVerificationError(f"parts missing from the written file: {sorted(unparsed)}", path=path)


def _same_entry(entry: ZipEntry, known: ZipEntry | None) -> bool:
    """Whether ``entry`` is ``known``: the same method, sizes, CRC and compressed bytes."""
    return known is not None and known.raw is not None and entry.raw is not None \
        and (entry.compress_type, entry.crc, entry.file_size, entry.compress_size) \
        == (known.compress_type, known.crc, known.file_size, known.compress_size) \
        and entry.raw == known.raw
