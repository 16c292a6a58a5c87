"""Secure exchange space: spaces per group of partners, members and roles, messages and documents. Documents
are encrypted at rest on the server (not end-to-end); every download checks membership server-side and is
logged."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import practice_ui, session
from components.session import current_actor, current_lang
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.practices import files, space

lang = current_lang()
actor = current_actor()
ws = session.workspace()
key = practice_ui.space_key()
store_dir = practice_ui.space_store_dir()
st.title(t("space.title", lang))
st.info(t("space.encryption_note", lang), icon=":material/shield:")
if not auth.can(actor, "space.read"):
    st.info(t("space.account", lang), icon=":material/lock:")
    st.stop()
if key is None:
    st.warning(t("space.error.no_key", lang))

wanted_doc = st.query_params.get("doc")
if wanted_doc:  # a document's link: access checked server-side for whoever opens it, and logged
    st.subheader(t("space.doc_requested", lang))
    if wanted_doc.isdigit():
        practice_ui.document_download(ws, actor, int(wanted_doc), lang, store_dir=store_dir, key=key)
    else:
        st.error(t("space.error.denied", lang))

with st.expander(t("space.new", lang)), st.form("space_new", clear_on_submit=True):
    name = st.text_input(t("space.field.name", lang), max_chars=space.MAX_NAME)
    if st.form_submit_button(t("space.create", lang)):
        try:
            space.create_space(ws, actor, name)
        except (UserError, auth.PermissionDenied) as error:
            practice_ui.show_error(error, lang)
        else:
            st.rerun()

mine = space.spaces_for(ws, actor)
if not mine:
    st.info(t("space.none", lang))
    st.stop()
chosen = st.selectbox(
    t("space.pick", lang),
    [s["id"] for s in mine],
    key="space_pick",
    persist_state="session",
    format_func=lambda i: next(s["name"] for s in mine if s["id"] == i),
    placeholder=t("widget.choose", lang),
)
try:
    content = space.open_space(ws, actor, chosen)
except UserError as error:
    practice_ui.show_error(error, lang)
    st.stop()

tab_msg, tab_docs, tab_members = st.tabs(
    [t("space.tab.messages", lang), t("space.tab.documents", lang), t("space.tab.members", lang)]
)
with tab_msg:
    for m in content["messages"]:
        st.markdown(f"*{md(m['author'])}* · {md(m['created_at'][:16])}  \n" + md(m["body"], multiline=True))
    with st.form("space_message", clear_on_submit=True):
        body = st.text_area(t("space.message", lang), max_chars=space.MAX_MESSAGE)
        if st.form_submit_button(t("space.send", lang)):
            try:
                space.post_message(ws, actor, chosen, body)
            except (UserError, auth.PermissionDenied) as error:
                practice_ui.show_error(error, lang)
            else:
                st.rerun()
with tab_docs:
    st.caption(t("space.upload_help", lang, max=files.MAX_BYTES // (1024 * 1024), types=", ".join(sorted(files.TYPES))))
    upload = st.file_uploader(t("space.upload", lang))
    if upload is not None and st.button(t("space.upload_send", lang), disabled=key is None):
        try:
            space.upload_document(ws, actor, chosen, upload.name, upload.getvalue(), store_dir=store_dir, key=key)
        except (UserError, auth.PermissionDenied) as error:
            practice_ui.show_error(error, lang)
        else:
            st.success(t("space.uploaded", lang))
            st.rerun()
    practice_ui.document_rows(ws, actor, content["documents"], lang, store_dir=store_dir, key=key)
with tab_members:
    st.dataframe(practice_ui.members_table(space.members(ws, chosen), lang), hide_index=True, width="stretch")
    if auth.can(actor, "space.manage"):
        with st.form("space_member", clear_on_submit=True):
            who = st.text_input(t("space.field.username", lang))
            role = st.radio(
                t("space.field.role", lang),
                space.ROLES,
                index=1,
                horizontal=True,
                format_func=lambda r: t(f"space.role.{r}", lang),
            )
            a, b = st.columns(2)
            add, revoke = a.form_submit_button(t("space.add", lang)), b.form_submit_button(t("space.revoke", lang))
            if add or revoke:
                try:
                    if add:
                        space.add_member(ws, actor, chosen, who, role)
                    else:
                        space.revoke_member(ws, actor, chosen, who)
                except (UserError, auth.PermissionDenied) as error:
                    practice_ui.show_error(error, lang)
                else:
                    st.rerun()
        try:
            log = space.access_log(ws, actor, chosen)
        except UserError:
            log = []
        if log:
            st.markdown(f"**{t('space.access_log', lang)}**")
            st.dataframe(practice_ui.access_table(log, lang), hide_index=True, width="stretch")
