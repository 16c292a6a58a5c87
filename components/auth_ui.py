"""Who is signed in, for how long, and the sign-in/sign-out widgets.

State kept in ``st.session_state`` (server side, never sent to the browser):
``actor`` (gtec.core.auth.Actor), ``auth_clock`` (gtec.access.accounts.SessionClock), ``auth_source``
(``password``/``workshop``/``oidc``), ``auth_username`` (accounts), ``auth_checked`` (last time the account
was re-read), ``auth_notice`` (an i18n key shown once in the sidebar, e.g. after expiry).
"""

from __future__ import annotations

import contextlib
import math
import time
from datetime import UTC, datetime

import streamlit as st

from components import session
from gtec.access import accounts, workshops
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md, md_values
from gtec.storage.workspace import Workspace

#: Widget key of the workshop code box (its CSS class ``st-key-...`` is styled by :func:`sign_in_style`).
CODE_KEY = "workshop_code"

#: Sign-in page on a phone (review F4, F5): inputs, the password eye and buttons are 44 px touch targets; the
#: workshop code shows in capitals as it is typed (Streamlit's text input takes no ``autocapitalize`` or
#: ``inputmode`` attribute; the code is upper-cased on the server by ``workshops.normalise_code`` anyway).
SIGN_IN_CSS = f"""
[data-testid="stTextInputRootElement"] {{ min-height: 46px; }}
[data-testid="stTextInputRootElement"] input {{ min-height: 44px; font-size: 1rem; }}
[data-testid="stTextInputRootElement"] button {{ min-width: 44px; min-height: 44px; }}
[data-testid="stFormSubmitButton"] button, [data-testid="stBaseButton-secondary"],
[data-testid="stBaseButton-primary"] {{ min-height: 44px; }}
.st-key-{CODE_KEY} input {{ text-transform: uppercase; letter-spacing: .12em; }}
.st-key-{CODE_KEY} input::placeholder {{ text-transform: none; letter-spacing: normal; }}
"""

#: How often a signed-in account is re-read (role changed, account disabled) during a session.
RECHECK_S = 60
_STATE_KEYS = ("actor", "auth_clock", "auth_source", "auth_username", "auth_checked")


def browser_id() -> str:
    """This browser session's id (a room behind one address has one per phone): throttles workshop codes."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return str(ctx.session_id) if ctx is not None else ""


def client_id() -> str:
    """The client address Streamlit sees (the proxy's own address unless it forwards the client's)."""
    try:
        return str(st.context.ip_address or "")
    except Exception:  # no request context (bare AppTest runs)
        return ""


def sign_in_style() -> None:
    """The sign-in page's touch-friendly rules (scoped to that page: the style element leaves with it)."""
    st.html(f"<style>{SIGN_IN_CSS}</style>")


def join_with_code(ws: Workspace, code: str | None) -> tuple[auth.Actor, workshops.WorkshopSession]:
    """Join the workshop whose code was typed; an empty box asks for the code (review L2) without counting as
    a wrong code."""
    if not workshops.normalise_code(code or ""):
        raise UserError("auth.error.code_empty")
    return workshops.join_workshop(ws, code or "", client_id(), browser_id())


def role_label(role: str, lang: str) -> str:
    """A role in plain words."""
    return {
        "reader": t("auth.role.reader", lang),
        "participant": t("auth.role.participant", lang),
        "facilitator": t("auth.role.facilitator", lang),
        "admin": t("auth.role.admin", lang),
    }.get(role, role)


def start_session(actor: auth.Actor, source: str, username: str | None = None, closes_at: float | None = None) -> None:
    """Make ``actor`` the signed-in actor of this browser session, with a fresh expiry clock."""
    now = time.time()
    st.session_state["actor"] = actor
    st.session_state["auth_clock"] = accounts.SessionClock.start(now, closes_at)
    st.session_state["auth_source"] = source
    st.session_state["auth_username"] = username
    st.session_state["auth_checked"] = now


def end_session(notice: str | None = None) -> None:
    """Back to the public reader; ``notice`` (an ``auth.expired.*`` key) is shown once in the sidebar."""
    for key in _STATE_KEYS:
        st.session_state.pop(key, None)
    if notice:
        st.session_state["auth_notice"] = notice


def sign_out() -> None:
    """End the signed-in session (also an organisation sign-in) and go to the home page, as a reader."""
    from components.registry import PAGES

    source = st.session_state.get("auth_source")
    end_session("auth.signed_out")
    if source == "oidc":
        st.session_state["oidc_signed_out"] = True
        with contextlib.suppress(Exception):  # no OIDC configured: the local state is already cleared
            st.logout()
    # Leave the page at once: what an admin page showed must not stay on screen after signing out.
    st.switch_page(next(p.path for p in PAGES if p.default))


def sign_out_button(container, lang: str, key: str, primary: bool = False) -> None:
    """A sign-out button in ``container`` (sidebar or page)."""
    kind = "primary" if primary else "secondary"
    if container.button(t("auth.sign_out", lang), icon=":material/logout:", key=key, type=kind):
        sign_out()


