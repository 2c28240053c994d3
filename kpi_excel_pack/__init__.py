"""The desktop committee-paper button's entry point.

``kpi_excel_pack.xlam`` is xlwings' ribbon add-in saved under this name, so its
VBA runs ``import kpi_excel_pack; kpi_excel_pack.main()``: the paper of the
workbook the officer is in, written beside it. A module of its own (rather than
a second button in ``kpi_excel.xlam``) keeps both add-ins' VBA exactly as
xlwings ships it. See :mod:`kpi_excel.addin.xlam`.
"""

from kpi_excel.addin.desktop import paper_button as main

__all__ = ["main"]
