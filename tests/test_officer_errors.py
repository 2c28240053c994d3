"""The OOXML library's errors become the officer's in one place, in the same words.

kpi_excel/ooxml raises its own hierarchy (kpi_excel.ooxml.errors); kpi_excel.errors'
classes build on it, and officer_error / officer_errors turn a library error into
ours where kpi_excel calls the library (docs/architecture.md, "Errors").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_excel.app.report_files import refresh_report
from kpi_excel.cli import main
from kpi_excel.errors import (CorruptWorkbookError, InputError, KpiExcelError, SaveVerificationError,
                              UnsafeFileError, UnsupportedWorkbookError, WorkbookError, WorkbookLockedError,
                              officer_error, officer_errors)
from kpi_excel.ooxml import XlsxPackage
from kpi_excel.ooxml.errors import (CorruptPackageError, OoxmlError, OoxmlValueError, PackageError,
                                    PackageLockedError, PackageVerificationError, UnsafePackageError,
                                    UnsupportedPackageError)

TWINS = [
    (UnsafePackageError, UnsafeFileError),
    (CorruptPackageError, CorruptWorkbookError),
    (UnsupportedPackageError, UnsupportedWorkbookError),
    (PackageVerificationError, SaveVerificationError),
    (PackageError, WorkbookError),
]


@pytest.mark.parametrize(("library", "ours"), TWINS)
def test_a_package_error_becomes_its_twin_with_the_same_words(library: type, ours: type) -> None:
    error = library("not a zip package (bad magic)", path="report.xlsx")
    officer = officer_error(error)
    assert type(officer) is ours and isinstance(officer, library)  # ours is the library's kind too
    assert str(officer) == str(error) == "report.xlsx: not a zip package (bad magic)"
    assert officer.path == Path("report.xlsx") and officer.message == error.message


def test_a_locked_package_keeps_its_lock_file() -> None:
    officer = officer_error(PackageLockedError("open in Excel", path="a.xlsx", lock_path="~$a.xlsx"))
    assert type(officer) is WorkbookLockedError and officer.lock_path == Path("~$a.xlsx")
    assert str(officer) == "a.xlsx: open in Excel"


def test_a_refused_value_becomes_an_input_error_at_the_same_place() -> None:
    error = OoxmlValueError("cannot write a list to a cell", sheet="KPIs", row=3, column=28)
    officer = officer_error(error)
    assert type(officer) is InputError and isinstance(officer, ValueError)
    assert str(officer) == str(error) == "sheet 'KPIs', row 3, column AB: cannot write a list to a cell"
    assert (officer.sheet, officer.row, officer.column) == ("KPIs", 3, 28)


def test_officer_errors_lets_ours_through_and_translates_the_library_s() -> None:
    ours = CorruptWorkbookError("raised by kpi_excel itself", path="x.xlsx")
    with pytest.raises(CorruptWorkbookError) as caught, officer_errors():
        raise ours
    assert caught.value is ours
    with pytest.raises(InputError, match="^sheet 'S': bad name$") as caught, officer_errors():
        raise OoxmlValueError("bad name", sheet="S")
    assert isinstance(caught.value.__cause__, OoxmlValueError)


def test_the_library_alone_raises_only_its_own(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorruptPackageError) as caught:
        XlsxPackage.open(broken)
    assert not isinstance(caught.value, KpiExcelError) and isinstance(caught.value, OoxmlError)


def test_a_refresh_meets_the_officer_s_error_and_the_command_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorruptWorkbookError) as caught:
        refresh_report(broken)
    assert str(caught.value).startswith(f"{broken}: not a zip package (")
    done = CliRunner().invoke(main, ["refresh", str(broken)])
    assert done.exit_code == 1
    assert f"kpi-excel: {broken}: not a zip package (" in " ".join(done.output.split())
