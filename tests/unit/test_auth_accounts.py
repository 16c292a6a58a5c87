"""Access control in gtec/: password hashing, rate limiting, permissions, audit, sessions, workshop codes."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from gtec.access import accounts, audit, passwords, throttle, workshops
from gtec.cli.main import main
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.export import to_safe_csv
from gtec.core.i18n import catalogue
from gtec.storage.workspace import Workspace

ADMIN = auth.Actor("cli:test", "admin")
PASSWORD = "correct horse battery"
ACCESS_SOURCES = Path(accounts.__file__).parent


@pytest.fixture
def alice(ws):
    return accounts.create_account(ws, ADMIN, "Alice", PASSWORD, "admin", "Alice Martin")


class FakeClock:
    """A clock that only moves when told to (the throttle's waits are times in the ledger, not sleeps)."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def checks(monkeypatch):
    """Count the password verifications (the real function still runs)."""
    calls: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda pw, stored: calls.append(pw) or real(pw, stored))
    return calls


def attempt(ws, clock, username="alice", password="wrong password", client="10.0.0.1"):
    return accounts.sign_in(ws, username, password, client, clock=clock)


def fail(ws, clock, times, username="alice", client="10.0.0.1"):
    """Fail ``times`` times, each attempt as soon as the spacing allows (no waiting after the last one)."""
    for i in range(times):
        result = attempt(ws, clock, username=username, client=client)
        assert result.reason == "invalid", result
        if i < times - 1:
            clock.now += result.retry_after_s


# --- passwords ---


def test_hash_is_scrypt_with_parameters_and_random_salt():
    first, second = passwords.hash_password(PASSWORD), passwords.hash_password(PASSWORD)
    assert first.startswith(f"scrypt$n={passwords.SCRYPT_N},r=8,p=1$")
    assert first != second  # per-password random salt
    assert PASSWORD not in first
    assert passwords.verify_password(PASSWORD, first) and passwords.verify_password(PASSWORD, second)
    assert not passwords.verify_password("correct horse batterY", first)
    assert passwords.SCRYPT_N >= 2**14


def test_unicode_forms_of_the_same_password_match():
    stored = passwords.hash_password("mot de passe été")
    assert passwords.verify_password("mot de passe e\u0301te\u0301", stored)


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "scrypt$n=3,r=8,p=1$AAAA$AAAA", "scrypt$n=2097152,r=8,p=1$AAAA$AAAA", "bcrypt$x$y$z", "scrypt$$$"],
)
def test_malformed_or_absurd_hashes_never_match(stored):
    assert not passwords.verify_password("anything", stored)
    assert passwords.needs_rehash(stored)


def test_weaker_hashes_are_upgraded_at_next_sign_in(ws, alice):
    weak = passwords.hash_password(PASSWORD, n=2**10)
    assert passwords.verify_password(PASSWORD, weak) and passwords.needs_rehash(weak)
    with ws.write(ADMIN, "user.manage", target="alice") as conn:
        conn.execute("UPDATE accounts SET password_hash = ? WHERE username = 'alice'", (weak,))
    assert attempt(ws, FakeClock(), password=PASSWORD).ok
    with ws.read() as conn:
        stored = conn.scalar("SELECT password_hash FROM accounts WHERE username = 'alice'")
    assert not passwords.needs_rehash(stored) and passwords.verify_password(PASSWORD, stored)


def test_password_rules_and_confirmation():
    passwords.validate_password(PASSWORD, PASSWORD)
    for password, confirm, code in [("short", None, "password_short"), ("x" * 300, None, "password_long"),
                                    (PASSWORD, PASSWORD + "!", "password_mismatch")]:  # fmt: skip
        with pytest.raises(UserError) as error:
            passwords.validate_password(password, confirm)
        assert error.value.code == code and error.value.key == f"auth.error.{code}"


# --- sign-in and rate limiting ---


