"""Network and reciprocity: the reciprocity indicator (meetings of each partner in the last 12 months, flagged
under two; the network's share at two or more), the interaction log, who works with whom, and the partners map."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import network_ui, session
from components.session import current_actor, current_lang
from gtec.core import auth
from gtec.core.i18n import t
from gtec.network import organisations, reciprocity, views

lang = current_lang()
actor = current_actor()
ws = session.workspace()

st.title(t("network.page.title", lang))
st.caption(t("network.page.intro", lang, n=reciprocity.THRESHOLD))
network_ui.show_flash()

result = reciprocity.compute(ws)
network_ui.reciprocity_cards(result, lang)
orgs = organisations.list_organisations(ws)

tab_flag, tab_log, tab_matrix = st.tabs(
    [t("network.tab.indicator", lang), t("network.tab.log", lang), t("network.tab.matrix", lang)]
)
with tab_flag:
    if result.partners:
        st.dataframe(views.partner_table(result, network_ui.territory_names(), lang), hide_index=True, width="stretch")
    else:
        st.info(t("network.none", lang))
with tab_log:
    if auth.can(actor, "network.edit"):
        network_ui.interaction_form(ws, actor, lang, orgs)
    else:
        network_ui.editor_note(actor, lang)
    network_ui.interaction_log(ws, actor, lang)
with tab_matrix:
    network_ui.network_matrix(ws, lang, orgs)

# The map sits outside the tabs: Leaflet fitted inside a hidden tab measures a zero-sized box and zooms out to
# the whole world.
st.subheader(t("network.tab.map", lang))
network_ui.partner_map(result, lang)
