"""Partners: the organisations of the network (types, territory, NAF sector, size, SIREN), their possible duplicates
and merges with history, the collaborations between them, and (signed-in roles only) their contacts."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import network_ui, session
from components.session import current_actor, current_lang
from gtec.core import auth
from gtec.core.i18n import t
from gtec.network import organisations

lang = current_lang()
actor = current_actor()
ws = session.workspace()

st.title(t("network.partners.title", lang))
st.caption(t("network.partners.intro", lang))
network_ui.editor_note(actor, lang)
network_ui.show_flash()

orgs = organisations.list_organisations(ws)
tab_names = [t("network.tab.organisations", lang), t("network.tab.duplicates", lang), t("network.tab.collabs", lang)]
may_read_people = auth.can(actor, "network.contact_read")
if may_read_people:
    tab_names.append(t("network.tab.contacts", lang))
tabs = st.tabs(tab_names)

with tabs[0]:
    st.caption(t("network.org.count", lang, count=len(orgs)))
    network_ui.organisation_table(orgs, lang)
    if auth.can(actor, "network.edit"):
        network_ui.organisation_form(ws, actor, lang)
        network_ui.organisation_edit(ws, actor, lang, orgs)
with tabs[1]:
    network_ui.duplicates_block(ws, actor, lang, orgs)
with tabs[2]:
    network_ui.collaborations_block(ws, actor, lang, orgs)
if may_read_people:
    with tabs[3]:
        network_ui.contacts_block(ws, actor, lang, orgs)