def test_wrong_password_is_refused_and_right_one_accepted(ws, alice):
    clock = FakeClock()
    refused = attempt(ws, clock)
    assert not refused.ok and refused.reason == "invalid" and refused.actor is None
    clock.now += refused.retry_after_s
    ok = attempt(ws, clock, username=" ALICE ", password=PASSWORD)
    assert ok.ok and ok.actor == auth.Actor("Alice Martin (alice)", "admin") and ok.username == "alice"
    assert accounts.get_account(ws, ADMIN, "alice").last_login_at is not None


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(ws, alice, checks):
    unknown = attempt(ws, FakeClock(), username="mallory")
    assert (unknown.ok, unknown.reason) == (False, "invalid")
    assert len(checks) == 1  # a hash was verified as for a real account (same time)
    wrong = attempt(ws, FakeClock(), client="10.0.0.2")
    assert (wrong.ok, wrong.reason, wrong.retry_after_s) == (unknown.ok, unknown.reason, unknown.retry_after_s)


def test_repeated_failures_are_spaced_then_locked_then_released(ws, alice, checks):
    # The old design slept in the server thread, then locked the account for every client after 5 failures.
    # Now the spacing is a time in the ledger and the lock holds for this (account, client) pair only.
    clock = FakeClock()
    limits = throttle.DEFAULT_LIMITS
    results = []
    for _ in range(limits.pair_lock_after):
        results.append(attempt(ws, clock))
        if len(results) < limits.pair_lock_after:
            too_soon = attempt(ws, clock, password=PASSWORD)
            assert too_soon.reason == "wait" and too_soon.retry_after_s == results[-1].retry_after_s
            clock.now += results[-1].retry_after_s
    assert all(r.reason == "invalid" for r in results)
    # exponential spacing before the 2nd, 3rd, 4th, 5th attempt
    assert [r.retry_after_s for r in results[:-1]] == [0.5, 1.0, 2.0, 4.0]
    assert results[-1].retry_after_s > 0
    locked = attempt(ws, clock, password=PASSWORD)  # even the right password is refused while locked
    assert (locked.ok, locked.reason) == (False, "locked")
    assert 0 < locked.retry_after_s <= limits.window_s
    assert len(checks) == limits.pair_lock_after  # refused attempts do not even spend time checking
    assert attempt(ws, clock, password=PASSWORD, client="10.0.0.99").ok  # the same account elsewhere: fine
    clock.now += locked.retry_after_s + 1
    assert attempt(ws, clock, password=PASSWORD).ok


def test_rate_limit_survives_a_restart(ws, alice):
    clock = FakeClock()
    fail(ws, clock, 5)
    # Nothing is kept in memory: a new process reads the ledger from the workspace file.
    reopened = Workspace.open(ws.path)
    state = throttle.state(reopened, "alice", "10.0.0.1", now=clock.now)
    assert state.locked and state.pair_failures == 5 and state.key_failures == 5
    assert attempt(reopened, clock, password=PASSWORD).reason == "locked"


def test_success_resets_the_username_counter(ws, alice):
    clock = FakeClock()
    for _ in range(3):
        clock.now += attempt(ws, clock).retry_after_s
    assert attempt(ws, clock, password=PASSWORD).ok
    clock.now += 0.001
    after = attempt(ws, clock, client="10.0.0.2")
    assert after.reason == "invalid"  # accepted at once: the failures before the success no longer space it
    assert throttle.state(ws, "alice", "10.0.0.2", now=clock.now).key_failures == 1


def test_one_client_trying_many_usernames_is_locked(ws, alice):
    clock = FakeClock()
    limits = throttle.DEFAULT_LIMITS
    for i in range(limits.client_lock_after):
        result = attempt(ws, clock, username=f"user{i}", client="203.0.113.9")
        assert result.reason == "invalid"
        if i < limits.client_lock_after - 1:
            clock.now += result.retry_after_s
    assert attempt(ws, clock, username="alice", password=PASSWORD, client="203.0.113.9").reason == "locked"
    assert attempt(ws, clock, username="alice", password=PASSWORD, client="198.51.100.1").ok


def test_admin_unlock_lifts_the_lockout(ws, alice):
    clock = FakeClock()
    fail(ws, clock, 5)
    assert attempt(ws, clock, password=PASSWORD).reason == "locked"
    accounts.reset_attempts(ws, ADMIN, "alice", now=clock.now)
    clock.now += 1  # the address's own failures still space it briefly
    assert attempt(ws, clock, password=PASSWORD).ok


