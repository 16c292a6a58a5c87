"""Home page: territory portrait (key figures against the parent and national levels, with sources)."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import pandas as pd
import streamlit as st

from components import data
from components.charts import show
from components.compare_table import comparison_table
from components.figure_card import Figure, figure_cards
from components.provenance import badge, demo_switch, illustrative_notice, sources_list
from components.session import current_lang, intro
from components.territory_picker import custom_choices, pick_territory
from gtec.core import export, fmt
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.territories import charts, display, indicators

lang = current_lang()
st.title(t("portrait.title", lang))
intro(t("portrait.intro", lang))

territory_id = pick_territory(lang, extra=custom_choices())
show_demo = demo_switch(lang)
terr = data.territory(territory_id)
cat, srcs = data.catalogue(), data.sources()
table = data.portrait(territory_id, show_demo)
names = indicators.comparison_names(table, territory_id, terr["name"], data.territory)
md_names = {k: md(v) for k, v in names.items()}

st.header(md(terr["name"]))
info = [t(f"level.{terr['level']}", lang)]
pop = indicators.headline_population(table)
if pop:
    period = display.period_text(pop["year"], pop["period"], pop["source_id"], lang)
    info.append(t("portrait.population", lang, value=fmt.number(pop["value"], lang), year=md(period)))
st.markdown(" · ".join(info))
member_ids = data.members(territory_id)
if member_ids:
    shown = [data.territory(m)["name"] for m in member_ids[:12]]
    more = f" (+{len(member_ids) - 12})" if len(member_ids) > 12 else ""
    st.caption(t("portrait.members", lang, names=md(", ".join(shown)) + more))
if terr["level"] == "custom":
    st.caption(t("portrait.custom_note", lang))

if table.empty:
    st.info(t("portrait.no_data", lang))
    st.stop()

st.subheader(t("portrait.key_figures", lang))
illustrative_notice([srcs[s] for s in table["source_id"]], lang)
figures = []
for row in table.itertuples():
    card = indicators.portrait_card(row, cat[row.indicator_id], names, lang)
    figures.append(
        Figure(
            card.label, card.value, compare=card.compare, period=card.period, note=card.flag or None,
            sources=(srcs[row.source_id],), status=srcs[row.source_id].status, method=card.help,
        )
    )  # fmt: skip
figure_cards(figures, lang, columns=4)

zones = data.overlaps(territory_id) if terr["level"] == "basin" else pd.DataFrame()
if not zones.empty:
    st.subheader(t("portrait.overlap.title", lang))
    st.caption(t("portrait.overlap.intro", lang))
    for z in zones.itertuples():
        line = display.overlap_text(z.zone_level, md(z.name), md(z.code), z.population_share, lang)
        quote = display.ZONE_FIGURES[z.zone_level]
        figure = display.figure_text(data.latest_figure(z.zone_id, quote), cat[quote], lang)
        st.markdown(f"- {line}" + (f"  \n  {md(figure)}" if figure else ""))
    st.page_link("pages/occupations.py", label=t("portrait.overlap.occupations", lang), icon=":material/work:")
    badge(srcs[zones["source_id"].iloc[0]], lang)

abroad, country_level = terr["country"] != "FR", terr["level"] == "country"
heading = "portrait.comparison_country" if country_level else "portrait.comparison_abroad" if abroad else None
st.subheader(t(heading or "portrait.comparison", lang))
rows = indicators.comparison_rows(table, cat, srcs, lang)
comparison_table(rows, lang, demo_text=t("demo.mark", lang), national=not country_level)  # wraps: fits 390 px
comparison = pd.DataFrame(rows)
if table["parent_id"].notna().any():
    st.caption(t("portrait.parent", lang, name=md_names[table["parent_id"].dropna().iloc[0]]))
st.download_button(
    t("common.download_csv", lang), export.to_safe_csv_bytes(comparison, lang), f"gtec-portrait-{territory_id}.csv",
    "text/csv", on_click="ignore", icon=":material/download:",
)  # fmt: skip

left, right = st.columns(2)
with left:
    st.subheader(t("portrait.map_title", lang))
    features = data.outline_features(territory_id)
    if features["features"]:
        show(charts.outline_spec(features), lang)
        geometry_source = indicators.geometry_source_id(terr["country"])
        if geometry_source in srcs:
            badge(srcs[geometry_source], lang)
    else:
        st.info(t("portrait.no_geometry_uk" if terr["country"] == "UK" else "portrait.no_geometry", lang))
with right:
    st.subheader(t("portrait.trend_title", lang))
    trend_ids = data.trend_candidates(territory_id, table, show_demo)
    if not trend_ids:
        st.info(t("portrait.no_trend", lang))
    else:
        if st.session_state.get("portrait_trend") not in trend_ids:  # another territory: its own first series
            st.session_state.pop("portrait_trend", None)
        ind_id = st.selectbox(
            t("portrait.trend_indicator", lang), trend_ids, format_func=lambda i: display.indicator_label(cat[i], lang),
            key="portrait_trend", persist_state="session",placeholder=t("widget.choose", lang)
        )  # fmt: skip
        label = display.indicator_label(cat[ind_id], lang)
        quarterly = data.quarterly(territory_id, ind_id)
        series = display.series_names(table, names, territory_id, lang)  # legend says which line is which (P6)
        if not quarterly.empty:
            show(charts.quarterly_chart(quarterly, series, label, lang), lang)
            st.caption(t("portrait.quarterly_note", lang))
            for source_id in sorted(set(quarterly["source_id"])):
                badge(srcs[source_id], lang)
        else:
            trend = data.trend(territory_id, ind_id, show_demo)
            if not trend.empty:
                axis = t("portrait.index_axis", lang, year=display.index_base_year(trend))  # the base year (P10)
                show(charts.trend_chart(trend, series, axis), lang)
                st.caption(t("portrait.index_note", lang))
                for source_id in sorted(set(trend["source_id"])):  # source and vintage under the chart (P4)
                    badge(srcs[source_id], lang)

used = indicators.portrait_source_ids(table) | (set(zones["source_id"]) if not zones.empty else set())
sources_list([srcs[s] for s in used], lang, warn=False)
