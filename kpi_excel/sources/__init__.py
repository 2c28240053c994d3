"""Where observations come from; each reader returns the observations model
(:mod:`kpi_excel.core.observations`) with a problem for every row it cannot use.

    spec.py       the ``--data`` text: report.xlsx[#Sheet], values.csv, lait:..., sql:URL#table=|query=
    datasheet.py  the report workbook's own Data sheet
    tables.py     CSV/TSV/worksheets/parquet in long or wide layout
    table_files.py  read and write indicator tables (CSV, TSV, XLSX) as officers keep them
    lait_files.py DfE LAIT files: long data, data dictionary, neighbour lists, LA code list
    sql.py        a table or query through SQLAlchemy, read-only and bounded
    sql_query.py  whether a query only reads (one SELECT, no function that acts outside it)
    sql_login.py  whether a PostgreSQL login can act outside a read-only transaction
    named.py      short names for sources configured outside the workbook (the sources file)
    policy.py     which sources each door may open
    xlsx.py       worksheet cells (value and number format), behind one small function

Modules are imported on use, so a command pays only for the readers it needs.
"""
