"""Structured peer exchanges, the method for distant partners: a host partner brings a practice or a challenge;
peers from at least two other countries prepare questions asynchronously (one thread per exchange, FR or EN),
meet (date, online or on site, who took part) and record findings and recommendations; each recommendation
becomes a follow-up item with an owner and a date. Phases: ``questions`` -> ``met`` -> ``closed``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.text import clean
from gtec.practices.library import COUNTRIES, LANGS
from gtec.storage.workspace import Workspace, now_iso

KINDS: tuple[str, ...] = ("practice", "challenge")
MODES: tuple[str, ...] = ("online", "on_site")
MIN_PEER_COUNTRIES = 2
MAX_TITLE = 160
MAX_TEXT = 6000


def _text(value: str, limit: int, key: str, *, multiline: bool = False, required: bool = True) -> str:
    text = clean(value, keep_newlines=multiline).strip()
    if required and not text:
        raise UserError(key)
    if len(text) > limit:
        raise UserError("practices.error.too_long", field=key.rsplit(".", 1)[-1], max=limit)
    return text


def create_exchange(
    ws: Workspace,
    actor: auth.Actor,
    *,
    title: str,
    kind: str,
    host_org: str,
    host_country: str,
    peers: Sequence[tuple[str, str]],
    practice_id: int | None = None,
    challenge: str = "",
) -> int:
    """Open an exchange. ``peers`` are ``(organisation, country)``; they must come from at least
    :data:`MIN_PEER_COUNTRIES` countries other than the host's (``exchange.error.peers``)."""
    title = _text(title, MAX_TITLE, "exchange.error.title")
    host_org = _text(host_org, MAX_TITLE, "exchange.error.host")
    if kind not in KINDS:
        raise UserError("exchange.error.kind")
    if host_country not in COUNTRIES:
        raise UserError("practices.error.country")
    if kind == "practice" and practice_id is None:
        raise UserError("exchange.error.practice")
    challenge = _text(challenge, MAX_TEXT, "exchange.error.challenge", multiline=True, required=kind == "challenge")
    clean_peers = []
    for org, country in peers:
        org = clean(org).strip()
        if org and country in COUNTRIES:
            clean_peers.append((org[:MAX_TITLE], country))
    if len({c for _, c in clean_peers if c != host_country}) < MIN_PEER_COUNTRIES:
        raise UserError("exchange.error.peers", count=MIN_PEER_COUNTRIES)
    with ws.write(actor, "exchange.manage", target=title[:80], detail={"step": "create"}) as conn:
        new_id = int(
            conn.scalar(
                "INSERT INTO exchanges(title, kind, practice_id, host_org, host_country, challenge, created_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (title, kind, practice_id, host_org, host_country, challenge, actor.name, now_iso()),
            )
        )
        for org, country in dict(clean_peers).items():
            conn.execute(
                "INSERT INTO exchange_peers(exchange_id, org, country) VALUES (?, ?, ?)", (new_id, org, country)
            )
    return new_id


def post_question(
    ws: Workspace,
    actor: auth.Actor,
    exchange_id: int,
    body: str,
    *,
    org: str = "",
    lang: str = "fr",
    parent_id: int | None = None,
) -> int:
    """Add a question (or, with ``parent_id``, a reply) to the exchange's thread."""
    body = _text(body, MAX_TEXT, "exchange.error.question", multiline=True)
    detail = {"reply_to": parent_id} if parent_id is not None else {}
    with ws.write(actor, "exchange.post", target=str(exchange_id), detail=detail) as conn:
        phase = conn.scalar("SELECT phase FROM exchanges WHERE id = ?", (exchange_id,))
        if phase is None:
            raise UserError("exchange.error.unknown")
        if phase == "closed":
            raise UserError("exchange.error.closed")
        if parent_id is not None and not conn.scalar(
            "SELECT COUNT(*) FROM exchange_posts WHERE id = ? AND exchange_id = ?", (parent_id, exchange_id)
        ):
            raise UserError("exchange.error.parent")
        return int(
            conn.scalar(
                "INSERT INTO exchange_posts(exchange_id, parent_id, author, org, lang, body, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    exchange_id,
                    parent_id,
                    actor.name,
                    clean(org)[:MAX_TITLE],
                    lang if lang in LANGS else "fr",
                    body,
                    now_iso(),
                ),
            )
        )


def record_meeting(
    ws: Workspace,
    actor: auth.Actor,
    exchange_id: int,
    *,
    date: str,
    mode: str,
    attendees: Sequence[str],
    findings: str,
) -> None:
    """Record the meeting (ISO date, ``online``/``on_site``, who took part) and its findings; phase -> ``met``."""
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise UserError("exchange.error.date") from None
    if mode not in MODES:
        raise UserError("exchange.error.mode")
    people = [clean(a).strip()[:MAX_TITLE] for a in attendees if clean(a).strip()]
    if not people:
        raise UserError("exchange.error.attendees")
    findings = _text(findings, MAX_TEXT, "exchange.error.findings", multiline=True)
    with ws.write(actor, "exchange.manage", target=str(exchange_id), detail={"step": "meeting"}) as conn:
        done = conn.execute(
            "UPDATE exchanges SET meeting_date = ?, meeting_mode = ?, attendees = ?, findings = ?, phase = 'met', "
            "version = version + 1 WHERE id = ? AND phase != 'closed'",
            (date, mode, json.dumps(people, ensure_ascii=False), findings, exchange_id),
        ).rowcount
        if not done:
            raise UserError("exchange.error.unknown")


