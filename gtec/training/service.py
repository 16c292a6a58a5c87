"""The operations as the page (and tests) call them: check a file against the reference store and the current
version, import it, and put together everything the page shows for one territory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gtec.core import auth
from gtec.imports.limits import ImportLimits
from gtec.scenarios import engine
from gtec.scenarios.loader import ScenarioBase
from gtec.scenarios.params import Settings
from gtec.storage.reference import ReferenceConnection
from gtec.storage.workspace import Workspace
from gtec.training import crosswalk, needs, offer, places, store


def check_file(
    ws: Workspace, conn: ReferenceConnection, path: Path, limits: ImportLimits, file_name: str = ""
) -> offer.Checked:
    """Read and check a training-offer file; writes nothing (the report step)."""
    grid = offer.read_grid(Path(path), limits)
    sha, size = offer.file_digest(Path(path))
    current = store.rows(ws)
    keys = frozenset(current.loc[current["duplicate_of"].isna(), "row_key"]) if len(current) else frozenset()
    return offer.check_offer(
        grid, places.load_communes(conn), crosswalk.load(), file_name=file_name or Path(path).name, sha256=sha,
        size=size, current_keys=keys, mappings=store.mappings(ws),
    )  # fmt: skip


def import_file(ws: Workspace, actor: auth.Actor, checked: offer.Checked, declared: store.Declared) -> int:
    """Store a checked file as the new current version (see :func:`gtec.training.store.commit`)."""
    return store.commit(ws, actor, checked, declared)


@dataclass
class Analysis:
    """What the page shows for one territory: the ranked ``table`` (:func:`gtec.training.needs.gap_table`), the
    territory's trainings, how BMO was read, the offer's version, and the caveats as ``(key, values)``."""

    table: pd.DataFrame
    offer: needs.TerritoryOffer
    bmo: dict[str, object]
    version: dict[str, Any] | None
    use_offer: bool
    caveats: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    declared: dict[str, object] | None = None  # the company survey the declared needs come from


def analyse(
    conn: ReferenceConnection,
    ws: Workspace,
    base: ScenarioBase,
    territory_id: str,
    settings: Settings,
    *,
    use_offer: bool = True,
    declared: pd.DataFrame | None = None,
) -> Analysis:
    """Per family for ``territory_id``: the offer's output, the scenario's openings and young entrants (default and,
    with ``use_offer``, fed from the offer), BMO projects, declared needs, the gap ranked, and the caveats."""
    version = next((v for v in store.versions(ws) if v["current"]), None)
    declared_from = None
    if declared is None:
        declared, declared_from = declared_needs(ws, territory_id)
    rows = store.rows(ws)
    terr = needs.territory_offer(rows, places.territory_communes(conn, territory_id))
    family_ids = list(base.families["id"])
    output = needs.output_by_family(terr, family_ids)
    inputs = base.territory_inputs(territory_id).collapse(territory_id)
    default = engine.compute(inputs, settings).summary()
    with_offer = None
    if not terr.empty and use_offer:
        leavers = needs.offer_leavers(output.reindex(list(inputs.family_ids)), store.SOURCE_PREFIX)
        with_offer = engine.compute(inputs, settings, leavers).summary()
    bmo, how = needs.bmo_by_family(conn, territory_id)
    table = needs.gap_table(base.families, output, default, with_offer, bmo, declared, switched_off=not use_offer)
    caveats: list[tuple[str, dict[str, object]]] = [("training.caveat.not_forecast", {})]
    if not terr.empty:
        n = terr.notes
        caveats.append(("training.caveat.partial", {}))
        caveats.append(("training.caveat.stay", {"retention": settings["retention"]}))
        caveats.append(
            (
                "training.caveat.insertion",
                {"school": settings["insertion_school"], "app": settings["insertion_apprentice"]},
            )
        )
        for key, note in (
            ("several_families", "several"), ("from_places", "places"), ("ranges", "ranges"),
            ("continuing_output", "continuing"), ("unknown_route", "unknown_route"), ("no_output", "no_output"),
        ):  # fmt: skip
            if n.get(key):
                caveats.append((f"training.caveat.{note}", {"n": n[key]}))
        if n.get("unmapped"):
            caveats.append(("training.caveat.unmapped", {"n": n["unmapped"], "output": n["unmapped_output"]}))
    if how.get("bassin_id") and how.get("population_share") is not None and float(how["population_share"]) < 99.5:  # type: ignore[arg-type]
        caveats.append(("training.caveat.bmo_bassin", {"share": how["population_share"]}))
    if declared is None:
        caveats.append(("training.caveat.no_declared", {}))
    elif declared_from is not None:
        caveats.append(("training.caveat.declared", dict(declared_from)))
    if not np.isfinite(table["openings"].astype(float)).any():
        caveats.append(("training.caveat.no_scenario", {}))
    return Analysis(table, terr, how, version, with_offer is not None, caveats, declared_from)


def declared_needs(ws: Workspace, territory_id: str) -> tuple[pd.DataFrame | None, dict[str, object] | None]:
    """Companies' declared needs for ``territory_id``: hires planned within 12 months per family, from the newest
    company skills-needs survey of that territory with answers (:mod:`gtec.needs`). A family answered by too few
    companies stays missing (suppressed there). ``(None, None)`` when there is no such survey."""
    from gtec.needs import company, surveys

    found = [s for s in surveys.list_surveys(ws, "company") if s.territory_id == territory_id and s.responses > 0]
    if not found:
        return None, None
    survey = found[0]
    frame = company.survey_needs(ws, survey).set_index("family_id")
    out = frame[["now_total"]].rename(columns={"now_total": "declared"})
    return out, {"title": survey.title, "n": survey.responses, "survey_id": survey.id}


def unmapped(ws: Workspace) -> pd.DataFrame:
    """Trainings of the current version no code maps to a family and no admin mapped by hand (copies excluded)."""
    rows = store.rows(ws)
    if rows.empty:
        return rows
    keep = rows.loc[rows["duplicate_of"].isna() & (rows["families"].map(len) == 0)]
    return keep.reset_index(drop=True)


def mapped_by_hand(ws: Workspace) -> pd.DataFrame:
    rows = store.rows(ws)
    return rows.loc[rows["mapped_by_hand"]].reset_index(drop=True) if len(rows) else rows
