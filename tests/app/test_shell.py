"""AppTest over app.py and every registered page: no exception, language switch, territory choice."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.registry import PAGES
from gtec.core import auth
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.storage import reference
from gtec.storage.workspace import Workspace
from tests.app.cards import cards

TIMEOUT = 90
APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(built_data_dir, workspace_path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_is_the_vannes_portrait_in_french(app):
    assert app.title[0].value == t("portrait.title", "fr")
    assert any(h.value == "Pays de Vannes" for h in app.header)
    assert cards(app), "key figures are shown as metrics"
    assert (
        app.query_params.get("territory") == ["FR-BASIN-VANNES"]
        or app.query_params.get("territory") == "FR-BASIN-VANNES"
    )


def test_language_switch_changes_visible_text(app):
    app.sidebar.segmented_control[0].set_value("en").run()
    assert not app.exception
    assert app.title[0].value == t("portrait.title", "en")


def test_choosing_another_territory_updates_the_portrait(app):
    level = app.selectbox(key="territory_level")
    level.set_value("departement").run()
    app.selectbox(key="territory_select_departement").set_value("FR-DEP-80").run()
    assert not app.exception
    assert any(h.value == "Somme" for h in app.header)


def test_unknown_territory_in_url_falls_back_to_default(built_data_dir, workspace_path):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["territory"] = "<script>alert(1)</script>"
    at.run()
    assert not at.exception
    assert any(h.value == "Pays de Vannes" for h in at.header)


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_runs_without_exception(built_data_dir, workspace_path, spec, lang):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if spec.permission:
        at.session_state["actor"] = auth.Actor("Test Admin", "admin")
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(spec.path).run()
    assert not at.exception, f"{spec.path}: {at.exception}"
    assert not at.error or spec.permission, [e.value for e in at.error]


def test_saved_custom_territory_appears_in_the_portrait_choices(built_data_dir, workspace_path):
    from gtec.storage import reference
    from gtec.territories import custom

    ref = reference.connect_reference()
    members = ["FR-EPCI-200067932", "FR-EPCI-245614383"]
    new_id = custom.save(
        Workspace(workspace_path), auth.Actor("Fac", "facilitator"), ref, "Vannes + Questembert", members
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert "custom" in at.selectbox(key="territory_level").options or t("level.custom", "fr") in [
        str(o) for o in at.selectbox(key="territory_level").options
    ]
    at.selectbox(key="territory_level").set_value("custom").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="territory_select_custom").value == new_id
    assert any(h.value == md("Vannes + Questembert") for h in at.header)
    # its figures are the sums of its two EPCIs (counts) and compared with France
    employment = custom.aggregate_values(ref, members, ["employment"])
    latest = employment.dropna(subset=["value"]).sort_values("year").iloc[-1]
    from gtec.core import fmt

    label_fr = ref.execute("SELECT label_fr FROM indicators WHERE id = 'employment'").fetchone()[0]
    metric = next(m for m in cards(at) if m.label == label_fr)
    assert metric.value == fmt.figure(latest["value"], "count", "", "fr")


@pytest.mark.parametrize("territory", ["FR", "FR-DEP-976", "FR-REG-53", "BE-BE10", "UK-TLI", "FR-EPCI-200067932"])
def test_portrait_of_edge_territories_runs(built_data_dir, workspace_path, territory):
    """The country itself (no level above), Mayotte (no data), Belgium, a UK region, an EPCI."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["territory"] = territory
    at.run()
    assert not at.exception, at.exception
    row = reference.connect_reference().execute("SELECT name FROM territories WHERE id = ?", (territory,)).fetchone()
    name = row[0]
    assert at.header[0].value == md(name)


def test_corrupt_store_gives_a_clear_message_and_a_rebuild_button(tmp_path, monkeypatch):
    (tmp_path / "reference.sqlite").write_bytes(b"not a database at all" * 200)
    monkeypatch.setenv("GTEC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GTEC_WORKSPACE", str(tmp_path / "workspace.sqlite"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert at.error and "endommagée" in at.error[0].value
    assert any(b.label == t("store.rebuild", "fr") for b in at.button)
    assert not at.title  # no page ran on a broken store


def _shown(at: AppTest) -> str:
    return " ".join(
        str(e.value) for kind in ("error", "warning", "info", "caption", "markdown") for e in getattr(at, kind)
    )


def test_corrupt_store_message_shows_no_server_path(tmp_path, monkeypatch):
    (tmp_path / "reference.sqlite").write_bytes(b"not a database at all" * 200)
    monkeypatch.setenv("GTEC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GTEC_WORKSPACE", str(tmp_path / "workspace.sqlite"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert at.error and str(tmp_path) not in _shown(at) and "reference.sqlite" not in _shown(at)


@pytest.mark.parametrize("damage", ["corrupt", "emptied", "deleted"])
def test_a_damaged_workspace_gives_a_plain_message_and_stays_untouched(built_data_dir, tmp_path, monkeypatch, damage):
    path = tmp_path / "workspace.sqlite"
    Workspace.open(path)
    if damage == "corrupt":
        path.write_bytes(b"\x00garbage" * 512)
    elif damage == "emptied":
        path.write_bytes(b"")
    else:
        path.unlink()
    before = path.read_bytes() if path.exists() else None
    monkeypatch.setenv("GTEC_WORKSPACE", str(path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    key = {
        "corrupt": "workspace.error.corrupt",
        "emptied": "workspace.error.emptied",
        "deleted": "workspace.error.missing",
    }
    assert at.error[0].value == t(key[damage], "fr")
    assert str(tmp_path) not in _shown(at) and "python -m" not in _shown(at)
    assert not at.title  # no page ran
    assert (path.read_bytes() if path.exists() else None) == before  # nothing overwritten, nothing recreated


def test_a_rebuild_is_picked_up_by_the_next_rerun_without_restart(built_data_dir, tmp_path, monkeypatch):
    """The store is replaced (as `python -m gtec build` does: new file renamed over the old) while a session runs."""
    import os
    import shutil
    import sqlite3

    store = tmp_path / "reference.sqlite"
    shutil.copyfile(built_data_dir / "reference.sqlite", store)
    monkeypatch.setenv("GTEC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GTEC_WORKSPACE", str(tmp_path / "workspace.sqlite"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["territory"] = "FR-DEP-56"
    at.run()
    assert at.header[0].value == md("Morbihan")
    rebuilt = tmp_path / "reference.sqlite.tmp-test"
    shutil.copyfile(store, rebuilt)
    with sqlite3.connect(rebuilt) as conn:
        conn.execute("UPDATE territories SET name = 'Morbihan (reconstruit)' WHERE id = 'FR-DEP-56'")
    os.replace(rebuilt, store)
    at.run()
    assert not at.exception, at.exception
    assert at.header[0].value == md("Morbihan (reconstruit)")
