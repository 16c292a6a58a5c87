"""Which territory a level change opens (screens review P7, S11): related, never the alphabet's first."""

from __future__ import annotations

import pandas as pd

from gtec.territories.related import HIERARCHY_COLUMNS, overlapping_ids, related_territory

ROWS = [
    ("FR", "country", "FR", None, None, None, 68_000_000),
    ("FR-REG-53", "region", "FR", "FR", None, "FR-REG-53", 3_300_000),
    ("FR-REG-84", "region", "FR", "FR", None, "FR-REG-84", 8_000_000),
    ("FR-DEP-01", "departement", "FR", "FR-REG-84", "FR-DEP-01", "FR-REG-84", 650_000),
    ("FR-DEP-35", "departement", "FR", "FR-REG-53", "FR-DEP-35", "FR-REG-53", 1_100_000),
    ("FR-DEP-56", "departement", "FR", "FR-REG-53", "FR-DEP-56", "FR-REG-53", 750_000),
    ("FR-EPCI-A", "epci", "FR", "FR-DEP-56", "FR-DEP-56", "FR-REG-53", 205_000),
    ("FR-EPCI-B", "epci", "FR", "FR-DEP-56", "FR-DEP-56", "FR-REG-53", 168_000),
    ("FR-EPCI-C", "epci", "FR", "FR-DEP-01", "FR-DEP-01", "FR-REG-84", 20_000),
    ("FR-BASIN-VANNES", "basin", "FR", "FR-REG-53", "FR-DEP-56", "FR-REG-53", 219_000),
    ("UK", "country", "UK", None, None, None, 67_000_000),
    ("UK-TLC", "uk_itl1", "UK", "UK", None, None, 2_600_000),
]
H = pd.DataFrame(ROWS, columns=list(HIERARCHY_COLUMNS))


def test_up_a_level_opens_what_contains_it():
    deps = ["FR-DEP-01", "FR-DEP-35", "FR-DEP-56"]
    assert related_territory(H, "FR-BASIN-VANNES", deps) == "FR-DEP-56"
    assert related_territory(H, "FR-EPCI-A", ["FR-REG-53", "FR-REG-84"]) == "FR-REG-53"
    assert related_territory(H, "UK-TLC", ["FR", "UK"]) == "UK"


def test_down_a_level_opens_a_member_then_the_largest_neighbour():
    epcis = ["FR-EPCI-A", "FR-EPCI-B", "FR-EPCI-C"]
    assert related_territory(H, "FR-BASIN-VANNES", epcis, members=["FR-EPCI-B"]) == "FR-EPCI-B"
    assert related_territory(H, "FR-BASIN-VANNES", epcis) == "FR-EPCI-A"  # same département, most populated
    assert related_territory(H, "FR-REG-53", ["FR-DEP-01", "FR-DEP-35", "FR-DEP-56"]) == "FR-DEP-35"


def test_unrelated_levels_open_the_partner_territory_and_overlaps_come_first():
    assert related_territory(H, "UK-TLC", ["FR-BASIN-VANNES"], default="FR-BASIN-VANNES") == "FR-BASIN-VANNES"
    assert related_territory(H, "FR", ["FR-EPCI-C", "FR-EPCI-A"], default="nope") == "FR-EPCI-A"
    overlaps = pd.DataFrame({"basin_id": ["FR-BASIN-VANNES"], "zone_id": ["FR-EPCI-B"], "population_share": [97.0]})
    near = overlapping_ids(overlaps, "FR-BASIN-VANNES")
    assert related_territory(H, "FR-BASIN-VANNES", ["FR-EPCI-A", "FR-EPCI-B"], overlapping=near) == "FR-EPCI-B"
    assert related_territory(H, "WS-1", ["FR-DEP-01", "FR-DEP-56"], members=["FR-EPCI-A"]) == "FR-DEP-56"
    assert related_territory(H, "FR", []) is None
