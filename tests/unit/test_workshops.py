"""Co-creation workshops (issue 14): sessions, joining with a token, posting, dot votes, reactions, phases,
moderation, consensus between declared groups, the wall snapshot."""

from __future__ import annotations

import json

import pytest

from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.workshops import consensus, contributions, moderation, participants, sessions, wall
from gtec.workshops.model import STAKEHOLDERS

FAC = auth.Actor("Anne (anne)", "facilitator")
TRACKS = [
    sessions.TrackSpec("Attractivité des métiers industriels", "Comment ?", "Anne"),
    sessions.TrackSpec("Intérêts et aptitudes"),
    sessions.TrackSpec("Parcours de formation adaptés"),
]


def new_session(ws, **kw):
    kw.setdefault("question", "Comment les filières industrielles redeviennent attractives ?")
    return sessions.create_session(ws, FAC, "Rencontre Vannes", TRACKS, place="Vannes", held_on="2025-03-14", **kw)


def join(ws, session, group="company", track=0, name=""):
    _, p = participants.join(ws, session.code, group, name, session.tracks[track].id, browser=f"b-{name}{group}")
    return p


def test_create_session_with_tracks_details_and_audit(ws):
    s = new_session(ws, vote_budget=3, moderation="pre", lang="en")
    assert len(s.code) == 6 and s.phase == "waiting" and s.vote_budget == 3 and s.moderation == "pre"
    assert [t.title for t in s.tracks] == [t.title for t in TRACKS] and s.lang == "en"
    assert s.held_on == "2025-03-14" and s.question.startswith("Comment")
    entry = ws.audit_entries(1)[0]
    assert (entry["action"], entry["target"]) == ("workshop.create", s.code)
    assert sessions.list_sessions(ws, FAC)[0].code == s.code


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"tracks": [sessions.TrackSpec(f"A{i}") for i in range(7)]}, "workshop.error.track_count"),
        ({"tracks": []}, "workshop.error.track_count"),
        ({"held_on": "14/03/2025"}, "workshop.error.date"),
        ({"vote_budget": 0}, "workshop.error.budget"),
        ({"moderation": "none"}, "workshop.error.moderation"),
        ({"title": "  "}, "workshop.error.title"),
    ],
)
def test_bad_session_fields_are_refused(ws, kw, key):
    args = {"title": "Session", "tracks": TRACKS, **kw}
    with pytest.raises(UserError) as err:
        sessions.create_session(ws, FAC, args.pop("title"), args.pop("tracks"), **args)
    assert err.value.key == key


def test_participants_and_readers_cannot_manage(ws):
    s = new_session(ws)
    p = join(ws, s)
    with pytest.raises(auth.PermissionDenied):
        sessions.set_phase(ws, p.actor, s.code, "vote")
    with pytest.raises(auth.PermissionDenied):
        sessions.create_session(ws, auth.ANONYMOUS, "x", TRACKS)


def test_token_keeps_identity_and_only_its_hash_is_stored(ws):
    s = new_session(ws)
    token, p = participants.join(ws, s.code, "jobseeker_learner", "Léa", s.tracks[1].id, browser="b1")
    again = participants.from_token(ws, token)
    assert again == p and again.nickname == "Léa" and again.actor.scope == s.code
    with ws.read() as conn:
        stored = conn.all("SELECT token_sha256 FROM workshop_participants")
    assert [r[0] for r in stored] == [participants.token_hash(token)] and token not in stored[0][0]
    assert participants.from_token(ws, "nope") is None and participants.from_token(ws, None) is None


def test_join_refuses_unknown_group_wrong_code_and_other_sessions_track(ws):
    s, other = new_session(ws), new_session(ws)
    with pytest.raises(UserError, match="stakeholder"):
        participants.join(ws, s.code, "martian")
    with pytest.raises(UserError) as err:
        participants.join(ws, "ZZZZZZ", "company", browser="x")
    assert err.value.key == "auth.error.code_unknown"
    with pytest.raises(UserError, match="track_unknown"):
        participants.join(ws, s.code, "company", track_id=other.tracks[0].id, browser="y")


