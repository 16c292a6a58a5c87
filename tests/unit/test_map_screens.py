"""The map's screens-review fixes (issue 11, M2-M13) checked on the pure builders: overseas insets, diverging
classes, legend text, the values table and CSV, the exported HTML map."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pytest

from gtec.core import export
from gtec.core.i18n import t
from gtec.maps import choropleth, insets, layers, legend, levels, palettes, table
from gtec.maps import export as map_export


def _square(lon: float, lat: float, size: float = 0.1) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _fc() -> dict:
    where = {"FR-DEP-56": (-2.8, 47.7), "FR-DEP-973": (-53.0, 4.0), "FR-DEP-974": (55.5, -21.2)}
    feats = [
        {"type": "Feature", "id": tid, "properties": {"id": tid, "code": tid, "name": tid}, "geometry": _square(*xy)}
        for tid, xy in where.items()
    ]
    return {"type": "FeatureCollection", "features": feats}


def _level_table(values: dict[str, float | None]) -> pd.DataFrame:
    ids = list(values)
    return pd.DataFrame(
        {
            "territory_id": ids,
            "name": [f"T {i}" for i in ids],
            "code": ids,
            "value": [float("nan") if v is None else v for v in values.values()],
            "status": ["official"] * len(ids),
            "vintage": ["2023"] * len(ids),
            "source_id": ["s1"] * len(ids),
            "period": ["2023-Q3"] * len(ids),
            "flag": [None] * len(ids),
        }
    )


RATE = {"id": "unemployment_rate", "label_fr": "Taux de chômage", "label_en": "Unemployment rate", "unit_fr": "%",
        "unit_en": "%", "kind": "rate", "aggregation": "weighted_mean", "rate_per": None}  # fmt: skip
COUNT = {"id": "population", "label_fr": "Population", "label_en": "Population", "unit_fr": "habitants",
         "unit_en": "inhabitants", "kind": "count", "aggregation": "sum", "rate_per": None}  # fmt: skip


def test_overseas_territories_are_moved_into_boxes_inside_the_first_view():  # M2
    moved = insets.place_overseas(_fc())
    (south, west), (north, east) = levels.view_bounds("departement")
    by_id = {f["id"]: f["geometry"]["coordinates"][0] for f in moved["features"]}
    assert by_id["FR-DEP-56"] == _fc()["features"][0]["geometry"]["coordinates"][0]  # the mainland stays put
    for tid in ("FR-DEP-973", "FR-DEP-974"):
        assert all(south <= lat <= north and west <= lon <= east for lon, lat in by_id[tid]), tid
        assert all(lon < -5.2 for lon, _ in by_id[tid]), "the boxes sit west of the mainland, not over it"
    boxes = [i.box for i in insets.INSETS]
    assert all(a[0][0] > b[1][0] for a, b in itertools.pairwise(boxes))  # stacked, not overlapping
    assert levels.view_bounds("be_province", ((49.5, 2.5), (51.5, 6.4))) == ((49.5, 2.5), (51.5, 6.4))
    assert levels.view_bounds("uk_itl1") is None


def test_diverging_is_the_signed_gap_for_rates_and_refused_for_counts():  # M3
    values = {f"D{i}": 7.0 + (i % 5 - 2) * 0.5 for i in range(95)} | {"GUY": 24.3, "NA": None}
    tbl = _level_table(values)
    opts = choropleth.Options("quantiles", 5, "diverging", "rdbu")
    fig = choropleth.compose(tbl, RATE, 2023, "total", opts, "fr", national=7.0)
    entries = fig.legend.entries
    assert entries[0].label.startswith("≤ -") and entries[-1].label.startswith("> ")  # gaps, open outer classes
    assert entries[0].upper == pytest.approx(-entries[-1].lower)  # symmetric around 0 (the national value)
    assert max(e.count for e in entries) < 0.5 * len(values), "no near-blank map with everything in one class"
    ends = palettes.palette_colours("rdbu", 5)
    assert (entries[0].colour, entries[-1].colour) == (ends[0], ends[-1])  # the whole palette, not its pale middle
    assert fig.legend.unit == t("map.unit.points", "fr")
    assert "7,0\u202f%" in fig.legend.method_label and "écart" in fig.legend.method_label
    assert fig.values["GUY"] == 24.3  # the table and tooltips keep the real rate
    # a count has no meaningful centre: sequential colours, the quantile method named
    pop = choropleth.compose(_level_table({"a": 1.0, "b": 5.0, "c": 9.0}), COUNT, 2023, "total", opts, "fr", 5.0)
    assert not choropleth.diverging_allowed(COUNT, "total") and choropleth.diverging_allowed(RATE, "total")
    # without a national value the gaps are to the median of the territories shown, and the legend says so
    median = choropleth.compose(tbl, RATE, 2023, "total", opts, "en", national=None)
    assert median.legend.method_label == t("map.legend.diverging_median", "en", value="7.0%")
    assert pop.legend.method_label == t("map.method.quantiles", "fr")
    assert all(not e.label.startswith(("≤", ">")) for e in pop.legend.entries)
    assert set(pop.colours.values()) <= set(palettes.palette_colours(choropleth.SEQUENTIAL_DEFAULT, 3))


def test_legend_keeps_entries_on_one_line_and_names_outlines_insets_and_totals():  # M8, M9, M10
    fig = choropleth.compose(
        _level_table({"a": 3888.0, "b": 11136.0, "c": 7142540.0}), COUNT, 2023, "total",
        choropleth.Options("quantiles", 3, "sequential", "blues"), "fr",
    )  # fmt: skip
    html = legend.legend_html(fig.legend, "fr", "contour : bassins", "Outre-mer")
    labels = re.findall(r'<span style="white-space:nowrap">([^<]*)</span>', html)
    assert len(labels) == 4 and "3\u202f888" in labels[0]  # three classes and "no data"
    assert "contour : bassins" in html and "Outre-mer" in html
    assert fig.legend.note == t("map.legend.totals", "fr") and fig.legend.note in html.replace("&#x27;", "'")
    rate = choropleth.compose(
        _level_table({"a": 1.0}), RATE, 2023, "total", choropleth.Options("quantiles", 3, "sequential", "blues"), "fr"
    )
    assert rate.legend.note == ""


def test_screen_table_and_csv():  # M11, M13
    tbl = _level_table({"a": 8.45, "b": 12.5, "c": None, "d": 3.0, "e": 5.5})

    def fig_for(method: str, k: int) -> choropleth.Figure:
        return choropleth.compose(tbl, RATE, 2023, "total", choropleth.Options(method, k, "sequential", "blues"), "fr")

    shown = table.export_table(fig_for("quantiles", 5).table, "fr", {}, formatted=True, decimals=2)
    assert list(shown[t("map.col.value", "fr")])[:3] == ["8,45", "12,50", t("map.no_data", "fr")]
    assert t("map.col.source", "fr") not in shown.columns  # said once above the table, not per row
    about = ("Taux de chômage", "%", 2023)
    csv_a = table.export_table(fig_for("quantiles", 5).table, "fr", {}, about=about)
    csv_b = table.export_table(fig_for("jenks", 3).table, "fr", {}, about=about)
    for col in ("indicator", "unit", "year", "vintage", "status", "quintile"):
        assert t(f"map.col.{col}", "fr") in csv_a.columns, col
    quintile = t("map.col.quintile", "fr")
    assert csv_a[quintile].equals(csv_b[quintile])  # does not follow the display options
    assert t("map.col.class", "fr") not in csv_a.columns
    text = export.to_safe_csv_bytes(csv_a, "fr").decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Territoire;Code;Indicateur;Unité;Année;Valeur")
    assert ";8,45;" in text and ";2023;" in text


def test_exported_map_states_title_source_date_and_keeps_the_scale_bar_clear(tmp_path):  # M5, M6
    layer = layers.prepare_layer(insets.place_overseas(_fc()))
    fig = choropleth.compose(
        _level_table({"FR-DEP-56": 6.0, "FR-DEP-973": 16.8, "FR-DEP-974": 17.0}), RATE, 2023, "total",
        choropleth.Options("quantiles", 3, "sequential", "blues"), "fr",
    )  # fmt: skip
    data_json = layers.layer_json(layer, fig.values, fig.colours, "fr", fig.unit, 1)
    text = layers.ExportText(
        "Taux de chômage, 2023 T3 (%)", "Source : INSEE · millésime 2023 · statut : officiel",
        "Carte exportée le 2 décembre 2026", "Contours : IGN", "Valeurs de démonstration",
    )  # fmt: skip
    frames = insets.frames({})
    m = layers.standalone_map(
        layer, data_json, fig.label, fig.legend, "fr", bounds=levels.view_bounds("departement"), text=text,
        frames=frames,
    )  # fmt: skip
    page = map_export.map_to_html(m, layers.ensure_static_assets(tmp_path / "leaflet")).decode()
    for words in ("Taux de chômage, 2023 T3 (%)", "Source : INSEE", "2 décembre 2026", "Contours : IGN"):
        assert words in page, words
    assert "Valeurs de démonstration" in page and "repeating-linear-gradient" in page  # band and hatching
    assert "sans-serif" in page and "fitBounds" in page
    legend_box = re.search(r'class="gtec-export-legend" style="([^"]*)"', page.replace("\n", " "))
    assert legend_box and "right:" in legend_box.group(1) and "bottom:" not in legend_box.group(1)
    assert page.count("guadeloupe") >= 1  # the inset boxes are named
