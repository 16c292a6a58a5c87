"""Roadmap actions: title, stakeholder group, owner organisation, territory, start and end, status, progress,
an indicator with baseline and target, and a link to the action's origin (a workshop recommendation, a peer-exchange
follow-up, a needs-matrix cell, a practice, or none).

The owner is an organisation of the partner network (``organisations.id``, migration 0012, checked on every
save) when one is linked, with a free-text name kept beside it; :func:`organisations` names them (a merged
organisation is shown under its survivor's name). Edits carry the row's ``version``: a stale edit is refused
with :class:`~gtec.core.errors.EditConflict`, never silently lost.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.core.fmt import parse_number
from gtec.core.text import clean
from gtec.needs.bank import GROUPS as NEEDS_GROUPS
from gtec.storage.workspace import Connection, Workspace, now_iso

#: Stakeholder groups of an action: local authorities first (the roadmap is theirs first), then the others.
GROUPS: tuple[str, ...] = ("public_authorities", *(g for g in NEEDS_GROUPS if g != "public_authorities"))
STATUSES: tuple[str, ...] = ("planned", "in_progress", "done", "cancelled")
ORIGINS: tuple[str, ...] = ("direct", "workshop", "exchange", "needs_cell", "practice", "import")
MAX_TITLE = 160
MAX_TEXT = 200
_TERRITORY = re.compile(r"^[A-Z]{2}(-[A-Za-z0-9_]+)*$|^WS-\d+$")
FIELDS = ("title", "group_code", "owner_org_id", "owner_name", "territory_id", "start_on", "end_on", "status",
          "progress", "indicator", "baseline", "target", "origin_kind", "origin_ref", "origin_label")  # fmt: skip


@dataclass(frozen=True)
class ActionDraft:
    """What an editor enters (dates ISO ``YYYY-MM-DD``; baseline and target may be missing: None)."""

    title: str
    group_code: str
    start_on: str
    end_on: str
    status: str = "planned"
    progress: int = 0
    owner_org_id: int | None = None
    owner_name: str = ""
    territory_id: str = ""
    indicator: str = ""
    baseline: float | None = None
    target: float | None = None
    origin_kind: str = "direct"
    origin_ref: str = ""
    origin_label: str = ""


def _date(value: object, field: str) -> str:
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise UserError("roadmap.error.date", field=field, value=clean(value)[:20]) from None


def _optional_number(value: object, field: str) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
        return None
    try:
        return parse_number(value)
    except ValueError:
        raise UserError("roadmap.error.number", field=field, value=clean(value)[:20]) from None


def validate(draft: ActionDraft) -> ActionDraft:
    """The draft cleaned, or a :class:`UserError` naming the first problem."""
    title = clean(draft.title).strip()
    if not title:
        raise UserError("roadmap.error.title")
    if len(title) > MAX_TITLE:
        raise UserError("roadmap.error.too_long", field="title", max=MAX_TITLE)
    if draft.group_code not in GROUPS:
        raise UserError("roadmap.error.group", value=clean(draft.group_code)[:40])
    if draft.status not in STATUSES:
        raise UserError("roadmap.error.status", value=clean(draft.status)[:40])
    if draft.origin_kind not in ORIGINS:
        raise UserError("roadmap.error.origin")
    start, end = _date(draft.start_on, "start"), _date(draft.end_on, "end")
    if end < start:
        raise UserError("roadmap.error.dates")
    try:
        progress = int(parse_number(draft.progress))
    except ValueError:
        raise UserError("roadmap.error.progress") from None
    if not 0 <= progress <= 100:
        raise UserError("roadmap.error.progress")
    territory = clean(draft.territory_id).strip()
    if territory and not _TERRITORY.match(territory):
        raise UserError("roadmap.error.territory", value=territory[:40])
    texts: dict[str, Any] = {}
    for name in ("owner_name", "indicator", "origin_ref", "origin_label"):
        value = clean(getattr(draft, name)).strip()
        if len(value) > MAX_TEXT:
            value = value[: MAX_TEXT - 1] + "…" if name == "origin_label" else value
            if len(value) > MAX_TEXT:
                raise UserError("roadmap.error.too_long", field=name, max=MAX_TEXT)
        texts[name] = value
    org = draft.owner_org_id
    if org is not None and (isinstance(org, bool) or not isinstance(org, int) or org <= 0):
        raise UserError("roadmap.error.owner")
    return replace(
        draft, title=title, start_on=start, end_on=end, progress=progress, territory_id=territory,
        baseline=_optional_number(draft.baseline, "baseline"), target=_optional_number(draft.target, "target"), **texts,
    )  # fmt: skip


def _check_owner(conn: Connection, draft: ActionDraft) -> None:
    if draft.owner_org_id is None:
        return
    if not conn.scalar("SELECT 1 FROM organisations WHERE id = ?", (draft.owner_org_id,)):
        raise UserError("roadmap.error.owner")


def insert(conn: Connection, actor: auth.Actor, draft: ActionDraft) -> int:
    """Insert a validated draft inside an open write transaction."""
    _check_owner(conn, draft)
    now = now_iso()
    values = asdict(draft)
    return int(
        conn.scalar(
            f"INSERT INTO roadmap_actions({', '.join(FIELDS)}, created_by, created_at, updated_at)"
            f" VALUES ({', '.join('?' for _ in FIELDS)}, ?, ?, ?) RETURNING id",
            (*(values[f] for f in FIELDS), actor.name, now, now),
        )
    )


def create_action(ws: Workspace, actor: auth.Actor, draft: ActionDraft) -> int:
    """Create an action (``roadmap.edit``); returns its id."""
    clean_draft = validate(draft)
    detail = {"origin": clean_draft.origin_kind, "ref": clean_draft.origin_ref}
    with ws.write(actor, "roadmap.edit", target=clean_draft.title, detail=detail) as conn:
        return insert(conn, actor, clean_draft)


def apply_update(conn: Connection, action_id: int, draft: ActionDraft, version: int) -> None:
    """Update inside an open transaction, refused when the stored version moved on since ``version``."""
    row = conn.one("SELECT * FROM roadmap_actions WHERE id = ?", (action_id,))
    if row is None:
        raise UserError("roadmap.error.unknown", id=action_id)
    if int(row["version"]) != int(version):
        mine = asdict(draft)
        conflicts = [
            {"id": action_id, "field": f, "yours": mine[f], "theirs": row[f], "by": "", "at": row["updated_at"]}
            for f in FIELDS
            if mine[f] != row[f]
        ]
        raise EditConflict("roadmap.error.conflict", conflicts)
    _check_owner(conn, draft)
    values = asdict(draft)
    conn.execute(
        f"UPDATE roadmap_actions SET {', '.join(f'{f} = ?' for f in FIELDS)}, updated_at = ?, version = version + 1"
        " WHERE id = ?",
        (*(values[f] for f in FIELDS), now_iso(), action_id),
    )


def update_action(ws: Workspace, actor: auth.Actor, action_id: int, draft: ActionDraft, version: int) -> None:
    """Save an edited action based on ``version`` (see :func:`apply_update`)."""
    clean_draft = validate(draft)
    with ws.write(actor, "roadmap.edit", target=str(action_id), detail={"step": "update"}) as conn:
        apply_update(conn, action_id, clean_draft, version)


def organisations(ws: Workspace) -> dict[int, str]:
    """Organisations of the partner network (id -> name; merged ones resolved to the survivor's name)."""
    with ws.read() as conn:
        rows = conn.all("SELECT id, name, merged_into FROM organisations")
    names = {int(r["id"]): str(r["name"]) for r in rows}
    parent = {int(r["id"]): r["merged_into"] for r in rows}
    out = {}
    for oid in names:
        seen, cur = set(), oid
        while parent.get(cur) is not None and cur not in seen:
            seen.add(cur)
            cur = int(parent[cur])
        out[oid] = names.get(cur, names[oid])
    return out


def active_organisations(ws: Workspace) -> dict[int, str]:
    """Organisations an owner may be picked from (not merged into another)."""
    with ws.read() as conn:
        rows = conn.all("SELECT id, name FROM organisations WHERE merged_into IS NULL ORDER BY name")
    return {int(r["id"]): str(r["name"]) for r in rows}


@dataclass(frozen=True)
class Filters:
    groups: Sequence[str] = ()
    territories: Sequence[str] = ()
    statuses: Sequence[str] = ()


def list_actions(ws: Workspace, filters: Filters | None = None) -> list[dict[str, Any]]:
    """Actions (filtered), by start date, each with ``owner`` (the organisation's name when linked, else the
    free-text name) and its ``version``."""
    f = filters or Filters()
    sql, params = "SELECT * FROM roadmap_actions WHERE 1 = 1", []
    for column, values in (("group_code", f.groups), ("territory_id", f.territories), ("status", f.statuses)):
        if values:
            sql += f" AND {column} IN ({', '.join('?' for _ in values)})"
            params += list(values)
    with ws.read() as conn:
        rows = [dict(r) for r in conn.all(sql + " ORDER BY start_on, id", params)]
    orgs = organisations(ws) if any(r["owner_org_id"] for r in rows) else {}
    for r in rows:
        r["owner"] = orgs.get(r["owner_org_id"]) or r["owner_name"] if r["owner_org_id"] else r["owner_name"]
    return rows


def get_action(ws: Workspace, action_id: int) -> dict[str, Any] | None:
    with ws.read() as conn:
        row = conn.one("SELECT * FROM roadmap_actions WHERE id = ?", (action_id,))
    return None if row is None else dict(row)


def draft_of(row: Mapping[str, Any]) -> ActionDraft:
    """The editable draft of a stored action."""
    return ActionDraft(**{f: row[f] for f in FIELDS})
