"""Training output against needs, per occupation family, for one territory (pure; SQL parameterised).

For a territory (its communes, :func:`gtec.training.places.territory_communes`) and a foresight scenario:

- training output per year = the trainings placed there (copies in the file counted once), leavers where given,
  else places (a capacity, so an upper bound); a range counts for its midpoint; a training whose codes map to
  several families is split equally between them; by route and by level;
- young entrants from the offer = school leavers x insertion of the school route + apprentices x insertion of
  apprentices, times the share staying in the territory (the scenario's settings); continuing education is
  counted in the output but is not young entrants (mostly adults already in work);
- openings and the default young entrants from the scenario engine (:mod:`gtec.scenarios.engine`);
- BMO hiring projects and the share judged difficult, summed by family (France Travail, official; secret cells
  left out and flagged, so a sum is then a lower bound);
- companies' declared needs when a reader gives them (else missing, never zero);
- the gap = openings - young entrants from the offer, ranked largest shortfall first; the coverage
  (entrants / openings) classes a family as ``short`` (< :data:`SHORT_BELOW` %), ``over`` (> :data:`OVER_ABOVE` %)
  or ``balanced``; a family the offer lists no training for is ``none_listed`` (ranked after those it lists).
  Nationally young entrants fill about 84 % of openings (640,000 of 760,000 a year, *Les métiers
  en 2030*): below half, the territory trains clearly too few for its openings; above 120 %, more than it will
  hire, unless its young people leave.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gtec.scenarios.engine import OfferLeavers
from gtec.storage.reference import ReferenceConnection
from gtec.territories.occupations import SOURCE_ID as BMO_SOURCE
from gtec.territories.occupations import bassin_for

SHORT_BELOW = 50.0
OVER_ABOVE = 120.0
ROUTES_SHOWN: tuple[str, ...] = ("school", "apprenticeship", "continuing", "unknown")
LEVELS_SHOWN: tuple[str, ...] = ("3", "4", "5", "6", "7", "8", "unknown")
GAP_CLASSES: tuple[str, ...] = ("short", "none_listed", "balanced", "over", "no_openings", "no_offer", "offer_off")


@dataclass
class TerritoryOffer:
    """The trainings of one territory: ``trainings`` (one row each, with ``output``, ``basis``), ``by_family``
    (one row per training and family with its ``share`` of the output) and the unmapped ones."""

    trainings: pd.DataFrame
    by_family: pd.DataFrame
    unmapped: pd.DataFrame
    notes: dict[str, float] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.trainings.empty


def territory_offer(rows: pd.DataFrame, communes: Iterable[str]) -> TerritoryOffer:
    """The current offer's rows (:func:`gtec.training.store.rows`) placed in the given communes."""
    ids = {f"FR-COM-{c}" for c in communes}
    keep = rows.loc[rows["duplicate_of"].isna() & rows["commune_id"].isin(ids)].copy() if len(rows) else rows.copy()
    leavers = pd.to_numeric(keep["leavers"], errors="coerce")
    places = pd.to_numeric(keep["places"], errors="coerce")
    keep["output"] = leavers.where(leavers.notna(), places)
    keep["basis"] = np.where(leavers.notna(), "leavers", np.where(places.notna(), "places", "none"))
    keep["route_shown"] = keep["route"].fillna("unknown")
    keep["level_shown"] = keep["level"].map(lambda v: str(int(v)) if pd.notna(v) else "unknown")
    mapped = keep.loc[keep["families"].map(len) > 0]
    exploded = mapped.explode("families").rename(columns={"families": "family_id"})
    if len(exploded):
        exploded["share"] = 1.0 / exploded["row_key"].map(mapped.set_index("row_key")["families"].map(len))
    else:
        exploded["share"] = pd.Series(dtype=float)
    unmapped = keep.loc[keep["families"].map(len) == 0]
    notes = {
        "trainings": float(len(keep)),
        "from_places": float((keep["basis"] == "places").sum()),
        "no_output": float((keep["basis"] == "none").sum()),
        "ranges": float(keep["places_low"].notna().sum()),
        "several_families": float((mapped["families"].map(len) > 1).sum()),
        "unmapped": float(len(unmapped)),
        "unmapped_output": float(unmapped["output"].sum(min_count=1)) if len(unmapped) else 0.0,
        "continuing_output": float(keep.loc[keep["route"] == "continuing", "output"].sum()),
        "unknown_route": float(keep["route"].isna().sum()),
    }
    return TerritoryOffer(keep.reset_index(drop=True), exploded.reset_index(drop=True), unmapped, notes)