def test_posting_follows_the_phase_and_closed_refuses_clearly(ws):
    s = new_session(ws)
    p = join(ws, s)
    with pytest.raises(UserError) as err:
        contributions.post(ws, p, "Ouvrir les ateliers le samedi")
    assert err.value.key == "workshop.error.phase_contribute"
    sessions.set_phase(ws, FAC, s.code, "contribute")
    c = contributions.post(ws, p, "  Ouvrir les ateliers\u200b le samedi  ", family_id="F05", territory_id="FR-DEP-56")
    assert c.text == "Ouvrir les ateliers le samedi" and c.status == "visible" and c.uid.startswith(s.code + "-")
    sessions.set_phase(ws, FAC, s.code, "closed")
    for call in (
        lambda: contributions.post(ws, p, "Encore une idée"),
        lambda: contributions.vote(ws, p, c.id),
        lambda: contributions.react(ws, p, c.id, "agree"),
    ):
        with pytest.raises(UserError) as err:
            call()
        assert err.value.key == "workshop.error.closed"
    with pytest.raises(UserError) as err:  # the join code closes with the session
        participants.join(ws, s.code, "company", browser="late")
    assert err.value.key == "auth.error.code_closed"


def test_phase_timer_refuses_once_over(ws):
    from datetime import UTC, datetime, timedelta

    s = new_session(ws)
    p = join(ws, s)
    sessions.set_phase(ws, FAC, s.code, "contribute", minutes=5, now=datetime.now(UTC) - timedelta(minutes=6))
    with pytest.raises(UserError) as err:
        contributions.post(ws, p, "Trop tard")
    assert err.value.key == "workshop.error.time_up"
    assert sessions.seconds_left(sessions.get_session(ws, s.code)) == 0


def test_text_limits_and_links(ws):
    s = new_session(ws)
    p = join(ws, s)
    sessions.set_phase(ws, FAC, s.code, "contribute")
    with pytest.raises(UserError, match="text_long"):
        contributions.post(ws, p, "x" * 281)
    with pytest.raises(UserError, match="text_short"):
        contributions.post(ws, p, " a ")
    with pytest.raises(UserError, match="link"):
        contributions.post(ws, p, "Une idée", territory_id="<script>")


def test_dot_votes_budget_no_double_vote_and_unvote(ws):
    s = new_session(ws, vote_budget=2)
    author, voter = join(ws, s, "company"), join(ws, s, "institution")
    sessions.set_phase(ws, FAC, s.code, "contribute")
    ids = [contributions.post(ws, author, f"Idée numéro {i}").id for i in range(3)]
    with pytest.raises(UserError, match="phase_vote"):
        contributions.vote(ws, voter, ids[0])
    sessions.set_phase(ws, FAC, s.code, "vote")
    assert contributions.vote(ws, voter, ids[0]) == 1
    with pytest.raises(UserError, match="already_voted"):
        contributions.vote(ws, voter, ids[0])
    assert contributions.vote(ws, voter, ids[1]) == 0
    with pytest.raises(UserError, match="no_tokens"):
        contributions.vote(ws, voter, ids[2])
    assert participants.get_participant(ws, voter.id).votes_used == 2  # the refused ones rolled back whole
    assert contributions.unvote(ws, voter, ids[0]) == 1
    assert contributions.vote(ws, voter, ids[2]) == 0
    assert set(contributions.mine(ws, voter)["votes"]) == {ids[1], ids[2]}


def test_a_participant_cannot_write_into_another_session(ws):
    s, other = new_session(ws), new_session(ws)
    p, q = join(ws, s), join(ws, other)
    for code in (s.code, other.code):
        sessions.set_phase(ws, FAC, code, "contribute")
    c = contributions.post(ws, q, "Idée de l'autre session")
    with pytest.raises(UserError, match="contribution_unknown"):
        contributions.react(ws, p, c.id, "agree")
    with pytest.raises(UserError, match="track_unknown"):
        contributions.post(ws, p, "Dans l'autre atelier", track_id=other.tracks[0].id)


def test_reactions_change_and_never_on_ones_own(ws):
    s = new_session(ws)
    a, b = join(ws, s, "company"), join(ws, s, "institution")
    sessions.set_phase(ws, FAC, s.code, "contribute")
    c = contributions.post(ws, a, "Des visites d'usines pour les collégiens")
    with pytest.raises(UserError, match="own_contribution"):
        contributions.react(ws, a, c.id, "agree")
    contributions.react(ws, b, c.id, "agree")
    contributions.react(ws, b, c.id, "disagree")
    assert contributions.mine(ws, b)["reactions"] == {c.id: "disagree"}
    with pytest.raises(UserError, match="reaction"):
        contributions.react(ws, b, c.id, "love")


