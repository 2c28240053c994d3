"""kpi_excel: a living KPI performance report in an Excel workbook.

One pure core (``kpi_excel.core``) and three doors onto it: the ``kpi-excel``
command, the desktop ribbon add-in and the Excel-on-the-web add-in served by
xlwings Server.
"""

from kpi_excel.version import __version__

__all__ = ["__version__", "main"]

# The desktop ribbon button runs ``import kpi_excel; kpi_excel.main()``. That
# module imports xlwings only when main() is called, never at import time.
from kpi_excel.addin.desktop import main  # noqa: E402
