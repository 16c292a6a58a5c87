"""Sign-in and join throttling: per (account, client), enforced server-side, without locking the rightful user out.

Every attempt is written to the ``login_attempts`` ledger (through :meth:`Workspace.ledger`) *before* the
secret is checked, so concurrent attempts see each other and a restart does not reset anything. For an
attempt on ``key`` (a username, or ``#workshop:<browser session>``) from ``client`` (the address):

- **spacing**: after ``n`` recent failures of the same (key, client) pair, the next attempt is not accepted
  before ``base_delay_s * 2**(n-1)`` seconds (capped) have passed since the last one; earlier attempts are
  refused as ``throttled`` without checking the secret. The wait is a time in the ledger, not a
  ``sleep`` in the server thread: firing requests in parallel or in a loop does not get more guesses.
- **pair lockout**: at ``pair_lock_after`` failures, that client is refused for that key until the oldest
  counted failure is ``window_s`` old. The same account from another client is not affected: an attacker
  cannot keep an admin out by failing on purpose.
- **client lockout** (password spraying): at ``client_lock_after`` failures from one client over all keys,
  that client is refused (``None`` disables it: a workshop room shares one address).
- **account spacing**: failures on one key from many clients (a distributed attack) only space that key's
  attempts (``key_delay_after``, at most ``max_key_delay_s``), never lock it.

A success or an admin reset (``python -m gtec user unlock NAME`` or the accounts page) clears the key's count.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from gtec.core import auth
from gtec.storage.workspace import Connection, Workspace


@dataclass(frozen=True)
class RateLimit:
    """How failures are spaced and refused (see the module docstring)."""

    window_s: float = 15 * 60
    pair_lock_after: int = 5
    client_lock_after: int | None = 20
    client_delay_after: int = 5
    key_delay_after: int = 10
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_key_delay_s: float = 2.0


DEFAULT_LIMITS = RateLimit()
#: Workshop codes are typed by a whole room, often behind one address: the lockout is per browser session,
#: the shared address is only spaced after many failures, never locked.
WORKSHOP_LIMITS = RateLimit(
    pair_lock_after=10, client_lock_after=None, client_delay_after=60, key_delay_after=10**9, max_delay_s=4.0
)


@dataclass(frozen=True)
class Throttle:
    """The state an attempt meets: ``allowed`` now, or refused (``locked`` or too soon) for ``retry_after_s``."""

    pair_failures: int
    client_failures: int
    key_failures: int
    delay_s: float
    locked: bool
    retry_after_s: float

    @property
    def allowed(self) -> bool:
        return not self.locked and self.retry_after_s <= 0


def _delay(failures: int, limits: RateLimit) -> float:
    return 0.0 if failures <= 0 else min(limits.base_delay_s * 2 ** (failures - 1), limits.max_delay_s)


def _failures(conn: Connection, where: str, params: tuple, since: float, after_id: int = 0) -> list[float]:
    rows = conn.all(
        f"SELECT at FROM login_attempts WHERE outcome = 'failure' AND at > ? AND id > ? AND {where} ORDER BY at",
        (since, after_id, *params),
    )
    return [float(r[0]) for r in rows]


def evaluate(conn: Connection, key: str, client: str, now: float, limits: RateLimit) -> Throttle:
    """The throttle an attempt on ``key`` from ``client`` at ``now`` meets (reads the ledger only)."""
    since = now - limits.window_s
    # Failures count from the key's last success or admin reset (by ledger order, not time: same-instant rows).
    boundary = conn.scalar(
        "SELECT MAX(id) FROM login_attempts WHERE username = ? AND outcome IN ('success', 'reset')", (key,)
    )
    after = int(boundary or 0)
    key_times = _failures(conn, "username = ?", (key,), since, after)
    pair_times = _failures(conn, "username = ? AND client = ?", (key, client), since, after)
    client_times = _failures(conn, "client = ?", (client,), since) if client else []

    lifts = []
    if len(pair_times) >= limits.pair_lock_after:
        lifts.append(pair_times[len(pair_times) - limits.pair_lock_after] + limits.window_s)
    if limits.client_lock_after is not None and len(client_times) >= limits.client_lock_after:
        lifts.append(client_times[len(client_times) - limits.client_lock_after] + limits.window_s)
    if lifts:
        wait = max(0.0, max(lifts) - now)
        return Throttle(len(pair_times), len(client_times), len(key_times), 0.0, True, wait)

    # Spacing: each rule gives (delay, time of the failure it counts from); the attempt waits for all.
    rules = [(_delay(len(pair_times), limits), pair_times[-1] if pair_times else None)]
    if len(client_times) >= limits.client_delay_after:
        rules.append((_delay(len(client_times) - limits.client_delay_after + 1, limits), client_times[-1]))
    if len(key_times) >= limits.key_delay_after:
        spaced = min(_delay(len(key_times) - limits.key_delay_after + 1, limits), limits.max_key_delay_s)
        rules.append((spaced, key_times[-1]))
    delay = max(d for d, _ in rules)
    ready_at = max((last + d for d, last in rules if last is not None and d > 0), default=now)
    return Throttle(len(pair_times), len(client_times), len(key_times), delay, False, max(0.0, ready_at - now))


def begin_attempt(ws: Workspace, key: str, client: str, now: float, limits: RateLimit) -> tuple[Throttle, int | None]:
    """Check the throttle and record the attempt in the same transaction.

    Returns the state and the attempt id (recorded as a failure until :func:`mark_success`), or None when the
    attempt is refused (recorded as ``locked`` or ``throttled``, which do not count as failures).
    """
    with ws.ledger() as conn:
        state = evaluate(conn, key, client, now, limits)
        outcome = "failure" if state.allowed else ("locked" if state.locked else "throttled")
        attempt_id = conn.scalar(
            "INSERT INTO login_attempts(at, username, client, outcome) VALUES (?, ?, ?, ?) RETURNING id",
            (now, key, client, outcome),
        )
    return state, (int(attempt_id) if state.allowed else None)


def mark_success(ws: Workspace, attempt_id: int) -> None:
    """The attempt was right: it no longer counts, and the key's earlier failures stop counting."""
    with ws.ledger() as conn:
        conn.execute("UPDATE login_attempts SET outcome = 'success' WHERE id = ?", (attempt_id,))


def state(
    ws: Workspace, key: str, client: str = "", *, now: float | None = None, limits: RateLimit = DEFAULT_LIMITS
) -> Throttle:
    """The throttle the next attempt on ``key`` from ``client`` would meet (read only)."""
    with ws.read() as conn:
        return evaluate(conn, key, client, time.time() if now is None else now, limits)


def reset(ws: Workspace, actor: auth.Actor, key: str, now: float | None = None) -> None:
    """Lift a key's lockout (admins): its earlier failures, from every client, no longer count. Audited."""
    with ws.write(actor, "user.manage", target=key, detail={"op": "unlock"}) as conn:
        conn.execute(
            "INSERT INTO login_attempts(at, username, client, outcome) VALUES (?, ?, '', 'reset')",
            (time.time() if now is None else now, key),
        )


def recent_attempts(ws: Workspace, actor: auth.Actor, limit: int = 100) -> list[dict]:
    """The latest attempts, most recent first (admins: ``audit.read``): at (ISO), username, client, outcome."""
    auth.require(actor, "audit.read")
    with ws.read() as conn:
        rows = conn.all("SELECT at, username, client, outcome FROM login_attempts ORDER BY id DESC LIMIT ?", (limit,))
    return [{**dict(r), "at": datetime.fromtimestamp(r["at"], UTC).replace(microsecond=0).isoformat()} for r in rows]
