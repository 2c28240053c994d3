"""The application layer: the use cases every door calls.

Each module reads its inputs (through :mod:`kpi_excel.sources` and the workbook
readers), calls the pure :mod:`kpi_excel.core`, and hands the result to a writer.
The doors (:mod:`kpi_excel.cli`, :mod:`kpi_excel.addin`) call these; nothing
below them imports this package. Modules are imported on use, so a command pays
only for what it runs.
"""
