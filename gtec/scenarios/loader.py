"""Inputs of the foresight scenarios, read from the reference store (pure; no streamlit).

Official bases (issue 12):

- base-year employment per EPCI = the census jobs at place of work (indicator ``employment``, RP 2018, source
  ``insee-rp2018-comparateur``; the latest EPCI year in the store);
- its split by occupation family = the family structure of the EPCI's région in *Les métiers en 2030*'
  regional file (``metiers_2030_regions``, employment 2019 per FAP summed by family through the FAP domain
  letters of ``occupation_families.fap_domains``: the documented crosswalk); EPCIs outside the 13 régions of
  the file (overseas) take the structure of the 13 together;
- family rates (per year over 2019-2030): departures = departures / employment 2019 / 11, baseline growth =
  ``(1 + creation / employment) ** (1/11) - 1``, young entrants = ``-young_entrants / employment / 11``
  (negative as published), all from the 13 régions together;
- the région's own departure profile enters through ``departure_factor`` (EPCI's région departures over what
  the national family rates give on the same structure): regional departures then equal the published ones.

Without the regional table (old stores) the previous bases apply: the national structure and rates of
``occupation_baseline`` and the ``seniors_share`` factor. Driver sensitivities come from
``scenario_sensitivities``. Aggregates (basins, départements, régions, France) are sums of their EPCIs, with the
population shares of EPCIs straddling départements (:func:`gtec.build.illustrative.french_members`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gtec.build import illustrative
from gtec.imports.layers import LAYER_PREFIX
from gtec.scenarios.engine import Inputs
from gtec.scenarios.params import CRISIS_DRIVER, DRIVERS
from gtec.storage.reference import ReferenceConnection

#: Levels offered in the scenario page, in the order shown (French territories only: the family structure and
#: rates are French).
SCENARIO_LEVELS: tuple[str, ...] = ("basin", "zone_emploi", "bmo_bassin", "epci", "departement", "region", "country")
#: Levels whose members are communes: an EPCI counts in them by the share of its population living there.
COMMUNE_ZONINGS: tuple[str, ...] = ("zone_emploi", "bmo_bassin")


def is_imported_level(levels: pd.Series) -> pd.Series:
    """True for the levels of imported boundary layers (``WS-LAYER-<n>``, :mod:`gtec.imports.zones`): their zones'
    members are communes, like the zones d'emploi, and they are offered after the reference levels."""
    return levels.astype(str).str.startswith(LAYER_PREFIX)


BASELINE_SOURCES: tuple[str, ...] = ("gtec-occupation-sizes", "gtec-occupation-calibration", "dares-metiers-2030")
#: Sources of the official bases (census jobs, regional file of Les métiers en 2030).
OFFICIAL_SOURCES: tuple[str, ...] = ("insee-rp2018-comparateur", "dares-metiers-2030-regions-file", "gtec-occupations")
#: Projection years of Les métiers en 2030 (2019-2030).
PROJECTION_YEARS = 11


