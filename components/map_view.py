"""The map view: the ONLY ``st_folium`` call of the app, cached layers, legend, profile panel.

One base map (stable key, built identically on every rerun) stays mounted in the browser; only the coloured
layer is swapped through ``feature_group_to_add``, so recolouring keeps the user's zoom. ``returned_objects``
is limited to the one value read (the clicked feature), so panning and zooming never rerun the script.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from components import data, session
from components.provenance import status_markdown
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.maps import charts, layers, legend, levels, profile, queries
from gtec.maps.choropleth import Figure
from gtec.territories import custom, display
from gtec.territories import geometry as territory_geometry

MAP_KEY = "gtec_map"
MAP_HEIGHT = 640


@st.cache_resource(show_spinner=False)
def _static_assets() -> str:
    return str(layers.ensure_static_assets())


@data.per_build(resource=True, max_entries=16)
def _prepared(level: str, resolution: str, ids: tuple[str, ...] | None) -> layers.PreparedLayer:
    fc = territory_geometry.layer_feature_collection(data.reference(), level, resolution, ids=ids)
    return layers.prepare_layer(fc)


def prepared_layer(
    level: str, resolution: str = "national", ids: tuple[str, ...] | None = None
) -> layers.PreparedLayer:
    """The serialised, simplified geometry of a level (read once per store build, shared by all sessions)."""
    return _prepared(level, resolution, ids)


@data.per_build(max_entries=64)
def _level_table(indicator_id: str, year: int, level: str, measure: str, show_demo: bool) -> pd.DataFrame:
    return queries.level_table(data.reference(), indicator_id, year, level, measure, show_demo)


def level_table(indicator_id: str, year: int, level: str, measure: str, show_demo: bool = False) -> pd.DataFrame:
    """Values of a level (cached per store build); demonstration values as missing unless ``show_demo``."""
    return _level_table(indicator_id, year, level, measure, show_demo)


@data.per_build()
def national_value(indicator_id: str, year: int, level: str, measure: str, show_demo: bool = False) -> float | None:
    """The value of the level's country (centre of a diverging palette); None for a hidden demonstration value."""
    value, _source, status = queries.national_value(
        data.reference(), indicator_id, year, levels.LEVEL_COUNTRY[level], measure
    )
    return None if display.is_demo(status) and not show_demo else value


@data.per_build()
def indicators_for_level(level: str, show_demo: bool = False) -> list[str]:
    """Indicators with a value at ``level`` that may be shown."""
    return queries.indicators_for_level(data.reference(), level, show_demo)


@data.per_build()
def years_for(indicator_id: str, level: str, show_demo: bool = False) -> list[int]:
    """Years of an indicator at ``level`` with a value that may be shown."""
    return queries.years_for(data.reference(), indicator_id, level, show_demo)


def customs() -> list[custom.CustomTerritory]:
    """Saved custom territories (read per rerun: another session may have saved one)."""
    return custom.list_custom(session.workspace())


def _on_click(valid_ids: set[str], target_key: str) -> Callable[[], None]:
    def handler() -> None:
        value = st.session_state.get(MAP_KEY) or {}
        feature = value.get("last_active_drawing") or {}
        tid = (feature.get("properties") or {}).get("id") or feature.get("id")
        if isinstance(tid, str) and tid in valid_ids:
            st.session_state[target_key] = tid

    return handler


def show_map(layer: layers.PreparedLayer, group, level: str, tiles: bool, select_key: str) -> None:
    """Draw the base map with ``group`` (a folium FeatureGroup) swapped in; a click selects a territory."""
    _static_assets()
    center, zoom = levels.view_for(level)
    st_folium(
        layers.base_map(tiles=tiles),
        key=MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        feature_group_to_add=group,
        center=center,
        zoom=zoom,
        on_change=_on_click(set(layer.ids), select_key),
    )


