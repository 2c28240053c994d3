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
guard, raw copy), ``book`` (workbook.xml, app.xml), ``workbook_reader`` (opening
and reading, the base of ``XlsxPackage``, for readers that edit nothing), ``sheet_values`` (reading
cells, sparse, with limits), ``cells`` (writing them), ``styles``,
``condformat``, ``validation``, ``managed`` (what we wrote, remembered),
``sheets``, ``tables``, ``charts``, ``drawings``; saving is
:mod:`kpi_excel.ooxml.atomic` (also used for CSV and other outputs).
What it raises is its own (:mod:`kpi_excel.ooxml.errors`); its leaves
``a1``, ``cell_content`` and ``brackets`` are plain Python. It imports nothing
else of kpi_excel (tests/test_architecture.py).
"""

# The package's names are looked up in _exports on first use, so importing a leaf of this
# library (``ooxml.errors``, ``ooxml.a1``) from kpi_excel.errors or the core does not load lxml
# and every editor module: ``kpi-excel --version`` stays light (tests/test_cli_startup.py).
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


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from kpi_excel.ooxml import _exports

    value = globals()[name] = getattr(_exports, name)  # found once; later lookups are plain
    return value
