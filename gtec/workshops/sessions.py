"""Sessions and their parallel workshops: create, edit, move through the phases (facilitators and admins).

Every change goes through :meth:`gtec.storage.workspace.Workspace.write` (permission, one transaction, audit row).
The session code is the one of :mod:`gtec.access.workshops`: participants still join through
:func:`gtec.access.workshops.join_workshop` (throttled per browser session).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gtec.access import workshops as codes
from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.core.text import clean
from gtec.storage.workspace import Connection, UniqueViolation, Workspace
from gtec.workshops.model import (
    MAX_PLACE,
    MAX_PROMPT,
    MAX_QUESTION,
    MAX_TITLE,
    MAX_TRACKS,
    MAX_VOTE_BUDGET,
    MODERATIONS,
    PHASES,
    SESSION_LANGS,
    Session,
    Track,
)

DEFAULT_HOURS = 8.0


@dataclass(frozen=True)
class TrackSpec:
    """What a facilitator types for a parallel workshop."""

    title: str
    prompt: str = ""
    facilitator: str = ""


def _line(value: str | None, limit: int, key: str, required: bool = False) -> str:
    text = " ".join(clean(value).split())
    if len(text) > limit or (required and not text):
        raise UserError(key, max=limit)
    return text


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(microsecond=0)


def _clean_tracks(tracks: Sequence[TrackSpec]) -> list[TrackSpec]:
    out = [
        TrackSpec(
            _line(s.title, MAX_TITLE, "workshop.error.track_title", required=True),
            _line(s.prompt, MAX_PROMPT, "workshop.error.prompt_long"),
            _line(s.facilitator, MAX_TITLE, "workshop.error.title_long"),
        )
        for s in tracks
        if (s.title or "").strip() or (s.prompt or "").strip()
    ]
    if not 1 <= len(out) <= MAX_TRACKS:
        raise UserError("workshop.error.track_count", max=MAX_TRACKS)
    return out


def create_session(
    ws: Workspace,
    actor: auth.Actor,
    title: str,
    tracks: Sequence[TrackSpec],
    *,
    held_on: str = "",
    place: str = "",
    question: str = "",
    lang: str = "fr",
    vote_budget: int = 5,
    moderation: str = "post",
    hours: float = DEFAULT_HOURS,
    now: datetime | None = None,
) -> Session:
    """Create a session with 1 to 6 parallel workshops and a fresh join code, in one transaction.

    ``held_on`` is an ISO date (``2025-03-14``) or empty; ``hours`` is how long the code lets people join.
    Raises :class:`UserError` on a bad field.
    """
    auth.require(actor, "workshop.create")
    clean_title = _line(title, MAX_TITLE, "workshop.error.title", required=True)
    clean_tracks = _clean_tracks(tracks)
    fields = _details(held_on, place, question, lang, vote_budget, moderation)
    if not 0 < hours <= codes.MAX_WORKSHOP_HOURS:
        raise UserError("auth.error.hours_invalid", max=codes.MAX_WORKSHOP_HOURS)
    start = _now(now)
    closes = (start + timedelta(hours=hours)).isoformat()
    for _ in range(20):
        code = "".join(secrets.choice(codes.CODE_ALPHABET) for _ in range(codes.CODE_LENGTH))
        try:
            with ws.write(actor, "workshop.create", target=code, detail={"title": clean_title, **fields}) as c:
                c.execute(
                    "INSERT INTO workshop_sessions(code, title, created_by, created_at, closes_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (code, clean_title, actor.name, start.isoformat(), closes),
                )
                c.execute(
                    "INSERT INTO workshop_meta(code, held_on, place, question, lang, vote_budget, moderation)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (code, *fields.values()),
                )
                for position, spec in enumerate(clean_tracks, 1):
                    c.execute(
                        "INSERT INTO workshop_tracks(code, position, title, prompt, facilitator)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (code, position, spec.title, spec.prompt, spec.facilitator),
                    )
        except UniqueViolation:
            continue  # code already drawn: rolled back with its audit row, draw again
        session = get_session(ws, code)
        assert session is not None
        return session
    raise RuntimeError("could not draw a free workshop code")


def _details(held_on: str, place: str, question: str, lang: str, vote_budget: int, moderation: str) -> dict:
    day = (held_on or "").strip()
    if day:
        try:
            day = datetime.strptime(day, "%Y-%m-%d").date().isoformat()
        except ValueError:
            raise UserError("workshop.error.date") from None
    if lang not in SESSION_LANGS:
        raise UserError("workshop.error.lang")
    if moderation not in MODERATIONS:
        raise UserError("workshop.error.moderation")
    if not 1 <= int(vote_budget) <= MAX_VOTE_BUDGET:
        raise UserError("workshop.error.budget", max=MAX_VOTE_BUDGET)
    return {
        "held_on": day,
        "place": _line(place, MAX_PLACE, "workshop.error.place_long"),
        "question": _line(question, MAX_QUESTION, "workshop.error.question_long"),
        "lang": lang,
        "vote_budget": int(vote_budget),
        "moderation": moderation,
    }


def update_session(
    ws: Workspace,
    actor: auth.Actor,
    code: str,
    version: int,
    *,
    held_on: str,
    place: str,
    question: str,
    lang: str,
    vote_budget: int,
    moderation: str,
) -> Session:
    """Change a session's details; refused with :class:`EditConflict` if someone saved it since ``version``."""
    fields = _details(held_on, place, question, lang, vote_budget, moderation)
    code = codes.normalise_code(code)
    with ws.write(actor, "workshop.manage", target=code, detail=fields, scope=code) as c:
        row = c.one("SELECT version FROM workshop_meta WHERE code = ?", (code,))
        if row is None:
            raise UserError("auth.error.code_unknown")
        if row["version"] != version:
            raise EditConflict("workshop.error.conflict", [{"id": code, "field": "session"}])
        used = c.scalar("SELECT MAX(votes_used) FROM workshop_participants WHERE code = ?", (code,)) or 0
        if fields["vote_budget"] < used:
            raise UserError("workshop.error.budget_below_used", used=used)
        c.execute(
            "UPDATE workshop_meta SET held_on = ?, place = ?, question = ?, lang = ?, vote_budget = ?,"
            " moderation = ?, version = version + 1 WHERE code = ?",
            (*fields.values(), code),
        )
    session = get_session(ws, code)
    assert session is not None
    return session


