"""Custom basin builder: compose a territory from EPCIs (or communes), check outline and figures, save it."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import pandas as pd
import streamlit as st

from components import data, map_view, session
from components.provenance import sources_list, status_markdown
from components.session import current_actor, current_lang
from gtec.build import geography
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import pick, t
from gtec.maps import mapping
from gtec.territories import charts, custom

lang, actor = current_lang(), current_actor()
ws = session.workspace()
st.title(t("custom.title", lang))
st.caption(t("custom.intro", lang))
allowed = auth.can(actor, "custom_territory.save")
if not allowed:
    st.info(t("custom.not_allowed", lang))

mode = st.segmented_control(
    t("custom.mode_label", lang), ("epci", "commune"), default="epci", required=True,
    format_func=lambda m: t(f"custom.mode.{m}", lang), key="custom_mode",
)  # fmt: skip
if mode == "epci":
    pool = data.territories(("epci",))
else:
    deps = data.territories(("departement",))
    dep_names = dict(zip(deps["id"], deps["code"] + " " + deps["name"], strict=True))
    chosen_deps = st.multiselect(
        t("custom.departements", lang), list(dep_names), format_func=dep_names.get, max_selections=5,
        placeholder=t("custom.members_placeholder", lang),
    )  # fmt: skip
    conn = data.reference()
    rows = [conn.execute("SELECT id, name FROM territories WHERE level='commune' AND departement_id=?", (d,)).fetchall()
            for d in chosen_deps]  # fmt: skip
    pool = pd.DataFrame([tuple(r) for rs in rows for r in rs], columns=["id", "name"])
labels = mapping.unique_labels(list(pool["id"]), list(pool["name"]), [i.rsplit("-", 1)[-1] for i in pool["id"]])
members = st.multiselect(
    t("custom.members", lang), list(labels), format_func=lambda i: labels.get(i, i), key=f"custom_members_{mode}",
    placeholder=t("custom.members_placeholder", lang),
)  # fmt: skip
c1, c2 = st.columns([1, 2])
name = c1.text_input(t("custom.name", lang), max_chars=custom.MAX_NAME)
description = c2.text_input(t("custom.description", lang), max_chars=500)

if not members:
    st.info(t("custom.pick_members", lang))
else:
    conn = data.reference()
    left, right = st.columns([2, 3])
    with left:
        st.subheader(t("custom.outline", lang))
        geom = custom.outline(conn, members)
        level_of_members = "epci" if mode == "epci" else "commune"
        feats = [
            {**f, "properties": {**f["properties"], "role": "member"}}
            for f in geography.layer_feature_collection(conn, level_of_members, "detail", ids=members)["features"]
        ]
        if geom:
            feats.append({"type": "Feature", "geometry": geom, "properties": {"name": name or "", "role": "outline"}})
        if feats:
            st.altair_chart(charts.outline_chart({"type": "FeatureCollection", "features": feats}), width="stretch")
    with right:
        agg = custom.aggregate_values(conn, members)
        cat = map_view.catalogue()
        if not agg.empty:
            latest = agg.dropna(subset=["value"]).sort_values("year").groupby("indicator_id").tail(1)
            latest = pd.concat(
                [latest, agg[~agg["indicator_id"].isin(latest["indicator_id"])].groupby("indicator_id").tail(1)]
            )
            st.subheader(t("custom.indicators_latest", lang))
            table = pd.DataFrame(
                {
                    t("custom.col.indicator", lang): [pick(cat[i], "label", lang) for i in latest["indicator_id"]],
                    t("map.col.year", lang): [str(y) for y in latest["year"]],
                    t("custom.col.value", lang): [
                        f"{mapping.format_number(v, lang)} {mapping.unit_for(cat[i], 'total', lang)}"
                        if v == v else t("map.no_data", lang)
                        for v, i in zip(latest["value"], latest["indicator_id"], strict=True)
                    ],
                    t("custom.col.rule", lang): [t(f"map.rule.{r}", lang) for r in latest["aggregation"]],
                    t("custom.col.coverage", lang): [
                        t("custom.coverage", lang, n=a, total=b)
                        for a, b in zip(latest["n_with_value"], latest["n_members"], strict=True)
                    ],
                    t("map.col.status", lang): [t(f"status.{s}", lang) for s in latest["status"]],
                }
            )  # fmt: skip
            st.table(table.set_index(table.columns[0]))
            st.markdown(" ".join(sorted({status_markdown(s, lang) for s in latest["status"]})))
            srcs = data.sources()
            sources_list([srcs[s] for ids in latest["source_ids"] for s in ids.split(",") if s in srcs], lang)
    if st.button(t("custom.save", lang), type="primary", disabled=not allowed, icon=":material/save:"):
        try:
            new_id = custom.save(ws, actor, conn, name, members, description)
            st.success(t("custom.saved", lang, name=custom.clean_name(name), id=new_id))
        except UserError as exc:
            st.error(t(exc.key, lang, **exc.values))
        except auth.PermissionDenied:
            st.error(t("custom.not_allowed", lang))

st.subheader(t("custom.saved_list", lang))
saved = custom.list_custom(ws)
if not saved:
    st.caption(t("custom.none_saved", lang))
for c in saved:
    row = st.columns([4, 1])
    row[0].markdown(f"**{c.name}** · `{c.id}` · {len(c.members)} {t(f'custom.mode.{c.member_level}', lang).lower()}")
    if row[1].button(
        t("custom.delete", lang), key=f"del_{c.id}", disabled=not auth.can(actor, "custom_territory.delete")
    ):
        try:
            custom.delete(ws, actor, c.id)
            st.toast(t("custom.deleted", lang, name=c.name))
            st.rerun()
        except (UserError, auth.PermissionDenied) as exc:
            st.error(t(getattr(exc, "key", "custom.not_allowed"), lang))
