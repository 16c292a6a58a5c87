"""The facilitator console's blocks: new session form, phase controls, moderation queue, report downloads."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from components import session, workshop_ui
from components.number_field import field_ok, number_field
from gtec.access import workshops as codes
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import LANGS, t
from gtec.core.text import md
from gtec.workshops import contributions, moderation, report, sessions
from gtec.workshops.model import MAX_TEXT, MAX_TRACKS, MAX_VOTE_BUDGET, MODERATIONS, Contribution, Session

_LANG_NAMES = {"fr": "Français", "en": "English"}


def _try(fn, lang: str) -> bool:
    try:
        fn()
    except (UserError, auth.PermissionDenied) as error:
        workshop_ui.show_error(error, lang)
        return False
    return True


def new_session_form(actor: auth.Actor, lang: str) -> None:
    """Title, date, place, question, language, dots, moderation, duration and up to six workshops."""
    with st.form("open_workshop"):
        title = st.text_input(t("auth.workshops.name", lang), max_chars=120)
        question = st.text_input(t("workshop.console.question", lang), max_chars=300)
        c1, c2, c3 = st.columns(3)
        day = c1.date_input(t("workshop.console.date", lang), value=dt.date.today(), format="DD/MM/YYYY")
        place = c2.text_input(t("workshop.console.place", lang), max_chars=120)
        room_lang = c3.selectbox(
            t("workshop.console.lang", lang),
            LANGS,
            format_func=_LANG_NAMES.__getitem__,
            placeholder=t("widget.choose", lang),
        )
        c4, c5, c6 = st.columns([1, 2, 1])  # the moderation choice is a sentence: never cut
        budget = c4.number_input(t("workshop.console.budget", lang), 1, MAX_VOTE_BUDGET, 5)
        mode = c5.selectbox(
            t("workshop.console.moderation", lang),
            MODERATIONS,
            format_func=lambda m: t(f"workshop.moderation.{m}", lang),
            placeholder=t("widget.choose", lang),
        )
        hours = number_field(
            t("auth.workshops.hours", lang),
            8.0,
            lang,
            key="ws_new_hours",
            min_value=0.5,
            max_value=float(codes.MAX_WORKSHOP_HOURS),
            step=0.5,
            decimals=1,
            container=c6,
            in_form=True,
        )  # fmt: skip  ("8,0" in French, review G5)
        st.markdown(f"**{t('workshop.console.tracks', lang, max=MAX_TRACKS)}**")
        specs = []
        for i in range(MAX_TRACKS):
            a, b, c = st.columns([2, 3, 1])
            specs.append(
                sessions.TrackSpec(
                    a.text_input(
                        t("workshop.console.track_title", lang, n=i + 1),
                        max_chars=120,
                        key=f"tt{i}",
                        persist_state="session",
                    ),
                    b.text_input(
                        t("workshop.console.track_prompt", lang), max_chars=300, key=f"tp{i}", persist_state="session"
                    ),
                    c.text_input(
                        t("workshop.console.track_facilitator", lang),
                        max_chars=60,
                        key=f"tf{i}",
                        persist_state="session",
                    ),
                )
            )
        if st.form_submit_button(t("auth.workshops.create", lang), type="primary") and field_ok("ws_new_hours"):
            if not any(s.title.strip() for s in specs):
                specs = [sessions.TrackSpec(t("workshop.console.default_track", lang))]
            try:
                created = sessions.create_session(
                    session.workspace(), actor, title, specs, held_on=day.isoformat() if day else "", place=place,
                    question=question, lang=room_lang, vote_budget=int(budget), moderation=mode, hours=float(hours),
                )  # fmt: skip
            except (UserError, auth.PermissionDenied) as error:
                workshop_ui.show_error(error, lang)
            else:
                st.session_state["auth_workshop_created"] = created.code
                st.session_state["workshop_console_code"] = created.code


def phase_controls(actor: auth.Actor, s: Session, lang: str) -> None:
    """Open the ideas phase, the vote, or close the session; optional timer in minutes."""
    minutes = st.number_input(
        t("workshop.console.timer", lang), 0, 240, 0, key=f"timer_{s.code}", persist_state="session"
    )
    cols = st.columns(3)
    for col, phase in zip(cols, ("contribute", "vote", "closed"), strict=True):
        label = t(f"workshop.console.open_{phase}", lang)
        if col.button(label, key=f"phase_{phase}_{s.code}", disabled=s.phase == phase, use_container_width=True):
            ws = session.workspace()
            if _try(lambda p=phase, w=ws: sessions.set_phase(w, actor, s.code, p, float(minutes) or None), lang):
                st.rerun()


def facilitator_post(actor: auth.Actor, s: Session, lang: str) -> None:
    """A facilitator posts an idea in one of the workshops (contribute phase); it is marked as theirs."""
    with st.expander(t("workshop.console.post_title", lang)), st.form(f"fac_post_{s.code}", clear_on_submit=True):
        st.caption(t("workshop.console.post_help", lang))
        track = st.selectbox(
            t("workshop.console.post_track", lang),
            [tr.id for tr in s.tracks],
            format_func=lambda i: s.track(i).title,
            placeholder=t("widget.choose", lang),  # type: ignore[union-attr]
        )
        text = st.text_area(t("workshop.post.label", lang), max_chars=MAX_TEXT, height=100)
        if st.form_submit_button(t("workshop.console.post_submit", lang), type="primary") and _try(
            lambda: contributions.post_as_facilitator(session.workspace(), actor, s.code, int(track), text), lang
        ):
            st.success(t("workshop.console.post_done", lang))


def _moderate_one(actor: auth.Actor, s: Session, c: Contribution, lang: str) -> None:
    ws = session.workspace()
    with st.container(border=True):
        st.markdown(md(c.text, multiline=True))
        track = s.track(c.track_id)
        st.caption(
            t("workshop.console.item", lang, status=t(f"workshop.status.{c.status}", lang), n=c.votes, uid=c.uid)
            + (f" · {md(track.title)}" if track else "")
            + (" · " + ", ".join(md(x) for x in c.tags) if c.tags else "")
        )
        cols = st.columns(4)
        actions = {"pending": ("approve", "hide"), "visible": ("hide",), "hidden": ("show",)}.get(c.status, ())
        for col, action in zip(cols, actions, strict=False):
            if col.button(t(f"workshop.console.{action}", lang), key=f"{action}_{c.id}") and _try(
                lambda a=action: moderation.set_status(ws, actor, s.code, c.id, a), lang
            ):
                st.rerun()
        with st.expander(t("workshop.console.edit", lang)):
            text = st.text_area(
                t("workshop.post.label", lang), c.text, max_chars=MAX_TEXT, key=f"edit_{c.id}", persist_state="session"
            )
            if st.button(t("workshop.console.save", lang), key=f"save_{c.id}") and _try(
                lambda: moderation.edit(ws, actor, s.code, c.id, text, c.version), lang
            ):
                st.rerun()
            tag = st.text_input(
                t("workshop.console.tag", lang), key=f"tag_{c.id}", persist_state="session", max_chars=30
            )
            if (
                st.button(t("workshop.console.add_tag", lang), key=f"addtag_{c.id}")
                and tag
                and _try(lambda: moderation.tag(ws, actor, s.code, c.id, tag), lang)
            ):
                st.rerun()
            for old in moderation.history(ws, c.id):
                st.caption(t("workshop.console.history", lang, version=old["version"], text=md(old["text"])))


def moderation_queue(actor: auth.Actor, s: Session, lang: str) -> None:
    """Pending first, then shown and hidden contributions; merging two duplicates."""
    ws = session.workspace()
    items = contributions.list_contributions(ws, s.code, statuses=("pending", "visible", "hidden"))
    items.sort(key=lambda c: ({"pending": 0, "visible": 1, "hidden": 2}[c.status], -c.id))
    st.caption(t("workshop.console.queue", lang, n=len(items), mode=t(f"workshop.moderation.{s.moderation}", lang)))
    live = [c for c in items if c.status != "hidden"]
    if len(live) >= 2:
        with st.expander(t("workshop.console.merge", lang)):
            names = {c.id: f"{c.uid} · {c.text[:80]}" for c in live}
            source = st.selectbox(
                t("workshop.console.merge_source", lang),
                list(names),
                format_func=names.get,
                placeholder=t("widget.choose", lang),
            )
            target = st.selectbox(
                t("workshop.console.merge_target", lang),
                list(names),
                format_func=names.get,
                placeholder=t("widget.choose", lang),
            )
            if st.button(t("workshop.console.merge_do", lang)) and _try(
                lambda: moderation.merge(ws, actor, s.code, int(source), int(target)), lang
            ):
                st.rerun()
    for c in items[:100]:
        _moderate_one(actor, s, c, lang)


def report_downloads(actor: auth.Actor, s: Session, lang: str) -> None:
    """The report in the session's language: printable HTML, PDF, raw CSV."""
    if not st.button(t("workshop.console.report", lang), type="primary", icon=":material/description:"):
        return
    ws = session.workspace()
    try:
        data = report.build(ws, actor, s.code, labels=workshop_ui.link_labels)
    except (UserError, auth.PermissionDenied) as error:
        workshop_ui.show_error(error, lang)
        return
    stem = f"atelier-{s.code}"
    cols = st.columns(3)
    cols[0].download_button(
        "HTML", report.to_html(data).encode("utf-8"), f"{stem}.html", "text/html", on_click="ignore"
    )
    cols[1].download_button("PDF", report.to_pdf(data), f"{stem}.pdf", "application/pdf", on_click="ignore")
    cols[2].download_button("CSV", report.to_csv(data), f"{stem}.csv", "text/csv", on_click="ignore")
