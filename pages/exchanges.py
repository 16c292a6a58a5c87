"""Structured peer exchanges: a host brings a practice or a challenge, peers from at least two other countries
prepare questions in a thread, meet, record findings and recommendations that become follow-up items; a
printable report. Every write is audited."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import datetime as dt

import pandas as pd
import streamlit as st

from components import practice_ui, session
from components.session import current_actor, current_lang
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.practices import exchanges, library, report

lang = current_lang()
actor = current_actor()
ws = session.workspace()
st.title(t("exchange.title", lang))
st.caption(t("exchange.intro", lang))
if not auth.can(actor, "exchange.post"):
    st.info(t("exchange.account", lang), icon=":material/lock:")
    st.stop()
countries = [c for c in library.COUNTRIES]

with st.expander(t("exchange.new", lang), expanded=not exchanges.list_exchanges(ws)), st.form("exchange_new"):
    title = st.text_input(t("exchange.field.title", lang), max_chars=exchanges.MAX_TITLE)
    kind = st.radio(
        t("exchange.field.kind", lang),
        exchanges.KINDS,
        horizontal=True,
        format_func=lambda k: t(f"exchange.kind.{k}", lang),
    )
    practices = library.find_practices(ws)
    practice = st.selectbox(
        t("exchange.field.practice", lang),
        [None, *[p["id"] for p in practices]],
        format_func=lambda i: (
            "—" if i is None else next(practice_ui.text_in(p, "title", lang)[0] for p in practices if p["id"] == i)
        ),
        placeholder=t("widget.choose", lang),
    )
    challenge = st.text_area(t("exchange.field.challenge", lang), max_chars=exchanges.MAX_TEXT)
    a, b = st.columns(2)
    host = a.text_input(t("exchange.field.host", lang))
    host_country = b.selectbox(
        t("exchange.field.host_country", lang),
        countries,
        format_func=lambda c: t(f"practices.country.{c.lower()}", lang),
        placeholder=t("widget.choose", lang),
    )
    peers_text = st.text_area(t("exchange.field.peers", lang), help=t("exchange.peers_help", lang))
    if st.form_submit_button(t("exchange.create", lang), type="primary"):
        peers = [tuple(x.strip() for x in line.rsplit(";", 1)) for line in peers_text.splitlines() if ";" in line]
        try:
            exchanges.create_exchange(
                ws,
                actor,
                title=title,
                kind=kind,
                host_org=host,
                host_country=host_country,
                peers=peers,
                practice_id=practice,
                challenge=challenge,
            )
        except (UserError, auth.PermissionDenied) as error:
            practice_ui.show_error(error, lang)
        else:
            st.rerun()

listed = exchanges.list_exchanges(ws)
if not listed:
    st.info(t("exchange.none", lang))
    st.stop()
chosen = st.selectbox(
    t("exchange.pick", lang),
    [e["id"] for e in listed],
    key="exchange_pick",
    persist_state="session",
    format_func=lambda i: next(e["title"] for e in listed if e["id"] == i),
    placeholder=t("widget.choose", lang),
)
ex = exchanges.load_exchange(ws, chosen)
st.subheader(md(ex["title"]))
st.caption(t("exchange.phase_line", lang, phase=t(f"exchange.phase.{ex['phase']}", lang), host=md(ex["host_org"])))

st.markdown(f"#### {t('exchange.report.questions', lang)}")
practice_ui.exchange_thread(ws, actor, ex, lang)
if ex["phase"] != "closed":
    practice_ui.exchange_question_form(ws, actor, ex, lang)
    st.markdown(f"#### {t('exchange.report.meeting', lang)}")
    practice_ui.exchange_meeting_form(ws, actor, ex, lang)

st.markdown(f"#### {t('exchange.report.followups', lang)}")
if ex["followups"]:
    frame = pd.DataFrame(ex["followups"])[["uid", "recommendation", "owner", "due_on", "state"]]
    frame["state"] = [t(f"exchange.state.{s}", lang) for s in frame["state"]]
    frame.columns = [t(f"exchange.col.{c}", lang) for c in ("uid", "recommendation", "owner", "due_on", "state")]
    st.dataframe(frame, hide_index=True, width="stretch")
    for item in ex["followups"]:
        flip = "done" if item["state"] == "open" else "open"
        if st.button(
            t(f"exchange.mark_{flip}", lang, item=md(item["recommendation"][:60])), key=f"exchange_fu_{item['id']}"
        ):
            exchanges.set_followup_state(ws, actor, item["id"], flip)
            st.rerun()
if ex.get("practice_theme") == "work_based_learning":
    st.page_link(
        "pages/transferability.py", label=t("exchange.transferability_link", lang), icon=":material/swap_horiz:"
    )
if ex["phase"] == "met":
    with st.form("exchange_reco", clear_on_submit=True):
        reco = st.text_area(t("exchange.col.recommendation", lang), max_chars=exchanges.MAX_TEXT)
        a, b = st.columns(2)
        owner = a.text_input(t("exchange.col.owner", lang))
        due = b.date_input(t("exchange.col.due_on", lang), value=dt.date.today() + dt.timedelta(days=30))
        if st.form_submit_button(t("exchange.add_reco", lang)):
            try:
                exchanges.add_recommendation(
                    ws, actor, chosen, recommendation=reco, owner=owner, due_on=due.isoformat()
                )
            except (UserError, auth.PermissionDenied) as error:
                practice_ui.show_error(error, lang)
            else:
                st.rerun()

practice_ui.exchange_close(ws, actor, ex, lang)

st.download_button(
    t("exchange.report_download", lang),
    report.exchange_report_html(ex, lang).encode("utf-8"),
    file_name=f"exchange_{chosen}.html",
    mime="text/html",
    icon=":material/print:",
    on_click="ignore",
)
