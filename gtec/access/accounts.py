"""Accounts, password hashing, sign-in rate limiting, session expiry and workshop session codes.

- Facilitators and admins have accounts in the workspace; passwords are hashed with scrypt (memory-hard,
  standard library), a random salt per password, the parameters stored with the hash so they can be raised
  later (:func:`needs_rehash` upgrades a hash at the next successful sign-in).
- Every sign-in attempt is written to the ``login_attempts`` ledger *before* the password is checked, so
  concurrent attempts see each other and a server restart does not reset the limit. Repeated failures are
  slowed (exponential delay) and then refused for a while (temporary lockout), per username and per client.
  The clock and the sleeper are injectable: tests measure the delay without sleeping.
- Participants have no account: they join one workshop session with its code and act as
  ``Actor("participant-XXXX", "participant", scope=code)`` until the session closes.
- Account and workshop changes go through :func:`gtec.storage.workspace.write` (permission check + audit row).
  The sign-in ledger is the one exception: anonymous visitors write to it, and it is a security record,
  not content.
"""

from __future__ import annotations

import base64
import binascii
import getpass
import hashlib
import hmac
import math
import re
import secrets
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from gtec.access import auth
from gtec.storage import workspace

# --- passwords -------------------------------------------------------------------------------------------

#: scrypt cost: n=2**15, r=8 uses 32 MiB and about 0.1 s per hash on one core (OWASP minimum is 2**14... 2**17).
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
#: Refuse to verify hashes whose stored cost is absurd (a tampered row must not exhaust the server).
MAX_SCRYPT_N = 2**20
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256

ACCOUNT_ROLES: tuple[str, ...] = ("facilitator", "admin")
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")

#: Error codes of :class:`AccountError`; each has an ``auth.error.<code>`` key in gtec/locales/auth.toml.
ERROR_CODES: tuple[str, ...] = (
    "username_invalid",
    "username_taken",
    "unknown_user",
    "role_invalid",
    "password_short",
    "password_long",
    "password_mismatch",
    "last_admin",
    "self_disable",
    "title_invalid",
    "hours_invalid",
    "code_unknown",
    "code_closed",
    "code_locked",
)


class AccountError(ValueError):
    """Bad input for an account or workshop operation. ``code`` names the message (``auth.error.<code>``)."""

    def __init__(self, code: str, **fmt: object) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown account error code {code!r}")
        super().__init__(code)
        self.code = code
        self.fmt = fmt


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _normalise_password(password: str) -> bytes:
    # NFC: "é" typed as one code point or as e + accent must give the same hash.
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    maxmem = 128 * r * (n + p + 2) + 2**20
    return hashlib.scrypt(_normalise_password(password), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=KEY_BYTES)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """Hash ``password`` with scrypt and a fresh random salt.

    Returns ``"scrypt$n=<n>,r=<r>,p=<p>$<salt base64>$<key base64>"``: the parameters travel with the hash.
    """
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p)
    return f"scrypt$n={n},r={r},p={p}${_b64(salt)}${_b64(key)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    try:
        algorithm, params, salt_b64, key_b64 = stored.split("$")
        if algorithm != "scrypt":
            return None
        values = dict(item.split("=", 1) for item in params.split(","))
        n, r, p = int(values["n"]), int(values["r"]), int(values["p"])
        salt, key = base64.b64decode(salt_b64, validate=True), base64.b64decode(key_b64, validate=True)
    except (ValueError, KeyError, binascii.Error):
        return None
    if not (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and salt and key):
        return None
    return n, r, p, salt, key


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (constant-time compare). Malformed hashes never match."""
    parsed = _parse_hash(stored or "")
    if parsed is None or len(password) > MAX_PASSWORD_LENGTH:
        return False
    n, r, p, salt, key = parsed
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), key)


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with weaker parameters than the current ones (or is malformed)."""
    parsed = _parse_hash(stored or "")
    if parsed is None:
        return True
    n, r, p, _salt, key = parsed
    return n < SCRYPT_N or r < SCRYPT_R or p < SCRYPT_P or len(key) < KEY_BYTES