def test_author_edits_own_only_and_history_keeps_text(ws):
    s = new_session(ws)
    a, b = join(ws, s, "company"), join(ws, s, "other")
    sessions.set_phase(ws, FAC, s.code, "contribute")
    c = contributions.post(ws, a, "Premier jet")
    with pytest.raises(UserError, match="not_yours"):
        contributions.edit_own(ws, b, c.id, "Pirate", 1)
    contributions.edit_own(ws, a, c.id, "Version corrigée", 1)
    with pytest.raises(EditConflict):
        moderation.edit(ws, FAC, s.code, c.id, "Version de l'animateur", 1)
    moderation.edit(ws, FAC, s.code, c.id, "Version de l'animateur", 2)
    assert [h["text"] for h in moderation.history(ws, c.id)] == ["Premier jet", "Version corrigée"]
    assert contributions.list_contributions(ws, s.code)[0].text == "Version de l'animateur"


def test_pre_moderation_hide_show_and_audit(ws):
    s = new_session(ws, moderation="pre")
    a = join(ws, s)
    sessions.set_phase(ws, FAC, s.code, "contribute")
    c = contributions.post(ws, a, "À valider d'abord")
    assert c.status == "pending" and contributions.list_contributions(ws, s.code) == []
    assert wall.snapshot(ws, s.code).pending == 1
    moderation.set_status(ws, FAC, s.code, c.id, "approve")
    moderation.set_status(ws, FAC, s.code, c.id, "hide")
    assert contributions.list_contributions(ws, s.code) == []
    with pytest.raises(UserError, match="moderation_state"):
        moderation.set_status(ws, FAC, s.code, c.id, "approve")
    moderation.set_status(ws, FAC, s.code, c.id, "show")
    moderation.tag(ws, FAC, s.code, c.id, "  Mobilité ")
    assert contributions.list_contributions(ws, s.code)[0].tags == ("mobilité",)
    log = moderation.moderation_log(ws, FAC, s.code)
    assert [json.loads(r["detail"])["action"] for r in log if r["action"] == "workshop.moderate"] == [
        "approve",
        "hide",
        "show",
        "tag",
    ]
    with pytest.raises(auth.PermissionDenied):
        moderation.set_status(ws, a.actor, s.code, c.id, "hide")


def test_merge_moves_votes_refunds_double_dots_and_keeps_source(ws):
    s = new_session(ws, vote_budget=3)
    a, b, v1, v2 = (join(ws, s, g) for g in ("company", "institution", "other", "training_body"))
    sessions.set_phase(ws, FAC, s.code, "contribute")
    keep = contributions.post(ws, a, "Des stages courts en entreprise")
    dup = contributions.post(ws, b, "Stages courts dans les entreprises")
    contributions.react(ws, v1, dup.id, "agree")
    contributions.react(ws, v1, keep.id, "disagree")
    contributions.react(ws, v2, dup.id, "agree")
    sessions.set_phase(ws, FAC, s.code, "vote")
    for p in (v1, v2):
        contributions.vote(ws, p, dup.id)
    contributions.vote(ws, v1, keep.id)
    result = moderation.merge(ws, FAC, s.code, dup.id, keep.id)
    assert result == {"votes_moved": 1, "votes_refunded": 1, "reactions_moved": 1}
    shown = contributions.list_contributions(ws, s.code)
    assert [(c.id, c.votes) for c in shown] == [(keep.id, 2)]
    assert participants.get_participant(ws, v1.id).votes_used == 1
    assert contributions.mine(ws, v1)["reactions"][keep.id] == "disagree"  # the reaction on the target is kept
    merged = contributions.list_contributions(ws, s.code, statuses=("merged",))
    assert merged[0].merged_into == keep.id and merged[0].text == dup.text  # nothing deleted


def test_consensus_classification_and_small_groups_flagged():
    rows = [
        (1, "company", "agree", 6), (1, "institution", "agree", 5), (1, "institution", "disagree", 1),
        (2, "company", "agree", 6), (2, "jobseeker_learner", "disagree", 3), (2, "jobseeker_learner", "agree", 1),
        (3, "company", "agree", 3),
        (4, "company", "agree", 3), (4, "company", "disagree", 3), (4, "other", "agree", 1), (4, "other", "pass", 2),
    ]  # fmt: skip
    out = consensus.compute(rows)
    assert [out[i].kind for i in (1, 2, 3, 4)] == ["consensus", "divergent", "insufficient", "mixed"]
    g = {x.group: x for x in out[2].groups}
    assert g["jobseeker_learner"].share == pytest.approx(0.25) and g["jobseeker_learner"].small
    assert not g["company"].small and g["company"].voters == 6
    other = {x.group: x for x in out[4].groups}["other"]
    assert (other.voters, other.passed, other.share) == (1, 2, 1.0)  # passes shown, not in the share
    assert out[1].score > out[4].score and out[2].spread == pytest.approx(0.75)


