"""Fixtures for the XLSX writer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ooxml.helpers import EXCEL_MADE, writable_copy
from tests.ooxml.officer import build_officer_workbook


@pytest.fixture(scope="session")
def officer_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The officer-style workbook (read-only master copy; use ``copy_of``)."""
    path = build_officer_workbook(tmp_path_factory.mktemp("officer") / "officer.xlsx")
    path.chmod(0o444)
    return path


@pytest.fixture
def copy_of(tmp_path: Path):
    """``copy_of(path_or_fixture_name)`` -> a writable copy in this test's folder."""

    def make(src: Path | str, name: str | None = None) -> Path:
        source = Path(src) if isinstance(src, Path) else EXCEL_MADE / src
        return writable_copy(source, tmp_path, name)

    return make
