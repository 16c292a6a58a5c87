"""The company skills-needs survey: hires planned now (12 months) and in 3 years, by occupation family, for the
survey's territory, shown beside two other views of the same territory and family:

- the BMO hiring projects (France Travail, official) of the BMO bassin the territory is read through
  (:func:`gtec.territories.occupations.bassin_for`; secret cells left out and flagged, sums are lower bounds);
- the foresight scenario's job openings per year (:mod:`gtec.scenarios.engine` at the reference settings), whose
  status is the weakest of its base's sources (an estimate).

A family answered by fewer than :data:`gtec.needs.matrix.MIN_N` companies is suppressed (figures missing, reason
shown), as in the needs matrix. Missing is missing, never zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gtec.core.provenance import load_sources, weakest_status
from gtec.needs.matrix import MIN_N, answers_frame
from gtec.needs.surveys import Survey
from gtec.scenarios import engine, loader, params
from gtec.storage.reference import ReferenceConnection
from gtec.storage.workspace import Workspace
from gtec.territories import occupations

#: Project sensitivities of the drivers: not used at the reference settings (every driver at zero).
SENSITIVITIES_SOURCE = "gtec-scenario-sensitivities"
SURVEY_COLUMNS = ["family_id", "companies", "now_total", "in3y_total", "suppressed"]


def families(conn: ReferenceConnection) -> dict[str, tuple[str, str]]:
    """The project's occupation families: id -> (label_fr, label_en)."""
    rows = conn.execute("SELECT id, label_fr, label_en FROM occupation_families ORDER BY id").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def survey_needs(ws: Workspace, survey: Survey, min_n: int = MIN_N) -> pd.DataFrame:
    """Per family asked: companies that answered it, total hires planned now and in 3 years (NaN when
    suppressed). Columns :data:`SURVEY_COLUMNS`."""
    df = answers_frame(ws, survey.id)
    fams = list(dict.fromkeys(q.split("_", 1)[1] for q in survey.question_ids))
    if df.empty:
        out = pd.DataFrame({"family_id": fams, "companies": 0, "now_total": np.nan, "in3y_total": np.nan})
    else:
        parts = df["question_id"].str.split("_", n=1, expand=True)
        df = df.assign(horizon=parts[0], family_id=parts[1])
        companies = df.groupby("family_id")["response_id"].nunique()
        totals = df.pivot_table(index="family_id", columns="horizon", values="value", aggfunc="sum")
        out = pd.DataFrame({"family_id": fams})
        out["companies"] = out["family_id"].map(companies).fillna(0).astype(int)
        for horizon in ("now", "in3y"):
            col = totals[horizon] if horizon in totals else pd.Series(dtype=float)
            out[f"{horizon}_total"] = out["family_id"].map(col).astype(float)
    out["suppressed"] = out["companies"] < min_n
    for col in ("now_total", "in3y_total"):
        out[col] = out[col].where(~out["suppressed"], np.nan)
    return out[SURVEY_COLUMNS]


@dataclass(frozen=True)
class Beside:
    """The reference figures beside the survey: one row per family (family_id, bmo_projects, bmo_secret,
    scenario_openings), the BMO bassin used and the sources and statuses of each column."""

    table: pd.DataFrame
    bassin_id: str | None
    bassin_share: float | None
    bmo_source: str
    bmo_status: str | None
    scenario_sources: tuple[str, ...]
    scenario_status: str | None


def beside(conn: ReferenceConnection, base: loader.ScenarioBase | None, territory_id: str) -> Beside:
    """BMO hiring projects and scenario openings per family for ``territory_id`` (missing stays NaN)."""
    srcs = load_sources(conn)
    fam_ids = list(families(conn))
    table = pd.DataFrame({"family_id": fam_ids})
    bassin, share = occupations.bassin_for(conn, territory_id)
    if bassin:
        occ = occupations.occupations(conn, bassin)
        grouped = occ.groupby("family_id", dropna=True).agg(
            bmo_projects=("projects", lambda s: float(s.sum()) if s.notna().any() else np.nan),
            bmo_secret=("projects_secret", "any"),
        )
        table = table.merge(grouped.reset_index(), on="family_id", how="left")
    else:
        table["bmo_projects"], table["bmo_secret"] = np.nan, False
    table["bmo_secret"] = table["bmo_secret"].fillna(False).astype(bool)
    scenario_sources: tuple[str, ...] = ()
    table["scenario_openings"] = np.nan
    if base is not None and base.group(territory_id):
        inputs = base.territory_inputs(territory_id).collapse(territory_id)
        summary = engine.compute(inputs, params.Settings.default()).summary().set_index("family_id")
        table["scenario_openings"] = table["family_id"].map(summary["openings_per_year"]).astype(float)
        scenario_sources = tuple(s for s in base.source_ids if s != SENSITIVITIES_SOURCE)
    bmo = srcs.get(occupations.SOURCE_ID)
    return Beside(
        table=table,
        bassin_id=bassin,
        bassin_share=share,
        bmo_source=occupations.SOURCE_ID,
        bmo_status=bmo.status if bmo else None,
        scenario_sources=scenario_sources,
        scenario_status=weakest_status(srcs[s].status for s in scenario_sources if s in srcs)
        if scenario_sources
        else None,
    )


def side_by_side(needs: pd.DataFrame, ref: Beside) -> pd.DataFrame:
    """The survey's families with the reference figures of the same families (outer on the survey's list)."""
    return needs.merge(ref.table, on="family_id", how="left")
