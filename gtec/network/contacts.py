"""Contacts of partner organisations: only the personal data needed (name, role, e-mail, organisation, legal basis,
consent date), readable by signed-in roles only, exported on request and erased on request.

Personal data lives in exactly three columns of ``contacts`` (``full_name``, ``job_role``, ``email``) plus the legal
basis and consent date; the links ``interaction_participants`` hold ids. Audit details hold ids only. Erasure
(:func:`erase`) blanks those columns, keeps an anonymous row (so a second request is answered plainly), turns the
person's participations into an anonymous count on each interaction, and removes their name and e-mail wherever
people may have typed them (interaction and collaboration notes, and any audit row that quotes them).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.export import to_safe_csv_bytes
from gtec.core.text import clean
from gtec.network import vocab
from gtec.network.dates import months_before, parse_day
from gtec.storage.workspace import Connection, Workspace, now_iso

MAX_NAME = 120
MAX_ROLE = 120
MAX_EMAIL = 254
REDACTED = "[—]"
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
PERSONAL_COLUMNS = ("full_name", "job_role", "email", "legal_basis", "consent_date")


@dataclass(frozen=True)
class ContactDraft:
    organisation_id: int
    full_name: str
    email: str = ""
    job_role: str = ""
    legal_basis: str = "legitimate_interest"
    consent_date: str = ""


def require_reader(actor: auth.Actor) -> None:
    """Contact data is for signed-in roles only (raises :class:`gtec.core.auth.PermissionDenied`)."""
    auth.require(actor, "network.contact_read")


def validate(draft: ContactDraft, today: date | None = None) -> dict[str, Any]:
    """The row to store or a :class:`UserError`: a name, a valid e-mail if given, a declared legal basis, and a
    consent date (not in the future) when the basis is consent."""
    name = " ".join(clean(draft.full_name).split())
    if not name:
        raise UserError("network.error.contact_name")
    role = " ".join(clean(draft.job_role).split())
    email = clean(draft.email).strip()
    if len(name) > MAX_NAME or len(role) > MAX_ROLE or len(email) > MAX_EMAIL:
        raise UserError("network.error.too_long", max=MAX_NAME)
    if email and not _EMAIL.match(email):
        raise UserError("network.error.email")
    if draft.legal_basis not in vocab.LEGAL_BASES:
        raise UserError("network.error.legal_basis")
    consent = ""
    if draft.consent_date:
        consent = parse_day(draft.consent_date, today=today).isoformat()
    elif draft.legal_basis == "consent":
        raise UserError("network.error.consent_date")
    return {
        "organisation_id": int(draft.organisation_id),
        "full_name": name,
        "job_role": role,
        "email": email.lower(),
        "legal_basis": draft.legal_basis,
        "consent_date": consent,
    }


def create(ws: Workspace, actor: auth.Actor, draft: ContactDraft, today: date | None = None) -> int:
    """Store a contact of a live organisation; returns its id (the audit row records ids only)."""
    row = validate(draft, today)
    detail: dict[str, Any] = {"op": "create", "organisation": row["organisation_id"]}
    with ws.write(actor, "network.contact_edit", target="contact", detail=detail) as conn:
        org = conn.one("SELECT merged_into FROM organisations WHERE id = ?", (row["organisation_id"],))
        if org is None or org["merged_into"] is not None:
            raise UserError("network.error.unknown_organisation")
        cols = [*row, "created_by", "created_at"]
        new_id = int(
            conn.scalar(
                f"INSERT INTO contacts({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) RETURNING id",
                [*row.values(), actor.name, now_iso()],
            )
        )
        detail["id"] = new_id
    return new_id


def list_contacts(
    ws: Workspace, actor: auth.Actor, organisation_id: int | None = None, *, include_erased: bool = False
) -> list[dict[str, Any]]:
    """Contacts (signed-in roles only) with their organisation's name and last interaction date."""
    require_reader(actor)
    sql = (
        "SELECT c.*, o.name AS organisation, (SELECT MAX(i.occurred_on) FROM interaction_participants p "
        "JOIN interactions i ON i.id = p.interaction_id WHERE p.contact_id = c.id) AS last_interaction "
        "FROM contacts c JOIN organisations o ON o.id = c.organisation_id WHERE 1 = 1"
    )
    params: list[Any] = []
    if not include_erased:
        sql += " AND c.erased_at = ''"
    if organisation_id is not None:
        sql += " AND c.organisation_id = ?"
        params.append(organisation_id)
    with ws.read() as conn:
        return [dict(r) for r in conn.all(sql + " ORDER BY o.name_key, c.full_name, c.id", params)]


def inactive(ws: Workspace, actor: auth.Actor, months: int, today: date | None = None) -> list[dict[str, Any]]:
    """Live contacts with no interaction for ``months`` months (never met: created that long ago), for review."""
    cutoff = months_before(today or date.today(), months).isoformat()
    out = []
    for c in list_contacts(ws, actor):
        last = c["last_interaction"] or c["created_at"][:10]
        if last < cutoff:
            out.append({**c, "last_seen": last})
    return out