def test_consensus_share_is_bounded_property():
    from hypothesis import given
    from hypothesis import strategies as st

    @given(
        st.lists(
            st.tuples(
                st.integers(1, 3),
                st.sampled_from(STAKEHOLDERS),
                st.sampled_from(["agree", "disagree", "pass"]),
                st.integers(1, 9),
            )
        )
    )
    def check(rows):
        for c in consensus.compute(rows).values():
            assert 0.0 <= c.score <= 1.0
            for g in c.groups:
                assert g.share is None or 0.0 <= g.share <= 1.0
            if c.kind == "consensus":
                assert all(g.share >= consensus.SUPPORT for g in c.groups if g.voters)

    check()


def test_wall_snapshot_tracks_words_groups_consensus(ws):
    s = new_session(ws)
    people = [join(ws, s, g, track=i % 3) for i, g in enumerate(STAKEHOLDERS * 2)]
    sessions.set_phase(ws, FAC, s.code, "contribute")
    c1 = contributions.post(ws, people[0], "Valoriser les métiers de l'industrie auprès des collégiens")
    contributions.post(ws, people[3], "L'industrie recrute : visites d'usines et métiers qualifiés")
    for p in people[1:]:
        contributions.react(ws, p, c1.id, "agree")
    sessions.set_phase(ws, FAC, s.code, "vote")
    contributions.vote(ws, people[2], c1.id)
    snap = wall.snapshot(ws, s.code)
    first = snap.tracks[0]
    assert first.count == 2 and first.top[0].id == c1.id and first.top[0].votes == 1
    assert dict(first.words)["métiers"] == 2 and dict(first.words)["industrie"] == 2  # accents kept
    assert "les" not in dict(first.words)
    assert snap.participants == {g: 2 for g in STAKEHOLDERS}
    assert snap.agreed()[0].contribution_id == c1.id and snap.consensus[c1.id].kind == "consensus"
    assert wall.snapshot(ws, "ZZZZZZ") is None


def test_words_keep_accents_and_case_fold():
    assert wall.words(["Éducation ÉDUCATION éducation", "Formation et emploi"]) == [
        ("éducation", 3),
        ("emploi", 1),
        ("formation", 1),
    ]


def test_facilitator_posts_marked_counted_in_no_group_and_votable(ws):
    from gtec.workshops import render, report

    s = new_session(ws)
    with pytest.raises(UserError) as err:  # the phase rule holds for facilitators too
        contributions.post_as_facilitator(ws, FAC, s.code, s.tracks[0].id, "Idée de l'animatrice")
    assert err.value.key == "workshop.error.phase_contribute"
    sessions.set_phase(ws, FAC, s.code, "contribute")
    p = join(ws, s, "company")
    with pytest.raises(auth.PermissionDenied):  # a participant cannot post as facilitator
        contributions.post_as_facilitator(ws, p.actor, s.code, s.tracks[0].id, "Je me fais passer pour l'animation")
    with pytest.raises(UserError) as err:
        contributions.post_as_facilitator(ws, FAC, s.code, 999_999, "Atelier inconnu")
    assert err.value.key == "workshop.error.track_unknown"
    c = contributions.post_as_facilitator(ws, FAC, s.code.lower(), s.tracks[0].id, "Des <b>visites</b> d'usines")
    assert c.by_facilitator and c.participant_id is None and c.status == "visible"
    listed = contributions.list_contributions(ws, s.code)
    assert [(x.id, x.by_facilitator) for x in listed] == [(c.id, True)]
    assert ws.audit_entries(1)[0]["action"] == "workshop.contribute"
    assert json.loads(ws.audit_entries(1)[0]["detail"])["facilitator"] is True
    contributions.react(ws, p, c.id, "agree")  # participants react and vote on it like on any idea
    sessions.set_phase(ws, FAC, s.code, "vote")
    contributions.vote(ws, p, c.id)
    snap = wall.snapshot(ws, s.code)
    assert snap.contributions[c.id].by_facilitator and snap.contributions[c.id].votes == 1
    assert sum(snap.participants.values()) == 1  # the facilitator is in no stakeholder group
    page = render.wall_html(snap, "fr")
    assert "visites" in page and "<b>visites" not in page and "animation" in page
    data = report.build(ws, FAC, s.code)
    assert "animation" in report.to_html(data)
    assert b"by_facilitator" in report.to_csv(data)