def test_disabled_account_cannot_sign_in(ws, alice):
    accounts.create_account(ws, ADMIN, "bob", PASSWORD, "facilitator")
    assert accounts.refresh_account_actor(ws, "bob") == auth.Actor("bob", "facilitator")
    accounts.set_disabled(ws, ADMIN, "bob", True)
    result = attempt(ws, FakeClock(), username="bob", password=PASSWORD)
    assert (result.ok, result.reason) == (False, "disabled")
    assert accounts.refresh_account_actor(ws, "bob") is None
    accounts.set_disabled(ws, ADMIN, "bob", False)
    assert attempt(ws, FakeClock(2_000_000.0), username="bob", password=PASSWORD).ok


def test_role_changes_reach_a_signed_in_session(ws, alice):
    accounts.create_account(ws, ADMIN, "bob", PASSWORD, "facilitator")
    accounts.set_role(ws, ADMIN, "bob", "admin")
    assert accounts.refresh_account_actor(ws, "bob") == auth.Actor("bob", "admin")
    assert accounts.refresh_account_actor(ws, "nobody") is None
    assert accounts.count_admins(ws) == 2 and accounts.has_admin(ws)


def test_a_fresh_workspace_has_no_admin(ws):
    assert not accounts.has_admin(ws) and accounts.count_admins(ws) == 0
    accounts.create_account(ws, ADMIN, "fac", PASSWORD, "facilitator")
    assert not accounts.has_admin(ws)


# --- permissions: every write checks the role again in gtec/ ---


@pytest.mark.parametrize("action", sorted(auth.PERMISSIONS))
def test_a_reader_cannot_call_any_write(ws, action):
    with pytest.raises(auth.PermissionDenied), ws.write(auth.ANONYMOUS, action):
        pass
    assert ws.audit_entries() == []


def test_reader_and_facilitator_cannot_manage_accounts(ws, alice):
    facilitator = auth.Actor("Bob", "facilitator")
    for who in (auth.ANONYMOUS, facilitator):
        with pytest.raises(auth.PermissionDenied):
            accounts.create_account(ws, who, "eve", PASSWORD, "admin")
        with pytest.raises(auth.PermissionDenied):
            accounts.set_role(ws, who, "alice", "facilitator")
        with pytest.raises(auth.PermissionDenied):
            accounts.set_disabled(ws, who, "alice", True)
        with pytest.raises(auth.PermissionDenied):
            accounts.set_password(ws, who, "alice", "x" * 12)
        with pytest.raises(auth.PermissionDenied):
            accounts.reset_attempts(ws, who, "alice")
    with pytest.raises(auth.PermissionDenied):
        workshops.create_workshop(ws, auth.ANONYMOUS, "Atelier")
    assert [a.username for a in accounts.list_accounts(ws, ADMIN)] == ["alice"]
    assert passwords.verify_password(PASSWORD, _stored_hash(ws, "alice"))


def _stored_hash(ws, username):
    with ws.read() as conn:
        return conn.scalar("SELECT password_hash FROM accounts WHERE username = ?", (username,))


PARTICIPANT = auth.Actor("participant-1a2b", "participant", scope="K7M4QP")
FACILITATOR = auth.Actor("Bob", "facilitator")


@pytest.mark.parametrize("who", [auth.ANONYMOUS, PARTICIPANT, FACILITATOR], ids=lambda a: a.role)
def test_admin_reads_check_the_role_in_gtec(ws, alice, who):
    # The admin pages are hidden from these roles, but a read called anyway must refuse, whatever the UI showed.
    admin_reads = [
        lambda: accounts.list_accounts(ws, who),
        lambda: accounts.get_account(ws, who, "alice"),
        lambda: throttle.recent_attempts(ws, who),
        lambda: audit.search_audit(ws, who),
        lambda: audit.audit_facets(ws, who),
    ]
    for read in admin_reads:
        with pytest.raises(auth.PermissionDenied):
            read()
    if who.role == "facilitator":
        assert workshops.list_workshops(ws, who) == []
    else:
        with pytest.raises(auth.PermissionDenied):
            workshops.list_workshops(ws, who)


