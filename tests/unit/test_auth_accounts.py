"""Access control in gtec/: password hashing, rate limiting, permissions, audit, sessions, workshop codes."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from gtec.access import accounts, audit, auth
from gtec.cli.main import main
from gtec.core.export import to_safe_csv
from gtec.core.i18n import catalogue
from gtec.storage import workspace

ADMIN = auth.Actor("cli:test", "admin")
PASSWORD = "correct horse battery"


@pytest.fixture
def ws(tmp_path):
    path = tmp_path / "ws.sqlite"
    workspace.migrate(path)
    return path


@pytest.fixture
def alice(ws):
    return accounts.create_account(ADMIN, "Alice", PASSWORD, "admin", "Alice Martin", path=ws)


class FakeTime:
    """A clock that only moves when told to, and a sleeper that records instead of sleeping."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def attempt(ws, fake, username="alice", password="wrong password", client="10.0.0.1"):
    return accounts.sign_in(username, password, client, path=ws, clock=fake.clock, sleeper=fake.sleep)


# --- passwords ---


def test_hash_is_scrypt_with_parameters_and_random_salt():
    first, second = accounts.hash_password(PASSWORD), accounts.hash_password(PASSWORD)
    assert first.startswith(f"scrypt$n={accounts.SCRYPT_N},r=8,p=1$")
    assert first != second  # per-password random salt
    assert PASSWORD not in first
    assert accounts.verify_password(PASSWORD, first) and accounts.verify_password(PASSWORD, second)
    assert not accounts.verify_password("correct horse batterY", first)
    assert accounts.SCRYPT_N >= 2**14


def test_unicode_forms_of_the_same_password_match():
    stored = accounts.hash_password("mot de passe été")
    assert accounts.verify_password("mot de passe e\u0301te\u0301", stored)


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "scrypt$n=3,r=8,p=1$AAAA$AAAA", "scrypt$n=2097152,r=8,p=1$AAAA$AAAA", "bcrypt$x$y$z", "scrypt$$$"],
)
def test_malformed_or_absurd_hashes_never_match(stored):
    assert not accounts.verify_password("anything", stored)
    assert accounts.needs_rehash(stored)


def test_weaker_hashes_are_upgraded_at_next_sign_in(ws, alice):
    weak = accounts.hash_password(PASSWORD, n=2**10)
    assert accounts.verify_password(PASSWORD, weak) and accounts.needs_rehash(weak)
    with workspace.write(ADMIN, "user.manage", target="alice", path=ws) as conn:
        conn.execute("UPDATE accounts SET password_hash = ? WHERE username = 'alice'", (weak,))
    assert attempt(ws, FakeTime(), password=PASSWORD).ok
    with workspace.read(ws) as conn:
        stored = conn.execute("SELECT password_hash FROM accounts WHERE username = 'alice'").fetchone()[0]
    assert not accounts.needs_rehash(stored) and accounts.verify_password(PASSWORD, stored)


# --- sign-in and rate limiting ---


def test_wrong_password_is_refused_and_right_one_accepted(ws, alice):
    fake = FakeTime()
    refused = attempt(ws, fake)
    assert not refused.ok and refused.reason == "invalid" and refused.actor is None
    ok = attempt(ws, fake, username=" ALICE ", password=PASSWORD)
    assert ok.ok and ok.actor == auth.Actor("Alice Martin (alice)", "admin")


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(ws, alice):
    unknown = attempt(ws, FakeTime(), username="mallory")
    assert (unknown.ok, unknown.reason) == (False, "invalid")


def test_repeated_failures_are_slowed_then_locked_then_released(ws, alice):
    fake = FakeTime()
    limits = accounts.DEFAULT_LIMITS
    results = [attempt(ws, fake) for _ in range(limits.max_failures_user)]
    assert all(r.reason == "invalid" for r in results)
    # exponential delay before the 2nd, 3rd, 4th, 5th attempt
    assert fake.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert results[-1].retry_after_s > 0
    locked = attempt(ws, fake, password=PASSWORD)  # even the right password is refused while locked
    assert (locked.ok, locked.reason) == (False, "locked")
    assert 0 < locked.retry_after_s <= limits.window_s
    assert len(fake.sleeps) == 4  # a locked attempt does not even spend time checking
    fake.now += locked.retry_after_s + 1
    assert attempt(ws, fake, password=PASSWORD).ok


