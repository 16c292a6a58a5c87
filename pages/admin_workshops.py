"""Workshop sessions (facilitators, admins): open one, project its code, close it."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

from datetime import datetime

import streamlit as st

from components import auth_ui, session
from components.session import current_actor, current_lang
from gtec.access import workshops
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md

lang = current_lang()
actor = current_actor()
ws = session.workspace()
st.title(t("auth.workshops.title", lang))
st.caption(t("auth.workshops.intro", lang))


def hhmm(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%d/%m %H:%M")


with st.form("open_workshop"):
    title_col, hours_col = st.columns([3, 1])
    title = title_col.text_input(t("auth.workshops.name", lang), max_chars=120)
    hours = hours_col.number_input(
        t("auth.workshops.hours", lang),
        min_value=0.5,
        max_value=float(workshops.MAX_WORKSHOP_HOURS),
        value=3.0,
        step=0.5,
        format="%.1f",
    )
    if st.form_submit_button(t("auth.workshops.create", lang), type="primary"):
        try:
            created = workshops.create_workshop(ws, actor, title or "", float(hours))
        except UserError as error:
            st.error(auth_ui.error_text(error, lang))
        except auth.PermissionDenied:
            st.error(t("auth.error.denied", lang))
        else:
            st.session_state["auth_workshop_created"] = created.code

fresh = st.session_state.get("auth_workshop_created")
if fresh:
    st.success(t("auth.workshops.created", lang))
    # Large enough to be read from the back of a room on a projector.
    st.markdown(f"# `{workshops.format_code(fresh)}`")

sessions = workshops.list_workshops(ws, actor)
open_sessions = [s for s in sessions if s.is_open()]
st.subheader(t("auth.workshops.open", lang))
if not open_sessions:
    st.info(t("auth.workshops.none_open", lang))
for workshop in open_sessions:
    code_col, text_col, button_col = st.columns([1, 4, 1], vertical_alignment="center")
    code_col.markdown(f"### `{workshops.format_code(workshop.code)}`")
    text_col.markdown(
        f"**{md(workshop.title)}**  \n"
        + t("auth.workshops.closes", lang, by=md(workshop.created_by), time=hhmm(workshop.closes_at))
    )
    if button_col.button(t("auth.workshops.close", lang), key=f"close_{workshop.code}"):
        try:
            workshops.close_workshop(ws, actor, workshop.code)
        except UserError as error:
            st.error(auth_ui.error_text(error, lang))
        except auth.PermissionDenied:
            st.error(t("auth.error.denied", lang))
        else:
            if fresh == workshop.code:
                st.session_state.pop("auth_workshop_created", None)
            st.rerun()

closed = [s for s in sessions if not s.is_open()]
if closed:
    with st.expander(t("auth.workshops.closed_list", lang)):
        for workshop in closed[:50]:
            st.markdown(f"`{workshops.format_code(workshop.code)}` · {md(workshop.title)} · {hhmm(workshop.closes_at)}")
