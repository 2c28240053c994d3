"""Shared test helpers: where the shared data lives, and a CLI runner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = REPO.parent / "shared"
EXCEL_MADE = SHARED / "data" / "excel-made"
LAIT = SHARED / "data" / "lait"

sys.path.insert(0, str(TESTS))  # for seed_table


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture
def seed_tsv(tmp_path: Path) -> Path:
    from seed_table import write_seed_tsv

    return write_seed_tsv(tmp_path / "seed_2022_23.tsv")
