"""Workspace store: versioned migrations, one write path, audit log, permissions checked server-side."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import threading
import time
from importlib import resources
from pathlib import Path

import pytest

from gtec.core import auth
from gtec.core.i18n import catalogue
from gtec.storage import workspace
from gtec.storage.workspace import UniqueViolation, Workspace, WorkspaceError, name_key

FACILITATOR = auth.Actor("Alice Martin", "facilitator")


def real_migrations() -> dict[str, bytes]:
    """The migration files shipped with gtec, by file name."""
    folder = resources.files(workspace.MIGRATION_PACKAGE)
    return {e.name: e.read_bytes() for e in folder.iterdir() if e.name.endswith(".sql")}


@pytest.fixture
def migration_package(tmp_path, monkeypatch):
    """Make an importable package of migrations: ``make(name, files)`` with ``files`` as {file name: text}."""
    made: list[str] = []
    monkeypatch.syspath_prepend(str(tmp_path / "pkgs"))

    def make(name: str, files: dict[str, str | bytes]) -> str:
        package = tmp_path / "pkgs" / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        for file_name, text in files.items():
            data = text.encode("utf-8") if isinstance(text, str) else text
            (package / file_name).write_bytes(data)
        made.append(name)
        return name

    yield make
    for name in made:
        sys.modules.pop(name, None)


def raw_table_names(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


# --- migrations ------------------------------------------------------------------------------------------


def test_migrations_apply_once_in_order(tmp_path):
    ws = Workspace(tmp_path / "ws.sqlite")
    applied = ws.migrate()
    versions = [v for v, _, _ in workspace.migrations()]
    assert applied == versions and versions == sorted(versions) and versions[0] == 1
    assert ws.migrate() == []
    assert Workspace.open(ws.path).schema_version() == versions[-1]
    conn = sqlite3.connect(ws.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = dict(conn.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    finally:
        conn.close()
    # every applied migration carries the SHA-256 of its file
    for version, _name, sql in workspace.migrations():
        assert stored[version] == hashlib.sha256(sql.encode("utf-8")).hexdigest()


def test_failed_migration_rolls_back(tmp_path, migration_package):
    ws = Workspace.open(tmp_path / "ws.sqlite")
    before = ws.schema_version()
    broken = "CREATE TABLE ok_table (x INTEGER);\nSELECT * FROM nowhere;\n"
    package = migration_package("migrations_broken", {**real_migrations(), "9999_broken.sql": broken})
    with pytest.raises(workspace.MigrationError, match="9999_broken"):
        ws.migrate(package=package)
    assert ws.schema_version() == before
    assert "ok_table" not in raw_table_names(ws.path)


def test_misnamed_migration_file_is_refused(tmp_path, migration_package):
    ws = Workspace.open(tmp_path / "ws.sqlite")
    before = ws.schema_version()
    package = migration_package(
        "migrations_misnamed", {**real_migrations(), "0007-add-things.sql": "CREATE TABLE things (x INTEGER);"}
    )
    with pytest.raises(WorkspaceError) as error:
        ws.migrate(package=package)
    assert error.value.code == "migration_name" and error.value.key == "workspace.error.migration_name"
    assert "0007-add-things.sql" in error.value.detail
    assert ws.schema_version() == before and "things" not in raw_table_names(ws.path)
    # a fresh path is not even created when the migrations are misnamed
    fresh = Workspace(tmp_path / "fresh.sqlite")
    with pytest.raises(WorkspaceError):
        fresh.migrate(package=package)
    assert not fresh.path.exists()


def test_two_migrations_with_one_number_are_refused(tmp_path, migration_package):
    package = migration_package(
        "migrations_duplicate", {**real_migrations(), "0006_again.sql": "CREATE TABLE again (x INTEGER);"}
    )
    with pytest.raises(WorkspaceError) as error:
        Workspace(tmp_path / "ws.sqlite").migrate(package=package)
    assert error.value.code == "migration_name"


def test_an_applied_migration_edited_later_is_detected(tmp_path, migration_package):
    ws = Workspace.open(tmp_path / "ws.sqlite")
    files = real_migrations()
    files["0005_accounts.sql"] = files["0005_accounts.sql"] + b"\nCREATE TABLE sneaky (x INTEGER);\n"
    package = migration_package("migrations_edited", files)
    with pytest.raises(WorkspaceError) as error:
        ws.migrate(package=package)
    assert error.value.code == "migration_edited"
    assert "sneaky" not in raw_table_names(ws.path)


def test_line_endings_alone_do_not_count_as_an_edit(tmp_path, migration_package):
    ws = Workspace.open(tmp_path / "ws.sqlite")
    files = {name: data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") for name, data in real_migrations().items()}
    assert ws.migrate(package=migration_package("migrations_crlf", files)) == []


def test_a_workspace_migrated_by_a_newer_version_is_refused(workspace_path):
    conn = sqlite3.connect(workspace_path)
    with conn:
        conn.execute("INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, 'future', 'x')")
    conn.close()
    with pytest.raises(WorkspaceError) as error:
        Workspace.open(workspace_path)
    assert error.value.code == "newer"


def test_read_does_not_migrate(tmp_path, migration_package):
    files = real_migrations()
    last = max(files)
    older = migration_package("migrations_older", {k: v for k, v in files.items() if k != last})
    ws = Workspace(tmp_path / "ws.sqlite")
    ws.migrate(package=older)
    behind = ws.schema_version()
    assert behind == max(int(k[:4]) for k in files if k != last)
    with ws.read() as conn:
        assert conn.scalar("SELECT COUNT(*) FROM schema_migrations") == behind
    assert ws.schema_version() == behind  # still behind after reading
    assert Workspace.open(ws.path).schema_version() == int(last[:4])  # opening migrates


def test_read_of_a_workspace_never_created_creates_nothing(tmp_path):
    ws = Workspace(tmp_path / "never.sqlite")
    with pytest.raises(WorkspaceError) as error, ws.read():
        pass
    assert error.value.code == "missing"
    assert not ws.path.exists()


def test_a_read_takes_no_write_lock(ws):
    writer = sqlite3.connect(ws.path, isolation_level=None, timeout=0.1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO audit_log(at, actor, role, action, target, detail) VALUES ('x', 'w', 'admin', 'a', '', '{}')"
        )
        started = time.monotonic()
        with ws.read() as conn:
            seen = conn.scalar("SELECT COUNT(*) FROM audit_log")
        assert ws.audit_entries() == []
        elapsed = time.monotonic() - started
        assert seen == 0  # the uncommitted row is not visible
        assert elapsed < 1.0, f"read waited {elapsed:.2f} s behind a writer (busy timeout is 5 s)"
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_read_connection_refuses_writes(ws):
    with ws.read() as conn:
        assert conn.scalar("PRAGMA query_only") == 1
        with pytest.raises(sqlite3.OperationalError):
            conn.execute(
                "INSERT INTO audit_log(at, actor, role, action, target, detail) VALUES ('x','y','z','a','','')"
            )
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("CREATE TABLE t (x INTEGER)")
    assert ws.audit_entries() == [] and "t" not in raw_table_names(ws.path)


# --- the write path --------------------------------------------------------------------------------------


def test_write_records_audit_row_in_same_transaction(ws):
    with ws.write(FACILITATOR, "scenario.save", target="demo", detail={"n": 1}) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
    entries = ws.audit_entries()
    assert entries[0]["actor"] == "Alice Martin" and entries[0]["role"] == "facilitator"
    assert entries[0]["action"] == "scenario.save" and entries[0]["target"] == "demo"
    assert entries[0]["detail"] == '{"n": 1}'


def test_failed_write_leaves_nothing(ws):
    with ws.write(FACILITATOR, "scenario.save") as conn:
        conn.execute("CREATE TABLE t (x INTEGER)")
        conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError), ws.write(FACILITATOR, "scenario.save") as conn:
        conn.execute("DELETE FROM t")
        raise RuntimeError("import failed half-way")
    with ws.read() as conn:
        assert conn.scalar("SELECT COUNT(*) FROM t") == 1
    assert len(ws.audit_entries()) == 1


def test_reader_cannot_write(ws):
    with pytest.raises(auth.PermissionDenied), ws.write(auth.ANONYMOUS, "scenario.save"):
        pass
    assert ws.audit_entries() == []


def test_ledger_writes_without_an_audit_row_and_rolls_back_whole(ws):
    with ws.ledger() as conn:
        conn.execute("INSERT INTO login_attempts(at, username, client, outcome) VALUES (1.0, 'x', 'c', 'failure')")
    with pytest.raises(RuntimeError), ws.ledger() as conn:
        conn.execute("INSERT INTO login_attempts(at, username, client, outcome) VALUES (2.0, 'y', 'c', 'failure')")
        raise RuntimeError("boom")
    with ws.read() as conn:
        assert [r["username"] for r in conn.all("SELECT username FROM login_attempts")] == ["x"]
    assert ws.audit_entries() == []


def test_concurrent_writers_lose_nothing(ws):
    with ws.write(FACILITATOR, "scenario.save") as conn:
        conn.execute("CREATE TABLE counter (n INTEGER)")
        conn.execute("INSERT INTO counter VALUES (0)")

    def bump():
        for _ in range(25):
            with ws.write(FACILITATOR, "scenario.save") as conn:
                n = conn.scalar("SELECT n FROM counter")
                conn.execute("UPDATE counter SET n = ?", (n + 1,))

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with ws.read() as conn:
        assert conn.scalar("SELECT n FROM counter") == 100
    assert len(ws.audit_entries(limit=500)) == 101


# --- uniqueness and errors -------------------------------------------------------------------------------


def test_name_key_folds_unicode_case_spacing_and_normal_form():
    assert name_key("Pays  de Vannes") == name_key(" pays de vannes ") == name_key("PAYS DE VANNES")
    assert name_key("Été à Brest") == name_key("ÉTÉ À BREST") == name_key("e\u0301te\u0301 a\u0300 brest")
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Été") != name_key("Ete")  # accents still matter


def _insert_scenario(conn, name: str) -> None:
    conn.execute(
        "INSERT INTO scenarios(name, name_key, territory_id, horizon, params, created_by, created_at, updated_at)"
        " VALUES (?, ?, 'FR', 2030, '{}', 'a', 'x', 'x')",
        (name, name_key(name)),
    )


def test_uniqueness_through_name_key_is_unicode_case_insensitive(ws):
    with ws.write(FACILITATOR, "scenario.save", target="Été à Brest") as conn:
        _insert_scenario(conn, "Été à Brest")
    # SQLite's NOCASE folds ASCII only: "ÉTÉ" and "été" would be two names; name_key makes them one.
    for other in ("ÉTÉ À BREST", "  été   à brest", "e\u0301te\u0301 a\u0300 Brest"):
        with pytest.raises(UniqueViolation), ws.write(FACILITATOR, "scenario.save", target=other) as conn:
            _insert_scenario(conn, other)
    with ws.read() as conn:
        assert [r["name"] for r in conn.all("SELECT name FROM scenarios")] == ["Été à Brest"]
    assert len(ws.audit_entries()) == 1  # the refused writes left no audit row


def test_workspace_errors_have_messages_in_both_languages():
    messages = catalogue()
    for code in workspace.ERROR_CODES:
        error = WorkspaceError(code, "detail")
        assert error.code == code and error.detail == "detail"
        assert messages[error.key]["fr"] and messages[error.key]["en"]
    with pytest.raises(ValueError):
        WorkspaceError("bogus")
