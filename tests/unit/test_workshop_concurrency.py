"""100 participants in 3 workshops posting, reacting and voting at once, through the real write path (threads,
one SQLite file, WAL): nothing lost, nothing double-counted, budgets respected."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.workshops import contributions, participants, sessions

FAC = auth.Actor("Anne (anne)", "facilitator")
N = 100
BUDGET = 3


def _run(workers) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(workers))

    def wrap(fn):
        def go():
            barrier.wait()
            try:
                fn()
            except BaseException as exc:  # collected: a thread's failure must fail the test
                errors.append(exc)

        return go

    threads = [threading.Thread(target=wrap(w)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_hundred_participants_post_react_and_vote_at_once(ws):
    s = sessions.create_session(
        ws, FAC, "Charge", [sessions.TrackSpec(f"Atelier {i}") for i in range(3)], vote_budget=BUDGET
    )
    people = []

    def joiner(i):
        def go():
            group = ("institution", "company", "jobseeker_learner", "training_body")[i % 4]
            _, p = participants.join(ws, s.code, group, f"p{i}", s.tracks[i % 3].id, browser=f"phone-{i}")
            people.append(p)

        return go

    assert _run([joiner(i) for i in range(N)]) == []
    assert len(people) == N
    sessions.set_phase(ws, FAC, s.code, "contribute")
    posted: list[int] = []

    def poster(p):
        def go():
            for k in range(2):
                posted.append(contributions.post(ws, p, f"Idée {k} de {p.nickname}").id)

        return go

    assert _run([poster(p) for p in people]) == []
    assert len(posted) == len(set(posted)) == 2 * N
    shown = contributions.list_contributions(ws, s.code)
    assert len(shown) == 2 * N
    assert sorted(Counter(c.track_id for c in shown).values()) == [66, 66, 68]  # 34/33/33 people, 2 ideas each

    sessions.set_phase(ws, FAC, s.code, "vote")
    accepted: list[tuple[int, int]] = []
    refused: Counter[str] = Counter()
    lock = threading.Lock()

    def voter(p, seed):
        def go():
            rng = random.Random(seed)
            # Each phone taps fast: more dots than its budget, some twice on the same idea, plus reactions.
            targets = rng.sample(posted, 5) + rng.sample(posted, 2)
            for cid in targets:
                try:
                    contributions.vote(ws, p, cid)
                    with lock:
                        accepted.append((p.id, cid))
                except UserError as err:
                    with lock:
                        refused[err.code] += 1
                try:
                    contributions.react(ws, p, cid, rng.choice(("agree", "disagree", "pass")))
                except UserError as err:
                    assert err.code == "own_contribution"

        return go

    assert _run([voter(p, i) for i, p in enumerate(people)]) == []
    with ws.read() as conn:
        votes = conn.all("SELECT participant_id, contribution_id FROM workshop_votes")
        used = {r["id"]: r["votes_used"] for r in conn.all("SELECT id, votes_used FROM workshop_participants")}
        audited = conn.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'workshop.vote'")
    stored = [(r["participant_id"], r["contribution_id"]) for r in votes]
    assert sorted(stored) == sorted(accepted)  # nothing lost, nothing invented
    assert len(set(stored)) == len(stored)  # no double dot
    per_person = Counter(pid for pid, _ in stored)
    assert all(n <= BUDGET for n in per_person.values())
    assert all(used[pid] == per_person.get(pid, 0) for pid in used)  # counters agree with the rows
    assert len(accepted) == N * BUDGET  # 5 distinct targets >= budget: everyone spent exactly the budget
    assert refused["no_tokens"] > 0 and set(refused) <= {"no_tokens", "already_voted"}
    assert audited == len(accepted)  # one audit row per accepted dot, none for refused ones
    assert sum(c.votes for c in contributions.list_contributions(ws, s.code)) == len(accepted)


def test_closing_while_a_room_posts_splits_the_posts_cleanly(ws):
    """Posts run side by side (concurrent blocks) but a phase change still runs alone: every stored idea was
    committed before the close (its audit row comes first), every later one is refused as closed, none is lost."""
    s = sessions.create_session(ws, FAC, "Clôture", [sessions.TrackSpec("Atelier")])
    people = [participants.join(ws, s.code, "company", f"p{i}", s.tracks[0].id, browser=f"c-{i}")[1] for i in range(30)]
    sessions.set_phase(ws, FAC, s.code, "contribute")
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def poster(p):
        def go():
            for k in range(6):
                try:
                    contributions.post(ws, p, f"Idée {k} de {p.nickname}")
                    result = "stored"
                except UserError as err:
                    result = err.code
                with lock:
                    outcomes[result] += 1

        return go

    def closer():
        while outcomes["stored"] < 20:  # close in the middle of the burst: some ideas stored, others in flight
            time.sleep(0.001)
        sessions.set_phase(ws, FAC, s.code, "closed")

    assert _run([poster(p) for p in people] + [closer]) == []
    with ws.read() as conn:
        stored = conn.scalar("SELECT COUNT(*) FROM workshop_contributions WHERE code = ?", (s.code,))
        close_id = conn.scalar(
            "SELECT MAX(id) FROM audit_log WHERE action = 'workshop.phase' AND detail LIKE '%closed%'"
        )
        last_post = conn.scalar("SELECT MAX(id) FROM audit_log WHERE action = 'workshop.contribute'")
    assert outcomes["stored"] == stored and stored > 0
    assert set(outcomes) <= {"stored", "closed"} and sum(outcomes.values()) == 30 * 6
    assert close_id is not None and last_post < close_id  # nothing committed after the close
