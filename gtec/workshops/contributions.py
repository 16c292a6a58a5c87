"""Contributions, dot votes and agree/disagree/pass reactions from participants.

Every rule that could be broken by two phones at once is checked *inside* the write transaction, in SQL:

- the vote budget: ``UPDATE workshop_participants SET votes_used = votes_used + 1 WHERE ... AND votes_used <
  budget`` touches no row once the budget is spent (a row lock in PostgreSQL, the database lock in SQLite);
- no double vote: the primary key ``(contribution_id, participant_id)``; the whole transaction, counter
  included, rolls back;
- the phase: read in the same transaction as the write, so a post racing the facilitator's "close" is refused.

So these blocks are ``concurrent`` writes (:meth:`gtec.storage.workspace.Workspace.write`): on PostgreSQL a room's
posts, dots and reactions run side by side, while a phase change, a moderation or an edit (ordinary blocks) still
runs alone, after the ones in flight and before any that follow.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from gtec.access import workshops as codes
from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.core.text import clean
from gtec.storage.workspace import Connection, UniqueViolation, Workspace, now_iso
from gtec.workshops.model import MAX_TEXT, MIN_TEXT, REACTIONS, Contribution, Participant

_REF_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CONTRIBUTION_COLUMNS = (
    "c.id, c.uid, c.code, c.track_id, c.participant_id, c.author_label, c.text, c.family_id,"
    " c.territory_id, c.status, c.merged_into, c.created_at, c.version, c.by_facilitator"
)


def clean_text(text: str | None) -> str:
    """A contribution's text: line breaks kept, other invisible characters dropped, length checked."""
    value = "\n".join(" ".join(line.split()) for line in clean(text, keep_newlines=True).split("\n")).strip()
    value = re.sub(r"\n{3,}", "\n\n", value)
    if len(value) < MIN_TEXT:
        raise UserError("workshop.error.text_short", min=MIN_TEXT)
    if len(value) > MAX_TEXT:
        raise UserError("workshop.error.text_long", max=MAX_TEXT, length=len(value))
    return value


def _ref_id(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _REF_ID.match(value):
        raise UserError("workshop.error.link")
    return value


def require_phase(conn: Connection, code: str, allowed: tuple[str, ...], now: datetime | None = None) -> str:
    """The session's phase, read inside the transaction; a :class:`UserError` unless it is one of ``allowed``."""
    row = conn.one("SELECT phase, phase_ends_at FROM workshop_meta WHERE code = ?", (code,))
    return check_phase(row, allowed, now)


def check_phase(row: Mapping[str, Any] | None, allowed: tuple[str, ...], now: datetime | None = None) -> str:
    """The phase of a ``workshop_meta`` row (``phase``, ``phase_ends_at``) read inside the write transaction, or a
    :class:`UserError`: unknown session (no row), closed, another phase than ``allowed``, phase timer run out."""
    if row is None:
        raise UserError("auth.error.code_unknown")
    phase = row["phase"]
    if phase == "closed":
        raise UserError("workshop.error.closed")
    if phase not in allowed:
        raise UserError(f"workshop.error.phase_{allowed[0]}")
    if row["phase_ends_at"] and datetime.fromisoformat(row["phase_ends_at"]) <= (now or datetime.now(UTC)):
        raise UserError("workshop.error.time_up")
    return str(phase)


# One statement reads what a participant's write checks (phase, and the target contribution or the workshop), inside
# the write transaction: a write is then one read, its change and the audit row (on PostgreSQL one round trip each).
_PHASE_AND_TARGET = (
    "SELECT m.phase, m.phase_ends_at, m.vote_budget, c.id AS target_id, c.participant_id AS target_author,"
    " c.status AS target_status FROM workshop_meta m LEFT JOIN workshop_contributions c ON c.id = ? AND c.code = m.code"
    " WHERE m.code = ?"
)
_PHASE_AND_TRACK = (
    "SELECT m.phase, m.phase_ends_at, m.moderation, t.id AS track_id FROM workshop_meta m"
    " LEFT JOIN workshop_tracks t ON t.id = ? AND t.code = m.code WHERE m.code = ?"
)


def _visible_target(row: Mapping[str, Any]) -> None:
    if row["target_id"] is None or row["target_status"] != "visible":
        raise UserError("workshop.error.contribution_unknown")


def post(
    ws: Workspace,
    participant: Participant,
    text: str,
    track_id: int | None = None,
    *,
    family_id: str | None = None,
    territory_id: str | None = None,
) -> Contribution:
    """Post an idea in the participant's workshop (or ``track_id``) during the *contribute* phase.

    With pre-moderation it waits (``pending``) until a facilitator approves it. Returns the stored contribution.
    """
    body = clean_text(text)
    family, territory = _ref_id(family_id), _ref_id(territory_id)
    track = track_id if track_id is not None else participant.track_id
    if track is None:
        raise UserError("workshop.error.track_unknown")
    uid = f"{participant.code}-{secrets.token_hex(4).upper()}"
    actor = participant.actor
    with ws.write(
        actor, "workshop.contribute", target=uid, detail={"track_id": track}, scope=participant.code, concurrent=True
    ) as c:
        meta = c.one(_PHASE_AND_TRACK, (track, participant.code))
        check_phase(meta, ("contribute",))
        if meta["track_id"] is None:
            raise UserError("workshop.error.track_unknown")
        status = "pending" if meta["moderation"] == "pre" else "visible"
        created = now_iso()
        cid = c.scalar(
            "INSERT INTO workshop_contributions(uid, code, track_id, participant_id, author_label, text,"
            " family_id, territory_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                uid,
                participant.code,
                track,
                participant.id,
                participant.nickname,
                body,
                family,
                territory,
                status,
                created,
            ),
        )
    return Contribution(
        int(cid), uid, participant.code, track, participant.id, participant.nickname, body, family, territory,
        status, None, created, 1,
    )  # fmt: skip