def show_choropleth(level: str, fig: Figure, lang: str, tiles: bool, selected: str | None) -> dict | None:
    """The coloured level (map or UK tile grid). Returns the arguments of the exported map (None for a grid)."""
    if levels.is_grid(level):
        show_tile_grid(level, fig.table, lang, fig.classification.decimals)
        return None
    layer = prepared_layer(level)
    layer_json = layers.layer_json(
        layer, fig.values, fig.colours, lang, fig.unit, fig.classification.decimals, selected
    )
    outlines = [layers.outline_json(prepared_layer(lvl)) for lvl in levels.LEVEL_OUTLINES.get(level, ())]
    under = levels.LEVEL_BACKGROUND.get(level)
    background = layers.outline_json(prepared_layer(under)) if under else None
    show_map(layer, layers.choropleth_layer(layer_json, fig.label, outlines, background=background), level, tiles,
             "map_sel")  # fmt: skip
    return dict(layer=layer, data_json=layer_json, value_alias=fig.label, legend=fig.legend, lang=lang,
                outlines=outlines, tiles=tiles, background=background, view=levels.view_for(level))  # fmt: skip


def show_tile_grid(
    level: str, table: pd.DataFrame | None, lang: str, decimals: int | None = None, select_key: str = "map_sel"
) -> None:
    """The UK tile grid, coloured from ``table`` (a coloured level table) or all "no data" when it is None."""
    st.caption(t("map.uk_grid_note", lang))
    grid = charts.tile_grid_frame(queries.grid_positions(data.reference(), level), table, lang, decimals)
    valid = set(grid["id"])

    def on_pick() -> None:  # a click on a tile selects the region (like a click on the map)
        chosen = (st.session_state.get("gtec_tile_grid") or {}).get("selection", {}).get("pick") or []
        if chosen and chosen[0].get("territory_id") in valid:
            st.session_state[select_key] = chosen[0]["territory_id"]

    st.altair_chart(charts.tile_grid_chart(grid, lang), width="content", key="gtec_tile_grid", on_select=on_pick)


def show_empty_level(level: str, lang: str) -> None:
    """A level without any indicator value: its outlines (or tiles) drawn as "no data", never as zero."""
    if levels.is_grid(level):
        show_tile_grid(level, None, lang)
        return
    layer = prepared_layer(level)
    group = layers.choropleth_layer(layers.layer_json(layer, {}, {}, lang), t("map.col.value", lang))
    show_map(layer, group, level, False, "map_sel")


def show_legend(box: legend.Legend, lang: str) -> None:
    """The legend (every string escaped by :func:`gtec.maps.legend.legend_html`, sanitised again by st.html)."""
    st.html(legend.legend_html(box, lang))


def show_profile(
    territory_id: str,
    names: dict[str, str],
    indicator_id: str,
    year: int,
    measure: str,
    lang: str,
    customs: dict[str, tuple[str, ...]],
    show_demo: bool = False,
) -> set[str]:
    """The profile of one territory: value vs parent and nation, trend chart, location quotient.

    Returns the source ids it displayed (for the page's source list).
    """
    conn = data.reference()
    ind = data.catalogue()[indicator_id]
    is_custom = territory_id in customs
    chain = profile.profile_chain(conn, territory_id, is_custom)
    members = {territory_id: customs[territory_id]} if is_custom else None
    df = profile.series(conn, chain, indicator_id, measure, members, show_demo)
    for tid in chain:
        names.setdefault(tid, (data.territory(tid) or {}).get("name", tid))
    st.subheader(t("map.profile.title", lang, name=md(names[territory_id])))
    if is_custom:
        member_names = [(data.territory(m) or {}).get("name", m) for m in customs[territory_id]]
        st.caption(t("map.profile.members", lang, members=md(profile.members_text(member_names))))
        st.caption(t("map.profile.computed", lang, rule=t(f"map.rule.{ind['aggregation']}", lang)))
    rows = profile.profile_rows(df, chain, names, year, legend.unit_for(ind, measure, lang), lang)
    st.markdown(f"**{t('map.profile.vs', lang, year=year)}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    lq = profile.location_quotient_text(conn, chain, indicator_id, year, measure, names, lang, members, markdown=True)
    if lq is not None:
        st.markdown(lq[0])
        st.caption(lq[1])
    if df.empty:
        st.info(t("map.profile.no_value", lang))
        return set()
    frame, indexed = profile.trend_frame(df, ind, measure, chain)
    st.markdown(f"**{t('map.profile.trend', lang)}**")
    st.altair_chart(charts.trend_chart(frame, names, lang, height=240, indexed=indexed), width="stretch")
    st.markdown(" ".join(sorted({status_markdown(s, lang) for s in df["status"]})))
    return profile.source_ids(df)
