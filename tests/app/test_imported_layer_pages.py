"""AppTest: a boundary layer imported through the Import page is a map level, its zones are portrait territories
and scenario territory choices (issue 13 item 4), with values aggregated from the communes and marked imported."""

from __future__ import annotations

import json
from pathlib import Path

from gtec.core import auth
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.imports import layers
from gtec.storage.reference import connect_reference
from tests.app.cards import cards
from tests.unit.test_imported_layers_use import zones_geojson

ADMIN = auth.Actor("Alice Admin (alice)", "admin")
NAME = "Bassins d'étude"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _import(open_page, ws, built_data_dir, tmp_path):
    ref = connect_reference(built_data_dir / "reference.sqlite")
    blob = zones_geojson(ref, tmp_path).read_bytes()
    ref.close()
    at = _ok(open_page("pages/imports.py", "fr", ADMIN))
    _ok(at.file_uploader[1].upload("zones.geojson", blob, "application/geo+json").run())
    at.selectbox(key="lay_code").set_value("code").run()
    at.selectbox(key="lay_label").set_value("nom").run()
    at.text_input(key="lay_name").set_value(NAME).run()
    _ok(next(b for b in at.button if b.label == t("datasets.layers.import", "fr")).click().run())
    [layer] = layers.list_layers(ws)
    return at, layer["id"]


def _map_args(at) -> dict:
    comps = at.get("bidi_component")
    assert comps and comps[0].proto.component_name == "gtec_leaflet_map"
    return json.loads(comps[0].proto.json)


def test_imported_layer_on_the_map_portrait_and_scenarios(open_page, ws, built_data_dir, tmp_path):
    at, layer = _import(open_page, ws, built_data_dir, tmp_path)
    at.switch_page("pages/map.py").run()
    _ok(at)
    label = t("map.imported.level", "fr", name=NAME)
    assert label in at.selectbox(key="map_level").options
    at.selectbox(key="map_level").select(layer).run()
    _ok(at)
    assert at.selectbox(key="map_level").value == layer
    at.selectbox(key="map_ind").select("population").run()
    _ok(at)
    args = _map_args(at)
    url = args["layer_url"]
    text = (Path(__file__).resolve().parents[2] / "static" / url.removeprefix("/app/static/")).read_text()
    assert f'"{layer}-Z1"' in text and f'"{layer}-Z2"' in text and text.count('"type":"Feature"') == 2
    assert [v[0] >= 0 for v in args["values"]] == [True, True]  # both zones coloured: aggregated populations
    (lat, lon), zoom = args["view"]
    assert 47.4 < lat < 48.0 and -3.6 < lon < -2.4 and zoom >= 8  # the map opens on the layer (Morbihan)
    assert any(t("status.imported", "fr") in m.value for m in at.markdown)

    zone = f"{layer}-Z1"
    at.session_state["_territory_id"] = zone
    at.session_state["territory_level"] = layer
    at.session_state[f"territory_select_{layer}"] = zone
    at.switch_page("pages/portrait.py").run()
    _ok(at)
    assert at.header[0].value == md("Zone <b>1</b>")  # the zone's name from the file, escaped
    assert at.selectbox(key="territory_level").value == layer
    pop = [c for c in cards(at) if c.status == "imported" and c.value[:1].isdigit()]
    assert pop, [(c.label, c.status, c.value) for c in cards(at)]

    at.switch_page("pages/scenarios.py").run()
    _ok(at)
    assert label in at.selectbox(key="territory_level").options
