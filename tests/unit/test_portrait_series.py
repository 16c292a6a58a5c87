"""Portrait trend chart (screens review P6, P10): legend says which line is which, in order; the axis names
the base year."""

from __future__ import annotations

import pandas as pd

from gtec.territories import charts, display

TABLE = pd.DataFrame({"parent_id": ["FR-DEP-56"], "national_id": ["FR"]})
NAMES = {
    "FR-EPCI-1": "Communauté d'agglomération Golfe du Morbihan - Vannes Agglomération",
    "FR-DEP-56": "Morbihan",
    "FR": "France",
}


def test_series_names_say_the_role_of_each_line_in_the_page_language():
    fr = display.series_names(TABLE, NAMES, "FR-EPCI-1", "fr")
    assert list(fr.values()) == [
        "CA Golfe du Morbihan - Vannes Agglomération",
        "Morbihan (échelon supérieur)",
        "France (niveau national)",
    ]
    en = display.series_names(TABLE, NAMES, "FR-EPCI-1", "en")
    assert en["FR-DEP-56"] == "Morbihan (level above)" and en["FR"] == "France (national level)"
    country = display.series_names(pd.DataFrame({"parent_id": [None], "national_id": [None]}), {"UK": "UK"}, "UK", "en")
    assert country == {"UK": "UK"}


def test_trend_legend_follows_territory_parent_nation_one_entry_a_line_and_axis_names_the_base_year():
    trend = pd.DataFrame(
        {
            "territory_id": ["FR", "FR", "FR-EPCI-1", "FR-EPCI-1", "FR-DEP-56", "FR-DEP-56", "FR-DEP-56"],
            "year": [2017, 2023, 2017, 2023, 2011, 2017, 2023],
            "index": [100.0, 102.0, 100.0, 107.0, 98.0, 100.0, 104.0],
        }
    )
    series = display.series_names(TABLE, NAMES, "FR-EPCI-1", "fr")
    spec = charts.trend_chart(trend, series, "Indice").to_dict()
    colour = spec["encoding"]["color"]
    assert colour["sort"] == list(series.values())  # the territory first, not the data's order (France)
    assert colour["legend"]["columns"] == 1
    assert display.index_base_year(trend) == 2017  # the first year every series has, not 2011
    assert display.index_base_year(trend.iloc[0:0]) is None
