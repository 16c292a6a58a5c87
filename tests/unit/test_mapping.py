"""gtec.maps: classification, palettes, legend, escaping, offline assets, URL view (pure, small data)."""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gtec.core.i18n import t
from gtec.maps import classify, layers, legend, levels, palettes, table, view
from gtec.maps import export as map_export
from gtec.territories import indicators

XSS = '<img src=x onerror="alert(1)">'


# ---------------------------------------------------------------------------------------------- classification


def test_jenks_finds_the_obvious_groups():
    values = [1, 2, 3, 10, 11, 12, 50, 51, 52]
    edges = classify.jenks_breaks(values, 3)
    assert edges == [1.0, 3.0, 12.0, 52.0]
    assert classify.assign_classes(values, edges) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_jenks_is_optimal_against_brute_force():
    import itertools

    values = sorted([3.1, 0.2, 9.7, 4.4, 4.5, 12.0, 1.1, 8.8, 2.5, 7.0])

    def ssd(group):
        m = sum(group) / len(group)
        return sum((v - m) ** 2 for v in group)

    best = min(
        sum(ssd(values[a:b]) for a, b in itertools.pairwise((0, i, j, len(values))))
        for i, j in itertools.combinations(range(1, len(values)), 2)
    )
    edges = classify.jenks_breaks(values, 3)
    classes = classify.assign_classes(values, edges)
    groups = [[v for v, c in zip(values, classes, strict=True) if c == k] for k in range(3)]
    assert math.isclose(sum(ssd(g) for g in groups), best)


def test_quantiles_give_equal_counts_and_ignore_missing():
    values = [float(i) for i in range(100)] + [None, float("nan")]
    edges = classify.quantile_breaks(values, 4)
    classes = classify.assign_classes(values, edges)
    assert classes[-2:] == [None, None]
    counts = [classes.count(k) for k in range(4)]
    assert sum(counts) == 100 and max(counts) - min(counts) <= 2


def test_equal_intervals_and_constant_values():
    assert classify.equal_breaks([0, 10], 5) == [0, 2, 4, 6, 8, 10]
    assert classify.breaks([5, 5, 5], "jenks", 5) == [5.0, 5.0]
    assert classify.assign_classes([5, 5], [5.0, 5.0]) == [0, 0]
    assert classify.breaks([None, None], "quantiles", 5) == []


def test_fewer_distinct_values_than_classes():
    edges = classify.breaks([1, 2, 3], "quantiles", 5)
    assert len(edges) - 1 == 3


def test_diverging_breaks_are_symmetric_around_the_reference():
    edges = classify.diverging_breaks([2, 5, 11], 4, reference=5)
    assert edges[0] - 5 == pytest.approx(5 - edges[-1]) and 5 in edges
    # the span is what 90 % of the territories stay within: one far value does not flatten the others
    edges = classify.diverging_breaks([-1, -0.5, 0, 0.5, 1] * 4 + [20], 5, reference=0)
    assert edges[-1] < 5


def test_unknown_method_is_refused():
    with pytest.raises(ValueError):
        classify.breaks([1, 2], "magic", 3)


@given(
    st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=1, max_size=60),
    st.sampled_from(classify.METHODS),
    st.integers(3, 7),
)
def test_classes_are_monotone_and_missing_stays_missing(values, method, k):
    edges = classify.breaks(values, method, k)
    classes = classify.assign_classes(values, edges)
    for v, c in zip(values, classes, strict=True):
        assert (c is None) == (v is None)
    pairs = sorted((v, c) for v, c in zip(values, classes, strict=True) if v is not None)
    assert all(a[1] <= b[1] for a, b in itertools_pairwise(pairs))
    if edges:
        assert all(0 <= c < max(len(edges) - 1, 1) for c in classes if c is not None)


def itertools_pairwise(seq):
    import itertools

    return itertools.pairwise(seq)


def test_classify_colours_missing_grey_and_counts_it():
    cls = classify.classify([1.0, None, 3.0, 10.0], "equal", 3, "blues", "fr")
    assert cls.colours[1] == classify.MISSING_COLOUR
    assert cls.missing.count == 1 and cls.missing.label == t("map.no_data", "fr")
    assert sum(e.count for e in cls.entries) == 3
    assert classify.MISSING_COLOUR not in cls.palette


def test_diverging_palette_puts_the_neutral_colour_on_the_reference_class():
    cls = classify.classify([1, 2, 3, 4, 5, 6, 7, 8, 9], "equal", 5, "rdbu", "en", reference=5)
    middle = palettes.palette_colours("rdbu", 11)[5]
    ref_class = classify.assign_classes([5], list(cls.edges))[0]
    assert cls.palette[ref_class] == middle


# ---------------------------------------------------------------------------------------------- palettes, numbers


