"""The ribbon doors: the desktop ``kpi_excel.xlam`` add-in and the web add-in's server.

* :mod:`.xlam` builds the add-in from xlwings' ribbon template (:mod:`.vba_edit`
  changes two constants of its VBA, through :mod:`.cfb` and :mod:`.ovba`);
  :mod:`.install` puts it where Excel loads it; :mod:`.desktop` holds ``main()``,
  which its button runs, and :mod:`.button_errors` turns a failure into one alert.
* :mod:`.server` is the xlwings Server app for Excel on the web and SharePoint.
* :mod:`.cli_commands` has the ``kpi-excel addin ...`` and ``kpi-excel serve`` commands.

Both doors plan through :mod:`kpi_excel.addin.book_door`; the desktop writes with
:mod:`~kpi_excel.workbook.book_writer`, the web answers with one batch (:mod:`~kpi_excel.workbook.web_batch`)
that the add-in's own client code applies.
"""
