"""``python -m kpi_excel.addin.server [--host H] [--port P]``: the same as ``kpi-excel serve``."""

from kpi_excel.addin.cli_commands import serve

serve()
