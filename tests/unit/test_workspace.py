"""Workspace store: versioned migrations, one write path, audit log, permissions checked server-side."""

import sqlite3
import threading

import pytest

from gtec.access import auth
from gtec.storage import workspace

FACILITATOR = auth.Actor("Alice Martin", "facilitator")


def test_migrations_apply_once_in_order(tmp_path):
    path = tmp_path / "ws.sqlite"
    applied = workspace.migrate(path)
    versions = [v for v, _, _ in workspace.migrations()]
    assert applied == versions and versions == sorted(versions) and versions[0] == 1
    assert workspace.migrate(path) == []
    assert workspace.schema_version(path) == versions[-1]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    path = tmp_path / "ws.sqlite"
    workspace.migrate(path)
    before = workspace.schema_version(path)
    broken = [*workspace.migrations(), (9999, "broken", "CREATE TABLE ok_table (x INTEGER);\nSELECT * FROM nowhere;")]
    monkeypatch.setattr(workspace, "migrations", lambda: broken)
    with pytest.raises(sqlite3.OperationalError):
        workspace.migrate(path)
    assert workspace.schema_version(path) == before
    names = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert "ok_table" not in names


def test_write_records_audit_row_in_same_transaction(tmp_path):
    path = tmp_path / "ws.sqlite"
    with workspace.write(FACILITATOR, "scenario.save", target="demo", path=path) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
    entries = workspace.audit_entries(path=path)
    assert entries[0]["actor"] == "Alice Martin"
    assert entries[0]["action"] == "scenario.save" and entries[0]["target"] == "demo"


def test_failed_write_leaves_nothing(tmp_path):
    path = tmp_path / "ws.sqlite"
    workspace.migrate(path)
    with workspace.write(FACILITATOR, "scenario.save", path=path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError), workspace.write(FACILITATOR, "scenario.save", path=path) as conn:
        conn.execute("DELETE FROM t")
        raise RuntimeError("import failed half-way")
    with workspace.read(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1
    assert len(workspace.audit_entries(path=path)) == 1


def test_reader_cannot_write(tmp_path):
    path = tmp_path / "ws.sqlite"
    with pytest.raises(auth.PermissionDenied), workspace.write(auth.ANONYMOUS, "scenario.save", path=path):
        pass
    assert workspace.audit_entries(path=path) == []


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "ws.sqlite"
    with workspace.write(FACILITATOR, "scenario.save", path=path) as conn:
        conn.execute("CREATE TABLE counter (n INTEGER)")
        conn.execute("INSERT INTO counter VALUES (0)")

    def bump():
        for _ in range(25):
            with workspace.write(FACILITATOR, "scenario.save", path=path) as conn:
                n = conn.execute("SELECT n FROM counter").fetchone()[0]
                conn.execute("UPDATE counter SET n = ?", (n + 1,))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with workspace.read(path) as conn:
        assert conn.execute("SELECT n FROM counter").fetchone()[0] == 100
