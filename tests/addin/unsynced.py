"""Addresses of workbooks on SharePoint/OneDrive that are not synced to the PC, and a PC that syncs nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest
import xlwings
import xlwings.utils

SITES = "https://council.sharepoint.com/sites/Performance/Shared Documents/KPI report.xlsx"
TEAMS = "https://council.sharepoint.com/teams/Performance/Shared Documents/KPI report.xlsx"
PERSONAL = "https://council-my.sharepoint.com/personal/zoe_bronte_council_gov_uk/Documents/KPI report.xlsx"
ADDRESSES = pytest.mark.parametrize("url", [SITES, TEAMS, PERSONAL], ids=["sites", "teams", "personal"])


@pytest.fixture()
def clean_xlwings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """No OneDrive variables, no ~/.xlwings config, nothing cached; yields sys.path, put back after."""
    for name in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(tmp_path / "no-such" / "xlwings.conf"))
    xlwings.utils.fullname_url_to_local_path.cache_clear()
    before = list(sys.path)
    yield before
    sys.path[:] = before
    xlwings.utils.fullname_url_to_local_path.cache_clear()