@dataclass(frozen=True, eq=False)
class ScenarioBase:
    """Everything the scenario page needs from the reference store, loaded once.

    - ``inputs``: engine inputs for every EPCI that has an employment value (others are missing, not zero);
    - ``members``: parent_id, child_id (EPCI), share for every French aggregate;
    - ``territories``: id, code, name, level, departement_id, region_id of the pickable French territories;
    - ``families``: id, label_fr, label_en (index = family id);
    - ``source_ids``: sources of the inputs (for the provenance list).
    """

    inputs: Inputs
    members: pd.DataFrame
    territories: pd.DataFrame
    families: pd.DataFrame
    source_ids: tuple[str, ...]

    @property
    def base_year(self) -> int:
        return self.inputs.base_year

    def group(self, territory_id: str) -> dict[str, float]:
        """EPCI id -> share counted in ``territory_id`` (an EPCI is its own group). Only EPCIs with data."""
        known = set(self.inputs.territory_ids)
        if territory_id in known:
            return {territory_id: 1.0}
        rows = self.members.loc[self.members["parent_id"] == territory_id]
        return {c: float(s) for c, s in zip(rows["child_id"], rows["share"], strict=True) if c in known}

    def coverage(self, territory_id: str) -> tuple[int, int]:
        """(EPCIs with data, EPCIs in the territory): tells when part of a territory is missing."""
        if territory_id in set(self.inputs.territory_ids):
            return 1, 1
        rows = self.members.loc[self.members["parent_id"] == territory_id, "child_id"]
        known = set(self.inputs.territory_ids)
        # a plain loop: Series.isin of a set converts the whole set to an Arrow array first (ms per rerun)
        return sum(1 for child in rows if child in known), len(rows)

    def territory_inputs(self, territory_id: str) -> Inputs:
        """Inputs of the territory's EPCIs, employment weighted by their share: the sum over rows is the territory."""
        group = self.group(territory_id)
        if not group:
            raise KeyError(territory_id)
        return self.inputs.subset(list(group), list(group.values()))

    def neighbourhood(self, territory_id: str) -> list[str]:
        """EPCIs shown in the heatmap and the map: the territory's own EPCIs, or for an EPCI, those of its
        département; France: every EPCI (the heatmap then keeps the largest)."""
        terr = self.territories.set_index("id")
        if territory_id in set(self.inputs.territory_ids) and territory_id in terr.index:
            dep = terr.at[territory_id, "departement_id"]
            return sorted(self.group(dep)) if dep else [territory_id]
        return sorted(self.group(territory_id))

    def level(self, territory_id: str) -> str | None:
        match = self.territories.loc[self.territories["id"] == territory_id, "level"]
        return str(match.iloc[0]) if len(match) else None

    def units(self, territory_id: str) -> tuple[str, dict[str, dict[str, float]]]:
        """Units compared in the heatmap and the map: départements for France and a région (too many EPCIs to
        read), otherwise EPCIs (:meth:`neighbourhood`). Returns (level, unit id -> EPCI shares)."""
        if self.level(territory_id) in ("country", "region"):
            deps = self.territories.loc[self.territories["level"] == "departement"]
            if self.level(territory_id) == "region":
                deps = deps.loc[deps["region_id"] == territory_id]
            groups = {d: self.group(d) for d in deps["id"]}
            return "departement", {d: g for d, g in groups.items() if g}
        return "epci", {e: {e: 1.0} for e in self.neighbourhood(territory_id)}

    def name(self, territory_id: str) -> str:
        match = self.territories.loc[self.territories["id"] == territory_id, "name"]
        return str(match.iloc[0]) if len(match) else territory_id


def read_family_baseline(conn: ReferenceConnection) -> pd.DataFrame:
    """Families with labels and rates in % (id, label_fr, label_en, employment_2019, departure_rate, growth_rate,
    young_entrant_rate), ordered by id."""
    return pd.read_sql_query(
        "SELECT f.id, f.label_fr, f.label_en, b.employment_2019, b.departure_rate, b.growth_rate,"
        " b.young_entrant_rate FROM occupation_families f JOIN occupation_baseline b ON b.family_id = f.id"
        " ORDER BY f.id",
        conn,
    ).set_index("id", drop=False)


def read_sensitivities(conn: ReferenceConnection, family_ids: list[str]) -> np.ndarray:
    """[len(DRIVERS), F] sensitivities (growth drivers as fractions a year, crisis as relative exposure)."""
    out = np.zeros((len(DRIVERS), len(family_ids)))
    out[DRIVERS.index(CRISIS_DRIVER)] = 1.0
    col = {f: i for i, f in enumerate(family_ids)}
    for fid, driver, value in conn.execute("SELECT family_id, driver, value FROM scenario_sensitivities"):
        if fid in col and driver in DRIVERS:
            out[DRIVERS.index(driver), col[fid]] = value if driver == CRISIS_DRIVER else value / 100
    return out


