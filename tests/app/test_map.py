"""AppTest of the map and custom-basin pages: URL state, layer sent to the map, escaping, saving a basin."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from gtec.core import auth
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.storage.workspace import Workspace
from gtec.territories import custom

TIMEOUT = 90
APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "map.py")
BUILDER = str(Path(__file__).resolve().parents[2] / "pages" / "custom_basin.py")


def _builder(actor: auth.Actor | None = None) -> AppTest:
    # The builder page is run on its own (shell simulated): AppTest drops multiselect values set after
    # switch_page in an st.navigation app (a test-harness limitation; selectboxes are unaffected).
    at = AppTest.from_file(BUILDER, default_timeout=TIMEOUT)
    at.session_state["_gtec_shell"] = True
    if actor:
        at.session_state["actor"] = actor
    at.run()
    assert not at.exception, at.exception
    return at


XSS = '<img src=x onerror="alert(document.domain)">'


def _map(params: dict[str, str] | None = None, actor: auth.Actor | None = None) -> AppTest:
    if params:
        # AppTest's switch_page drops query parameters, so a pasted link is simulated by running the page itself
        # with them (the shell only adds the sidebar; the page reads its language from the session).
        at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
        for key, value in params.items():
            at.query_params[key] = value
        if "lang" in params:
            at.session_state["lang"] = params["lang"]
        at.session_state["_gtec_shell"] = True  # components.shell.page_guard: the shell is simulated
        at.run()
    else:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        if actor:
            at.session_state["actor"] = actor
        at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    return at


def _map_args(at: AppTest) -> dict:
    comps = at.get("bidi_component")
    assert comps, "the map component is rendered"
    assert comps[0].proto.component_name == "gtec_leaflet_map"
    return json.loads(comps[0].proto.json)


def _geometry(url: str) -> str:
    """The text of a geometry file the map fetches (``/app/static/...`` is served from ``<repo>/static``)."""
    assert url.startswith("/app/static/vendor/geo/")
    return (Path(__file__).resolve().parents[2] / "static" / url.removeprefix("/app/static/")).read_text()


def _param(at: AppTest, name: str):
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


def test_default_view_is_the_zones_d_emploi_map_with_the_ilo_rate(built_data_dir, workspace_path):
    at = _map()
    assert at.title[0].value == t("map.title", "fr")
    assert _param(at, "level") == "zone_emploi" and _param(at, "ind") == "unemployment_rate"
    assert at.toggle(key="show_demo").value is False


def test_epci_map_has_basin_outlines(built_data_dir, workspace_path):
    at = _map()
    at.selectbox(key="map_level").set_value("epci").run()
    args = _map_args(at)
    geometry = _geometry(args["layer_url"])
    assert geometry.count('"type":"Feature"') > 1200
    assert len(args["outline_urls"]) == 1 and "FR-BASIN-VANNES" in _geometry(args["outline_urls"][0])
    assert args["leaflet_base"] == "/app/static/vendor/leaflet"
    assert (Path(__file__).resolve().parents[2] / "static/vendor/leaflet/leaflet.js").exists()
    assert _param(at, "level") == "epci" and _param(at, "ind") == "population"  # the ILO rate is not official there
    # a rerun carries values and classes only: no geometry, no list of 1,253 names
    assert len(at.get("bidi_component")[0].proto.json) <= 100_000
    assert len(args["values"]) > 1200 and "coordinates" not in at.get("bidi_component")[0].proto.json
    assert len(at.selectbox(key="map_sel").options) == 1  # the search box lists matches only
    at.text_input(key="map_sel_q").input("vannes").run()
    options = at.selectbox(key="map_sel").options
    assert 1 < len(options) <= 31 and any("Vannes" in o for o in options)
    assert "INSEE" in args["provenance"] and "officiel" in args["provenance"]  # provenance stays on the map
    assert args["demo_band"] == ""  # official values: no demonstration band
    assert [f[0] for f in args["insets"]] == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    assert t("map.legend.outline.basin", "fr").replace("'", "&#x27;") in at.get("html")[0].proto.body


def test_changing_the_indicator_swaps_only_the_layer(built_data_dir, workspace_path):
    at = _map()
    before = _map_args(at)
    at.selectbox(key="map_ind").set_value("employment").run()
    assert not at.exception
    after = _map_args(at)
    assert after["layer_url"] == before["layer_url"], "same geometry file: the browser keeps it"
    assert after["view"] == before["view"], "same view: the zoom is kept in the browser"
    assert after["values"] != before["values"]
    assert _param(at, "ind") == "employment"


def test_url_restores_the_view_and_the_profile(built_data_dir, workspace_path):
    # population: an official count with two years at basin level (2017 and the 2023 legal population)
    at = _map({"level": "basin", "ind": "population", "year": "2017", "sel": "FR-BASIN-SAINT-MALO", "lang": "en"})
    assert at.selectbox(key="map_level").value == "basin"
    assert at.selectbox(key="map_ind").value == "population"
    assert at.select_slider(key="map_year").value == 2017
    assert any(s.value == t("map.profile.title", "en", name=md("Pays de Saint-Malo")) for s in at.subheader)
    assert _map_args(at)["selected"] == "FR-BASIN-SAINT-MALO"


def test_bad_url_values_are_ignored_with_a_message(built_data_dir, workspace_path):
    at = _map({"level": "galaxy", "year": "DROP TABLE", "sel": "<script>"})
    assert len(at.warning) >= 3
    assert at.selectbox(key="map_level").value == "zone_emploi"


def test_rate_toggle_divides_by_the_denominator(built_data_dir, workspace_path):
    # employment / population 15-64: both have the census year (jobseekers' years do not meet the census one)
    at = _map({"level": "departement", "ind": "employment"})
    at.segmented_control(key="map_measure").set_value("rate").run()
    assert not at.exception
    assert _param(at, "measure") == "rate"
    assert all("%" in v[1] for v in _map_args(at)["values"] if v[0] >= 0)


def test_territory_names_are_escaped_in_the_layer(built_data_dir, workspace_path, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(built_data_dir / "reference.sqlite", data / "reference.sqlite")
    with sqlite3.connect(data / "reference.sqlite") as conn:
        conn.execute("UPDATE territories SET name = ? WHERE id = 'FR-BASIN-VANNES'", (XSS,))
    monkeypatch.setenv("GTEC_DATA_DIR", str(data))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = _map({"level": "basin"})
        text = _geometry(_map_args(at)["layer_url"])
        assert "<img" not in text.lower() and "\\u003cimg" in text  # kept as plain JSON text, no markup characters
        script = (Path(__file__).resolve().parents[2] / "components" / "leaflet_map.js").read_text()
        assert "innerHTML" not in script and "textContent = name" in script  # shown as text, never as HTML
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_custom_basin_reader_can_preview_but_not_save(built_data_dir, workspace_path):
    at = _builder()
    assert any(i.value == t("custom.not_allowed", "fr") for i in at.info)
    at.multiselect(key="custom_members_epci").set_value(["FR-EPCI-200067932", "FR-EPCI-245614383"]).run()
    assert not at.exception
    save = next(b for b in at.button if b.label == t("custom.save", "fr"))
    assert save.disabled


def test_facilitator_saves_a_basin_that_the_map_offers(built_data_dir, workspace_path):
    at = _builder(auth.Actor("Anne", "facilitator"))
    at.multiselect(key="custom_members_epci").set_value(["FR-EPCI-200067932", "FR-EPCI-245614383"]).run()
    at.text_input[0].input(XSS).run()
    next(b for b in at.button if b.label == t("custom.save", "fr")).click().run()
    assert not at.exception
    assert at.success, [e.value for e in at.error]
    saved = custom.list_custom(Workspace(workspace_path))
    assert [c.name for c in saved] == [XSS]
    at = _map()
    at.text_input(key="map_sel_q").input("onerror").run()  # 287 zones d'emploi: the picker searches
    assert XSS in at.selectbox(key="map_sel").options  # offered under its name, as plain text
    at.selectbox(key="map_sel").set_value(saved[0].id).run()
    assert not at.exception
    assert any(md(XSS) in s.value for s in at.subheader)  # escaped for Markdown: shown as text, never as HTML


def test_saving_without_a_name_says_so(built_data_dir, workspace_path):
    at = _builder(auth.Actor("Anne", "facilitator"))
    at.multiselect(key="custom_members_epci").set_value(["FR-EPCI-200067932"]).run()
    next(b for b in at.button if b.label == t("custom.save", "fr")).click().run()
    assert [e.value for e in at.error] == [t("custom.error.name_empty", "fr")]
    assert custom.list_custom(Workspace(workspace_path)) == []


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts from data caches that no earlier test filled (one swaps the reference store for a copy
    with a hostile name): cached tables, catalogue and names are dropped before the page runs."""
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_demonstration_values_appear_only_with_the_switch_and_marked(built_data_dir, workspace_path):
    at = _map()
    at.selectbox(key="map_level").set_value("epci").run()
    assert "Demandeurs d'emploi" not in at.selectbox(key="map_ind").options
    at.toggle(key="show_demo").set_value(True).run()
    at.selectbox(key="map_ind").set_value("jobseekers").run()
    assert not at.exception
    assert t("demo.mark", "fr") in at.get("html")[0].proto.body
    assert _map_args(at)["demo_band"] == t("map.demo_band", "fr")  # marked on the map itself too


def test_compare_profiles_share_one_y_scale_and_carry_their_source(built_data_dir, workspace_path):
    """Screens review M12: two profiles side by side plot on the same value axis, each with its source line."""
    at = _map({"level": "region", "ind": "population", "sel": "FR-REG-53"})
    at.selectbox(key="map_cmp").set_value("FR-REG-11").run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    domains = [c["encoding"]["y"]["scale"].get("domain") for c in charts if "line" in str(c.get("mark"))]
    assert len(domains) == 2 and domains[0] and domains[0] == domains[1], domains
    sources = [m.value for m in at.markdown if md(t("map.profile.source", "fr", sources="INSEE"))[:-5] in m.value]
    assert len(sources) == 2, [m.value for m in at.markdown]
