"""Screens review (issue 11), scenario page items checked on the pure builders: S3 (the crisis moves a headline
figure), S4 (every heatmap row labelled, one colour scale with the map), S5 (detailed outlines for a close-up),
S6/S8/S9 (legends that fit and tell the series apart, zero in the ticks), S7 (a table that fits), S13 (the CSV
carries its territory, horizon, settings and status)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from gtec.core import chartstyle, export
from gtec.core.i18n import t
from gtec.scenarios import charts, engine, kpi, params
from tests.unit.test_scenario_engine import tiny_inputs

LONG = "Informatique, télécommunications, études et recherche"
#: The tiny model's two families, one with the longest real family name.
FAMILIES = pd.DataFrame(
    {"id": ["F01", "F02"], "label_fr": ["Agriculture", LONG], "label_en": ["Farming", "IT, telecoms and research"]}
).set_index("id", drop=False)


@pytest.fixture
def fam():
    inputs = tiny_inputs()
    result = engine.compute(inputs, params.Settings.default(2030))
    families = FAMILIES  # the tiny model has two families: give one a long name
    return result, charts.family_frame(result, families, "fr", 0), families


# -- S3 ------------------------------------------------------------------------------------------------------------


def test_the_crisis_moves_the_worst_year_but_not_the_averages():
    inputs = tiny_inputs().collapse("X")
    ref = engine.compute(inputs, params.Settings.default(2030))
    crisis = engine.compute(inputs, params.Settings.default(2030).replace(crisis_depth=10, crisis_recovery=3))
    # the four cumulated/average headlines stay put (the recovery recreates the jobs before the horizon)...
    before = kpi.kpis(ref.territory_totals().iloc[0], ref.territory_totals().iloc[0], "fr")
    after = kpi.kpis(crisis.territory_totals().iloc[0], ref.territory_totals().iloc[0], "fr")
    assert [k.value for k in after] == [k.value for k in before]
    # ...the worst-year headline moves, says so against the reference, and is bad news
    worst = kpi.worst_year_kpi(crisis.yearly(), ref.yearly(), "fr")
    assert worst.value != kpi.worst_year_kpi(ref.yearly(), ref.yearly(), "fr").value
    assert worst.value.startswith("-") and worst.delta and worst.sign == -1
    assert worst.period == t("scenario.kpi.worst_year_period", "fr", year=inputs.base_year + 1)
    # and the page says why the averages did not change
    settings = params.Settings.default(2030).replace(crisis_depth=10, crisis_recovery=3)
    assert kpi.crisis_note(settings, inputs.base_year) == "scenario.crisis_note.recovered"
    assert kpi.crisis_note(params.Settings.default(2030), inputs.base_year) is None
    lasting = params.Settings.default(2030).replace(crisis_depth=10, crisis_recovery=8)
    assert kpi.crisis_note(lasting, 2025) == "scenario.crisis_note.lasting"


def test_the_crisis_preset_really_includes_the_crisis():
    preset = params.preset_settings("crisis_recovery")
    assert preset["crisis_depth"] > 0 and preset["crisis_recovery"] >= 1
    inputs = tiny_inputs().collapse("X")
    growth_only = params.Settings.default(2030).replace(growth_adjust=preset["growth_adjust"])
    with_crisis = kpi.worst_year(engine.compute(inputs, preset).yearly())[1]
    assert with_crisis < kpi.worst_year(engine.compute(inputs, growth_only).yearly())[1]


# -- S4, S5 -------------------------------------------------------------------------------------------------------


def test_heatmap_labels_every_family_and_territory_and_shares_the_maps_scale():
    inputs = tiny_inputs()
    result = engine.compute(inputs, params.Settings.default(2030))
    families = FAMILIES
    names = ["Communauté de communes Arc Sud Bretagne", "Golfe du Morbihan - Vannes Agglomération"]
    heat = pd.concat([charts.family_frame(result, families, "fr", i).assign(territory=n) for i, n in enumerate(names)])
    rates = pd.Series({"A": 2.0, "B": -3.0})
    bound = charts.rate_bound(rates, heat["imbalance_rate"])
    spec = charts.heatmap_chart(heat, "fr", bound=bound).to_dict()
    y, x = spec["encoding"]["y"], spec["encoding"]["x"]
    assert y["axis"]["labelOverlap"] is False and x["axis"]["labelOverlap"] is False  # no label dropped
    assert y["axis"]["labelExpr"] == chartstyle.SPLIT_LABEL and y["axis"]["labelLimit"] == 0  # wrapped, never cut
    rows = spec["datasets"][spec["data"]["name"]]
    assert {r["family_label"] for r in rows} == {"Agriculture", chartstyle.wrap_label(LONG, charts.WRAP, 2)}
    assert {r["territory_label"].replace("|", " ") for r in rows} == {
        "CC Arc Sud Bretagne",
        "Golfe du Morbihan - Vannes Agglomération",
    }
    assert spec["height"] >= charts.ROW * 2  # sized to its rows
    # one colour scale for the map and the heatmap
    fc = {"type": "FeatureCollection", "features": []}
    map_spec = charts.map_chart(fc, rates, pd.Series(dtype=str), "fr", bound=bound).to_dict()
    heat_scale = spec["encoding"]["color"]["scale"]
    map_scale = map_spec["encoding"]["color"]["scale"]
    assert heat_scale["domain"] == map_scale["domain"] == [-bound, bound]
    assert bound >= heat["imbalance_rate"].abs().max()
    # legend titles short enough never to be cut
    assert len(spec["encoding"]["color"]["legend"]["title"]) <= 15


def test_map_uses_detailed_outlines_for_a_close_up():
    assert charts.map_resolution(3) == "detail"  # a basin's EPCIs: no coarse-simplification slivers
    assert charts.map_resolution(400) == "national"  # many territories: the light layer


def test_map_tooltip_names_the_territory():
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"id": "A"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}
        ],
    }
    spec = charts.map_chart(fc, pd.Series({"A": 1.0}), pd.Series({"A": "Questembert Communauté"}), "fr").to_dict()
    assert spec["data"]["values"][0]["properties"]["name"] == "Questembert Communauté"
    assert spec["encoding"]["tooltip"][0]["field"] == "properties.name"


# -- S6, S8, S9 ---------------------------------------------------------------------------------------------------


def test_bar_charts_have_room_legends_on_lines_and_zero_in_the_ticks(fam):
    _, frame, _ = fam
    for chart in (charts.openings_chart(frame, "fr"), charts.imbalance_chart(frame, "fr")):
        spec = chart.to_dict()
        enc = spec["layer"][0]["encoding"] if "layer" in spec else spec["encoding"]
        legend = enc["color"]["legend"]
        assert legend["direction"] == "vertical" and legend["columns"] == 1 and legend["labelLimit"] == 0
        assert enc["y"]["axis"]["labelOverlap"] is False and enc["y"]["axis"]["labelLimit"] == 0
        assert spec["height"] >= charts.ROW * len(frame) + charts.FRAME  # the legend and axis do not squeeze rows
        labels = {r["family_label"] for r in spec["datasets"][next(iter(spec["datasets"]))]}
        assert chartstyle.wrap_label(LONG, charts.WRAP, 2) in labels
        assert all(lbl.count("|") <= 1 for lbl in labels)  # at most two lines
    imbalance = charts.imbalance_chart(frame, "fr").to_dict()["layer"][0]["encoding"]["x"]
    assert 0 in imbalance["axis"]["values"]


def test_tornado_has_zero_and_wrapped_labels():
    table = engine.tornado(tiny_inputs(), params.Settings.default(2030).replace(ecology=50))
    spec = charts.tornado_chart(table, "fr").to_dict()
    bars = spec["layer"][0]["encoding"]
    assert 0 in bars["x"]["axis"]["values"]
    assert isinstance(bars["x"]["title"], list)  # a long axis title on two lines, not cut
    assert spec["height"] >= charts.TORNADO_ROW * len(bars["y"]["sort"])


def test_band_chart_legend_tells_scenario_from_reference():
    inputs = tiny_inputs()
    settings = params.Settings.default(2030).replace(ecology=50)
    band = engine.band(inputs, settings)
    reference = engine.compute(inputs, params.Settings.default(2030)).yearly()
    spec = charts.band_chart(band, reference, "fr").to_dict()
    line = spec["layer"][1]["encoding"]
    assert line["color"]["legend"] == line["strokeDash"]["legend"]  # one legend: colour and dash together
    assert line["color"]["legend"]["symbolType"] == "stroke"
    assert 0 in spec["layer"][0]["encoding"]["y"]["axis"]["values"]


def test_zero_ticks():
    assert charts.zero_ticks(-4200, 4200, 3) == [-5000.0, 0.0, 5000.0]
    assert 0.0 in charts.zero_ticks(12, 230)
    assert charts.zero_ticks(-30, -5)[-1] == 0.0


def test_wrap_label():
    assert chartstyle.wrap_label("Maintenance", 20) == "Maintenance"
    assert chartstyle.wrap_label("Bâtiment et travaux publics", 20) == "Bâtiment et travaux|publics"
    assert chartstyle.wrap_label(LONG, 20, 2).count("|") == 1


# -- S7, S13 ------------------------------------------------------------------------------------------------------


def test_table_on_screen_has_five_columns_in_the_readers_format(fam):
    _, frame, _ = fam
    table = charts.display_table(frame, "fr")
    assert list(table.columns) == [
        t("scenario.col.family", "fr"),
        t("scenario.flow.openings", "fr"),
        t("scenario.flow.entrants", "fr"),
        t("scenario.flow.imbalance", "fr"),
        t("scenario.col.imbalance_rate", "fr"),
    ]
    assert all(v.endswith("\u202f%") and "." not in v for v in table.iloc[:, 4])  # "12,6 %", French spacing
    assert all(v.endswith("%") and "\u202f" not in v for v in charts.display_table(frame, "en").iloc[:, 4])


def test_csv_has_whole_headcounts_and_its_context_inside(fam):
    _, frame, _ = fam
    settings = params.Settings.default(2035).replace(ecology=40)
    out = charts.export_table(
        frame, "fr", territory="Pays de Vannes", base_year=2018, settings=settings,
        status="valeur de démonstration, non officielle", sources="INSEE (recensement 2018)",
    )  # fmt: skip
    text = export.to_safe_csv(out, "fr")
    back = pd.read_csv(io.StringIO(text), sep=";", dtype=str)
    for key in ("scenario.col.territory", "scenario.export.base_year", "scenario.horizon",
                "scenario.export.parameters", "scenario.export.status", "scenario.export.sources"):  # fmt: skip
        assert t(key, "fr") in back.columns
    assert set(back[t("scenario.horizon", "fr")]) == {"2035"}
    assert set(back[t("scenario.col.territory", "fr")]) == {"Pays de Vannes"}
    assert "Transition bas-carbone\u00a0: 40" in back[t("scenario.export.parameters", "fr")].iloc[0]
    assert set(back[t("scenario.export.status", "fr")]) == {"valeur de démonstration, non officielle"}
    heads = back[t("scenario.col.employment_base", "fr")]
    assert all("." not in v and "," not in v for v in heads)  # whole headcounts, no "2526.0"
