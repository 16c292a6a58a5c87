"""Sign in: join a workshop with its code (participants), or sign in with an account (facilitators, admins)."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

from datetime import datetime

import streamlit as st

from components import auth_ui, session
from components.session import current_actor, current_lang
from gtec.access import accounts, workshops
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md

lang = current_lang()
actor = current_actor()
ws = session.workspace()
st.title(t("auth.sign_in.title", lang))

if actor.role != "reader":
    done = st.session_state.pop("auth_just_signed_in", None)
    if done:
        st.success(done)
    if actor.role == "participant":
        st.markdown(
            t(
                "auth.sidebar.workshop",
                lang,
                code=workshops.format_code(actor.scope or ""),
                name=md(actor.name),
            )
        )
    else:
        st.markdown(t("auth.sidebar.signed_in", lang, name=md(actor.name), role=auth_ui.role_label(actor.role, lang)))
    st.caption(auth_ui.expiry_caption(lang))
    auth_ui.sign_out_button(st, lang, key="auth_sign_out_page", primary=True)
    st.stop()

st.markdown(t("auth.sign_in.intro", lang))
auth_ui.sign_in_style()
# Participants are most of the visitors: their block comes first and is the larger one (review L3).
workshop_col, staff_col = st.columns([3, 2], gap="large")

with workshop_col:
    st.subheader(t("auth.workshop.heading", lang))
    st.caption(t("auth.workshop.help", lang))
    with st.form("join_workshop"):
        code = st.text_input(
            t("auth.workshop.code", lang), max_chars=12, placeholder=t("auth.workshop.placeholder", lang),
            autocomplete="off", key=auth_ui.CODE_KEY, persist_state="session",
        )  # fmt: skip
        joined = st.form_submit_button(t("auth.workshop.join", lang), type="primary")
    if joined:
        try:
            participant, workshop = auth_ui.join_with_code(ws, code)
        except UserError as error:
            st.error(auth_ui.error_text(error, lang))
        else:
            closes = datetime.fromisoformat(workshop.closes_at).timestamp()
            auth_ui.start_session(participant, "workshop", closes_at=closes)
            st.session_state["auth_just_signed_in"] = t("auth.workshop.joined", lang, title=md(workshop.title))
            st.rerun()

with staff_col:
    st.markdown(f"##### {t('auth.staff.heading', lang)}")
    st.caption(t("auth.staff.ask_admin", lang))  # never says whether an admin exists, never a server command
    with st.form("staff_sign_in"):
        username = st.text_input(t("auth.staff.username", lang), max_chars=64, autocomplete="username")
        password = st.text_input(
            t("auth.staff.password", lang),
            type="password",
            max_chars=accounts.MAX_PASSWORD_LENGTH,
            autocomplete="current-password",
        )
        submitted = st.form_submit_button(t("auth.staff.submit", lang), type="primary")
    if submitted:
        result = accounts.sign_in(ws, username or "", password or "", auth_ui.client_id())
        if result.ok and result.actor is not None:
            auth_ui.start_session(result.actor, "password", username=result.username)
            role = auth_ui.role_label(result.actor.role, lang)
            st.session_state["auth_just_signed_in"] = t(
                "auth.sign_in.done", lang, name=md(result.actor.name), role=role
            )
            st.rerun()
        elif result.reason == "locked":
            st.error(t("auth.sign_in.locked", lang, minutes=auth_ui.minutes(result.retry_after_s)))
        elif result.reason == "wait":
            st.warning(t("auth.sign_in.wait", lang, seconds=auth_ui.seconds(result.retry_after_s)))
        elif result.reason == "disabled":
            st.error(t("auth.sign_in.disabled", lang))
        else:
            st.error(t("auth.sign_in.invalid", lang))
            if result.retry_after_s > 60:
                st.warning(t("auth.sign_in.locked", lang, minutes=auth_ui.minutes(result.retry_after_s)))
            elif result.retry_after_s > 0:
                st.caption(t("auth.sign_in.slowed", lang, seconds=auth_ui.seconds(result.retry_after_s)))

    configured, _allow = auth_ui.oidc_settings()
    if configured:
        st.subheader(t("auth.oidc.heading", lang))
        try:
            import authlib  # noqa: F401 - st.login needs it
        except ImportError:
            st.caption(t("auth.oidc.unavailable", lang))
        else:
            st.button(t("auth.oidc.button", lang), on_click=st.login, icon=":material/badge:")
