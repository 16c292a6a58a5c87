"""Reading the audit log (written by :func:`gtec.storage.workspace.write`): filters for the admin page and exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from gtec.storage import workspace

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
    clauses, params = [], []
    if actors:
        clauses.append(f"actor IN ({', '.join('?' * len(actors))})")
        params.extend(actors)
    if actions:
        clauses.append(f"action IN ({', '.join('?' * len(actions))})")
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
    actors: Sequence[str] = (),
    actions: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
    limit: int = 1000,
    path: Path | None = None,
) -> list[dict]:
    """Audit rows matching the filters (see :func:`audit_query`), most recent first, as dicts."""
    sql, params = audit_query(actors, actions, since, until, limit)
    with workspace.read(path) as conn:
        return [dict(r) for r in conn.execute(sql, params).fetchall()]


def audit_facets(path: Path | None = None) -> dict[str, list[str]]:
    """Distinct actors and actions present in the log (for filter choices)."""
    with workspace.read(path) as conn:
        actors = [r[0] for r in conn.execute("SELECT DISTINCT actor FROM audit_log ORDER BY actor")]
        actions = [r[0] for r in conn.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]
    return {"actors": actors, "actions": actions}
