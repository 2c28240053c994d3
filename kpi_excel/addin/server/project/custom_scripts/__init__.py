"""xlwings Server's custom_scripts module for kpi_excel.

xlwings Server calls ``getattr(custom_scripts, <name from the URL>)``, so this
namespace holds the scripts and nothing else (the app also refuses any other
name before reading the request).
"""

from kpi_excel.addin.server.scripts import check_inputs, refresh_kpis

__all__ = ["refresh_kpis", "check_inputs"]
