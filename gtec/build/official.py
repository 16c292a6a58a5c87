"""Official source files: checksum verification, reading through the reader profiles, coverage and loading.

The files live in ``data/sources/<producer>/...`` and are listed in ``data/sources/SHA256SUMS``. Each is
declared once in :data:`SOURCE_FILES` (source id, path, profile, territory level) and, with its producer,
vintage, licence and status, in ``data/manifest.d/official.toml``. The build:

1. :func:`read_sources` verifies every file (missing, altered or malformed -> :class:`SourceFileError` naming
   the file and the problem, before anything is written: the previous store stays as it is) and reads it
   with its profile (:mod:`gtec.build.readers`);
2. the geography step dissolves communes into zones d'emploi and BMO bassins (:func:`zonings`);
3. :func:`load_official` writes the official indicators at the levels each source publishes, summed upward
   only where the sum is exact (counts; rates recomputed from summed counts), the quarterly series, the BMO
   detail, the *Métiers 2030* regional table and the basin overlaps, and returns the coverage report (rows
   read, territories matched, codes not matched, secret cells). More than :data:`MAX_UNMATCHED_SHARE` of a
   source's codes failing to join fails the build.

Length: over 500 lines on purpose: one declaration per source file (:data:`SOURCE_FILES`) and the loading steps that
share its coverage bookkeeping read best together; the per-format parsing is in :mod:`gtec.build.readers`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gtec.build import readers
from gtec.build.geography import Zoning
from gtec.core import config

Progress = Callable[[str, float], None]

#: A source whose codes fail to join a territory for more than this share of its rows fails the build.
MAX_UNMATCHED_SHARE = 0.02
ZE_LEVEL, ZE_PREFIX = "zone_emploi", "FR-ZE-"
BMO_LEVEL, BMO_PREFIX = "bmo_bassin", "FR-BMO-"


class SourceFileError(ValueError):
    """An official source file is missing, altered or malformed. The message names the file."""


@dataclass(frozen=True)
class SourceFile:
    """One official file: its source id (``sources`` row), path under ``data/sources/``, reader profile and
    the territory level its codes join to."""

    source_id: str
    path: str
    profile: str
    level: str


SOURCE_FILES: tuple[SourceFile, ...] = (
    SourceFile("insee-pl2023", "insee/donnees_communes_PL2023.csv", "insee_legal_population", "commune"),
    SourceFile("insee-rp2018-comparateur", "insee/base_cc_comparateur_csv.zip", "insee_comparateur", "commune"),
    SourceFile("insee-tcl-dep", "insee/sl_etc_2025T3.xls", "insee_localised_unemployment_dep", "departement"),
    SourceFile("insee-tcl-ze", "insee/chomage-zone-t1-2003-t3-2023.xlsx", "insee_localised_unemployment_ze", ZE_LEVEL),
    SourceFile("insee-ze2020-composition", "insee/ZE2020_au_01-01-2023.xlsx", "insee_ze_composition", "commune"),
    SourceFile("ft-bmo-2025-open-data", "france-travail/Base_open_data_BMO_2025.xlsx", "ft_bmo", BMO_LEVEL),
    SourceFile("ft-bassins-be19", "france-travail/lexique-bassins.csv", "ft_bassins_lexique", "commune"),
    SourceFile(
        "dares-apprentissage-dep", "dares/apprentissage_departements_2017_2022.csv", "dares_barometre", "departement"
    ),
    SourceFile("dares-apprentissage-national", "dares/apprentissage_national.csv", "dares_barometre", "country"),
    SourceFile("dares-metiers-2030-regions-file", "dares/metiers_2030_regions.json", "metiers_2030_regions", "region"),
    SourceFile("ons-lfs-itl1-2022q3", "ons/uk_itl1_labour_2022Q3.csv", "lfs_regions", "uk_itl1"),
    SourceFile("statbel-lfs-2023", "statbel/be_nuts2_labour_2023.csv", "lfs_regions", "be_province"),
)

#: Indicators added by the official sources (the others come from data/indicators.csv). Same columns as
#: the ``indicators`` table.
INDICATORS: tuple[dict[str, Any], ...] = (
    {
        "id": "salaried_jobs",
        "label_fr": "Emplois salariés",
        "label_en": "Salaried jobs",
        "unit_fr": "emplois",
        "unit_en": "jobs",
        "description_fr": "Emplois salariés au lieu de travail (recensement).",
        "description_en": "Salaried jobs at place of work (census).",
        "kind": "count",
        "aggregation": "sum",
        "denominator_indicator": "employment",
        "rate_per": 100,
        "polarity": "neutral",
    },
    {
        "id": "unemployed_15_64",
        "label_fr": "Chômeurs de 15 à 64 ans (recensement)",
        "label_en": "Unemployed aged 15-64 (census)",
        "unit_fr": "personnes",
        "unit_en": "people",
        "description_fr": "Personnes de 15 à 64 ans qui se déclarent au chômage au recensement.",
        "description_en": "People aged 15-64 who declare themselves unemployed in the census.",
        "kind": "count",
        "aggregation": "sum",
        "denominator_indicator": "active_population",
        "rate_per": 100,
        "polarity": "higher_worse",
    },
    {
        "id": "census_unemployment_rate",
        "label_fr": "Taux de chômage (recensement)",
        "label_en": "Unemployment rate (census)",
        "unit_fr": "%",
        "unit_en": "%",
        "description_fr": "Chômeurs de 15-64 ans / actifs de 15-64 ans au recensement. Mesure différente du taux "
        "de chômage localisé (BIT) : ne pas les comparer.",
        "description_en": "Unemployed aged 15-64 / labour force aged 15-64 in the census. A different measure from "
        "the localised (ILO) unemployment rate: do not compare them.",
        "kind": "rate",
        "aggregation": "weighted_mean",
        "weight_indicator": "active_population",
        "rate_per": 100,
        "polarity": "higher_worse",
    },
    {
        "id": "hiring_seasonal_share",
        "label_fr": "Recrutements saisonniers",
        "label_en": "Seasonal hiring projects",
        "unit_fr": "%",
        "unit_en": "%",
        "description_fr": "Part des projets de recrutement qui sont saisonniers (enquête BMO).",
        "description_en": "Share of hiring projects that are seasonal (BMO survey).",
        "kind": "rate",
        "aggregation": "weighted_mean",
        "weight_indicator": "hiring_projects",
        "rate_per": 100,
        "polarity": "neutral",
    },
    {
        "id": "employment_rate_16_64",
        "label_fr": "Taux d'emploi des 16-64 ans",
        "label_en": "Employment rate, aged 16-64",
        "unit_fr": "%",
        "unit_en": "%",
        "description_fr": "Part des 16-64 ans qui ont un emploi (enquête Emploi britannique).",
        "description_en": "Share of people aged 16-64 in work (UK Labour Force Survey).",
        "kind": "rate",
        "aggregation": "none",
        "rate_per": 100,
        "polarity": "higher_better",
    },
    {
        "id": "inactivity_rate_16_64",
        "label_fr": "Taux d'inactivité des 16-64 ans",
        "label_en": "Economic inactivity rate, aged 16-64",
        "unit_fr": "%",
        "unit_en": "%",
        "description_fr": "Part des 16-64 ans ni en emploi ni au chômage (enquête Emploi britannique).",
        "description_en": "Share of people aged 16-64 neither in work nor unemployed (UK Labour Force Survey).",
        "kind": "rate",
        "aggregation": "none",
        "rate_per": 100,
        "polarity": "higher_worse",
    },
    {
        "id": "employment_rate_20_64",
        "label_fr": "Taux d'emploi des 20-64 ans",
        "label_en": "Employment rate, aged 20-64",
        "unit_fr": "%",
        "unit_en": "%",
        "description_fr": "Part des 20-64 ans qui ont un emploi (enquête sur les forces de travail, Statbel).",
        "description_en": "Share of people aged 20-64 in work (labour force survey, Statbel).",
        "kind": "rate",
        "aggregation": "none",
        "rate_per": 100,
        "polarity": "higher_better",
    },
)
_INDICATOR_COLS = (
    "id",
    "label_fr",
    "label_en",
    "unit_fr",
    "unit_en",
    "description_fr",
    "description_en",
    "kind",
    "aggregation",
    "weight_indicator",
    "denominator_indicator",
    "rate_per",
    "polarity",
)
#: Census counts summed from communes to every French level (exact sums).
CENSUS_COUNTS: tuple[str, ...] = tuple(readers.COMPARATEUR_COLUMNS.values())


@dataclass
class Coverage:
    """What the build read from one source file and how its codes joined the territories."""

    source_id: str
    path: str
    level: str
    rows_read: int
    territories_matched: int = 0
    codes_unmatched: list[str] = field(default_factory=list)
    secret_cells: int = 0
    note: str = ""


@dataclass
class OfficialData:
    """The verified, read source files: ``frames[source_id]`` (tidy or detail frames), ``hashes``."""

    source_dir: Path
    frames: dict[str, pd.DataFrame]
    hashes: dict[str, tuple[str, int]]


def _noop(_step: str, _fraction: float) -> None:
    return None


def source_dir() -> Path:
    """``data/sources/`` of the repository."""
    return config.CURATED_DIR / "sources"


def read_checksums(directory: Path) -> dict[str, str]:
    """``SHA256SUMS`` as ``{relative path: hex digest}`` (``sha256sum`` format, ``./`` prefixes removed)."""
    path = directory / "SHA256SUMS"
    if not path.exists():
        raise SourceFileError(f"{path}: checksum list missing")
    sums: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        if len(parts) != 2 or len(parts[0]) != 64:
            raise SourceFileError(f"{path}, line {n}: not '<sha256>  <path>'")
        sums[parts[1].strip().lstrip("*").removeprefix("./")] = parts[0].lower()
    return sums


def verify_sources(directory: Path | None = None) -> dict[str, tuple[str, int]]:
    """Check every declared file against ``SHA256SUMS``. Returns ``{path: (sha256, bytes)}``.

    Raises :class:`SourceFileError` naming the file when it is missing, not listed, or altered.
    """
    directory = directory or source_dir()
    sums = read_checksums(directory)
    out: dict[str, tuple[str, int]] = {}
    for sf in SOURCE_FILES:
        path = directory / sf.path
        if not path.exists():
            raise SourceFileError(f"data/sources/{sf.path}: file missing (source {sf.source_id})")
        expected = sums.get(sf.path)
        if expected is None:
            raise SourceFileError(f"data/sources/{sf.path}: not listed in data/sources/SHA256SUMS")
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected:
            raise SourceFileError(
                f"data/sources/{sf.path}: checksum mismatch, the file was altered "
                f"(sha256 {digest[:12]}..., expected {expected[:12]}...)"
            )
        out[sf.path] = (digest, len(data))
    return out


def read_sources(directory: Path | None = None) -> OfficialData:
    """Verify and read every source file with its profile. Raises :class:`SourceFileError` on any problem."""
    directory = directory or source_dir()
    hashes = verify_sources(directory)

    def read(sf: SourceFile) -> pd.DataFrame:
        path = directory / sf.path
        try:
            if sf.profile == "ft_bmo":
                frame = readers.read_ft_bmo_rows(path)
            else:
                frame = readers.PROFILES_BY_NAME[sf.profile].reader(path)
        except readers.SourceFormatError as exc:
            raise SourceFileError(f"data/sources/{sf.path}: malformed ({exc})") from exc
        if frame.empty:
            raise SourceFileError(f"data/sources/{sf.path}: malformed (no rows read with profile {sf.profile})")
        return frame

    # Two readers at once: the spreadsheet and CSV parsers release the GIL for much of their work (2 cores).
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {sf.source_id: pool.submit(read, sf) for sf in SOURCE_FILES}
        frames: dict[str, pd.DataFrame] = {sid: f.result() for sid, f in futures.items()}
    return OfficialData(directory, frames, hashes)


def zonings(data: OfficialData) -> list[Zoning]:
    """The two basin levels built by the geography step: zones d'emploi 2020 and BMO bassins."""
    bmo = data.frames["ft-bmo-2025-open-data"]
    extra = bmo.drop_duplicates("bassin").rename(columns={"bassin": "zone", "bassin_name": "zone_name"})
    return [
        Zoning(ZE_LEVEL, ZE_PREFIX, data.frames["insee-ze2020-composition"], "insee-ze2020-composition"),
        Zoning(BMO_LEVEL, BMO_PREFIX, data.frames["ft-bassins-be19"], "ft-bassins-be19", extra[["zone", "zone_name"]]),
    ]


