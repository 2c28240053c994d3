"""Leicestershire's statistical-neighbour averages, worked by hand.

Leicestershire's ten neighbours in sn_may_2025.xlsx (LA numbers 916, 803, 937,
802, 850, 865, 933, 938, 811, 891): Gloucestershire, South Gloucestershire,
Warwickshire, North Somerset, Hampshire, Wiltshire, Somerset, West Sussex, East
Riding of Yorkshire, Nottinghamshire. The values below are copied from
bds_long_0.parquet at each indicator's latest year; ``-`` is missing.
"""

from __future__ import annotations

import pytest

from kpi_excel.app.benchmark_table import pick_neighbours
from kpi_excel.core.benchmark import benchmark
from kpi_excel.sources.lait_files import read_neighbours

NEIGHBOURS = ["Gloucestershire", "South Gloucestershire", "Warwickshire", "North Somerset", "Hampshire",
              "Wiltshire", "Somerset", "West Sussex", "East Riding of Yorkshire", "Nottinghamshire"]

# indicator: (year, expected average, neighbours with a value) — sums done by hand.
BY_HAND = {
    # 3.9 + 2.7 + 2.2 + 2.8 + 3.5 + 2.5 + 3.8 + 2.2 + 3.5 + 1.5 = 28.6; / 10
    "16-17 NEET": ("2025", 2.86, 10),
    # 60.2 + 55.5 + 61.6 + 76.3 + 63.8 + 71.9 + 74.8 + 69.7 + 66.2 + 60.9 = 660.9; / 10
    "%_2yr_olds": ("2025", 66.09, 10),
    # Hampshire, Somerset, South Gloucestershire, Warwickshire are '-':
    # 57.62 + 57.92 + 56.72 + 59.46 + 49.84 + 46.87 = 328.43; / 6
    "6wksBreast": ("2024", 54.738333333333333, 6),
    # Hampshire is '-': 20.71 + 19.72 + 14.49 + 25.33 + 13.35 + 18.72 + 12.42 + 14.04 + 19.58 = 158.36; / 9
    "CINFixedExclusion": ("2024", 17.595555555555556, 9),
}


@pytest.fixture(scope="module")
def leicestershire(lait_dir, lait_data, lait_dictionary, lait_directory):
    lists = [read_neighbours(lait_dir / "sn_may_2025.xlsx", lait_directory),
             read_neighbours(lait_dir / "sn_april_2021.xlsx", lait_directory)]
    neighbours, labels = pick_neighbours(lists)
    out = benchmark(lait_data.values, lait_dictionary, lait_data.authorities, areas=["Leicestershire"],
                    neighbours=neighbours, neighbour_list=labels)
    return neighbours, out.set_index("indicator")


def test_leicestershire_neighbours_from_the_2025_list(leicestershire) -> None:
    neighbours, _ = leicestershire
    assert neighbours["Leicestershire"] == NEIGHBOURS


@pytest.mark.parametrize("indicator", sorted(BY_HAND))
def test_sn_average_by_hand(leicestershire, indicator: str) -> None:
    _, out = leicestershire
    year, expected, count = BY_HAND[indicator]
    row = out.loc[indicator]
    assert row["period"] == year
    assert row["sn_count"] == count
    assert row["sn_average"] == pytest.approx(expected, abs=1e-9)
    assert row["sn_list"] == "2025-05"


def test_no_neighbour_value_gives_no_average(leicestershire) -> None:
    _, out = leicestershire
    row = out.loc["LAC_SGO_Car_Rel%"]
    assert row["sn_count"] == 0 and row["sn_average"] != row["sn_average"]  # NaN


def test_older_list_is_used_when_the_newer_lacks_an_area(lait_dir, lait_directory) -> None:
    from kpi_excel.sources.lait_files import NeighbourList

    new = read_neighbours(lait_dir / "sn_may_2025.xlsx", lait_directory)
    old = read_neighbours(lait_dir / "sn_april_2021.xlsx", lait_directory)
    # Both DfE lists cover all 158 authorities; take Northamptonshire out of the newer one.
    trimmed = NeighbourList(new.label, {a: n for a, n in new.neighbours.items() if a != "Northamptonshire"},
                            new.source)
    neighbours, labels = pick_neighbours([old, trimmed])
    assert labels["Northamptonshire"] == "2021-04"
    assert neighbours["Northamptonshire"] == old.neighbours["Northamptonshire"]
    assert labels["Leicestershire"] == "2025-05"
    preferred, labels = pick_neighbours([old, new], prefer="2021")
    assert labels["Leicestershire"] == "2021-04"
    assert preferred["Leicestershire"] == old.neighbours["Leicestershire"] != new.neighbours["Leicestershire"]
