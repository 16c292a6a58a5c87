"""Imported figures as the app reads them (gtec.imports.catalogue, gtec.storage.overlay), who may import, and the
dataset catalogue (issue 13)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from gtec.access import settings
from gtec.core.auth import Actor
from gtec.core.errors import UserError
from gtec.imports import catalogue, draft, store
from gtec.imports.limits import ImportLimits
from gtec.imports.service import load_context
from gtec.maps import queries
from gtec.storage.overlay import apply_overlay, is_imported
from gtec.storage.reference import connect_reference
from gtec.territories import indicators

ADMIN = Actor("admin", "admin")
FAC = Actor("fac", "facilitator")


@pytest.fixture(scope="module")
def ctx(built_data_dir: Path):
    return load_context(connect_reference(built_data_dir / "reference.sqlite"))


def _communes(ctx, dep: str = "FR-DEP-56") -> list[str]:
    rows = ctx.conn.execute(
        "SELECT code FROM territories WHERE level = 'commune' AND departement_id = ? ORDER BY code", (dep,)
    ).fetchall()
    return [r[0] for r in rows]


def _csv(codes: list[str], bump: float = 0.0, secret: str = "") -> bytes:
    lines = ["Observatoire régional;;", "Emplois par commune;;", "Code commune;Nom;Emplois 2024"]
    lines += [f"{c};Commune é;{(10 + i % 7 + bump):.1f}".replace(".", ",") for i, c in enumerate(codes)]
    if secret:
        lines[3] = lines[3].rsplit(";", 1)[0] + ";" + secret
    return "\r\n".join(lines).encode("cp1252")


def _import(ws, ctx, blob: bytes, name: str = "Emplois", actor: Actor = ADMIN) -> dict:
    d = draft.open_draft(blob, "emplois.csv", ImportLimits())
    prepared = draft.check_draft(ctx, d, ImportLimits(), d.proposed)
    assert prepared.report.ok, prepared.report.counts
    return catalogue.import_file(ws, actor, ctx, prepared, name)


def test_draft_proposes_the_mapping_of_a_french_file(ctx):
    d = draft.open_draft(_csv(_communes(ctx)[:30]), "x.csv", ImportLimits())
    assert d.profile is None and d.encoding == "cp1252" and d.delimiter == ";" and d.header_line == 3
    assert d.proposed.code == "Code commune" and d.proposed.period == "2024" and d.proposed.indicator == "emplois"
    assert list(d.preview.columns) == ["Code commune", "Nom", "Emplois 2024"] and len(d.preview) == draft.PREVIEW_ROWS
    with pytest.raises(UserError, match="too_large"):
        draft.open_draft(b"x" * 2000, "x.csv", draft.upload_limits(ImportLimits(), 0.001))
    assert draft.upload_limits(ImportLimits(), 25).max_bytes == 25 * 1024 * 1024
    assert draft.slug("Taux de chômage 2024 (%)") == "taux_de_chomage"


def test_facilitators_need_the_admin_setting_server_side(ctx, ws):
    blob = _csv(_communes(ctx)[:50])
    with pytest.raises(UserError, match="not_allowed"):
        _import(ws, ctx, blob, actor=FAC)
    with pytest.raises(UserError, match="not_allowed"):
        _import(ws, ctx, blob, actor=Actor("r", "reader"))
    assert store.datasets(ws) == []
    settings.set_value(ws, ADMIN, "imports.facilitators_allowed", True)
    assert _import(ws, ctx, blob, actor=FAC)["version"] == 1
    settings.set_value(ws, ADMIN, "imports.facilitators_allowed", False)
    with pytest.raises(UserError, match="not_allowed"):
        catalogue.rollback(ws, FAC, store.datasets(ws)[0]["id"])


def test_imported_values_reach_the_map_at_epci_level_and_the_portrait(ctx, ws, built_data_dir):
    codes = _communes(ctx)
    before = catalogue.import_stamp(ws)
    done = _import(ws, ctx, _csv(codes, secret="s"))
    assert catalogue.import_stamp(ws) != before
    conn = connect_reference(built_data_dir / "reference.sqlite")
    shown = apply_overlay(conn, *catalogue.overlay_rows(ws))
    ind = f"imp{done['dataset_id']}_emplois"
    assert is_imported(ind) and shown > len(codes)
    assert ind in queries.indicators_for_level(conn, "epci", False)
    assert queries.years_for(conn, ind, "epci", False) == [2024]
    table = queries.level_table(conn, ind, 2024, "epci", "total", False)
    # an EPCI inside the département gets the sum of its communes; one holding the secret commune stays missing
    values = store.values(ws, done["dataset_id"])
    communes = values.loc[values["territory_id"].str.startswith("FR-COM-")].set_index("territory_id")["value"]
    parents = ctx.geo.parents
    epci_ids = set(table.dropna(subset=["value"])["territory_id"])
    assert epci_ids and all(i.startswith("FR-EPCI-") for i in epci_ids)
    one = sorted(epci_ids)[0]
    members = parents.loc[parents["parent_id"] == one, "child_id"]
    assert math.isclose(table.set_index("territory_id").loc[one, "value"], communes.reindex(members).sum())
    secret_commune = f"FR-COM-{codes[0]}"
    secret_epci = parents.loc[(parents["child_id"] == secret_commune) & parents["parent_id"].str.startswith("FR-EPCI")]
    assert pd_isna(table.set_index("territory_id").loc[secret_epci["parent_id"].iloc[0], "value"])
    assert set(table.dropna(subset=["value"])["status"]) == {"imported"}
    portrait = indicators.portrait(conn, one)
    row = portrait.loc[portrait["indicator_id"] == ind].iloc[0]
    assert row["status"] == "imported" and math.isclose(row["value"], communes.reindex(members).sum())
    assert catalogue.source_id(done["dataset_id"], 1) in {s for s in portrait["source_id"]}
    # the reference store itself is untouched: a fresh connection has no imported indicator
    assert ind not in indicators.catalogue(connect_reference(built_data_dir / "reference.sqlite"))


def pd_isna(value) -> bool:
    return value is None or value != value


def test_rollback_and_delete_change_what_is_shown(ctx, ws, built_data_dir):
    codes = _communes(ctx)[:100]
    first = _import(ws, ctx, _csv(codes))
    _import(ws, ctx, _csv(codes, bump=1))
    conn = connect_reference(built_data_dir / "reference.sqlite")
    ind = f"imp{first['dataset_id']}_emplois"
    commune = f"FR-COM-{codes[1]}"

    def shown() -> float:
        apply_overlay(conn, *catalogue.overlay_rows(ws))
        return float(indicators.values(conn, [commune], [ind])["value"].iloc[0])

    assert shown() == 12.0
    catalogue.rollback(ws, ADMIN, first["dataset_id"])
    assert shown() == 11.0
    catalogue.delete(ws, ADMIN, first["dataset_id"], "emplois")
    apply_overlay(conn, *catalogue.overlay_rows(ws))
    assert ind not in indicators.catalogue(conn)


def test_reference_values_win_over_an_imported_value_of_the_same_key(built_data_dir):
    conn = connect_reference(built_data_dir / "reference.sqlite")
    tid, year, value = conn.execute(
        "SELECT territory_id, year, value FROM indicator_values WHERE indicator_id = 'population' LIMIT 1"
    ).fetchone()
    src = ("ws-import-9-v1", "x", "x", "p", "", "", "2024", "imported", "", "")
    apply_overlay(conn, [], [src], [(tid, "population", year, -1.0, "ws-import-9-v1", None, None)])
    assert indicators.values(conn, [tid], ["population"]).set_index("year").loc[year, "value"] == value


def test_catalogue_lists_every_reference_source_and_downloads_with_metadata(ctx, ws, built_data_dir):
    conn = connect_reference(built_data_dir / "reference.sqlite")
    ref = catalogue.reference_datasets(conn)
    assert set(ref["id"]) == {r[0] for r in conn.execute("SELECT id FROM sources")}
    pl = ref.set_index("id").loc["insee-pl2023"]
    assert pl["kind"] == "values" and pl["rows"] > 30000 and "commune" in pl["levels"]
    assert (ref["kind"] == "layer").any()
    table = catalogue.dataset_table(conn, "insee-pl2023")
    assert {"code", "value", "source", "producer", "licence", "vintage", "status"} <= set(table.columns)
    communes = table.loc[table["level"] == "commune", "code"]
    assert communes.str.len().min() == 5 and "01001" in set(communes)  # codes stay text
    done = _import(ws, ctx, _csv(_communes(ctx)[:40]))
    [entry] = catalogue.imported_datasets(ws)
    assert entry["status"] == "imported" and entry["years"] == "2024" and len(entry["history"]) == 1
    assert set(catalogue.imported_table(ws, done["dataset_id"])["status"]) == {"imported"}


def test_wide_quarters_and_weighted_mean_reach_the_derived_levels(ctx, ws, built_data_dir):
    from dataclasses import replace

    codes = _communes(ctx)
    lines = ["Taux par commune;;;", "Code;Nom;T2_2025;T3_2025"]
    lines += [f"{c};Commune é;{5 + i % 4},5;{6 + i % 4},25" for i, c in enumerate(codes)]
    d = draft.open_draft("\r\n".join(lines).encode("cp1252"), "taux.csv", ImportLimits())
    assert d.proposed.wide
    mapping = replace(d.proposed, indicator="taux", aggregation="weighted_mean", weight="population")
    prepared = draft.check_draft(ctx, d, ImportLimits(), mapping)
    assert prepared.report.ok and prepared.report.periods == ["2025-T2", "2025-T3"]
    done = catalogue.import_file(ws, ADMIN, ctx, prepared, "Taux trimestriel")
    conn = connect_reference(built_data_dir / "reference.sqlite")
    apply_overlay(conn, *catalogue.overlay_rows(ws))
    ind = f"imp{done['dataset_id']}_taux"
    assert indicators.catalogue(conn)[ind]["kind"] == "rate"
    # one value per year: the latest quarter, named in the period
    dep = indicators.values(conn, ["FR-DEP-56"], [ind])
    assert list(dep["year"]) == [2025] and list(dep["period"]) == ["2025-T3"]
    weights = ctx.weights("population").set_index("territory_id")["value"]
    ids = [f"FR-COM-{c}" for c in codes]
    rates = {f"FR-COM-{c}": 6 + i % 4 + 0.25 for i, c in enumerate(codes)}
    expected = sum(rates[i] * weights[i] for i in ids) / sum(weights[i] for i in ids)
    assert math.isclose(float(dep["value"].iloc[0]), expected, rel_tol=1e-9)
    assert queries.years_for(conn, ind, "departement", False) == [2025]
