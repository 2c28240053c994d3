"""kpi_excel has no Excel custom functions.

This module exists so that xlwings Server does not fall back to its bundled
example functions (it imports ``custom_functions`` from the project directory
and uses its own examples when there is none).
"""
