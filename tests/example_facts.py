"""Facts about the bundled example report that tests compare against, read from its own data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

EXAMPLE_DATA = Path(__file__).resolve().parents[1] / "kpi_excel" / "data" / "example"

# Every indicator of the example report (one KPIs row each).
EXAMPLE_INDICATORS = len(pd.read_csv(EXAMPLE_DATA / "indicators.csv"))
