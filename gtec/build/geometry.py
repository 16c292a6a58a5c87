"""Shapely coverage helpers of the geography build: validity, exact coverages on a grid, gaps and holes, simplification.

Pure functions over arrays of shapely geometries (WGS84 lon/lat); :mod:`gtec.build.geography` chains them into the
recipe described in its docstring.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely

GRID_SIZE = 1e-4  # degrees, about 10 m: coordinates are rounded to it


SLIVER_WIDTH = 0.0005  # degrees, about 50 m: narrower gaps between communes are merged when cleaning


#: Foreign enclaves inside France: holes of the national union that must stay holes (lon, lat).
FOREIGN_ENCLAVES: dict[str, tuple[float, float]] = {"Llívia (ES)": (1.9815, 42.4661)}


def polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal part of a geometry (make_valid and overlays may add lines or points)."""
    if g is None or g.is_empty or shapely.get_type_id(g) in (3, 6):
        return g
    parts = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def make_valid(g: shapely.Geometry) -> shapely.Geometry:
    return polygonal(g if shapely.is_valid(g) else shapely.make_valid(g))


def clean_coverage(geoms: np.ndarray, suspects: np.ndarray | None = None) -> np.ndarray:
    """Make a nearly-clean coverage exact: overlaps removed, shared edges noded, slivers merged.

    Only the suspect polygons (by default those with invalid coverage edges) and their neighbours go
    through ``coverage_clean``, without snapping, so the edges they share with the rest are kept.
    """
    if suspects is None:
        suspects = np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(geoms)))
    if not len(suspects):
        return geoms
    _, near = shapely.STRtree(geoms).query(geoms[suspects], predicate="intersects")
    subset = np.unique(np.concatenate([suspects, near]))
    out = geoms.copy()
    out[subset] = shapely.coverage_clean(geoms[subset], gap_width=SLIVER_WIDTH, snapping_distance=0)
    return out


def dissolve(geoms: np.ndarray, keys: np.ndarray) -> dict[Any, shapely.Geometry]:
    """Union of ``geoms`` grouped by ``keys``; coverage union (fast) with a general union as fallback."""
    out: dict[Any, shapely.Geometry] = {}
    for key, idx in pd.Series(range(len(keys))).groupby(keys).indices.items():
        out[key] = union(geoms[idx])
    return out


def union(geoms: Sequence[shapely.Geometry] | np.ndarray) -> shapely.Geometry:
    arr = np.asarray(geoms, dtype=object)
    arr = arr[~shapely.is_missing(arr)]
    try:
        result = shapely.coverage_union_all(arr)
        if shapely.is_valid(result):
            return polygonal(result)
    except shapely.errors.GEOSException:
        pass
    return make_valid(shapely.union_all(arr))


def holes(g: shapely.Geometry) -> list[shapely.Polygon]:
    holes: list[shapely.Polygon] = []
    for part in shapely.get_parts(g):
        n = shapely.get_num_interior_rings(part)
        if n:
            holes.extend(shapely.polygons(shapely.get_interior_ring(part, np.arange(n))))
    return holes


def is_foreign_enclave(hole: shapely.Geometry) -> bool:
    return any(hole.contains(shapely.Point(xy)) for xy in FOREIGN_ENCLAVES.values())


def covered_share(hole: shapely.Geometry, cover: np.ndarray) -> float:
    if not len(cover):
        return 0.0
    return float(shapely.area(shapely.intersection(hole, cover)).sum()) / hole.area


def fill_source_gaps(geoms: np.ndarray, prefer: np.ndarray, outside: np.ndarray) -> int:
    """Attach each hole of the union of all communes to one neighbouring commune, in place.

    The hole goes to a neighbour flagged in ``prefer`` (it has delegated communes without geometry)
    sharing the longest border, else to the neighbour sharing the longest border. Foreign enclaves and
    holes mostly covered by ``outside`` (communes left out of a partial build) stay holes.
    Returns the number of holes filled.
    """
    present = np.flatnonzero(~shapely.is_missing(geoms))
    tree = shapely.STRtree(geoms[present])
    outside_tree = shapely.STRtree(outside) if len(outside) else None
    filled = 0
    for hole in holes(union(geoms[present])):
        if is_foreign_enclave(hole):
            continue
        if outside_tree is not None:
            near = outside[outside_tree.query(hole, predicate="intersects")]
            if covered_share(hole, near) >= 0.5:
                continue
        cand = present[tree.query(hole, predicate="intersects")]
        shared = shapely.length(shapely.intersection(hole.exterior, geoms[cand]))
        best = max(range(len(cand)), key=lambda k: (bool(prefer[cand[k]]), shared[k]), default=None)
        if best is None or shared[best] <= 0:
            continue
        geoms[cand[best]] = union([geoms[cand[best]], hole])
        filled += 1
    return filled


def fill_holes(geoms: list[shapely.Geometry], extra_cover: np.ndarray | None = None) -> list[shapely.Geometry]:
    """Fill the interior rings that the other units (and ``extra_cover``) cover less than half of.

    Real enclaves, covered by other units, stay holes; so do foreign enclaves. Only the part of a hole
    that no other unit covers is added, so the result stays a coverage.
    """
    cover = np.array(list(geoms) + list(extra_cover if extra_cover is not None else []), dtype=object)
    tree = shapely.STRtree(cover)
    out = []
    for i, g in enumerate(geoms):
        add = []
        for hole in holes(g):
            if is_foreign_enclave(hole):
                continue
            idx = tree.query(hole, predicate="intersects")
            others = cover[idx[idx != i]]
            if covered_share(hole, others) < 0.5:
                add.append(shapely.difference(hole, shapely.union_all(others)) if len(others) else hole)
        out.append(make_valid(shapely.union_all([g, *add])) if add else g)
    return out


def simplify_coverage(geoms: list[shapely.Geometry], tolerance: float) -> list[shapely.Geometry]:
    """``coverage_simplify`` keeping neighbours' shared borders; an unusable result keeps the input."""
    arr = np.array(geoms, dtype=object)
    out = shapely.coverage_simplify(arr, tolerance)
    bad = ~shapely.is_valid(out) | shapely.is_empty(out)
    out[bad] = arr[bad]
    return list(out)


def snap(geoms: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
    """``shapely.set_precision(g, GRID_SIZE)`` vertex by vertex, so that shared vertices stay shared.

    The rare geometry that snapping makes invalid is repaired with ``make_valid`` (which keeps vertices).
    """
    arr = np.asarray(geoms, dtype=object)
    snapped = shapely.set_precision(arr, GRID_SIZE, mode="pointwise")
    bad = np.flatnonzero(~shapely.is_valid(snapped))
    snapped[bad] = [make_valid(g) for g in snapped[bad]]
    return snapped


def to_geojson(geoms: np.ndarray) -> np.ndarray:
    """Compact GeoJSON geometry objects (what ``json.dumps(mapping(g))`` gives, written by GEOS, faster).

    Exterior rings are wound clockwise and holes counter-clockwise: d3 (Vega-Lite/Altair geoshapes) reads
    the other winding as "the whole globe minus this shape", Leaflet ignores winding, and RFC 7946 readers
    must accept both.
    """
    return shapely.to_geojson(shapely.orient_polygons(geoms, exterior_cw=True))