@cache
def _dummy_hash() -> str:
    # Verified when the username is unknown, so that the answer takes as long as for a real account.
    return hash_password(secrets.token_urlsafe(16))


def validate_password(password: str, confirm: str | None = None) -> None:
    """Raise :class:`AccountError` when ``password`` is too short/long or differs from ``confirm``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password_short", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password_long", max=MAX_PASSWORD_LENGTH)
    if confirm is not None and confirm != password:
        raise AccountError("password_mismatch")


def normalise_username(username: str) -> str:
    """Lower-case, trimmed username; raises :class:`AccountError` unless it is 2-64 of ``a-z 0-9 . _ @ -``."""
    name = (username or "").strip().lower()
    if not _USERNAME_RE.match(name):
        raise AccountError("username_invalid")
    return name


# --- accounts --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """An account as listed to admins (never carries the password hash)."""

    username: str
    display_name: str
    role: str
    disabled: bool
    created_at: str
    updated_at: str
    last_login_at: str | None

    def actor(self) -> auth.Actor:
        """The actor this account acts as; the audit log records ``Display Name (username)``, unique."""
        name = self.username if self.display_name in ("", self.username) else f"{self.display_name} ({self.username})"
        return auth.Actor(name, self.role)


_ACCOUNT_COLUMNS = "username, display_name, role, disabled, created_at, updated_at, last_login_at"


def _account(row: sqlite3.Row) -> Account:
    return Account(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        disabled=bool(row["disabled"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        last_login_at=row["last_login_at"],
    )


def list_accounts(path: Path | None = None) -> list[Account]:
    """Every account, sorted by username."""
    with workspace.read(path) as conn:
        rows = conn.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY username").fetchall()
    return [_account(r) for r in rows]


def get_account(username: str, path: Path | None = None) -> Account | None:
    """The account called ``username`` (case-insensitive), or None."""
    with workspace.read(path) as conn:
        row = conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE username = ?", ((username or "").strip().lower(),)
        ).fetchone()
    return _account(row) if row else None


def count_admins(path: Path | None = None) -> int:
    """Number of enabled admin accounts (0 on a fresh machine: create one with ``python -m gtec user add``)."""
    with workspace.read(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND disabled = 0").fetchone()[0])


def _check_role(role: str) -> None:
    if role not in ACCOUNT_ROLES:
        raise AccountError("role_invalid")


def create_account(
    actor: auth.Actor,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    path: Path | None = None,
) -> Account:
    """Create an account (admins only). Raises :class:`AccountError` on bad input, PermissionDenied otherwise."""
    auth.require(actor, "user.manage")  # before spending a hash on someone who may not
    name = normalise_username(username)
    _check_role(role)
    validate_password(password)
    display = " ".join((display_name or "").split())[:80] or name
    hashed = hash_password(password)
    now = workspace.now_iso()
    with workspace.write(actor, "user.manage", target=name, detail={"op": "create", "role": role}, path=path) as c:
        if c.execute("SELECT 1 FROM accounts WHERE username = ?", (name,)).fetchone():
            raise AccountError("username_taken")
        c.execute(
            "INSERT INTO accounts(username, display_name, role, password_hash, disabled, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 0, ?, ?)",
            (name, display, role, hashed, now, now),
        )
    return Account(name, display, role, False, now, now, None)


def _guard_last_admin(conn: sqlite3.Connection, username: str) -> None:
    others = conn.execute(
        "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND disabled = 0 AND username <> ?", (username,)
    ).fetchone()[0]
    if not others:
        raise AccountError("last_admin")


def _existing(conn: sqlite3.Connection, username: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM accounts WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise AccountError("unknown_user")
    return row


def set_role(actor: auth.Actor, username: str, role: str, path: Path | None = None) -> None:
    """Change an account's role. The last enabled admin cannot be demoted."""
    auth.require(actor, "user.manage")
    name = (username or "").strip().lower()
    _check_role(role)
    with workspace.write(actor, "user.manage", target=name, detail={"op": "role", "role": role}, path=path) as c:
        row = _existing(c, name)
        if row["role"] == "admin" and role != "admin" and not row["disabled"]:
            _guard_last_admin(c, name)
        c.execute("UPDATE accounts SET role = ?, updated_at = ? WHERE username = ?", (role, workspace.now_iso(), name))


