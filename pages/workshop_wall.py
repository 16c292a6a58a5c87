"""Projector wall (facilitators): join QR code and short code, live ideas per workshop, words, consensus."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import session, workshop_ui
from components.session import current_actor, current_lang
from gtec.access.workshops import format_code
from gtec.core.i18n import t
from gtec.workshops import joinurl, render, sessions, wall

REFRESH_S = 2.5
ui_lang = current_lang()
actor = current_actor()
ws = session.workspace()
workshop_ui.chrome("projector")

known = sessions.list_sessions(ws, actor)
code = st.query_params.get("code") or (known[0].code if known else "")
current = sessions.get_session(ws, code) if code else None
if current is None:
    st.info(t("workshop.wall.no_session", ui_lang))
    st.page_link("pages/admin_workshops.py", label=t("workshop.console.title", ui_lang))
    st.stop()
st.query_params["code"] = current.code
lang = current.lang  # the room's language

url = joinurl.join_url(workshop_ui.public_base_url(), current.code, lang)
qr_col, wall_col = st.columns([1, 4], gap="medium")
with qr_col:
    st.image(workshop_ui.qr_png(url), use_container_width=True)
    st.markdown(f"## `{format_code(current.code)}`")
    st.caption(url)
    view = st.segmented_control(
        t("workshop.wall.view", lang),
        render.VIEWS,
        default="wall",
        format_func=lambda v: t(f"workshop.wall.view_{v}", lang),
        key="wall_view",
        persist_state="session",
    )
    st.page_link("pages/admin_workshops.py", label=t("workshop.console.title", lang), icon=":material/tune:")


@st.fragment(run_every=REFRESH_S)
def live() -> None:
    snap = wall.snapshot(ws, current.code)
    if snap is not None:
        st.html(render.wall_html(snap, lang, view or "wall"))


with wall_col:
    live()
