"""Surveys built from the question bank, their answer links and tokens, and the answers people give.

A survey asks some bank questions (or, for a ``company`` survey, the headcount questions of each occupation
family) to some stakeholder groups. It is answered through its public link ``?s=<link code>``:

- ``tokens`` mode: the facilitator generates one personal token per respondent (a list of links to hand out);
  only the tokens' SHA-256 is stored, and each token answers once;
- ``open`` mode: one link for everybody; each browser gets its own token the first time it opens the link (kept
  in the page address), and that token answers once. Nothing stops one person from opening the link in two
  private windows: an open link counts browsers, not people (personal tokens do count people).

A token used twice, an unknown token or a closed survey raises a :class:`~gtec.core.errors.UserError` and
changes nothing: the first answer is kept as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.core.text import clean
from gtec.needs import bank
from gtec.storage.workspace import Connection, UniqueViolation, Workspace, name_key, now_iso

KINDS: tuple[str, ...] = ("needs", "company")
MODES: tuple[str, ...] = ("tokens", "open")
STATUSES: tuple[str, ...] = ("open", "closed")
MAX_TITLE = 160
MAX_TOKENS = 2000
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_TERRITORY = re.compile(r"^[A-Z]{2}(-[A-Za-z0-9_]+)*$|^WS-\d+$")


@dataclass(frozen=True)
class Survey:
    id: int
    title: str
    kind: str
    mode: str
    link_code: str
    groups: tuple[str, ...]
    question_ids: tuple[str, ...]
    territory_id: str
    status: str
    created_by: str
    created_at: str
    closed_at: str
    version: int
    responses: int = 0

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def bounds(self) -> tuple[int, int]:
        """Allowed answer values: the priority scale, or headcounts for a company survey."""
        if self.kind == "company":
            return 0, bank.MAX_HEADCOUNT
        return bank.SCALE_MIN, bank.SCALE_MAX


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A random answer token (72 bits, URL-safe)."""
    return secrets.token_urlsafe(9)


def _row_to_survey(row: Mapping) -> Survey:
    return Survey(
        id=int(row["id"]),
        title=row["title"],
        kind=row["kind"],
        mode=row["mode"],
        link_code=row["link_code"],
        groups=tuple(json.loads(row["groups_json"])),
        question_ids=tuple(json.loads(row["questions_json"])),
        territory_id=row["territory_id"],
        status=row["status"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        version=int(row["version"]),
        responses=int(row["responses"]) if "responses" in row.keys() else 0,  # noqa: SIM118 (sqlite3.Row)
    )


_SELECT = (
    "SELECT s.*, (SELECT COUNT(*) FROM needs_responses r WHERE r.survey_id = s.id) AS responses FROM needs_surveys s"
)


def create_survey(
    ws: Workspace,
    actor: auth.Actor,
    *,
    title: str,
    kind: str,
    groups: Sequence[str],
    question_ids: Sequence[str],
    mode: str,
    territory_id: str = "",
) -> Survey:
    """Create an open survey. ``question_ids`` are bank ids (``needs``) or ``now_Fnn``/``in3y_Fnn`` (``company``,
    which needs a ``territory_id`` and asks companies only). Raises ``needs.error.*`` on bad input."""
    title = clean(title).strip()
    if not title:
        raise UserError("needs.error.title")
    if len(title) > MAX_TITLE:
        raise UserError("needs.error.too_long", max=MAX_TITLE)
    if kind not in KINDS or mode not in MODES:
        raise UserError("needs.error.kind")
    groups = tuple(g for g in bank.GROUPS if g in set(groups))
    if kind == "company":
        groups = ("companies",)
        if not _TERRITORY.match(territory_id or ""):
            raise UserError("needs.error.territory")
        bad = [q for q in question_ids if not re.match(r"^(now|in3y)_F\d{2}$", q)]
    else:
        bad = [q for q in question_ids if q not in bank.BY_ID]
    if not groups:
        raise UserError("needs.error.groups")
    if bad or not question_ids:
        raise UserError("needs.error.questions")
    ids = list(dict.fromkeys(question_ids))
    now = now_iso()
    try:
        with ws.write(actor, "needs.manage", target=title, detail={"step": "create", "kind": kind}) as conn:
            new_id = conn.scalar(
                "INSERT INTO needs_surveys(title, title_key, kind, mode, link_code, groups_json, questions_json,"
                " territory_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (title, name_key(title), kind, mode, new_token(), json.dumps(list(groups)), json.dumps(ids),
                 territory_id or "", actor.name, now),
            )  # fmt: skip
    except UniqueViolation:
        raise UserError("needs.error.duplicate", title=title) from None
    survey = get_survey(ws, int(new_id))
    assert survey is not None
    return survey


