"""Reading the audit log (written by :meth:`Workspace.write`): filters for the admin page and exports.

Every read checks ``audit.read`` here (admins), whatever the navigation showed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from gtec.core import auth
from gtec.storage.sql import placeholders
from gtec.storage.workspace import Workspace

AUDIT_COLUMNS: tuple[str, ...] = ("id", "at", "actor", "role", "action", "target", "detail")


def audit_query(
    actors: Sequence[str] = (),
    actions: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
    limit: int = 1000,
) -> tuple[str, list]:
    """SQL and parameters selecting audit rows, most recent first.

    Empty ``actors``/``actions`` mean all; ``since``/``until`` are inclusive UTC calendar days.
    """
    clauses: list[str] = []
    params: list[object] = []
    if actors:
        clauses.append(f"actor IN ({placeholders(actors)})")
        params.extend(actors)
    if actions:
        clauses.append(f"action IN ({placeholders(actions)})")
        params.extend(actions)
    if since is not None:
        clauses.append("at >= ?")
        params.append(since.isoformat())
    if until is not None:
        clauses.append("at < ?")
        params.append((until + timedelta(days=1)).isoformat())
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log{where} ORDER BY id DESC LIMIT ?"
    return sql, [*params, int(limit)]


def search_audit(
    ws: Workspace,
    actor: auth.Actor,
    actors: Sequence[str] = (),
    actions: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
    limit: int = 1000,
) -> list[dict]:
    """Audit rows matching the filters (see :func:`audit_query`), most recent first, as dicts (admins)."""
    auth.require(actor, "audit.read")
    sql, params = audit_query(actors, actions, since, until, limit)
    with ws.read() as conn:
        return [dict(r) for r in conn.all(sql, params)]


def audit_facets(ws: Workspace, actor: auth.Actor) -> dict[str, list[str]]:
    """Distinct actors and actions present in the log (for filter choices; admins)."""
    auth.require(actor, "audit.read")
    with ws.read() as conn:
        actors = [r[0] for r in conn.all("SELECT DISTINCT actor FROM audit_log ORDER BY actor")]
        actions = [r[0] for r in conn.all("SELECT DISTINCT action FROM audit_log ORDER BY action")]
    return {"actors": actors, "actions": actions}
