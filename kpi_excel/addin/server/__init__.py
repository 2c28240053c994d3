"""The web door: an xlwings Server app for Excel on the web and SharePoint.

``kpi-excel serve`` runs :data:`kpi_excel.addin.server.app.app` with uvicorn.
Our scripts, manifest and ribbon code live in ``project/``, which xlwings
Server reads as its project directory (``XLWINGS_PROJECT_DIR``).

Nothing here imports xlwings at package import time: :mod:`.app` must set
``XLWINGS_ON_SERVER`` and import ``xlwings_server.config`` first.
"""
