"""Which territory to show when the reader changes level (screens review P7, S11).

Going from the Pays de Vannes to "Département" should open the Morbihan, not "Ain": the territory of the new
level that contains the current one, or that it contains, or its neighbour in the same département, region or
country; the partner territory when none is related. Never the first name in the alphabet.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from gtec.storage.reference import ReferenceConnection

#: Columns of :func:`load_hierarchy`.
HIERARCHY_COLUMNS = ("id", "level", "country", "parent_id", "departement_id", "region_id", "population")


def load_hierarchy(conn: ReferenceConnection) -> pd.DataFrame:
    """Every territory but communes with where it sits (``HIERARCHY_COLUMNS``; population may be NULL)."""
    cols = ", ".join(HIERARCHY_COLUMNS)
    return pd.read_sql_query(f"SELECT {cols} FROM territories WHERE level <> 'commune'", conn)


def load_overlaps(conn: ReferenceConnection) -> pd.DataFrame:
    """Basin / zone overlaps (basin_id, zone_id, population_share in %), the largest share first."""
    sql = "SELECT basin_id, zone_id, population_share FROM basin_overlaps ORDER BY population_share DESC"
    return pd.read_sql_query(sql, conn)


def overlapping_ids(overlaps: pd.DataFrame, territory_id: str) -> list[str]:
    """The zones a basin overlaps, or the basins a zone overlaps, the largest share of population first."""
    zones = overlaps.loc[overlaps["basin_id"] == territory_id, "zone_id"]
    basins = overlaps.loc[overlaps["zone_id"] == territory_id, "basin_id"]
    return [str(x) for x in [*zones, *basins]]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def related_territory(
    hierarchy: pd.DataFrame,
    current_id: str,
    candidates: Sequence[str],
    *,
    members: Sequence[str] = (),
    overlapping: Sequence[str] = (),
    default: str = "",
) -> str | None:
    """The id among ``candidates`` (the territories of the level just chosen) most related to ``current_id``.

    In order: a territory the current one belongs to (its parent, département, region or country); one of its
    ``members`` (for a basin, its EPCIs); the zone (or basin) that overlaps it most (``overlapping``, largest
    share first, :func:`overlapping_ids`); then a territory in the same département, then region, the most
    populated first; then ``default`` (the partner territory); then one of the same country; then the most
    populated candidate. None
    only when there is no candidate. A current id missing from ``hierarchy`` (a custom territory) is placed by
    its first member found there.
    """
    if not candidates:
        return None
    pool = set(candidates)
    rows = hierarchy.set_index("id", drop=False)
    place_id = current_id if current_id in rows.index else next((m for m in members if m in rows.index), "")
    here = rows.loc[place_id] if place_id else None
    ranked = rows.loc[[c for c in candidates if c in rows.index]]
    ranked = ranked.assign(_pop=ranked["population"].fillna(-1)).sort_values("_pop", ascending=False, kind="stable")

    def best(mask: pd.Series) -> str | None:
        hit = ranked[mask]
        return str(hit["id"].iloc[0]) if not hit.empty else None

    if here is not None:
        for col in ("parent_id", "departement_id", "region_id", "country"):
            above = _text(here[col])
            if above and above != place_id and above in pool:
                return above
    inside = [m for m in members if m in pool]
    if inside:
        return best(ranked["id"].isin(inside)) or inside[0]
    overlap = next((o for o in overlapping if o in pool), None)
    if overlap:
        return overlap
    for col in ("departement_id", "region_id", "country"):
        where = _text(here[col]) if here is not None else ""
        if col == "country" and default in pool:
            return default  # the partner territory before any territory of the same country
        if where:
            found = best(ranked[col] == where)
            if found:
                return found
    if default in pool:
        return default
    return best(ranked["id"].notna()) or str(candidates[0])
