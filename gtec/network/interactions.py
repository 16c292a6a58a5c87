"""The interaction log (date, type, organisations, people, notes) and collaborations between organisations (a
declared type, dates, the parties). Writes go through ``Workspace.write`` (``network.edit``), audit details ids
only. People are linked by contact id; a reader of the log sees them only when signed in (``network.contact_read``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.text import clean
from gtec.network import vocab
from gtec.network.dates import parse_day
from gtec.storage.workspace import Connection, Workspace, now_iso

MAX_NOTES = 4000
MAX_TITLE = 160


def _live_organisations(conn: Connection, ids: Sequence[int]) -> list[int]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    rows = conn.all(
        f"SELECT id FROM organisations WHERE merged_into IS NULL AND id IN ({', '.join('?' for _ in wanted)})",
        wanted,
    )
    if len(rows) != len(wanted):
        raise UserError("network.error.unknown_organisation")
    return wanted


def log_interaction(
    ws: Workspace,
    actor: auth.Actor,
    occurred_on: object,
    interaction_type: str,
    organisation_ids: Sequence[int],
    contact_ids: Sequence[int] = (),
    notes: str = "",
    today: date | None = None,
) -> int:
    """Record an interaction with at least one live organisation; returns its id.

    Contacts must be live (not erased) contacts of the organisations taking part. Raises ``UserError``
    (``network.error.interaction_type`` / ``no_organisation`` / ``date`` / ``future_date`` / ``unknown_contact``
    / ``too_long``).
    """
    if interaction_type not in vocab.INTERACTION_TYPES:
        raise UserError("network.error.interaction_type")
    day = parse_day(occurred_on, today=today)
    if not organisation_ids:
        raise UserError("network.error.no_organisation")
    text = clean(notes, keep_newlines=True).strip()
    if len(text) > MAX_NOTES:
        raise UserError("network.error.too_long", max=MAX_NOTES)
    detail: dict[str, Any] = {"op": "interaction", "organisations": sorted({int(i) for i in organisation_ids})}
    with ws.write(actor, "network.edit", target="interaction", detail=detail) as conn:
        orgs = _live_organisations(conn, organisation_ids)
        people = sorted({int(c) for c in contact_ids})
        for contact in people:
            row = conn.one("SELECT organisation_id, erased_at FROM contacts WHERE id = ?", (contact,))
            if row is None or row["erased_at"] or row["organisation_id"] not in orgs:
                raise UserError("network.error.unknown_contact")
        new_id = int(
            conn.scalar(
                "INSERT INTO interactions(occurred_on, interaction_type, notes, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (day.isoformat(), interaction_type, text, actor.name, now_iso()),
            )
        )
        conn.executemany(
            "INSERT INTO interaction_organisations(interaction_id, organisation_id) VALUES (?, ?)",
            [(new_id, o) for o in orgs],
        )
        conn.executemany(
            "INSERT INTO interaction_participants(interaction_id, contact_id) VALUES (?, ?)",
            [(new_id, c) for c in people],
        )
        detail.update(id=new_id, contacts=people)
    return new_id


def list_interactions(ws: Workspace, actor: auth.Actor, limit: int = 200) -> list[dict[str, Any]]:
    """The most recent interactions first: date, type, organisation names, and (signed-in roles only) the people
    and the notes (None for readers); ``anonymous`` counts participants whose data was erased."""
    show_people = auth.can(actor, "network.contact_read")
    with ws.read() as conn:
        rows = [
            dict(r)
            for r in conn.all(
                "SELECT id, occurred_on, interaction_type, notes, anonymous_participants FROM interactions "
                "ORDER BY occurred_on DESC, id DESC LIMIT ?",
                (limit,),
            )
        ]
        ids = [r["id"] for r in rows]
        orgs: dict[int, list[str]] = {i: [] for i in ids}
        people: dict[int, list[str]] = {i: [] for i in ids}
        if ids:
            marks = ", ".join("?" for _ in ids)
            for link in conn.all(
                "SELECT io.interaction_id, o.name FROM interaction_organisations io "
                f"JOIN organisations o ON o.id = io.organisation_id WHERE io.interaction_id IN ({marks}) "
                "ORDER BY o.name_key",
                ids,
            ):
                orgs[link[0]].append(link[1])
            if show_people:
                for link in conn.all(
                    "SELECT p.interaction_id, c.full_name FROM interaction_participants p "
                    f"JOIN contacts c ON c.id = p.contact_id WHERE p.interaction_id IN ({marks}) ORDER BY c.full_name",
                    ids,
                ):
                    people[link[0]].append(link[1])
    for r in rows:
        r["organisations"] = orgs[r["id"]]
        r["people"] = people[r["id"]] if show_people else None
        if not show_people:  # notes are free text: they may name people, so readers do not get them
            r["notes"] = None
        r["anonymous"] = r.pop("anonymous_participants")
    return rows


def create_collaboration(
    ws: Workspace,
    actor: auth.Actor,
    collab_type: str,
    organisation_ids: Sequence[int],
    start: object,
    end: object = "",
    title: str = "",
    notes: str = "",
) -> int:
    """Record a collaboration (a declared type, a start, an optional end not before it, two parties or more)."""
    if collab_type not in vocab.COLLAB_TYPES:
        raise UserError("network.error.collab_type")
    first = parse_day(start, allow_future=True)
    last = parse_day(end, allow_future=True) if end else None
    if last is not None and last < first:
        raise UserError("network.error.end_before_start")
    if len({int(i) for i in organisation_ids}) < 2:
        raise UserError("network.error.two_parties")
    title_text = " ".join(clean(title).split())
    text = clean(notes, keep_newlines=True).strip()
    if len(title_text) > MAX_TITLE or len(text) > MAX_NOTES:
        raise UserError("network.error.too_long", max=MAX_NOTES)
    detail: dict[str, Any] = {"op": "collaboration", "organisations": sorted({int(i) for i in organisation_ids})}
    with ws.write(actor, "network.edit", target="collaboration", detail=detail) as conn:
        orgs = _live_organisations(conn, organisation_ids)
        new_id = int(
            conn.scalar(
                "INSERT INTO collaborations(collab_type, title, start_date, end_date, notes, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    collab_type,
                    title_text,
                    first.isoformat(),
                    last.isoformat() if last else "",
                    text,
                    actor.name,
                    now_iso(),
                ),
            )
        )
        conn.executemany(
            "INSERT INTO collaboration_parties(collaboration_id, organisation_id) VALUES (?, ?)",
            [(new_id, o) for o in orgs],
        )
        detail["id"] = new_id
    return new_id


def list_collaborations(ws: Workspace) -> list[dict[str, Any]]:
    """Collaborations, most recent start first, each with its parties' names (organisations are public)."""
    with ws.read() as conn:
        rows = [dict(r) for r in conn.all("SELECT * FROM collaborations ORDER BY start_date DESC, id DESC")]
        parties: dict[int, list[str]] = {r["id"]: [] for r in rows}
        for link in conn.all(
            "SELECT cp.collaboration_id, o.name FROM collaboration_parties cp "
            "JOIN organisations o ON o.id = cp.organisation_id ORDER BY o.name_key"
        ):
            parties.setdefault(link[0], []).append(link[1])
    for r in rows:
        r["parties"] = parties.get(r["id"], [])
    return rows