def set_disabled(
    actor: auth.Actor, username: str, disabled: bool, path: Path | None = None, self_username: str | None = None
) -> None:
    """Disable or re-enable an account. Nobody disables their own account or the last enabled admin.

    ``self_username`` is the acting admin's username (the UI knows it); the CLI passes None.
    """
    auth.require(actor, "user.manage")
    name = (username or "").strip().lower()
    detail = {"op": "disable" if disabled else "enable"}
    with workspace.write(actor, "user.manage", target=name, detail=detail, path=path) as c:
        row = _existing(c, name)
        if disabled and self_username and name == self_username.strip().lower():
            raise AccountError("self_disable")
        if disabled and row["role"] == "admin" and not row["disabled"]:
            _guard_last_admin(c, name)
        c.execute(
            "UPDATE accounts SET disabled = ?, updated_at = ? WHERE username = ?",
            (int(bool(disabled)), workspace.now_iso(), name),
        )


def set_password(
    actor: auth.Actor, username: str, password: str, confirm: str | None = None, path: Path | None = None
) -> None:
    """Replace an account's password (admins only). The old hash is overwritten, never kept."""
    auth.require(actor, "user.manage")
    name = (username or "").strip().lower()
    validate_password(password, confirm)
    hashed = hash_password(password)
    with workspace.write(actor, "user.manage", target=name, detail={"op": "password"}, path=path) as c:
        _existing(c, name)
        c.execute(
            "UPDATE accounts SET password_hash = ?, updated_at = ? WHERE username = ?",
            (hashed, workspace.now_iso(), name),
        )