def post_as_facilitator(
    ws: Workspace,
    actor: auth.Actor,
    code: str,
    track_id: int,
    text: str,
    *,
    family_id: str | None = None,
    territory_id: str | None = None,
) -> Contribution:
    """A facilitator (or admin) posts an idea in one workshop of the session, marked as the facilitator's.

    Same rules as a participant's post (contribute phase, length, links), but no participant row: the facilitator
    is not counted in any stakeholder group and never votes. Shown at once (a facilitator moderates anyway).
    """
    auth.require(actor, "workshop.moderate")
    body = clean_text(text)
    family, territory = _ref_id(family_id), _ref_id(territory_id)
    code = codes.normalise_code(code)
    uid = f"{code}-{secrets.token_hex(4).upper()}"
    label = clean(actor.name)[:60]
    detail = {"track_id": track_id, "facilitator": True}
    with ws.write(actor, "workshop.contribute", target=uid, detail=detail, scope=code) as c:
        require_phase(c, code, ("contribute",))
        if c.one("SELECT 1 FROM workshop_tracks WHERE id = ? AND code = ?", (track_id, code)) is None:
            raise UserError("workshop.error.track_unknown")
        created = now_iso()
        cid = c.scalar(
            "INSERT INTO workshop_contributions(uid, code, track_id, participant_id, author_label, text, family_id,"
            " territory_id, status, created_at, by_facilitator) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, 'visible', ?, 1)"
            " RETURNING id",
            (uid, code, track_id, label, body, family, territory, created),
        )
    return Contribution(
        int(cid), uid, code, track_id, None, label, body, family, territory, "visible", None, created, 1,
        by_facilitator=True,
    )  # fmt: skip


def vote(ws: Workspace, participant: Participant, contribution_id: int) -> int:
    """Put one dot on a visible contribution during the *vote* phase. Returns the tokens left.

    Refused (:class:`UserError`) beyond the session's budget and on a second dot on the same contribution.
    """
    actor = participant.actor
    with ws.write(actor, "workshop.vote", target=str(contribution_id), scope=participant.code, concurrent=True) as c:
        meta = c.one(_PHASE_AND_TARGET, (contribution_id, participant.code))
        check_phase(meta, ("vote",))
        _visible_target(meta)
        budget = int(meta["vote_budget"])
        used = c.scalar(
            "UPDATE workshop_participants SET votes_used = votes_used + 1 WHERE id = ? AND votes_used < ?"
            " RETURNING votes_used",
            (participant.id, budget),
        )
        if used is None:
            raise UserError("workshop.error.no_tokens")
        try:
            c.execute(
                "INSERT INTO workshop_votes(contribution_id, participant_id, created_at) VALUES (?, ?, ?)",
                (contribution_id, participant.id, now_iso()),
            )
        except UniqueViolation:
            raise UserError("workshop.error.already_voted") from None  # rolls the counter back too
    return budget - int(used)


def unvote(ws: Workspace, participant: Participant, contribution_id: int) -> int:
    """Take one's dot back from a contribution during the *vote* phase. Returns the tokens left."""
    actor = participant.actor
    with ws.write(
        actor,
        "workshop.vote",
        target=str(contribution_id),
        detail={"undo": True},
        scope=participant.code,
        concurrent=True,
    ) as c:
        require_phase(c, participant.code, ("vote",))
        removed = c.execute(
            "DELETE FROM workshop_votes WHERE contribution_id = ? AND participant_id = ?",
            (contribution_id, participant.id),
        ).rowcount
        if removed != 1:
            raise UserError("workshop.error.not_voted")
        c.execute("UPDATE workshop_participants SET votes_used = votes_used - 1 WHERE id = ?", (participant.id,))
        left = c.scalar(
            "SELECT m.vote_budget - p.votes_used FROM workshop_participants p JOIN workshop_meta m ON m.code = p.code"
            " WHERE p.id = ?",
            (participant.id,),
        )
    return int(left)


