"""Side-by-side comparison, transferability matrix (audited edits), printable pages: pure functions + workspace."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from gtec.alternance import comparison, matrix_view, printable
from gtec.core import auth
from gtec.core.export import to_safe_csv

FACILITATOR = auth.Actor("Alice Martin", "facilitator")


@pytest.fixture(scope="module")
def bundle() -> comparison.Bundle:
    return comparison.load_from_curated()


def test_comparison_has_every_indicator_and_shows_missing_cells(bundle):
    rows = comparison.comparison(bundle, "fr")
    assert [label for label, _ in rows] == [r["label_fr"] for r in bundle.indicators]
    by_label = dict(rows)
    assert all(cells["be_wbl"].missing for _, cells in rows)  # no Belgian figure gathered: shown as missing
    new = by_label["Entrées par an"]["fr_appr"]
    assert new.entries[0].figure == "878\u202f900–889\u202f400 contrats"
    assert new.entries[0].source.id == "dares-apprentissage" and new.entries[0].source.vintage


def test_where_sources_disagree_the_cell_shows_the_range(bundle):
    cells = dict(comparison.comparison(bundle, "en"))["Staying in the region"]
    uk = cells["uk_ktp"]
    assert uk.range_text == "46–71%"
    assert {e.source.id for e in uk.entries} == {"hesa-graduate-outcomes", "hecsu-2015"}
    eng = cells["fr_eng"]
    assert eng.entries[0].source.id == "gtec-territory-retention" and eng.entries[0].source.status == "estimate"
    assert dict(comparison.comparison(bundle, "en"))["Duration"]["uk_ktp"].entries[0].figure == "12–36 months"


def test_every_fact_carries_source_vintage_and_status(bundle):
    for f in bundle.facts:
        s = bundle.sources[f["source_id"]]
        assert s.vintage and s.status in ("official", "estimate", "illustrative")
        assert f["value_low"] is not None or f["text_fr"], f
        if f["value_high"] is not None:
            assert f["value_low"] <= f["value_high"], f


def test_comparison_html_escapes_data(bundle):
    evil = dict(bundle.facts[0], text_en="<img src=x onerror=alert(1)>")
    hacked = dataclasses.replace(bundle, facts=(evil, *bundle.facts[1:]))
    out = comparison.comparison_html(hacked, "en")
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert out.count("<tr>") == len(bundle.indicators) + 1


def test_store_and_curated_loaders_agree(bundle, tmp_path):
    from gtec.build import curated, pipeline

    conn = sqlite3.connect(tmp_path / "ref.sqlite")
    pipeline.create_schema(conn)
    manifest = curated.load_manifest()
    fields = curated.SOURCE_FIELDS
    conn.executemany(
        f"INSERT INTO sources ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
        [tuple(s[k] for k in curated.SOURCE_FIELDS) for s in manifest["sources"]],
    )
    for ds in manifest["datasets"]:
        if ds["table"] in comparison.WBL_TABLES:
            cols = [c["name"] for c in ds["columns"]]
            conn.execute(f"CREATE TABLE {ds['table']} ({', '.join(cols)})")
            rows = [
                r[1] if isinstance(r, tuple) else r for r in curated.read_dataset(ds, manifest["dir"], bundle.sources)
            ]
            conn.executemany(
                f"INSERT INTO {ds['table']} VALUES ({', '.join('?' * len(cols))})",
                [tuple(r[c] for c in cols) for r in rows],
            )
    conn.commit()
    from_store = comparison.load_from_store(conn)
    assert from_store.table == bundle.table
    assert from_store.facts == bundle.facts and from_store.seeds == bundle.seeds


# ------------------------------------------------------------------------------------------ transferability


def test_seed_matrix_in_both_languages(bundle):
    fr = comparison.current_matrix(bundle.seeds, [], "fr")
    en = comparison.current_matrix(bundle.seeds, [], "en")
    assert len(fr) == len(en) == len(bundle.seeds) >= 10
    assert {r["system"] for r in fr} == {"fr_appr", "fr_eng", "uk_ktp", "be_wbl"}
    assert fr[0]["feature"] != en[0]["feature"] and all(r["edited_by"] == "" for r in fr)
    assert all(s["source_id"] == "gtec-wbl-assessment" for s in bundle.seeds)
    assert bundle.sources["gtec-wbl-assessment"].status == "estimate"


def test_diff_finds_edits_additions_and_deletions(bundle):
    before = comparison.current_matrix(bundle.seeds, [], "en")
    after = [dict(r) for r in before[1:]]  # first row deleted
    after[0]["difficulty"] = "high" if after[0]["difficulty"] != "high" else "low"
    after[1]["barriers"] = "  " + after[1]["barriers"] + "  "  # whitespace only: no change
    after.append({"row_id": None, "system": "be_wbl", "feature": "Dual learning in Flanders", "difficulty": "medium"})
    after.append({"row_id": float("nan"), "system": None, "feature": None})  # empty new row: ignored
    changes = comparison.diff_matrix(before, after)
    kinds = sorted((c.row_id or "new", c.deleted) for c in changes)
    assert kinds == sorted([(before[0]["row_id"], True), (before[1]["row_id"], False), ("new", False)])


def test_validation_of_changes():
    ok = comparison.MatrixChange(None, "uk_ktp", "Feature", "low", "", "")
    assert comparison.validate_change(ok) == []
    assert comparison.validate_change(dataclasses.replace(ok, feature="")) == ["alternance.matrix.error.feature"]
    assert comparison.validate_change(dataclasses.replace(ok, difficulty="easy")) == [
        "alternance.matrix.error.difficulty"
    ]
    assert comparison.validate_change(dataclasses.replace(ok, system="de")) == ["alternance.matrix.error.system"]
    assert comparison.validate_change(dataclasses.replace(ok, actions="x" * 1001)) == [
        "alternance.matrix.error.too_long"
    ]


def test_facilitator_edits_are_audited_and_history_is_kept(bundle, ws):
    before = comparison.current_matrix(bundle.seeds, comparison.load_edits(ws), "fr")
    first = before[0]
    edit = comparison.MatrixChange(first["row_id"], first["system"], first["feature"], "high", "Nouvel obstacle", "")
    new = comparison.MatrixChange(None, "be_wbl", "Alternance en Wallonie", "medium", "", "Réunir les chiffres")
    written = comparison.save_changes(ws, FACILITATOR, [edit, new], "fr")
    assert written[0] == first["row_id"] and written[1].startswith("WS-")
    versions = {
        r["row_id"]: r["version"] for r in comparison.current_matrix(bundle.seeds, comparison.load_edits(ws), "fr")
    }
    assert versions[first["row_id"]] > 0  # each save moves the row's version (optimistic concurrency)
    second = dataclasses.replace(edit, barriers="Obstacle corrigé", version=versions[first["row_id"]])
    comparison.save_changes(ws, FACILITATOR, [second], "fr")

    edits = comparison.load_edits(ws)
    assert len(edits) == 3  # append-only: the first version of the row is still there
    rows = {r["row_id"]: r for r in comparison.current_matrix(bundle.seeds, edits, "fr")}
    assert rows[first["row_id"]]["barriers"] == "Obstacle corrigé"
    assert rows[first["row_id"]]["edited_by"] == "Alice Martin" and rows[first["row_id"]]["edited_at"]
    assert rows[written[1]]["feature"] == "Alternance en Wallonie"
    audit = [e for e in ws.audit_entries() if e["action"] == "transferability.edit"]
    assert len(audit) == 2 and audit[0]["actor"] == "Alice Martin"

    gone = comparison.MatrixChange(
        written[1], "be_wbl", "Alternance en Wallonie", "medium", "", "", deleted=True, version=versions[written[1]]
    )
    comparison.save_changes(ws, FACILITATOR, [gone], "fr")
    rows = {r["row_id"] for r in comparison.current_matrix(bundle.seeds, comparison.load_edits(ws), "fr")}
    assert written[1] not in rows and len(comparison.load_edits(ws)) == 4


def test_reader_cannot_edit_and_invalid_changes_write_nothing(bundle, ws):
    change = comparison.MatrixChange(None, "uk_ktp", "X", "low", "", "")
    with pytest.raises(auth.PermissionDenied):
        comparison.save_changes(ws, auth.ANONYMOUS, [change], "fr")
    with pytest.raises(ValueError):
        comparison.save_changes(ws, FACILITATOR, [change, dataclasses.replace(change, feature="")], "fr")
    assert comparison.load_edits(ws) == []
    assert not [e for e in ws.audit_entries() if e["action"] == "transferability.edit"]
    assert comparison.save_changes(ws, FACILITATOR, [], "fr") == []


def test_matrix_exports_escape_and_neutralise(bundle):
    rows = comparison.current_matrix(bundle.seeds, [], "en")
    rows[0] = dict(rows[0], feature="<script>alert(1)</script>", barriers="=1+1")
    out = matrix_view.details_html(rows, "en")
    assert "<script>" not in out and "&lt;script&gt;" in out
    csv_text = to_safe_csv(matrix_view.matrix_frame(rows, "en"))
    assert "'=1+1" in csv_text
    page = printable.printable_html("Matrix <b>", [("", out)], [bundle.sources["gtec-wbl-assessment"]], "en")
    assert page.startswith("<!doctype html>") and "Matrix &lt;b&gt;" in page and "@media print" in page


def test_concurrent_matrix_edits_are_refused_not_lost(bundle, ws):
    """A and B open the matrix; B saves a cell; A's later save of that row is refused with both values."""
    from gtec.core.errors import EditConflict

    seen_by_a = comparison.current_matrix(bundle.seeds, comparison.load_edits(ws), "fr")
    seen_by_b = comparison.current_matrix(bundle.seeds, comparison.load_edits(ws), "fr")
    row = seen_by_b[0]["row_id"]
    b_after = [dict(r, barriers="B's barriers") if r["row_id"] == row else r for r in seen_by_b]
    comparison.save_changes(ws, FACILITATOR, comparison.diff_matrix(seen_by_b, b_after), "fr")
    a_after = [dict(r, barriers="A's barriers") if r["row_id"] == row else r for r in seen_by_a]
    with pytest.raises(EditConflict) as info:
        comparison.save_changes(ws, auth.Actor("Bea", "facilitator"), comparison.diff_matrix(seen_by_a, a_after), "fr")
    conflict = next(c for c in info.value.conflicts if c["field"] == "barriers")
    assert (
        conflict["yours"] == "A's barriers"
        and conflict["theirs"] == "B's barriers"
        and conflict["by"] == "Alice Martin"
    )
    now = comparison.current_matrix(bundle.seeds, comparison.load_edits(ws), "fr")
    assert next(r for r in now if r["row_id"] == row)["barriers"] == "B's barriers"
    # A reloads and saves again: accepted
    fresh = comparison.current_matrix(bundle.seeds, comparison.load_edits(ws), "fr")
    again = [dict(r, barriers="A's barriers") if r["row_id"] == row else r for r in fresh]
    comparison.save_changes(ws, FACILITATOR, comparison.diff_matrix(fresh, again), "fr")
