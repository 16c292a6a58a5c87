"""Bounded load test: 100 simulated participants in 3 workshops against a real server on loopback, a real
projector page in chromium. Posts through the real write path at a steady pace, then every participant votes
at once (with a double dot and one dot beyond the budget): nothing lost, nothing double-counted, and the
projector, refreshing itself, shows exactly what the workspace holds."""

from __future__ import annotations

import pytest

from benchmarks import workshop_load

pytestmark = pytest.mark.browser
N, BUDGET = 100, 3


@pytest.mark.timeout(290)
def test_hundred_participants_lose_nothing_and_the_wall_shows_it(browser, app_server, browser_workspace):
    result = workshop_load.run_room(browser, app_server, browser_workspace, n=N, budget=BUDGET, spread_s=45)
    assert result.errors == []
    assert result.posted == N
    from gtec.storage.workspace import Workspace

    db = workshop_load.db_state(Workspace.open(browser_workspace), result.code)
    assert db["counts"] == {tid: n for tid, n in db["counts"].items()} and sum(db["counts"].values()) == N
    assert sorted(db["counts"].values()) == [33, 33, 34]  # every post stored, in its participant's workshop
    assert db["participants"] == N
    assert result.votes_ok == db["vote_rows"] == db["votes_used"] == N * BUDGET  # no dot lost or counted twice
    assert db["mismatched_counters"] == 0
    assert result.refused == {"already_voted": N, "no_tokens": N}
    assert result.unseen == []  # every post appeared on the projector
    assert len(result.latencies_s) == N and result.p95_s <= 3.0, sorted(result.latencies_s)[-10:]
    assert result.wall_matches_db_after_s is not None, (result.wall, db)  # counts, top dots, participants
