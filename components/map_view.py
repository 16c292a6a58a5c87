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
from gtec.build import geography
from gtec.core import config
from gtec.core.i18n import pick, t
from gtec.maps import mapping
from gtec.territories import custom

MAP_KEY = "gtec_map"
MAP_HEIGHT = 640


@st.cache_resource(show_spinner=False)
def _static_assets() -> str:
    return str(mapping.ensure_static_assets())


def _store_stamp() -> float:
    """Changes when the reference store is rebuilt, so cached layers follow it."""
    path = config.reference_path()
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_resource(show_spinner=False, max_entries=16)
def _prepared(level: str, resolution: str, ids: tuple[str, ...] | None, _stamp: float) -> mapping.PreparedLayer:
    fc = geography.layer_feature_collection(data.reference(), level, resolution, ids=ids)
    return mapping.prepare_layer(fc)


def prepared_layer(
    level: str, resolution: str = "national", ids: tuple[str, ...] | None = None
) -> mapping.PreparedLayer:
    """The serialised, simplified geometry of a level (read once per store build, shared by all sessions)."""
    return _prepared(level, resolution, ids, _store_stamp())


@st.cache_data(show_spinner=False, max_entries=64)
def level_table(indicator_id: str, year: int, level: str, measure: str, _stamp: float = 0.0) -> pd.DataFrame:
    return mapping.level_table(data.reference(), indicator_id, year, level, measure)


@st.cache_data(show_spinner=False)
def catalogue() -> dict[str, dict]:
    return mapping.indicator_catalogue(data.reference())


@st.cache_data(show_spinner=False)
def indicators_for_level(level: str) -> list[str]:
    return mapping.indicators_for_level(data.reference(), level)


@st.cache_data(show_spinner=False)
def years_for(indicator_id: str, level: str) -> list[int]:
    return mapping.years_for(data.reference(), indicator_id, level)


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


def show_map(
    layer: mapping.PreparedLayer,
    group,
    level: str,
    tiles: bool,
    select_key: str,
) -> None:
    """Draw the base map with ``group`` (a folium FeatureGroup) swapped in; a click selects a territory."""
    _static_assets()
    center, zoom = mapping.LEVEL_VIEW.get(level, (mapping.FRANCE_CENTER, mapping.FRANCE_ZOOM))
    st_folium(
        mapping.base_map(tiles=tiles),
        key=MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
        feature_group_to_add=group,
        center=center,
        zoom=zoom,
        on_change=_on_click(set(layer.ids), select_key),
    )


def show_tile_grid(
    level: str, table: pd.DataFrame | None, lang: str, decimals: int | None = None, select_key: str = "map_sel"
) -> None:
    """The UK tile grid, coloured from ``table`` (a coloured level table) or all "no data" when it is None."""
    st.caption(t("map.uk_grid_note", lang))
    terr = data.territories((level,))
    pos = pd.DataFrame([data.territory(i) for i in terr["id"]])[["id", "code", "name", "grid_row", "grid_col"]]
    if table is None:
        grid = pos.assign(value=float("nan"), fill=mapping.MISSING_COLOUR)
    else:
        grid = pos.merge(table[["territory_id", "value", "fill"]], left_on="id", right_on="territory_id", how="left")
        grid["fill"] = grid["fill"].fillna(mapping.MISSING_COLOUR)
    grid = grid.assign(
        value_text=[mapping.format_number(v, lang, decimals) for v in grid["value"]],
        ink=grid["fill"].map(mapping.ink_colour),
    )
    valid = set(grid["id"])

    def on_pick() -> None:  # a click on a tile selects the region (like a click on the map)
        chosen = (st.session_state.get("gtec_tile_grid") or {}).get("selection", {}).get("pick") or []
        if chosen and chosen[0].get("territory_id") in valid:
            st.session_state[select_key] = chosen[0]["territory_id"]

    grid = grid.assign(territory_id=grid["id"])
    st.altair_chart(mapping.tile_grid_chart(grid, lang), width="content", key="gtec_tile_grid", on_select=on_pick)


def show_empty_level(level: str, lang: str) -> None:
    """A level without any indicator value: its outlines (or tiles) drawn as "no data", never as zero."""
    if level in mapping.GRID_LEVELS:
        show_tile_grid(level, None, lang)
        return
    layer = prepared_layer(level)
    group = mapping.choropleth_layer(mapping.layer_json(layer, {}, {}, lang), t("map.col.value", lang))
    show_map(layer, group, level, False, "map_sel")


def show_legend(legend: mapping.Legend, lang: str) -> None:
    """The legend (every string escaped by :func:`gtec.maps.mapping.legend_html`, sanitised again by st.html)."""
    st.html(mapping.legend_html(legend, lang))


def show_profile(
    territory_id: str,
    names: dict[str, str],
    indicator_id: str,
    year: int,
    measure: str,
    lang: str,
    customs: dict[str, tuple[str, ...]],
) -> set[str]:
    """The profile of one territory: value vs parent and nation, trend chart, location quotient.

    Returns the source ids it displayed (for the page's source list).
    """
    conn = data.reference()
    ind = catalogue()[indicator_id]
    unit = pick(ind, "unit", lang) if measure == "total" else "%" if ind.get("rate_per") == 100 else "‰"
    is_custom = territory_id in customs
    chain = mapping.profile_chain(conn, territory_id, is_custom)
    members = {territory_id: customs[territory_id]} if is_custom else None
    df = mapping.series(conn, chain, indicator_id, measure, members)
    for tid in chain:
        names.setdefault(tid, (data.territory(tid) or {}).get("name", tid))
    st.subheader(t("map.profile.title", lang, name=names[territory_id]))
    if is_custom:
        member_names = [(data.territory(m) or {}).get("name", m) for m in customs[territory_id]]
        st.caption(
            t(
                "map.profile.members",
                lang,
                members=", ".join(member_names[:12]) + ("…" if len(member_names) > 12 else ""),
            )
        )
        st.caption(t("map.profile.computed", lang, rule=t(f"map.rule.{ind['aggregation']}", lang)))
    at_year = df[df["year"] == year].set_index("territory_id")
    rows = []
    for tid in chain:
        v = at_year["value"].get(tid) if tid in at_year.index else None
        rows.append(
            {
                t("map.profile.col.level", lang): names[tid],
                t("map.profile.col.value", lang): mapping.format_number(v, lang)
                + (f" {unit}" if v is not None else ""),
                t("map.col.status", lang): t(f"status.{at_year['status'][tid]}", lang) if v is not None else "",
            }
        )
    st.markdown(f"**{t('map.profile.vs', lang, year=year)}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    lq, ref = mapping.location_quotient(conn, chain, indicator_id, year, members)
    if lq is not None and measure == "total":
        den = catalogue().get(ind["denominator_indicator"], {})
        st.markdown(t("map.profile.lq", lang, value=mapping.format_number(lq, lang, 2)))
        st.caption(
            t("map.profile.lq_help", lang, denominator=pick(den, "label", lang).lower(), reference=names.get(ref, ref))
        )
    if df.empty:
        st.info(t("map.profile.no_value", lang))
        return set()
    indexed = ind["kind"] == "count" and measure == "total" and len(chain) > 1
    chart = mapping.trend_chart(mapping.index_series(df) if indexed else df, names, lang, height=240, indexed=indexed)
    st.markdown(f"**{t('map.profile.trend', lang)}**")
    st.altair_chart(chart, width="stretch")
    st.markdown(" ".join(sorted({status_markdown(s, lang) for s in df["status"]})))
    return {s for ids in df["source_id"] for s in str(ids).replace(" + ", ",").split(",") if s}
