"""Occupations in demand: the occupations with the most hiring projects in a BMO bassin (France Travail's BMO
survey), their share difficult and seasonal in plain words, compared with the département and France.

Made for jobseekers, young people and counsellors, on a phone as well: cards, no wide table.
"""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import data
from components.figure_card import Figure, figure_cards
from components.provenance import badge
from components.session import current_lang
from components.session import intro as session_intro
from components.territory_picker import pick_territory
from gtec.core import fmt
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.territories import occupations
from gtec.territories.display import flag_text

lang = current_lang()
st.title(t("occ.title", lang))
session_intro(t("occ.intro", lang))

chosen = pick_territory(lang, key="bassin", default="FR-BMO-5310", levels=occupations.PICK_LEVELS)
bassin_id, share = data.bassin_for(chosen)
if bassin_id is None:
    st.info(t("occ.no_bassin", lang))
    st.stop()
bassin = data.territory(bassin_id)
if bassin_id != chosen:
    share_text = fmt.figure(share, "rate", "%", lang, t("common.missing", lang))
    st.caption(t("occ.read_through", lang, name=md(bassin["name"]), code=md(bassin["code"]), share=share_text))

dep = data.territory(bassin["departement_id"]) if bassin.get("departement_id") else None
st.subheader(t("occ.bassin_title", lang, name=md(bassin["name"]), code=md(bassin["code"])))
# the bassin's headline as figure cards in the first screen (issue 11), the département and France beside each
totals = data.bmo_totals(bassin_id)
values = occupations.headline_values(totals, lang)
scopes = [(data.territory(s)["name"], data.bmo_totals(s)) for s in (dep["id"] if dep else None, "FR") if s]
others = [(name, occupations.headline_values(tot, lang)) for name, tot in scopes]
flag = flag_text(totals.projects_flag, lang)
bmo_source = data.sources().get(occupations.SOURCE_ID)
figure_cards(
    [
        Figure(t(f"occ.kpi.{kind}", lang), values[i],
               compare=" · ".join(t("occ.scope_totals", lang, name=name, totals=v[i]) for name, v in others),
               note=t("occ.flag_note", lang, flag=flag) if flag and i == 0 else None,
               sources=(bmo_source,) if bmo_source else ())
        for i, kind in enumerate(("projects", "difficult", "seasonal"))
    ],
    lang, columns=3,
)  # fmt: skip

table = data.bmo_occupations(bassin_id)
if table.empty:
    st.info(t("occ.none", lang))
    st.stop()
query = st.text_input(
    t("occ.search", lang), key="occ_search", placeholder=t("occ.search_placeholder", lang), persist_state="session"
)
found = occupations.search(table, query)
show_all = st.toggle(t("occ.show_all", lang, n=len(found)), key="occ_all", persist_state="session")
shown = found if show_all else found.head(occupations.TOP_SHOWN)
st.caption(t("occ.count", lang, shown=len(shown), total=len(found)))
if found.empty:
    st.info(t("occ.no_match", lang, query=md(query)))

compared = data.bmo_comparison(tuple(shown["met_code"]), dep["id"] if dep else None)
scope_names = {"national": t("occ.france", lang)} | ({"departement": dep["name"]} if dep else {})
for rank, row in enumerate(shown.to_dict("records"), start=1):
    text = occupations.describe(row, compared, scope_names, lang)
    with st.container(border=True):
        st.markdown(f"**{rank}. {md(text.title)}**")
        if text.family:
            st.caption(t("occ.family", lang, family=md(text.family)))
        st.markdown(text.figures)
        if text.compare:
            st.caption(md(text.compare))

st.markdown(t("occ.source_line", lang))
srcs = data.sources()
if occupations.SOURCE_ID in srcs:
    badge(srcs[occupations.SOURCE_ID], lang)
with st.expander(t("occ.about_title", lang)):
    st.markdown(t("occ.about", lang))
