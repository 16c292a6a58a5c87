"""Good-practices library: search in French and English (accents and case folded), filters, a list and a map at
each practice's own territory outline, comments; partners with an account contribute (audited writes)."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import pandas as pd
import streamlit as st

from components import data, practice_ui, session
from components.session import current_actor, current_lang
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import pick, t
from gtec.core.text import md
from gtec.practices import library, seed

lang = current_lang()
actor = current_actor()
ws = session.workspace()
seed.ensure_seeded(ws)
families = pd.read_csv(seed.SEED_PATH.parent / "occupation_families.csv", dtype=str)
indicator_labels = {k: pick(v, "label", lang) for k, v in data.catalogue().items()}
family_labels = dict(zip(families["id"], families[f"label_{lang}"], strict=True))

st.title(t("practices.title", lang))
st.caption(t("practices.intro", lang))
if not library.may_read(ws, actor):  # the admin turned public reading off
    st.info(t("practices.error.sign_in", lang), icon=":material/lock:")
    st.page_link("pages/sign_in.py", label=t("practices.sign_in_link", lang), icon=":material/login:")
    st.stop()

query = st.text_input(
    t("practices.search", lang), key="practice_q", persist_state="session", placeholder=t("practices.search_hint", lang)
)
c1, c2, c3, c4 = st.columns(4)
countries = c1.multiselect(
    t("practices.field.country", lang),
    library.COUNTRIES,
    key="practice_f_country",
    persist_state="session",
    format_func=lambda c: t(f"practices.country.{c.lower()}", lang),
    placeholder=t("widget.choose", lang),
)
themes = c2.multiselect(
    t("practices.field.theme", lang),
    library.THEMES,
    key="practice_f_theme",
    persist_state="session",
    format_func=lambda c: t(f"practices.theme.{c}", lang),
    placeholder=t("widget.choose", lang),
)
statuses = c3.multiselect(
    t("practices.field.status", lang),
    library.STATUSES,
    key="practice_f_status",
    persist_state="session",
    format_func=lambda c: t(f"practices.status.{c}", lang),
    placeholder=t("widget.choose", lang),
)
fams = c4.multiselect(
    t("practices.field.families", lang),
    list(family_labels),
    key="practice_f_family",
    persist_state="session",
    format_func=lambda f: family_labels.get(f, f),
    placeholder=t("widget.choose", lang),
)
filters = library.Filters(tuple(countries), tuple(themes), tuple(statuses), tuple(fams))
found = library.find_practices(ws, query, filters, actor=actor)
st.caption(t("practices.count", lang, count=len(found)))

tab_list, tab_map = st.tabs([t("practices.tab.list", lang), t("practices.tab.map", lang)])
with tab_list:
    for practice in found:
        with st.expander(md(practice_ui.text_in(practice, "title", lang)[0])):
            practice_ui.practice_card(practice, lang, family_labels)
            reviewable = auth.can(actor, "practice.review") and practice["status"] == "partner"
            if reviewable and st.button(t("practices.mark_reviewed", lang), key=f"practice_review_{practice['id']}"):
                try:
                    library.set_status(ws, actor, practice["id"], "peer_reviewed", practice["version"])
                except (UserError, auth.PermissionDenied) as error:
                    practice_ui.show_error(error, lang)
                else:
                    st.rerun()
            if auth.can(actor, "practice.edit") and st.toggle(
                t("practices.edit", lang), key=f"practice_edit_on_{practice['id']}", persist_state="session"
            ):
                practice_ui.edit_block(ws, actor, practice, lang, family_labels, indicator_labels)
            st.markdown(f"**{t('practices.comments', lang)}**")
            for c in library.comments(ws, practice["id"]):
                st.markdown(f"*{md(c['author'])}* · {md(c['created_at'][:10])}  \n" + md(c["body"], multiline=True))
            if auth.can(actor, "practice.comment"):
                with st.form(f"practice_comment_{practice['id']}", clear_on_submit=True):
                    body = st.text_area(t("practices.comment_add", lang), max_chars=library.MAX_COMMENT)
                    if st.form_submit_button(t("practices.comment_send", lang)):
                        try:
                            library.add_comment(ws, actor, practice["id"], body, lang)
                        except (UserError, auth.PermissionDenied) as error:
                            practice_ui.show_error(error, lang)
                        else:
                            st.rerun()
    if not found:
        st.info(t("practices.none", lang))
with tab_map:
    practice_ui.show_practice_map(found, lang)

st.subheader(t("practices.contribute", lang))
if not auth.can(actor, "practice.create"):
    st.info(t("practices.contribute_account", lang), icon=":material/lock:")
else:
    saved = st.session_state.pop("practice_saved_id", None)
    if saved is not None:  # an empty form again, so that a second click cannot store the practice twice
        st.success(t("practices.saved", lang, id=saved))
    draft = practice_ui.practice_form("practice_new", lang, family_labels, indicator_labels)
    if draft is not None:
        try:
            new_id = library.create_practice(ws, actor, draft)
        except (UserError, auth.PermissionDenied) as error:
            practice_ui.show_error(error, lang)  # the typing stays in the form
        else:
            practice_ui.forget_form("practice_new")
            st.session_state["practice_saved_id"] = new_id
            st.rerun()
