"""The workspace: everything people create (custom territories, scenarios, edits, accounts, workshops...).

One object, created once at the edge from configuration (:meth:`Workspace.open`) and passed inward; domain
modules never see a path or a driver. It offers:

- :meth:`Workspace.read`: a read-only connection (``PRAGMA query_only``): no migration, no lock, no
  ``BEGIN IMMEDIATE`` (WAL lets it read while a writer holds its transaction);
- :meth:`Workspace.write`: the one write path: permission check, one short ``BEGIN IMMEDIATE`` transaction,
  the audit-log row in the same transaction, commit or roll back as a whole;
- :meth:`Workspace.ledger`: the same transaction without permission or audit row, for the security ledgers
  that anonymous visitors write (sign-in attempts).

Domain SQL is portable: ``?`` placeholders, ``INSERT ... RETURNING id``, uniqueness through ``*_key``
columns computed in Python (:func:`name_key`), never ``COLLATE NOCASE`` or scalar ``MIN(a, b)``. Only this
package knows it is SQLite (WAL, busy timeout, ``BEGIN IMMEDIATE``, error classes). ``Workspace.open(url)`` with a
``postgresql://`` URL gives the PostgreSQL implementation behind the same interface (:mod:`gtec.storage.postgres`,
migrations translated by :mod:`gtec.storage.pgsql`; docs/postgresql.md).

Server mode (:meth:`Workspace.keep_open`, the app) reuses open connections, checked against the file's identity
before each use: opening a SQLite file per block cost more than the short write itself.
(Over 500 lines on purpose: the one object every capability goes through, with its checks, migrations and recovery.)

Schema changes are versioned SQL files in ``gtec/storage/migrations/NNNN_name.sql``, applied once, in order,
each in its own transaction, when the workspace is opened; their SHA-256 is recorded so that an applied
migration edited afterwards is detected. Opening also checks the file: a corrupt, emptied or vanished
workspace is refused with a plain reason and never overwritten (``python -m gtec workspace`` has the
recovery commands).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from gtec.core import auth
from gtec.core.errors import UserError

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 5000
#: Idle read-only connections kept per workspace object in server mode (:meth:`Workspace.keep_open`).
MAX_IDLE_READERS = 8
#: Server mode: the write-ahead log is copied into the file (a PASSIVE checkpoint) by a background thread after this
#: many writes, instead of inside the commit that crosses SQLite's 1,000-page threshold (auto-checkpoint). That commit
#: held the writer lock while it copied ~4 MB and synced the file: 5-55 ms, every ~140 workshop writes, for everyone
#: queued behind it. A PASSIVE checkpoint never blocks writers or readers.
CHECKPOINT_EVERY = 64
MIGRATION_PACKAGE = "gtec.storage.migrations"
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_IGNORED_FILES = frozenset({"__init__.py", "__pycache__"})
#: ``NNNN_name.pg.sql`` beside ``NNNN_name.sql``: run instead of the translation on PostgreSQL (rarely needed).
PG_OVERRIDE_SUFFIX = ".pg.sql"
#: A marker beside the workspace: it exists once the workspace was created, so a vanished file is noticed
#: instead of silently replaced by an empty one.
MARKER_SUFFIX = ".created"

#: Problems :meth:`Workspace.open` and the connections report; each has a ``workspace.error.<code>`` key.
ERROR_CODES = ("corrupt", "emptied", "missing", "newer", "migration_edited", "migration_name", "unavailable")


class WorkspaceError(UserError):
    """The workspace cannot be used. ``code`` is one of :data:`ERROR_CODES`; ``detail`` goes to the log only."""

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown workspace error {code!r}")
        super().__init__(f"workspace.error.{code}")
        self.detail = detail


class UniqueViolation(Exception):
    """A write broke a uniqueness rule (the caller turns it into a :class:`UserError` naming the field)."""


class MigrationError(RuntimeError):
    """A migration file failed to apply (the transaction of that migration was rolled back)."""


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def name_key(name: str) -> str:
    """The uniqueness key of a user-given name: NFC, whitespace collapsed, case-folded (Unicode, not ASCII).

    ``"Pays  de Vannes"``, ``"pays de vannes"`` and ``"PAYS DE VANNES"`` share one key; so do ``"Été"`` and ``"ÉTÉ"``.
    """
    return " ".join(unicodedata.normalize("NFC", name or "").split()).casefold()


# --- migrations ------------------------------------------------------------------------------------------


def _checksum(sql: str) -> str:
    return hashlib.sha256(sql.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def migrations(package: str = MIGRATION_PACKAGE) -> list[tuple[int, str, str]]:
    """All migrations shipped with the package as ``(version, name, sql)``, sorted by version.

    A file in the folder that does not match ``NNNN_name.sql`` is an error (a misnamed migration would
    otherwise be skipped silently), as are two files with the same number.
    """
    found = []
    for entry in resources.files(package).iterdir():
        if entry.name in _IGNORED_FILES:
            continue
        if entry.name.endswith(PG_OVERRIDE_SUFFIX):  # PostgreSQL's version of a migration (gtec.storage.postgres)
            if not _MIGRATION_RE.match(entry.name.removesuffix(PG_OVERRIDE_SUFFIX) + ".sql"):
                raise WorkspaceError("migration_name", entry.name)
            continue
        match = _MIGRATION_RE.match(entry.name)
        if not match:
            raise WorkspaceError("migration_name", entry.name)
        found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise WorkspaceError("migration_name", f"duplicate migration numbers: {versions}")
    return found


def split_sql(sql: str) -> list[str]:
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
        raise MigrationError("incomplete SQL statement in migration: " + buffer.strip()[:80])
    return statements


# --- connections -----------------------------------------------------------------------------------------


class Connection:
    """A connection inside a read or write block: portable SQL with ``?`` placeholders; rows are mappings."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        try:
            return self._raw.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc):
                raise UniqueViolation(str(exc)) from exc
            raise
        except sqlite3.DatabaseError as exc:
            _raise_if_damaged(exc)
            raise

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            self._raw.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc):
                raise UniqueViolation(str(exc)) from exc
            raise

    def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first row (``sqlite3.Row`` or its PostgreSQL twin: index and key access), or None."""
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        """Every row."""
        return self.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """The first column of the first row (None when there is no row). Also reads ``RETURNING id``."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]


