"""Custom basin builder: compose a territory from EPCIs (or communes), check outline and figures, save it."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import data, session
from components.provenance import sources_list, status_markdown
from components.session import current_actor, current_lang
from components.session import intro as session_intro
from gtec.core import auth, fmt
from gtec.core.errors import UserError
from gtec.core.i18n import pick, t
from gtec.core.provenance import split_source_ids
from gtec.core.text import md, md_values
from gtec.maps import outline, queries, table
from gtec.territories import charts, coverage, custom

lang, actor = current_lang(), current_actor()
ws = session.workspace()
st.title(t("custom.title", lang))
session_intro(t("custom.intro", lang))
allowed = auth.can(actor, "custom_territory.save")
if not allowed:
    st.info(t("custom.not_allowed", lang))

mode = st.segmented_control(
    t("custom.mode_label", lang), ("epci", "commune"), default="epci", required=True,
    format_func=lambda m: t(f"custom.mode.{m}", lang), key="custom_mode", persist_state="session"
)  # fmt: skip
if mode == "epci":
    pool = data.territories(("epci",))
else:
    deps = data.territories(("departement",))
    dep_names = dict(zip(deps["id"], deps["code"] + " " + deps["name"], strict=True))
    chosen_deps = st.multiselect(
        t("custom.departements", lang), list(dep_names), format_func=dep_names.get, max_selections=5,
        placeholder=t("custom.members_placeholder", lang), filter_mode="contains", select_all=False,
    )  # fmt: skip
    pool = queries.communes(data.reference(), chosen_deps)
labels = table.member_labels(pool)
members = st.multiselect(
    t("custom.members", lang),
    list(labels),
    format_func=lambda i: labels.get(i, i),
    key=f"custom_members_{mode}",
    placeholder=t("custom.members_placeholder", lang),
    persist_state="session",
    filter_mode="contains",
    select_all=False,
    help=t("builder.search_help", lang),
)  # fmt: skip  (no "Select N matches": Enter never adds what was not picked, screens review C1)
if mode == "commune":
    st.caption(t("builder.commune_note", lang))
name = description = ""
if allowed:  # readers preview; the naming form is for those who may save (C5)
    c1, c2 = st.columns([1, 2])
    name = c1.text_input(t("custom.name", lang), max_chars=custom.MAX_NAME)
    description = c2.text_input(t("custom.description", lang), max_chars=500)

if not members:
    st.info(t("custom.pick_members", lang))
else:
    conn = data.reference()
    left, right = st.columns([1, 2])
    with left:
        st.subheader(t("custom.outline", lang))
        feats = outline.preview_features(conn, members, mode, name)
        if feats["features"]:
            st.altair_chart(charts.outline_chart(feats), width="stretch")
    agg = custom.aggregate_values(conn, members)
    with right:  # the aggregates get the page's width below (C3); beside the outline: what is incomplete (C2)
        cat = data.catalogue()
        latest = table.latest_per_indicator(agg) if not agg.empty else agg
        gaps = coverage.partial_aggregates(conn, members, latest, cat) if not agg.empty else []
        st.subheader(t("builder.coverage_title", lang))
        if not gaps:
            st.markdown(t("builder.complete", lang, n=len(members)))
        for gap in gaps:
            ind = cat[gap.indicator_id]
            names = [labels.get(m, m) for m in gap.missing]
            more = t("builder.more", lang, n=len(names) - 5) if len(names) > 5 else ""
            value = fmt.figure(gap.value, ind["kind"], pick(ind, "unit", lang), lang, t("common.missing", lang))
            st.markdown(
                t("builder.partial", lang, indicator=md(pick(ind, "label", lang)), year=gap.year, value=md(value),
                  n=gap.n_used, total=gap.n_members, missing=md(", ".join(names[:5])) + more)
                + " " + status_markdown(gap.status, lang)
            )  # fmt: skip
    if not agg.empty:
        st.subheader(t("custom.indicators_latest", lang))
        st.table(table.custom_figures_table(latest, cat, lang))
        st.markdown(" ".join(sorted({status_markdown(s, lang) for s in latest["status"]})))
        srcs = data.sources()
        sources_list([srcs[s] for ids in latest["source_ids"] for s in split_source_ids(ids) if s in srcs], lang)
    if st.button(t("custom.save", lang), type="primary", disabled=not allowed, icon=":material/save:"):
        try:
            new_id = custom.save(ws, actor, conn, name, members, description)
            st.success(t("custom.saved", lang, name=md(custom.clean_name(name)), id=md(new_id)))
        except UserError as exc:
            st.error(t(exc.key, lang, **md_values(exc.values)))
        except auth.PermissionDenied:
            st.error(t("custom.not_allowed", lang))

st.subheader(t("custom.saved_list", lang))
saved = custom.list_custom(ws)
if not saved:
    st.caption(t("custom.none_saved", lang))
for c in saved:
    row = st.columns([4, 1])
    level_name = t(f"custom.mode.{c.member_level}", lang).lower()
    row[0].markdown(f"**{md(c.name)}** · `{c.id}` · {len(c.members)} {level_name}")
    if row[1].button(
        t("custom.delete", lang), key=f"del_{c.id}", disabled=not auth.can(actor, "custom_territory.delete")
    ):
        try:
            custom.delete(ws, actor, c.id)
            st.toast(t("custom.deleted", lang, name=md(c.name)))
            st.rerun()
        except (UserError, auth.PermissionDenied) as exc:
            st.error(t(getattr(exc, "key", "custom.not_allowed"), lang))