def add_track(ws: Workspace, actor: auth.Actor, code: str, spec: TrackSpec) -> Track:
    """Add a parallel workshop (at most :data:`MAX_TRACKS` per session)."""
    (clean_spec,) = _clean_tracks([spec])
    code = codes.normalise_code(code)
    with ws.write(actor, "workshop.manage", target=code, detail={"track": clean_spec.title}, scope=code) as c:
        count = c.scalar("SELECT COUNT(*) FROM workshop_tracks WHERE code = ?", (code,))
        if count >= MAX_TRACKS:
            raise UserError("workshop.error.track_count", max=MAX_TRACKS)
        position = int(c.scalar("SELECT COALESCE(MAX(position), 0) FROM workshop_tracks WHERE code = ?", (code,)))
        track_id = c.scalar(
            "INSERT INTO workshop_tracks(code, position, title, prompt, facilitator) VALUES (?, ?, ?, ?, ?)"
            " RETURNING id",
            (code, position + 1, clean_spec.title, clean_spec.prompt, clean_spec.facilitator),
        )
    return Track(int(track_id), position + 1, clean_spec.title, clean_spec.prompt, clean_spec.facilitator)


def set_phase(
    ws: Workspace,
    actor: auth.Actor,
    code: str,
    phase: str,
    minutes: float | None = None,
    now: datetime | None = None,
) -> Session:
    """Open a phase (``contribute``, ``vote``) or close the session (``closed``), with an optional timer.

    After ``minutes`` the phase refuses input with a clear message until the facilitator opens another one.
    Closing also ends the join code (:func:`gtec.access.workshops.close_workshop` semantics).
    """
    if phase not in PHASES:
        raise UserError("workshop.error.phase")
    if minutes is not None and not 0 < minutes <= 24 * 60:
        raise UserError("workshop.error.minutes")
    code = codes.normalise_code(code)
    start = _now(now)
    ends = (start + timedelta(minutes=minutes)).isoformat() if minutes and phase != "closed" else None
    with ws.write(actor, "workshop.phase", target=code, detail={"phase": phase, "ends_at": ends}, scope=code) as c:
        row = c.one("SELECT closes_at FROM workshop_sessions WHERE code = ?", (code,))
        if row is None or c.one("SELECT 1 FROM workshop_meta WHERE code = ?", (code,)) is None:
            raise UserError("auth.error.code_unknown")
        c.execute(
            "UPDATE workshop_meta SET phase = ?, phase_ends_at = ?, version = version + 1 WHERE code = ?",
            (phase, ends, code),
        )
        if phase == "closed" and row["closes_at"] > start.isoformat():
            c.execute("UPDATE workshop_sessions SET closes_at = ? WHERE code = ?", (start.isoformat(), code))
    session = get_session(ws, code)
    assert session is not None
    return session


_SESSION_SQL = (
    "SELECT s.code, s.title, s.created_by, s.created_at, s.closes_at, m.held_on, m.place, m.question, m.lang,"
    " m.vote_budget, m.moderation, m.phase, m.phase_ends_at, m.version"
    " FROM workshop_sessions s JOIN workshop_meta m ON m.code = s.code"
)


def read_session(conn: Connection, code: str) -> Session | None:
    """The session ``code`` with its parallel workshops, read on an open connection (None if unknown)."""
    row = conn.one(_SESSION_SQL + " WHERE s.code = ?", (codes.normalise_code(code),))
    if row is None:
        return None
    tracks = conn.all(
        "SELECT id, position, title, prompt, facilitator FROM workshop_tracks WHERE code = ? ORDER BY position",
        (row["code"],),
    )
    return Session(**dict(row), tracks=tuple(Track(**dict(t)) for t in tracks))


def get_session(ws: Workspace, code: str) -> Session | None:
    """The session ``code`` (anyone holding the code may read its title, question and workshops)."""
    with ws.read() as conn:
        return read_session(conn, code)


def list_sessions(ws: Workspace, actor: auth.Actor) -> list[Session]:
    """Co-creation sessions, most recent first (facilitators and admins)."""
    auth.require(actor, "workshop.create")
    with ws.read() as conn:
        rows = conn.all(_SESSION_SQL + " ORDER BY s.created_at DESC, s.code")
        return [s for s in (read_session(conn, r["code"]) for r in rows) if s is not None]


def phase_open(session: Session, now: datetime | None = None) -> bool:
    """True when the current phase has no timer or its timer has not run out."""
    if session.phase_ends_at is None:
        return True
    return datetime.fromisoformat(session.phase_ends_at) > (now or datetime.now(UTC))


def seconds_left(session: Session, now: datetime | None = None) -> int | None:
    """Whole seconds before the phase timer runs out (0 when over), None without a timer."""
    if session.phase_ends_at is None:
        return None
    delta = datetime.fromisoformat(session.phase_ends_at) - (now or datetime.now(UTC))
    return max(0, int(delta.total_seconds()))
