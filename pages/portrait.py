"""Home page: territory portrait (key figures against the parent and national levels, with sources)."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import pandas as pd
import streamlit as st

from components import data
from components.provenance import badge, illustrative_notice, sources_list, status_markdown
from components.session import current_lang
from components.territory_picker import custom_choices, pick_territory
from gtec.core import fmt
from gtec.core.i18n import pick, t
from gtec.core.text import md
from gtec.territories import charts, indicators

lang = current_lang()
st.title(t("portrait.title", lang))
st.caption(t("portrait.intro", lang))

territory_id = pick_territory(lang, extra=custom_choices())
terr = data.territory(territory_id)
cat, srcs = data.catalogue(), data.sources()
table = data.portrait(territory_id)
names = indicators.comparison_names(table, territory_id, terr["name"], data.territory)
md_names = {k: md(v) for k, v in names.items()}

st.header(md(terr["name"]))
info = [t(f"level.{terr['level']}", lang)]
if terr.get("population"):
    info.append(
        t(
            "portrait.population",
            lang,
            value=fmt.number(terr["population"], lang),
            year=md(srcs[terr["pop_source_id"]].vintage),
        )
    )
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
cards = st.columns(3)
for i, row in enumerate(table.itertuples()):
    card = indicators.portrait_card(row, cat[row.indicator_id], md_names, lang)
    with cards[i % 3].container(border=True):
        st.metric(md(card.label), card.value, help=md(card.help))
        if card.compare:
            st.caption(card.compare)
        badge(srcs[row.source_id], lang)

st.subheader(t("portrait.comparison", lang))
rows = indicators.comparison_rows(table, cat, srcs, lang)
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
if table["parent_id"].notna().any():
    st.caption(t("portrait.parent", lang, name=md_names[table["parent_id"].dropna().iloc[0]]))

left, right = st.columns(2)
with left:
    st.subheader(t("portrait.map_title", lang))
    features = data.outline_features(territory_id)
    if features["features"]:
        st.altair_chart(charts.outline_chart(features), width="stretch")
        geometry_source = indicators.geometry_source_id(terr["country"])
        if geometry_source in srcs:
            badge(srcs[geometry_source], lang)
    else:
        st.info(t("portrait.no_geometry", lang))
with right:
    st.subheader(t("portrait.trend_title", lang))
    trend_ids = indicators.trend_indicators(table)
    if trend_ids:
        ind_id = st.selectbox(
            t("portrait.trend_indicator", lang), trend_ids, format_func=lambda i: pick(cat[i], "label", lang)
        )
        trend = data.trend(territory_id, ind_id)
        if not trend.empty:
            st.altair_chart(charts.trend_chart(trend, names, pick(cat[ind_id], "label", lang)), width="stretch")
            st.markdown(" ".join(sorted({status_markdown(srcs[s].status, lang) for s in trend["source_id"]})))

sources_list([srcs[s] for s in indicators.portrait_source_ids(table, terr)], lang, warn=False)
