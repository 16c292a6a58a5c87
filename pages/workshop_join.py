"""Participant page (phone first): join a co-creation session by code or QR, post ideas, vote, react."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import session, workshop_participant, workshop_timing, workshop_ui
from components.session import current_lang
from gtec.core.i18n import t
from gtec.workshops import contributions, participants, sessions

workshop_timing.install_from_env()  # benchmark only (GTEC_RUN_TIMING): times the runs server-side
lang = current_lang()
workshop_ui.chrome("phone")
workshop_ui.language_buttons(lang, key="workshop_lang")
ws = session.workspace()

me = participants.from_token(ws, st.query_params.get("p"))
if me is None:
    if st.query_params.get("p"):
        st.warning(t("workshop.join.token_unknown", lang))
        st.query_params.pop("p", None)
    workshop_participant.join_form(lang)
    st.stop()

current = sessions.get_session(ws, me.code)
assert current is not None  # a participant row always belongs to a session
st.query_params["code"] = current.code
workshop_participant.header(current, me, lang)
me = workshop_participant.choose_track(current, me, lang)
if current.phase == "contribute":
    workshop_participant.post_form(me, lang)

done = contributions.mine(ws, me)
shown = contributions.list_contributions(ws, current.code, track_id=me.track_id)
if current.phase == "vote":
    shown.sort(key=lambda c: (-c.votes, c.id))
st.markdown(f"#### {t('workshop.me.list', lang, n=len(shown))}")
if not shown:
    st.caption(t("workshop.wall.empty", lang))
for item in shown:
    workshop_participant.card(current, me, item, done, lang)
if st.button(t("workshop.me.refresh", lang), icon=":material/refresh:", use_container_width=True):
    st.rerun()
