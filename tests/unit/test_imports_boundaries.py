"""Boundary layers: formats, reprojection, repair, simplification to the map budget, versions (gtec.imports)."""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gtec.core.auth import Actor
from gtec.core.errors import UserError
from gtec.imports import boundaries, layers
from gtec.imports.limits import ImportLimits

ADMIN = Actor("admin", "admin")
MAPPING = boundaries.BoundaryMapping("code", "nom")


def _grid(n: int, step: float = 5000.0, x0: float = 250000.0, y0: float = 6730000.0) -> list[shapely.Polygon]:
    return [
        shapely.box(x0 + i * step, y0 + j * step, x0 + (i + 1) * step, y0 + (j + 1) * step)
        for i in range(n)
        for j in range(n)
    ]


def _frame(geoms, crs="EPSG:2154") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": [f"Z{i:03d}" for i in range(len(geoms))], "nom": [f"Zone {i}" for i in range(len(geoms))]},
        geometry=geoms,
        crs=crs,
    )


def test_zipped_shapefile_in_lambert93_is_reprojected(tmp_path):
    shp = tmp_path / "shp"
    shp.mkdir()
    _frame(_grid(3)).to_file(shp / "zones.shp")
    archive = tmp_path / "zones.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.iterdir():
            zf.write(part, f"ZONES/{part.name}")
    info = boundaries.inspect_layer(archive, ImportLimits())
    assert info.driver == "ESRI Shapefile" and info.features == 9 and {"code", "nom"} <= set(info.fields)
    prepared = boundaries.prepare_layer(archive, MAPPING, ImportLimits())
    r = prepared.report
    assert r.ok and r.source_crs == "EPSG:2154" and r.features == 9
    minx, miny, maxx, maxy = r.bounds
    assert -3.6 < minx < maxx < -2.4 and 47.0 < miny < maxy < 47.8  # Morbihan
    assert prepared.codes[0] == "Z000" and prepared.names[0] == "Zone 0"


def test_invalid_polygon_is_repaired_and_reported(tmp_path):
    bowtie = shapely.Polygon([(-2.8, 47.6), (-2.7, 47.7), (-2.7, 47.6), (-2.8, 47.7), (-2.8, 47.6)])
    path = tmp_path / "bowtie.geojson"
    _frame([bowtie, shapely.box(-2.6, 47.6, -2.5, 47.7)], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    prepared = boundaries.prepare_layer(path, MAPPING, ImportLimits())
    assert prepared.report.ok and prepared.report.counts.get("repaired") == 1
    assert all(shapely.is_valid(g) and shapely.area(g) > 0 for g in prepared.geometries)


def test_a_heavy_coverage_is_simplified_to_the_budget_keeping_shared_borders(tmp_path):
    squares = _grid(6, step=0.05, x0=-3.0, y0=47.5)
    dense = [shapely.segmentize(g, 0.0005) for g in squares]  # ~400 vertices a side: 6 x 6 x 400 = 14,400+
    path = tmp_path / "dense.gpkg"
    _frame(dense, crs="EPSG:4326").to_file(path, driver="GPKG")
    limits = ImportLimits(layer_vertices=2000)
    prepared = boundaries.prepare_layer(path, MAPPING, limits)
    r = prepared.report
    assert r.vertices_in > 10_000 and r.vertices_out <= 2000 and r.counts.get("simplified") == 1 and r.ok
    geoms = prepared.geometries
    assert bool(shapely.coverage_is_valid(geoms))  # neighbours still share their borders: no gaps, no overlaps
    assert abs(shapely.area(shapely.union_all(geoms)) - 0.09) < 1e-3


def test_versions_changes_rollback_delete_and_reads(ws, tmp_path):
    first = tmp_path / "v1.geojson"
    _frame(_grid(2), crs="EPSG:2154").to_file(first, driver="GeoJSON")  # GDAL writes WGS84 GeoJSON
    data = first.read_bytes()
    info = boundaries.inspect_layer_bytes(data, "v1.geojson", ImportLimits())
    assert info.features == 4
    v1 = layers.commit_layer(
        ws, ADMIN, boundaries.prepare_layer_bytes(data, "v1.geojson", MAPPING, ImportLimits()), "Zones"
    )
    assert v1 == {"layer_id": "WS-LAYER-1", "version": 1, "features": 4}
    second = _frame(_grid(2), crs="EPSG:2154").iloc[1:].copy()
    second.loc[second["code"] == "Z001", "nom"] = "Zone renommée"
    second.loc[second.index[-1], "geometry"] = shapely.box(255000, 6735000, 258000, 6738000)
    path = tmp_path / "v2.gpkg"
    second.to_file(path, driver="GPKG")
    v2 = layers.commit_layer(ws, ADMIN, boundaries.prepare_layer(path, MAPPING, ImportLimits()), "zones")
    assert v2["version"] == 2 and v2["layer_id"] == "WS-LAYER-1"
    changes = layers.layer_changes(ws, "WS-LAYER-1").set_index("code")["change"].to_dict()
    assert changes == {"Z000": "removed", "Z001": "renamed", "Z003": "geometry"}
    gdf = layers.layer_features(ws, "WS-LAYER-1")
    assert list(gdf["territory_id"]) == ["WS-LAYER-1-Z001", "WS-LAYER-1-Z002", "WS-LAYER-1-Z003"]
    assert layers.parse_feature_ref("WS-LAYER-1-Z001") == ("WS-LAYER-1", "Z001")
    fc = layers.layer_geojson(ws, "WS-LAYER-1", 1)
    assert len(fc["features"]) == 4 and fc["features"][0]["geometry"]["type"] == "Polygon"
    assert layers.list_layers(ws)[0]["features"] == 3
    assert layers.rollback_layer(ws, ADMIN, "WS-LAYER-1") == 1
    assert len(layers.layer_features(ws, "WS-LAYER-1")) == 4
    assert layers.rollback_layer(ws, ADMIN, "WS-LAYER-1", 2) == 2
    with pytest.raises(UserError, match="no_version"):
        layers.rollback_layer(ws, ADMIN, "WS-LAYER-1", 5)
    with pytest.raises(UserError, match="confirm"):
        layers.delete_layer(ws, ADMIN, "WS-LAYER-1", "other")
    with pytest.raises(PermissionError):
        layers.delete_layer(ws, Actor("visitor", "reader"), "WS-LAYER-1", "Zones")
    layers.delete_layer(ws, ADMIN, "WS-LAYER-1", "ZONES")
    assert layers.list_layers(ws) == []
    with pytest.raises(UserError, match="no_layer"):
        layers.layer_id(ws, "Zones")
    audit = [e["action"] for e in ws.audit_entries()]
    assert audit[:4] == ["import.delete", "import.rollback", "import.rollback", "import.write"]


def test_lonlat_without_crs_is_accepted_with_a_warning(tmp_path):
    shp = tmp_path / "shp"
    shp.mkdir()
    _frame([shapely.box(-2.8, 47.6, -2.7, 47.7)], crs=None).to_file(shp / "z.shp")
    archive = tmp_path / "z.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp.iterdir():
            zf.write(part, part.name)
    prepared = boundaries.prepare_layer(archive, MAPPING, ImportLimits())
    assert prepared.report.ok and prepared.report.counts == {"no_crs": 1}
    assert np.allclose(prepared.report.bounds, [-2.8, 47.6, -2.7, 47.7])
