"""kpi_excel: a living KPI performance report in an Excel workbook.

One pure core (``kpi_excel.core``) and three doors onto it: the ``kpi-excel``
command, the desktop ribbon add-in and the Excel-on-the-web add-in served by
xlwings Server.
"""

# The package version: pyproject.toml reads it from here (tests/test_packaging.py checks).
__version__ = "0.2.0"
__all__ = ["__version__", "main"]

# The desktop ribbon button runs ``import kpi_excel; kpi_excel.main()``. That
# module imports xlwings only when main() is called, never at import time.
from kpi_excel.addin.desktop import main  # noqa: E402
