"""Scenario chart builders (through to_dict) and the saved-scenario store (workspace write path)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.scenarios import charts, engine, params, store
from tests.unit.test_scenario_engine import tiny_inputs

FAMILIES = pd.DataFrame(
    {"id": ["F01", "F02"], "label_fr": ["Agriculture", "Bâtiment"], "label_en": ["Farming", "Construction"]}
).set_index("id", drop=False)
FACILITATOR = auth.Actor("Camille", "facilitator")


@pytest.fixture
def result():
    return engine.compute(tiny_inputs(), params.Settings.default(2030).replace(ecology=50))


def test_family_frame_and_results_table(result):
    fam = charts.family_frame(result, FAMILIES, "en", territory=0)
    assert list(fam["family"]) == ["Farming", "Construction"]
    np.testing.assert_allclose(fam["openings"], fam["creation"] + fam["departures"])
    table = charts.results_table(fam, "fr")
    assert table.columns[0] == "Famille de métiers" and len(table) == 2


def test_charts_serialise_with_translated_titles(result):
    fam = charts.family_frame(result, FAMILIES, "fr")
    spec = charts.openings_chart(fam, "fr").to_dict()
    assert spec["encoding"]["x"]["title"] == "Emplois par an"
    assert "labelExpr" in spec["encoding"]["x"]["axis"]  # French thousands separator
    charts.imbalance_chart(fam, "en").to_dict()
    heat = pd.concat([charts.family_frame(result, FAMILIES, "fr", i).assign(territory=n) for i, n in enumerate("AB")])
    assert charts.heatmap_chart(heat, "fr").to_dict()["encoding"]["color"]["scale"]["domainMid"] == 0
    inputs = tiny_inputs()
    settings = params.Settings.default(2030).replace(ecology=50)
    table = engine.tornado(inputs, settings)
    tornado = charts.tornado_chart(table, "en").to_dict()
    assert len(tornado["layer"]) == 2
    band = engine.band(inputs, settings, table)
    charts.band_chart(band, engine.compute(inputs, params.Settings.default(2030)).yearly(), "fr").to_dict()


def test_map_chart_shows_missing_as_missing():
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"id": i}, "geometry": {"type": "Point", "coordinates": [0, 0]}}
            for i in ("A", "B")
        ],
    }
    spec = charts.map_chart(fc, pd.Series({"A": 3.5}), pd.Series({"A": "<b>x</b>", "B": "Bee"}), "fr").to_dict()
    props = {f["properties"]["id"]: f["properties"] for f in spec["data"]["values"]}
    assert props["A"]["rate"] == 3.5 and props["B"]["rate"] is None
    assert props["B"]["rate_text"] == "pas de donnée"


def test_save_list_reload_delete(ws):
    s = params.preset_settings("low_carbon", 2035)
    sid = store.save_scenario(ws, FACILITATOR, "  Atelier   Vannes ", "FR-BASIN-VANNES", s, "low_carbon")
    saved = store.list_scenarios(ws)
    assert [(x.id, x.name, x.settings, x.preset) for x in saved] == [(sid, "Atelier Vannes", s, "low_carbon")]
    with pytest.raises(UserError) as err:
        store.save_scenario(ws, FACILITATOR, "Atelier Vannes", "FR", s)
    assert err.value.key == "scenario.error.name_taken"
    store.save_scenario(ws, FACILITATOR, "Atelier Vannes", "FR", s.replace(digital=20), overwrite=True)
    assert store.get_scenario(ws, sid).settings["digital"] == 20
    assert store.delete_scenario(ws, FACILITATOR, sid)
    assert store.list_scenarios(ws) == []
    actions = [e["action"] for e in ws.audit_entries()]
    assert actions.count("scenario.save") == 2 and "scenario.delete" in actions


def test_a_reader_cannot_save_and_nothing_is_written(ws):
    with pytest.raises(auth.PermissionDenied):
        store.save_scenario(ws, auth.ANONYMOUS, "x", "FR", params.Settings.default())
    with pytest.raises(UserError):
        store.save_scenario(ws, FACILITATOR, "   ", "FR", params.Settings.default())
    assert store.list_scenarios(ws) == []


def test_compare_settings():
    a = params.Settings.default(2030)
    b = a.replace(horizon=2035, ecology=40)
    diff = store.compare_settings(a, b)
    assert list(diff["parameter"]) == ["horizon", "ecology"]
    assert store.compare_settings(a, a).empty


def test_names_are_unique_without_regard_to_case_and_stale_overwrites_are_refused(ws):
    s = params.Settings.default()
    sid = store.save_scenario(ws, FACILITATOR, "Été 2030", "FR", s)
    with pytest.raises(UserError) as err:
        store.save_scenario(ws, FACILITATOR, "ÉTÉ  2030", "FR", s)
    assert err.value.key == "scenario.error.name_taken"
    loaded = store.get_scenario(ws, sid)
    store.save_scenario(
        ws, FACILITATOR, "Été 2030", "FR", s.replace(digital=10), overwrite=True, version=loaded.version
    )
    with pytest.raises(UserError) as err:  # a second editor still holding the first version
        store.save_scenario(
            ws, FACILITATOR, "Été 2030", "FR", s.replace(digital=90), overwrite=True, version=loaded.version
        )
    assert err.value.key == "scenario.error.conflict"
    assert store.get_scenario(ws, sid).settings["digital"] == 10
