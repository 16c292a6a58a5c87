"""The participant's blocks (phone): join form, my workshop, posting form, one contribution card.

The participant's identity is the token in the URL (``?p=...``): every run reads it again from the workspace, so a
reload or a dropped connection changes nothing. No participant state is kept in ``st.session_state``.
"""

from __future__ import annotations

import streamlit as st

from components import auth_ui, session, workshop_ui
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.workshops import contributions, participants, sessions
from gtec.workshops.model import MAX_NICKNAME, MAX_TEXT, STAKEHOLDERS, Contribution, Participant, Session


def join_form(lang: str) -> None:
    """Code (pre-filled from the QR code's URL), then nickname, declared group and workshop."""
    ws = session.workspace()
    code = st.query_params.get("code", "")
    found = sessions.get_session(ws, code) if code else None
    if found is None:
        st.subheader(t("workshop.join.heading", lang))
        with st.form("workshop_code"):
            typed = st.text_input(t("workshop.join.code", lang), value=code, max_chars=12)
            if st.form_submit_button(t("workshop.join.next", lang), type="primary", use_container_width=True):
                st.query_params["code"] = typed.strip().upper().replace(" ", "")
                st.rerun()
        if code:
            st.error(t("auth.error.code_unknown", lang))
        return
    st.subheader(md(found.title))
    if found.question:
        st.markdown(f"**{md(found.question)}**")
    with st.form("workshop_join"):
        nickname = st.text_input(t("workshop.join.nickname", lang), max_chars=MAX_NICKNAME)
        group = st.radio(
            t("workshop.join.group", lang),
            STAKEHOLDERS,
            index=None,
            format_func=lambda g: t(f"workshop.group.{g}", lang),
        )
        track = st.radio(
            t("workshop.join.track", lang),
            [tr.id for tr in found.tracks],
            index=0 if len(found.tracks) == 1 else None,
            format_func=lambda i: md(found.track(i).title),  # type: ignore[union-attr]
        )
        if st.form_submit_button(t("workshop.join.submit", lang), type="primary", use_container_width=True):
            try:
                token, _ = participants.join(
                    ws,
                    found.code,
                    group or "",
                    nickname,
                    track,
                    client=auth_ui.client_id(),
                    browser=auth_ui.browser_id(),
                )
            except UserError as error:
                workshop_ui.show_error(error, lang)
            else:
                st.query_params["p"] = token  # the identity lives in the URL: a reload keeps it
                st.rerun()


#: The fragment of the phase line and the dots left: a tap on a card reruns it with the card (``st.rerun(keys)``).
STATUS_KEY = "workshop_status"


def header(s: Session, me: Participant, lang: str) -> None:
    """Session title and question, then the phase line (phase, dots left, timer) as its own fragment."""
    st.subheader(md(s.title))
    if s.question:
        st.caption(md(s.question))
    status(s.code, me.id, lang)