def cli_actor() -> auth.Actor:
    """The actor for ``python -m gtec user ...``: whoever has a shell on the server is an admin."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return auth.Actor(f"cli:{who}", "admin")


# --- rate limiting ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    """How sign-in failures are slowed and then refused.

    After ``n`` recent failures (same username since its last success, or same client), the next attempt
    waits ``base_delay_s * 2**(n-1)`` seconds (capped at ``max_delay_s``); at ``max_failures_user`` failures
    for a username, or ``max_failures_client`` for a client, attempts are refused until the oldest counted
    failure is ``window_s`` old.
    """

    window_s: float = 15 * 60
    max_failures_user: int = 5
    max_failures_client: int = 20
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0


DEFAULT_LIMITS = RateLimit()
#: Workshop codes are typed by a whole room, often behind one address: more lenient, and counted apart
#: from passwords (ledger "username" ``#workshop:<client>``), so that typos never lock facilitators out.
WORKSHOP_LIMITS = RateLimit(max_failures_user=30, max_failures_client=30, base_delay_s=0.25, max_delay_s=4.0)


@dataclass(frozen=True)
class Throttle:
    """Rate-limit state before an attempt: delay to apply, or locked with the seconds until it lifts."""

    user_failures: int
    client_failures: int
    delay_s: float
    locked: bool
    retry_after_s: float


@contextmanager
def _ledger(path: Path | None) -> Iterator[sqlite3.Connection]:
    # Short BEGIN IMMEDIATE transactions on the sign-in ledger (see the module docstring for why it
    # does not go through workspace.write).
    with workspace.read(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _throttle(conn: sqlite3.Connection, username: str, client: str, now: float, limits: RateLimit) -> Throttle:
    since = now - limits.window_s
    boundary = conn.execute(
        "SELECT MAX(at) FROM login_attempts WHERE username = ? AND outcome IN ('success', 'reset')", (username,)
    ).fetchone()[0]
    user_times = [
        r[0]
        for r in conn.execute(
            "SELECT at FROM login_attempts WHERE username = ? AND outcome = 'failure' AND at > ? AND at > ?"
            " ORDER BY at",
            (username, since, boundary if boundary is not None else -1.0),
        )
    ]
    client_times = (
        [
            r[0]
            for r in conn.execute(
                "SELECT at FROM login_attempts WHERE client = ? AND outcome = 'failure' AND at > ? ORDER BY at",
                (client, since),
            )
        ]
        if client
        else []
    )
    lifts = []
    if len(user_times) >= limits.max_failures_user:
        lifts.append(user_times[len(user_times) - limits.max_failures_user] + limits.window_s)
    if len(client_times) >= limits.max_failures_client:
        lifts.append(client_times[len(client_times) - limits.max_failures_client] + limits.window_s)
    failures = max(len(user_times), len(client_times))
    delay = 0.0 if failures == 0 else min(limits.base_delay_s * 2 ** (failures - 1), limits.max_delay_s)
    return Throttle(
        user_failures=len(user_times),
        client_failures=len(client_times),
        delay_s=0.0 if lifts else delay,
        locked=bool(lifts),
        retry_after_s=max(0.0, max(lifts) - now) if lifts else 0.0,
    )


def throttle_state(
    username: str,
    client: str = "",
    *,
    path: Path | None = None,
    now: float | None = None,
    limits: RateLimit = DEFAULT_LIMITS,
) -> Throttle:
    """The rate-limit state the next attempt for ``username`` from ``client`` would meet (read only)."""
    with workspace.read(path) as conn:
        return _throttle(conn, (username or "").strip().lower(), client, time.time() if now is None else now, limits)


def _begin_attempt(
    username: str, client: str, now: float, limits: RateLimit, path: Path | None
) -> tuple[Throttle, int | None]:
    """Check the throttle and record the attempt as a failure in the same transaction (None id = locked)."""
    with _ledger(path) as conn:
        state = _throttle(conn, username, client, now, limits)
        outcome = "locked" if state.locked else "failure"
        cur = conn.execute(
            "INSERT INTO login_attempts(at, username, client, outcome) VALUES (?, ?, ?, ?)",
            (now, username, client, outcome),
        )
        return state, (None if state.locked else cur.lastrowid)


def _mark_success(attempt_id: int, path: Path | None) -> None:
    with _ledger(path) as conn:
        conn.execute("UPDATE login_attempts SET outcome = 'success' WHERE id = ?", (attempt_id,))


def reset_attempts(actor: auth.Actor, username: str, path: Path | None = None, now: float | None = None) -> None:
    """Lift a username's lockout (admins): earlier failures for it no longer count. Audited as user.manage."""
    auth.require(actor, "user.manage")
    name = (username or "").strip().lower()
    with workspace.write(actor, "user.manage", target=name, detail={"op": "unlock"}, path=path) as c:
        c.execute(
            "INSERT INTO login_attempts(at, username, client, outcome) VALUES (?, ?, '', 'reset')",
            (time.time() if now is None else now, name),
        )