def test_admins_can_read_accounts_attempts_and_the_audit(ws, alice):
    attempt(ws, FakeClock())
    assert accounts.get_account(ws, ADMIN, " ALICE ").display_name == "Alice Martin"
    assert accounts.get_account(ws, ADMIN, "nobody") is None
    assert [(a["username"], a["outcome"]) for a in throttle.recent_attempts(ws, ADMIN)] == [("alice", "failure")]
    assert audit.search_audit(ws, ADMIN)[0]["action"] == "user.manage"


def test_participants_act_only_inside_their_own_session():
    inside = PARTICIPANT
    assert auth.can(inside, "workshop.contribute")
    assert auth.can(inside, "workshop.contribute", scope="K7M4QP")
    assert not auth.can(inside, "workshop.contribute", scope="AAAAAA")
    assert not auth.can(auth.Actor("p", "participant"), "workshop.contribute")  # no scope, no right
    assert not auth.can(inside, "scenario.save") and not auth.can(inside, "workshop.create")
    assert auth.can(auth.Actor("f", "facilitator"), "workshop.contribute", scope="AAAAAA")


def test_a_facilitators_edit_appears_in_the_audit_log_with_their_name(ws, alice):
    accounts.create_account(ws, ADMIN, "bob", PASSWORD, "facilitator", "Bob Le Gall")
    bob = attempt(ws, FakeClock(), username="bob", password=PASSWORD).actor
    with ws.write(bob, "transferability.edit", target="KTP", detail={"score": 3}):
        pass
    entry = ws.audit_entries()[0]
    assert (entry["actor"], entry["role"], entry["action"], entry["target"]) == (
        "Bob Le Gall (bob)",
        "facilitator",
        "transferability.edit",
        "KTP",
    )
    assert [e["action"] for e in audit.search_audit(ws, ADMIN, actors=["Bob Le Gall (bob)"])] == [
        "transferability.edit",
        "session.sign_in",
    ]


def test_account_changes_are_audited_and_guarded(ws, alice):
    with pytest.raises(UserError) as last:
        accounts.set_role(ws, ADMIN, "alice", "facilitator")
    assert last.value.code == "last_admin" and last.value.key == "auth.error.last_admin"
    with pytest.raises(UserError) as last:
        accounts.set_disabled(ws, ADMIN, "alice", True)
    assert last.value.code == "last_admin"
    accounts.create_account(ws, ADMIN, "carol", PASSWORD, "admin")
    with pytest.raises(UserError) as me:
        accounts.set_disabled(ws, ADMIN, "carol", True, self_username="Carol")
    assert me.value.code == "self_disable"
    accounts.set_role(ws, ADMIN, "alice", "facilitator")
    assert accounts.get_account(ws, ADMIN, "alice").role == "facilitator"
    with pytest.raises(UserError) as taken:
        accounts.create_account(ws, ADMIN, "ALICE", PASSWORD, "admin")
    assert taken.value.code == "username_taken"
    with pytest.raises(UserError) as unknown:
        accounts.set_role(ws, ADMIN, "nobody", "admin")
    assert unknown.value.code == "unknown_user"
    with pytest.raises(UserError) as bad_role:
        accounts.set_role(ws, ADMIN, "alice", "superuser")
    assert bad_role.value.code == "role_invalid"
    ops = [e["detail"] for e in ws.audit_entries() if e["action"] == "user.manage"]
    assert ops == ['{"op": "role", "role": "facilitator"}', '{"op": "create", "role": "admin"}',
                   '{"op": "create", "role": "admin"}']  # fmt: skip


def test_password_change_replaces_the_hash(ws, alice):
    before = _stored_hash(ws, "alice")
    with pytest.raises(UserError) as mismatch:
        accounts.set_password(ws, ADMIN, "alice", "another long one", confirm="another long 0ne")
    assert mismatch.value.code == "password_mismatch" and _stored_hash(ws, "alice") == before
    accounts.set_password(ws, ADMIN, "alice", "another long one", confirm="another long one")
    assert not passwords.verify_password(PASSWORD, _stored_hash(ws, "alice"))
    assert attempt(ws, FakeClock(), password="another long one").ok
    assert ws.audit_entries()[1]["detail"] == '{"op": "password"}'


