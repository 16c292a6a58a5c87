"""AppTest of the shared territory picker (screens review P7, S11): a new level opens a related territory."""

from __future__ import annotations

import pytest


def _picker(at):
    level = next(s for s in at.selectbox if s.key == "territory_level")
    return level, next(s for s in at.selectbox if s.key == f"territory_select_{level.value}")


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("departement", "FR-DEP-56"),  # was "Ain"
        ("region", "FR-REG-53"),  # was "Auvergne-Rhône-Alpes"
        ("epci", "FR-EPCI-200067932"),  # the basin's largest member, was "Agglomération du Grand Longwy"
        ("zone_emploi", "FR-ZE-5318"),  # the zone d'emploi that covers most of the basin
    ],
)
def test_changing_level_from_the_partner_basin_opens_a_related_territory(open_page, level, expected):
    at = open_page("pages/portrait.py")
    assert _picker(at)[1].value == "FR-BASIN-VANNES"
    _picker(at)[0].select(level).run()
    assert not at.exception
    assert _picker(at)[1].value == expected
    assert at.query_params["territory"] in (expected, [expected])


def test_going_back_down_a_level_follows_the_current_territory(open_page):
    at = open_page("pages/portrait.py")
    _picker(at)[0].select("region").run()
    _picker(at)[1].select("FR-REG-28").run()  # Normandie
    _picker(at)[0].select("departement").run()
    dep = _picker(at)[1].value
    assert dep.startswith("FR-DEP-") and dep[len("FR-DEP-") :] in {"14", "27", "50", "61", "76"}


def test_scenarios_level_change_keeps_a_related_territory(open_page):
    """Review S11: the scenarios page uses the same picker."""
    at = open_page("pages/scenarios.py")
    _picker(at)[0].select("departement").run()
    assert not at.exception
    assert _picker(at)[1].value == "FR-DEP-56"
