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
)
themes = c2.multiselect(
    t("practices.field.theme", lang),
    library.THEMES,
    key="practice_f_theme",
    persist_state="session",
    format_func=lambda c: t(f"practices.theme.{c}", lang),
)
statuses = c3.multiselect(
    t("practices.field.status", lang),
    library.STATUSES,
    key="practice_f_status",
    persist_state="session",
    format_func=lambda c: t(f"practices.status.{c}", lang),
)
fams = c4.multiselect(
    t("practices.field.families", lang),
    list(family_labels),
    key="practice_f_family",
    persist_state="session",
    format_func=lambda f: family_labels.get(f, f),
)
filters = library.Filters(tuple(countries), tuple(themes), tuple(statuses), tuple(fams))
found = library.find_practices(ws, query, filters)
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
    with st.form("practice_new", clear_on_submit=False):
        st.caption(t("practices.contribute_help", lang))
        a, b = st.columns(2)
        values = {}
        for lng, col in (("fr", a), ("en", b)):
            values[f"title_{lng}"] = col.text_input(
                t(f"practices.field.title_{lng}", lang), max_chars=library.MAX_TITLE
            )
            values[f"summary_{lng}"] = col.text_area(
                t(f"practices.field.summary_{lng}", lang), max_chars=library.MAX_SUMMARY
            )
            values[f"description_{lng}"] = col.text_area(
                t(f"practices.field.description_{lng}", lang), max_chars=library.MAX_TEXT
            )
        country = a.selectbox(
            t("practices.field.country", lang),
            library.COUNTRIES,
            format_func=lambda c: t(f"practices.country.{c.lower()}", lang),
        )
        theme = b.selectbox(
            t("practices.field.theme", lang), library.THEMES, format_func=lambda c: t(f"practices.theme.{c}", lang)
        )
        territory = a.text_input(t("practices.field.territory", lang), help=t("practices.territory_help", lang))
        stakeholders = b.multiselect(
            t("practices.field.stakeholders", lang),
            library.STAKEHOLDERS,
            format_func=lambda s: t(f"practices.stakeholder.{s}", lang),
        )
        fam_new = a.multiselect(
            t("practices.field.families", lang), list(family_labels), format_func=lambda f: family_labels.get(f, f)
        )
        for name in ("results", "conditions", "barriers", "sources"):
            values[name] = st.text_area(t(f"practices.field.{name}", lang), max_chars=library.MAX_TEXT)
        values["contact_org"] = st.text_input(t("practices.field.contact_org", lang), max_chars=library.MAX_TITLE)
        st.caption(t("practices.indicator_help", lang))
        i1, i2, i3 = st.columns([2, 1, 1])
        indicator = i1.selectbox(
            t("practices.field.indicator", lang),
            ["", *indicator_labels],
            format_func=lambda i: indicator_labels.get(i, "—"),
        )
        years = (i2.number_input(t("practices.field.before", lang), 1990, 2100, None, step=1),
                 i3.number_input(t("practices.field.after", lang), 1990, 2100, None, step=1))  # fmt: skip
        values["indicator_id"] = indicator
        values["indicator_before"], values["indicator_after"] = (str(int(y)) if y else "" for y in years)
        if st.form_submit_button(t("practices.save", lang), type="primary"):
            draft = library.PracticeDraft(
                country=country,
                theme=theme,
                territory_id=territory,
                stakeholders=tuple(stakeholders),
                families=tuple(fam_new),
                **values,
            )
            try:
                new_id = library.create_practice(ws, actor, draft)
            except (UserError, auth.PermissionDenied) as error:
                practice_ui.show_error(error, lang)
            else:
                st.success(t("practices.saved", lang, id=new_id))