def get_survey(ws: Workspace, survey_id: int) -> Survey | None:
    with ws.read() as conn:
        row = conn.one(_SELECT + " WHERE s.id = ?", (survey_id,))
    return None if row is None else _row_to_survey(row)


def by_link(ws: Workspace, link_code: str | None) -> Survey | None:
    """The survey a public link opens (None for an unknown or malformed code)."""
    if not link_code or not _TOKEN.match(link_code):
        return None
    with ws.read() as conn:
        row = conn.one(_SELECT + " WHERE s.link_code = ?", (link_code,))
    return None if row is None else _row_to_survey(row)


def list_surveys(ws: Workspace, kind: str | None = None) -> list[Survey]:
    """Every survey, newest first (optionally of one kind), with its number of responses."""
    sql, params = _SELECT, []
    if kind:
        sql, params = sql + " WHERE s.kind = ?", [kind]
    with ws.read() as conn:
        rows = conn.all(sql + " ORDER BY s.id DESC", params)
    return [_row_to_survey(r) for r in rows]


def set_status(ws: Workspace, actor: auth.Actor, survey_id: int, status: str, version: int) -> Survey:
    """Open or close a survey (based on ``version``: a change made meanwhile is refused, never overwritten)."""
    if status not in STATUSES:
        raise UserError("needs.error.kind")
    with ws.write(actor, "needs.manage", target=str(survey_id), detail={"step": "status", "status": status}) as c:
        row = c.one("SELECT status, version FROM needs_surveys WHERE id = ?", (survey_id,))
        if row is None:
            raise UserError("needs.error.unknown")
        if int(row["version"]) != version:
            conflict = {
                "id": survey_id,
                "field": "status",
                "yours": status,
                "theirs": row["status"],
                "by": "",
                "at": "",
            }
            raise EditConflict("needs.error.conflict", [conflict])
        c.execute(
            "UPDATE needs_surveys SET status = ?, closed_at = ?, version = version + 1 WHERE id = ?",
            (status, now_iso() if status == "closed" else "", survey_id),
        )
    survey = get_survey(ws, survey_id)
    assert survey is not None
    return survey


def issue_tokens(ws: Workspace, actor: auth.Actor, survey_id: int, count: int) -> list[str]:
    """``count`` new personal tokens for a ``tokens`` survey; returned once (only their hashes are stored)."""
    if not 1 <= count <= MAX_TOKENS:
        raise UserError("needs.error.token_count", max=MAX_TOKENS)
    tokens = [new_token() for _ in range(count)]
    with ws.write(actor, "needs.manage", target=str(survey_id), detail={"step": "tokens", "count": count}) as conn:
        if conn.scalar("SELECT mode FROM needs_surveys WHERE id = ?", (survey_id,)) != "tokens":
            raise UserError("needs.error.not_tokens")
        now = now_iso()
        conn.executemany(
            "INSERT INTO needs_tokens(survey_id, token_hash, created_at) VALUES (?, ?, ?)",
            [(survey_id, hash_token(tok), now) for tok in tokens],
        )
    return tokens


def token_counts(ws: Workspace, survey_id: int) -> tuple[int, int]:
    """(tokens issued, tokens used) of a survey."""
    with ws.read() as conn:
        row = conn.one(
            "SELECT COUNT(*) AS n, SUM(CASE WHEN used_at <> '' THEN 1 ELSE 0 END) AS used FROM needs_tokens"
            " WHERE survey_id = ?",
            (survey_id,),
        )
    return (int(row["n"]), int(row["used"] or 0)) if row else (0, 0)


