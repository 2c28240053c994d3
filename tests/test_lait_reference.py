"""Our benchmark against LAIT's rules run in R (tests/lait_reference/), for every
authority and every High/Low indicator at its latest year: 48,664 results.

The R output is committed (lait_reference.csv.gz), so this needs no R; with
``Rscript`` on the machine the last test also rebuilds it and checks the
committed file is what the script gives.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from kpi_excel.core.benchmark import benchmark

REFERENCE_DIR = Path(__file__).parent / "lait_reference"
REFERENCE = REFERENCE_DIR / "lait_reference.csv.gz"
REQUIRED = 0.999


@pytest.fixture(scope="module")
def ours(lait_data, lait_dictionary) -> pd.DataFrame:
    return benchmark(lait_data.values, lait_dictionary, lait_data.authorities)


def _compare(reference: pd.DataFrame, ours: pd.DataFrame) -> pd.DataFrame:
    mine = ours[["indicator", "area", "period", "band", "rank"]].astype(object)
    mine["rank"] = ours["rank"].astype("Int64").astype(str).replace("<NA>", "")
    joined = reference.merge(mine, on=["indicator", "area"], how="left", suffixes=("_r", ""))
    joined = joined.fillna("")
    return joined


def test_reference_has_every_result() -> None:
    reference = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    assert len(reference) == 48_664
    assert reference["area"].nunique() == 158 and reference["indicator"].nunique() == 308


def test_bands_and_ranks_agree_with_lait_in_r(ours: pd.DataFrame) -> None:
    reference = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    joined = _compare(reference, ours)
    same_period = joined["period_r"] == joined["period"]
    same_band = joined["band_r"] == joined["band"]
    same_rank = joined["rank_r"] == joined["rank"]
    both = same_period & same_band & same_rank
    agreement = both.mean()
    print(f"\nagreement with LAIT's rules in R: {both.sum():,} of {len(joined):,} ({agreement:.4%}); "
          f"bands {same_band.mean():.4%}, ranks {same_rank.mean():.4%}, periods {same_period.mean():.4%}")
    if not both.all():
        print(joined[~both].head(40).to_string())
    assert agreement >= REQUIRED


def test_quartile_numbers_follow_bands(ours: pd.DataFrame) -> None:
    letters = ours["band"].astype(str)
    banded = letters.isin(list("ABCD"))
    assert (ours.loc[banded, "quartile"].astype(int) == letters[banded].map("ABCD".index) + 1).all()
    assert ours.loc[~banded, "quartile"].isna().all()


@pytest.mark.slow
def test_committed_reference_is_what_the_r_script_gives(lait_dir: Path, tmp_path: Path) -> None:
    if shutil.which("Rscript") is None:
        if os.environ.get("CI", "").lower() == "true":  # .ci/run installs it: missing there is a failure
            pytest.fail("Rscript not installed (CI=true: .ci/run installs r-base-core)")
        pytest.skip("Rscript not installed (apt-get install -y r-base-core)")
    sys.path.insert(0, str(REFERENCE_DIR))
    try:
        from make_reference import run_r
    finally:
        sys.path.pop(0)
    fresh, summary = run_r(lait_dir, tmp_path)
    assert "48664 results" in summary
    with gzip.open(REFERENCE, "rb") as committed:
        assert fresh.read_bytes() == committed.read()
