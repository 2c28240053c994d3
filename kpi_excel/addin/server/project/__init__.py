"""xlwings Server's project directory for kpi_excel (``XLWINGS_PROJECT_DIR``).

xlwings Server puts this folder on ``sys.path`` and imports ``custom_scripts``,
``custom_functions`` and ``auth`` from it as top-level modules, and reads
``templates/`` and ``static/`` from it. This file only makes the folder ship
as part of the package; nothing imports it as ``kpi_excel.addin.server.project``.
"""

__all__: list[str] = []