def oidc_settings() -> tuple[bool, dict[str, str]]:
    """(``[auth]`` configured in secrets, allow-list ``[gtec.oidc_roles]``). Absent secrets: ``(False, {})``."""
    try:
        configured = "auth" in st.secrets
        gtec_section = st.secrets.get("gtec", {}) if configured else {}
        allow = dict(gtec_section.get("oidc_roles", {})) if gtec_section else {}
    except Exception:  # no secrets.toml at all: Streamlit raises instead of answering "no"
        return False, {}
    return configured, {str(k): str(v) for k, v in allow.items()}


def _oidc_actor() -> auth.Actor | None:
    configured, allow = oidc_settings()
    if not configured or st.session_state.get("oidc_signed_out"):
        return None
    try:
        if not st.user.get("is_logged_in"):
            return None
        email = str(st.user.get("email") or "")
    except Exception:
        return None
    role = accounts.oidc_role(email, allow)
    if role is None:
        if st.session_state.get("oidc_refused") != email:
            st.session_state["oidc_refused"] = email
            st.session_state["auth_notice_email"] = email
            st.session_state["auth_notice"] = "auth.oidc.not_allowed"
        return None
    return auth.Actor(email, role)


def resolve_actor() -> auth.Actor:
    """Who uses this session now: the signed-in actor while the session is valid, else the public reader.

    Checks expiry (idle and absolute; participants also when their workshop closes), re-reads the account
    every minute (a disabled account or a changed role takes effect), and maps an OIDC identity through
    the allow-list.
    """
    actor = st.session_state.get("actor")
    if not isinstance(actor, auth.Actor):
        oidc = _oidc_actor()
        if oidc is None:
            return auth.ANONYMOUS
        start_session(oidc, "oidc")
        return oidc
    if actor.role == "reader":
        return actor
    now = time.time()
    clock = st.session_state.get("auth_clock")
    if not isinstance(clock, accounts.SessionClock):
        clock = accounts.SessionClock.start(now)  # actor set by server code without a clock: start one
    status = clock.status(now)
    if status != "active":
        end_session(f"auth.expired.{status}")
        return auth.ANONYMOUS
    username = st.session_state.get("auth_username")
    if username and now - float(st.session_state.get("auth_checked") or 0) >= RECHECK_S:
        fresh = accounts.refresh_account_actor(session.workspace(), username)
        if fresh is None:
            end_session("auth.expired.revoked")
            return auth.ANONYMOUS
        st.session_state["auth_checked"] = now
        if fresh != actor:
            st.session_state["actor"] = actor = fresh
    st.session_state["auth_clock"] = clock.touch(now)
    return actor


def _notice(lang: str) -> None:
    key = st.session_state.pop("auth_notice", None)
    if key == "auth.oidc.not_allowed":
        st.sidebar.warning(t("auth.oidc.not_allowed", lang, email=st.session_state.pop("auth_notice_email", "")))
    elif key == "auth.signed_out":
        st.sidebar.info(t("auth.signed_out", lang))
    elif key in ("auth.expired.expired_idle", "auth.expired.expired_absolute", "auth.expired.closed"):
        st.sidebar.warning(t(key, lang))
    elif key == "auth.expired.revoked":
        st.sidebar.warning(t("auth.expired.revoked", lang))


def sidebar_status(lang: str) -> None:
    """Sidebar block: who is signed in with a sign-out button, or a link to sign in. Call after st.navigation."""
    actor = resolve_actor()
    _notice(lang)
    box = st.sidebar.container(key="auth_status")
    if actor.role == "reader":
        box.caption(t("auth.sidebar.reader", lang))
        box.page_link("pages/sign_in.py", label=t("auth.sidebar.link", lang), icon=":material/login:")
        return
    if actor.role == "participant":
        box.markdown(
            t("auth.sidebar.workshop", lang, code=workshops.format_code(actor.scope or ""), name=md(actor.name))
        )
    else:
        box.markdown(t("auth.sidebar.signed_in", lang, name=md(actor.name), role=role_label(actor.role, lang)))
    sign_out_button(box, lang, key="auth_sign_out")


def expiry_caption(lang: str) -> str:
    """When the current session ends, in plain words."""
    clock = st.session_state.get("auth_clock")
    if not isinstance(clock, accounts.SessionClock):
        return ""
    if clock.closes_at is not None:
        when = datetime.fromtimestamp(clock.closes_at, UTC).strftime("%H:%M")
        return t("auth.sign_in.workshop_expires", lang, time=when)
    when = datetime.fromtimestamp(clock.started_at + accounts.ABSOLUTE_TIMEOUT_S, UTC).strftime("%H:%M")
    return t("auth.sign_in.expires", lang, time=when)


def error_text(error: UserError, lang: str) -> str:
    """The user's-language message for a :class:`gtec.core.errors.UserError`, its values escaped (they are data)."""
    return t(error.key, lang, **md_values(error.values))


def seconds(value: float) -> int:
    """Whole seconds to wait, at least one."""
    return max(1, math.ceil(value))


def minutes(seconds: float) -> int:
    """Whole minutes to wait, at least one."""
    return max(1, math.ceil(seconds / 60))