@pytest.mark.parametrize(
    ("username", "password", "code"),
    [("a", PASSWORD, "username_invalid"), ("al ice", PASSWORD, "username_invalid"), ("bob", "short", "password_short"),
     ("bob", "x" * 300, "password_long")],
)  # fmt: skip
def test_bad_account_input_is_refused_with_a_named_error(ws, username, password, code):
    with pytest.raises(UserError) as error:
        accounts.create_account(ws, ADMIN, username, password, "facilitator")
    assert error.value.code == code
    assert accounts.list_accounts(ws, ADMIN) == []
    assert ws.audit_entries() == []


def test_every_error_key_has_a_message_in_both_languages():
    # AccountError.code and its ERROR_CODES list are gone: every key raised in gtec/access is in the catalogue.
    keys = set()
    for source in ACCESS_SOURCES.glob("*.py"):
        keys |= set(re.findall(r'UserError\(\s*"(auth\.error\.[a-z_]+)"', source.read_text(encoding="utf-8")))
    assert {"auth.error.username_taken", "auth.error.last_admin", "auth.error.code_wait"} <= keys
    messages = catalogue()
    for key in keys:
        assert messages[key]["fr"] and messages[key]["en"], key
    error = UserError("auth.error.hours_invalid", max=72)
    assert (error.code, error.values) == ("hours_invalid", {"max": 72})


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
    session = workshops.create_workshop(ws, facilitator, "  Atelier   GPEC Vannes ", hours=2)
    assert session.title == "Atelier GPEC Vannes" and len(session.code) == workshops.CODE_LENGTH
    assert set(session.code) <= set(workshops.CODE_ALPHABET)
    typed = workshops.format_code(session.code).lower().replace(" ", "-")
    assert workshops.normalise_code(typed) == session.code
    actor, joined = workshops.join_workshop(ws, typed, "10.1.1.1", "browser-1")
    assert (actor.role, actor.scope, joined.code) == ("participant", session.code, session.code)
    assert auth.can(actor, "workshop.contribute", scope=session.code)
    assert [s.code for s in workshops.list_workshops(ws, facilitator, include_closed=False)] == [session.code]
    workshops.close_workshop(ws, facilitator, session.code)
    with pytest.raises(UserError) as closed:
        workshops.join_workshop(ws, session.code, "10.1.1.1", "browser-1")
    assert closed.value.code == "code_closed"
    assert workshops.list_workshops(ws, facilitator, include_closed=False) == []
    assert [s.code for s in workshops.list_workshops(ws, facilitator)] == [session.code]
    actions = [e["action"] for e in ws.audit_entries()]
    assert actions == ["workshop.close", "workshop.create"]
    with pytest.raises(UserError) as unknown:
        workshops.close_workshop(ws, facilitator, "ZZZZZZ" if session.code != "ZZZZZZ" else "YYYYYY")
    assert unknown.value.code == "code_unknown"


def test_wrong_workshop_codes_are_throttled_per_browser_session(ws):
    # The old design throttled per address (a whole room behind one address could be blocked by one
    # participant); now per browser session, the shared address only spaced after many failures.
    clock = FakeClock()
    limits = throttle.WORKSHOP_LIMITS
    codes, waits = [], []
    for i in range(limits.pair_lock_after):
        with pytest.raises(UserError) as error:
            workshops.join_workshop(ws, "ZZZZZZ", "10.9.9.9", "browser-a", clock=clock)
        codes.append(error.value.code)
        with pytest.raises(UserError) as wait:
            workshops.join_workshop(ws, "ZZZZZZ", "10.9.9.9", "browser-a", clock=clock)
        waits.append(wait.value)
        if i < limits.pair_lock_after - 1:
            clock.now += throttle.state(
                ws, "#workshop:browser-a", "10.9.9.9", now=clock.now, limits=limits
            ).retry_after_s
    assert set(codes) == {"code_unknown"}
    assert [w.code for w in waits[:-1]] == ["code_wait"] * (limits.pair_lock_after - 1)
    assert [w.values["seconds"] for w in waits[:4]] == [1, 1, 2, 4]  # 0.5 s, 1 s, 2 s, 4 s, rounded up
    with pytest.raises(UserError) as locked:
        workshops.join_workshop(ws, "ZZZZZZ", "10.9.9.9", "browser-a", clock=clock)
    assert locked.value.code == "code_locked" and locked.value.values["minutes"] >= 1
    # another browser session behind the same address is not affected, and passwords are counted apart
    with pytest.raises(UserError) as other:
        workshops.join_workshop(ws, "ZZZZZZ", "10.9.9.9", "browser-b", clock=clock)
    assert other.value.code == "code_unknown"
    assert not throttle.state(ws, "alice", "10.9.9.9", now=clock.now).locked