def output_by_family(offer: TerritoryOffer, family_ids: Sequence[str]) -> pd.DataFrame:
    """Yearly output per family: ``output`` and one column per route (``route_<r>``) and level (``level_<l>``).
    Families without training have 0 when the territory has an offer, missing (NaN) when it has none."""
    cols = ["output", *(f"route_{r}" for r in ROUTES_SHOWN), *(f"level_{lv}" for lv in LEVELS_SHOWN)]
    out = pd.DataFrame(index=pd.Index(list(family_ids), name="family_id"), columns=cols, dtype=float)
    if offer.empty:
        return out
    src = offer.by_family
    df = pd.DataFrame(
        {
            "family_id": src["family_id"].to_numpy(),
            "route": src["route_shown"].to_numpy(),
            "level": src["level_shown"].to_numpy(),
            "part": (pd.to_numeric(src["output"], errors="coerce") * src["share"]).to_numpy(dtype=float),
        }
    )
    out[:] = 0.0
    if df.empty:
        return out
    out["output"] = df.groupby("family_id")["part"].sum().reindex(out.index).fillna(0.0)
    for dim, values in (("route", ROUTES_SHOWN), ("level", LEVELS_SHOWN)):
        wide = df.pivot_table(index="family_id", columns=dim, values="part", aggfunc="sum", fill_value=0.0)
        wide = wide.reindex(index=out.index, columns=list(values)).fillna(0.0)
        for v in values:
            out[f"{dim}_{v}"] = wide[v].to_numpy(dtype=float)
    return out


def offer_leavers(by_family: pd.DataFrame, source_id: str = "") -> OfferLeavers:
    """Engine input (one territory): the school and apprenticeship output per family of :func:`output_by_family`."""
    school = by_family["route_school"].fillna(0.0).to_numpy(dtype=float)[None, :]
    apprentice = by_family["route_apprenticeship"].fillna(0.0).to_numpy(dtype=float)[None, :]
    return OfferLeavers(school, apprentice, source_id)


def bmo_by_family(conn: ReferenceConnection, territory_id: str) -> tuple[pd.DataFrame, dict[str, object]]:
    """BMO hiring projects and share difficult per family for a territory, and how it was read.

    Bassin-level territories are read through their BMO bassin (:func:`gtec.territories.occupations.bassin_for`:
    the bassin holding most of the population, whose share is returned); a département, région or France through
    the sum of their bassins' rows. Returns (``family_id`` index, ``projects``, ``projects_secret``,
    ``difficult_share`` in %), and ``{"bassin_id", "population_share", "source_id"}``.
    """
    level_row = conn.execute("SELECT level FROM territories WHERE id = ?", (territory_id,)).fetchone()
    level = level_row[0] if level_row else None
    how: dict[str, object] = {"bassin_id": None, "population_share": None, "source_id": BMO_SOURCE}
    if level == "departement":
        where, params = "departement_id = ?", [territory_id]
    elif level == "region":
        where = "departement_id IN (SELECT id FROM territories WHERE level = 'departement' AND region_id = ?)"
        params = [territory_id]
    elif level == "country" and territory_id == "FR":
        where, params = "1 = 1", []
    else:
        bassin, share = bassin_for(conn, territory_id)
        if bassin is None:
            return pd.DataFrame(columns=["projects", "projects_secret", "difficult_share"]), how
        how.update(bassin_id=bassin, population_share=share)
        where, params = "bassin_id = ?", [bassin]
    df = pd.read_sql_query(
        "SELECT family_id, projects, difficult, projects_secret, difficult_secret FROM bmo_occupations"
        f" WHERE family_id IS NOT NULL AND {where}",
        conn,
        params=params,
    )
    rows = {}
    for fam, g in df.groupby("family_id"):
        proj = g["projects"]
        ok = g["difficult"].notna() & proj.notna() & (proj > 0)
        rows[fam] = {
            "projects": float(proj.sum()) if proj.notna().any() else np.nan,
            "projects_secret": bool(g["projects_secret"].astype(bool).any()),
            "difficult_share": 100.0 * float(g.loc[ok, "difficult"].sum()) / float(proj[ok].sum())
            if ok.any()
            else np.nan,
        }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["projects", "projects_secret", "difficult_share"])
    out.index.name = "family_id"
    return out, how