def family_inputs(
    baseline: pd.DataFrame,
    sensitivities: np.ndarray,
    employment: pd.Series,
    base_year: int,
    departure_factor: pd.Series | None = None,
) -> Inputs:
    """Engine inputs: ``employment`` (territory id -> jobs) split by the national family structure of
    ``baseline`` (rates in %, as in ``occupation_baseline``)."""
    share = baseline["employment_2019"].to_numpy(dtype=float)
    share = share / share.sum()
    emp = employment.to_numpy(dtype=float)
    factor = None if departure_factor is None else departure_factor.reindex(employment.index).fillna(1.0).to_numpy()
    return Inputs(
        territory_ids=tuple(employment.index),
        family_ids=tuple(baseline.index),
        employment=emp[:, None] * share[None, :],
        growth=baseline["growth_rate"].to_numpy(dtype=float) / 100,
        departure_rate=baseline["departure_rate"].to_numpy(dtype=float) / 100,
        entrant_rate=baseline["young_entrant_rate"].to_numpy(dtype=float) / 100,
        sensitivities=sensitivities,
        base_year=base_year,
        departure_factor=factor,  # type: ignore[arg-type]  # None: the engine's default of 1
    )


def national_inputs(baseline: pd.DataFrame, sensitivities: np.ndarray, base_year: int = 2019) -> Inputs:
    """France as one territory with the national employment per family of ``baseline`` (the national check)."""
    emp = pd.Series([baseline["employment_2019"].sum()], index=["FR"], dtype=float)
    return family_inputs(baseline, sensitivities, emp, base_year)


def _latest(conn: ReferenceConnection, indicator: str, level: str) -> tuple[pd.Series, int | None, set[str]]:
    """Latest-year values of an indicator for one level: (values by territory id, year, source ids)."""
    row = conn.execute(
        "SELECT MAX(v.year) FROM indicator_values v JOIN territories t ON t.id = v.territory_id"
        " WHERE v.indicator_id = ? AND t.level = ? AND v.value IS NOT NULL",
        (indicator, level),
    ).fetchone()
    if not row or row[0] is None:
        return pd.Series(dtype=float), None, set()
    year = int(row[0])
    cur = conn.execute(
        "SELECT v.territory_id, v.value, v.source_id FROM indicator_values v JOIN territories t"
        " ON t.id = v.territory_id WHERE v.indicator_id = ? AND t.level = ? AND v.year = ? AND v.value IS NOT NULL"
        " ORDER BY v.territory_id",
        (indicator, level, year),
    )
    rows = cur.fetchall()
    values = pd.Series({r[0]: float(r[1]) for r in rows}, dtype=float)
    return values, year, {r[2] for r in rows}