@pytest.mark.parametrize("name", list(classify.PALETTES))
@pytest.mark.parametrize("n", [1, 3, 5, 7])
def test_palettes_give_n_distinct_hex_colours(name, n):
    colours = palettes.palette_colours(name, n)
    assert len(colours) == n and len(set(colours)) == n
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours)


def test_sequential_palettes_get_darker():
    for name in palettes.palette_names("sequential"):
        lum = [sum(palettes._hex_to_rgb(c)) for c in palettes.palette_colours(name, 5)]
        assert lum == sorted(lum, reverse=True), name


def test_format_number_by_language_and_missing():
    assert legend.format_value(12345.6, "fr", 1) == "12\u202f345,6"
    assert legend.format_value(12345.6, "en", 1) == "12,345.6"
    assert legend.format_value(None, "en") == "no data"
    assert legend.format_value(float("nan"), "fr") == "pas de donnée"
    assert legend.format_value(0.0, "en") == "0"


# ---------------------------------------------------------------------------------------------- layers and escaping


def _square(x: float, y: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]}


@pytest.fixture
def tiny_fc() -> dict:
    names = {"T-1": XSS, "T-2": "Saint-Malo & Dol", "T-3": "Nowhere"}
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": tid,
                "properties": {"id": tid, "code": tid, "name": n},
                "geometry": _square(i, 47),
            }
            for i, (tid, n) in enumerate(names.items())
        ],
    }


def test_layer_json_escapes_names_and_draws_missing_as_missing(tiny_fc):
    layer = layers.prepare_layer(tiny_fc)
    text = layers.layer_json(layer, {"T-1": 5.0, "T-2": 0.0}, {"T-1": "#123456", "T-2": "#abcdef"}, "en", "%")
    assert "<" not in text and ">" not in text
    data = json.loads(text)
    props = {f["id"]: f["properties"] for f in data["features"]}
    assert props["T-1"]["name"] == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    assert props["T-2"]["value"] == "0%" and props["T-2"]["missing"] is False  # a real zero stays a zero
    assert props["T-3"]["missing"] is True and props["T-3"]["value"] == "no data"
    assert props["T-3"]["fill"] == classify.MISSING_COLOUR


def test_rendered_map_contains_no_live_tag_from_data(tiny_fc):
    layer = layers.prepare_layer(tiny_fc)
    cls = classify.classify([1.0, 2.0, None], "equal", 3, "blues", "fr")
    colours = dict(zip(layer.ids, cls.colours, strict=True))
    data_json = layers.layer_json(layer, dict(zip(layer.ids, [1.0, 2.0, None], strict=True)), colours, "fr")
    box = legend.Legend(XSS, XSS, "2024", "illustrative", "illustratif", cls.entries, cls.missing)
    m = layers.standalone_map(layer, data_json, XSS, box, "fr", outlines=[layers.outline_json(layer)])
    page = m.get_root().render()
    assert "<img" not in page.lower()
    # what the JavaScript strings become once parsed: still no tag, only the escaped text shown as text
    decoded = page.replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    assert "<img" not in decoded.lower()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in decoded


def test_streamlit_feature_group_string_is_escaped(tiny_fc):
    from streamlit_folium import _get_feature_group_string

    layer = layers.prepare_layer(tiny_fc)
    group = layers.choropleth_layer(layers.layer_json(layer, {}, {}, "en"), XSS)
    js = _get_feature_group_string(group, layers.base_map())
    assert "<img" not in js
    assert "L.geoJson" in js and "bindTooltip" in js


def test_base_map_loads_only_the_vendored_leaflet():
    page = layers.base_map().get_root().render()
    srcs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert srcs and all(s.startswith("/app/static/vendor/leaflet/") for s in srcs), srcs
    assert "tile" not in page.lower() or "L.tileLayer" not in page
    assert "L.tileLayer" in layers.base_map(tiles=True).get_root().render()


def test_legend_html_escapes_everything():
    entry = legend.LegendEntry("#ffffff", XSS, 0, 1, 2)
    box = legend.Legend(XSS, XSS, XSS, "official", XSS, (entry,), entry, XSS, XSS)
    out = legend.legend_html(box, "en")
    assert "<img" not in out and "&lt;img" in out


def test_round_geometry_keeps_rings_closed():
    g = layers.round_geometry(
        {"type": "Polygon", "coordinates": [[[0.00001, 0], [1.00004, 0], [1.00001, 1], [0.00002, 1], [0.00001, 0]]]}, 3
    )
    ring = g["coordinates"][0]
    assert ring[0] == ring[-1] == [0.0, 0.0] and len(ring) == 5


def test_fit_bounds(tiny_fc):
    assert layers.fit_bounds(tiny_fc) == [[47.0, 0.0], [48.0, 3.0]]
    assert layers.fit_bounds({"features": []}) is None


