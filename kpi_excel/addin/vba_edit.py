"""Our two changes to xlwings' VBA: the config file named after the product, and no workbook folder on sys.path.

xlwings' ribbon template reads its settings from ``<PROJECT_NAME>.conf`` with
``PROJECT_NAME = "myaddin"`` (``%USERPROFILE%\\.myaddin\\myaddin.conf``), and
RunPython puts the workbook's folder on ``sys.path`` unless a config says
``ADD_WORKBOOK_TO_PYTHONPATH`` is false - which fails before ``kpi_excel.main()``
starts for a SharePoint/OneDrive workbook not synced to the PC, and on Macs
(issue 15). :func:`edited_vba_project` changes exactly those constants in the
``xlwings`` module's source, so the add-in works even where no config file
was written (a per-machine install, a new profile) and its file is
``%USERPROFILE%\\.kpi_excel\\kpi_excel.conf``.

Why editing the source is enough: in xlwings' file that module is stored as
source only (its MODULEOFFSET is 0, no compiled p-code before it) and the
project's ``_VBA_PROJECT`` stream has version 0xFFFF and no cache, so Excel
compiles the project from source whenever it opens the add-in.
tests/addin/test_vba_edit.py checks both facts in the pinned template, and
that every other byte of the VBA project is as xlwings made it.
"""

from __future__ import annotations

from kpi_excel.addin import cfb, ovba

__all__ = ["TEMPLATE_PROJECT_NAME", "VBA_PROJECT_NAME", "MODULE", "EDITS", "VbaEditError", "edited_vba_project"]

TEMPLATE_PROJECT_NAME = "myaddin"  # xlwings' template name, and the config file kpi_excel 0.2 wrote
VBA_PROJECT_NAME = "kpi_excel"  # names the config file: .kpi_excel\kpi_excel.conf, kpi_excel.conf on macOS
MODULE = "VBA/xlwings"

# (xlwings' line, ours, how many times xlwings' module has it)
EDITS = (
    (f'Public Const PROJECT_NAME As String = "{TEMPLATE_PROJECT_NAME}"',
     f'Public Const PROJECT_NAME As String = "{VBA_PROJECT_NAME}"', 1),
    # RunPython and the (unused) UDF server each read it once.
    ('AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")',
     'AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "false")', 2),
)


class VbaEditError(ValueError):
    """The template's VBA is not the one these edits were made for."""


def edited_source(source: bytes) -> bytes:
    for old, new, count in EDITS:
        found = source.count(old.encode("ascii"))
        if found != count:
            raise VbaEditError(f"xlwings' VBA has {found} of '{old}', not {count}")
        source = source.replace(old.encode("ascii"), new.encode("ascii"))
    return source


def edited_vba_project(template: bytes) -> bytes:
    """``xl/vbaProject.bin`` of xlwings' template with :data:`EDITS` made; every other stream as it was."""
    compound = cfb.read(template)
    index = compound.find(MODULE)
    compound.streams[index] = ovba.compress(edited_source(ovba.decompress(compound.streams[index])))
    return cfb.write(compound)
