"""Accounts (admins): list, add, change role, disable/enable, new password, unlock. Every change is audited."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import pandas as pd
import streamlit as st

from components import auth_ui, session
from components.session import current_actor, current_lang
from gtec.access import accounts
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t

lang = current_lang()
actor = current_actor()
ws = session.workspace()
st.title(t("auth.users.title", lang))
st.caption(t("auth.users.intro", lang))

saved = st.session_state.pop("auth_users_saved", None)
if saved:
    st.success(saved)


def attempt(change, *args, **kwargs) -> bool:
    """Run an account change; show the error in the user's language instead of a traceback."""
    try:
        change(ws, actor, *args, **kwargs)
    except UserError as error:
        st.error(auth_ui.error_text(error, lang))
        return False
    except auth.PermissionDenied:
        st.error(t("auth.error.denied", lang))
        return False
    st.session_state["auth_users_saved"] = t("auth.users.saved", lang)
    st.rerun()
    return True


people = accounts.list_accounts(ws, actor)
if people:
    table = pd.DataFrame(
        {
            t("auth.users.col.username", lang): [a.username for a in people],
            t("auth.users.col.name", lang): [a.display_name for a in people],
            t("auth.users.col.role", lang): [auth_ui.role_label(a.role, lang) for a in people],
            t("auth.users.col.status", lang): [
                t("auth.users.disabled", lang) if a.disabled else t("auth.users.active", lang) for a in people
            ],
            t("auth.users.col.last_login", lang): [(a.last_login_at or "")[:16].replace("T", " ") for a in people],
        }
    )
    st.dataframe(table, hide_index=True)
else:
    st.info(t("auth.users.empty", lang))

add_tab, edit_tab = st.tabs([t("auth.users.add", lang), t("auth.users.edit", lang)])

with add_tab, st.form("add_user", clear_on_submit=False):
    left, right = st.columns(2)
    username = left.text_input(t("auth.users.col.username", lang), max_chars=64)
    display = right.text_input(t("auth.users.display_name", lang), max_chars=80)
    role = left.selectbox(
        t("auth.users.col.role", lang),
        accounts.ACCOUNT_ROLES,
        format_func=lambda r: auth_ui.role_label(r, lang),
        placeholder=t("widget.choose", lang),
    )
    left, right = st.columns(2)
    password = left.text_input(t("auth.staff.password", lang), type="password", autocomplete="new-password")
    confirm = right.text_input(t("auth.users.password_confirm", lang), type="password", autocomplete="new-password")
    if st.form_submit_button(t("auth.users.create", lang), type="primary"):
        if password != confirm:
            st.error(t("auth.error.password_mismatch", lang))
        else:
            attempt(accounts.create_account, username or "", password or "", role, display or "")

with edit_tab:
    if not people:
        st.info(t("auth.users.empty", lang))
    else:
        names = [a.username for a in people]
        chosen = st.selectbox(
            t("auth.users.pick", lang),
            names,
            key="auth_users_pick",
            persist_state="session",
            placeholder=t("widget.choose", lang),
        )
        account = next(a for a in people if a.username == chosen)
        me = st.session_state.get("auth_username")
        role_col, state_col = st.columns(2)
        with role_col:
            new_role = st.selectbox(
                t("auth.users.col.role", lang),
                accounts.ACCOUNT_ROLES,
                index=accounts.ACCOUNT_ROLES.index(account.role),
                format_func=lambda r: auth_ui.role_label(r, lang),
                key=f"auth_users_role_{chosen}",
                persist_state="session",
                placeholder=t("widget.choose", lang),
            )
            if st.button(t("auth.users.save_role", lang), disabled=new_role == account.role):
                attempt(accounts.set_role, chosen, new_role)
        with state_col:
            if account.disabled:
                if st.button(t("auth.users.enable", lang)):
                    attempt(accounts.set_disabled, chosen, False)
            elif st.button(t("auth.users.disable", lang)):
                attempt(accounts.set_disabled, chosen, True, self_username=me)
            if st.button(t("auth.users.unlock", lang)):
                attempt(accounts.reset_attempts, chosen)
        with st.form("set_password", clear_on_submit=True):
            new_password = st.text_input(
                t("auth.users.new_password", lang), type="password", autocomplete="new-password"
            )
            again = st.text_input(t("auth.users.password_confirm", lang), type="password", autocomplete="new-password")
            if st.form_submit_button(t("auth.users.set_password", lang)):
                attempt(accounts.set_password, chosen, new_password or "", again or "")
