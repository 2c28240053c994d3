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

The OOXML library below (:mod:`kpi_excel.ooxml`) raises errors of its own
(:mod:`kpi_excel.ooxml.errors`), knowing nothing of officers. Each
:class:`WorkbookError` here *is* its library twin too (``CorruptWorkbookError``
is a ``CorruptPackageError``), sharing its message and ``path``, so the library's
``except PackageError`` treats ours alike. The other way, a library error becomes
ours in ONE place, :func:`officer_error`, applied by :func:`officer_errors` where
kpi_excel calls the library; ``except InputError`` and the doors' ``except
KpiExcelError`` above that never see a library class.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from kpi_excel.ooxml.errors import (CorruptPackageError, OoxmlError, OoxmlValueError, PackageError,
                                    PackageLockedError, PackageVerificationError, UnsafePackageError,
                                    UnsupportedPackageError, cell_place)

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
    "officer_error",
    "officer_errors",
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


class WorkbookError(KpiExcelError, PackageError):
    """A workbook that cannot be read or written safely; ``path`` says which (message and
    ``path`` as the library's :class:`~kpi_excel.ooxml.errors.PackageError`)."""


class WorkbookLockedError(WorkbookError, PackageLockedError):
    """The workbook is open in Excel or LibreOffice (a lock file), or read-only.

    ``lock_path`` is the lock file found beside the workbook, if that is the reason.
    """


class UnsafeFileError(WorkbookError, UnsafePackageError):
    """A file that looks hostile or that we refuse to parse (zip bomb, DTD, encryption)."""


class CorruptWorkbookError(WorkbookError, CorruptPackageError):
    """The file is not a readable Office Open XML package."""


class UnsupportedWorkbookError(WorkbookError, UnsupportedPackageError):
    """The file is valid but uses a form this library does not handle."""


class SaveVerificationError(WorkbookError, PackageVerificationError):
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


def _place(
    source: str | None,
    sheet: str | None,
    row: int | None,
    column: int | str | None,
    indicator: str | None,
) -> str:
    parts = [source or "", cell_place(sheet, row, column), f"indicator '{indicator}'" if indicator else ""]
    return ", ".join(part for part in parts if part)


# The library's package errors and ours, most particular first.
_WORKBOOK_TWINS: tuple[tuple[type[PackageError], type[WorkbookError]], ...] = (
    (UnsafePackageError, UnsafeFileError),
    (CorruptPackageError, CorruptWorkbookError),
    (UnsupportedPackageError, UnsupportedWorkbookError),
    (PackageVerificationError, SaveVerificationError),
    (PackageError, WorkbookError),
)


def officer_error(error: OoxmlError) -> KpiExcelError:
    """The error of ours that says what the library's ``error`` says, in the same words.

    The one place library errors become officer errors: a value the library
    refuses is an :class:`InputError` at the same sheet, row and column; a
    package it cannot read or write is the :class:`WorkbookError` of its kind.
    """
    if isinstance(error, KpiExcelError):
        return error
    if isinstance(error, OoxmlValueError):
        return InputError(error.message, sheet=error.sheet, row=error.row, column=error.column)
    if isinstance(error, PackageLockedError):
        return WorkbookLockedError(error.message, path=error.path, lock_path=error.lock_path)
    if isinstance(error, PackageError):
        ours = next(twin for library, twin in _WORKBOOK_TWINS if isinstance(error, library))
        return ours(error.message, path=error.path)
    return KpiExcelError(str(error))  # a kind the library may add: still one line, never a traceback


@contextlib.contextmanager
def officer_errors() -> Iterator[None]:
    """Library errors raised inside come out as ours (:func:`officer_error`); also a decorator.

    Used where kpi_excel calls :mod:`kpi_excel.ooxml` (the file door, the xlsx
    source, the report files, the paper), so nothing above sees a library class.
    """
    try:
        yield
    except OoxmlError as error:
        if isinstance(error, KpiExcelError):
            raise
        raise officer_error(error) from error
