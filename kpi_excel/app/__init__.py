"""The application layer: the use cases every door calls.

Each module reads its inputs (through :mod:`kpi_excel.sources` and the workbook
readers), calls the pure :mod:`kpi_excel.core`, and hands the result to a writer.
The doors (:mod:`kpi_excel.cli`, :mod:`kpi_excel.addin`) call these; nothing
below them imports this package. Modules are imported on use, so a command pays
only for what it runs.

    refresh_plan.py          one refresh for every door: what a workbook holds -> a plan
    report_files.py          report files: new, init, refresh (read, plan, write, swap in)
    authority_benchmark.py   a report's own benchmark: its authority against every other
    benchmark_table.py       ``kpi-excel benchmark``: every authority's position, as a table
    benchmark_codes.py       the Benchmark Codes an officer can type
    rate_files.py            ``kpi-excel rate``: read a table file, rate it, write it back
    example.py               the example report's and the empty template's sheets
    paper/                   the committee paper: content read from a refreshed report,
                             written as Word (.docx) or PDF
"""
