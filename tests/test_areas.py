"""Authority names as they are written in the wild, resolved to LAIT's."""

from __future__ import annotations

import pytest

from kpi_excel.core.areas import AreaError, normalise_area
from kpi_excel.sources.lait_files import load_directory


@pytest.fixture(scope="module")
def directory():
    return load_directory()


@pytest.mark.parametrize("written, canonical", [
    ("Bristol, City of", "Bristol, City of"),
    ("City of Bristol", "Bristol, City of"),
    ("Bristol", "Bristol, City of"),
    ("Bristol City Council", "Bristol, City of"),
    ("Kingston Upon Hull, City of", "Kingston Upon Hull, City of"),
    ("kingston upon hull", "Kingston Upon Hull, City of"),
    ("Hull", "Kingston Upon Hull, City of"),
    ("St. Helens", "St. Helens"),
    ("St Helens", "St. Helens"),
    ("Saint Helens", "St. Helens"),
    ("  LEICESTERSHIRE ", "Leicestershire"),
    ("Leicestershire County Council", "Leicestershire"),
    ("Leicester City Council", "Leicester"),
    ("Telford & Wrekin", "Telford and Wrekin"),
    ("County Durham", "Durham"),
    ("Southend on Sea", "Southend-on-Sea"),
    ("London Borough of Camden", "Camden"),
    ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea"),
    ("855", "Leicestershire"),
    ("City of London", "City of London"),
    ("London", "London"),
    ("Inner London", "London (Inner)"),
    ("Yorkshire and The Humber", "Yorkshire and the Humber"),
    ("England", "England"),
])
def test_variants(directory, written: str, canonical: str) -> None:
    assert directory.find(written) == canonical


def test_regions_and_types(directory) -> None:
    assert directory.region_of("Barnet") == "London (Outer)"  # the code list says "Outer London"
    assert directory.region_of("Barnsley") == "Yorkshire and the Humber"
    assert directory.areas["Leicestershire"].kind == "SC"
    assert not directory.areas["East Midlands"].is_authority
    assert len(directory.authorities) == 158


def test_ambiguous_and_unknown(directory) -> None:
    with pytest.raises(AreaError, match="could be any of Bournemouth"):
        directory.resolve("Bournemouth", lenient=True)
    with pytest.raises(AreaError, match="did you mean .*Leicestershire"):
        directory.resolve("Leicestershre")
    assert directory.find("Atlantis") is None
    assert directory.resolve("leicesters", lenient=True) == "Leicestershire"


def test_normalise() -> None:
    assert normalise_area("St. Helens") == "st helens"
    assert normalise_area("Bournemouth (Pre LG)") == "bournemouth (pre lg)"
