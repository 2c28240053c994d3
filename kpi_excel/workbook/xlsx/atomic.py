"""The safe save moved to :mod:`kpi_excel.workbook.atomic`: CSV, TSV and other outputs use
it too, without loading this package. This name stays so existing imports keep working;
patch ``_step_hook`` on :mod:`kpi_excel.workbook.atomic`, not here."""

from kpi_excel.workbook.atomic import (
    FileIdentity,
    RefreshInProgressError,
    WorkbookChangedError,
    atomic_write,
    check_writable,
    lock_file_of,
    lock_files,
    real_target,
    workbook_lock,
)

__all__ = ["lock_files", "check_writable", "atomic_write", "workbook_lock", "lock_file_of", "FileIdentity",
           "real_target", "RefreshInProgressError", "WorkbookChangedError"]
