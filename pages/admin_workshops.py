"""Facilitator console (facilitators, admins): create a co-creation session, run its phases, moderate, report."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

from datetime import datetime

import streamlit as st

from components import session, workshop_console
from components.session import current_actor, current_lang
from gtec.access import workshops
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.workshops import sessions

lang = current_lang()
actor = current_actor()
ws = session.workspace()
st.title(t("auth.workshops.title", lang))
st.caption(t("auth.workshops.intro", lang))

known = sessions.list_sessions(ws, actor)
with st.expander(t("workshop.console.new", lang), expanded=not known):
    workshop_console.new_session_form(actor, lang)
fresh = st.session_state.get("auth_workshop_created")
if fresh:
    st.success(t("auth.workshops.created", lang))
    st.markdown(f"# `{workshops.format_code(fresh)}`")  # read from the back of the room
    known = sessions.list_sessions(ws, actor)

open_ones = [
    s for s in known if s.phase != "closed" and datetime.fromisoformat(s.closes_at) > datetime.now().astimezone()
]
st.subheader(t("auth.workshops.open", lang))
if not open_ones:
    st.info(t("auth.workshops.none_open", lang))
if not known:
    st.stop()
choices = {s.code: f"{workshops.format_code(s.code)} · {s.title}" for s in (open_ones or known)}
wanted = st.session_state.get("workshop_console_code")
code = st.selectbox(
    t("workshop.console.session", lang),
    list(choices),
    index=list(choices).index(wanted) if wanted in choices else 0,
    format_func=choices.get,
    placeholder=t("widget.choose", lang),
)
current = sessions.get_session(ws, code)
if current is None:
    st.stop()
opened = datetime.fromisoformat(current.closes_at).strftime("%d/%m %H:%M")
st.markdown(
    f"### `{workshops.format_code(current.code)}` {md(current.title)}  \n"
    + t("auth.workshops.closes", lang, by=md(current.created_by), time=opened)
)
links = st.columns(2)
links[0].page_link(
    "pages/workshop_wall.py",
    label=t("workshop.console.wall", lang),
    icon=":material/cast:",
    query_params={"code": code},
)
links[1].page_link(
    "pages/workshop_join.py", label=t("workshop.console.phone", lang), icon=":material/smartphone:",
    query_params={"code": code},
)  # fmt: skip
st.markdown(f"**{t('workshop.console.phase', lang, phase=t(f'workshop.phase.{current.phase}', lang))}**")
workshop_console.phase_controls(actor, current, lang)
if current.phase == "contribute":
    workshop_console.facilitator_post(actor, current, lang)
st.subheader(t("workshop.console.moderation_title", lang))
workshop_console.moderation_queue(actor, current, lang)
st.subheader(t("workshop.console.report_title", lang))
workshop_console.report_downloads(actor, current, lang)

closed = [s for s in known if s not in open_ones]
if closed:
    with st.expander(t("auth.workshops.closed_list", lang)):
        for s in closed[:50]:
            st.markdown(f"`{workshops.format_code(s.code)}` · {md(s.title)} · {md(s.held_on)}")
            if st.button(t("auth.workshops.close", lang), key=f"close_{s.code}", disabled=s.phase == "closed"):
                sessions.set_phase(ws, actor, s.code, "closed")
                st.rerun()
