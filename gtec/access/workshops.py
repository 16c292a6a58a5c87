"""Workshop session codes: a facilitator opens a session, participants join it with its code, no account.

Participants act as ``Actor("participant-XXXX", "participant", scope=code)`` until the session closes. Wrong
codes are throttled per browser session (``#workshop:<session>`` in the ledger), and the room's shared address
is only spaced after many failures, never locked (:data:`gtec.access.throttle.WORKSHOP_LIMITS`): one
participant typing wrong codes cannot block the room's joins.
"""

from __future__ import annotations

import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gtec.access import throttle
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.storage.workspace import UniqueViolation, Workspace

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from a projector
CODE_LENGTH = 6
MAX_WORKSHOP_HOURS = 72
MAX_TITLE = 120


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


_COLUMNS = "code, title, created_by, created_at, closes_at"


def normalise_code(code: str) -> str:
    """Upper-case code without spaces or dashes (``"k7m-4qp"`` -> ``"K7M4QP"``)."""
    return re.sub(r"[\s-]", "", code or "").upper()[:32]


def format_code(code: str) -> str:
    """A code as shown on screen, in two groups of three (``K7M 4QP``)."""
    return f"{code[:3]} {code[3:]}" if len(code) == CODE_LENGTH else code


def create_workshop(
    ws: Workspace, actor: auth.Actor, title: str, hours: float = 4, now: datetime | None = None
) -> WorkshopSession:
    """Open a workshop session for ``hours`` hours with a fresh random code (facilitators and admins)."""
    auth.require(actor, "workshop.create")
    clean = " ".join((title or "").split())
    if not 1 <= len(clean) <= MAX_TITLE:
        raise UserError("auth.error.title_invalid")
    if not 0 < hours <= MAX_WORKSHOP_HOURS:
        raise UserError("auth.error.hours_invalid", max=MAX_WORKSHOP_HOURS)
    start = (now or datetime.now(UTC)).replace(microsecond=0)
    closes = (start + timedelta(hours=hours)).isoformat()
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with ws.write(actor, "workshop.create", target=code, detail={"title": clean}) as c:
                c.execute(
                    f"INSERT INTO workshop_sessions({_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                    (code, clean, actor.name, start.isoformat(), closes),
                )
        except UniqueViolation:
            continue  # code already drawn (rolled back with its audit row); draw again
        return WorkshopSession(code, clean, actor.name, start.isoformat(), closes)
    raise RuntimeError("could not draw a free workshop code")


def close_workshop(ws: Workspace, actor: auth.Actor, code: str, now: datetime | None = None) -> None:
    """Close a workshop session now: its participants fall back to readers at their next action."""
    auth.require(actor, "workshop.close")
    clean = normalise_code(code)
    when = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    with ws.write(actor, "workshop.close", target=clean) as c:
        row = c.one("SELECT closes_at FROM workshop_sessions WHERE code = ?", (clean,))
        if row is None:
            raise UserError("auth.error.code_unknown")
        if row["closes_at"] > when:  # ISO UTC strings of one format compare as times
            c.execute("UPDATE workshop_sessions SET closes_at = ? WHERE code = ?", (when, clean))


def list_workshops(ws: Workspace, actor: auth.Actor, include_closed: bool = True) -> list[WorkshopSession]:
    """Workshop sessions, most recent first (facilitators and admins)."""
    auth.require(actor, "workshop.create")
    with ws.read() as conn:
        rows = conn.all(f"SELECT {_COLUMNS} FROM workshop_sessions ORDER BY created_at DESC")
    sessions = [WorkshopSession(**dict(r)) for r in rows]
    return sessions if include_closed else [s for s in sessions if s.is_open()]


def _get_workshop(ws: Workspace, code: str) -> WorkshopSession | None:
    with ws.read() as conn:
        row = conn.one(f"SELECT {_COLUMNS} FROM workshop_sessions WHERE code = ?", (normalise_code(code),))
    return WorkshopSession(**dict(row)) if row else None


def join_workshop(
    ws: Workspace,
    code: str,
    client: str = "",
    browser: str = "",
    *,
    clock: Callable[[], float] = time.time,
    limits: throttle.RateLimit = throttle.WORKSHOP_LIMITS,
) -> tuple[auth.Actor, WorkshopSession]:
    """Join an open workshop session by code: an anonymous participant scoped to it.

    ``client`` is the address, ``browser`` the browser session. Wrong codes are failures of that browser
    session (spaced, then refused for it) so codes cannot be guessed quickly. Raises :class:`UserError`
    (``code_unknown``, ``code_closed``, ``code_wait``, ``code_locked``) or returns the actor and the session.
    """
    clean = normalise_code(code)
    key = f"#workshop:{(browser or client or '')[:100]}"
    state, attempt_id = throttle.begin_attempt(ws, key, (client or "")[:128], clock(), limits)
    if attempt_id is None:
        if state.locked:
            raise UserError("auth.error.code_locked", minutes=max(1, math.ceil(state.retry_after_s / 60)))
        raise UserError("auth.error.code_wait", seconds=max(1, math.ceil(state.retry_after_s)))
    session = _get_workshop(ws, clean) if clean else None
    if session is None:
        raise UserError("auth.error.code_unknown")
    throttle.mark_success(ws, attempt_id)  # a known code is not a guess, even if the session has closed
    if not session.is_open(datetime.fromtimestamp(clock(), UTC)):
        raise UserError("auth.error.code_closed")
    return auth.Actor(f"participant-{secrets.token_hex(2)}", "participant", scope=session.code), session
