"""Workspace store: everything people create (custom territories, scenarios, edits, accounts...).

A separate SQLite file that no reference rebuild ever touches. Schema changes are versioned SQL files in
``gtec/migrations/NNNN_name.sql``, each applied once, in order, inside one transaction.
All writes go through :func:`write`: WAL journal, busy timeout, ``BEGIN IMMEDIATE``, permission check and
an audit-log row in the same transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from gtec.access import auth
from gtec.core import config

BUSY_TIMEOUT_MS = 5000
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def migrations() -> list[tuple[int, str, str]]:
    """All migrations shipped with the package as ``(version, name, sql)``, sorted by version."""
    found = []
    for entry in resources.files("gtec.storage.migrations").iterdir():
        match = _MIGRATION_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers: {versions}")
    return found


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def migrate(path: Path | None = None) -> list[int]:
    """Create the workspace if needed and apply pending migrations. Returns the versions applied."""
    path = path or config.workspace_path()
    conn = _connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied: list[int] = []
        for version, name, sql in migrations():
            conn.execute("BEGIN IMMEDIATE")
            try:
                done = conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone()
                if done:
                    conn.execute("ROLLBACK")
                    continue
                for statement in _split_sql(sql):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, now_iso()),
                )
                conn.execute("COMMIT")
                applied.append(version)
            except Exception:
                conn.execute("ROLLBACK")
                raise
        return applied
    finally:
        conn.close()


def _split_sql(sql: str) -> list[str]:
    """Split a migration file into statements (``executescript`` would commit the open transaction)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError("incomplete SQL statement in migration: " + buffer.strip()[:80])
    return statements


def schema_version(path: Path | None = None) -> int:
    """Highest applied migration version (0 for a new workspace)."""
    path = path or config.workspace_path()
    if not path.exists():
        return 0
    conn = _connect(path)
    try:
        row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


@contextmanager
def read(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A short-lived read connection to the (migrated) workspace."""
    path = path or config.workspace_path()
    migrate(path)
    conn = _connect(path)
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def write(
    actor: auth.Actor,
    action: str,
    target: str = "",
    detail: dict | None = None,
    path: Path | None = None,
) -> Iterator[sqlite3.Connection]:
    """The one write path: permission check, ``BEGIN IMMEDIATE``, audit row, commit or roll back whole.

    Raises :class:`gtec.access.auth.PermissionDenied` before touching the file when ``actor`` may not ``action``.
    """
    auth.require(actor, action)
    path = path or config.workspace_path()
    migrate(path)
    conn = _connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute(
                "INSERT INTO audit_log(at, actor, role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (now_iso(), actor.name, actor.role, action, target, json.dumps(detail or {}, ensure_ascii=False)),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()


def audit_entries(limit: int = 200, path: Path | None = None) -> list[dict]:
    """Most recent audit-log rows first, as dicts."""
    with read(path) as conn:
        rows = conn.execute(
            "SELECT id, at, actor, role, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
    return [dict(r) for r in rows]