def answered(ws: Workspace, survey: Survey, token: str | None) -> bool:
    """True when this token has already answered the survey."""
    if not token or not _TOKEN.match(token):
        return False
    with ws.read() as conn:
        return bool(
            conn.scalar(
                "SELECT 1 FROM needs_responses WHERE survey_id = ? AND respondent_key = ?",
                (survey.id, hash_token(token)),
            )
        )


def clean_answers(survey: Survey, answers: Mapping[str, object]) -> dict[str, int]:
    """The answers kept: known questions with a value inside the survey's bounds ("don't know" = None is left
    out, never stored as 0). Raises ``needs.error.value`` for a value outside the bounds."""
    low, high = survey.bounds()
    known = set(survey.question_ids)
    out: dict[str, int] = {}
    for qid, value in answers.items():
        if value is None or value == "":
            continue
        if qid not in known:
            raise UserError("needs.error.question_unknown", question=qid)
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            raise UserError("needs.error.value", question=qid, low=low, high=high)
        if not low <= int(value) <= high:
            raise UserError("needs.error.value", question=qid, low=low, high=high)
        out[qid] = int(value)
    return out


def insert_response(
    conn: Connection, survey_id: int, key: str, group: str, answers: Mapping[str, int], origin: str, batch: str = ""
) -> int:
    """One response and its answers inside an open write transaction (raises UniqueViolation on a reused key)."""
    rid = int(
        conn.scalar(
            "INSERT INTO needs_responses(survey_id, respondent_key, group_code, origin, import_batch, submitted_at)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (survey_id, key, group, origin, batch, now_iso()),
        )
    )
    conn.executemany(
        "INSERT INTO needs_answers(response_id, question_id, value) VALUES (?, ?, ?)",
        [(rid, qid, value) for qid, value in answers.items()],
    )
    return rid


def respondent_scope(survey: Survey) -> str:
    """The scope of an anonymous respondent: the survey (the permission holds for that survey only)."""
    return f"survey-{survey.id}"


def submit(ws: Workspace, link_code: str, token: str | None, group: str, answers: Mapping[str, object]) -> int:
    """Record one anonymous answer through the public link; returns the response id.

    Refused, with nothing changed: unknown link (``needs.error.link``), closed survey (``needs.error.closed``),
    missing or unknown token (``needs.error.token``), token already used (``needs.error.already``), group not
    asked (``needs.error.group``), no answer at all (``needs.error.empty``), value out of bounds.
    """
    survey = by_link(ws, link_code)
    if survey is None:
        raise UserError("needs.error.link")
    if group not in survey.groups:
        raise UserError("needs.error.group")
    kept = clean_answers(survey, answers)
    if not kept:
        raise UserError("needs.error.empty")
    if not token or not _TOKEN.match(token):
        raise UserError("needs.error.token")
    key = hash_token(token)
    try:
        scope = respondent_scope(survey)
        respondent = auth.Actor("anonymous", "participant", scope=scope)
        with ws.write(
            respondent, "needs.answer", target=str(survey.id), detail={"answers": len(kept)}, scope=scope
        ) as conn:
            status = conn.scalar("SELECT status FROM needs_surveys WHERE id = ?", (survey.id,))
            if status != "open":
                raise UserError("needs.error.closed")
            if survey.mode == "tokens":
                row = conn.one(
                    "SELECT id, used_at FROM needs_tokens WHERE survey_id = ? AND token_hash = ?", (survey.id, key)
                )
                if row is None:
                    raise UserError("needs.error.token")
                if row["used_at"]:
                    raise UserError("needs.error.already")
                conn.execute("UPDATE needs_tokens SET used_at = ? WHERE id = ?", (now_iso(), row["id"]))
            return insert_response(conn, survey.id, key, group, kept, "link")
    except UniqueViolation:
        raise UserError("needs.error.already") from None
