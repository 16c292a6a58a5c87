"""The levels a map can show: order, country, grid or map, initial view and the outlines drawn with them."""

from __future__ import annotations

import math

from gtec.maps import insets

#: Levels offered on the map page, in order (i18n keys ``map.level.<level>``). UK regions use a tile grid.
MAP_LEVELS: tuple[str, ...] = (
    "zone_emploi",
    "bmo_bassin",
    "region",
    "departement",
    "epci",
    "basin",
    "be_province",
    "uk_itl1",
)
GRID_LEVELS: frozenset[str] = frozenset({"uk_itl1"})
LEVEL_COUNTRY = {
    "zone_emploi": "FR",
    "bmo_bassin": "FR",
    "region": "FR",
    "departement": "FR",
    "epci": "FR",
    "basin": "FR",
    "be_province": "BE",
    "uk_itl1": "UK",
}
FRANCE_CENTER = (46.45, 2.4)
FRANCE_ZOOM = 5.75
LEVEL_VIEW: dict[str, tuple[tuple[float, float], float]] = {
    "be_province": ((50.55, 4.6), 7.5),
    "basin": ((48.8, -0.2), 6.5),
}
#: Outlines drawn over a level (EPCIs show the employment basins they make up).
LEVEL_OUTLINES: dict[str, tuple[str, ...]] = {"epci": ("basin",)}
#: Context drawn under a level (the few basins are placed on the regions).
LEVEL_BACKGROUND: dict[str, str] = {"basin": "region"}
MEASURES: tuple[str, ...] = ("total", "rate")
#: Indicator shown first when the URL names none (falls back to the first one of the level).
DEFAULT_INDICATOR = "unemployment_rate"
#: What a level is coloured by when it is chosen: zones d'emploi by the ILO unemployment rate (official,
#: quarterly), BMO bassins by the hiring projects of the BMO survey.
LEVEL_DEFAULT_INDICATOR: dict[str, str] = {"zone_emploi": "unemployment_rate", "bmo_bassin": "hiring_projects"}
#: The map opens on the zones d'emploi: the employment basins people use, with an official rate.
DEFAULT_LEVEL = "zone_emploi"


#: Levels of imported boundary layers are their layer's id (:mod:`gtec.imports.zones`), French zones.
IMPORTED_PREFIX = "WS-LAYER-"


def is_imported(level: str) -> bool:
    """True for the level of an imported boundary layer (``WS-LAYER-<n>``)."""
    return bool(level) and level.startswith(IMPORTED_PREFIX) and level[len(IMPORTED_PREFIX) :].isdigit()


def country_of(level: str) -> str:
    """The country a level's national value is read from (imported layers: France)."""
    return LEVEL_COUNTRY.get(level, "FR")


def fit_view(bounds: tuple[tuple[float, float], tuple[float, float]]) -> tuple[tuple[float, float], float]:
    """``(center, zoom)`` that shows ``((south, west), (north, east))`` whole on a phone-wide map (340 x 560 px;
    wider screens show it with a margin)."""
    (south, west), (north, east) = bounds
    stretch = 1 / max(math.cos(math.radians((south + north) / 2)), 0.2)  # Mercator: latitude degrees look taller
    span = max(east - west, (north - south) * stretch * 340 / 560, 0.02)
    zoom = math.floor(4 * math.log2(340 * 360 / (256 * span))) / 4
    return ((south + north) / 2, (west + east) / 2), min(max(zoom, 4.0), 12.0)


def view_for(
    level: str, bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
) -> tuple[tuple[float, float], float]:
    """``(center, zoom)`` the map opens on for ``level`` (mainland France unless the level says otherwise; an
    imported layer opens on its ``bounds``)."""
    if is_imported(level) and bounds:
        return fit_view(bounds)
    return LEVEL_VIEW.get(level, (FRANCE_CENTER, FRANCE_ZOOM))


def is_grid(level: str) -> bool:
    """True when the level is drawn as a tile grid (UK regions) rather than a map."""
    return level in GRID_LEVELS


def default_indicator(available: list[str], level: str | None = None) -> str:
    """The indicator to show when a level is chosen, or when none (or one absent from the level) is asked for."""
    for wanted in (LEVEL_DEFAULT_INDICATOR.get(level or ""), DEFAULT_INDICATOR):
        if wanted in available:
            return wanted
    return available[0]


def view_bounds(
    level: str, layer_bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """``((south, west), (north, east))`` the map fits when it opens on ``level`` (whatever the map's size):
    mainland France with the overseas boxes (:mod:`gtec.maps.insets`) for French levels that have overseas
    territories, the layer itself for Belgium, the basins and imported layers; None for the UK tile grid."""
    if level in insets.LEVELS:
        return insets.view_bounds()
    if is_grid(level):
        return None
    if layer_bounds:
        return layer_bounds
    return insets.MAINLAND
