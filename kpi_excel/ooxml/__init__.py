"""Lossless XLSX package editor: the foundation of kpi_excel's headless file writer.

An officer's workbook is edited part by part: only the zip parts and XML
elements a change needs are rewritten, every other part is copied back
byte-identical (same compressed stream, same order), so text boxes, form
controls, sparklines, 2010 conditional formats, threaded comments, custom XML,
macros and their signatures all survive. openpyxl is never used to save.

Entry point: :class:`XlsxPackage`::

    pkg = XlsxPackage.open("kpis.xlsx")
    data = pkg.read_sheet("Data")                 # fast, with number formats
    pkg.write_columns("KPIs", 2, {7: latest, 8: rag})
    pkg.set_managed_conditional_formats("KPIs", rules)
    pkg.write_owned_sheet("Benchmark", rows, table=TableSpec("Benchmark"), charts=[spec])
    pkg.save()                                     # atomic and verified

Modules: ``package`` (zip, content types, relationships), ``zipio`` (bomb
guard, raw copy), ``book`` (workbook.xml, app.xml), ``sheet_values`` (reading
cells, sparse, with limits), ``cells`` (writing them), ``styles``,
``condformat``, ``validation``, ``managed`` (what we wrote, remembered),
``sheets``, ``tables``, ``charts``, ``drawings``; saving is
:mod:`kpi_excel.workbook.atomic` (also used for CSV and other outputs).
"""

from kpi_excel.ooxml.book import DefinedName, SheetInfo
from kpi_excel.ooxml.cells import KEEP, WriteReport, to_excel_serial
from kpi_excel.ooxml.charts import ChartSeries, ChartSpec
from kpi_excel.ooxml.condformat import (
    CellIsRule,
    ColorScaleRule,
    ConditionalFormat,
    ContainsTextRule,
    DataBarRule,
    ExpressionRule,
    IconSetRule,
)
from kpi_excel.ooxml.refs import CellRange, cell_ref, column_index, column_letter, parse_cell, parse_range
from kpi_excel.ooxml.sheet_values import (
    KPI_SHEET_LIMITS,
    ErrorValue,
    Grid,
    SheetLimits,
    SheetValues,
    from_excel_serial,
    too_many_cells,
)
from kpi_excel.ooxml.sheets import SheetSettings
from kpi_excel.ooxml.sparklines import SparklineGroup
from kpi_excel.ooxml.styles import DxfStyle, is_date_format, is_percent_format
from kpi_excel.ooxml.tables import TableInfo
from kpi_excel.ooxml.validation import ListValidation
from kpi_excel.ooxml.xlsx_package import ManagedChange, TableSpec, XlsxPackage
from kpi_excel.ooxml.zipio import ZipLimits

__all__ = [
    "SparklineGroup",
    "XlsxPackage",
    "ZipLimits",
    "SheetInfo",
    "DefinedName",
    "SheetValues",
    "SheetLimits",
    "KPI_SHEET_LIMITS",
    "too_many_cells",
    "Grid",
    "from_excel_serial",
    "ErrorValue",
    "WriteReport",
    "KEEP",
    "to_excel_serial",
    "TableInfo",
    "TableSpec",
    "ManagedChange",
    "DxfStyle",
    "is_date_format",
    "is_percent_format",
    "ConditionalFormat",
    "CellIsRule",
    "ExpressionRule",
    "ContainsTextRule",
    "DataBarRule",
    "ColorScaleRule",
    "IconSetRule",
    "ListValidation",
    "SheetSettings",
    "ChartSpec",
    "ChartSeries",
    "CellRange",
    "cell_ref",
    "column_index",
    "column_letter",
    "parse_cell",
    "parse_range",
]
