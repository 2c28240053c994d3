"""Every error kpi_excel raises on purpose, and where it came from.

    KpiExcelError                 base: catch this to catch everything we raise
    ├── CellError                 one cell's text cannot be read (a period, a value,
    │                             a polarity, a target); also a ValueError
    ├── InputError                bad input an officer can fix; knows its place:
    │   │                         source, sheet, row, column, indicator
    │   ├── UnreadableFileError   a file that cannot be read at all
    │   └── MissingColumnError    a required column is not there
    └── WorkbookError             a workbook we cannot safely write
        ├── WorkbookLockedError   open in Excel (a ``~$`` lock file) or read-only
        └── UnsafeFileError       a zip bomb, too many parts, or broken XML

Problems found in single cells (an unreadable target, a suppressed value) are
not exceptions: they travel with the row as :class:`Problem` values, because
one bad row must never stop the rest of the report.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "KpiExcelError",
    "CellError",
    "InputError",
    "UnreadableFileError",
    "MissingColumnError",
    "WorkbookError",
    "WorkbookLockedError",
    "UnsafeFileError",
    "Problem",
]


class KpiExcelError(Exception):
    """Base class of every error kpi_excel raises on purpose."""


class CellError(KpiExcelError, ValueError):
    """One cell's text cannot be read; the message says what was expected."""


class InputError(KpiExcelError):
    """Input an officer can fix, with the place it was found."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        indicator: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.sheet = sheet
        self.row = row
        self.column = column
        self.indicator = indicator
        super().__init__(self.__str__())

    def __str__(self) -> str:
        place = _place(self.source, self.sheet, self.row, self.column, self.indicator)
        return f"{place}: {self.message}" if place else self.message


class UnreadableFileError(InputError):
    """A file that cannot be read at all (missing, wrong format, corrupt)."""


class MissingColumnError(InputError):
    """A column the job needs is not in the header row."""


class WorkbookError(KpiExcelError):
    """A workbook that cannot be written safely; the original is untouched."""


class WorkbookLockedError(WorkbookError):
    """The workbook is open in Excel or read-only."""


class UnsafeFileError(WorkbookError):
    """A file that looks hostile or broken (zip bomb, bad XML)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell or row; it never stops the run."""

    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.column}: {self.message}" if self.column else self.message


def _place(
    source: str | None,
    sheet: str | None,
    row: int | None,
    column: str | None,
    indicator: str | None,
) -> str:
    parts = []
    if source:
        parts.append(source)
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if row is not None:
        parts.append(f"row {row}")
    if column:
        parts.append(f"column '{column}'")
    if indicator:
        parts.append(f"indicator '{indicator}'")
    return ", ".join(parts)
