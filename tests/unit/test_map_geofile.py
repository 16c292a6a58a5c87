"""Light maps: content-hashed geometry files, the per-rerun payload and the territory search."""

from __future__ import annotations

import json

from gtec.maps import geofile, layers, table

FC = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": f"FR-EPCI-{i}",
            "properties": {"id": f"FR-EPCI-{i}", "code": str(i), "name": name},
            "geometry": {"type": "Polygon", "coordinates": [[[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]]},
        }
        for i, name in enumerate(["Vannes", "Pays d'Auray", '<img src=x onerror="alert(1)">', "Vallée-du-Lot"])
    ],
}


def test_geometry_file_is_content_hashed_and_rewritten_only_when_it_changes(tmp_path):
    layer = layers.prepare_layer(FC)
    url = geofile.write_geometry(layer, "epci-national", directory=tmp_path)
    assert url.startswith("/app/static/vendor/geo/epci-national-") and url.endswith(".json")
    path = tmp_path / url.rsplit("/", 1)[1]
    text = path.read_text()
    parsed = json.loads(text)
    assert [f["id"] for f in parsed["features"]] == [f["id"] for f in FC["features"]]
    assert parsed["features"][2]["properties"]["name"] == FC["features"][2]["properties"]["name"]
    assert "<" not in text and ">" not in text  # names are JSON text, never markup
    mtime = path.stat().st_mtime_ns
    assert geofile.write_geometry(layer, "epci-national", directory=tmp_path) == url
    assert path.stat().st_mtime_ns == mtime
    other = layers.prepare_layer({**FC, "features": FC["features"][:2]})
    assert geofile.write_geometry(other, "epci-national", directory=tmp_path) != url
    assert not list(tmp_path.glob(".*.tmp"))


def test_outline_file_carries_no_names(tmp_path):
    url = geofile.write_geometry(layers.prepare_layer(FC), "basin-national", with_names=False, directory=tmp_path)
    assert "Vannes" not in (tmp_path / url.rsplit("/", 1)[1]).read_text()


def test_payload_sends_class_indexes_and_keeps_missing_missing():
    ids = ["A", "B", "C", "D"]
    colours, values = geofile.map_payload(
        ids, {"A": 12.5, "B": 3.0, "C": None, "D": float("nan")}, {"A": "#111", "B": "#222"}, "fr", "%", 1
    )
    assert colours == ["#111", "#222"]
    assert values[0] == [0, "12,5\u202f%"] and values[1] == [1, "3,0\u202f%"]
    assert values[2][0] == -1 and values[3][0] == -1 and values[2][1] == "pas de donnée"
    assert "0" not in values[2][1]


def test_search_lists_matches_only_and_keeps_the_current_choice():
    ids = [f"FR-EPCI-{i}" for i in range(300)]
    labels = {tid: f"Communauté {i}" for i, tid in enumerate(ids)}
    labels["FR-EPCI-7"] = "Golfe du Morbihan - Vannes Agglomération"
    labels["FR-EPCI-8"] = "Vallée de l'Hérault"
    assert table.search_choices(ids, labels, "") == []
    assert table.search_choices(ids, labels, "", keep="FR-EPCI-3") == ["FR-EPCI-3"]
    assert table.search_choices(ids, labels, "vannes") == ["FR-EPCI-7"]
    assert table.search_choices(ids, labels, "HERAULT vallee") == ["FR-EPCI-8"]  # accents, case, word order
    assert table.search_choices(ids, labels, "vannes", keep="FR-EPCI-3") == ["FR-EPCI-3", "FR-EPCI-7"]
    assert len(table.search_choices(ids, labels, "communauté")) == table.SEARCH_LIMIT
    assert table.search_choices(ids, labels, "zzz") == []


def test_uk_tiles_carry_region_names_not_codes():
    import pandas as pd

    from gtec.maps import charts

    positions = pd.DataFrame(
        {"id": ["UK-TLM", "UK-TLI"], "code": ["TLM", "TLI"], "name": ["Scotland", "London"],
         "grid_row": [0, 3], "grid_col": [2, 3]}
    )  # fmt: skip
    grid = charts.tile_grid_frame(positions, None, "fr")
    assert list(grid["short"]) == ["Écosse", "Londres"]
    assert list(grid["value_text"]) == ["pas de donnée"] * 2
    spec = charts.tile_grid_chart(grid, "fr").to_dict()
    assert any(layer.get("encoding", {}).get("text", {}).get("field") == "short" for layer in spec["layer"])