def read_regional_families(conn: ReferenceConnection) -> pd.DataFrame:
    """*Les métiers en 2030* regional file summed by région and project family (thousands of jobs over
    2019-2030): ``region_id``, ``family_id``, ``employment_2019``, ``creation``, ``departures``,
    ``young_entrants``, ``openings``. Empty when the store has no regional table."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'metiers_2030_regions'").fetchone()
    if not has:
        return pd.DataFrame()
    return pd.read_sql_query(
        "SELECT region_id, family_id, SUM(employment_2019) AS employment_2019, SUM(creation) AS creation,"
        " SUM(departures) AS departures, SUM(young_entrants) AS young_entrants, SUM(openings) AS openings"
        " FROM metiers_2030_regions WHERE family_id IS NOT NULL GROUP BY region_id, family_id"
        " ORDER BY region_id, family_id",
        conn,
    )


def regional_rates(regional: pd.DataFrame, family_ids: Sequence[str]) -> dict[str, object]:
    """Family rates (fractions a year) and regional structures from :func:`read_regional_families` (pure).

    Returns ``growth``, ``departure_rate``, ``entrant_rate`` [F] (13 régions together), ``structure``
    (DataFrame région x family of employment shares, plus a ``""`` row: the 13 together) and
    ``departure_factor`` (Series by région: its departures over those the national rates give on its structure).
    """
    fam = list(family_ids)
    emp = regional.pivot_table(index="region_id", columns="family_id", values="employment_2019", aggfunc="sum")
    emp = emp.reindex(columns=fam).fillna(0.0)
    dep = regional.pivot_table(index="region_id", columns="family_id", values="departures", aggfunc="sum")
    dep = dep.reindex(index=emp.index, columns=fam).fillna(0.0)
    tot = regional.groupby("family_id")[["employment_2019", "creation", "departures", "young_entrants"]].sum()
    tot = tot.reindex(fam)
    e = tot["employment_2019"].to_numpy(dtype=float)
    safe = np.where(e > 0, e, 1.0)
    growth = np.where(e > 0, (1 + tot["creation"].to_numpy(dtype=float) / safe) ** (1 / PROJECTION_YEARS) - 1, 0.0)
    departure = np.where(e > 0, tot["departures"].to_numpy(dtype=float) / safe / PROJECTION_YEARS, 0.0)
    entrants = np.where(e > 0, -tot["young_entrants"].to_numpy(dtype=float) / safe / PROJECTION_YEARS, 0.0)
    structure = emp.div(emp.sum(axis=1), axis=0)
    structure.loc[""] = e / e.sum()
    expected = (emp.to_numpy() * departure[None, :]).sum(axis=1) * PROJECTION_YEARS
    factor = pd.Series(dep.sum(axis=1).to_numpy() / np.where(expected > 0, expected, np.nan), index=emp.index)
    return {
        "growth": growth,
        "departure_rate": np.clip(departure, 0, None),
        "entrant_rate": np.clip(entrants, 0, None),
        "structure": structure.fillna(0.0),
        "departure_factor": factor.fillna(1.0),
    }


def official_inputs(
    employment: pd.Series,
    regions: pd.Series,
    regional: pd.DataFrame,
    family_ids: Sequence[str],
    sensitivities: np.ndarray,
    base_year: int,
) -> Inputs:
    """Engine inputs on official bases (pure): ``employment`` (territory id -> jobs) split by the family
    structure of each territory's région (``regions``: territory id -> région id), rates of
    :func:`regional_rates`."""
    rates = regional_rates(regional, family_ids)
    structure: pd.DataFrame = rates["structure"]  # type: ignore[assignment]
    factor: pd.Series = rates["departure_factor"]  # type: ignore[assignment]
    reg = regions.reindex(employment.index).where(lambda r: r.isin(structure.index), "").fillna("")
    shares = structure.reindex(reg.to_numpy()).to_numpy(dtype=float)
    dep_factor = reg.map(factor).fillna(1.0).to_numpy(dtype=float)
    return Inputs(
        territory_ids=tuple(employment.index),
        family_ids=tuple(family_ids),
        employment=employment.to_numpy(dtype=float)[:, None] * shares,
        growth=rates["growth"],  # type: ignore[arg-type]
        departure_rate=rates["departure_rate"],  # type: ignore[arg-type]
        entrant_rate=rates["entrant_rate"],  # type: ignore[arg-type]
        sensitivities=sensitivities,
        base_year=base_year,
        departure_factor=dep_factor,
    )


def zoning_members(terr: pd.DataFrame, memberships: pd.DataFrame) -> pd.DataFrame:
    """EPCI shares of the zones d'emploi and BMO bassins (``parent_id``, ``child_id``, ``share``), pure.

    A zoning's members are communes; an EPCI counts in a zone by the share of its (legal) population that lives
    in the zone's communes, so the zones of a level add up to the EPCIs they cover, like the départements'
    split of EPCIs that straddle them.
    """
    zones = set(terr.loc[terr["level"].isin(COMMUNE_ZONINGS) | is_imported_level(terr["level"]), "id"])
    communes = terr.loc[terr["level"] == "commune", ["id", "parent_id", "population"]].rename(
        columns={"id": "child_id", "parent_id": "epci"}
    )
    rows = memberships.loc[memberships["parent_id"].isin(zones)].merge(communes, on="child_id")
    rows = rows.loc[rows["epci"].astype(str).str.startswith("FR-EPCI-") & rows["population"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=["parent_id", "child_id", "share"])
    inside = rows.groupby(["parent_id", "epci"])["population"].sum()
    total = communes.dropna(subset=["population"]).groupby("epci")["population"].sum()
    share = (inside / total.reindex(inside.index.get_level_values("epci")).to_numpy()).rename("share")
    out = share.reset_index().rename(columns={"epci": "child_id"})
    return out.loc[out["share"] > 0, ["parent_id", "child_id", "share"]]


def load_base(conn: ReferenceConnection) -> ScenarioBase:
    """Read the reference store once and build the engine inputs for every EPCI with an employment value.

    Raises ``LookupError`` when the store has no EPCI employment or no family baseline.
    """
    baseline = read_family_baseline(conn)
    if baseline.empty:
        raise LookupError("occupation_baseline is empty")
    employment, year, sources = _latest(conn, "employment", "epci")
    if year is None or employment.empty:
        raise LookupError("no EPCI employment values")
    employment = employment[employment > 0]
    sens = read_sensitivities(conn, list(baseline.index))
    cur = conn.execute(
        "SELECT id, code, name, level, country, parent_id, departement_id, region_id, population FROM territories"
    )
    terr = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])
    regional = read_regional_families(conn)
    if not regional.empty:
        regions = terr.set_index("id")["region_id"]
        inputs = official_inputs(employment, regions, regional, list(baseline.index), sens, year)
        sources |= set(OFFICIAL_SOURCES)
    else:
        seniors, _, senior_sources = _latest(conn, "seniors_share", "epci")
        factor = None
        if not seniors.empty:
            common = seniors.reindex(employment.index).dropna()
            national = float(np.average(common, weights=employment[common.index])) if len(common) else float("nan")
            if national > 0:
                factor = seniors / national
                sources |= senior_sources
        inputs = family_inputs(baseline, sens, employment, year, factor)
    memberships = pd.read_sql_query("SELECT parent_id, child_id FROM memberships", conn)
    members = pd.concat([illustrative.french_members(terr, memberships), zoning_members(terr, memberships)])
    members = members.loc[members["child_id"].isin(set(inputs.territory_ids))].reset_index(drop=True)
    with_data = set(members["parent_id"]) | set(inputs.territory_ids)
    offered = terr["level"].isin(SCENARIO_LEVELS) | is_imported_level(terr["level"])
    pickable = terr.loc[offered & (terr["country"] == "FR") & terr["id"].isin(with_data)]
    order = {lvl: i for i, lvl in enumerate(SCENARIO_LEVELS)} | {
        lvl: len(SCENARIO_LEVELS) + i
        for i, lvl in enumerate(sorted(set(terr.loc[offered, "level"]) - set(SCENARIO_LEVELS)))
    }
    pickable = (
        pickable.assign(_o=pickable["level"].map(order))
        .sort_values(["_o", "name"])
        .drop(columns=["_o", "country", "parent_id", "population"])
        .reset_index(drop=True)
    )
    base_sources = set(OFFICIAL_SOURCES) if not regional.empty else set(BASELINE_SOURCES)
    source_ids = tuple(sorted(sources | base_sources | {"gtec-scenario-sensitivities"}))
    return ScenarioBase(inputs, members, pickable, baseline[["id", "label_fr", "label_en"]], source_ids)


def with_custom(base: ScenarioBase, customs: Sequence[tuple[str, str, Sequence[str]]]) -> ScenarioBase:
    """``base`` plus saved custom territories made of EPCIs: ``(id, name, epci ids)``.

    A custom territory counts each member EPCI whole (share 1), so its results are the sum of its parts, like
    a built basin. Customs without any EPCI that has data are left out.
    """
    known = set(base.inputs.territory_ids)
    rows: list[dict[str, object]] = []
    terr: list[dict[str, object]] = []
    for tid, name, members in customs:
        kept = [m for m in members if m in known]
        if not kept:
            continue
        rows.extend({"parent_id": tid, "child_id": m, "share": 1.0} for m in kept)
        terr.append(
            {"id": tid, "code": tid, "name": name, "level": "custom", "departement_id": None, "region_id": None}
        )
    if not rows:
        return base
    members = pd.concat([base.members, pd.DataFrame(rows)], ignore_index=True)
    territories = pd.concat([base.territories, pd.DataFrame(terr)], ignore_index=True)
    return dataclasses.replace(base, members=members, territories=territories)