# ---------------------------------------------------------------------------------------------- offline assets, export


def test_ensure_static_assets_copies_leaflet(tmp_path):
    target = layers.ensure_static_assets(tmp_path / "leaflet")
    assert (target / "leaflet.js").stat().st_size > 100_000
    assert (target / "leaflet.css").exists() and (target / "images").is_dir()
    assert layers.ensure_static_assets(target) == target  # idempotent


def test_map_to_html_inlines_leaflet_and_references_nothing_external(tmp_path, tiny_fc):
    leaflet = layers.ensure_static_assets(tmp_path / "leaflet")
    layer = layers.prepare_layer(tiny_fc)
    cls = classify.classify([1.0, 2.0, 3.0], "quantiles", 3, "viridis", "en")
    box = legend.Legend("Jobs", "jobs", "2024", "illustrative", "illustrative", cls.entries, cls.missing)
    data_json = layers.layer_json(layer, dict(zip(layer.ids, [1.0, 2.0, 3.0], strict=True)), {}, "en")
    page = map_export.map_to_html(layers.standalone_map(layer, data_json, "Jobs", box, "en"), leaflet).decode()
    assert "/app/static" not in page
    assert not re.search(r"<script[^>]+src=", page) and not re.search(r"<link[^>]+href=", page)
    assert "L.geoJson" in page and "Leaflet" in page and "gtec-legend" in page


def test_map_to_html_refuses_external_references(tmp_path):
    import folium

    leaflet = layers.ensure_static_assets(tmp_path / "leaflet")
    with pytest.raises(ValueError):
        map_export.map_to_html(folium.Map(), leaflet)  # folium's default CDN links


# ---------------------------------------------------------------------------------------------- URL view


def test_parse_view_accepts_plain_values_and_rejects_the_rest():
    parsed, bad = view.parse_view({"ind": "jobseekers", "level": "epci", "year": "2023", "sel": "FR-EPCI-200067932"})
    assert parsed == view.View("jobseekers", "epci", 2023, "FR-EPCI-200067932", "total")
    assert bad == []
    parsed, bad = view.parse_view(
        {"ind": "x<script>", "level": "planet", "year": "__import__('os')", "sel": "a b", "measure": "pickle"}
    )
    assert parsed == view.View()
    assert {n for n, _ in bad} == {"ind", "level", "year", "sel", "measure"}
    assert view.parse_view({"year": "1234567"})[0].year is None


def test_view_params_round_trip():
    wanted = view.View("employment", "basin", 2022, "FR-BASIN-VANNES", "rate")
    assert view.parse_view(view.view_params(wanted)) == (wanted, [])


def test_index_series():
    import pandas as pd

    df = pd.DataFrame({"territory_id": ["a", "a", "b", "b"], "year": [2020, 2021, 2020, 2021], "value": [2, 4, 10, 5]})
    out = indicators.index_series(df)
    assert list(out["index"]) == [100.0, 200.0, 100.0, 50.0]
    assert list(out["value"]) == [2, 4, 10, 5]  # the values are kept next to their index


def test_ink_colour_contrasts():
    assert palettes.ink_colour("#08306b") == "#ffffff"
    assert palettes.ink_colour("#fde725") == "#111111"


def test_dynamic_map_keys_exist_in_both_languages():
    from gtec.core import i18n

    keys = i18n.catalogue()
    wanted = (
        [f"map.level.{lvl}" for lvl in levels.MAP_LEVELS]
        + [f"map.method.{m}" for m in classify.METHODS]
        + [f"map.palette_name.{p}" for p in classify.PALETTES]
        + [f"map.palette.{k}" for k in ("sequential", "diverging")]
        + [f"map.measure.{m}" for m in levels.MEASURES]
        + [f"map.rule.{r}" for r in ("sum", "weighted_mean", "none")]
        + [f"custom.mode.{m}" for m in ("epci", "commune")]
    )
    for key in wanted:
        assert key in keys and keys[key]["fr"] and keys[key]["en"], key


def test_unique_labels_disambiguate_homonyms():
    labels = table.unique_labels(["a", "b", "c"], ["Deux Vallées", "Deux Vallées", "Vannes"], ["45", "91", "56"])
    assert labels == {"a": "Deux Vallées (45)", "b": "Deux Vallées (91)", "c": "Vannes"}
    assert len(set(table.unique_labels(["a", "b"], ["X", "X"], ["1", "1"]).values())) == 2


def test_exported_map_scale_bar_is_in_kilometres_only() -> None:
    """The HTML export's scale bar shows kilometres, not miles as well (folium's control_scale adds both)."""
    from gtec.maps.layers import base_map

    html = base_map().get_root().render()
    assert "L.control.scale({imperial: false})" in html
    assert "L.control.scale()" not in html