# ----------------------------------------------------------------------------------------------------------
# Territory joins and exact aggregation
# ----------------------------------------------------------------------------------------------------------


def _territories(conn: sqlite3.Connection) -> pd.DataFrame:
    cur = conn.execute("SELECT id, code, name, level, country, parent_id, departement_id, region_id FROM territories")
    return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def commune_parents(conn: sqlite3.Connection, terr: pd.DataFrame) -> pd.DataFrame:
    """``commune_id``, ``parent_id`` for every French aggregate a commune belongs to wholly: its EPCI, its
    département, région and France, the project basins of its EPCI, its zone d'emploi and BMO bassin."""
    com = terr.loc[terr["level"] == "commune"]
    epci_ids = set(terr.loc[terr["level"] == "epci", "id"])
    parts = [
        pd.DataFrame({"commune_id": com["id"], "parent_id": com["parent_id"].where(com["parent_id"].isin(epci_ids))}),
        pd.DataFrame({"commune_id": com["id"], "parent_id": com["departement_id"]}),
        pd.DataFrame({"commune_id": com["id"], "parent_id": com["region_id"]}),
        pd.DataFrame({"commune_id": com["id"], "parent_id": "FR"}),
    ]
    mem = pd.read_sql_query("SELECT parent_id, child_id FROM memberships", conn)
    com_ids = set(com["id"])
    parts.append(
        mem.loc[mem["child_id"].isin(com_ids)].rename(columns={"child_id": "commune_id"})[["commune_id", "parent_id"]]
    )
    basin_epci = mem.loc[mem["child_id"].isin(epci_ids)]
    via = com[["id", "parent_id"]].merge(basin_epci, left_on="parent_id", right_on="child_id", suffixes=("", "_b"))
    parts.append(pd.DataFrame({"commune_id": via["id"], "parent_id": via["parent_id_b"]}))
    out = pd.concat(parts, ignore_index=True).dropna()
    return out.loc[out["parent_id"].isin(set(terr["id"]))].drop_duplicates().reset_index(drop=True)


