"""Imported boundary layers used as territories: map level, aggregated values, portrait picker, scenario base.

The layer is two zones made from the real commune geometry of the reference store (the communes of two EPCIs),
imported through :mod:`gtec.imports.boundaries` like a file from the Import page.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from gtec.core.auth import Actor
from gtec.imports import boundaries, layers, zones
from gtec.imports.limits import ImportLimits
from gtec.maps import queries
from gtec.scenarios import loader
from gtec.storage.overlay import apply_overlay
from gtec.storage.reference import connect_reference
from gtec.territories import custom, indicators

ADMIN = Actor("admin", "admin")
EPCIS = ("FR-EPCI-200067932", "FR-EPCI-245614383")  # Golfe du Morbihan - Vannes agglomération, Questembert Communauté


def _communes(ref, epci: str) -> list[str]:
    return [r[0] for r in ref.execute("SELECT id FROM territories WHERE level = 'commune' AND parent_id = ?", (epci,))]


def zones_geojson(ref, tmp_path):
    geoms, codes, names = [], [], []
    for i, epci in enumerate(EPCIS):
        ids = _communes(ref, epci)
        rows = ref.execute(
            "SELECT geojson FROM geometries WHERE resolution = 'detail'"
            f" AND territory_id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        geoms.append(shapely.union_all(shapely.from_geojson([r[0] for r in rows])).buffer(0))
        codes.append(f"Z{i + 1}")
        names.append(f"Zone <b>{i + 1}</b>")
    path = tmp_path / "zones.geojson"
    gpd.GeoDataFrame({"code": codes, "nom": names}, geometry=geoms, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def import_zones(ws, ref, tmp_path) -> str:
    prepared = boundaries.prepare_layer(zones_geojson(ref, tmp_path), boundaries.BoundaryMapping("code", "nom"),
                                        ImportLimits())  # fmt: skip
    assert prepared.report.ok
    return layers.commit_layer(ws, ADMIN, prepared, "Bassins d'étude")["layer_id"]


@pytest.fixture
def shown(built_data_dir, ws, tmp_path):
    ref = connect_reference()
    layer = import_zones(ws, ref, tmp_path)
    apply_overlay(ref, (), (), ())
    assert zones.show_layers(ws, ref) == 2
    yield ws, ref, layer
    ref.close()


def test_zone_members_are_the_communes_inside_it(built_data_dir, ws, tmp_path):
    ref = connect_reference()
    layer = import_zones(ws, ref, tmp_path)
    members = zones.assign_communes(ref, layers.layer_features(ws, layer))
    for i, epci in enumerate(EPCIS):
        got = set(members[f"{layer}-Z{i + 1}"])
        want = set(_communes(ref, epci))
        # simplification to the map budget may move a border commune; nearly all must be found, none twice
        assert len(got & want) >= 0.9 * len(want) and len(got - want) <= 0.1 * len(want)
    assert not set(members[f"{layer}-Z1"]) & set(members[f"{layer}-Z2"])


def test_map_level_lists_zones_with_aggregated_values(shown):
    ws, ref, layer = shown
    assert zones.level_names(ws) == {layer: "Bassins d'étude"}
    inds = queries.indicators_for_level(ref, layer)
    assert "population" in inds
    year = queries.years_for(ref, "population", layer)[-1]
    table = queries.level_table(ref, "population", year, layer)
    assert list(table["territory_id"]) == [f"{layer}-Z1", f"{layer}-Z2"]
    members = {r[1]: [] for r in ref.execute("SELECT 1, parent_id FROM memberships WHERE parent_id LIKE 'WS-LAYER-%'")}
    for parent, child in ref.execute("SELECT parent_id, child_id FROM memberships WHERE parent_id LIKE 'WS-LAYER-%'"):
        members[parent].append(child)
    for tid in table["territory_id"]:
        own = custom.aggregate_values(ref, members[tid], ["population"], [year])
        value = table.loc[table["territory_id"] == tid, "value"].iloc[0]
        assert value == pytest.approx(float(own["value"].iloc[0])) and value > 10000
    # every commune of each EPCI found its zone: the zones' populations are the EPCIs' own (census sums)
    for i, epci in enumerate(EPCIS):
        own = ref.execute(
            "SELECT value FROM indicator_values WHERE territory_id = ? AND indicator_id = 'population' AND year = ?",
            (epci, year),
        ).fetchone()
        if own is not None:
            assert table["value"].iloc[i] == pytest.approx(own[0])
    # status: the weakest of the inputs and "imported"; the source names the imported boundaries
    assert set(table["status"]) <= {"imported", "illustrative"} and "imported" in set(table["status"])
    sid = table["source_id"].iloc[0]
    title = ref.execute("SELECT title_fr FROM sources WHERE id = ?", (sid,)).fetchone()[0]
    assert "Bassins d'étude" in title
    # a weighted mean follows its weight: the zone's rate lies between its communes' rates
    if "unemployment_rate" in inds:
        yr = queries.years_for(ref, "unemployment_rate", layer)[-1]
        rates = queries.level_table(ref, "unemployment_rate", yr, layer)
        assert rates["value"].notna().any()
    geo = ref.execute("SELECT COUNT(*) FROM geometries WHERE territory_id LIKE ?", (f"{layer}-%",)).fetchone()[0]
    assert geo == 4  # national and detail of each zone


def test_portrait_picker_and_portrait_offer_the_zones(shown):
    _ws, ref, layer = shown
    listed = indicators.list_territories(ref, (layer,))
    assert set(listed["id"]) == {f"{layer}-Z1", f"{layer}-Z2"}
    assert listed["name"].iloc[0] == "Zone <b>1</b>"  # text from a file: kept as data, escaped where shown
    terr = indicators.get_territory(ref, f"{layer}-Z1")
    assert terr["level"] == layer and terr["parent_id"] == "FR"
    portrait = indicators.portrait(ref, f"{layer}-Z1")
    assert not portrait.empty and portrait["value"].notna().any()


def test_scenario_loader_builds_a_base_for_the_zones(shown):
    _ws, ref, layer = shown
    base = loader.load_base(ref)
    picked = base.territories.loc[base.territories["level"] == layer]
    assert set(picked["id"]) == {f"{layer}-Z1", f"{layer}-Z2"}
    shares = base.members.loc[base.members["parent_id"] == f"{layer}-Z1"]
    assert EPCIS[0] in set(shares["child_id"])
    assert shares.loc[shares["child_id"] == EPCIS[0], "share"].iloc[0] > 0.9
    inputs = base.territory_inputs(f"{layer}-Z1")
    assert inputs is not None


def test_without_layers_nothing_is_added(built_data_dir, ws):
    ref = connect_reference()
    apply_overlay(ref, (), (), ())
    assert zones.show_layers(ws, ref) == 0
    assert ref.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'territories'").fetchone() is None
    assert isinstance(zones.stamp(ws), str) and zones.stamp(ws) == "L0.0.0"
    ref.close()
