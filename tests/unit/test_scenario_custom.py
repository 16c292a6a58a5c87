"""A saved custom territory made of EPCIs is offered on the scenario page and equals the sum of its parts."""

import numpy as np

from gtec.scenarios import engine, loader, params
from gtec.storage import reference


def test_custom_territory_is_the_sum_of_its_epcis(built_data_dir):
    base = loader.load_base(reference.connect_reference())
    a, b = "FR-EPCI-200067932", "FR-EPCI-245614383"
    extended = loader.with_custom(base, [("WS-1", "Vannes + Questembert", [a, b, "FR-EPCI-000000000"])])
    assert extended.level("WS-1") == "custom" and extended.name("WS-1") == "Vannes + Questembert"
    assert extended.coverage("WS-1") == (2, 2)  # the unknown id is dropped, not counted as missing data
    settings = params.Settings.default(2030)
    both = engine.compute(extended.territory_inputs("WS-1").collapse("WS-1"), settings)
    parts = [engine.compute(base.territory_inputs(x).collapse(x), settings) for x in (a, b)]
    np.testing.assert_allclose(both.openings, parts[0].openings + parts[1].openings, rtol=1e-9)
    np.testing.assert_allclose(both.imbalance, parts[0].imbalance + parts[1].imbalance, rtol=1e-9)
    # the original base is untouched (it is cached and shared between sessions)
    assert base.level("WS-1") is None


def test_custom_without_known_epci_is_left_out(built_data_dir):
    base = loader.load_base(reference.connect_reference())
    assert loader.with_custom(base, [("WS-9", "Nowhere", ["FR-EPCI-000000000"])]) is base


def test_zones_d_emploi_and_bmo_bassins_are_scenario_territories(built_data_dir):
    """Each EPCI counts in a zone by the share of its population living there; the zones of a level add up."""
    base = loader.load_base(reference.connect_reference())
    levels = set(base.territories["level"])
    assert {"zone_emploi", "bmo_bassin"} <= levels
    settings = params.Settings.default(2030)
    vannes_ze = engine.compute(base.territory_inputs("FR-ZE-5318").collapse("FR-ZE-5318"), settings)
    basin = engine.compute(base.territory_inputs("FR-BASIN-VANNES").collapse("FR-BASIN-VANNES"), settings)
    # the zone d'emploi holds 96.9 % of the basin's population and a little more around it: same order of size
    assert 0.9 < vannes_ze.openings.sum() / basin.openings.sum() < 1.15
    shares = base.members.loc[base.members["parent_id"].str.startswith("FR-ZE-")].groupby("child_id")["share"].sum()
    assert np.allclose(shares.clip(upper=1.0), shares) and (shares > 0.99).mean() > 0.95  # each EPCI split whole
