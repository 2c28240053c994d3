"""What the OOXML library raises on purpose: a small hierarchy of its own.

The library knows nothing of the application above it (as python-docx's
``docx.opc`` knows nothing of Word): an application maps these onto its own
errors where it calls the library (kpi_excel does it in ``kpi_excel.errors``).
Every message is one line a person can act on, naming the file, sheet, row or
column it is about.

    OoxmlError                       base: catch this to catch everything the library raises
    ├── OoxmlValueError              a value, name or reference that cannot go in a workbook
    │                                (also a ValueError); knows its sheet, row, column
    └── PackageError                 a package that cannot be read or written safely (path);
        │                            the file on disk is always left as it was
        ├── PackageLockedError       open in Excel/LibreOffice (a lock file) or read-only
        ├── UnsafePackageError       a zip bomb, DTD/entities, encryption, odd zip entries
        ├── CorruptPackageError      not a readable Office Open XML package
        ├── UnsupportedPackageError  valid, but a form the library does not handle (Strict OOXML)
        └── PackageVerificationError the freshly written file failed its own re-read
"""

from __future__ import annotations

from pathlib import Path

from kpi_excel.ooxml.a1 import column_letter

__all__ = [
    "OoxmlError",
    "OoxmlValueError",
    "PackageError",
    "PackageLockedError",
    "UnsafePackageError",
    "CorruptPackageError",
    "UnsupportedPackageError",
    "PackageVerificationError",
    "cell_place",
]


class OoxmlError(Exception):
    """Base class of every error the library raises on purpose."""


class OoxmlValueError(OoxmlError, ValueError):
    """A value, name or reference that cannot go in a workbook, with the place it was meant for.

    ``row`` is 1-based; ``column`` is a header text or a 1-based column number
    (shown as a letter).
    """

    def __init__(self, message: str, *, sheet: str | None = None, row: int | None = None,
                 column: int | str | None = None) -> None:
        self.message = message
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(self.__str__())

    def __str__(self) -> str:
        place = cell_place(self.sheet, self.row, self.column)
        return f"{place}: {self.message}" if place else self.message


class PackageError(OoxmlError):
    """A package that cannot be read or written safely; ``path`` says which."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path is not None else self.message


class PackageLockedError(PackageError):
    """The file is open in Excel or LibreOffice (a lock file), or read-only.

    ``lock_path`` is the lock file found beside it, if that is the reason.
    """

    def __init__(
        self, message: str, *, path: str | Path | None = None, lock_path: str | Path | None = None
    ) -> None:
        self.lock_path = Path(lock_path) if lock_path is not None else None
        super().__init__(message, path=path)


class UnsafePackageError(PackageError):
    """A file that looks hostile or that the library refuses to parse (zip bomb, DTD, encryption)."""


class CorruptPackageError(PackageError):
    """The file is not a readable Office Open XML package."""


class UnsupportedPackageError(PackageError):
    """The file is valid but uses a form this library does not handle."""


class PackageVerificationError(PackageError):
    """The file just written failed its re-read check; the original was left as it was."""


def cell_place(sheet: str | None, row: int | None, column: int | str | None) -> str:
    """``sheet 'KPIs', row 3, column C`` (the parts given), as every message names a place."""
    parts = []
    if sheet:
        parts.append(f"sheet '{sheet}'")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None and column != "":
        parts.append(f"column {column_letter(column)}" if isinstance(column, int) else f"column '{column}'")
    return ", ".join(parts)
