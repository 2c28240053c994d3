"""What ``kpi_excel.ooxml`` exports, imported together on first use (see the package's ``__getattr__``)."""

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
