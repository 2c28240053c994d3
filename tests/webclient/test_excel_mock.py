"""excel_mock.mjs keeps Office.js' rules: it is what makes tests/webclient honest."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.webclient.client import node_path

HERE = Path(__file__).resolve().parent

if node_path() is None:
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError("node is not installed: CI must have it (tests/webclient drives the real web client)")
    pytest.skip("node is not installed: the in-memory Excel runs in Node", allow_module_level=True)


@pytest.fixture(scope="module")
def results() -> dict[str, str]:
    proc = subprocess.run([str(node_path()), str(HERE / "mock_selftest.mjs")], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout)


CHECKS = [
    "reading before load and sync throws PropertyNotLoaded",
    "writes are queued and applied in order at sync",
    "every sync is counted with its request and response sizes",
    "a failing operation rejects the sync, keeps earlier ones and drops later ones",
    "OrNullObject: isNullObject after sync",
    "values semantics: empty, numbers, dates, apostrophe, typed strings, formulas",
    "matrix setters: exact size, a single value or a 1x1 matrix; else InvalidArgument",
    "worksheets: add at the end, position, delete, names quoted as Excel quotes them",
    "used range, indexes, formats, conditional formats",
    "tables and charts",
    "application, selection, unknown setters",
    "getSurroundingRegion is the current region",
    "a range on a deleted sheet is an invalid reference",
]


def test_every_check_is_listed(results: dict[str, str]) -> None:
    assert sorted(results) == sorted(CHECKS)


@pytest.mark.parametrize("check", CHECKS)
def test_mock(check: str, results: dict[str, str]) -> None:
    assert results[check] == "ok", results[check]