def _raise_if_damaged(exc: sqlite3.DatabaseError) -> None:
    # Plain DatabaseError ("file is not a database", "database disk image is malformed") means damage;
    # its subclasses (OperationalError...) are ordinary errors of a query or of the lock.
    if type(exc) is sqlite3.DatabaseError:
        raise WorkspaceError("corrupt", str(exc)) from exc


class FairLock:
    """A first-come, first-served lock: on release the oldest waiter gets it (handed over, not raced for).

    ``threading.Lock`` lets the thread that just released it take it again before the woken waiter runs: with 100
    participants writing, a few waited seconds while others went twice. Handing the lock over in arrival order keeps
    the worst wait near (writers ahead) x (time of one write). ``permits`` > 1 makes it a first-come, first-served
    semaphore (at most that many holders at once; PostgreSQL writers, :mod:`gtec.storage.postgres`).
    """

    def __init__(self, permits: int = 1) -> None:
        self._guard = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._free = permits

    def acquire(self) -> None:
        with self._guard:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return
            # A plain lock taken here and released by the previous holder: one wake-up per hand-over (an Event
            # goes through a Condition, a second lock the woken thread must take again).
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        turn.acquire()  # released by the previous holder, who handed ownership over

    def release(self) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().release()  # still held: now by the oldest waiter
            else:
                self._free += 1

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


