"""Practices on a map, each at the outline of its own territory (commune, EPCI, basin, zone d'emploi,
département, region...), never pinned to a region centre. Territories without a stored outline (whole countries
here) are listed apart by :func:`practice_layer` so the page can say so."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import folium

from gtec.core.i18n import pick
from gtec.core.text import html
from gtec.maps import layers
from gtec.storage.reference import ReferenceConnection
from gtec.territories.geometry import territory_geometry


def practice_layer(
    conn: ReferenceConnection, practices: Iterable[Mapping[str, Any]], lang: str
) -> tuple[folium.FeatureGroup, list[Mapping[str, Any]], list[tuple[float, float]]]:
    """``(feature group, practices without an outline, bounds points)``; tooltips escaped with ``html()``."""
    group = folium.FeatureGroup(name="practices")
    unmapped, points = [], []
    for practice in practices:
        geometry = territory_geometry(conn, practice["territory_id"], "national") if practice["territory_id"] else None
        if geometry is None:
            unmapped.append(practice)
            continue
        title = pick(practice, "title", lang) or practice.get("title_en") or ""
        feature = {"type": "Feature", "geometry": geometry, "properties": {"title": html(title)}}
        folium.GeoJson(
            feature,
            style_function=lambda _f: {"color": "#1f5fa8", "weight": 2, "fillOpacity": 0.25},
            tooltip=folium.GeoJsonTooltip(fields=["title"], labels=False),
        ).add_to(group)
        points += list(_corners(geometry))
    return group, unmapped, points


def _corners(geometry: Mapping[str, Any]) -> Iterable[tuple[float, float]]:
    coords: list[tuple[float, float]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple) and len(node) == 2 and all(isinstance(v, int | float) for v in node):
            coords.append((float(node[1]), float(node[0])))
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)

    walk(geometry.get("coordinates", []))
    if coords:
        lats, lons = [c[0] for c in coords], [c[1] for c in coords]
        yield (min(lats), min(lons))
        yield (max(lats), max(lons))


def practice_map(group: folium.FeatureGroup, points: list[tuple[float, float]]) -> folium.Map:
    """The offline base map with the practices' outlines, fitted to them."""
    m = layers.base_map()
    group.add_to(m)
    if points:
        m.fit_bounds(
            [
                [min(p[0] for p in points), min(p[1] for p in points)],
                [max(p[0] for p in points), max(p[1] for p in points)],
            ]
        )
    return m
