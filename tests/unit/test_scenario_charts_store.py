"""Scenario chart builders (through to_dict) and the saved-scenario store (workspace write path)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gtec.core import auth, chartstyle, fmt
from gtec.core.errors import UserError
from gtec.core.i18n import t
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


def _values(spec: dict, layer: int | None = None) -> list[dict]:
    """The rows of a chart's inline data (Altair puts them in ``datasets``)."""
    data = spec["layer"][layer]["data"] if layer is not None and "data" in spec["layer"][layer] else spec["data"]
    return spec["datasets"][data["name"]]


def test_openings_chart_stacks_departures_and_creation_with_french_numbers(result):
    fam = charts.family_frame(result, FAMILIES, "fr")
    spec = charts.openings_chart(fam, "fr").to_dict()
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "bar"
    assert enc["x"]["field"] == "jobs" and enc["x"]["title"] == "Emplois par an"
    assert enc["x"]["axis"]["format"] == ",~r"  # grouped thousands...
    assert spec["config"]["locale"]["number"]["thousands"] == "\u202f"  # ...with the French narrow no-break space
    assert enc["y"]["sort"] == list(fam.sort_values("openings", ascending=False)["family"])  # short names: one line
    assert enc["color"]["scale"]["domain"] == [t("scenario.flow.departures", "fr"), t("scenario.flow.creation", "fr")]
    assert enc["color"]["scale"]["range"] == [charts.DEPARTURES, charts.CREATION]
    rows = _values(spec)
    assert len(rows) == 2 * len(fam)  # one bar part per family and part
    big = max(rows, key=lambda r: r["openings"])
    assert big["openings_text"] == fmt.number(big["openings"], "fr") and "," not in big["openings_text"]
    en = charts.openings_chart(charts.family_frame(result, FAMILIES, "en"), "en").to_dict()
    assert en["encoding"]["x"]["axis"] == {"format": ",~r"} and en["encoding"]["x"]["title"] == "Jobs a year"


def test_imbalance_chart_diverges_around_zero(result):
    fam = charts.family_frame(result, FAMILIES, "en")
    spec = charts.imbalance_chart(fam, "en").to_dict()
    bars, zero = spec["layer"]
    assert bars["mark"]["type"] == "bar" and zero["mark"]["type"] == "rule"
    assert bars["encoding"]["x"]["field"] == "imbalance"
    assert bars["encoding"]["color"]["scale"] == {
        "domain": [t("scenario.legend.shortage", "en"), t("scenario.legend.surplus", "en")],
        "range": [charts.SHORTAGE, charts.SURPLUS],
    }
    sides = {r["family"]: r["side"] for r in _values(spec, 0)}
    for _, row in fam.iterrows():
        expected = "scenario.legend.shortage" if row["imbalance"] >= 0 else "scenario.legend.surplus"
        assert sides[row["family"]] == t(expected, "en")
    assert [tip["field"] for tip in bars["encoding"]["tooltip"]] == ["family", "value_text", "rate_text"]


def test_heatmap_is_centred_on_zero(result):
    heat = pd.concat([charts.family_frame(result, FAMILIES, "fr", i).assign(territory=n) for i, n in enumerate("AB")])
    spec = charts.heatmap_chart(heat, "fr").to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domainMid"] == 0 and scale["domain"][0] == -scale["domain"][1] >= -1e12
    assert scale["domain"][1] == charts.rate_bound(heat["imbalance_rate"])  # the largest rate, rounded up
    assert scale["domain"][1] >= heat["imbalance_rate"].abs().max()
    assert spec["encoding"]["x"]["sort"] == ["A", "B"]
    assert spec["encoding"]["color"]["legend"]["title"] == t("scenario.legend.rate_short", "fr")


def test_tornado_and_band_charts(result):
    inputs = tiny_inputs()
    settings = params.Settings.default(2030).replace(ecology=50)
    table = engine.tornado(inputs, settings)
    tornado = charts.tornado_chart(table, "fr").to_dict()
    bars, zero = tornado["layer"]
    assert zero["mark"]["type"] == "rule"
    assert "|".join(bars["encoding"]["x"]["title"]) == chartstyle.wrap_label(t("scenario.axis.tornado", "fr"), 28)
    labels = {r["name"] for r in _values(tornado, 0)}
    assert "Transition bas-carbone (30 → 70)" in labels
    assert "Attractivité (solde migratoire des actifs) (-0,10 → 0,10)" in labels  # French comma, step decimals
    assert "Attractivité (solde|migratoire des actifs)|(-0,10 → 0,10)" in {r["label"] for r in _values(tornado, 0)}
    assert len(labels) == (table["swing"] > 0).head(10).sum()
    band = engine.band(inputs, settings, table)
    reference = engine.compute(inputs, params.Settings.default(2030)).yearly()
    spec = charts.band_chart(band, reference, "fr").to_dict()
    area, line = spec["layer"]
    assert area["mark"]["type"] == "area" and area["encoding"]["y"]["field"] == "low"
    assert area["encoding"]["y2"]["field"] == "high"
    scen, ref = t("scenario.legend.scenario", "fr"), t("scenario.legend.reference", "fr")
    assert line["encoding"]["color"]["scale"]["domain"] == [scen, ref]
    assert line["encoding"]["strokeDash"]["scale"]["range"] == [[1, 0], [6, 4]]  # the reference is dashed
    series = [r["series"] for r in _values(spec, 1)]
    assert series.count(scen) == series.count(ref) == len(band) == 10


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