def resolve_communes(codes: pd.Series, conn: sqlite3.Connection, terr: pd.DataFrame) -> pd.Series:
    """Commune codes of any recent COG -> current commune territory ids (``FR-COM-...``); None if unknown.

    A code that is now a delegated or associated commune or an arrondissement maps to its current commune.
    """
    current = set(terr.loc[terr["level"] == "commune", "code"])
    succ = dict(conn.execute("SELECT code, successor FROM commune_successors").fetchall())
    mapped = codes.where(codes.isin(current), codes.map(succ))
    return ("FR-COM-" + mapped).where(mapped.notna(), None)


def resolve_codes(codes: pd.Series, level: str, terr: pd.DataFrame) -> pd.Series:
    """Codes of a level -> territory ids (None when no territory of that level has the code)."""
    sub = terr.loc[terr["level"] == level]
    by_code = dict(zip(sub["code"], sub["id"], strict=True))
    if level in ("country",):
        by_code = {"FR": "FR"}
    out = codes.map(by_code)
    if level == "uk_itl1":
        out = out.where(out.notna(), codes.map({"UK": "UK"}))
    if level == "be_province":
        out = out.where(out.notna(), codes.map({"BE": "BE"}))
    return out.astype(object).where(out.notna(), None)


def sum_communes(values: pd.DataFrame, parents: pd.DataFrame) -> pd.DataFrame:
    """Exact sums of commune counts into every parent (pure).

    ``values``: ``territory_id`` (commune), ``indicator``, ``value`` (NaN = missing). Returns
    ``territory_id``, ``indicator``, ``value``, ``flag``: NaN when no member commune has a value, else the
    sum of the known ones flagged ``partial`` when some member communes have none (Mayotte in France).
    """
    n_members = parents.groupby("parent_id")["commune_id"].nunique()
    df = parents.merge(values, left_on="commune_id", right_on="territory_id", how="inner")
    g = df.groupby(["parent_id", "indicator"])["value"]
    res = pd.DataFrame({"value": g.sum(min_count=1), "n": g.count()}).reset_index()
    res["flag"] = np.where(res["n"] < res["parent_id"].map(n_members), "partial", None)  # type: ignore[call-overload]
    res.loc[res["value"].isna(), "flag"] = None
    return res.rename(columns={"parent_id": "territory_id"})[["territory_id", "indicator", "value", "flag"]]


