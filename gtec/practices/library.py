"""The good-practices library: bilingual practices tied to a territory, occupation families and, where one
exists, an indicator of the observatory; comments; filters and full-text search (:mod:`.search`).

Every write goes through ``Workspace.write`` (permission ``practice.create`` / ``practice.comment`` /
``practice.review``, audit row). A practice needs a title and a summary in at least one language; the missing
language is reported by :func:`missing_languages` so pages mark it instead of hiding it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gtec.access import settings
from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.core.text import clean
from gtec.practices import search
from gtec.storage.workspace import Connection, Workspace, now_iso

COUNTRIES: tuple[str, ...] = ("FR", "UK", "BE", "OTHER")
THEMES: tuple[str, ...] = (
    "work_based_learning",
    "university_business",
    "co_creation",
    "territorial_gpec",
    "foresight",
    "other",
)
STAKEHOLDERS: tuple[str, ...] = (
    "institution",
    "company",
    "jobseeker_learner",
    "training_body",
    "university",
    "elected_official",
    "other",
)
STATUSES: tuple[str, ...] = ("project_document", "partner", "peer_reviewed")
LANGS: tuple[str, ...] = ("fr", "en")
MAX_TITLE = 160
MAX_SUMMARY = 600
MAX_TEXT = 6000
MAX_COMMENT = 2000
_FAMILY = re.compile(r"^F\d{2}$")
_TERRITORY = re.compile(r"^[A-Z]{2}(-[A-Za-z0-9_]+)*$|^WS-\d+$")

TEXT_FIELDS: dict[str, int] = {
    "title_fr": MAX_TITLE,
    "title_en": MAX_TITLE,
    "summary_fr": MAX_SUMMARY,
    "summary_en": MAX_SUMMARY,
    "description_fr": MAX_TEXT,
    "description_en": MAX_TEXT,
    "results": MAX_TEXT,
    "conditions": MAX_TEXT,
    "barriers": MAX_TEXT,
    "contact_org": MAX_TITLE,
    "sources": MAX_TEXT,
    "indicator_id": 80,
    "indicator_before": 80,
    "indicator_after": 80,
}
MULTILINE = {"description_fr", "description_en", "results", "conditions", "barriers", "sources"}


@dataclass(frozen=True)
class PracticeDraft:
    """What a contributor enters. Lists are ids (stakeholder codes, occupation family ids ``F01``...)."""

    title_fr: str = ""
    title_en: str = ""
    summary_fr: str = ""
    summary_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    country: str = "FR"
    territory_id: str = ""
    theme: str = "other"
    stakeholders: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    results: str = ""
    indicator_id: str = ""
    indicator_before: str = ""
    indicator_after: str = ""
    conditions: str = ""
    barriers: str = ""
    contact_org: str = ""
    sources: str = ""
    status: str = "partner"
    extra: dict[str, Any] = field(default_factory=dict)


def validate(draft: PracticeDraft) -> dict[str, Any]:
    """The row to store for ``draft`` (text cleaned of control characters), or :class:`UserError`.

    Raises ``practices.error.title`` when neither title is given, ``practices.error.summary`` when no summary
    is given, ``practices.error.too_long`` (field, max), ``practices.error.country`` / ``theme`` / ``status`` /
    ``stakeholder`` / ``family`` / ``territory`` for values outside the lists.
    """
    row: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        value = clean(getattr(draft, name), keep_newlines=name in MULTILINE).strip()
        if len(value) > limit:
            raise UserError("practices.error.too_long", field=name, max=limit)
        row[name] = value
    if not (row["title_fr"] or row["title_en"]):
        raise UserError("practices.error.title")
    if not (row["summary_fr"] or row["summary_en"]):
        raise UserError("practices.error.summary")
    if draft.country not in COUNTRIES:
        raise UserError("practices.error.country")
    if draft.theme not in THEMES:
        raise UserError("practices.error.theme")
    if draft.status not in STATUSES:
        raise UserError("practices.error.status")
    if any(s not in STAKEHOLDERS for s in draft.stakeholders):
        raise UserError("practices.error.stakeholder")
    if any(not _FAMILY.match(f) for f in draft.families):
        raise UserError("practices.error.family")
    territory = clean(draft.territory_id).strip()
    if territory and not _TERRITORY.match(territory):
        raise UserError("practices.error.territory")
    row.update(
        country=draft.country,
        theme=draft.theme,
        status=draft.status,
        territory_id=territory,
        stakeholders=json.dumps(sorted(set(draft.stakeholders))),
        families=json.dumps(sorted(set(draft.families))),
    )
    return row


def _insert(conn: Connection, row: Mapping[str, Any], actor: auth.Actor, seed_key: str | None = None) -> int:
    cols = [*row.keys(), "seed_key", "created_by", "created_at"]
    values = [*row.values(), seed_key, actor.name, now_iso()]
    sql = f"INSERT INTO practices({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) RETURNING id"
    return int(conn.scalar(sql, values))


def create_practice(ws: Workspace, actor: auth.Actor, draft: PracticeDraft) -> int:
    """Store a new practice (validated; audited as ``practice.create``) and return its id.

    A contributor may not claim "reviewed by peers" or "project document" for a new practice: those statuses are
    set by :func:`set_status` (reviewers) or the seed; a new contribution is ``partner``.
    """
    row = validate(draft)
    if row["status"] != "partner" and actor.role != "admin":
        raise UserError("practices.error.status_claim")
    title = row["title_fr"] or row["title_en"]
    with ws.write(actor, "practice.create", target=title[:80], detail={"country": row["country"]}) as conn:
        return _insert(conn, row, actor)


#: Fields a partner may change when editing (status goes through :func:`set_status`, the author stays).
EDITABLE: tuple[str, ...] = (*TEXT_FIELDS, "country", "territory_id", "theme", "stakeholders", "families")


def draft_of(practice: Mapping[str, Any]) -> PracticeDraft:
    """The draft that reproduces a stored practice (the edit form starts from it)."""
    values: dict[str, Any] = {name: str(practice.get(name, "") or "") for name in TEXT_FIELDS}
    return PracticeDraft(
        **values,
        country=practice["country"],
        territory_id=practice.get("territory_id") or "",
        theme=practice["theme"],
        stakeholders=tuple(practice.get("stakeholders") or ()),
        families=tuple(practice.get("families") or ()),
        status=practice["status"],
    )


def edit_practice(ws: Workspace, actor: auth.Actor, practice_id: int, draft: PracticeDraft, version: int) -> int:
    """Save an edit of a practice made from ``version``; returns the new version (``practice.edit``, audited).

    Refused with :class:`EditConflict` when someone saved the practice since ``version``: ``conflicts`` lists,
    for each field both sides changed differently, what the editor typed (``yours``) and what is stored
    (``theirs``, with who saved it and when), so nothing is silently lost. The status is not edited here.
    """
    row = validate(replace_status(draft, "partner"))
    with ws.write(actor, "practice.edit", target=str(practice_id), detail={"version": version}) as conn:
        stored = conn.one("SELECT * FROM practices WHERE id = ?", (practice_id,))
        if stored is None:
            raise UserError("practices.error.unknown")
        if stored["version"] != version:
            theirs = dict(stored)
            diffs = [
                {"id": practice_id, "field": f, "yours": row[f], "theirs": theirs[f], "by": theirs["updated_by"],
                 "at": theirs["updated_at"]}
                for f in EDITABLE
                if row[f] != theirs[f]
            ]  # fmt: skip
            raise EditConflict("practices.error.edit_conflict", diffs, version=int(stored["version"]))
        changed = {f: row[f] for f in EDITABLE}
        sets = ", ".join(f"{f} = ?" for f in changed)
        conn.execute(
            f"UPDATE practices SET {sets}, updated_by = ?, updated_at = ?, version = version + 1 "
            "WHERE id = ? AND version = ?",
            [*changed.values(), actor.name, now_iso(), practice_id, version],
        )
    return version + 1


def replace_status(draft: PracticeDraft, status: str) -> PracticeDraft:
    """``draft`` with another status (edits keep the stored status; validation needs a valid one)."""
    from dataclasses import replace

    return replace(draft, status=status)


def set_status(ws: Workspace, actor: auth.Actor, practice_id: int, status: str, version: int) -> None:
    """Change the status of a practice (``practice.review``); refused if someone changed it since ``version``.

    "Reviewed by peers" is given by someone other than the contributor (``practices.error.self_review``).
    """
    if status not in STATUSES:
        raise UserError("practices.error.status")
    with ws.write(actor, "practice.review", target=str(practice_id), detail={"status": status}) as conn:
        author = conn.scalar("SELECT created_by FROM practices WHERE id = ?", (practice_id,))
        if status == "peer_reviewed" and author == actor.name:
            raise UserError("practices.error.self_review")
        done = conn.execute(
            "UPDATE practices SET status = ?, version = version + 1 WHERE id = ? AND version = ?",
            (status, practice_id, version),
        ).rowcount
        if not done:
            raise UserError("practices.error.conflict")


def _as_dict(row: Any) -> dict[str, Any]:  # a sqlite3.Row or a mapping
    out = dict(row)
    out["stakeholders"] = json.loads(out.get("stakeholders") or "[]")
    out["families"] = json.loads(out.get("families") or "[]")
    return out


def may_read(ws: Workspace, actor: auth.Actor) -> bool:
    """True when ``actor`` may read the library: anyone while the admin setting ``practices.public_reading`` is
    on (the default), only signed-in accounts (facilitators, admins) when it is off."""
    if actor.role in ("facilitator", "admin"):
        return True
    return bool(settings.get_value(ws, "practices.public_reading"))


def require_read(ws: Workspace, actor: auth.Actor) -> None:
    """Raise ``practices.error.sign_in`` unless ``actor`` may read the library (:func:`may_read`)."""
    if not may_read(ws, actor):
        raise UserError("practices.error.sign_in")


def get_practice(ws: Workspace, practice_id: int, actor: auth.Actor | None = None) -> dict[str, Any] | None:
    """One practice as a dict (lists decoded), or None. With ``actor``, the public-reading setting applies."""
    if actor is not None:
        require_read(ws, actor)
    with ws.read() as conn:
        row = conn.one("SELECT * FROM practices WHERE id = ?", (practice_id,))
    return _as_dict(row) if row else None


@dataclass(frozen=True)
class Filters:
    """Filters of the list; empty tuples mean "all"."""

    countries: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    families: tuple[str, ...] = ()


def filter_sql(filters: Filters) -> tuple[str, list[str]]:
    """``(where clause, params)`` for ``filters`` (``"1 = 1"`` when none); families match any of the given."""
    clauses, params = ["1 = 1"], []
    for column, values in (("country", filters.countries), ("theme", filters.themes), ("status", filters.statuses)):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params += list(values)
    if filters.families:
        clauses.append("(" + " OR ".join("families LIKE ?" for _ in filters.families) + ")")
        params += [f'%"{f}"%' for f in filters.families]
    return " AND ".join(clauses), params


def find_practices(
    ws: Workspace,
    query: str = "",
    filters: Filters | None = None,
    limit: int = 200,
    actor: auth.Actor | None = None,
) -> list[dict]:
    """Practices matching ``query`` (both languages, case and accents folded) and ``filters``, best first.

    With ``actor`` (pages pass the signed-in person), the admin's public-reading setting applies: a reader gets
    ``practices.error.sign_in`` when it is off.
    """
    if actor is not None:
        require_read(ws, actor)
    match, mparams = search.match_sql(query, ws.dialect)
    where, fparams = filter_sql(filters or Filters())
    sql = f"WITH hits AS ({match}) SELECT p.* FROM hits JOIN practices p ON p.id = hits.id WHERE {where} LIMIT ?"
    with ws.read() as conn:
        rows = conn.all(sql, [*mparams, *fparams, limit])
    return [_as_dict(r) for r in rows]


def missing_languages(practice: Mapping[str, Any]) -> list[str]:
    """The languages in which the title, summary or description is missing (pages mark them)."""
    return [lang for lang in LANGS if not all(practice.get(f"{f}_{lang}") for f in ("title", "summary", "description"))]


def add_comment(ws: Workspace, actor: auth.Actor, practice_id: int, body: str, lang: str = "fr") -> int:
    """Add a comment to a practice (``practice.comment``); empty or too long is refused."""
    text = clean(body, keep_newlines=True).strip()
    if not text:
        raise UserError("practices.error.comment_empty")
    if len(text) > MAX_COMMENT:
        raise UserError("practices.error.too_long", field="comment", max=MAX_COMMENT)
    with ws.write(actor, "practice.comment", target=str(practice_id)) as conn:
        if conn.scalar("SELECT COUNT(*) FROM practices WHERE id = ?", (practice_id,)) == 0:
            raise UserError("practices.error.unknown")
        return int(
            conn.scalar(
                "INSERT INTO practice_comments(practice_id, author, body, lang, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (practice_id, actor.name, text, lang if lang in LANGS else "fr", now_iso()),
            )
        )


def comments(ws: Workspace, practice_id: int, actor: auth.Actor | None = None) -> list[dict]:
    """Comments of a practice, oldest first (with ``actor``, the public-reading setting applies)."""
    if actor is not None:
        require_read(ws, actor)
    with ws.read() as conn:
        rows = conn.all(
            "SELECT id, author, body, lang, created_at FROM practice_comments WHERE practice_id = ? ORDER BY id",
            (practice_id,),
        )
    return [dict(r) for r in rows]


def load_seed(ws: Workspace, actor: auth.Actor, entries: Iterable[Mapping[str, Any]]) -> int:
    """Insert the curated practices (``data/practices_seed.toml``) not yet present (by ``key``); returns how many.

    One transaction, audited as ``practice.seed``; running it again adds nothing.
    """
    rows = []
    for entry in entries:
        fields = {k: v for k, v in entry.items() if k != "key"}
        fields["stakeholders"] = tuple(fields.get("stakeholders", ()))
        fields["families"] = tuple(fields.get("families", ()))
        rows.append((str(entry["key"]), validate(PracticeDraft(**fields))))
    added = 0
    with ws.write(actor, "practice.seed", target="practices_seed", detail={"entries": len(rows)}) as conn:
        for key, row in rows:
            if conn.scalar("SELECT COUNT(*) FROM practices WHERE seed_key = ?", (key,)):
                continue
            _insert(conn, row, actor, seed_key=key)
            added += 1
    return added
