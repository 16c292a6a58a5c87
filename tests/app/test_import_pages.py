"""AppTest of the dataset catalogue and the import page (issue 13): role gate and the admin setting, upload of a
French-style CSV through the mapping step and the validation report, import, second version and its differences,
rollback, deletion with the name typed again; imported figures on the map and in the portrait."""

from __future__ import annotations

import pytest

from gtec.access import settings
from gtec.core import auth
from gtec.core.i18n import t
from gtec.imports import store
from gtec.storage.reference import connect_reference
from tests.app.cards import cards

ADMIN = auth.Actor("Alice Admin (alice)", "admin")
FAC = auth.Actor("Claire Martin (claire)", "facilitator")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at, key: str):
    return next(b for b in at.button if b.label == t(key, "fr"))


def _communes(data_dir, dep: str = "FR-DEP-56") -> list[str]:
    conn = connect_reference(data_dir / "reference.sqlite")
    rows = conn.execute(
        "SELECT code FROM territories WHERE level = 'commune' AND departement_id = ? ORDER BY code", (dep,)
    ).fetchall()
    conn.close()
    return [r[0] for r in rows]


def french_csv(codes: list[str], bump: float = 0.0) -> bytes:
    """cp1252, ';', decimal commas, a title block above the header (what producers publish)."""
    lines = ["Observatoire régional de l'emploi;;", "Emplois salariés par commune, 2024;;", ";;"]
    lines.append("Code commune;Libellé;Emplois 2024")
    lines += [f"{c};Commune é;{(100 + i % 50 + bump):.1f}".replace(".", ",") for i, c in enumerate(codes)]
    return "\r\n".join(lines).encode("cp1252")


def _upload(at, blob: bytes, name: str = "emplois.csv"):
    at.file_uploader[0].upload(name, blob, "text/csv").run()
    return _ok(at)


def test_datasets_page_is_public_and_lists_reference_sources(open_page):
    at = _ok(open_page("pages/datasets.py", "fr"))
    table = at.dataframe[0].value
    assert (table[t("datasets.col.status", "fr")] == t("status.official", "fr")).any()
    assert any("INSEE" in str(p) for p in table[t("datasets.col.producer", "fr")])
    assert any(b.label == t("datasets.detail.download", "fr") for b in at.get("download_button"))


def test_readers_never_reach_the_import_page(open_page):
    at = _ok(open_page(None, "fr"))
    with pytest.raises(ValueError):
        at.switch_page("pages/imports.py").run()


def test_facilitators_import_only_when_an_admin_allows_it(open_page, ws):
    at = _ok(open_page("pages/imports.py", "fr", FAC))
    assert any(t("datasets.imports.not_allowed", "fr") in w.value for w in at.warning)
    assert not at.file_uploader
    settings.set_value(ws, ADMIN, "imports.facilitators_allowed", True)
    at = _ok(open_page("pages/imports.py", "fr", FAC))
    assert at.file_uploader and not at.warning


def test_upload_report_import_new_version_diff_rollback_delete(open_page, ws, built_data_dir):
    codes = _communes(built_data_dir)
    at = _ok(open_page("pages/imports.py", "fr", ADMIN))
    _upload(at, french_csv(codes))
    # not a known profile: the mapping step, proposed from the detected shape, and the report before any write
    assert any(t("datasets.imports.mapping_intro", "fr") in i.value for i in at.info)
    assert at.selectbox(key="imp_code").value == "Code commune"
    assert any(t("datasets.report.ok", "fr") in s.value for s in at.success)
    assert store.datasets(ws) == []
    at.text_input(key="imp_name").set_value("Emplois salariés").run()
    _ok(_button(at, "datasets.imports.import").click().run())
    assert any("version 1" in s.value for s in at.success)
    [ds] = store.datasets(ws)
    assert ds["name"] == "Emplois salariés" and ds["level"] == "commune"
    assert any(e["action"] == "import.write" and e["actor"] == ADMIN.name for e in ws.audit_entries())

    # the second version of the same dataset: the differences are listed with their size
    _upload(at, french_csv(codes, bump=2.5), "emplois_v2.csv")
    at.text_input(key="imp_name").set_value("emplois salariés").run()
    _ok(_button(at, "datasets.imports.import").click().run())
    assert store.versions(ws, ds["id"])[0]["number"] == 2
    summary = t("datasets.versions.diff_summary", "fr", changed=f"{len(codes):,}".replace(",", "\u202f"), added="0",
                removed="0")  # fmt: skip
    captions = [c.value for c in at.caption]
    assert any(c == summary for c in captions), captions
    change = at.dataframe[-1].value[t("datasets.versions.col_change", "fr")]
    assert set(change) == {"2,50"}

    # rollback: version 1 is shown again, nothing erased
    _ok(_button(at, "datasets.versions.rollback").click().run())
    assert store.datasets(ws)[0]["current_version"] == 1 and len(store.versions(ws, ds["id"])) == 2
    assert any(t("datasets.versions.rolled_back", "fr", number=1) in s.value for s in at.success)

    # deletion asks for the name: a wrong one changes nothing
    at.text_input(key="imp_delete_name").set_value("autre chose").run()
    _ok(_button(at, "datasets.versions.delete").click().run())
    assert at.error and len(store.datasets(ws)) == 1
    at.text_input(key="imp_delete_name").set_value("EMPLOIS SALARIÉS").run()
    _ok(_button(at, "datasets.versions.delete").click().run())
    assert store.datasets(ws) == []