def _norm_name(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in ascii_ if ch.isalnum())


def family_of_domain(conn: sqlite3.Connection) -> dict[str, str]:
    """FAP 2009 domain letter -> project family id, from ``occupation_families.fap_domains``."""
    out: dict[str, str] = {}
    for fid, domains in conn.execute("SELECT id, fap_domains FROM occupation_families ORDER BY id"):
        for d in str(domains or "").split():
            out.setdefault(d.strip().upper(), fid)
    return out


# ----------------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------------


class _Writer:
    """Collects indicator rows, keeps the first value of each key (curated official national figures win)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.existing = {
            f"{t}|{i}|{y}" for t, i, y in conn.execute("SELECT territory_id, indicator_id, year FROM indicator_values")
        }
        self.frames: list[pd.DataFrame] = []
        self.period_frames: list[pd.DataFrame] = []
        self.kept_existing = 0

    def add(self, df: pd.DataFrame, source_id: str, year: int | None = None) -> None:
        """``df``: territory_id, indicator, value, optional year, period, flag."""
        df = df.dropna(subset=["territory_id"])
        n = len(df)
        frame = pd.DataFrame(
            {
                "territory_id": df["territory_id"].to_numpy(dtype=object),
                "indicator_id": df["indicator"].to_numpy(dtype=object),
                "year": (df["year"].to_numpy() if "year" in df else np.full(n, year)).astype(int),
                "value": df["value"].to_numpy(dtype=float),
                "source_id": source_id,
                "period": df["period"].to_numpy(dtype=object) if "period" in df else np.full(n, None, dtype=object),
                "flag": df["flag"].to_numpy(dtype=object) if "flag" in df else np.full(n, None, dtype=object),
            }
        )
        triples = zip(
            frame["territory_id"].tolist(), frame["indicator_id"].tolist(), frame["year"].tolist(), strict=True
        )
        keys = [f"{t}|{i}|{y}" for t, i, y in triples]
        seen = np.zeros(n, dtype=bool)
        for k, key in enumerate(keys):
            if key in self.existing:
                seen[k] = True
            else:
                self.existing.add(key)
        self.kept_existing += int(seen.sum())
        self.frames.append(frame.loc[~seen])

    def add_periods(self, df: pd.DataFrame, source_id: str) -> None:
        """``df``: territory_id, indicator, period, value (quarterly ``YYYY-Tn`` or partial ``YYYY-01/YYYY-MM``)."""
        df = df.dropna(subset=["territory_id"])
        period = df["period"].astype(str)
        quarter = pd.to_numeric(period.str.extract(r"-T([1-4])$", expand=False), errors="coerce")
        self.period_frames.append(
            pd.DataFrame(
                {
                    "territory_id": df["territory_id"].to_numpy(dtype=object),
                    "indicator_id": df["indicator"].to_numpy(dtype=object),
                    "period": period.to_numpy(dtype=object),
                    "year": period.str[:4].astype(int).to_numpy(),
                    "quarter": quarter.to_numpy(dtype=float),
                    "value": df["value"].to_numpy(dtype=float),
                    "source_id": source_id,
                }
            )
        )

    def flush(self) -> tuple[int, int]:
        values = pd.concat(self.frames, ignore_index=True) if self.frames else pd.DataFrame()
        periods = pd.concat(self.period_frames, ignore_index=True) if self.period_frames else pd.DataFrame()
        self.conn.executemany(
            "INSERT INTO indicator_values (territory_id, indicator_id, year, value, source_id, period, flag)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            _records(values),
        )
        self.conn.executemany(
            "INSERT INTO indicator_periods (territory_id, indicator_id, period, year, quarter, value, source_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            _records(periods),
        )
        return len(values), len(periods)


def _records(df: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows for ``executemany``: NaN -> None, numpy scalars -> Python (object columns keep None)."""
    if df.empty:
        return []
    cols = []
    for c in df.columns:
        arr = df[c].to_numpy(dtype=object)
        if df[c].dtype.kind == "f":
            arr = np.where(np.isnan(df[c].to_numpy(dtype=float)), None, df[c].to_numpy(dtype=float).tolist())
            if c in ("year", "quarter"):
                arr = np.array([None if v is None else int(v) for v in arr], dtype=object)
        elif df[c].dtype.kind in "iu":
            arr = np.array(df[c].to_numpy().tolist(), dtype=object)
        else:
            arr = np.array([v if isinstance(v, str) else None for v in arr], dtype=object)
        cols.append(arr.tolist())
    return list(zip(*cols, strict=True))


