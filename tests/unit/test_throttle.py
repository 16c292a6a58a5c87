"""Sign-in and join throttling per (account, client): an attacker cannot lock the rightful user out, and
cannot get more guesses by firing requests in a burst. Time is a fake clock: nothing here sleeps."""

from __future__ import annotations

import pytest

from gtec.access import accounts, passwords, throttle, workshops
from gtec.core import auth
from gtec.core.errors import UserError

ADMIN = auth.Actor("cli:test", "admin")
PASSWORD = "correct horse battery"
LIMITS = throttle.DEFAULT_LIMITS
ATTACKER, OFFICE = "198.51.100.66", "192.0.2.10"


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Unknown usernames are checked against a cheap hash here: these tests make hundreds of attempts."""
    cheap = passwords.hash_password("not a password", n=2**10)
    monkeypatch.setattr(passwords, "dummy_hash", lambda: cheap)


@pytest.fixture
def admin(ws):
    account = accounts.create_account(ws, ADMIN, "root", PASSWORD, "admin", "Root Admin")
    with ws.write(ADMIN, "user.manage", target="root") as conn:  # a cheap hash (upgraded at the first sign-in)
        conn.execute("UPDATE accounts SET password_hash = ?", (passwords.hash_password(PASSWORD, n=2**10),))
    return account


@pytest.fixture
def checks(monkeypatch):
    """Count the password verifications (the real function still runs)."""
    calls: list[str] = []
    real = passwords.verify_password

    def counting(password: str, stored: str) -> bool:
        calls.append(password)
        return real(password, stored)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return calls


def attempt(ws, clock, username="root", password="wrong password", client=ATTACKER):
    return accounts.sign_in(ws, username, password, client, clock=clock)


def fail(ws, clock, times, username="root", client=ATTACKER):
    """Fail ``times`` on ``username`` from ``client``, each attempt as soon as the spacing allows."""
    results = []
    for i in range(times):
        result = attempt(ws, clock, username=username, client=client)
        assert result.reason == "invalid", result
        results.append(result)
        if i < times - 1:
            clock.now += result.retry_after_s
    return results


def fail_until_locked(ws, clock, username="root", client=ATTACKER):
    results = fail(ws, clock, LIMITS.pair_lock_after, username, client)
    assert results[-1].retry_after_s > LIMITS.max_delay_s  # the last failure locked the pair
    return results


def outcomes(ws) -> list[str]:
    return [a["outcome"] for a in reversed(throttle.recent_attempts(ws, ADMIN, limit=1000))]


def test_an_attacker_cannot_lock_the_admin_out_from_another_client(ws, admin, clock):
    fail_until_locked(ws, clock)
    for _ in range(5):  # more attempts from the same place are refused unchecked
        assert attempt(ws, clock).reason == "locked"
    locked = attempt(ws, clock, password=PASSWORD)  # even the right password, from the attacker's client
    assert (locked.ok, locked.reason) == (False, "locked")
    assert 0 < locked.retry_after_s <= LIMITS.window_s
    assert throttle.state(ws, "root", ATTACKER, now=clock.now).locked
    # the admin, at the same instant, from the office
    assert not throttle.state(ws, "root", OFFICE, now=clock.now).locked
    result = attempt(ws, clock, password=PASSWORD, client=OFFICE)
    assert result.ok and result.actor == auth.Actor("Root Admin (root)", "admin")


def test_the_pair_lock_lifts_after_the_window(ws, admin, clock):
    fail_until_locked(ws, clock)
    locked = attempt(ws, clock, password=PASSWORD)
    assert locked.reason == "locked"
    clock.now += locked.retry_after_s - 1
    assert attempt(ws, clock, password=PASSWORD).reason == "locked"
    clock.now += 1
    assert attempt(ws, clock, password=PASSWORD).ok


def test_a_burst_at_one_instant_gets_one_guess(ws, admin, clock, checks):
    results = [attempt(ws, clock, password=PASSWORD if i == 10 else f"guess {i}") for i in range(20)]
    accepted = [r for r in results if r.reason != "wait"]
    assert len(accepted) == 1 and accepted[0].reason == "invalid"
    assert len(checks) == 1  # the 19 refused attempts never reached the password check
    refused = results[1:]
    assert all(not r.ok and r.reason == "wait" and 0 < r.retry_after_s <= LIMITS.base_delay_s for r in refused)
    assert not results[10].ok  # the right password inside the burst was not even tried
    assert outcomes(ws) == ["failure"] + ["throttled"] * 19


def test_spacing_grows_exponentially_and_too_soon_is_refused(ws, admin, clock, checks):
    waits = []
    for _ in range(LIMITS.pair_lock_after - 1):
        result = attempt(ws, clock)
        assert result.reason == "invalid"
        waits.append(result.retry_after_s)
        clock.now += result.retry_after_s - 0.01
        early = attempt(ws, clock, password=PASSWORD)
        assert (early.reason, round(early.retry_after_s, 6)) == ("wait", 0.01)
        clock.now += 0.01
    assert waits == [LIMITS.base_delay_s * 2**i for i in range(LIMITS.pair_lock_after - 1)] == [0.5, 1.0, 2.0, 4.0]
    assert len(checks) == LIMITS.pair_lock_after - 1  # early attempts were refused unchecked
    assert attempt(ws, clock, password=PASSWORD).ok  # waiting long enough is all it takes (below the lock)


def test_a_client_spraying_many_usernames_is_locked(ws, admin, clock):
    last = None
    for i in range(LIMITS.client_lock_after):
        if last is not None:
            clock.now += last.retry_after_s
        last = attempt(ws, clock, username=f"user{i}")
        assert last.reason == "invalid"
    assert last.retry_after_s > LIMITS.max_delay_s  # the last failure locked the client
    sprayed = attempt(ws, clock, username="someone-new")
    assert sprayed.reason == "locked" and sprayed.retry_after_s > 0
    assert attempt(ws, clock, password=PASSWORD).reason == "locked"  # from that client, even the admin
    assert attempt(ws, clock, password=PASSWORD, client=OFFICE).ok


def test_failures_from_many_clients_only_space_an_account(ws, admin, clock):
    clients = [f"203.0.113.{i}" for i in range(40)]
    for client in clients:
        result = attempt(ws, clock, client=client)
        if result.reason == "wait":
            assert result.retry_after_s <= LIMITS.max_key_delay_s
            clock.now += result.retry_after_s
            result = attempt(ws, clock, client=client)
        assert result.reason == "invalid", result
        state = throttle.state(ws, "root", "203.0.113.250", now=clock.now)
        assert not state.locked and state.retry_after_s <= LIMITS.max_key_delay_s
    assert throttle.state(ws, "root", OFFICE, now=clock.now).key_failures == len(clients)
    # the account is spaced (a new client at the same instant waits) but never locked
    spaced = attempt(ws, clock, password=PASSWORD, client=OFFICE)
    assert spaced.reason == "wait" and 0 < spaced.retry_after_s <= LIMITS.max_key_delay_s
    clock.now += spaced.retry_after_s
    assert attempt(ws, clock, password=PASSWORD, client=OFFICE).ok


def test_reset_attempts_clears_the_lock_from_every_client(ws, admin, clock):
    fail_until_locked(ws, clock)
    fail_until_locked(ws, clock, client=OFFICE)
    assert attempt(ws, clock, password=PASSWORD).reason == "locked"
    accounts.reset_attempts(ws, ADMIN, "ROOT", now=clock.now)
    for client in (ATTACKER, OFFICE):
        state = throttle.state(ws, "root", client, now=clock.now + 1)
        assert (state.pair_failures, state.locked) == (0, False)
    clock.now += 1  # past the per-address spacing (the client's own failures still space it)
    assert attempt(ws, clock, password=PASSWORD).ok
    assert ws.audit_entries()[1]["detail"] == '{"op": "unlock"}'
    with pytest.raises(auth.PermissionDenied):
        accounts.reset_attempts(ws, auth.Actor("f", "facilitator"), "root")


def test_a_success_clears_the_failures_that_came_before(ws, admin, clock):
    for _ in range(3):
        clock.now += attempt(ws, clock).retry_after_s
    assert attempt(ws, clock, password=PASSWORD).ok
    clock.now += 0.001
    again = attempt(ws, clock)  # at once, same client: not spaced by the failures before the success
    assert again.reason == "invalid"
    assert throttle.state(ws, "root", ATTACKER, now=clock.now).pair_failures == 1


def test_the_ledger_records_throttled_and_locked_outcomes(ws, admin, clock):
    first = attempt(ws, clock)
    assert attempt(ws, clock).reason == "wait"  # too soon
    clock.now += first.retry_after_s
    fail(ws, clock, LIMITS.pair_lock_after - 1)
    assert attempt(ws, clock).reason == "locked"
    assert attempt(ws, clock, password=PASSWORD, client=OFFICE).ok
    recorded = throttle.recent_attempts(ws, ADMIN)
    assert [a["outcome"] for a in reversed(recorded)] == [
        "failure",
        "throttled",
        *["failure"] * (LIMITS.pair_lock_after - 1),
        "locked",
        "success",
    ]
    assert recorded[0]["client"] == OFFICE and recorded[0]["username"] == "root"
    assert recorded[0]["at"].endswith("+00:00")


# --- workshop codes --------------------------------------------------------------------------------------


def join(ws, clock, code, browser, client="10.20.0.1"):
    try:
        return workshops.join_workshop(ws, code, client, browser, clock=clock)
    except UserError as error:
        return error.code


def test_one_browser_guessing_codes_does_not_block_the_room(ws, clock):
    session = workshops.create_workshop(ws, auth.Actor("Facilitator", "facilitator"), "Atelier", hours=2)
    wrong = "ZZZZZZ" if session.code != "ZZZZZZ" else "YYYYYY"
    answers = []
    for _ in range(30):
        answers.append(join(ws, clock, wrong, browser="guesser"))
        clock.now += 2
    limits = throttle.WORKSHOP_LIMITS
    assert answers.count("code_unknown") == limits.pair_lock_after
    assert "code_wait" in answers and answers[-1] == "code_locked"
    assert set(answers) == {"code_unknown", "code_wait", "code_locked"}
    # the guesser is locked even with the right code...
    assert join(ws, clock, session.code, browser="guesser") == "code_locked"
    # ...but the neighbour behind the same address joins at once
    actor, joined = join(ws, clock, session.code, browser="neighbour")
    assert (actor.role, actor.scope, joined.code) == ("participant", session.code, session.code)
    kept = {a["outcome"] for a in throttle.recent_attempts(ws, ADMIN, limit=1000)}
    assert {"failure", "throttled", "locked", "success"} <= kept


def test_workshop_guesses_in_a_burst_get_one_try(ws, clock):
    session = workshops.create_workshop(ws, auth.Actor("Facilitator", "facilitator"), "Atelier", hours=2)
    wrong = "ZZZZZZ" if session.code != "ZZZZZZ" else "YYYYYY"
    answers = [join(ws, clock, wrong if i < 19 else session.code, browser="b1") for i in range(20)]
    assert answers[0] == "code_unknown" and answers[1:] == ["code_wait"] * 19
