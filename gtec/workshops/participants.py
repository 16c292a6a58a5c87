"""Participants: join a session from a phone and keep one's identity across reloads and dropped connections.

Joining goes through :func:`gtec.access.workshops.join_workshop` (wrong codes throttled per browser session), then
records the participant with the SHA-256 of a fresh random token. The token is handed back once and lives in the
participant page's URL (``?p=...``), never in server memory: a reload, a new tab or a reconnection with the same
URL finds the same participant, their votes and their reactions.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from gtec.access import throttle
from gtec.access import workshops as codes
from gtec.core.errors import UserError
from gtec.core.text import clean
from gtec.storage.workspace import Connection, Workspace, now_iso
from gtec.workshops.model import MAX_NICKNAME, STAKEHOLDERS, Participant

TOKEN_BYTES = 24
_COLUMNS = "id, code, nickname, stakeholder, track_id, votes_used"


def token_hash(token: str) -> str:
    """SHA-256 hex of a participant token (the only form stored)."""
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def clean_nickname(nickname: str | None) -> str:
    """A nickname on one line, at most :data:`MAX_NICKNAME` characters (empty = anonymous)."""
    text = " ".join(clean(nickname).split())
    if len(text) > MAX_NICKNAME:
        raise UserError("workshop.error.nickname_long", max=MAX_NICKNAME)
    return text


def join(
    ws: Workspace,
    code: str,
    stakeholder: str,
    nickname: str = "",
    track_id: int | None = None,
    *,
    client: str = "",
    browser: str = "",
    clock: Callable[[], float] = time.time,
    limits: throttle.RateLimit = throttle.WORKSHOP_LIMITS,
) -> tuple[str, Participant]:
    """Join the session ``code`` as a participant of the declared ``stakeholder`` group.

    Returns ``(token, participant)``: the token is shown nowhere but in the page URL and cannot be recovered
    (only its hash is kept). Raises :class:`UserError` for a wrong, closed or throttled code, an unknown group,
    a nickname too long or a workshop of another session.
    """
    if stakeholder not in STAKEHOLDERS:
        raise UserError("workshop.error.stakeholder")
    name = clean_nickname(nickname)
    actor, session = codes.join_workshop(ws, code, client, browser, clock=clock, limits=limits)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with ws.write(
        actor, "workshop.join", target=session.code, detail={"stakeholder": stakeholder}, scope=actor.scope
    ) as c:
        if c.one("SELECT phase FROM workshop_meta WHERE code = ?", (session.code,)) is None:
            raise UserError("auth.error.code_unknown")  # a bare access code without co-creation details
        if track_id is not None:
            _check_track(c, session.code, track_id)
        pid = c.scalar(
            "INSERT INTO workshop_participants(code, token_sha256, nickname, stakeholder, track_id, joined_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (session.code, token_hash(token), name, stakeholder, track_id, now_iso()),
        )
    return token, Participant(int(pid), session.code, name, stakeholder, track_id, 0)


def _check_track(conn: Connection, code: str, track_id: int) -> None:
    if conn.one("SELECT 1 FROM workshop_tracks WHERE id = ? AND code = ?", (track_id, code)) is None:
        raise UserError("workshop.error.track_unknown")


def from_token(ws: Workspace, token: str | None) -> Participant | None:
    """The participant holding ``token`` (from the page URL), or None for a missing or unknown token."""
    if not token or len(token) > 200:
        return None
    with ws.read() as conn:
        row = conn.one(f"SELECT {_COLUMNS} FROM workshop_participants WHERE token_sha256 = ?", (token_hash(token),))
    return Participant(**dict(row)) if row else None


def get_participant(ws: Workspace, participant_id: int) -> Participant | None:
    """A participant by id (fresh vote count)."""
    with ws.read() as conn:
        row = conn.one(f"SELECT {_COLUMNS} FROM workshop_participants WHERE id = ?", (participant_id,))
    return Participant(**dict(row)) if row else None


def update_profile(
    ws: Workspace, participant: Participant, *, track_id: int | None, stakeholder: str, nickname: str
) -> Participant:
    """Change one's workshop, declared group or nickname (one's votes and reactions stay)."""
    if stakeholder not in STAKEHOLDERS:
        raise UserError("workshop.error.stakeholder")
    name = clean_nickname(nickname)
    actor = participant.actor
    detail = {"track_id": track_id, "stakeholder": stakeholder}
    with ws.write(actor, "workshop.join", target=participant.code, detail=detail, scope=participant.code) as c:
        if track_id is not None:
            _check_track(c, participant.code, track_id)
        c.execute(
            "UPDATE workshop_participants SET track_id = ?, stakeholder = ?, nickname = ? WHERE id = ?",
            (track_id, stakeholder, name, participant.id),
        )
    fresh = get_participant(ws, participant.id)
    assert fresh is not None
    return fresh