def add_recommendation(
    ws: Workspace, actor: auth.Actor, exchange_id: int, *, recommendation: str, owner: str, due_on: str
) -> int:
    """A recommendation of the meeting, stored as a follow-up item with an owner and a due date."""
    text = _text(recommendation, MAX_TEXT, "exchange.error.recommendation", multiline=True)
    owner = _text(owner, MAX_TITLE, "exchange.error.owner")
    try:
        dt.date.fromisoformat(due_on)
    except ValueError:
        raise UserError("exchange.error.date") from None
    with ws.write(actor, "exchange.manage", target=str(exchange_id), detail={"step": "recommendation"}) as conn:
        if conn.scalar("SELECT phase FROM exchanges WHERE id = ?", (exchange_id,)) != "met":
            raise UserError("exchange.error.not_met")
        new_id = int(
            conn.scalar(
                "INSERT INTO exchange_followups(exchange_id, recommendation, owner, due_on, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (exchange_id, text, owner, due_on, now_iso()),
            )
        )
        conn.execute("UPDATE exchange_followups SET uid = ? WHERE id = ?", (followup_uid(new_id), new_id))
    return new_id


def followup_uid(followup_id: int) -> str:
    """The stable text id of a follow-up item (``EXF-12``): the roadmap's actions point at it."""
    return f"EXF-{int(followup_id)}"


def close_exchange(ws: Workspace, actor: auth.Actor, exchange_id: int, version: int) -> None:
    """Close an exchange once its meeting is recorded: the thread and recommendations are then read-only.

    Refused before the meeting (``exchange.error.not_met``) and when someone changed the exchange since
    ``version`` (``exchange.error.conflict``). Follow-up items stay open until marked done.
    """
    with ws.write(actor, "exchange.manage", target=str(exchange_id), detail={"step": "close"}) as conn:
        row = conn.one("SELECT phase, version FROM exchanges WHERE id = ?", (exchange_id,))
        if row is None:
            raise UserError("exchange.error.unknown")
        if row["phase"] != "met":
            raise UserError("exchange.error.closed" if row["phase"] == "closed" else "exchange.error.not_met")
        if row["version"] != version:
            raise UserError("exchange.error.conflict")
        conn.execute(
            "UPDATE exchanges SET phase = 'closed', closed_at = ?, closed_by = ?, version = version + 1 WHERE id = ?",
            (now_iso(), actor.name, exchange_id),
        )


def list_followups(ws: Workspace, state: str | None = None) -> list[dict[str, Any]]:
    """Every follow-up item of every exchange (uid, exchange, recommendation, owner, due date, state), by due date.

    The roadmap reads this to turn recommendations into actions, pointing at ``uid``.
    """
    sql = (
        "SELECT f.id, f.uid, f.exchange_id, e.title AS exchange_title, f.recommendation, f.owner, f.due_on, f.state "
        "FROM exchange_followups f JOIN exchanges e ON e.id = f.exchange_id"
    )
    params: list[str] = []
    if state is not None:
        sql += " WHERE f.state = ?"
        params.append(state)
    with ws.read() as conn:
        return [dict(r) for r in conn.all(sql + " ORDER BY f.due_on, f.id", params)]


def set_followup_state(ws: Workspace, actor: auth.Actor, followup_id: int, state: str) -> None:
    """Mark a follow-up item ``open`` or ``done``."""
    if state not in ("open", "done"):
        raise UserError("exchange.error.state")
    with ws.write(actor, "exchange.manage", target=str(followup_id), detail={"step": "followup", "state": state}) as c:
        if not c.execute("UPDATE exchange_followups SET state = ? WHERE id = ?", (state, followup_id)).rowcount:
            raise UserError("exchange.error.unknown")


def list_exchanges(ws: Workspace) -> list[dict[str, Any]]:
    """Every exchange, newest first (id, title, kind, host, phase)."""
    with ws.read() as conn:
        rows = conn.all("SELECT id, title, kind, host_org, host_country, phase FROM exchanges ORDER BY id DESC")
    return [dict(r) for r in rows]


def load_exchange(ws: Workspace, exchange_id: int) -> dict[str, Any] | None:
    """One exchange with its peers, thread (oldest first), attendees and follow-up items."""
    with ws.read() as conn:
        row = conn.one("SELECT * FROM exchanges WHERE id = ?", (exchange_id,))
        if row is None:
            return None
        out = dict(row)
        out["attendees"] = json.loads(out["attendees"] or "[]")
        out["peers"] = [
            dict(r)
            for r in conn.all(
                "SELECT org, country FROM exchange_peers WHERE exchange_id = ? ORDER BY id", (exchange_id,)
            )
        ]
        out["posts"] = [
            dict(r)
            for r in conn.all(
                "SELECT id, parent_id, author, org, lang, body, created_at FROM exchange_posts WHERE exchange_id = ? "
                "ORDER BY id",
                (exchange_id,),
            )
        ]
        out["followups"] = [
            dict(r)
            for r in conn.all(
                "SELECT id, uid, recommendation, owner, due_on, state FROM exchange_followups WHERE exchange_id = ? "
                "ORDER BY due_on, id",
                (exchange_id,),
            )
        ]
        if out["practice_id"] is not None:
            title = conn.one("SELECT title_fr, title_en, theme FROM practices WHERE id = ?", (out["practice_id"],))
            out["practice"] = dict(title) if title else None
            out["practice_theme"] = title["theme"] if title else None
    return out