def _coverage(sf: SourceFile, frame: pd.DataFrame, codes: pd.Series, ids: pd.Series, secret: int = 0) -> Coverage:
    missing = pd.Series(ids).isna().to_numpy()
    unmatched = sorted(set(pd.Series(codes).to_numpy(dtype=object)[missing].astype(str)))
    return Coverage(
        sf.source_id,
        sf.path,
        sf.level,
        rows_read=len(frame),
        territories_matched=int(pd.Series(ids).dropna().nunique()),
        codes_unmatched=unmatched,
        secret_cells=secret,
    )


def _check_share(cov: Coverage, codes: pd.Series) -> None:
    distinct = codes.dropna().nunique()
    if distinct and len(cov.codes_unmatched) > MAX_UNMATCHED_SHARE * distinct:
        raise SourceFileError(
            f"data/sources/{cov.path}: {len(cov.codes_unmatched)} of {distinct} codes join no {cov.level} "
            f"territory (more than {MAX_UNMATCHED_SHARE:.0%}): {' '.join(cov.codes_unmatched[:20])}"
        )


def _latest_per_year(tidy: pd.DataFrame) -> pd.DataFrame:
    """For a quarterly series: per territory and year the latest quarter (its ``period`` is kept)."""
    df = tidy.assign(year=tidy["period"].str[:4].astype(int))
    return df.sort_values("period").drop_duplicates(["territory_id", "indicator", "year"], keep="last")


