"""Territory map: choropleth of an indicator by level, tooltip and click-to-profile, comparison, table, exports."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

from datetime import date

import streamlit as st

from components import data, map_view
from components.provenance import DEMO_KEY, badge, demo_switch, sources_list
from components.session import current_lang
from components.session import intro as session_intro
from gtec.core import export, fmt
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.maps import choropleth, classify, levels, palettes, queries, view
from gtec.territories import display

lang = current_lang()
st.title(t("map.title", lang))
session_intro(t("map.intro", lang))

# The URL holds the view (plain strings checked by gtec.maps.view.parse_view), read once per visit.
if "map_level" not in st.session_state:
    url_view, bad = view.parse_view(st.query_params.to_dict())
    for name, raw in bad:
        st.warning(t("map.bad_param", lang, name=md(name), value=md(raw)))
    st.session_state.update(map_level=url_view.level or levels.DEFAULT_LEVEL, map_ind=url_view.indicator)
    st.session_state.update(map_year=url_view.year, map_sel=url_view.selected or "", map_measure=url_view.measure)

cat, srcs, saved = data.catalogue(), data.sources(), map_view.customs()
customs = {c.id: c.members for c in saved}
show_demo = bool(st.session_state.get(DEMO_KEY))  # the switch itself is drawn under the map
c_level, c_ind, c_year = st.columns([1, 1.25, 0.6])
level_options = map_view.map_levels()
if st.session_state.get("map_level") not in level_options:  # a deleted imported layer, a stale link
    st.session_state["map_level"] = levels.DEFAULT_LEVEL
level = c_level.selectbox(
    t("map.level_label", lang),
    level_options,
    format_func=lambda v: map_view.level_label(v, lang),
    key="map_level",
    persist_state="session",
    placeholder=t("widget.choose", lang),
)
inds = map_view.indicators_for_level(level, show_demo)
if not inds:
    st.info(t("map.no_indicator", lang))
    map_view.show_empty_level(level, lang)
    demo_switch(lang)
    st.stop()
if st.session_state.get("map_ind") not in inds or st.session_state.get("_map_ind_level", level) != level:
    st.session_state["map_ind"] = levels.default_indicator(inds, level)  # a newly chosen level: its own default
st.session_state["_map_ind_level"] = level
ind_id = c_ind.selectbox(
    t("map.indicator", lang),
    inds,
    format_func=lambda i: display.indicator_label(cat[i], lang),
    key="map_ind",
    persist_state="session",
    placeholder=t("widget.choose", lang),
)
ind = cat[ind_id]
years = map_view.years_for(ind_id, level, show_demo)
if st.session_state.get("map_year") not in years:
    st.session_state["map_year"] = years[-1]
year = (
    c_year.select_slider(t("map.year", lang), years, key="map_year", persist_state="session")
    if len(years) > 1
    else years[0]
)
# The map and, beside it on wide screens, the legend and the profile of the chosen territory (M1).
col_map, col_side = st.columns([3, 2])
measure = "total"
if queries.rate_available(ind):
    measure = col_side.segmented_control(
        t("map.measure_label", lang), levels.MEASURES, required=True, key="map_measure",
        format_func=lambda m: t(f"map.measure.{m}", lang), help=choropleth.rate_help(ind, cat, lang),
        persist_state="session",
    )  # fmt: skip
map_slot, side = col_map.container(), col_side.container()
with col_map:
    show_demo = demo_switch(lang)
with col_map.expander(t("map.options", lang)):
    o1 = st.container()  # the method's names are long: the whole width (M7)
    o2, o3 = st.columns(2)
    o4 = st.container()
    method = o1.selectbox(
        t("map.method_label", lang),
        classify.METHODS,
        format_func=lambda m: t(f"map.method.{m}", lang),
        placeholder=t("widget.choose", lang),
    )
    k = o2.slider(t("map.classes", lang), classify.MIN_CLASSES, classify.MAX_CLASSES, classify.DEFAULT_CLASSES)
    kind = o3.radio(
        t("map.palette_label", lang), ("sequential", "diverging"), format_func=lambda x: t(f"map.palette.{x}", lang)
    )
    palette = o4.selectbox(
        " ",
        palettes.palette_names(kind),
        format_func=lambda p: t(f"map.palette_name.{p}", lang),
        placeholder=t("widget.choose", lang),
    )
    tiles = st.toggle(t("map.tiles", lang), value=False, help=t("map.tiles_help", lang))

national = map_view.national_value(ind_id, year, level, measure, show_demo) if kind == "diverging" else None
if kind == "diverging" and not choropleth.diverging_allowed(ind, measure):
    col_map.caption(t("map.palette.diverging_unavailable", lang))
fig_key = (ind_id, year, level, measure, show_demo, choropleth.Options(method, k, kind, palette), lang, national,
           tuple((c.id, c.name) for c in saved))  # fmt: skip
fig = map_view.figure(*fig_key)
selected = st.session_state.get("map_sel") or None
source_titles = " + ".join(srcs[s].title(lang) for s in fig.source_ids)
provenance = " · ".join([source_titles, fig.legend.vintage, fig.legend.status_label])
with map_slot:
    html_map = map_view.show_choropleth(level, fig, lang, tiles, selected, provenance, fig_key)
with side:
    map_view.show_legend(fig.legend, lang, level)

ids = choropleth.selectable(list(fig.table["territory_id"]), list(customs))
if st.session_state.get("map_sel") not in ["", *ids]:
    st.session_state["map_sel"] = ""
pick1, pick2 = st.columns(2)
sel = map_view.pick_territory(pick1, t("map.select", lang), "map_sel", ids, fig.names, lang)
cmp = map_view.pick_territory(pick2, t("map.compare", lang), "map_cmp", ids, fig.names, lang)
chosen = [x for x in (sel, cmp) if x]
domain = map_view.profile_domain(chosen, ind_id, measure, customs, show_demo)  # one y scale when comparing
used = set()
with side, st.container(border=True):
    if sel:
        used |= map_view.show_profile(sel, dict(fig.names), ind_id, year, measure, lang, customs, show_demo, domain)
    else:
        st.caption(t("map.profile.pick_hint", lang))
with side:
    for sid in fig.source_ids:
        badge(srcs[sid], lang)
if cmp:
    with col_map, st.container(border=True):
        used |= map_view.show_profile(cmp, dict(fig.names), ind_id, year, measure, lang, customs, show_demo, domain)

st.query_params.from_dict(view.page_params(view.View(ind_id, level, year, sel or None, measure), lang))
st.caption(t("map.link", lang))

st.subheader(t("map.table", lang))
out = map_view.values_table(fig_key)
st.caption(t("map.table_caption", lang, n=len(fig.table), missing=fig.missing_count))
st.caption(t("map.table_sources", lang, sources=md(source_titles), status=fig.legend.status_label))
map_view.paged_table(map_view.values_table(fig_key, formatted=True), lang)  # one form at every level (M11)
d1, d2 = st.columns(2)
d1.download_button(
    t("map.download_csv", lang), lambda: export.to_safe_csv_bytes(out, lang),
    choropleth.export_name(ind_id, level, year, "csv"), "text/csv", on_click="ignore", icon=":material/download:",
)  # fmt: skip
if html_map is not None:
    d2.download_button(
        t("map.download_html", lang),
        lambda: map_view.standalone_html(**html_map, sources=source_titles, made=fmt.long_date(date.today(), lang)),
        choropleth.export_name(ind_id, level, year, "html"), "text/html", on_click="ignore", icon=":material/map:",
    )  # fmt: skip
sources_list([srcs[s] for s in used | set(fig.source_ids)], lang)