def test_rate_limit_survives_a_restart(ws, alice):
    fake = FakeTime()
    for _ in range(5):
        attempt(ws, fake)
    # Nothing is kept in memory: a new process reads the ledger from the workspace file.
    state = accounts.throttle_state("alice", "10.0.0.1", path=ws, now=fake.now)
    assert state.locked and state.user_failures == 5


def test_success_resets_the_username_counter(ws, alice):
    fake = FakeTime()
    for _ in range(3):
        attempt(ws, fake)
    assert attempt(ws, fake, password=PASSWORD).ok
    sleeps_before = len(fake.sleeps)
    attempt(ws, fake, client="10.0.0.2")
    assert len(fake.sleeps) == sleeps_before  # first failure after a success: no delay


def test_one_client_trying_many_usernames_is_locked(ws, alice):
    fake = FakeTime()
    for i in range(accounts.DEFAULT_LIMITS.max_failures_client):
        attempt(ws, fake, username=f"user{i}", client="203.0.113.9")
    assert attempt(ws, fake, username="alice", password=PASSWORD, client="203.0.113.9").reason == "locked"
    assert attempt(ws, fake, username="alice", password=PASSWORD, client="198.51.100.1").ok


def test_admin_unlock_lifts_the_lockout(ws, alice):
    fake = FakeTime()
    for _ in range(5):
        attempt(ws, fake)
    accounts.reset_attempts(ADMIN, "alice", path=ws, now=fake.now)
    assert attempt(ws, fake, password=PASSWORD).ok


def test_disabled_account_cannot_sign_in(ws, alice):
    accounts.create_account(ADMIN, "bob", PASSWORD, "facilitator", path=ws)
    accounts.set_disabled(ADMIN, "bob", True, path=ws)
    result = attempt(ws, FakeTime(), username="bob", password=PASSWORD)
    assert (result.ok, result.reason) == (False, "disabled")
    assert accounts.refresh_account_actor("bob", path=ws) is None


# --- permissions: every write checks the role again in gtec/ ---


@pytest.mark.parametrize("action", sorted(auth.PERMISSIONS))
def test_a_reader_cannot_call_any_write(ws, action):
    with pytest.raises(auth.PermissionDenied), workspace.write(auth.ANONYMOUS, action, path=ws):
        pass
    assert workspace.audit_entries(path=ws) == []


def test_reader_and_facilitator_cannot_manage_accounts(ws, alice):
    facilitator = auth.Actor("Bob", "facilitator")
    for who in (auth.ANONYMOUS, facilitator):
        with pytest.raises(auth.PermissionDenied):
            accounts.create_account(who, "eve", PASSWORD, "admin", path=ws)
        with pytest.raises(auth.PermissionDenied):
            accounts.set_role(who, "alice", "facilitator", path=ws)
        with pytest.raises(auth.PermissionDenied):
            accounts.set_disabled(who, "alice", True, path=ws)
        with pytest.raises(auth.PermissionDenied):
            accounts.set_password(who, "alice", "x" * 12, path=ws)
    with pytest.raises(auth.PermissionDenied):
        accounts.create_workshop(auth.ANONYMOUS, "Atelier", path=ws)
    assert [a.username for a in accounts.list_accounts(path=ws)] == ["alice"]


def test_participants_act_only_inside_their_own_session():
    inside = auth.Actor("participant-1a2b", "participant", scope="K7M4QP")
    assert auth.can(inside, "workshop.contribute")
    assert auth.can(inside, "workshop.contribute", scope="K7M4QP")
    assert not auth.can(inside, "workshop.contribute", scope="AAAAAA")
    assert not auth.can(auth.Actor("p", "participant"), "workshop.contribute")  # no scope, no right
    assert not auth.can(inside, "scenario.save") and not auth.can(inside, "workshop.create")
    assert auth.can(auth.Actor("f", "facilitator"), "workshop.contribute", scope="AAAAAA")


def test_a_facilitators_edit_appears_in_the_audit_log_with_their_name(ws, alice):
    accounts.create_account(ADMIN, "bob", PASSWORD, "facilitator", "Bob Le Gall", path=ws)
    bob = attempt(ws, FakeTime(), username="bob", password=PASSWORD).actor
    with workspace.write(bob, "transferability.edit", target="KTP", detail={"score": 3}, path=ws):
        pass
    entry = workspace.audit_entries(path=ws)[0]
    assert (entry["actor"], entry["role"], entry["action"], entry["target"]) == (
        "Bob Le Gall (bob)",
        "facilitator",
        "transferability.edit",
        "KTP",
    )
    assert [e["action"] for e in audit.search_audit(actors=["Bob Le Gall (bob)"], path=ws)] == [
        "transferability.edit",
        "session.sign_in",
    ]