def test_blocking_report_stores_nothing_and_the_mapping_fixes_it(open_page, ws, built_data_dir):
    codes = _communes(built_data_dir)[:200]
    blob = french_csv(codes).replace(b"Commune \xe9;100,0", b"Commune \xe9;beaucoup")
    at = _ok(open_page("pages/imports.py", "en", ADMIN))
    _upload(at, blob)
    assert any(t("datasets.report.blocked", "en") in e.value for e in at.error)
    assert _button_en(at, "datasets.imports.import").disabled
    problems = at.dataframe[-1].value
    assert t("datasets.problem.non_numeric", "en") in set(problems[t("datasets.report.col_kind", "en")])
    assert (problems[t("datasets.report.col_line", "en")] == 5).any()
    # abort: the upload is forgotten, nothing stored
    _ok(_button_en(at, "datasets.imports.abort").click().run())
    assert store.datasets(ws) == [] and not at.dataframe


def _button_en(at, key: str):
    return next(b for b in at.button if b.label == t(key, "en"))


def test_imported_indicator_on_the_map_and_in_the_portrait(open_page, ws, built_data_dir):
    codes = _communes(built_data_dir)
    at = _ok(open_page("pages/imports.py", "fr", ADMIN))
    _upload(at, french_csv(codes))
    at.text_input(key="imp_name").set_value("Emplois salariés").run()
    _ok(_button(at, "datasets.imports.import").click().run())
    ds = store.datasets(ws)[0]["id"]
    ind = f"imp{ds}_emplois"
    at.switch_page("pages/map.py").run()
    at.selectbox(key="map_level").select("epci").run()
    _ok(at)
    assert t("datasets.imported_label", "fr", name="Emplois salariés") in at.selectbox(key="map_ind").options
    at.selectbox(key="map_ind").select(ind).run()
    _ok(at)
    assert any(t("status.imported", "fr") in m.value for m in at.markdown)
    # the portrait of an EPCI inside the département: the summed figure as a card marked imported
    at.session_state["_territory_id"] = "FR-EPCI-200067932"
    at.session_state["territory_level"] = "epci"
    at.session_state["territory_select_epci"] = "FR-EPCI-200067932"
    at.switch_page("pages/portrait.py").run()
    _ok(at)
    found = [c for c in cards(at) if c.label == t("datasets.imported_label", "fr", name="Emplois salariés")]
    assert len(found) == 1, [(c.label, c.status) for c in cards(at)]
    card = found[0]
    assert card.status == "imported" and card.value[0].isdigit()
    at = _ok(open_page("pages/datasets.py", "fr"))
    assert "Emplois salariés" in set(at.dataframe[0].value[t("datasets.col.title", "fr")])


def _geojson() -> bytes:
    import json

    def square(x: float, y: float) -> dict:
        ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
        return {"type": "Polygon", "coordinates": [ring]}

    features = [
        {"type": "Feature", "properties": {"code_zone": code, "nom": name}, "geometry": square(-2.8 + 0.1 * i, 47.6)}
        for i, (code, name) in enumerate((("Z1", "Zone <b>ouest</b>"), ("Z2", "Zone est")))
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_boundary_tab_imports_a_layer_listed_in_the_catalogue(open_page, ws):
    from gtec.imports import layers

    at = _ok(open_page("pages/imports.py", "fr", ADMIN))
    at.file_uploader[1].upload("zones.geojson", _geojson(), "application/geo+json").run()
    _ok(at)
    assert at.selectbox(key="lay_code").value == "code_zone" and at.selectbox(key="lay_label").value == "nom"
    assert layers.list_layers(ws) == []  # the report comes first
    at.text_input(key="lay_name").set_value("Zones d'étude").run()
    _ok(next(b for b in at.button if b.label == t("datasets.layers.import", "fr")).click().run())
    [layer] = layers.list_layers(ws)
    assert layer["name"] == "Zones d'étude" and layer["features"] == 2
    assert any("version 1" in s.value for s in at.success)
    at = _ok(open_page("pages/datasets.py", "fr"))
    assert "Zones d'étude" in set(at.dataframe[0].value[t("datasets.col.title", "fr")])


@pytest.mark.parametrize(
    "name,blob,env,key",
    [
        ("binaire.csv", b"\x00\x01\x02\x03garbage\x00", {}, "imports.error.binary"),
        ("vide.csv", b"", {}, "imports.error.empty"),
        (
            "gros.csv",
            b"code;valeur\r\n" + b"01001;1\r\n" * 40_000,
            {"GTEC_IMPORT_MAX_MB": "0.1"},
            "imports.error.too_large",
        ),
    ],
)
def test_bad_uploads_give_a_clear_message_and_store_nothing(
    open_page, ws, workspace_path, monkeypatch, name, blob, env, key
):
    import hashlib

    for var, value in env.items():
        monkeypatch.setenv(var, value)
    before = hashlib.sha256(workspace_path.read_bytes()).hexdigest()
    at = _ok(open_page("pages/imports.py", "en", ADMIN))
    at.file_uploader[0].upload(name, blob, "text/csv").run()
    _ok(at)
    [error] = at.error
    template = t(key, "en", size_mb="{", max_mb="{").split("{")[0]  # the message up to its first value
    assert error.value.startswith(template) and "Traceback" not in error.value
    assert store.datasets(ws) == [] and hashlib.sha256(workspace_path.read_bytes()).hexdigest() == before