def test_workshop_input_is_validated(ws):
    facilitator = auth.Actor("f", "facilitator")
    with pytest.raises(UserError) as title:
        workshops.create_workshop(ws, facilitator, "   ")
    assert title.value.code == "title_invalid"
    with pytest.raises(UserError) as hours:
        workshops.create_workshop(ws, facilitator, "Atelier", hours=0)
    assert hours.value.code == "hours_invalid" and hours.value.values == {"max": workshops.MAX_WORKSHOP_HOURS}
    with pytest.raises(UserError):
        workshops.create_workshop(ws, facilitator, "Atelier", hours=workshops.MAX_WORKSHOP_HOURS + 1)
    assert workshops.list_workshops(ws, facilitator) == []


# --- audit search and CSV export ---


def test_audit_filters_by_actor_action_and_date(ws):
    for who, action in [("Ann", "scenario.save"), ("Ben", "scenario.delete"), ("Ann", "custom_territory.save")]:
        with ws.write(auth.Actor(who, "facilitator"), action, target="t"):
            pass
    assert len(audit.search_audit(ws, ADMIN)) == 3
    assert {e["action"] for e in audit.search_audit(ws, ADMIN, actors=["Ann"])} == {
        "scenario.save",
        "custom_territory.save",
    }
    assert [e["actor"] for e in audit.search_audit(ws, ADMIN, actions=["scenario.delete"])] == ["Ben"]
    today = datetime.now(UTC).date()
    assert len(audit.search_audit(ws, ADMIN, since=today, until=today)) == 3
    assert audit.search_audit(ws, ADMIN, until=today - timedelta(days=1)) == []
    assert audit.search_audit(ws, ADMIN, since=date(2999, 1, 1)) == []
    assert len(audit.search_audit(ws, ADMIN, limit=2)) == 2
    assert audit.audit_facets(ws, ADMIN) == {
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
    path = tmp_path / "cli.sqlite"
    monkeypatch.setenv("GTEC_WORKSPACE", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "Admin1", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "bob", "--role", "facilitator", "--password-stdin"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert main(["user", "disable", "admin1"]) == 2  # the last admin stays
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "admin1" in out and "bob" not in out
    ws = Workspace.open(path)
    assert accounts.sign_in(ws, "admin1", PASSWORD).ok
    entries = ws.audit_entries()
    assert entries[-1]["actor"].startswith("cli:") and entries[-1]["action"] == "user.manage"


def test_cli_unlock_passwd_and_role(workspace_path, monkeypatch, capsys):
    ws = Workspace(workspace_path)
    accounts.create_account(ws, ADMIN, "root", PASSWORD, "admin")
    accounts.create_account(ws, ADMIN, "fac", PASSWORD, "facilitator")
    clock = FakeClock()
    fail(ws, clock, 5, username="fac")
    assert accounts.sign_in(ws, "fac", PASSWORD, "10.0.0.1", clock=clock).reason == "locked"
    assert main(["user", "unlock", "fac"]) == 0
    clock.now += 1
    assert accounts.sign_in(ws, "fac", PASSWORD, "10.0.0.1", clock=clock).ok
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert main(["user", "passwd", "fac", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert main(["user", "passwd", "nobody", "--password-stdin"]) == 2
    assert main(["user", "role", "fac", "admin"]) == 0
    assert main(["user", "disable", "fac"]) == 0 and main(["user", "enable", "fac"]) == 0
    capsys.readouterr()
    assert accounts.sign_in(ws, "fac", "a brand new password", "10.0.0.2").actor == auth.Actor("fac", "admin")