def react(ws: Workspace, participant: Participant, contribution_id: int, reaction: str) -> None:
    """Agree, disagree or pass on another participant's contribution (contribute or vote phase); changeable."""
    if reaction not in REACTIONS:
        raise UserError("workshop.error.reaction")
    actor = participant.actor
    detail = {"reaction": reaction}
    with ws.write(
        actor, "workshop.react", target=str(contribution_id), detail=detail, scope=participant.code, concurrent=True
    ) as c:
        meta = c.one(_PHASE_AND_TARGET, (contribution_id, participant.code))
        check_phase(meta, ("contribute", "vote"))
        _visible_target(meta)
        if meta["target_author"] == participant.id:
            raise UserError("workshop.error.own_contribution")
        c.execute(
            "INSERT INTO workshop_reactions(contribution_id, participant_id, reaction, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (contribution_id, participant_id) DO UPDATE SET reaction = excluded.reaction,"
            " updated_at = excluded.updated_at",
            (contribution_id, participant.id, reaction, now_iso()),
        )


def edit_own(ws: Workspace, participant: Participant, contribution_id: int, text: str, version: int) -> None:
    """An author corrects their own contribution during the *contribute* phase (old text kept in history)."""
    body = clean_text(text)
    actor = participant.actor
    with ws.write(
        actor, "workshop.contribute", target=str(contribution_id), detail={"edit": True}, scope=participant.code
    ) as c:
        require_phase(c, participant.code, ("contribute",))
        row = c.one(
            "SELECT participant_id, text, version, status FROM workshop_contributions WHERE id = ? AND code = ?",
            (contribution_id, participant.code),
        )
        if row is None or row["status"] in ("hidden", "merged"):
            raise UserError("workshop.error.contribution_unknown")
        if row["participant_id"] != participant.id:
            raise UserError("workshop.error.not_yours")
        replace_text(c, contribution_id, dict(row), body, version, actor.name)


def replace_text(
    conn: Connection, contribution_id: int, row: Mapping[str, Any], body: str, version: int, by: str
) -> None:
    """Keep the current text in the history, then store ``body`` (refused if saved since ``version``)."""
    if row["version"] != version:
        raise EditConflict(
            "workshop.error.conflict", [{"id": contribution_id, "field": "text", "yours": body, "theirs": row["text"]}]
        )
    conn.execute(
        "INSERT INTO workshop_contribution_history(contribution_id, version, text, replaced_by, replaced_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (contribution_id, row["version"], row["text"], by, now_iso()),
    )
    conn.execute(
        "UPDATE workshop_contributions SET text = ?, version = version + 1 WHERE id = ?", (body, contribution_id)
    )


def mine(ws: Workspace, participant: Participant) -> dict[str, dict[int, str]]:
    """What this participant did: ``{"votes": {cid: ""}, "reactions": {cid: reaction}}`` (a reload shows it)."""
    with ws.read() as conn:
        votes = conn.all("SELECT contribution_id FROM workshop_votes WHERE participant_id = ?", (participant.id,))
        reactions = conn.all(
            "SELECT contribution_id, reaction FROM workshop_reactions WHERE participant_id = ?", (participant.id,)
        )
    return {
        "votes": {int(r["contribution_id"]): "" for r in votes},
        "reactions": {int(r["contribution_id"]): str(r["reaction"]) for r in reactions},
    }


def list_contributions(
    ws: Workspace, code: str, *, track_id: int | None = None, statuses: tuple[str, ...] = ("visible",)
) -> list[Contribution]:
    """Contributions of a session (or one workshop) with their dot counts and tags, newest first."""
    marks = ", ".join("?" for _ in statuses)
    sql = (
        f"SELECT {CONTRIBUTION_COLUMNS}, COALESCE(v.n, 0) AS votes FROM workshop_contributions c"
        " LEFT JOIN (SELECT contribution_id, COUNT(*) AS n FROM workshop_votes GROUP BY contribution_id) v"
        f" ON v.contribution_id = c.id WHERE c.code = ? AND c.status IN ({marks})"
    )
    params: list = [code, *statuses]
    if track_id is not None:
        sql += " AND c.track_id = ?"
        params.append(track_id)
    with ws.read() as conn:
        rows = conn.all(sql + " ORDER BY c.created_at DESC, c.id DESC", params)
        tags = conn.all(
            "SELECT t.contribution_id, t.tag FROM workshop_tags t JOIN workshop_contributions c"
            " ON c.id = t.contribution_id WHERE c.code = ? ORDER BY t.tag",
            (code,),
        )
    by_id: dict[int, list[str]] = {}
    for t in tags:
        by_id.setdefault(int(t["contribution_id"]), []).append(str(t["tag"]))
    return [
        Contribution(
            **(dict(r) | {"by_facilitator": bool(r["by_facilitator"])}), tags=tuple(by_id.get(int(r["id"]), ()))
        )
        for r in rows
    ]
