"""Every error kpi_excel raises on purpose, and where it came from.

Every error derives from :class:`KpiExcelError`, so a door (the command, the
desktop add-in, the web add-in) catches one class and shows the message to an
officer. Errors carry what lets a person find the problem: a file, a sheet, a
row, a column, an indicator.

    KpiExcelError                    base: catch this to catch everything we raise
    ├── CellError                    one cell's text cannot be read (a period, a value,
    │                                a polarity, a target); also a ValueError
    ├── MissingExtraError            needs an optional extra that is not installed
    │                                (says: pip install "kpi-excel[server]")
    ├── InputError                   bad input an officer can fix; knows its place:
    │   │                            source, sheet, row, column, indicator
    │   ├── UnreadableFileError      a file that cannot be read at all
    │   │   └── NoSuchSheetError     the file has no sheet of the name asked for
    │   └── MissingColumnError       a required column is not there
    └── WorkbookError                a workbook we cannot safely read or write (path);
        │                            the original is always left as it was
        ├── WorkbookLockedError      open in Excel/LibreOffice (a lock file) or read-only
        ├── UnsafeFileError          a zip bomb, DTD/entities, encryption, odd zip entries
        ├── CorruptWorkbookError     not a readable Office Open XML package
        ├── UnsupportedWorkbookError valid, but a form we do not handle (Strict OOXML)
        └── SaveVerificationError    the freshly written file failed its own re-read
    PaperError                       a committee paper that cannot be written (no LibreOffice
                                     for a PDF, an output kind we do not write)

Problems found in single cells (an unreadable target, a suppressed value) are
not raised: they travel with the row as :class:`Problem` values, because one
bad row must never stop the rest of the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kpi_excel.ooxml.a1 import column_letter

__all__ = [
    "KpiExcelError",
    "CellError",
    "MissingExtraError",
    "InputError",
    "UnreadableFileError",
    "NoSuchSheetError",
    "MissingColumnError",
    "WorkbookError",
    "WorkbookLockedError",
    "UnsafeFileError",
    "CorruptWorkbookError",
    "UnsupportedWorkbookError",
    "SaveVerificationError",
    "PaperError",
    "Problem",
]


class KpiExcelError(Exception):
    """Base class of every error kpi_excel raises on purpose."""


class CellError(KpiExcelError, ValueError):
    """One cell's text cannot be read; the message says what was expected."""


class MissingExtraError(KpiExcelError):
    """``feature`` needs the optional ``extra`` (e.g. ``server``), which is not installed.

    The message is one line an administrator can act on:
    ``kpi-excel serve needs the server extra: pip install "kpi-excel[server]"``.
    """

    def __init__(self, feature: str, extra: str, missing: tuple[str, ...] = ()) -> None:
        self.feature, self.extra, self.missing = feature, extra, missing
        super().__init__(f'{feature} needs the {extra} extra: pip install "kpi-excel[{extra}]"')


class InputError(KpiExcelError, ValueError):
    """Input an officer can fix, with the place it was found.

    ``row`` is 1-based; ``column`` is a header text or a 1-based column number
    (shown as a letter).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: int | str | None = None,
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


class NoSuchSheetError(UnreadableFileError):
    """A workbook has no sheet of the name asked for (a reader may then try another)."""


class MissingColumnError(InputError):
    """A column the job needs is not in the header row."""


class WorkbookError(KpiExcelError):
    """A workbook that cannot be read or written safely; ``path`` says which."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path is not None else self.message


class WorkbookLockedError(WorkbookError):
    """The workbook is open in Excel or LibreOffice (a lock file), or read-only.

    ``lock_path`` is the lock file found beside the workbook, if that is the reason.
    """

    def __init__(
        self, message: str, *, path: str | Path | None = None, lock_path: str | Path | None = None
    ) -> None:
        self.lock_path = Path(lock_path) if lock_path is not None else None
        super().__init__(message, path=path)


class UnsafeFileError(WorkbookError):
    """A file that looks hostile or that we refuse to parse (zip bomb, DTD, encryption)."""


class CorruptWorkbookError(WorkbookError):
    """The file is not a readable Office Open XML package."""


class UnsupportedWorkbookError(WorkbookError):
    """The file is valid but uses a form this library does not handle."""


class SaveVerificationError(WorkbookError):
    """The file just written failed its re-read check; the original was left as it was."""


class PaperError(KpiExcelError):
    """A committee paper that cannot be written; the message says why, and nothing was written."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell or row; it never stops the run."""

    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.column}: {self.message}" if self.column else self.message


def _column_name(column: int | str) -> str:
    if isinstance(column, int):
        return f"column {column_letter(column)}"
    return f"column '{column}'"


def _place(
    source: str | None,
    sheet: str | None,
    row: int | None,
    column: int | str | None,
    indicator: str | None,
) -> str:
    parts = []
    if source:
        parts.append(source)
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None and column != "":
        parts.append(_column_name(column))
    if indicator:
        parts.append(f"indicator '{indicator}'")
    return ", ".join(parts)
