"""AppTest of the workshop pages: facilitator console, participant page (token in the URL), projector wall."""

from __future__ import annotations

import pytest

from gtec.core import auth
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.workshops import contributions, participants, sessions

FAC = auth.Actor("Anne (anne)", "facilitator")
HOSTILE = "<img src=x onerror=alert(1)> **gras** [lien](http://evil.example)"


def _session(ws, **kw):
    tracks = [sessions.TrackSpec("Attractivité"), sessions.TrackSpec("Aptitudes"), sessions.TrackSpec("Parcours")]
    return sessions.create_session(ws, FAC, "Rencontre Vannes", tracks, question="Comment ?", **kw)


def _participant_page(open_page, code: str, token: str | None = None, lang: str = "fr"):
    at = open_page(None, lang)
    at.query_params["code"] = code
    if token:
        at.query_params["p"] = token
    at.switch_page("pages/workshop_join.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_console_creates_a_session_with_workshops(open_page, ws):
    at = open_page("pages/admin_workshops.py", "fr", FAC)
    at.text_input[0].input("Rencontre filières industrielles")
    at.text_input(key="tt0").input("Rendre les métiers attractifs")
    at.text_input(key="tt1").input("Intérêts et aptitudes")
    _click(at, t("auth.workshops.create"))
    (s,) = sessions.list_sessions(ws, FAC)
    assert [tr.title for tr in s.tracks] == ["Rendre les métiers attractifs", "Intérêts et aptitudes"]
    assert any(s.code[:3] in m.value for m in at.markdown)
    _click(at, t("workshop.console.open_contribute"))
    assert sessions.get_session(ws, s.code).phase == "contribute"


def test_participant_joins_posts_and_keeps_identity_on_reload(open_page, ws):
    s = _session(ws)
    sessions.set_phase(ws, FAC, s.code, "contribute")
    at = _participant_page(open_page, s.code)
    at.radio[0].set_value("jobseeker_learner")
    at.radio[1].set_value(s.tracks[1].id)
    _click(at, t("workshop.join.submit"))
    token = at.query_params["p"]
    token = token[0] if isinstance(token, list) else token
    me = participants.from_token(ws, token)
    assert (me.stakeholder, me.track_id) == ("jobseeker_learner", s.tracks[1].id)
    at.text_area[0].input(HOSTILE)
    _click(at, t("workshop.post.submit"))
    assert at.success[0].value == t("workshop.post.done_visible")
    (posted,) = contributions.list_contributions(ws, s.code)
    assert posted.text == HOSTILE
    shown = [m.value for m in at.markdown]
    assert md(HOSTILE, multiline=True) in shown and HOSTILE not in shown  # escaped
    again = _participant_page(open_page, s.code, token)  # a reload / a new connection with the same URL
    assert t("workshop.join.submit") not in [b.label for b in again.button]
    assert md(HOSTILE, multiline=True) in [m.value for m in again.markdown]


def test_participant_votes_and_disagrees_and_closed_session_refuses(open_page, ws):
    s = _session(ws, vote_budget=1)
    sessions.set_phase(ws, FAC, s.code, "contribute")
    _, author = participants.join(ws, s.code, "company", "Zoé", s.tracks[0].id, browser="a")
    idea = contributions.post(ws, author, "Des visites d'usines")
    token, me = participants.join(ws, s.code, "institution", "", s.tracks[0].id, browser="b")
    sessions.set_phase(ws, FAC, s.code, "vote")
    at = _participant_page(open_page, s.code, token, lang="en")
    _click(at, t("workshop.card.vote", "en"))
    _click(at, t("workshop.reaction.disagree", "en"))
    assert contributions.mine(ws, me) == {"votes": {idea.id: ""}, "reactions": {idea.id: "disagree"}}
    assert any(t("workshop.me.tokens", "en", left=0, total=1) in i.value for i in at.info)
    sessions.set_phase(ws, FAC, s.code, "closed")
    at.run()
    assert t("workshop.error.closed", "en") in [w.value for w in at.warning]
    assert t("workshop.card.vote", "en") not in [b.label for b in at.button]


def test_vote_updates_the_counter_and_a_dot_beyond_the_budget_is_refused(open_page, ws):
    s = _session(ws, vote_budget=1)
    sessions.set_phase(ws, FAC, s.code, "contribute")
    _, author = participants.join(ws, s.code, "company", "Zoé", s.tracks[0].id, browser="a")
    first = contributions.post(ws, author, "Des visites d'usines")
    contributions.post(ws, author, "Un forum des métiers")
    token, me = participants.join(ws, s.code, "institution", "", s.tracks[0].id, browser="b")
    sessions.set_phase(ws, FAC, s.code, "vote")
    at = _participant_page(open_page, s.code, token, lang="en")
    assert any(t("workshop.me.tokens", "en", left=1, total=1) in i.value for i in at.info)
    at.button(key=f"vote_{first.id}").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t("workshop.me.tokens", "en", left=0, total=1) in i.value for i in at.info)
    assert at.button(key=f"vote_{first.id}").label == t("workshop.card.unvote", "en")
    # the tap reran the card and the status line only (AppTest keeps the elements of that run): not the list
    assert [b.key for b in at.button] == [f"{k}_{first.id}" for k in ("vote", "agree", "disagree", "pass")]
    assert not any(m.value.startswith("####") for m in at.markdown)
    at.run()  # the whole page (the refresh button, a reload): the other card is back
    other = next(b for b in at.button if (b.key or "").startswith("vote_") and b.key != f"vote_{first.id}")
    other.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("workshop.error.no_tokens", "en") in [e.value for e in at.error]
    assert contributions.mine(ws, me)["votes"] == {first.id: ""}
    assert any(t("workshop.me.tokens", "en", left=0, total=1) in i.value for i in at.info)


def test_unknown_token_asks_to_join_again(open_page, ws):
    s = _session(ws)
    at = _participant_page(open_page, s.code, "forged-token")
    assert at.warning[0].value == t("workshop.join.token_unknown")


def test_wall_shows_code_groups_and_escaped_ideas(open_page, ws):
    s = _session(ws)
    sessions.set_phase(ws, FAC, s.code, "contribute")
    _, p = participants.join(ws, s.code, "training_body", "", s.tracks[0].id, browser="w")
    contributions.post(ws, p, HOSTILE)
    at = open_page(None, "fr", FAC)
    at.query_params["code"] = s.code
    at.switch_page("pages/workshop_wall.py").run()
    assert not at.exception
    body = " ".join(h.proto.body for h in at.get("html"))
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "<img src=x" not in body
    assert t("workshop.group.training_body") in body and "Rencontre Vannes" in body
    assert any(f"{s.code[:3]} {s.code[3:]}" in m.value for m in at.markdown)
    assert at.get("image")  # the QR code


def test_wall_and_console_are_hidden_from_readers_and_participants(open_page):
    at = open_page(None, "fr")
    for page in ("pages/workshop_wall.py", "pages/admin_workshops.py"):
        with pytest.raises(ValueError):
            at.switch_page(page)
