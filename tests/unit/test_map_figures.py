"""gtec.maps builders beyond classification: SQL builders, figure composition, profile rows, chart specs.

Charts are checked through ``to_dict()`` (encodings, scales, titles), SQL through the ``(sql, params)`` that the
builders return and through a tiny in-memory store.
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from gtec.core.i18n import t
from gtec.core.provenance import STATUS_RANK, split_source_ids, weakest_status
from gtec.maps import charts, choropleth, legend, palettes, profile, queries, table
from gtec.scenarios import kpi
from gtec.territories import charts as territory_charts
from gtec.territories import indicators

XSS = '<img src=x onerror="alert(1)">'


@pytest.fixture
def tiny_store() -> sqlite3.Connection:
    """Three départements of a country, two indicators (a count and its denominator), two sources."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE territories (id TEXT PRIMARY KEY, code TEXT, name TEXT, level TEXT, country TEXT,
            parent_id TEXT, population REAL, departement_id TEXT, grid_row INT, grid_col INT);
        CREATE TABLE indicators (id TEXT PRIMARY KEY, label_fr TEXT, label_en TEXT, unit_fr TEXT, unit_en TEXT,
            kind TEXT, denominator_indicator TEXT, rate_per REAL);
        CREATE TABLE sources (id TEXT PRIMARY KEY, status TEXT, vintage TEXT);
        CREATE TABLE indicator_values (territory_id TEXT, indicator_id TEXT, year INT, value REAL, source_id TEXT,
            period TEXT, flag TEXT);
        INSERT INTO territories VALUES ('X', 'X', 'Pays', 'country', 'X', NULL, NULL, NULL, NULL, NULL),
            ('X-1', '01', 'Un', 'departement', 'X', 'X', NULL, NULL, NULL, NULL),
            ('X-2', '02', 'Deux', 'departement', 'X', 'X', NULL, NULL, NULL, NULL),
            ('X-3', '03', 'Trois', 'departement', 'X', 'X', NULL, NULL, NULL, NULL),
            ('C-1', 'c1', 'Bourg', 'commune', 'X', 'X-1', NULL, 'X-1', NULL, NULL);
        INSERT INTO indicators VALUES ('jobs', 'Emplois', 'Jobs', 'emplois', 'jobs', 'count', 'pop', 100),
            ('pop', 'Population', 'Population', 'hab.', 'inhabitants', 'count', NULL, NULL);
        INSERT INTO sources VALUES ('s-off', 'official', '2023'), ('s-ill', 'illustrative', '2024');
        INSERT INTO indicator_values (territory_id, indicator_id, year, value, source_id)
        VALUES ('X-1', 'jobs', 2023, 50, 's-off'), ('X-2', 'jobs', 2023, 0, 's-off'),
            ('X-1', 'pop', 2023, 200, 's-ill'), ('X-2', 'pop', 2023, 0, 's-ill'), ('X-3', 'pop', 2023, 10, 's-ill'),
            ('X', 'jobs', 2023, 500, 's-off'), ('X', 'pop', 2023, 1000, 's-ill'),
            ('X-1', 'jobs', 2022, 40, 's-off'), ('X', 'jobs', 2022, 400, 's-off');
        """
    )
    return conn


# ------------------------------------------------------------------------------------------ provenance, catalogue


def test_one_status_ranking_orders_official_first_and_unknown_last():
    assert STATUS_RANK == {"official": 0, "estimate": 1, "imported": 2, "illustrative": 3}
    assert weakest_status(["official", "imported"]) == "imported"
    assert weakest_status(["official", "estimate"]) == "estimate"
    assert weakest_status(["official", None, float("nan"), ""]) == "official"
    assert weakest_status(["illustrative", "mystery"]) == "mystery"
    assert weakest_status([]) == "illustrative"
    assert split_source_ids("a + b") == ["a", "b"] and split_source_ids("a,b,") == ["a", "b"]
    assert split_source_ids(None) == []


def test_catalogue_is_one_dict_in_catalogue_order(tiny_store):
    cat = indicators.catalogue(tiny_store)
    assert list(cat) == ["jobs", "pop"] and cat["jobs"]["denominator_indicator"] == "pop"


# ------------------------------------------------------------------------------------------ SQL builders


def test_sql_builders_are_parameterised():
    sql, params = queries.values_sql("jobs", 2023, level="epci")
    assert "?" in sql and params == ["jobs", 2023, "epci"] and "epci" not in sql
    sql, params = queries.values_sql("jobs", 2023, territory_id="FR")
    assert "t.id = ?" in sql and params == ["jobs", 2023, "FR"]
    with pytest.raises(ValueError):
        queries.values_sql("jobs", 2023)
    sql, params = queries.communes_sql([XSS, "X-1"])
    assert XSS not in sql and params == [XSS, "X-1"] and sql.count("?") == 2
    sql, params = queries.communes_sql([])
    assert params == [] and "IN (NULL)" in sql
    sql, params = queries.series_sql(["a", "b"], ["jobs"])
    assert sql.count("?") == 3 and params == ["a", "b", "jobs"]


def test_level_table_keeps_missing_missing_and_rates_divide(tiny_store):
    totals = queries.level_table(tiny_store, "jobs", 2023, "departement")
    assert list(totals["territory_id"]) == ["X-1", "X-2", "X-3"]
    assert totals["value"].tolist()[:2] == [50.0, 0.0] and pd.isna(totals["value"].iloc[2])
    rates = queries.level_table(tiny_store, "jobs", 2023, "departement", "rate")
    assert rates["value"].iloc[0] == 25.0  # 50 / 200 * 100
    assert pd.isna(rates["value"].iloc[1])  # a zero denominator gives no rate, never 0 or infinity
    assert rates["status"].iloc[0] == "illustrative" and rates["source_id"].iloc[0] == "s-off + s-ill"
    assert queries.national_value(tiny_store, "jobs", 2023, "X", "rate") == (50.0, "s-off + s-ill", "illustrative")
    assert queries.national_value(tiny_store, "jobs", 1999, "X") == (None, None, None)
    assert queries.years_for(tiny_store, "jobs", "departement") == [2022, 2023]
    assert queries.indicators_for_level(tiny_store, "departement") == ["jobs", "pop"]
    assert queries.communes(tiny_store, ["X-1"]).to_dict("records") == [{"id": "C-1", "name": "Bourg"}]
    assert queries.territory_names(tiny_store, ["X-2", "nope"]) == {"X-2": "Deux"}


# ------------------------------------------------------------------------------------------ figure composition


def test_compose_describes_the_coloured_level(tiny_store):
    tbl = queries.level_table(tiny_store, "jobs", 2023, "departement")
    ind = indicators.catalogue(tiny_store)["jobs"]
    fig = choropleth.compose(tbl, ind, 2023, "total", choropleth.Options("equal", 3, "sequential", "blues"), "en")
    assert fig.legend.title == "Jobs, 2023" and fig.unit == "jobs" and fig.status == "official"
    assert fig.legend.vintage == "2023" and fig.source_ids == ("s-off",)
    assert fig.missing_count == 1 and fig.colours["X-3"] == palettes.MISSING_COLOUR
    assert fig.legend.reference_label == ""
    diverging = choropleth.compose(
        tbl, ind, 2023, "rate", choropleth.Options("equal", 3, "diverging", "rdbu"), "fr", national=10.0
    )
    assert diverging.legend.method_label == t("map.legend.diverging_national", "fr", value="10,0\u202f%")
    assert diverging.legend.unit == t("map.unit.points", "fr")
    assert diverging.label.endswith(f"({t('map.measure.rate', 'fr').lower()})")
    assert choropleth.selectable(["a", "b"], ["WS-1", "a"]) == ["a", "b", "WS-1"]


def test_value_text_uses_the_one_formatter_and_units_by_language():
    assert legend.format_value(1234.5, "fr") == "1\u202f234"  # auto decimals: none above 1,000
    assert legend.format_value(12.345, "en") == "12.3" and legend.format_value(0.1234, "en") == "0.12"
    assert legend.with_unit("12,5", "%", "fr") == "12,5\u202f%" and legend.with_unit("12.5", "%", "en") == "12.5%"
    assert legend.with_unit("3", "k€", "en") == "3 k€" and legend.with_unit("3", "", "en") == "3"
    assert legend.unit_for({"unit_fr": "emplois", "unit_en": ""}, "total", "en") == "emplois"  # falls back to FR
    assert legend.unit_for({"rate_per": 1000}, "rate", "fr") == "‰"


def test_screen_table_is_plain_text_for_the_grid():
    tbl = pd.DataFrame(
        {"territory_id": ["a"], "code": ["*1*"], "name": [XSS], "value": [1.0], "class": [1], "status": ["official"],
         "source_id": ["s"]}
    )  # fmt: skip
    shown = table.export_table(tbl, "en", {}, formatted=True)
    assert shown.iloc[0, 0] == XSS and shown.iloc[0, 1] == "*1*"  # st.dataframe cells are plain text
    raw = table.export_table(tbl, "en", {})
    assert raw.iloc[0, 0] == XSS  # the CSV keeps the plain text


# ------------------------------------------------------------------------------------------ profile


def test_trend_frame_indexes_counts_and_profile_rows_show_missing(tiny_store):
    df = profile.series(tiny_store, ["X-1", "X"], "jobs")
    frame, indexed = profile.trend_frame(df, {"kind": "count"}, "total", ["X-1", "X"])
    assert indexed and frame.loc[frame["year"] == 2023, "value"].tolist() == [125.0, 125.0]
    same, indexed = profile.trend_frame(df, {"kind": "rate"}, "total", ["X-1", "X"])
    assert not indexed and same is df
    rows = profile.profile_rows(df, ["X-1", "X-3"], {"X-1": "Un"}, 2023, "jobs", "en")
    assert rows[0][t("map.profile.col.value", "en")] == "50 jobs"
    assert rows[1][t("map.profile.col.value", "en")] == t("map.no_data", "en")
    assert rows[1][t("map.col.status", "en")] == ""
    assert profile.source_ids(df) == {"s-off"}
    assert profile.members_text([str(i) for i in range(13)]).endswith("11…")


def test_index_series_drops_zero_bases_and_needs_a_common_year():
    df = pd.DataFrame({"territory_id": ["a", "a", "z", "z"], "year": [1, 2, 1, 2], "value": [2.0, 3.0, 0.0, 1.0]})
    out = indicators.index_series(df)
    assert list(out["territory_id"]) == ["a", "a"] and list(out["index"]) == [100.0, 150.0]
    apart = pd.DataFrame({"territory_id": ["a", "b"], "year": [1, 2], "value": [1.0, 1.0]})
    assert indicators.index_series(apart).empty


# ------------------------------------------------------------------------------------------ chart specs


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_trend_chart_spec():
    df = pd.DataFrame({"territory_id": ["a", "b"], "year": [2020, 2020], "value": [1.0, 2.0]})
    spec = charts.trend_chart(df, {"a": "Alpha"}, "fr", height=200, indexed=True).to_dict()
    enc = spec["encoding"]
    assert spec["mark"]["type"] == "line" and spec["height"] == 200
    assert enc["x"]["field"] == "year" and enc["x"]["type"] == "ordinal"
    assert enc["y"]["title"] == t("map.chart.index", "fr") and enc["y"]["scale"] == {"zero": False}
    assert enc["color"]["sort"] == ["Alpha", "b"] and enc["color"]["title"] == t("map.chart.territory", "fr")


def test_tile_grid_chart_spec_and_frame():
    positions = pd.DataFrame(
        {"id": ["UK-C", "UK-D"], "code": ["C", "D"], "name": ["North East", "North West"], "grid_row": [0, 1],
         "grid_col": [2, 1]}
    )  # fmt: skip
    coloured = pd.DataFrame({"territory_id": ["UK-C"], "value": [4.25], "fill": ["#08306b"]})
    grid = charts.tile_grid_frame(positions, coloured, "en", 1)
    assert grid["value_text"].tolist() == ["4.2", t("map.no_data", "en")]  # round-half-even of 4.25
    assert grid["fill"].tolist() == ["#08306b", palettes.MISSING_COLOUR] and grid["ink"][0] == "#ffffff"
    empty = charts.tile_grid_frame(positions, None, "fr")
    assert set(empty["value_text"]) == {t("map.no_data", "fr")}
    spec = charts.tile_grid_chart(grid, "en").to_dict()
    rect, code, value = _layers(spec)
    assert rect["mark"]["type"] == "rect" and rect["encoding"]["color"] == {"field": "fill", "scale": None,
                                                                              "type": "nominal"}  # fmt: skip
    assert spec["params"][0]["name"] == "pick" and spec["params"][0]["select"]["fields"] == ["territory_id"]
    assert code["encoding"]["text"]["field"] == "short" and value["encoding"]["text"]["field"] == "value_text"
    assert rect["encoding"]["tooltip"][0]["title"] == t("map.tooltip.territory", "en")


def test_territory_charts_specs():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square, "properties": {"name": XSS, "role": "member"}},
        {"type": "Feature", "geometry": square, "properties": {"name": "All", "role": "outline"}},
    ]}  # fmt: skip
    spec = territory_charts.outline_chart(fc, height=100).to_dict()
    assert spec["projection"] == {"type": "mercator"} and len(spec["layer"]) == 2
    assert spec["layer"][0]["mark"]["fill"] == territory_charts.MEMBER_FILL
    assert spec["layer"][1]["mark"]["filled"] is False
    df = pd.DataFrame({"territory_id": ["a"], "year": [2020], "index": [100.0]})
    trend = territory_charts.trend_chart(df, {"a": "Alpha"}, "Index").to_dict()
    assert trend["encoding"]["y"]["field"] == "index" and trend["encoding"]["y"]["title"] == "Index"


# ------------------------------------------------------------------------------------------ scenario KPIs


def test_scenario_kpis_against_the_reference():
    tot = {"openings_per_year": 1200.0, "entrants_per_year": 800.0, "imbalance_per_year": 400.0,
           "imbalance_rate": 33.34, "departures_per_year": 900.0}  # fmt: skip
    same = kpi.kpis(tot, tot, "fr")
    assert [k.key for k in same] == ["openings", "entrants", "imbalance", "rate"]
    assert all(k.delta is None for k in same)
    assert same[0].value == "1\u202f200" and same[3].value == "33,3\u202f%"  # French spacing (fmt.percent)
    moved = kpi.kpis({**tot, "imbalance_rate": 35.0}, tot, "en")
    assert moved[3].delta == f"+1.7 pt {t('scenario.kpi.vs_ref', 'en')}" and moved[3].delta_color == "inverse"
    assert moved[3].sign == -1  # a larger imbalance is bad news (a change of a rate is in points)
    assert moved[0].delta_color == "normal"
    assert kpi.departures_share(tot) == 75.0
    assert kpi.departures_share({**tot, "openings_per_year": 0.0}) is None
    assert kpi.page_source_ids(["b"], ["a", "b"]) == ["a", "b", *sorted(kpi.PAGE_SOURCES)]


def test_level_table_hides_demonstration_values_unless_asked(tiny_store):
    conn = tiny_store
    hidden = queries.level_table(conn, "pop", 2023, "departement", show_demo=False)
    assert hidden["value"].isna().all() and hidden["status"].isna().all()
    shown = queries.level_table(conn, "pop", 2023, "departement", show_demo=True)
    assert shown["value"].notna().any()
    assert "pop" not in queries.indicators_for_level(conn, "departement", show_demo=False)


def test_profile_rows_share_their_decimals():
    """A profile's values side by side have one number of decimals ("6,00 %" beside "7,25 %", never "6 %")."""
    df = pd.DataFrame(
        {
            "territory_id": ["A", "B", "C"],
            "year": [2023, 2023, 2023],
            "value": [6.0, 7.25, 12.5],
            "status": ["official"] * 3,
        }
    )
    rows = profile.profile_rows(df, ["A", "B", "C"], {}, 2023, "%", "fr")
    values = [r[t("map.profile.col.value", "fr")] for r in rows]
    assert values == ["6,00\u202f%", "7,25\u202f%", "12,50\u202f%"]


def test_class_edges_print_with_no_more_decimals_than_they_have():
    """Quantile edges of rates published with one decimal read "5,7 – 6,5", never "5,70 – 6,50"; edges that need
    more keep what makes them distinct."""
    from gtec.maps.classify import classify, decimals_for

    rates = [round(3.3 + 0.1 * i, 1) for i in range(101)]  # quantile edges fall on published values
    c = classify(rates, "quantiles", 5, "blues", "fr")
    assert c.decimals == 1
    assert all(len(part.split(",")[-1]) == 1 for e in c.entries for part in e.label.split(" – ")), c.entries
    assert decimals_for([0.25, 0.5, 0.75]) == 2
    assert decimals_for([1.0, 2.0, 3.0]) == 0
    assert decimals_for([0.1234, 0.1236]) == 3
