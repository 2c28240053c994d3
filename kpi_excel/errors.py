"""Exceptions raised by kpi_excel.

Every error the library raises on purpose derives from :class:`KpiExcelError`,
so a door (CLI, desktop add-in, web add-in) can catch one class and show the
message to an officer. Errors carry the context that lets a person find the
problem: a path, a sheet, a row, a column, an indicator.

Error tree::

    KpiExcelError
    ├── InputError                 bad data or arguments (sheet/row/column/indicator)
    └── WorkbookError              a workbook file cannot be read or written (path)
        ├── WorkbookLockedError    open in Excel/LibreOffice (lock file), or read-only
        ├── UnsafeFileError        zip bomb, DTD/entities, encrypted or odd zip entries
        ├── CorruptWorkbookError   not a readable OOXML package (bad zip, bad XML)
        ├── UnsupportedWorkbookError  valid but outside what we handle (e.g. Strict OOXML)
        └── SaveVerificationError  the freshly written file failed its own re-read check
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "KpiExcelError",
    "InputError",
    "WorkbookError",
    "WorkbookLockedError",
    "UnsafeFileError",
    "CorruptWorkbookError",
    "UnsupportedWorkbookError",
    "SaveVerificationError",
]


class KpiExcelError(Exception):
    """Base class of every error kpi_excel raises on purpose."""


class InputError(KpiExcelError, ValueError):
    """Data or arguments that cannot be used, with where they came from.

    ``sheet``, ``row`` (1-based), ``column`` (1-based index or header text) and
    ``indicator`` are optional; ``str()`` appends whichever are known.
    """

    def __init__(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: int | str | None = None,
        indicator: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column
        self.indicator = indicator

    def __str__(self) -> str:
        where = [
            f"{label} {value!r}" if isinstance(value, str) else f"{label} {value}"
            for label, value in (
                ("sheet", self.sheet),
                ("row", self.row),
                ("column", self.column),
                ("indicator", self.indicator),
            )
            if value is not None
        ]
        return f"{self.message} ({', '.join(where)})" if where else self.message


class WorkbookError(KpiExcelError):
    """A workbook file that cannot be read or written; ``path`` says which."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.message}: {self.path}" if self.path is not None else self.message


class WorkbookLockedError(WorkbookError):
    """The target is open in Excel or LibreOffice (lock file) or is read-only.

    ``lock_path`` is the lock file found beside the workbook, if that is the reason.
    """

    def __init__(
        self, message: str, *, path: str | Path | None = None, lock_path: str | Path | None = None
    ) -> None:
        super().__init__(message, path=path)
        self.lock_path = Path(lock_path) if lock_path is not None else None


class UnsafeFileError(WorkbookError):
    """The file looks hostile or is one we refuse to parse (zip bomb, DTD, encryption)."""


class CorruptWorkbookError(WorkbookError):
    """The file is not a readable Office Open XML package."""


class UnsupportedWorkbookError(WorkbookError):
    """The file is valid but uses a form this library does not handle."""


class SaveVerificationError(WorkbookError):
    """The file just written failed its re-read check; the original was left as it was."""