def load_official(
    conn: sqlite3.Connection,
    data: OfficialData,
    progress: Progress | None = None,
    geo_report: dict[str, Any] | None = None,
) -> tuple[dict[str, int], list[Coverage]]:
    """Write the official indicators and tables; returns (counts, coverage per source file).

    Expects geography (with the zone levels) and curated steps done on ``conn`` (sources, catalogue,
    occupation families); runs in the caller's transaction. Values already present (the curated official
    national figures) are kept. Raises :class:`SourceFileError` when too many codes of a source fail to join.
    """
    progress = progress or _noop
    progress("build.step.official", 0.7)
    geo_report = geo_report or {}
    by_id = {sf.source_id: sf for sf in SOURCE_FILES}
    conn.executemany(
        f"INSERT OR IGNORE INTO indicators ({', '.join(_INDICATOR_COLS)})"
        f" VALUES ({', '.join('?' for _ in _INDICATOR_COLS)})",
        [tuple(ind.get(c) for c in _INDICATOR_COLS) for ind in INDICATORS],
    )
    terr = _territories(conn)
    parents = commune_parents(conn, terr)
    partial_build = not (terr["level"] == "commune").sum() > 30_000
    writer = _Writer(conn)
    coverage: list[Coverage] = []

    def check(cov: Coverage, codes: pd.Series) -> None:
        if not partial_build:
            _check_share(cov, codes)
        coverage.append(cov)

    # Commune counts: legal population 2023, census 2018.
    pop2023 = pd.DataFrame()
    for sid, year in (("insee-pl2023", 2023), ("insee-rp2018-comparateur", 2018)):
        sf, tidy = by_id[sid], data.frames[sid]
        ids = resolve_communes(tidy["code"], conn, terr)
        cov = _coverage(sf, tidy, tidy["code"], ids, int(tidy["secret"].sum()))
        check(cov, tidy["code"])
        vals = tidy.assign(territory_id=ids).dropna(subset=["territory_id"])
        vals = vals.groupby(["territory_id", "indicator"], as_index=False)["value"].sum(min_count=1)
        sums = sum_communes(vals, parents)
        if sid == "insee-rp2018-comparateur":
            wide = pd.concat([vals.assign(flag=None), sums]).pivot_table(
                index="territory_id", columns="indicator", values="value", aggfunc="first"
            )
            rate = (100.0 * wide["unemployed_15_64"] / wide["active_population"]).where(wide["active_population"] > 0)
            flags = sums.loc[sums["indicator"] == "active_population"].set_index("territory_id")["flag"]
            rates = pd.DataFrame(
                {"territory_id": rate.index, "indicator": "census_unemployment_rate", "value": rate.round(2)}
            )
            rates["flag"] = rates["territory_id"].map(flags)
            sums = pd.concat([sums, rates], ignore_index=True)
        else:
            pop2023 = vals
        writer.add(pd.concat([vals.assign(flag=None), sums], ignore_index=True), sid, year)

    # Localised unemployment rates (quarterly): départements and zones d'emploi.
    for sid in ("insee-tcl-dep", "insee-tcl-ze"):
        sf, tidy = by_id[sid], data.frames[sid]
        ids = resolve_codes(tidy["code"], sf.level, terr)
        check(_coverage(sf, tidy, tidy["code"], ids), tidy["code"])
        q = tidy.assign(territory_id=ids).dropna(subset=["territory_id"])
        writer.add_periods(q, sid)
        writer.add(_latest_per_year(q), sid)

    # BMO 2025: bassins, summed by the département and région of each row, and France.
    sf, rows = by_id["ft-bmo-2025-open-data"], data.frames["ft-bmo-2025-open-data"]
    secret = int(rows[["projects_secret", "difficult_secret", "seasonal_secret"]].to_numpy().sum())
    bassin_ids = resolve_codes(rows["bassin"], BMO_LEVEL, terr)
    check(_coverage(sf, rows, rows["bassin"], bassin_ids, secret), rows["bassin"])
    no_geo = set(geo_report.get(BMO_LEVEL, {}).get("zones_without_geometry", []))
    if no_geo:
        coverage[-1].note = "without boundary: " + " ".join(sorted(no_geo))
    bmo = rows.assign(bassin_id=bassin_ids, departement_id=resolve_codes(rows["departement"], "departement", terr))
    bmo = bmo.assign(region_id=resolve_codes(rows["region"], "region", terr), country="FR")
    for key in ("bassin_id", "departement_id", "region_id", "country"):
        tidy = readers.bmo_tidy(bmo.dropna(subset=[key]), key)
        wide = tidy.pivot_table(index="code", columns="indicator", values="value", aggfunc="first")
        low = tidy.pivot_table(index="code", columns="indicator", values="secret", aggfunc="first").astype(bool)
        out = [
            pd.DataFrame(
                {
                    "territory_id": wide.index,
                    "indicator": "hiring_projects",
                    "value": wide["hiring_projects"],
                    "flag": np.where(low["hiring_projects"], "lower_bound", None),  # type: ignore[call-overload]
                }
            )
        ]
        for num, ind in (("hiring_difficult", "hiring_difficult_share"), ("hiring_seasonal", "hiring_seasonal_share")):
            share = (100.0 * wide[num] / wide["hiring_projects"]).where(wide["hiring_projects"] > 0).round(1)
            partial = low[num] | low["hiring_projects"]
            out.append(
                pd.DataFrame(
                    {
                        "territory_id": wide.index,
                        "indicator": ind,
                        "value": share,
                        "flag": np.where(partial, "partial", None),  # type: ignore[call-overload]
                    }
                )
            )
        writer.add(pd.concat(out, ignore_index=True), sf.source_id, 2025)
    fam = family_of_domain(conn)
    detail = bmo.dropna(subset=["bassin_id"]).drop_duplicates(["bassin_id", "met_code", "departement_id"])
    conn.executemany(
        "INSERT INTO bmo_occupations (bassin_id, met_code, met_label, bmo_family, bmo_family_label, fap_domain,"
        " family_id, departement_id, projects, difficult, seasonal, projects_secret, difficult_secret,"
        " seasonal_secret, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.bassin_id,
                r.met_code,
                r.met_label,
                r.bmo_family,
                r.bmo_family_label,
                r.fap_domain,
                fam.get(r.fap_domain),
                r.departement_id,
                None if pd.isna(r.projects) else float(r.projects),
                None if pd.isna(r.difficult) else float(r.difficult),
                None if pd.isna(r.seasonal) else float(r.seasonal),
                int(r.projects_secret),
                int(r.difficult_secret),
                int(r.seasonal_secret),
                sf.source_id,
            )
            for r in detail.itertuples()
        ],
    )

    # Apprenticeship: départements summed to régions; France from the national file; 2022 is a partial year.
    for sid in ("dares-apprentissage-dep", "dares-apprentissage-national"):
        sf, tidy = by_id[sid], data.frames[sid]
        ids = resolve_codes(tidy["code"], sf.level, terr)
        check(_coverage(sf, tidy, tidy["code"], ids), tidy["code"])
        vals = tidy.assign(territory_id=ids).dropna(subset=["territory_id"])
        full = vals.loc[vals["period"].str.fullmatch(r"\d{4}")].assign(year=lambda d: d["period"].astype(int))
        part = vals.loc[~vals["period"].str.fullmatch(r"\d{4}")]
        if sid == "dares-apprentissage-dep":
            reg = terr.set_index("id")["region_id"]
            for frame, add in ((full, "year"), (part, "period")):
                r = frame.assign(territory_id=frame["territory_id"].map(reg)).dropna(subset=["territory_id"])
                r = r.groupby(["territory_id", "indicator", add], as_index=False)["value"].sum(min_count=1)
                if add == "year":
                    writer.add(r.drop(columns=[]), sid)
                else:
                    writer.add_periods(r, sid)
        writer.add(full.drop(columns=["period"]), sid)
        writer.add_periods(part, sid)

    # UK ITL1 and Belgium (Statbel): as published, one period each.
    for sid in ("ons-lfs-itl1-2022q3", "statbel-lfs-2023"):
        sf, tidy = by_id[sid], data.frames[sid]
        ids = resolve_codes(tidy["code"], sf.level, terr)
        cov = _coverage(sf, tidy, tidy["code"], ids)
        cov.note = "context rows (England, NUTS1 regions) have no territory"
        coverage.append(cov)  # small tables: unmatched context rows are expected, never fatal
        vals = tidy.assign(territory_id=ids, year=tidy["period"].str[:4].astype(int)).dropna(subset=["territory_id"])
        vals["period"] = vals["period"].where(~vals["period"].str.fullmatch(r"\d{4}"), None)
        writer.add(vals, sid)

    # Les métiers en 2030, regional file.
    sf, met = by_id["dares-metiers-2030-regions-file"], data.frames["dares-metiers-2030-regions-file"]
    regions = terr.loc[terr["level"] == "region"]
    by_name = {_norm_name(n): i for n, i in zip(regions["name"], regions["id"], strict=True)}
    ids = met["region_name"].map(lambda n: by_name.get(_norm_name(n)))
    check(_coverage(sf, met, met["region_name"], ids), met["region_name"])
    met = met.assign(region_id=ids, family_id=met["fap_domain"].map(fam)).dropna(subset=["region_id"])
    cols = ["employment_2019", "creation", "departures", "young_entrants", "mobility", "imbalance", "openings"]
    conn.executemany(
        f"INSERT OR IGNORE INTO metiers_2030_regions (region_id, fap_code, fap_label, family_id, {', '.join(cols)},"
        f" source_id) VALUES ({', '.join('?' for _ in range(5 + len(cols)))})",
        [
            (r["region_id"], r["fap_code"], r["fap_label"], r["family_id"], *(_num(r[c]) for c in cols), sf.source_id)
            for r in met.to_dict("records")
        ],
    )

    # Zonings read by the geography step.
    for sid, level in (("insee-ze2020-composition", ZE_LEVEL), ("ft-bassins-be19", BMO_LEVEL)):
        sf, table = by_id[sid], data.frames[sid]
        rep = geo_report.get(level, {})
        cov = Coverage(
            sid,
            sf.path,
            level,
            rows_read=len(table),
            territories_matched=int(rep.get("zones", 0)),
            codes_unmatched=list(rep.get("codes_unmatched", [])),
        )
        left = rep.get("communes_without_zone", [])
        if left:
            cov.note = f"{len(left)} current communes without a zone: {' '.join(left)}"
        check(cov, table["code"])

    n_values, n_periods = writer.flush()
    n_overlaps = _basin_overlaps(conn, terr, parents, pop2023)
    _record_files(conn, data, coverage)
    counts = {
        "values_official": n_values,
        "period_values": n_periods,
        "bmo_occupations": len(detail),
        "metiers_2030_rows": len(met),
        "basin_overlaps": n_overlaps,
        "official_kept_existing": writer.kept_existing,
    }
    return counts, coverage