@st.fragment(key=STATUS_KEY)
def status(code: str, participant_id: int, lang: str) -> None:
    """Phase, dots left and timer, read again at each run: a card's tap reruns this line and the card only."""
    ws = session.workspace()
    s = sessions.get_session(ws, code)
    me = participants.get_participant(ws, participant_id) if s is not None else None
    if s is None or me is None:
        return
    parts = [t("workshop.me.phase", lang, phase=t(f"workshop.phase.{s.phase}", lang))]
    if s.phase == "vote":
        parts.append(t("workshop.me.tokens", lang, left=s.vote_budget - me.votes_used, total=s.vote_budget))
    left = sessions.seconds_left(s)
    if left is not None:
        parts.append(t("workshop.me.timer", lang, minutes=left // 60, seconds=f"{left % 60:02d}"))
    st.info(" · ".join(parts))
    if s.phase == "closed":
        st.warning(t("workshop.error.closed", lang))


def choose_track(s: Session, me: Participant, lang: str) -> Participant:
    """My workshop (changeable); returns the participant as stored after a change."""
    ids = [tr.id for tr in s.tracks]
    current = ids.index(me.track_id) if me.track_id in ids else 0
    picked = st.selectbox(
        t("workshop.join.track", lang),
        ids,
        index=current,
        format_func=lambda i: s.track(i).title,
        placeholder=t("widget.choose", lang),  # type: ignore[union-attr]
    )
    if picked != me.track_id:
        try:
            return participants.update_profile(
                session.workspace(), me, track_id=picked, stakeholder=me.stakeholder, nickname=me.nickname
            )
        except UserError as error:
            workshop_ui.show_error(error, lang)
    return me


@st.fragment
def post_form(me: Participant, lang: str) -> None:
    """The posting form (contribute phase), with optional links to an occupation family and a territory.

    A fragment: posting re-runs this form only, not the page and its list of cards (the server answers the phone
    in a few milliseconds; the list shows the idea at the next refresh, the wall at its next cycle). The link
    lists (1,600 territories) are sent only when the participant asks for them.
    """
    linked = st.toggle(t("workshop.post.links", lang))
    with st.form("workshop_post", clear_on_submit=True):
        text = st.text_area(t("workshop.post.label", lang), max_chars=MAX_TEXT, height=110)
        family = territory = None
        if linked:
            families = dict(workshop_ui.family_choices(lang))
            family = st.selectbox(
                t("workshop.post.family", lang),
                [None, *families],
                format_func=lambda f: families.get(f, "—"),
                placeholder=t("widget.choose", lang),
            )
            places = dict(workshop_ui.territory_choices())
            territory = st.selectbox(
                t("workshop.post.territory", lang),
                [None, *places],
                format_func=lambda p: places.get(p, "—"),
                placeholder=t("widget.choose", lang),
            )
        if st.form_submit_button(t("workshop.post.submit", lang), type="primary", use_container_width=True):
            try:
                posted = contributions.post(session.workspace(), me, text, family_id=family, territory_id=territory)
            except UserError as error:
                workshop_ui.show_error(error, lang)
            else:
                st.success(t(f"workshop.post.done_{posted.status}", lang))
                st.caption(md(posted.text, multiline=True))


_TAPPED = "workshop_tapped"


def _tap(me: Participant, contribution_id: int, what: str) -> None:
    """A card's button (callback): the dot, its removal or a reaction, then a rerun of that card and the status line.

    Only the card's fragment and the phase line rerun (``st.rerun`` with their keys), not the page and its other
    cards. A refused tap (budget spent, phase closed, ...) leaves its message for the card to show.
    """
    ws = session.workspace()
    try:
        if what == "vote":
            contributions.vote(ws, me, contribution_id)
        elif what == "unvote":
            contributions.unvote(ws, me, contribution_id)
        else:
            contributions.react(ws, me, contribution_id, what)
    except (UserError, auth.PermissionDenied) as error:
        st.session_state[f"workshop_flash_{contribution_id}"] = error
    st.session_state[_TAPPED] = contribution_id
    st.rerun([STATUS_KEY, _card_key(contribution_id)])


def _card_key(contribution_id: int) -> str:
    return f"workshop_card_{contribution_id}"


def card(s: Session, me: Participant, c: Contribution, done: dict, lang: str) -> None:
    """One contribution as its own fragment (keyed by its id): a tap on it reruns this card, not the list."""
    st.fragment(_card, key=_card_key(c.id))(s, me, c, done, lang)


def _card(s: Session, me: Participant, c: Contribution, done: dict, lang: str) -> None:
    """One contribution: its text (escaped), its dots, my dot and my reaction, with large buttons.

    Drawn with the page's data on a full run; when the card's fragment reruns alone (after a tap), its dots, my
    dot, my reaction and the phase are read again.
    """
    ws = session.workspace()
    if st.session_state.get(_TAPPED) == c.id:  # this card's fragment reruns after a tap: read it again
        del st.session_state[_TAPPED]
        fresh = sessions.get_session(ws, s.code)
        s = fresh if fresh is not None else s
        found = [x for x in contributions.list_contributions(ws, s.code, track_id=c.track_id) if x.id == c.id]
        c = found[0] if found else c
        done = contributions.mine(ws, me)
    with st.container(border=True, key=f"card_{c.id}"):
        st.markdown(md(c.text, multiline=True))
        mine = c.participant_id == me.id
        marks = [t("workshop.card.dots", lang, n=c.votes)]
        marks += [t("workshop.card.yours", lang)] if mine else []
        marks += [t("workshop.wall.by_facilitator", lang)] if c.by_facilitator else []
        st.caption(" · ".join(marks))
        error = st.session_state.pop(f"workshop_flash_{c.id}", None)
        if error is not None:
            workshop_ui.show_error(error, lang)
        if s.phase == "vote":
            voted = c.id in done["votes"]
            label = t("workshop.card.unvote", lang) if voted else t("workshop.card.vote", lang)
            st.button(
                label,
                key=f"vote_{c.id}",
                type="secondary" if voted else "primary",
                use_container_width=True,
                on_click=_tap,
                args=(me, c.id, "unvote" if voted else "vote"),
            )
        if s.phase in ("contribute", "vote") and not mine:
            current = done["reactions"].get(c.id)
            cols = st.columns(3)
            for col, reaction in zip(cols, ("agree", "disagree", "pass"), strict=True):
                chosen = current == reaction
                text = ("✓ " if chosen else "") + t(f"workshop.reaction.{reaction}", lang)
                col.button(
                    text,
                    key=f"{reaction}_{c.id}",
                    type="primary" if chosen else "secondary",
                    use_container_width=True,
                    on_click=_tap,
                    args=(me, c.id, reaction),
                )
