"""FeatureCollections of a territory drawn over its members (portrait map, custom basin preview).

Features carry ``properties.role`` = ``member`` or ``outline`` (see :func:`gtec.territories.charts.outline_chart`)
and the plain name (the chart shows it as text, Vega escapes it).
"""

from __future__ import annotations

from collections.abc import Sequence

from gtec.maps.queries import territory_names
from gtec.storage.reference import ReferenceConnection
from gtec.territories import custom, indicators
from gtec.territories.geometry import layer_feature_collection, territory_geometry

#: Members drawn one by one up to this many (beyond, only the outline: thousands of communes would be slow).
MAX_MEMBER_SHAPES = 300
#: A territory without members is drawn over its children of this level.
CHILD_LEVEL = {"epci": "commune", "departement": "epci", "region": "departement"}


def _feature(geometry: dict, tid: str, name: str, role: str) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": {"id": tid, "name": name, "role": role}}


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def preview_features(conn: ReferenceConnection, members: Sequence[str], member_level: str, name: str) -> dict:
    """A custom territory being composed: its members (``epci`` or ``commune``) and the union outline."""
    feats = [
        {**f, "properties": {**f["properties"], "role": "member"}}
        for f in layer_feature_collection(conn, member_level, "detail", ids=list(members))["features"]
    ]
    geom = custom.outline(conn, list(members))
    if geom:
        feats.append(_feature(geom, "custom", name or "", "outline"))
    return _collection(feats)


def custom_features(conn: ReferenceConnection, members: Sequence[str], name: str) -> dict:
    """A saved custom territory: its members (when not too many) and the union outline."""
    feats = []
    if len(members) <= MAX_MEMBER_SHAPES:
        for mid in members:
            geom = territory_geometry(conn, mid, "detail")
            if geom:
                feats.append(_feature(geom, mid, mid, "member"))
    geom = custom.outline(conn, list(members))
    if geom:
        feats.append(_feature(geom, "custom", name, "outline"))
    return _collection(feats)


def reference_features(conn: ReferenceConnection, territory_id: str) -> dict:
    """A reference territory and its members (basin -> EPCIs) or children (EPCI -> communes...), detail."""
    terr = indicators.get_territory(conn, territory_id)
    parts = indicators.members(conn, territory_id)
    if not parts and terr and terr["level"] in CHILD_LEVEL:
        parts = indicators.children(conn, territory_id, CHILD_LEVEL[terr["level"]])
    names = territory_names(conn, parts)
    feats = []
    for pid in parts:
        geom = territory_geometry(conn, pid, "detail")
        if geom:
            feats.append(_feature(geom, pid, names.get(pid, pid), "member"))
    geom = territory_geometry(conn, territory_id, "detail")
    if geom:
        feats.append(_feature(geom, territory_id, terr["name"] if terr else territory_id, "outline"))
    return _collection(feats)
