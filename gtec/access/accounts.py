"""Accounts of facilitators and admins, sign-in, session expiry and the optional organisation sign-in.

- Passwords are hashed by :mod:`gtec.access.passwords`; attempts are throttled by :mod:`gtec.access.throttle`
  per (account, client), the wait enforced from the ledger rather than by sleeping.
- Account changes go through :meth:`Workspace.write` (permission check + audit row); listing accounts is an
  admin read and checks ``user.manage`` here, whatever the navigation showed.
"""

from __future__ import annotations

import getpass
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from gtec.access import passwords, throttle
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.storage.workspace import Connection, UniqueViolation, Workspace, now_iso

ACCOUNT_ROLES: tuple[str, ...] = ("facilitator", "admin")
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
MAX_PASSWORD_LENGTH = passwords.MAX_PASSWORD_LENGTH


def normalise_username(username: str) -> str:
    """Lower-case, trimmed username; raises :class:`UserError` unless it is 2-64 of ``a-z 0-9 . _ @ -``."""
    name = (username or "").strip().lower()
    if not _USERNAME_RE.match(name):
        raise UserError("auth.error.username_invalid")
    return name


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


def _account(row) -> Account:
    return Account(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        disabled=bool(row["disabled"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        last_login_at=row["last_login_at"],
    )


def list_accounts(ws: Workspace, actor: auth.Actor) -> list[Account]:
    """Every account, sorted by username (admins only: ``user.manage``)."""
    auth.require(actor, "user.manage")
    with ws.read() as conn:
        rows = conn.all(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY username")
    return [_account(r) for r in rows]


def _get_account(ws: Workspace, username: str) -> Account | None:
    with ws.read() as conn:
        row = conn.one(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE username = ?", ((username or "").strip().lower(),)
        )
    return _account(row) if row else None


def get_account(ws: Workspace, actor: auth.Actor, username: str) -> Account | None:
    """The account called ``username`` (case-insensitive), or None (admins only)."""
    auth.require(actor, "user.manage")
    return _get_account(ws, username)


def has_admin(ws: Workspace) -> bool:
    """True once an enabled admin account exists (the sign-in page says how to create the first one if not)."""
    with ws.read() as conn:
        return conn.one("SELECT 1 FROM accounts WHERE role = 'admin' AND disabled = 0") is not None


def count_admins(ws: Workspace) -> int:
    """Number of enabled admin accounts (the CLI reports it; 0 on a fresh machine)."""
    with ws.read() as conn:
        return int(conn.scalar("SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND disabled = 0"))


def _check_role(role: str) -> None:
    if role not in ACCOUNT_ROLES:
        raise UserError("auth.error.role_invalid")


def create_account(
    ws: Workspace, actor: auth.Actor, username: str, password: str, role: str, display_name: str = ""
) -> Account:
    """Create an account (admins only). Raises :class:`UserError` on bad input, PermissionDenied otherwise."""
    auth.require(actor, "user.manage")  # before spending a hash on someone who may not
    name = normalise_username(username)
    _check_role(role)
    passwords.validate_password(password)
    display = " ".join((display_name or "").split())[:80] or name
    hashed = passwords.hash_password(password)
    now = now_iso()
    try:
        with ws.write(actor, "user.manage", target=name, detail={"op": "create", "role": role}) as c:
            c.execute(
                "INSERT INTO accounts(username, display_name, role, password_hash, disabled, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 0, ?, ?)",
                (name, display, role, hashed, now, now),
            )
    except UniqueViolation as exc:
        raise UserError("auth.error.username_taken") from exc
    return Account(name, display, role, False, now, now, None)


def _guard_last_admin(conn: Connection, username: str) -> None:
    others = conn.scalar(
        "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND disabled = 0 AND username <> ?", (username,)
    )
    if not others:
        raise UserError("auth.error.last_admin")


def _existing(conn: Connection, username: str):
    row = conn.one("SELECT * FROM accounts WHERE username = ?", (username,))
    if row is None:
        raise UserError("auth.error.unknown_user")
    return row


def set_role(ws: Workspace, actor: auth.Actor, username: str, role: str) -> None:
    """Change an account's role. The last enabled admin cannot be demoted."""
    auth.require(actor, "user.manage")
    name = (username or "").strip().lower()
    _check_role(role)
    with ws.write(actor, "user.manage", target=name, detail={"op": "role", "role": role}) as c:
        row = _existing(c, name)
        if row["role"] == "admin" and role != "admin" and not row["disabled"]:
            _guard_last_admin(c, name)
        c.execute("UPDATE accounts SET role = ?, updated_at = ? WHERE username = ?", (role, now_iso(), name))


def set_disabled(
    ws: Workspace, actor: auth.Actor, username: str, disabled: bool, self_username: str | None = None
) -> None:
    """Disable or re-enable an account. Nobody disables their own account or the last enabled admin.

    ``self_username`` is the acting admin's username (the UI knows it); the CLI passes None.
    """
    auth.require(actor, "user.manage")
    name = (username or "").strip().lower()
    detail = {"op": "disable" if disabled else "enable"}
    with ws.write(actor, "user.manage", target=name, detail=detail) as c:
        row = _existing(c, name)
        if disabled and self_username and name == self_username.strip().lower():
            raise UserError("auth.error.self_disable")
        if disabled and row["role"] == "admin" and not row["disabled"]:
            _guard_last_admin(c, name)
        c.execute(
            "UPDATE accounts SET disabled = ?, updated_at = ? WHERE username = ?",
            (int(bool(disabled)), now_iso(), name),
        )


def set_password(ws: Workspace, actor: auth.Actor, username: str, password: str, confirm: str | None = None) -> None:
    """Replace an account's password (admins only). The old hash is overwritten, never kept."""
    auth.require(actor, "user.manage")
    name = (username or "").strip().lower()
    passwords.validate_password(password, confirm)
    hashed = passwords.hash_password(password)
    with ws.write(actor, "user.manage", target=name, detail={"op": "password"}) as c:
        _existing(c, name)
        c.execute("UPDATE accounts SET password_hash = ?, updated_at = ? WHERE username = ?", (hashed, now_iso(), name))


def reset_attempts(ws: Workspace, actor: auth.Actor, username: str, now: float | None = None) -> None:
    """Lift an account's sign-in lockout, from every client (admins). Audited as ``user.manage``."""
    auth.require(actor, "user.manage")
    throttle.reset(ws, actor, (username or "").strip().lower(), now)


def cli_actor() -> auth.Actor:
    """The actor for ``python -m gtec user ...``: whoever has a shell on the server is an admin."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return auth.Actor(f"cli:{who}", "admin")


# --- sign-in ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    """Outcome of :func:`sign_in`. ``reason``: ``ok``, ``invalid``, ``wait`` (too soon), ``locked``, ``disabled``."""

    ok: bool
    reason: str
    actor: auth.Actor | None = None
    username: str = ""
    retry_after_s: float = 0.0


def sign_in(
    ws: Workspace,
    username: str,
    password: str,
    client: str = "",
    *,
    clock: Callable[[], float] = time.time,
    limits: throttle.RateLimit = throttle.DEFAULT_LIMITS,
) -> SignInResult:
    """Check a username and password, throttled per (account, client). Never says whether the username exists.

    The attempt is recorded (as a failure until proven otherwise) before the password is checked; an attempt
    that comes before its spacing allows, or from a locked-out (account, client) pair, is refused without
    checking. A success is audited as ``session.sign_in`` and upgrades an outdated hash.
    """
    name = (username or "").strip().lower()[:128]
    client = (client or "")[:128]
    state, attempt_id = throttle.begin_attempt(ws, name, client, clock(), limits)
    if attempt_id is None:
        return SignInResult(
            False, "locked" if state.locked else "wait", username=name, retry_after_s=state.retry_after_s
        )
    with ws.read() as conn:
        row = conn.one("SELECT * FROM accounts WHERE username = ?", (name,))
    stored = row["password_hash"] if row else passwords.dummy_hash()
    matches = passwords.verify_password(password or "", stored)
    if row is None or not matches:
        after = throttle.state(ws, name, client, now=clock(), limits=limits)
        return SignInResult(False, "invalid", username=name, retry_after_s=after.retry_after_s)
    if row["disabled"]:
        return SignInResult(False, "disabled", username=name)
    throttle.mark_success(ws, attempt_id)
    actor = _account(row).actor()
    rehash = passwords.hash_password(password) if passwords.needs_rehash(row["password_hash"]) else None
    with ws.write(actor, "session.sign_in", target=name) as c:
        c.execute("UPDATE accounts SET last_login_at = ? WHERE username = ?", (now_iso(), name))
        if rehash:
            c.execute("UPDATE accounts SET password_hash = ? WHERE username = ?", (rehash, name))
    return SignInResult(True, "ok", actor=actor, username=name)


def refresh_account_actor(ws: Workspace, username: str) -> auth.Actor | None:
    """The current actor for a signed-in account (its role may have changed); None once disabled or deleted."""
    account = _get_account(ws, username)
    if account is None or account.disabled:
        return None
    return account.actor()


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