def _num(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _basin_overlaps(conn: sqlite3.Connection, terr: pd.DataFrame, parents: pd.DataFrame, pop: pd.DataFrame) -> int:
    """Share of each project basin's 2023 population inside each zone d'emploi and BMO bassin."""
    level = terr.set_index("id")["level"]
    p = parents.assign(level=parents["parent_id"].map(level))
    basin = p.loc[p["level"] == "basin", ["commune_id", "parent_id"]].rename(columns={"parent_id": "basin_id"})
    zone = p.loc[p["level"].isin([ZE_LEVEL, BMO_LEVEL]), ["commune_id", "parent_id", "level"]]
    if basin.empty or zone.empty or pop.empty:
        return 0
    popc = pop.loc[pop["indicator"] == "population"].set_index("territory_id")["value"]
    df = basin.merge(zone, on="commune_id").assign(pop=lambda d: d["commune_id"].map(popc))
    g = df.groupby(["basin_id", "parent_id", "level"], as_index=False)["pop"].sum(min_count=1)
    total = basin.assign(pop=basin["commune_id"].map(popc)).groupby("basin_id")["pop"].sum(min_count=1)
    g["share"] = (100.0 * g["pop"] / g["basin_id"].map(total)).round(2)
    conn.executemany(
        "INSERT INTO basin_overlaps (basin_id, zone_id, zone_level, population, population_share, source_id)"
        " VALUES (?, ?, ?, ?, ?, 'insee-pl2023')",
        [(r.basin_id, r.parent_id, r.level, _num(r.pop), _num(r.share)) for r in g.itertuples()],
    )
    return len(g)


def _record_files(conn: sqlite3.Connection, data: OfficialData, coverage: Iterable[Coverage]) -> None:
    by_id = {sf.source_id: sf for sf in SOURCE_FILES}
    conn.executemany(
        "INSERT INTO source_files (source_id, path, sha256, bytes, profile, level, rows_read, territories_matched,"
        " codes_unmatched, secret_cells) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                c.source_id,
                c.path,
                data.hashes[c.path][0],
                data.hashes[c.path][1],
                by_id[c.source_id].profile,
                c.level,
                c.rows_read,
                c.territories_matched,
                " ".join(c.codes_unmatched),
                c.secret_cells,
            )
            for c in coverage
        ],
    )
