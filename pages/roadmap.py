"""Roadmap: the actions that stakeholders (local authorities first) follow up, on a timeline with filters; editing,
creation from a workshop recommendation, a peer-exchange follow-up, a needs cell or a practice, CSV import/export
and a printable FR/EN roadmap."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import roadmap_ui, session
from components.session import current_actor, current_lang
from gtec.core import auth
from gtec.core.i18n import t
from gtec.roadmap import actions, timeline

lang = current_lang()
actor = current_actor()
ws = session.workspace()

st.title(t("roadmap.title", lang))
session.intro(t("roadmap.intro", lang))
roadmap_ui.flash()
every = actions.list_actions(ws)
chosen = roadmap_ui.filters(every, lang)
rows = actions.list_actions(ws, chosen)
st.caption(t("roadmap.count", lang, shown=len(rows), total=len(every)))
if rows:
    st.altair_chart(timeline.gantt(rows, lang), width="stretch")
    roadmap_ui.table(rows, lang)
    roadmap_ui.downloads(rows, lang)
else:
    st.info(t("roadmap.empty", lang))

if auth.can(actor, "roadmap.edit"):
    new, origin, edit, upload = st.tabs(
        [
            t("roadmap.tab.new", lang),
            t("roadmap.tab.origin", lang),
            t("roadmap.tab.edit", lang),
            t("roadmap.tab.import", lang),
        ]
    )
    with new:
        roadmap_ui.action_form(ws, actor, lang)
    with origin:
        roadmap_ui.from_origin(ws, actor, lang)
    with edit:
        roadmap_ui.edit_existing(ws, actor, every, lang)
    with upload:
        roadmap_ui.import_block(ws, actor, lang)
else:
    st.caption(t("roadmap.sign_in", lang))
