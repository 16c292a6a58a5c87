"""Territory map: choropleth of an indicator by level, tooltip and click-to-profile, comparison, table, exports."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import data, map_view
from components.provenance import badge, sources_list
from components.session import current_lang
from gtec.core import export
from gtec.core.i18n import pick, t
from gtec.maps import mapping

lang = current_lang()
st.title(t("map.title", lang))
st.caption(t("map.intro", lang))

# The URL holds the view (plain strings checked by gtec.maps.mapping.parse_view), read once per visit.
if "map_level" not in st.session_state:
    view, bad = mapping.parse_view(st.query_params.to_dict())
    for name, raw in bad:
        st.warning(t("map.bad_param", lang, name=name, value=raw))
    st.session_state.update(map_level=view.level or "epci", map_ind=view.indicator, map_year=view.year)
    st.session_state.update(map_sel=view.selected or "", map_measure=view.measure)

cat, srcs, saved = map_view.catalogue(), data.sources(), map_view.customs()
customs = {c.id: c.members for c in saved}
c_level, c_ind, c_year, c_measure = st.columns([2, 3, 2, 2])
level = c_level.selectbox(
    t("map.level_label", lang), mapping.MAP_LEVELS, format_func=lambda v: t(f"map.level.{v}", lang), key="map_level"
)
inds = map_view.indicators_for_level(level)
if not inds:
    st.info(t("map.no_indicator", lang))
    map_view.show_empty_level(level, lang)
    st.stop()
if st.session_state.get("map_ind") not in inds:
    st.session_state["map_ind"] = "unemployment_rate" if "unemployment_rate" in inds else inds[0]
ind_id = c_ind.selectbox(
    t("map.indicator", lang), inds, format_func=lambda i: pick(cat[i], "label", lang), key="map_ind"
)
ind = cat[ind_id]
years = map_view.years_for(ind_id, level)
if st.session_state.get("map_year") not in years:
    st.session_state["map_year"] = years[-1]
year = c_year.select_slider(t("map.year", lang), years, key="map_year") if len(years) > 1 else years[0]
measure = "total"
if mapping.rate_available(ind):
    den = pick(cat[ind["denominator_indicator"]], "label", lang).lower()
    rate_help = t("map.rate_label", lang, label=pick(ind, "label", lang), per=ind["rate_per"], denominator=den)
    measure = c_measure.segmented_control(
        t("map.measure_label", lang), mapping.MEASURES, required=True, key="map_measure",
        format_func=lambda m: t(f"map.measure.{m}", lang), help=rate_help,
    )  # fmt: skip

with st.expander(t("map.options", lang)):
    o1, o2, o3, o4 = st.columns(4)
    method = o1.selectbox(
        t("map.method_label", lang), mapping.METHODS, format_func=lambda m: t(f"map.method.{m}", lang)
    )
    k = o2.slider(t("map.classes", lang), mapping.MIN_CLASSES, mapping.MAX_CLASSES, mapping.DEFAULT_CLASSES)
    kind = o3.radio(
        t("map.palette_label", lang), ("sequential", "diverging"), format_func=lambda x: t(f"map.palette.{x}", lang)
    )
    palette = o4.selectbox(" ", mapping.palette_names(kind), format_func=lambda p: t(f"map.palette_name.{p}", lang))
    tiles = st.toggle(t("map.tiles", lang), value=False, help=t("map.tiles_help", lang))

country = mapping.LEVEL_COUNTRY[level]
table = map_view.level_table(ind_id, year, level, measure, map_view._store_stamp())
ref_value, ref_label = None, ""
if kind == "diverging":
    ref_value = mapping.national_value(data.reference(), ind_id, year, country, measure)[0]
    if ref_value is None:
        ref_value = float(table["value"].median()) if table["value"].notna().any() else None
    if ref_value is not None:
        ref_label = t("map.legend.reference", lang, value=mapping.format_number(ref_value, lang))
table, cls = mapping.colour_table(table, method, k, palette, lang, ref_value)
unit = mapping.unit_for(ind, measure, lang)
label = pick(ind, "label", lang) + ("" if measure == "total" else f" ({t('map.measure.rate', lang).lower()})")
shown = table.dropna(subset=["value"])
status = mapping.weakest_status(shown["status"]) if not shown.empty else "illustrative"
vintage = " / ".join(sorted(set(shown["vintage"].dropna()))) or "–"
legend = mapping.Legend(
    f"{label}, {year}", unit, vintage, status, t(f"status.{status}", lang),
    cls.entries, cls.missing, t(f"map.method.{method}", lang), ref_label,
)  # fmt: skip
names = mapping.unique_labels(list(table["territory_id"]), list(table["name"]), list(table["code"]))
names |= {c.id: c.name for c in saved}
selected = st.session_state.get("map_sel") or None

col_map, col_legend = st.columns([4, 1])
with col_map:
    if level in mapping.GRID_LEVELS:
        map_view.show_tile_grid(level, table, lang, cls.decimals)
        html_map = None
    else:
        layer = map_view.prepared_layer(level)
        values = dict(zip(table["territory_id"], table["value"], strict=True))
        colours = dict(zip(table["territory_id"], table["fill"], strict=True))
        layer_json = mapping.layer_json(layer, values, colours, lang, unit, cls.decimals, selected)
        outlines = [mapping.outline_json(map_view.prepared_layer("basin"))] if level == "epci" else []
        background = mapping.outline_json(map_view.prepared_layer("region")) if level == "basin" else None
        group = mapping.choropleth_layer(layer_json, label, outlines, background=background)
        map_view.show_map(layer, group, level, tiles, "map_sel")
        html_map = dict(layer=layer, data_json=layer_json, value_alias=label, legend=legend, lang=lang,
                        outlines=outlines, tiles=tiles, background=background,
                        view=mapping.LEVEL_VIEW.get(level, (mapping.FRANCE_CENTER, mapping.FRANCE_ZOOM)))  # fmt: skip
with col_legend:
    map_view.show_legend(legend, lang)
    for sid in sorted({s for v in shown["source_id"] for s in str(v).split(" + ")}):
        badge(srcs[sid], lang)

ids = list(table["territory_id"]) + [c for c in customs if c not in set(table["territory_id"])]
if st.session_state.get("map_sel") not in ["", *ids]:
    st.session_state["map_sel"] = ""
pick1, pick2 = st.columns(2)
fmt_name = lambda i: names.get(i, i) if i else t("map.select_none", lang)  # noqa: E731
sel = pick1.selectbox(t("map.select", lang), ["", *ids], format_func=fmt_name, key="map_sel")
cmp = pick2.selectbox(t("map.compare", lang), ["", *ids], format_func=fmt_name, key="map_cmp")
used = set()
chosen = [x for x in (sel, cmp) if x]
for col, tid in zip(st.columns(len(chosen)) if chosen else [], chosen, strict=True):
    with col, st.container(border=True):
        used |= map_view.show_profile(tid, dict(names), ind_id, year, measure, lang, customs)

st.query_params.from_dict({
    **({"lang": lang} if lang != "fr" else {}),
    **mapping.view_params(mapping.View(ind_id, level, year, sel or None, measure)),
})  # fmt: skip
st.caption(t("map.link", lang))

st.subheader(t("map.table", lang))
out = mapping.export_table(table, lang, srcs)
st.caption(t("map.table_caption", lang, n=len(table), missing=int(table["value"].isna().sum())))
if len(out) <= 120:  # a real HTML table (screen readers); the large EPCI table uses the scrollable grid
    shown_table = mapping.export_table(table, lang, srcs, formatted=True, decimals=cls.decimals)
    st.table(shown_table.set_index(shown_table.columns[0]))
else:
    st.dataframe(out, hide_index=True, width="stretch", height=360)
d1, d2 = st.columns(2)
d1.download_button(
    t("map.download_csv", lang), export.to_safe_csv_bytes(out), f"gtec-{ind_id}-{level}-{year}.csv", "text/csv",
    on_click="ignore", icon=":material/download:",
)  # fmt: skip
if html_map is not None:
    d2.download_button(
        t("map.download_html", lang),
        lambda: export.map_to_html(mapping.standalone_map(**html_map)),
        f"gtec-{ind_id}-{level}-{year}.html", "text/html", on_click="ignore", icon=":material/map:",
    )  # fmt: skip
sources_list([srcs[s] for s in used | {s for v in shown["source_id"] for s in str(v).split(" + ")}], lang)
