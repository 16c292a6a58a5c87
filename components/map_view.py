"""The map view: one Leaflet map component (kept in the browser), cached layers, legend, profile panel.

Light maps: a layer's geometry is written once per store build to a static, content-hashed file
(:func:`gtec.maps.geofile.write_geometry`) that the browser fetches once and caches; the map component
(``components/leaflet_map.js``, Streamlit components v2, stable key) stays mounted across reruns and a rerun
sends it only the values, class colours, selection and labels (:func:`gtec.maps.geofile.map_payload`).
Recolouring keeps the user's zoom; panning and zooming never rerun the script; a click on a territory
selects it. Leaflet is served by the app itself (offline).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from components import data, session
from components.provenance import status_markdown
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.imports import zones
from gtec.maps import charts, choropleth, geofile, insets, layers, legend, levels, profile, queries, table
from gtec.maps.choropleth import Figure
from gtec.maps.palettes import MISSING_COLOUR
from gtec.territories import custom, display
from gtec.territories import geometry as territory_geometry

MAP_KEY = "gtec_map"
MAP_HEIGHT = 640  # at most; the browser fits the map to the first screen (components/leaflet_map.js)
MAP_MIN_HEIGHT = 380


@data.per_build(resource=True, max_entries=16)
def _prepared(level: str, resolution: str, ids: tuple[str, ...] | None) -> layers.PreparedLayer:
    fc = territory_geometry.layer_feature_collection(data.reference(), level, resolution, ids=ids)
    if level in insets.LEVELS and ids is None:  # overseas territories drawn in boxes beside the mainland
        fc = insets.place_overseas(fc)
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


@data.per_build(max_entries=64)
def figure(
    indicator_id: str,
    year: int,
    level: str,
    measure: str,
    show_demo: bool,
    options: choropleth.Options,
    lang: str,
    national: float | None,
    extra_names: tuple[tuple[str, str], ...] = (),
) -> Figure:
    """The coloured level (:func:`gtec.maps.choropleth.compose`), cached: a rerun that changes nothing the
    figure depends on (a selection, a page of the table) does not classify the level again."""
    table_ = level_table(indicator_id, year, level, measure, show_demo)
    ind = data.catalogue()[indicator_id]
    return choropleth.compose(table_, ind, year, measure, options, lang, national, dict(extra_names))


@data.per_build(max_entries=64)
def _values_table(key: tuple, formatted: bool) -> pd.DataFrame:
    fig = figure(*key)
    decimals = fig.classification.decimals if formatted else None
    about = (fig.label, fig.unit, key[1])
    out = table.export_table(fig.table, key[6], data.sources(), formatted=formatted, decimals=decimals, about=about)
    return out  # type: ignore[return-value]


@data.per_build(resource=True, max_entries=64)  # shared, read-only: no copy of ~1,250 features per rerun
def _payload(key: tuple) -> tuple[list[str], list[list]]:
    fig = figure(*key)
    layer = prepared_layer(key[2])
    return geofile.map_payload(layer.ids, fig.values, fig.colours, key[6], fig.unit, fig.classification.decimals)


def values_table(key: tuple, formatted: bool = False) -> pd.DataFrame:
    """The accessible/exported table (:func:`gtec.maps.table.export_table`) of the figure ``figure(*key)``,
    cached under the same plain arguments (hashing the figure's table itself would cost more than it saves)."""
    return _values_table(key, formatted)


@data.per_build()
def national_value(indicator_id: str, year: int, level: str, measure: str, show_demo: bool = False) -> float | None:
    """The value of the level's country (centre of a diverging palette); None for a hidden demonstration value."""
    value, _source, status = queries.national_value(
        data.reference(), indicator_id, year, levels.country_of(level), measure
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


def map_levels() -> tuple[str, ...]:
    """The levels the map offers: the reference ones, then the imported boundary layers (read per rerun)."""
    return (*levels.MAP_LEVELS, *zones.level_names(session.workspace()))


def level_label(level: str, lang: str) -> str:
    """A level's name in the level selector (an imported layer: its name, text from a file shown as plain text)."""
    if levels.is_imported(level):
        name = zones.level_names(session.workspace()).get(level, level)
        return t("map.imported.level", lang, name=name)
    return t(f"map.level.{level}", lang)


def customs() -> list[custom.CustomTerritory]:
    """Saved custom territories (read per rerun: another session may have saved one)."""
    return custom.list_custom(session.workspace())


_LEAFLET = st.components.v2.component(
    "gtec_leaflet_map",
    # A stub: the module itself (components/leaflet_map.js) is a static file the browser loads once and caches.
    # (resolved against the page: this stub itself runs from a blob: URL)
    js="export default async function (c) {"
    " const m = await import(new URL(c.data.module_url, window.location.href).href); return m.default(c); }",
    css=".gtec-map{width:100%;background:#f4f4ef;border-radius:4px;font-family:inherit}"
    ".gtec-map .gtec-tooltip{font-size:16px;line-height:1.35;white-space:normal;width:max-content;max-width:260px}"
    ".gtec-map .gtec-map-provenance{background:rgba(255,255,255,.9);padding:2px 6px;font-size:13px;"
    "color:#222;border-radius:3px}"
    ".gtec-map .gtec-map-band{background:#5b2a86;color:#fff;font-weight:600;padding:4px 10px;border-radius:3px;"
    "font-size:15px;max-width:70vw}"
    ".gtec-map .gtec-inset-label span{display:inline-block;font-size:12px;color:#333;white-space:nowrap;"
    "background:rgba(255,255,255,.85);padding:0 3px}"
    # demonstration values: the canvas is hatched, not only banded (screens review M5)
    ".gtec-map.gtec-demo::after{content:'';position:absolute;inset:0;z-index:450;pointer-events:none;"
    "background:repeating-linear-gradient(135deg,rgba(91,42,134,.16) 0 2px,transparent 2px 14px)}",
    isolate_styles=False,
)


@st.cache_resource(show_spinner=False)
def module_url() -> str:
    """URL of the map's JavaScript module (copied once per process to static/vendor/gtec, content-hashed)."""
    return geofile.write_script(Path(__file__).with_name("leaflet_map.js"))


@data.per_build(resource=True, max_entries=32)
def _geometry_url(level: str, resolution: str, with_names: bool) -> str:
    layers.ensure_static_assets()
    return geofile.write_geometry(prepared_layer(level, resolution), f"{level}-{resolution}", with_names)


def geometry_url(level: str, resolution: str = "national", with_names: bool = True) -> str:
    """The URL of the level's static geometry file (written once per store build and process)."""
    return _geometry_url(level, resolution, with_names)


def _on_click(valid_ids: set[str], target_key: str):
    def handler() -> None:
        value = st.session_state.get(MAP_KEY) or {}
        tid = value.get("click") if hasattr(value, "get") else None
        if isinstance(tid, str) and tid in valid_ids:
            st.session_state[target_key] = tid

    return handler


def show_map(level: str, payload: dict, lang: str, select_key: str | None = "map_sel") -> None:
    """Mount (or update) the one map component with the level's geometry URLs and ``payload``."""
    layer = prepared_layer(level)
    under = levels.LEVEL_BACKGROUND.get(level)
    center, zoom = levels.view_for(level, layer.bounds)
    bounds = levels.view_bounds(level, layer.bounds)
    body = {
        "height": MAP_HEIGHT,
        "min_height": MAP_MIN_HEIGHT,
        "module_url": module_url(),
        "leaflet_base": geofile.LEAFLET_URL,
        "layer_url": geometry_url(level),
        "outline_urls": [geometry_url(lvl, with_names=False) for lvl in levels.LEVEL_OUTLINES.get(level, ())],
        "background_url": geometry_url(under, with_names=False) if under else None,
        "view": [list(center), zoom],
        "bounds": [list(bounds[0]), list(bounds[1])] if bounds else None,
        "insets": inset_frames(level, lang),
        "missing_colour": MISSING_COLOUR,
        "outline_colour": geofile.OUTLINE_COLOUR,
        "tile_url": geofile.TILE_URL,
        "tile_attribution": geofile.TILE_ATTRIBUTION,
        "clickable": select_key is not None,
        **payload,
    }
    callback = _on_click(set(layer.ids), select_key) if select_key else None
    _LEAFLET(key=MAP_KEY, data=body, height="content", on_click_change=callback)


def inset_frames(level: str, lang: str) -> list[list]:
    """The overseas boxes a level's map draws (:func:`gtec.maps.insets.frames`), named in ``lang``."""
    if level not in insets.LEVELS:
        return []
    return insets.frames({i.name: t(f"map.inset.{i.name}", lang) for i in insets.INSETS})


def show_choropleth(
    level: str,
    fig: Figure,
    lang: str,
    tiles: bool,
    selected: str | None,
    provenance: str = "",
    key: tuple | None = None,
) -> dict | None:
    """The coloured level (map or UK tile grid). Returns the arguments of the exported map (None for a grid).

    ``provenance`` is the line shown in the map's corner (sources, vintage, status); ``key`` the arguments of
    :func:`figure` that made ``fig`` (the map's values are then cached under them)."""
    if levels.is_grid(level):
        show_tile_grid(level, fig.table, lang, fig.classification.decimals)
        return None
    if key is not None:
        colours, values = _payload(key)
    else:
        colours, values = geofile.map_payload(
            prepared_layer(level).ids, fig.values, fig.colours, lang, fig.unit, fig.classification.decimals
        )
    demo = t("map.demo_band", lang) if display.is_demo(fig.status) else ""
    show_map(level, _labels(lang, fig.label, provenance, tiles) | {"colours": colours, "values": values,
             "selected": selected, "demo_band": demo}, lang)  # fmt: skip
    return dict(level=level, fig=fig, lang=lang, tiles=tiles, selected=selected)


def _labels(lang: str, alias: str, provenance: str, tiles: bool) -> dict:
    return {
        "alias": alias,
        "no_data": t("map.no_data", lang),
        "label_sep": t("map.tooltip_sep", lang),  # " : " in French, ": " in English
        "provenance": provenance,
        "aria_label": t("map.aria_label", lang),
        "error_text": t("map.load_error", lang),
        "tiles": tiles,
    }


def standalone_html(
    level: str, fig: Figure, lang: str, tiles: bool, selected: str | None, sources: str = "", made: str = ""
) -> bytes:
    """The exported one-file HTML map (folium, built only when the download is asked for): title, ``sources``
    (their titles), vintage and status, the date ``made`` (shown as given), boundaries' attribution, legend,
    the app's view of the level with its overseas boxes, the demonstration band when values are illustrative."""
    from gtec.maps import export as map_export

    layer = prepared_layer(level)
    layer_json = layers.layer_json(
        layer, fig.values, fig.colours, lang, fig.unit, fig.classification.decimals, selected
    )
    outlines = [layers.outline_json(prepared_layer(lvl)) for lvl in levels.LEVEL_OUTLINES.get(level, ())]
    under = levels.LEVEL_BACKGROUND.get(level)
    background = layers.outline_json(prepared_layer(under)) if under else None
    text = layers.ExportText(
        f"{fig.legend.title}" + (f" ({fig.legend.unit})" if fig.legend.unit else ""),
        t("map.export.source", lang, sources=sources, vintage=fig.legend.vintage, status=fig.legend.status_label),
        t("map.export.made", lang, date=made),
        t("footer.attribution", lang),
        t("map.demo_band", lang) if display.is_demo(fig.status) else "",
    )
    m = layers.standalone_map(
        layer, layer_json, fig.label, fig.legend, lang, outlines, tiles, background,
        levels.view_for(level, layer.bounds), bounds=levels.view_bounds(level, layer.bounds),
        text=text, frames=inset_frames(level, lang), outline_label=outline_label(level, lang),
    )  # fmt: skip
    return map_export.map_to_html(m)


def outline_label(level: str, lang: str) -> str:
    """The legend entry of the outlines drawn over ``level`` (the partner basins over the EPCIs), or ""."""
    return " / ".join(t(f"map.legend.outline.{lvl}", lang) for lvl in levels.LEVEL_OUTLINES.get(level, ()))


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
    show_map(level, _labels(lang, t("map.col.value", lang), "", False) | {"colours": [], "values": [],
             "selected": None, "demo_band": ""}, lang)  # fmt: skip


def show_legend(box: legend.Legend, lang: str, level: str | None = None) -> None:
    """The legend (every string escaped by :func:`gtec.maps.legend.legend_html`, sanitised again by st.html),
    with an entry for the outlines drawn over ``level`` (the partner basins over the EPCIs) and a line naming
    the overseas boxes."""
    extra = t("map.inset.title", lang) if (level or "") in insets.LEVELS else ""
    st.html(legend.legend_html(box, lang, outline_label(level or "", lang), extra))


def show_profile(
    territory_id: str,
    names: dict[str, str],
    indicator_id: str,
    year: int,
    measure: str,
    lang: str,
    customs: dict[str, tuple[str, ...]],
    show_demo: bool = False,
    y_domain: tuple[float, float] | None = None,
) -> set[str]:
    """The profile of one territory: value vs parent and nation, trend chart (on ``y_domain`` when given, so
    two profiles side by side share a scale), its source line, location quotient.

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
    chart = charts.trend_chart(frame, names, lang, height=240, indexed=indexed, y_domain=y_domain)
    st.altair_chart(chart, width="stretch")
    used = profile.source_ids(df)
    srcs = data.sources()
    described = " + ".join(
        f"{srcs[s].title(lang)}" + (f" ({srcs[s].vintage_text(lang)})" if srcs[s].vintage_text(lang) else "")
        for s in sorted(used)
        if s in srcs
    )
    status = " ".join(sorted({status_markdown(s, lang) for s in df["status"]}))
    st.markdown(f"{status} {md(t('map.profile.source', lang, sources=described))}")
    return used


def profile_domain(
    territory_ids: list[str], indicator_id: str, measure: str, customs: dict[str, tuple[str, ...]], show_demo: bool
) -> tuple[float, float] | None:
    """One y scale for the trend charts of the profiles shown side by side (screens review M12)."""
    if len(territory_ids) < 2:
        return None
    conn, ind = data.reference(), data.catalogue()[indicator_id]
    frames = []
    for tid in territory_ids:
        is_custom = tid in customs
        chain = profile.profile_chain(conn, tid, is_custom)
        df = profile.series(conn, chain, indicator_id, measure, {tid: customs[tid]} if is_custom else None, show_demo)
        if not df.empty:
            frames.append(profile.trend_frame(df, ind, measure, chain)[0])
    return charts.shared_domain(frames)


def pick_territory(container, label: str, key: str, ids: list[str], names: dict[str, str], lang: str) -> str:
    """A territory picker: the whole list for small levels; for large ones (1,253 EPCIs) a search box and the
    few matches, so that a rerun never re-sends every name. Returns the chosen id ("" for none)."""

    def fmt_name(i: str) -> str:
        return names.get(i, i) if i else t("map.select_none", lang)

    current = st.session_state.get(key) or ""
    if len(ids) <= table.SEARCH_THRESHOLD:
        options = ["", *ids]
    else:
        query = container.text_input(
            t("map.search", lang), key=f"{key}_q", persist_state="session", placeholder=t("map.search_hint", lang)
        )
        found = table.search_choices(ids, names, query, keep=current)
        options = ["", *found]
        if query and len(found) <= (1 if current else 0):
            container.caption(t("map.search_none", lang))
    return container.selectbox(
        label, options, format_func=fmt_name, key=key, persist_state="session", placeholder=t("widget.choose", lang)
    )


@st.fragment
def paged_table(out: pd.DataFrame, lang: str) -> None:
    """The values table, one page at a time, the same at every level (a page change reruns only this
    fragment). ``out`` holds display text (:func:`values_table` with ``formatted=True``)."""
    pages = max(1, -(-len(out) // table.PAGE_ROWS))
    page = 1
    if pages > 1:
        page = int(
            st.number_input(
                t("map.table_page", lang, pages=pages), 1, pages, 1, key="map_table_page", persist_state="session"
            )
        )
    start = (page - 1) * table.PAGE_ROWS
    st.dataframe(out.iloc[start : start + table.PAGE_ROWS], hide_index=True, width="stretch")
