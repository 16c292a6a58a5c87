"""A damaged, emptied or vanished workspace is refused with a plain reason and never overwritten; the
``python -m gtec workspace`` commands check it, back it up, restore a backup and start anew."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gtec.access import accounts
from gtec.cli.main import main
from gtec.core import auth
from gtec.core.i18n import t
from gtec.storage import workspace
from gtec.storage.workspace import Workspace, WorkspaceError

ADMIN = auth.Actor("cli:test", "admin")
PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]


def open_error(path: Path, **kwargs) -> str:
    with pytest.raises(WorkspaceError) as error:
        Workspace.open(path, **kwargs)
    return error.value.code


def siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def with_account(path: Path, username: str = "alice") -> Workspace:
    ws = Workspace.open(path)
    accounts.create_account(ws, ADMIN, username, PASSWORD, "admin", "Alice Martin")
    return ws


def corrupt(path: Path) -> bytes:
    """Replace the workspace by bytes that are not a database; returns them."""
    data = os.urandom(8192)
    path.write_bytes(data)
    return data


# --- Workspace.open refuses and leaves the file alone ------------------------------------------------------


def test_random_bytes_are_refused_as_corrupt_and_left_unchanged(tmp_path):
    path = tmp_path / "workspace.sqlite"
    data = corrupt(path)
    assert open_error(path) == "corrupt"
    assert path.read_bytes() == data
    assert siblings(path) == ["workspace.sqlite"]  # no marker, WAL or replacement file either


def test_a_truncated_workspace_is_refused_as_corrupt_and_left_unchanged(tmp_path):
    path = tmp_path / "workspace.sqlite"
    ws = with_account(path)
    for i in range(30):
        with ws.write(ADMIN, "scenario.save", target=f"s{i}", detail={"padding": "x" * 2000}):
            pass
    whole = path.read_bytes()
    assert len(whole) > 3 * 4096 and not path.with_name(path.name + "-wal").exists()
    half = whole[: len(whole) // 2]
    path.write_bytes(half)
    assert open_error(path) == "corrupt"
    assert path.read_bytes() == half
    with pytest.raises(WorkspaceError) as error, ws.read() as conn:
        conn.all("SELECT * FROM audit_log")
    assert error.value.code == "corrupt"
    assert path.read_bytes() == half


def test_a_zero_byte_file_is_refused_as_emptied_and_left_unchanged(tmp_path):
    path = tmp_path / "workspace.sqlite"
    with_account(path)
    path.write_bytes(b"")
    assert open_error(path) == "emptied"
    assert path.exists() and path.stat().st_size == 0
    never_created = tmp_path / "other.sqlite"
    never_created.touch()
    assert open_error(never_created) == "emptied"  # even without a marker: an empty file is not a new one


def test_a_workspace_deleted_after_creation_is_missing_and_not_recreated(tmp_path):
    path = tmp_path / "workspace.sqlite"
    ws = with_account(path)
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    assert ws.marker.exists()
    assert open_error(path) == "missing"
    assert not path.exists()
    with pytest.raises(WorkspaceError) as read_error, ws.read():
        pass
    assert read_error.value.code == "missing"
    with pytest.raises(WorkspaceError) as write_error, ws.write(ADMIN, "user.manage"):
        pass
    assert write_error.value.code == "missing"
    assert not path.exists()


def test_open_without_create_does_not_create(tmp_path):
    path = tmp_path / "workspace.sqlite"
    assert open_error(path, create=False) == "missing"
    assert not path.exists()
    assert Workspace.open(path).schema_version() > 0  # create=True (the default) starts a new one
    assert Workspace.open(path, create=False).schema_version() > 0


def test_the_error_messages_are_plain_sentences():
    for code in ("corrupt", "emptied", "missing"):
        message = t(f"workspace.error.{code}", "en")
        assert message and "Traceback" not in message and "sqlite3" not in message


# --- python -m gtec workspace ------------------------------------------------------------------------------


def test_workspace_check_exits_non_zero_with_a_plain_message(tmp_path):
    path = tmp_path / "workspace.sqlite"
    data = corrupt(path)
    env = {**os.environ, "GTEC_WORKSPACE": str(path), "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "gtec", "workspace", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert t("workspace.error.corrupt", "en") in run.stderr
    assert "workspace restore" in run.stderr and "workspace reset" in run.stderr  # how to recover
    assert "Traceback" not in run.stderr
    assert path.read_bytes() == data


def test_workspace_check_in_process(workspace_path, capsys):
    assert main(["workspace", "check"]) == 0
    assert "ok, schema v" in capsys.readouterr().out
    workspace_path.write_bytes(b"")
    assert main(["workspace", "check"]) == 1
    assert t("workspace.error.emptied", "en") in capsys.readouterr().err
    assert workspace_path.stat().st_size == 0


def test_check_does_not_create_a_missing_workspace(tmp_path, monkeypatch, capsys):
    path = tmp_path / "workspace.sqlite"
    monkeypatch.setenv("GTEC_WORKSPACE", str(path))
    assert main(["workspace", "check"]) == 1
    assert main(["workspace", "backup", str(tmp_path / "b.sqlite")]) == 1
    assert not path.exists() and not (tmp_path / "b.sqlite").exists()
    assert t("workspace.error.missing", "en") in capsys.readouterr().err


def test_backup_then_corruption_then_restore_brings_the_accounts_back(workspace_path, tmp_path, capsys):
    with_account(workspace_path)
    backup = tmp_path / "backups" / "ws-backup.sqlite"
    assert main(["workspace", "backup", str(backup)]) == 0
    assert backup.is_file()
    damaged = corrupt(workspace_path)
    assert main(["workspace", "check"]) == 1
    assert main(["workspace", "restore", str(backup)]) == 0
    ws = Workspace.open(workspace_path)
    assert [a.username for a in accounts.list_accounts(ws, ADMIN)] == ["alice"]
    assert accounts.sign_in(ws, "alice", PASSWORD, "10.0.0.1").ok
    assert main(["workspace", "check"]) == 0
    # the damaged file was kept aside, byte for byte
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("workspace.sqlite.damaged-")]
    assert [p.read_bytes() for p in aside] == [damaged]
    assert backup.is_file()  # the backup itself is still there
    capsys.readouterr()


def test_restore_of_a_bad_file_changes_nothing(workspace_path, tmp_path, capsys):
    with_account(workspace_path)
    before = workspace_path.read_bytes()
    names = siblings(workspace_path)
    assert names == ["workspace.sqlite", "workspace.sqlite.created"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    bad = elsewhere / "not-a-backup.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    assert main(["workspace", "restore", str(bad)]) == 2
    assert main(["workspace", "restore", str(elsewhere / "nowhere.sqlite")]) == 2
    empty = elsewhere / "empty.sqlite"
    empty.touch()
    assert main(["workspace", "restore", str(empty)]) == 2
    assert "nothing was changed" in capsys.readouterr().err
    assert workspace_path.read_bytes() == before
    assert siblings(workspace_path) == ["elsewhere", *names]  # no file set aside, no .restoring left
    ws = Workspace.open(workspace_path)
    assert [a.username for a in accounts.list_accounts(ws, ADMIN)] == ["alice"]


def test_reset_keeps_the_damaged_file_aside_and_starts_anew(workspace_path, tmp_path, capsys):
    with_account(workspace_path)
    damaged = corrupt(workspace_path)
    assert main(["workspace", "reset"]) == 2  # not without --yes
    assert workspace_path.read_bytes() == damaged
    assert main(["workspace", "reset", "--yes"]) == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("workspace.sqlite.damaged-")]
    assert [p.read_bytes() for p in aside] == [damaged]  # never deleted
    ws = Workspace.open(workspace_path)
    assert ws.schema_version() > 0 and accounts.list_accounts(ws, ADMIN) == [] and not accounts.has_admin(ws)
    assert main(["workspace", "check"]) == 0
    assert str(aside[0]) in capsys.readouterr().out


def test_reset_of_a_vanished_workspace_starts_anew(workspace_path, capsys):
    workspace_path.unlink()
    assert open_error(workspace_path) == "missing"
    assert main(["workspace", "reset", "--yes"]) == 0
    assert Workspace.open(workspace_path).schema_version() > 0
    capsys.readouterr()


def test_two_set_asides_in_one_second_keep_both_files(workspace_path, tmp_path, monkeypatch, capsys):
    frozen = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)

    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen

    monkeypatch.setattr(workspace, "datetime", FrozenClock)  # both resets within one second, every run
    first = corrupt(workspace_path)
    assert main(["workspace", "reset", "--yes"]) == 0
    second = corrupt(workspace_path)
    assert main(["workspace", "reset", "--yes"]) == 0
    aside = sorted(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("workspace.sqlite.damaged-"))
    assert aside == sorted([first, second])


def test_backup_is_consistent_while_a_writer_holds_its_transaction(workspace_path, tmp_path):
    ws = with_account(workspace_path)
    with ws.write(ADMIN, "user.manage", target="bob") as conn:
        conn.execute("UPDATE accounts SET display_name = 'changing' WHERE username = 'alice'")
        copy = ws.backup(tmp_path / "during.sqlite")
    restored = Workspace.open(copy, create=False)
    assert accounts.get_account(restored, ADMIN, "alice").display_name == "Alice Martin"  # committed state only
    assert not copy.with_name(copy.name + ".partial").exists()
