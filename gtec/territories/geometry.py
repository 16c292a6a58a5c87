"""Territory geometry as read at run time from the reference store: layers and single outlines (GeoJSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from gtec.storage.reference import ReferenceConnection


def layer_feature_collection(
    conn: ReferenceConnection,
    level: str,
    resolution: str = "national",
    *,
    departement_id: str | None = None,
    ids: Iterable[str] | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of every territory of ``level`` that has a geometry.

    Each feature has ``id`` and properties ``{id, code, name}``. When a territory has no geometry at
    ``resolution`` the other resolution is used (communes only have ``detail``). ``departement_id``
    (e.g. ``"FR-DEP-56"``) and ``ids`` narrow the layer; territories without geometry (UK regions) are
    left out.
    """
    other = "detail" if resolution == "national" else "national"
    sql = (
        "SELECT t.id, t.code, t.name, COALESCE(g1.geojson, g2.geojson) FROM territories t "
        "LEFT JOIN geometries g1 ON g1.territory_id = t.id AND g1.resolution = ? "
        "LEFT JOIN geometries g2 ON g2.territory_id = t.id AND g2.resolution = ? "
        "WHERE t.level = ? AND COALESCE(g1.geojson, g2.geojson) IS NOT NULL"
    )
    params: list[Any] = [resolution, other, level]
    if departement_id is not None:
        sql += " AND t.departement_id = ?"
        params.append(departement_id)
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return {"type": "FeatureCollection", "features": []}
        sql += f" AND t.id IN ({', '.join('?' for _ in wanted)})"
        params.extend(wanted)
    sql += " ORDER BY t.id"
    features = [
        {
            "type": "Feature",
            "id": row[0],
            "properties": {"id": row[0], "code": row[1], "name": row[2]},
            "geometry": json.loads(row[3]),
        }
        for row in conn.execute(sql, params)
    ]
    return {"type": "FeatureCollection", "features": features}


def territory_geometry(
    conn: ReferenceConnection, territory_id: str, resolution: str = "detail"
) -> dict[str, Any] | None:
    """The GeoJSON geometry object of one territory (the other resolution if this one is absent), or None."""
    row = conn.execute(
        "SELECT geojson FROM geometries WHERE territory_id = ? ORDER BY resolution != ? LIMIT 1",
        (territory_id, resolution),
    ).fetchone()
    return json.loads(row[0]) if row else None