def recent_attempts(limit: int = 100, path: Path | None = None) -> list[dict]:
    """The latest sign-in attempts (most recent first): at (ISO), username, client, outcome."""
    with workspace.read(path) as conn:
        rows = conn.execute(
            "SELECT at, username, client, outcome FROM login_attempts ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
    return [{**dict(r), "at": datetime.fromtimestamp(r["at"], UTC).replace(microsecond=0).isoformat()} for r in rows]


# --- sign-in ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    """Outcome of :func:`sign_in`. ``reason`` is ``ok``, ``invalid``, ``locked`` or ``disabled``."""

    ok: bool
    reason: str
    actor: auth.Actor | None = None
    username: str = ""
    delay_s: float = 0.0
    retry_after_s: float = 0.0


def sign_in(
    username: str,
    password: str,
    client: str = "",
    *,
    path: Path | None = None,
    clock: Callable[[], float] = time.time,
    sleeper: Callable[[float], None] = time.sleep,
    limits: RateLimit = DEFAULT_LIMITS,
) -> SignInResult:
    """Check a username and password, with rate limiting. Never says whether the username exists.

    The attempt is recorded (as a failure until proven otherwise) before the password is checked; recent
    failures make it wait ``sleeper(delay)`` first; too many make it refused (``locked``) without checking.
    A success is audited as ``session.sign_in`` and upgrades an outdated hash.
    """
    name = (username or "").strip().lower()[:128]
    client = (client or "")[:128]
    state, attempt_id = _begin_attempt(name, client, clock(), limits, path)
    if attempt_id is None:
        return SignInResult(False, "locked", username=name, retry_after_s=state.retry_after_s)
    if state.delay_s > 0:
        sleeper(state.delay_s)
    with workspace.read(path) as conn:
        row = conn.execute("SELECT * FROM accounts WHERE username = ?", (name,)).fetchone()
    matches = verify_password(password or "", row["password_hash"] if row else _dummy_hash()) and row is not None
    if not matches:
        after = throttle_state(name, client, path=path, now=clock(), limits=limits)
        return SignInResult(False, "invalid", username=name, delay_s=state.delay_s, retry_after_s=after.retry_after_s)
    if row["disabled"]:
        return SignInResult(False, "disabled", username=name, delay_s=state.delay_s)
    _mark_success(attempt_id, path)
    account = _account(row)
    actor = account.actor()
    rehash = hash_password(password) if needs_rehash(row["password_hash"]) else None
    with workspace.write(actor, "session.sign_in", target=name, path=path) as c:
        c.execute("UPDATE accounts SET last_login_at = ? WHERE username = ?", (workspace.now_iso(), name))
        if rehash:
            c.execute("UPDATE accounts SET password_hash = ? WHERE username = ?", (rehash, name))
    return SignInResult(True, "ok", actor=actor, username=name, delay_s=state.delay_s)


# --- sessions --------------------------------------------------------------------------------------------

ABSOLUTE_TIMEOUT_S = 8 * 3600
IDLE_TIMEOUT_S = 3600


@dataclass(frozen=True)
class SessionClock:
    """When a signed-in session started, was last used, and (participants) when its workshop closes."""

    started_at: float
    last_seen: float
    closes_at: float | None = None

    @classmethod
    def start(cls, now: float, closes_at: float | None = None) -> SessionClock:
        return cls(now, now, closes_at)

    def touch(self, now: float) -> SessionClock:
        """The same session, used at ``now``."""
        return replace(self, last_seen=now)

    def status(self, now: float, absolute_s: float = ABSOLUTE_TIMEOUT_S, idle_s: float = IDLE_TIMEOUT_S) -> str:
        """``active``, ``expired_absolute`` (signed in too long ago), ``expired_idle`` or ``closed`` (workshop)."""
        if self.closes_at is not None and now >= self.closes_at:
            return "closed"
        if now - self.started_at >= absolute_s:
            return "expired_absolute"
        if now - self.last_seen >= idle_s:
            return "expired_idle"
        return "active"


def refresh_account_actor(username: str, path: Path | None = None) -> auth.Actor | None:
    """The current actor for a signed-in account (its role may have changed); None once disabled or deleted."""
    account = get_account(username, path)
    if account is None or account.disabled:
        return None
    return account.actor()


# --- OpenID Connect (optional) ---------------------------------------------------------------------------


def oidc_role(email: str | None, allow_list: dict[str, str] | None) -> str | None:
    """The role an OIDC identity gets from the deployer's allow-list (``{"a@b.org": "facilitator"}``).

    Emails compare case-insensitively; unknown identities and unknown roles get None (stay readers).
    """
    if not email or not allow_list:
        return None
    wanted = email.strip().lower()
    for key, role in allow_list.items():
        if str(key).strip().lower() == wanted and role in ACCOUNT_ROLES:
            return str(role)
    return None


# --- workshop sessions -----------------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from a projector
CODE_LENGTH = 6
MAX_WORKSHOP_HOURS = 72


@dataclass(frozen=True)
class WorkshopSession:
    """A workshop session participants join with ``code`` until ``closes_at`` (UTC ISO)."""

    code: str
    title: str
    created_by: str
    created_at: str
    closes_at: str

    def is_open(self, now: datetime | None = None) -> bool:
        return datetime.fromisoformat(self.closes_at) > (now or datetime.now(UTC))


def normalise_code(code: str) -> str:
    """Upper-case code without spaces or dashes (``"k7m-4qp"`` -> ``"K7M4QP"``)."""
    return re.sub(r"[\s-]", "", code or "").upper()[:32]


def format_code(code: str) -> str:
    """A code as shown on screen, in two groups of three (``K7M 4QP``)."""
    return f"{code[:3]} {code[3:]}" if len(code) == CODE_LENGTH else code


def create_workshop(
    actor: auth.Actor, title: str, hours: float = 4, path: Path | None = None, now: datetime | None = None
) -> WorkshopSession:
    """Open a workshop session for ``hours`` hours with a fresh random code (facilitators and admins)."""
    auth.require(actor, "workshop.create")
    clean = " ".join((title or "").split())
    if not 1 <= len(clean) <= 120:
        raise AccountError("title_invalid")
    if not 0 < hours <= MAX_WORKSHOP_HOURS:
        raise AccountError("hours_invalid", max=MAX_WORKSHOP_HOURS)
    start = (now or datetime.now(UTC)).replace(microsecond=0)
    closes = (start + timedelta(hours=hours)).isoformat()
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with workspace.write(actor, "workshop.create", target=code, detail={"title": clean}, path=path) as c:
                c.execute(
                    "INSERT INTO workshop_sessions(code, title, created_by, created_at, closes_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (code, clean, actor.name, start.isoformat(), closes),
                )
        except sqlite3.IntegrityError:
            continue  # code already drawn (rolled back with its audit row); draw again
        return WorkshopSession(code, clean, actor.name, start.isoformat(), closes)
    raise RuntimeError("could not draw a free workshop code")


def close_workshop(actor: auth.Actor, code: str, path: Path | None = None, now: datetime | None = None) -> None:
    """Close a workshop session now: its participants fall back to readers at their next action."""
    auth.require(actor, "workshop.close")
    clean = normalise_code(code)
    when = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    with workspace.write(actor, "workshop.close", target=clean, path=path) as c:
        if not c.execute("SELECT 1 FROM workshop_sessions WHERE code = ?", (clean,)).fetchone():
            raise AccountError("code_unknown")
        c.execute("UPDATE workshop_sessions SET closes_at = MIN(closes_at, ?) WHERE code = ?", (when, clean))


def list_workshops(path: Path | None = None, include_closed: bool = True) -> list[WorkshopSession]:
    """Workshop sessions, most recent first."""
    with workspace.read(path) as conn:
        rows = conn.execute(
            "SELECT code, title, created_by, created_at, closes_at FROM workshop_sessions ORDER BY created_at DESC"
        ).fetchall()
    sessions = [WorkshopSession(**dict(r)) for r in rows]
    return sessions if include_closed else [s for s in sessions if s.is_open()]


def get_workshop(code: str, path: Path | None = None) -> WorkshopSession | None:
    """The workshop session with ``code`` (normalised), or None."""
    with workspace.read(path) as conn:
        row = conn.execute(
            "SELECT code, title, created_by, created_at, closes_at FROM workshop_sessions WHERE code = ?",
            (normalise_code(code),),
        ).fetchone()
    return WorkshopSession(**dict(row)) if row else None


def join_workshop(
    code: str,
    client: str = "",
    *,
    path: Path | None = None,
    clock: Callable[[], float] = time.time,
    sleeper: Callable[[float], None] = time.sleep,
    limits: RateLimit = WORKSHOP_LIMITS,
) -> tuple[auth.Actor, WorkshopSession]:
    """Join an open workshop session by code: an anonymous participant scoped to it.

    Wrong codes count as failures for the client (same ledger and limits as passwords), so codes cannot be
    guessed quickly. Raises :class:`AccountError` (``code_unknown``, ``code_closed``) or returns the actor.
    """
    clean = normalise_code(code)
    state, attempt_id = _begin_attempt(f"#workshop:{(client or '')[:100]}", "", clock(), limits, path)
    if attempt_id is None:
        raise AccountError("code_locked", minutes=max(1, math.ceil(state.retry_after_s / 60)))
    if state.delay_s > 0:
        sleeper(state.delay_s)
    session = get_workshop(clean, path) if clean else None
    if session is None:
        raise AccountError("code_unknown")
    _mark_success(attempt_id, path)  # a known code is not a guess, even if the session has closed
    if not session.is_open(datetime.fromtimestamp(clock(), UTC)):
        raise AccountError("code_closed")
    return auth.Actor(f"participant-{secrets.token_hex(2)}", "participant", scope=session.code), session
