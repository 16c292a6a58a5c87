"""Moderation by facilitators: approve (pre-moderation), hide and show again, edit with history, merge, tag.

Nothing is deleted: a hidden contribution can be shown again, a merged one keeps its row (``merged_into``), an
edited one keeps every earlier text in ``workshop_contribution_history``. Each change is one audited write.
"""

from __future__ import annotations

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.text import clean
from gtec.storage.workspace import Connection, Workspace
from gtec.workshops.contributions import clean_text, replace_text
from gtec.workshops.model import MAX_TAG

_TRANSITIONS = {"approve": ("pending", "visible"), "hide": (None, "hidden"), "show": ("hidden", "visible")}


def _row(conn: Connection, code: str, contribution_id: int) -> dict:
    row = conn.one(
        "SELECT id, uid, text, version, status, participant_id FROM workshop_contributions WHERE id = ? AND code = ?",
        (contribution_id, code),
    )
    if row is None:
        raise UserError("workshop.error.contribution_unknown")
    return dict(row)


def set_status(ws: Workspace, actor: auth.Actor, code: str, contribution_id: int, action: str) -> None:
    """``approve`` a pending contribution, ``hide`` one (pending or visible), ``show`` a hidden one again."""
    if action not in _TRANSITIONS:
        raise UserError("workshop.error.moderation_action")
    before, after = _TRANSITIONS[action]
    with ws.write(actor, "workshop.moderate", target=str(contribution_id), detail={"action": action}, scope=code) as c:
        row = _row(c, code, contribution_id)
        if row["status"] == "merged" or (before is not None and row["status"] != before):
            raise UserError("workshop.error.moderation_state")
        c.execute("UPDATE workshop_contributions SET status = ? WHERE id = ?", (after, contribution_id))


def edit(ws: Workspace, actor: auth.Actor, code: str, contribution_id: int, text: str, version: int) -> None:
    """Reword a contribution (typo, personal data); the author's text stays in the history."""
    body = clean_text(text)
    with ws.write(actor, "workshop.moderate", target=str(contribution_id), detail={"action": "edit"}, scope=code) as c:
        row = _row(c, code, contribution_id)
        replace_text(c, contribution_id, row, body, version, actor.name)


def history(ws: Workspace, contribution_id: int) -> list[dict]:
    """Earlier texts of a contribution, oldest first: ``{version, text, replaced_by, replaced_at}``."""
    with ws.read() as conn:
        rows = conn.all(
            "SELECT version, text, replaced_by, replaced_at FROM workshop_contribution_history"
            " WHERE contribution_id = ? ORDER BY version",
            (contribution_id,),
        )
    return [dict(r) for r in rows]


def merge(ws: Workspace, actor: auth.Actor, code: str, source_id: int, target_id: int) -> dict[str, int]:
    """Merge duplicate ``source_id`` into ``target_id``: dots and reactions move, tags join, source is kept.

    A participant who dotted both keeps one dot and gets the other token back; a reaction to both keeps the
    one on the target. Returns ``{"votes_moved", "votes_refunded", "reactions_moved"}``.
    """
    if source_id == target_id:
        raise UserError("workshop.error.merge_self")
    detail = {"action": "merge", "into": target_id}
    with ws.write(actor, "workshop.moderate", target=str(source_id), detail=detail, scope=code) as c:
        source, target = _row(c, code, source_id), _row(c, code, target_id)
        if "merged" in (source["status"], target["status"]):
            raise UserError("workshop.error.moderation_state")
        both = "SELECT participant_id FROM workshop_votes WHERE contribution_id = ?"
        refunded = c.execute(
            f"UPDATE workshop_participants SET votes_used = votes_used - 1 WHERE id IN ({both}) AND id IN ({both})",
            (source_id, target_id),
        ).rowcount
        c.execute(
            f"DELETE FROM workshop_votes WHERE contribution_id = ? AND participant_id IN ({both})",
            (source_id, target_id),
        )
        moved = c.execute(
            "UPDATE workshop_votes SET contribution_id = ? WHERE contribution_id = ?", (target_id, source_id)
        ).rowcount
        reacted = "SELECT participant_id FROM workshop_reactions WHERE contribution_id = ?"
        reactions = c.execute(
            f"UPDATE workshop_reactions SET contribution_id = ? WHERE contribution_id = ?"
            f" AND participant_id NOT IN ({reacted}) AND participant_id <> COALESCE(?, -1)",
            (target_id, source_id, target_id, target["participant_id"]),
        ).rowcount
        c.execute(
            "INSERT INTO workshop_tags(contribution_id, tag) SELECT ?, tag FROM workshop_tags WHERE contribution_id = ?"
            " AND tag NOT IN (SELECT tag FROM workshop_tags WHERE contribution_id = ?)",
            (target_id, source_id, target_id),
        )
        c.execute(
            "UPDATE workshop_contributions SET status = 'merged', merged_into = ? WHERE id = ?", (target_id, source_id)
        )
    return {"votes_moved": moved, "votes_refunded": refunded, "reactions_moved": reactions}


def clean_tag(tag: str | None) -> str:
    """A tag: one line, lower case, at most :data:`MAX_TAG` characters."""
    value = " ".join(clean(tag).split()).lower()
    if not 1 <= len(value) <= MAX_TAG:
        raise UserError("workshop.error.tag", max=MAX_TAG)
    return value


def tag(ws: Workspace, actor: auth.Actor, code: str, contribution_id: int, label: str, remove: bool = False) -> None:
    """Add (or ``remove``) a tag on a contribution."""
    value = clean_tag(label)
    detail = {"action": "untag" if remove else "tag", "tag": value}
    with ws.write(actor, "workshop.moderate", target=str(contribution_id), detail=detail, scope=code) as c:
        _row(c, code, contribution_id)
        if remove:
            c.execute("DELETE FROM workshop_tags WHERE contribution_id = ? AND tag = ?", (contribution_id, value))
        else:
            c.execute(
                "INSERT INTO workshop_tags(contribution_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (contribution_id, value),
            )


def moderation_log(ws: Workspace, actor: auth.Actor, code: str) -> list[dict]:
    """The session's moderation and phase changes from the audit log, oldest first (facilitators, admins)."""
    auth.require(actor, "workshop.moderate")
    with ws.read() as conn:
        ids = [str(r["id"]) for r in conn.all("SELECT id FROM workshop_contributions WHERE code = ?", (code,))]
        rows = conn.all(
            "SELECT at, actor, action, target, detail FROM audit_log WHERE action IN ('workshop.moderate',"
            " 'workshop.phase') ORDER BY id"
        )
    wanted = set(ids)
    return [dict(r) for r in rows if (r["action"] == "workshop.phase" and r["target"] == code) or r["target"] in wanted]
