"""read_percent_entries looks one by one only at indicators with something to settle or name;
the others' rows come back as they were, and the answers are those of looking at every one."""

import numpy as np
import pandas as pd

from kpi_excel.core.percent_entry import read_percent_entries


def _frame(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame({"code": [r[0] for r in rows], "value": [r[1] for r in rows],
                         "shown": [r[2] for r in rows], "source": ["Data sheet"] * len(rows),
                         "row": list(range(2, len(rows) + 2))})


def test_only_indicators_with_a_fraction_or_a_count_are_settled_or_named():
    frame = _frame([
        ("CALM", 55.0, "55%"), ("FRAC", 61.0, "61%"), ("CALM", 57.5, "57.5%"), ("FRAC", 0.63, "0.63"),
        ("COUNT", 40.0, "40%"), ("COUNT", 4100.0, "4100%"), ("CALM", np.nan, ""), ("EDGE", 1.0, "1"),
        ("EDGE", 0.0, "0"), ("NEG", -0.5, "-0.5"),
    ])
    read = read_percent_entries(frame, {"CALM": 50.0, "FRAC": None, "COUNT": None, "EDGE": None, "NEG": 50.0})
    values = read.frame["value"].tolist()
    assert values[3] == 63.0 and read.frame["shown"][3] == "63%"  # FRAC's fraction read as points
    assert values[:3] == [55.0, 61.0, 57.5] and values[4:6] == [40.0, 4100.0]
    assert np.isnan(values[6]) and values[7:] == [1.0, 0.0, -0.5]
    assert [code for code, _, _ in read.problems] == ["COUNT", "EDGE"]  # the count named; EDGE's 1 unsure
    assert "far from this indicator's usual level" in read.problems[0][2]


def test_nothing_to_settle_leaves_every_value():
    frame = _frame([("A", 55.0, "55%"), ("A", 56.0, "56%"), ("B", 2.0, "2"), ("B", 100.0, "100%")])
    read = read_percent_entries(frame, {"A": 50.0, "B": None})
    assert read.frame["value"].tolist() == [55.0, 56.0, 2.0, 100.0]
    assert read.frame["shown"].tolist() == ["55%", "56%", "2", "100%"]
    assert read.problems == ()