#: One writer at a time per workspace file *inside this process*: threads queue on a lock (first come, first served,
#: no polling) instead of all hitting SQLite's lock and sleeping in its busy handler; other processes still meet
#: SQLite's lock.
_WRITERS: dict[str, FairLock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(path: Path) -> FairLock:
    key = str(Path(path).resolve())
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, FairLock())


class Workspace:
    """The workspace store (SQLite). Create it with :meth:`open`; pass it inward; never open a path elsewhere."""

    dialect = "sqlite"

    def __new__(cls, target: Path | str, *args: Any, **kwargs: Any) -> Workspace:
        # A PostgreSQL URL gives the PostgreSQL implementation (imported only then: SQLite needs nothing more).
        if cls is Workspace and isinstance(target, str) and target.startswith(("postgresql://", "postgres://")):
            from gtec.storage.postgres import PgWorkspace

            return super().__new__(PgWorkspace)
        return super().__new__(cls)

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._keeper: sqlite3.Connection | None = None
        self._lock: FairLock | None = None
        #: Server mode (:meth:`keep_open`): connections reused across blocks, each tagged with the file identity
        #: (device, inode) it was opened on. Opening a connection costs ~0.4-1 ms (file open, WAL index, schema
        #: parse) against ~0.05 ms for a whole short write on an open one: with 100 participants writing at once,
        #: that difference is most of the queue.
        self._reuse = False
        self._writer: tuple[sqlite3.Connection, tuple[int, int]] | None = None
        self._readers: list[tuple[sqlite3.Connection, tuple[int, int]]] = []
        self._readers_guard = threading.Lock()
        self._writes = 0
        self._checkpoint_wake: threading.Event | None = None

    def __repr__(self) -> str:
        return f"Workspace({self.path.name!r})"

    # -- opening and checking

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True, keep_open: bool = False) -> Workspace:
        """Check the file, create it on first use (``create``) and apply pending migrations. Once per process.

        Raises :class:`WorkspaceError`: ``corrupt`` (not a database, or fails its integrity check), ``emptied``
        (a zero-byte file), ``missing`` (the file was created once and is gone, or ``create`` is False),
        ``newer`` (migrated by a newer version of the code), ``migration_edited``, ``migration_name``.
        Nothing is overwritten: recovery is an explicit command (``python -m gtec workspace ...``).
        ``keep_open`` keeps one idle read-only connection for the object's life (see below): for servers.
        ``path`` may also be a ``postgresql://`` URL: the workspace then lives in PostgreSQL
        (:mod:`gtec.storage.postgres`, same interface).
        """
        ws = cls(path)
        ws.check(create=create)
        ws.migrate()
        if keep_open:  # long-lived servers (the app, benchmarks); commands and tests leave no file open
            ws.keep_open()
        return ws

    def keep_open(self) -> None:
        """Server mode: keep one idle read-only connection for the life of the object, and reuse connections.

        When the last connection to a WAL file closes, SQLite checkpoints and deletes the WAL, which made every short
        write pay ~1 ms on close. Reads and writes then reuse open connections (one writer, a few idle readers)
        instead of opening the file for every block. Before each reuse the file's identity is compared with the one
        the connection was opened on: a file replaced by a restore or set aside is never read or written through a
        stale connection (the connection is closed and the path opened afresh, which reports a vanished file).
        """
        self._reuse = True
        if self._keeper is None:
            self._keeper = self._connect()
            self._keeper.execute("PRAGMA query_only = ON")

    def _identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def _reusable(
        self, entry: tuple[sqlite3.Connection, tuple[int, int]] | None, current: tuple[int, int] | None
    ) -> sqlite3.Connection | None:
        # ``current`` is taken before any connection is opened: a connection is tagged with an identity read before
        # it was opened, so a file replaced in between makes the tag stale (reopened next time), never the reverse.
        if entry is None:
            return None
        raw, identity = entry
        if identity == current and not raw.in_transaction:
            return raw
        raw.close()
        return None

    @property
    def marker(self) -> Path:
        return self.path.with_name(self.path.name + MARKER_SUFFIX)

    def check(self, *, create: bool = True) -> None:
        """Raise :class:`WorkspaceError` when the file is unusable (see :meth:`open`); never modifies it."""
        if not self.path.exists():
            if self.marker.exists() or not create:
                raise WorkspaceError("missing", str(self.path.name))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return
        if self.path.stat().st_size == 0:
            raise WorkspaceError("emptied", str(self.path.name))
        try:
            raw = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                result = raw.execute("PRAGMA quick_check").fetchone()
                if not result or result[0] != "ok":
                    raise WorkspaceError("corrupt", str(result[0] if result else ""))
            finally:
                raw.close()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return  # a writer holds it: it is a database
            raise WorkspaceError("corrupt", str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise WorkspaceError("corrupt", str(exc)) from exc

    def _connect(self, *, create: bool = False) -> sqlite3.Connection:
        mode = "rwc" if create else "rw"
        try:
            raw = sqlite3.connect(
                f"file:{self.path}?mode={mode}",
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,  # reused across threads one block at a time (server mode), never shared
            )
        except sqlite3.OperationalError as exc:
            raise WorkspaceError("missing" if not self.path.exists() else "unavailable", str(exc)) from exc
        raw.row_factory = sqlite3.Row
        try:
            # busy timeout: set by connect(timeout=...). WAL + synchronous NORMAL: a commit survives a crash of the
            # app and no fsync waits on every vote (only a power cut can lose the last transactions; never corrupts).
            raw.execute("PRAGMA foreign_keys = ON")
            raw.execute("PRAGMA synchronous = NORMAL")
            # deleted or overwritten content is zeroed in the file's free pages: an erased contact (right to
            # erasure, gtec.network.contacts) cannot be read back from the file with a hex editor
            raw.execute("PRAGMA secure_delete = ON")
        except sqlite3.DatabaseError as exc:
            raw.close()
            _raise_if_damaged(exc)
            raise
        return raw

    def migrate(self, package: str = MIGRATION_PACKAGE) -> list[int]:
        """Apply pending migrations, each in its own transaction. Returns the versions applied."""
        wanted = migrations(package)
        raw = self._connect(create=True)
        try:
            raw.execute("PRAGMA journal_mode = WAL")
            raw.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT)"
            )
            columns = {r[1] for r in raw.execute("PRAGMA table_info(schema_migrations)")}
            if "checksum" not in columns:  # workspaces migrated before checksums were recorded
                raw.execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")
            self.marker.touch(exist_ok=True)
            known = {v: sql for v, _, sql in wanted}
            applied_rows = raw.execute("SELECT version, checksum FROM schema_migrations").fetchall()
            for row in applied_rows:
                if row["version"] not in known:
                    raise WorkspaceError("newer", f"migration {row['version']} unknown to this version")
                current = _checksum(known[row["version"]])
                if row["checksum"] is None:
                    raw.execute(
                        "UPDATE schema_migrations SET checksum = ? WHERE version = ?", (current, row["version"])
                    )
                elif row["checksum"] != current:
                    raise WorkspaceError("migration_edited", f"migration {row['version']} changed after it was applied")
            done = {row["version"] for row in applied_rows}
            applied: list[int] = []
            for version, name, sql in wanted:
                if version in done:
                    continue
                raw.execute("BEGIN IMMEDIATE")
                try:
                    if raw.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,)).fetchone():
                        raw.execute("ROLLBACK")  # another process applied it meanwhile
                        continue
                    for statement in split_sql(sql):
                        raw.execute(statement)
                    raw.execute(
                        "INSERT INTO schema_migrations(version, name, applied_at, checksum) VALUES (?, ?, ?, ?)",
                        (version, name, now_iso(), _checksum(sql)),
                    )
                    raw.execute("COMMIT")
                    applied.append(version)
                except sqlite3.Error as exc:
                    raw.execute("ROLLBACK")
                    raise MigrationError(f"migration {version:04d}_{name} failed: {exc}") from exc
                except BaseException:
                    raw.execute("ROLLBACK")
                    raise
            return applied
        finally:
            raw.close()

    def schema_version(self) -> int:
        """Highest applied migration version (0 for a new workspace)."""
        if not self.path.exists():
            return 0
        with self.read() as conn:
            try:
                return int(conn.scalar("SELECT MAX(version) FROM schema_migrations") or 0)
            except sqlite3.OperationalError:
                return 0

    # -- reading and writing

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only connection (``query_only``): no migration, no write lock. Reused in server mode."""
        raw = None
        identity = self._identity()
        if self._reuse:
            with self._readers_guard:
                entry = self._readers.pop() if self._readers else None
            raw = self._reusable(entry, identity)
        if raw is None:
            raw = self._connect()
            raw.execute("PRAGMA query_only = ON")
        keep = False
        try:
            yield Connection(raw)
            keep = self._reuse and identity is not None and not raw.in_transaction
        except sqlite3.DatabaseError as exc:
            _raise_if_damaged(exc)
            raise
        finally:
            if keep and identity is not None:
                with self._readers_guard:
                    if len(self._readers) < MAX_IDLE_READERS:
                        self._readers.append((raw, identity))
                        raw = None
            if raw is not None:
                raw.close()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        if self._lock is None:
            self._lock = _writer_lock(self.path)  # resolved once: Path.resolve() costs three lstat calls
        with self._lock, self._transaction_unlocked() as conn:
            yield conn

    @contextmanager
    def _transaction_unlocked(self) -> Iterator[Connection]:
        # Called under the writer lock: the reused writer connection is used by one thread at a time.
        identity = self._identity()
        raw = self._reusable(self._writer, identity) if self._reuse else None
        self._writer = None
        if raw is None:
            raw = self._connect()
            if self._reuse:  # checkpoints run in the background (CHECKPOINT_EVERY), not inside a commit
                raw.execute("PRAGMA wal_autocheckpoint = 0")
        keep = False
        try:
            try:
                raw.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                _raise_if_damaged(exc)
                raise
            try:
                yield Connection(raw)
                raw.execute("COMMIT")
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            keep = self._reuse and identity is not None
            if self._reuse:
                self._writes += 1
                if self._writes % CHECKPOINT_EVERY == 0:
                    self._wake_checkpointer()
        finally:
            if keep and identity is not None:
                self._writer = (raw, identity)
            else:
                raw.close()

    def _wake_checkpointer(self) -> None:
        # Called under the writer lock: one checkpointer thread per workspace object, started on first need.
        if self._checkpoint_wake is None:
            self._checkpoint_wake = threading.Event()
            threading.Thread(target=self._checkpoint_loop, name="workspace-checkpoint", daemon=True).start()
        self._checkpoint_wake.set()

    def _checkpoint_loop(self) -> None:
        wake = self._checkpoint_wake
        assert wake is not None
        while True:
            wake.wait()
            wake.clear()
            try:
                raw = self._connect()
                try:
                    raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
                finally:
                    raw.close()
            except Exception as exc:  # a vanished or replaced file is reported by the next read or write
                log.warning("workspace background checkpoint failed: %s", exc)

    @contextmanager
    def write(
        self,
        actor: auth.Actor,
        action: str,
        target: str = "",
        detail: dict | None = None,
        scope: str | None = None,
        *,
        concurrent: bool = False,
    ) -> Iterator[Connection]:
        """The one write path: permission check, one transaction, audit row, commit or roll back whole.

        Raises :class:`gtec.core.auth.PermissionDenied` before touching the file when ``actor`` may not
        ``action`` (in ``scope``, for scoped roles such as workshop participants).

        ``concurrent=True`` says the block keeps its rules by itself when other such blocks run at the same time:
        every check that a concurrent write could break is one conditional statement (``UPDATE ... WHERE used <
        budget``) or a unique key, and what it merely reads (a session's phase) is changed only by ordinary blocks.
        SQLite has one writer at a time anyway (no change); PostgreSQL runs such blocks side by side
        (:mod:`gtec.storage.postgres`), each ordinary block still alone.
        """
        auth.require(actor, action, scope)
        with self._transaction() as conn:
            yield conn
            conn.execute(
                "INSERT INTO audit_log(at, actor, role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (now_iso(), actor.name, actor.role, action, target, json.dumps(detail or {}, ensure_ascii=False)),
            )

    @contextmanager
    def ledger(self) -> Iterator[Connection]:
        """A write transaction without permission check or audit row, for security ledgers only.

        Sign-in attempts are written by anonymous visitors before anyone is known; they are a security
        record, not content, and are read by admins through :func:`gtec.access.throttle.recent_attempts`.
        """
        with self._transaction() as conn:
            yield conn

    def audit_entries(self, limit: int = 200) -> list[dict]:
        """Most recent audit-log rows first, as dicts (tests and the CLI; the admin page uses gtec.access.audit)."""
        with self.read() as conn:
            rows = conn.all(
                "SELECT id, at, actor, role, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
            )
        return [dict(r) for r in rows]

    def purge_freed(self) -> None:
        """Make deleted content unreadable on disk now (after an erasure on request): the connections zero freed
        space (``secure_delete``); this moves the write-ahead log, which still holds the old pages, into the file
        and empties it. Best effort: a reader holding an old snapshot delays it to the next checkpoint."""
        raw = self._connect()
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            log.warning("workspace checkpoint after an erasure failed: %s", exc)
        finally:
            raw.close()

    # -- recovery

    def backup(self, target: Path) -> Path:
        """A consistent copy of the workspace in one file (SQLite online backup), safe while others write."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".partial")
        tmp.unlink(missing_ok=True)
        src = self._connect()
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        tmp.replace(target)
        return target

    def restore_from(self, backup: Path) -> Path | None:
        """Replace this workspace by ``backup``, checked first; the current file is set aside, never deleted.

        Raises :class:`WorkspaceError` (``corrupt``, ``emptied``, ``missing``, ``newer``...) when the backup is
        not a usable workspace: nothing is changed then. The copy is made and migrated under a temporary name and
        renamed into place, so no half-restored workspace is ever seen. Returns where the previous file went.
        """
        backup = Path(backup)
        if not backup.is_file():
            raise WorkspaceError("missing", backup.name)
        probe = Workspace(backup)
        probe.check(create=False)
        try:
            with probe.read() as conn:
                conn.scalar("SELECT MAX(version) FROM schema_migrations")
        except sqlite3.Error as exc:
            raise WorkspaceError("corrupt", str(exc)) from exc
        tmp = self.path.with_name(self.path.name + ".restoring")
        tmp.unlink(missing_ok=True)
        probe.backup(tmp)
        Workspace(tmp).migrate()
        aside = self.set_aside()
        tmp.replace(self.path)
        self.marker.touch()
        return aside

    def set_aside(self) -> Path | None:
        """Rename a damaged workspace (and its WAL files) aside, never deleting it. Returns the new name."""
        if not self.path.exists():
            self.marker.unlink(missing_ok=True)
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 0
        while any(aside.with_name(aside.name + s).exists() for s in ("", "-wal", "-shm")):
            n += 1  # two set-asides in one second: never overwrite the first
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        self.path.replace(aside)
        for suffix in ("-wal", "-shm"):
            extra = self.path.with_name(self.path.name + suffix)
            if extra.exists():
                extra.replace(aside.with_name(aside.name + suffix))
        self.marker.unlink(missing_ok=True)
        return aside