def classify(coverage: float | None, openings: float | None, has_offer: bool, output: float | None = None) -> str:
    """One of :data:`GAP_CLASSES` for a family's coverage (%) of its openings; ``none_listed`` when the offer lists
    no training for the family (it may be trained elsewhere or by trainings missing from the file)."""
    if not has_offer:
        return "no_offer"
    if openings is None or not np.isfinite(openings) or openings <= 0:
        return "no_openings"
    if output is not None and np.isfinite(output) and output == 0:
        return "none_listed"
    if coverage is None or not np.isfinite(coverage):
        return "no_offer"
    if coverage < SHORT_BELOW:
        return "short"
    if coverage > OVER_ABOVE:
        return "over"
    return "balanced"


def gap_table(
    families: pd.DataFrame,
    output: pd.DataFrame,
    scenario: pd.DataFrame,
    scenario_offer: pd.DataFrame | None,
    bmo: pd.DataFrame,
    declared: pd.DataFrame | None = None,
    *,
    switched_off: bool = False,
) -> pd.DataFrame:
    """One row per family, ranked largest shortfall first (families without an offer or openings last).

    ``families``: id, label_fr, label_en; ``output``: :func:`output_by_family`; ``scenario`` /
    ``scenario_offer``: :meth:`gtec.scenarios.engine.Result.summary` of one territory with the default young
    entrants and with those of the offer (None without an offer); ``bmo``: :func:`bmo_by_family`; ``declared``:
    ``family_id`` index and a ``declared`` column (companies' declared needs a year), or None.
    Columns: family_id, label_fr, label_en, output, route_*, level_*, openings, entrants_default, entrants_offer,
    gap, coverage (%), gap_class, projects, projects_secret, difficult_share, declared.
    """
    fam = families.set_index("id")[["label_fr", "label_en"]]
    sc = scenario.set_index("family_id")
    out = fam.join(output, how="left")
    out["openings"] = sc["openings_per_year"].reindex(out.index)
    out["entrants_default"] = sc["entrants_per_year"].reindex(out.index)
    has_offer = scenario_offer is not None and output["output"].notna().any()
    if has_offer and scenario_offer is not None:
        out["entrants_offer"] = scenario_offer.set_index("family_id")["entrants_per_year"].reindex(out.index)
        out["gap"] = out["openings"] - out["entrants_offer"]
        with np.errstate(divide="ignore", invalid="ignore"):
            out["coverage"] = np.where(out["openings"] > 0, 100 * out["entrants_offer"] / out["openings"], np.nan)
    else:
        out["entrants_offer"] = np.nan
        out["gap"] = np.nan
        out["coverage"] = np.nan
    out["gap_class"] = [
        classify(c, o, has_offer, v) for c, o, v in zip(out["coverage"], out["openings"], out["output"], strict=True)
    ]
    if switched_off and output["output"].notna().any():  # an offer exists but the page's switch leaves it out
        out["gap_class"] = "offer_off"
    out = out.join(bmo, how="left")
    out["declared"] = declared["declared"].reindex(out.index) if declared is not None else np.nan
    rank = {"short": 0, "balanced": 0, "over": 0, "none_listed": 1, "no_openings": 2, "no_offer": 2, "offer_off": 2}
    out["_r"] = out["gap_class"].map(rank)
    out = out.sort_values(["_r", "gap"], ascending=[True, False], na_position="last").drop(columns="_r")
    return out.reset_index(names="family_id")


def export_frame(table: pd.DataFrame, lang: str, sources: dict[str, str]) -> pd.DataFrame:
    """The gap table for a download: figures as numbers, family label in ``lang``, and for each group of
    figures its source ids and status (``sources``: ``openings``, ``offer``, ``bmo``, ``declared`` -> text)."""
    out = table.copy()
    out.insert(1, "family", out[f"label_{lang}"] if f"label_{lang}" in out else out["label_fr"])
    out = out.drop(columns=[c for c in ("label_fr", "label_en") if c in out])
    for group, text in sources.items():
        out[f"source_{group}"] = text
    return out