def test_account_changes_are_audited_and_guarded(ws, alice):
    with pytest.raises(accounts.AccountError) as last:
        accounts.set_role(ADMIN, "alice", "facilitator", path=ws)
    assert last.value.code == "last_admin"
    with pytest.raises(accounts.AccountError) as last:
        accounts.set_disabled(ADMIN, "alice", True, path=ws)
    assert last.value.code == "last_admin"
    accounts.create_account(ADMIN, "carol", PASSWORD, "admin", path=ws)
    with pytest.raises(accounts.AccountError) as me:
        accounts.set_disabled(ADMIN, "carol", True, path=ws, self_username="Carol")
    assert me.value.code == "self_disable"
    accounts.set_role(ADMIN, "alice", "facilitator", path=ws)
    assert accounts.get_account("alice", path=ws).role == "facilitator"
    with pytest.raises(accounts.AccountError) as taken:
        accounts.create_account(ADMIN, "ALICE", PASSWORD, "admin", path=ws)
    assert taken.value.code == "username_taken"
    ops = [e["detail"] for e in workspace.audit_entries(path=ws) if e["action"] == "user.manage"]
    assert ops == ['{"op": "role", "role": "facilitator"}', '{"op": "create", "role": "admin"}',
                   '{"op": "create", "role": "admin"}']  # fmt: skip


@pytest.mark.parametrize(
    ("username", "password", "code"),
    [("a", PASSWORD, "username_invalid"), ("al ice", PASSWORD, "username_invalid"), ("bob", "short", "password_short"),
     ("bob", "x" * 300, "password_long")],
)  # fmt: skip
def test_bad_account_input_is_refused_with_a_named_error(ws, username, password, code):
    with pytest.raises(accounts.AccountError) as error:
        accounts.create_account(ADMIN, username, password, "facilitator", path=ws)
    assert error.value.code == code
    assert accounts.list_accounts(path=ws) == []


def test_every_error_code_has_a_message_in_both_languages():
    for code in accounts.ERROR_CODES:
        entry = catalogue()[f"auth.error.{code}"]
        assert entry["fr"] and entry["en"]


# --- sessions, OIDC mapping ---


def test_session_clock_expires_on_idle_absolute_and_workshop_close():
    clock = accounts.SessionClock.start(0.0)
    assert clock.status(10) == "active"
    assert clock.status(accounts.IDLE_TIMEOUT_S) == "expired_idle"
    busy = clock
    for minute in range(1, 8 * 60 + 1):
        now = minute * 60.0
        if minute < 8 * 60:
            assert busy.status(now) == "active"
        busy = busy.touch(now)
    assert busy.status(8 * 3600.0) == "expired_absolute"
    assert accounts.SessionClock.start(0.0, closes_at=100.0).status(100.0) == "closed"


def test_oidc_allow_list_maps_emails_to_roles():
    allow = {"Anne@Vannes.fr": "facilitator", "x@y.org": "superuser"}
    assert accounts.oidc_role("anne@vannes.fr", allow) == "facilitator"
    assert accounts.oidc_role("x@y.org", allow) is None  # unknown role: stays a reader
    assert accounts.oidc_role("nobody@z.org", allow) is None
    assert accounts.oidc_role(None, allow) is None and accounts.oidc_role("a@b.c", {}) is None


# --- workshop sessions ---


def test_participants_join_an_open_workshop_by_code(ws):
    facilitator = auth.Actor("Bob Le Gall (bob)", "facilitator")
    session = accounts.create_workshop(facilitator, "  Atelier   GPEC Vannes ", hours=2, path=ws)
    assert session.title == "Atelier GPEC Vannes" and len(session.code) == accounts.CODE_LENGTH
    assert set(session.code) <= set(accounts.CODE_ALPHABET)
    typed = accounts.format_code(session.code).lower().replace(" ", "-")
    actor, joined = accounts.join_workshop(typed, "10.1.1.1", path=ws, sleeper=lambda s: None)
    assert (actor.role, actor.scope, joined.code) == ("participant", session.code, session.code)
    assert auth.can(actor, "workshop.contribute", scope=session.code)
    accounts.close_workshop(facilitator, session.code, path=ws)
    with pytest.raises(accounts.AccountError) as closed:
        accounts.join_workshop(session.code, "10.1.1.1", path=ws, sleeper=lambda s: None)
    assert closed.value.code == "code_closed"
    actions = [e["action"] for e in workspace.audit_entries(path=ws)]
    assert actions == ["workshop.close", "workshop.create"]


