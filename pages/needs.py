"""Stakeholder needs: the needs matrix of a survey, the company skills-needs survey beside the BMO and the
scenario, and (signed-in facilitators and admins) building surveys, handing out links and importing answers."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import needs_ui, scenario_ui, session
from components.session import current_actor, current_lang
from gtec.core.i18n import t

lang = current_lang()
actor = current_actor()
ws = session.workspace()

st.title(t("needs.title", lang))
session.intro(t("needs.intro", lang))
tab_matrix, tab_company, tab_manage = st.tabs(
    [t("needs.tab.matrix", lang), t("needs.tab.company", lang), t("needs.tab.manage", lang)]
)
with tab_matrix:
    needs_ui.matrix_view(ws, actor, lang)
with tab_company:
    needs_ui.company_view(ws, scenario_ui.base, lang)
with tab_manage:
    needs_ui.manage(ws, actor, lang)
