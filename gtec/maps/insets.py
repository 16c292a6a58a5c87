"""Overseas insets: the five overseas départements and régions drawn in boxes beside mainland France.

French maps show Guadeloupe, Martinique, Guyane, La Réunion and Mayotte in small boxes next to the mainland
(screens review M2): their values are in the classes, so they must be drawn. :func:`place_overseas` moves the
coordinates of every feature lying in one of :data:`OVERSEAS` into its box (a linear map that keeps the shape
as Leaflet draws it, Web Mercator); the boxes form a column in the Atlantic, west of Brittany. The app map and
the exported map both draw the moved geometry, the box frames and their names (:func:`frames`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

Bounds = tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east)), degrees

#: Where each overseas territory really is (i18n ``map.inset.<name>``), generous around the coasts.
OVERSEAS: tuple[tuple[str, Bounds], ...] = (
    ("guadeloupe", ((15.8, -61.85), (16.55, -60.95))),
    ("martinique", ((14.35, -61.25), (14.9, -60.78))),
    ("guyane", ((2.1, -54.65), (5.8, -51.6))),
    ("reunion", ((-21.4, 55.2), (-20.85, 55.85))),
    ("mayotte", ((-13.05, 44.98), (-12.62, 45.32))),
)
#: The column of boxes: its west edge, the width of a box and its top (degrees), the gap between boxes.
COLUMN_WEST, BOX_WIDTH, COLUMN_TOP, BOX_GAP = -10.2, 2.6, 51.2, 0.2
#: Mainland France with Corsica.
MAINLAND: Bounds = ((41.3, -5.2), (51.1, 9.6))
#: Levels whose layer holds overseas territories (drawn with insets).
LEVELS: frozenset[str] = frozenset({"region", "departement", "epci", "zone_emploi", "bmo_bassin"})


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _unmerc(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


@dataclass(frozen=True)
class Inset:
    name: str
    source: Bounds
    box: Bounds

    def contains(self, lon: float, lat: float) -> bool:
        (s, w), (n, e) = self.source
        return s <= lat <= n and w <= lon <= e

    def move(self, lon: float, lat: float) -> tuple[float, float]:
        """``(lon, lat)`` of a source point inside the box (linear in Web Mercator, so shapes are kept)."""
        (s, w), (n, e) = self.source
        (bs, bw), (bn, be) = self.box
        fx = (lon - w) / (e - w)
        fy = (_merc(lat) - _merc(s)) / (_merc(n) - _merc(s))
        return bw + fx * (be - bw), _unmerc(_merc(bs) + fy * (_merc(bn) - _merc(bs)))


def insets() -> tuple[Inset, ...]:
    """The boxes, top to bottom, each as wide as :data:`BOX_WIDTH` and as tall as its territory's shape needs."""
    out = []
    top = COLUMN_TOP
    for name, ((s, w), (n, e)) in OVERSEAS:
        aspect = (_merc(n) - _merc(s)) / math.radians(e - w)
        bottom = _unmerc(_merc(top) - aspect * math.radians(BOX_WIDTH))
        out.append(Inset(name, ((s, w), (n, e)), ((bottom, COLUMN_WEST), (top, COLUMN_WEST + BOX_WIDTH))))
        top = bottom - BOX_GAP
    return tuple(out)


INSETS = insets()


def _first_point(coords) -> tuple[float, float] | None:
    while coords and not isinstance(coords[0], (int, float)):
        coords = coords[0]
    return (float(coords[0]), float(coords[1])) if coords else None


def _move_all(coords, inset: Inset):
    if coords and isinstance(coords[0], (int, float)):
        x, y = inset.move(float(coords[0]), float(coords[1]))
        return [round(x, 4), round(y, 4)]
    return [_move_all(c, inset) for c in coords]


def place_overseas(fc: Mapping) -> dict:
    """A copy of a FeatureCollection whose overseas features sit in their boxes (others are unchanged).

    A feature is moved whole, by the box holding its first point; features elsewhere (mainland, Belgium) keep
    their coordinates."""
    features = []
    for feat in fc.get("features", []):
        geometry = feat.get("geometry") or {}
        point = _first_point(geometry.get("coordinates") or [])
        inset = next((i for i in INSETS if point and i.contains(*point)), None)
        if inset is not None:
            moved = _move_all(geometry["coordinates"], inset)
            feat = {**feat, "geometry": {"type": geometry["type"], "coordinates": moved}}
        features.append(feat)
    return {**fc, "features": features}


def view_bounds() -> Bounds:
    """What a French map opens on: the mainland and the column of boxes."""
    (s, _w), (n, e) = MAINLAND
    south = min(s, *(i.box[0][0] for i in INSETS))
    return (south - 0.1, COLUMN_WEST - 0.1), (max(n, COLUMN_TOP) + 0.1, e)


def frames(labels: Mapping[str, str]) -> list[list]:
    """``[[label, [[south, west], [north, east]]], ...]`` of the boxes, for the map to draw and name."""
    return [[labels.get(i.name, i.name), [list(i.box[0]), list(i.box[1])]] for i in INSETS]