def test_wrong_workshop_codes_are_throttled_per_device(ws):
    fake = FakeTime()
    limits = accounts.WORKSHOP_LIMITS
    codes = []
    for _ in range(limits.max_failures_user):
        with pytest.raises(accounts.AccountError) as error:
            accounts.join_workshop("ZZZZZZ", "10.9.9.9", path=ws, clock=fake.clock, sleeper=fake.sleep)
        codes.append(error.value.code)
    assert set(codes) == {"code_unknown"} and fake.sleeps[:3] == [0.25, 0.5, 1.0]
    with pytest.raises(accounts.AccountError) as locked:
        accounts.join_workshop("ZZZZZZ", "10.9.9.9", path=ws, clock=fake.clock, sleeper=fake.sleep)
    assert locked.value.code == "code_locked"
    # another device in the room is not affected, and passwords are counted apart
    with pytest.raises(accounts.AccountError) as other:
        accounts.join_workshop("ZZZZZZ", "10.9.9.10", path=ws, clock=fake.clock, sleeper=fake.sleep)
    assert other.value.code == "code_unknown"
    assert not accounts.throttle_state("alice", "10.9.9.9", path=ws, now=fake.now).locked


def test_workshop_input_is_validated(ws):
    facilitator = auth.Actor("f", "facilitator")
    with pytest.raises(accounts.AccountError):
        accounts.create_workshop(facilitator, "   ", path=ws)
    with pytest.raises(accounts.AccountError):
        accounts.create_workshop(facilitator, "Atelier", hours=0, path=ws)
    assert accounts.list_workshops(path=ws) == []


# --- audit search and CSV export ---


def test_audit_filters_by_actor_action_and_date(ws):
    for who, action in [("Ann", "scenario.save"), ("Ben", "scenario.delete"), ("Ann", "custom_territory.save")]:
        with workspace.write(auth.Actor(who, "facilitator"), action, target="t", path=ws):
            pass
    assert len(audit.search_audit(path=ws)) == 3
    assert {e["action"] for e in audit.search_audit(actors=["Ann"], path=ws)} == {
        "scenario.save",
        "custom_territory.save",
    }
    assert [e["actor"] for e in audit.search_audit(actions=["scenario.delete"], path=ws)] == ["Ben"]
    today = datetime.now(UTC).date()
    assert len(audit.search_audit(since=today, until=today, path=ws)) == 3
    assert audit.search_audit(until=today - timedelta(days=1), path=ws) == []
    assert audit.search_audit(since=date(2999, 1, 1), path=ws) == []
    assert audit.audit_facets(path=ws) == {
        "actors": ["Ann", "Ben"],
        "actions": ["custom_territory.save", "scenario.delete", "scenario.save"],
    }


def test_csv_export_neutralises_formulas():
    frame = pd.DataFrame(
        {"=cmd": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain", None], "n": [-1, 2, 3, 4, 5, 6]}
    )
    text = to_safe_csv(frame)
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(back.columns) == ["'=cmd", "n"]
    assert back["'=cmd"].tolist() == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "plain", ""]
    assert back["n"].tolist() == ["-1", "2", "3", "4", "5", "6"]  # numbers stay numbers


# --- command line ---


def test_cli_user_add_list_and_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GTEC_WORKSPACE", str(tmp_path / "cli.sqlite"))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "Admin1", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "bob", "--role", "facilitator", "--password-stdin"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert main(["user", "disable", "admin1"]) == 2  # the last admin stays
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "admin1" in out and "bob" not in out
    assert accounts.sign_in("admin1", PASSWORD, path=tmp_path / "cli.sqlite").ok
    entries = workspace.audit_entries(path=tmp_path / "cli.sqlite")
    assert entries[-1]["actor"].startswith("cli:") and entries[-1]["action"] == "user.manage"
