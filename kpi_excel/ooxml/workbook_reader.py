"""``WorkbookReader``: open a workbook and read its sheets' cells, with every limit, and nothing more.

What :class:`~kpi_excel.ooxml.xlsx_package.XlsxPackage` does before it edits (that class
extends this one), without importing the editor modules (cells, charts, conditional
formats, tables, validation...): a command that only reads a workbook, as ``kpi-excel
benchmark`` reads its neighbour lists, loads this module alone (~13 ms less). The zip-bomb
checks (:mod:`~kpi_excel.ooxml.zipio`), part limits and sheet limits are the same code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Self

import kpi_excel.ooxml.book as book
from kpi_excel.ooxml.atomic import FileIdentity
from kpi_excel.ooxml.book import DefinedName, SheetInfo
from kpi_excel.ooxml.errors import OoxmlValueError, PackageError, UnsafePackageError
from kpi_excel.ooxml.package import RT, OpcPackage
from kpi_excel.ooxml.refs import CellRange
from kpi_excel.ooxml.sheet_values import (
    MAX_SHARED_STRINGS_BYTES,
    SheetLimits,
    SheetValues,
    parse_shared_strings,
    read_sheet_values,
)
from kpi_excel.ooxml.styles import StyleBook
from kpi_excel.ooxml.zipio import ZipLimits

__all__ = ["WorkbookReader"]


class WorkbookReader:
    """An .xlsx/.xlsm/.xlam workbook held in memory, its sheets read on demand.

    Open with :meth:`open`, list sheets with :meth:`sheets`, read one with
    :meth:`read_sheet` (fast, sparse, with number formats, within limits).
    """

    def __init__(self, opc: OpcPackage, identity: FileIdentity | None = None) -> None:
        self._opc = opc
        self._identity = identity  # the file read, to check it is still there when saving over it
        self._wb = book.workbook_part(opc)
        self._styles: StyleBook | None = None
        self._sst: list[str] | None = None
        # Sheets read with keep=True, reused while their part is untouched (see read_sheet).
        self._kept: dict[str, tuple[SheetLimits, SheetValues]] = {}

    # ---- opening -------------------------------------------------------------------

    @classmethod
    def open(cls, source: str | os.PathLike[str] | bytes, *, limits: ZipLimits | None = None) -> Self:
        """Open a workbook from a path or from its bytes, after the zip-bomb checks."""
        limits = limits or ZipLimits()
        path: Path | None = None
        identity = None
        if isinstance(source, (bytes, bytearray)):
            data = bytes(source)
        else:
            path = Path(source)
            try:
                with open(path, "rb") as handle:
                    size = os.fstat(handle.fileno()).st_size
                    if size > limits.max_total_size:
                        raise PackageError("the file is larger than the size limit", path=path)
                    data = handle.read()
                    identity = FileIdentity.of(os.fstat(handle.fileno()))
            except IsADirectoryError:
                raise PackageError("is a folder, not a workbook", path=path) from None
            except OSError as exc:
                raise PackageError(f"cannot open the workbook ({exc.strerror or type(exc).__name__})",
                                   path=path) from None
        return cls(OpcPackage.from_bytes(data, limits=limits, path=path), identity)

    @property
    def path(self) -> Path | None:
        """Where the workbook was opened from (or last saved to)."""
        return self._opc.path

    @property
    def opc(self) -> OpcPackage:
        """The underlying part store, for advanced use and tests."""
        return self._opc

    # ---- workbook ------------------------------------------------------------------

    def sheets(self) -> list[SheetInfo]:
        """All sheets in tab order, with state (visible/hidden/veryHidden) and kind."""
        return book.read_sheets(self._opc, self._wb)

    def sheet_names(self) -> list[str]:
        """Sheet names in tab order."""
        return [s.name for s in self.sheets()]

    def sheet(self, name: str) -> SheetInfo:
        """The sheet called ``name`` (Excel matches names case-insensitively)."""
        found = self._find_sheet(name)
        if found is None:
            raise OoxmlValueError(f"the workbook has no sheet named {name!r}", sheet=name)
        return found

    def _find_sheet(self, name: str) -> SheetInfo | None:
        for info in self.sheets():
            if info.name == name:
                return info
        lowered = name.lower()
        for info in self.sheets():
            if info.name.lower() == lowered:
                return info
        return None

    def _worksheet(self, name: str) -> SheetInfo:
        info = self.sheet(name)
        if info.kind != "worksheet" or info.part is None:
            raise OoxmlValueError(f"{info.name!r} is a {info.kind}, not a worksheet", sheet=info.name)
        return info

    def defined_names(self) -> list[DefinedName]:
        """Defined names (workbook- and sheet-scoped)."""
        return book.read_defined_names(self._opc, self._wb)

    @property
    def date1904(self) -> bool:
        """Whether dates count from 1904."""
        return book.is_date1904(self._opc, self._wb)

    @property
    def styles(self) -> StyleBook:
        """The workbook's styles (number formats, dxfs, cell formats)."""
        if self._styles is None:
            self._styles = StyleBook(self._opc, self._wb)
        return self._styles

    # ---- reading -------------------------------------------------------------------

    def _shared_strings(self) -> list[str]:
        if self._sst is None:
            self._sst = []
            for rel in self._opc.related(self._wb, RT.SHARED_STRINGS):
                if rel.part and self._opc.has(rel.part):
                    limit = MAX_SHARED_STRINGS_BYTES
                    if self._opc.size(rel.part) > limit:
                        raise UnsafePackageError(f"the shared strings are {_mb(self._opc.size(rel.part))} of XML "
                                                 f"uncompressed, more than the {_mb(limit)} kpi_excel reads",
                                                 path=self.path)
                    try:
                        self._sst = parse_shared_strings(self._opc.read(rel.part, keep=False), rel.part)
                    except PackageError as exc:
                        raise type(exc)(exc.message, path=self.path) from None
        return self._sst

    def read_sheet(self, name: str, *, force_slow: bool = False, limits: SheetLimits | None = None,
                   keep: bool = False) -> SheetValues:
        """The cells of a worksheet, with style ids and number formats (see :class:`SheetValues`).

        Refuses, in one line naming the file and sheet, a sheet beyond
        ``limits`` (default :class:`SheetLimits`) or one that cannot be read.
        ``keep``: hold the result for the next read of the sheet (within limits
        as wide or wider), until the sheet is edited (a refresh reads KPIs, then edits
        them: one read of a large sheet instead of two).
        """
        info = self._worksheet(name)
        assert info.part is not None
        limits = limits or SheetLimits()
        if self._kept and not force_slow:
            kept = self._kept_read(info.part, limits)
            if kept is not None:
                return kept
        size = self._opc.size(info.part)
        if size > limits.max_part_bytes:
            raise UnsafePackageError(f"sheet '{info.name}' is {_mb(size)} of XML uncompressed, more than the "
                                     f"{_mb(limits.max_part_bytes)} kpi_excel reads from one sheet", path=self.path)
        styles = self.styles
        try:
            data = self._opc.read(info.part, keep=False)
        except PackageError as exc:  # a CRC or inflate failure: say which sheet
            raise type(exc)(f"sheet '{info.name}': {exc.message}", path=self.path) from None
        try:
            values = read_sheet_values(
                data, self._shared_strings(), sheet=info.name,
                number_formats=styles.xf_number_formats(), date_styles=styles.date_styles(),
                force_slow=force_slow, limits=limits, part=info.part,
            )
        except PackageError as exc:
            if exc.path is None:
                raise type(exc)(exc.message, path=self.path) from None
            raise
        if keep:
            self._kept[info.part] = (limits, values)
        return values

    def _kept_read(self, part: str, limits: SheetLimits) -> SheetValues | None:
        """A kept read of ``part`` if the part is untouched since and it was read within
        ``limits`` (a sheet that passed tighter limits passes these)."""
        kept = self._kept.get(part)
        if kept is None:
            return None
        if not self._opc.is_untouched(part):
            del self._kept[part]
            return None
        within, values = kept
        fits = (within.max_part_bytes <= limits.max_part_bytes and within.max_cells <= limits.max_cells
                and within.max_grid <= limits.max_grid)
        return values if fits else None

    def used_range(self, name: str) -> CellRange | None:
        """Range spanned by the cells that exist in the sheet (None when empty)."""
        return self.read_sheet(name).used_range

    def dimension(self, name: str) -> str | None:
        """The sheet's declared ``<dimension ref>`` (may be stale in files from other tools)."""
        info = self._worksheet(name)
        assert info.part is not None
        match = re.search(rb'<dimension\s+ref="([^"]*)"', self._opc.read(info.part)[:8192])
        return match.group(1).decode() if match else None


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"