def _live(conn: Connection, contact_id: int) -> Any:
    row = conn.one("SELECT * FROM contacts WHERE id = ?", (contact_id,))
    if row is None:
        raise UserError("network.error.unknown_contact")
    if row["erased_at"]:
        raise UserError("network.error.already_erased", date=row["erased_at"][:10])
    return row


def export_person(ws: Workspace, actor: auth.Actor, contact_id: int) -> dict[str, Any]:
    """Everything held on one person (their contact row and the interactions they took part in), as a dict ready
    for JSON. The export itself is audited (action ``network.contact_export``, the contact id only)."""
    require_reader(actor)
    with ws.write(actor, "network.contact_export", target=f"contact:{contact_id}", detail={"id": contact_id}) as conn:
        row = _live(conn, contact_id)
        org = conn.one("SELECT id, name FROM organisations WHERE id = ?", (row["organisation_id"],))
        interactions = conn.all(
            "SELECT i.id, i.occurred_on, i.interaction_type, i.notes FROM interaction_participants p "
            "JOIN interactions i ON i.id = p.interaction_id WHERE p.contact_id = ? ORDER BY i.occurred_on, i.id",
            (contact_id,),
        )
    contact = {k: row[k] for k in ("id", *PERSONAL_COLUMNS, "created_by", "created_at")}
    return {
        "exported_at": now_iso(),
        "contact": contact,
        "organisation": dict(org) if org else None,
        "interactions": [dict(i) for i in interactions],
    }


def export_json(payload: dict[str, Any]) -> bytes:
    """The export as UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")


def export_csv(payload: dict[str, Any]) -> bytes:
    """The export as one CSV table ``section, id, field, value`` (formula-like cells neutralised)."""
    rows: list[dict[str, Any]] = []
    for field, value in payload["contact"].items():
        rows.append({"section": "contact", "id": payload["contact"]["id"], "field": field, "value": value})
    if payload["organisation"]:
        org = payload["organisation"]
        rows.append({"section": "organisation", "id": org["id"], "field": "name", "value": org["name"]})
    for item in payload["interactions"]:
        for field in ("occurred_on", "interaction_type", "notes"):
            rows.append({"section": "interaction", "id": item["id"], "field": field, "value": item[field]})
    return to_safe_csv_bytes(pd.DataFrame(rows, columns=["section", "id", "field", "value"]))


def _scrubber(*texts: str) -> re.Pattern[str] | None:
    words = [t for t in texts if t and len(t) >= 3]
    if not words:
        return None
    parts = sorted((r"\s+".join(re.escape(w) for w in t.split()) for t in words), key=len, reverse=True)
    return re.compile("|".join(parts), re.IGNORECASE)


def _scrub_column(conn: Connection, table: str, column: str, pattern: re.Pattern[str]) -> int:
    changed = 0
    for row in conn.all(f"SELECT id, {column} FROM {table} WHERE {column} <> ''"):
        text = row[1] or ""
        new = pattern.sub(REDACTED, text)
        if new != text:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (new, row[0]))
            changed += 1
    return changed


def erase(ws: Workspace, actor: auth.Actor, contact_id: int) -> dict[str, int]:
    """Erase a person's data on request; returns counts of what was changed.

    Blanks the personal columns (an anonymous row remains, dated, so a second request is told it was done);
    each interaction they took part in keeps an anonymous participant count instead of the link; their name and
    e-mail are replaced by ``[—]`` in interaction and collaboration notes and in audit rows. Raises ``UserError``
    ``network.error.already_erased`` (with the date) on a second request, ``unknown_contact`` for an unknown id.
    """
    detail: dict[str, Any] = {"id": contact_id}
    with ws.write(actor, "network.contact_erase", target=f"contact:{contact_id}", detail=detail) as conn:
        row = _live(conn, contact_id)
        pattern = _scrubber(row["full_name"], row["email"])
        links = conn.all("SELECT interaction_id FROM interaction_participants WHERE contact_id = ?", (contact_id,))
        for link in links:
            conn.execute(
                "UPDATE interactions SET anonymous_participants = anonymous_participants + 1 WHERE id = ?",
                (link[0],),
            )
        conn.execute("DELETE FROM interaction_participants WHERE contact_id = ?", (contact_id,))
        notes = 0
        if pattern is not None:
            notes += _scrub_column(conn, "interactions", "notes", pattern)
            notes += _scrub_column(conn, "collaborations", "notes", pattern)
            notes += _scrub_column(conn, "collaborations", "title", pattern)
            notes += _scrub_column(conn, "audit_log", "detail", pattern)
            notes += _scrub_column(conn, "audit_log", "target", pattern)
        blanks = ", ".join(f"{c} = ''" for c in PERSONAL_COLUMNS)
        conn.execute(
            f"UPDATE contacts SET {blanks}, erased_at = ?, erased_by = ?, version = version + 1 WHERE id = ?",
            (now_iso(), actor.name, contact_id),
        )
        detail.update(interactions=len(links), texts=notes)
    ws.purge_freed()  # the erased values leave the file's free pages and the write-ahead log too
    return {"interactions": len(links), "texts": notes}
