"""The workspace on PostgreSQL: the same object and interface as the SQLite one, for deployments on several hosts.

Chosen when the workspace target is a URL (``GTEC_WORKSPACE_URL=postgresql://user:pass@host:5432/db``, optionally
``?schema=name``, default ``public``): ``Workspace.open(url)`` returns a :class:`PgWorkspace`. Requires psycopg 3
(``requirements.txt``); SQLite deployments never import this module.

**One source of truth for the schema.** The migrations stay the SQLite files of ``gtec/storage/migrations``;
:mod:`gtec.storage.pgsql` translates them (and every domain statement: ``?`` placeholders, ``INSERT OR IGNORE``,
``LIKE``...). A migration may ship ``NNNN_name.pg.sql`` beside it when translation is not enough; that file is then
run as is on PostgreSQL. Checksums are those of the SQLite file (plus the override when there is one), so an applied
migration edited afterwards is detected as on SQLite. Identity sequences are moved past the largest id after each
migration (SQLite table rebuilds copy ids explicitly).

**Concurrency (why it is as correct as SQLite's write lock).** On SQLite every write transaction starts with
``BEGIN IMMEDIATE``: one writer at a time, and a transaction that reads then writes (the vote budget, the sign-in
ledger of :mod:`gtec.access.throttle`, "is this name free?") sees every earlier commit and cannot interleave with
another writer. Here each write transaction (``write``, ``ledger``, migrations, restore) begins with
``pg_advisory_xact_lock(<key of this schema>)``: writers of one workspace are serialised across every process and
host, the lock is released by COMMIT/ROLLBACK (a crashed client cannot leave it held), and under READ COMMITTED each
statement after the lock sees every write committed before it. So the read-then-write rules behave exactly as on
SQLite, with no serialization failures to retry; unique indexes remain the last line of defence
(``UniqueViolation``). Inside one process threads also queue on a lock before taking a connection, as on SQLite, so
a burst of 100 writers holds one server connection, not 100. Reads take no lock: ``BEGIN ISOLATION LEVEL REPEATABLE
READ READ ONLY`` (one consistent snapshot per read block; a write attempted there is refused). Writes are short (a
workshop vote is a handful of statements), so serialising them costs little next to their round trips.

**Concurrent blocks.** ``write(..., concurrent=True)`` marks a block whose rules hold by themselves beside other such
blocks (a room's posts, dots and reactions: the vote budget is one conditional ``UPDATE``, double dots a primary key,
the phase only changed by ordinary blocks). Those take the advisory lock *shared*: up to :data:`CONCURRENT_WRITERS`
per process run at once on their own connections, so their round trips overlap, while an ordinary block takes it
exclusive and runs alone (after the shared holders in flight; new shared requests queue behind it). With every write
serialised, 100 participants posting at once waited for each other's round trips and disk syncs one by one (p95
~2.7 s on a busy machine). Their COMMIT also returns before the server syncs its log to disk (``synchronous_commit``
off for that transaction only), the counterpart of SQLite's ``synchronous=NORMAL`` in WAL mode used for every write
there: a crash of the database server can lose the last fraction of a second of dots, never corrupt anything or
break a rule; every ordinary write still waits for the sync.

**Connections** come from a small per-server pool (idle connections kept, ``search_path`` set to the workspace
schema on checkout); a connection returned inside a transaction or broken is closed, never reused.

**Rows** behave like ``sqlite3.Row`` (index and key access, ``keys()``, ``dict(row)``); ``numeric`` results (``SUM``
of integers, ``AVG``) come back as ``int`` or ``float`` as on SQLite, never ``Decimal``; Python booleans are stored
as 0/1 integers like SQLite does.

**Backup and restore.** :meth:`PgWorkspace.backup` writes one **SQLite workspace file** (the same format as the
SQLite backend's backup, from one REPEATABLE READ snapshot), so a backup restores on either backend and
``python -m gtec workspace backup FILE`` works the same everywhere; ``pg_dump`` remains the operator's tool for the
whole database (docs/postgresql.md). :meth:`PgWorkspace.restore_from` checks and migrates the backup first, saves
the current content beside the backup (``<schema>-before-restore-<time>.sqlite``), then replaces every table in one
transaction under the writer lock: readers see the old or the new workspace, never a mix.

(Over 500 lines on purpose: the whole PostgreSQL backend, pool, rows, migrations and recovery, in one place that
nothing else imports.)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Loader
from psycopg.pq import TransactionStatus
from psycopg.types.numeric import Int8Dumper

from gtec.core import auth
from gtec.storage import pgsql
from gtec.storage.workspace import (
    MIGRATION_PACKAGE,
    PG_OVERRIDE_SUFFIX,
    Connection,
    FairLock,
    MigrationError,
    UniqueViolation,
    Workspace,
    WorkspaceError,
    _checksum,
    migrations,
    now_iso,
)

URL_SCHEMES = ("postgresql://", "postgres://")
_AUDIT_SQL = "INSERT INTO audit_log(at, actor, role, action, target, detail) VALUES (%s, %s, %s, %s, %s, %s)"
CONNECT_TIMEOUT_S = 5
#: Idle connections kept per server, and connections open at once per server and process (readers + one writer).
MAX_IDLE = 8
MAX_OPEN = 32
#: ``write(..., concurrent=True)`` blocks of one workspace in flight at once per process (each on its own connection,
#: holding the writer lock shared): the server overlaps their round trips and commits them together.
CONCURRENT_WRITERS = 6


def is_url(target: object) -> bool:
    """True when ``target`` names a PostgreSQL server rather than a SQLite file."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def parse_url(url: str) -> tuple[str, str]:
    """``(conninfo, schema)``: the ``schema`` query parameter (default ``public``) is ours, not libpq's."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), "public") or "public"
    rest = urlencode([(k, v) for k, v in query if k != "schema"], quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), schema


def redact(url: str) -> str:
    """The URL without its password (for logs and ``repr``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- rows and adaptation -----------------------------------------------------------------------------------


class Row:
    """A result row like ``sqlite3.Row``: ``row[0]``, ``row["name"]``, ``keys()``, ``dict(row)``, iteration."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: dict[str, int], values: Sequence[Any]) -> None:
        self._names = names
        self._values = tuple(values)

    def __getitem__(self, key: int | str | slice) -> Any:
        if isinstance(key, str):
            try:
                return self._values[self._names[key]]
            except KeyError:
                lowered = {k.lower(): i for k, i in self._names.items()}
                if key.lower() in lowered:  # sqlite3.Row matches names case-insensitively
                    return self._values[lowered[key.lower()]]
                raise IndexError(f"No item with that key: {key!r}") from None
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._names)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return self._values == other._values and self._names == other._names
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values, strict=False))!r})"


def _row_factory(cursor: Any) -> Any:
    description = cursor.description
    if description is None:
        return tuple
    names: dict[str, int] = {}
    for i, column in enumerate(description):
        names.setdefault(column.name, i)  # first of duplicate names, as sqlite3.Row
    return lambda values: Row(names, values)


class _NumericLoader(Loader):
    """``numeric`` as SQLite would return it: an ``int`` when integral (``SUM`` of integers), else a ``float``."""

    def load(self, data: Any) -> int | float:
        text = bytes(data).decode("ascii")
        if "." in text or "e" in text or "E" in text or text in ("NaN", "Infinity", "-Infinity"):
            return float(text)
        return int(text)


class _BoolAsInt(Int8Dumper):
    """Python booleans stored as 0/1 integers (the schema's flags are INTEGER columns, as on SQLite)."""

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


def _connect(conninfo: str) -> psycopg.Connection[Any]:
    raw: psycopg.Connection[Any] = psycopg.connect(
        conninfo, autocommit=True, row_factory=_row_factory, connect_timeout=CONNECT_TIMEOUT_S
    )
    raw.adapters.register_loader("numeric", _NumericLoader)
    raw.adapters.register_dumper(bool, _BoolAsInt)
    return raw


# --- pool --------------------------------------------------------------------------------------------------


class _Pool:
    """Idle connections to one server, reused; ``search_path`` switched to the wanted schema on checkout."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_OPEN)

    @contextmanager
    def connection(self, schema: str) -> Iterator[psycopg.Connection[Any]]:
        self._slots.acquire()
        try:
            raw = self._take()
            reusable = False
            try:
                if getattr(raw, "_gtec_schema", None) != schema:
                    raw.execute("SELECT set_config('search_path', %s, false)", (quote_ident(schema),))
                    raw._gtec_schema = schema  # type: ignore[attr-defined]
                yield raw
                reusable = not raw.closed and raw.info.transaction_status == TransactionStatus.IDLE
            finally:
                self._give(raw, reusable)
        finally:
            self._slots.release()

    def _take(self) -> psycopg.Connection[Any]:
        with self._lock:
            while self._idle:
                raw = self._idle.pop()
                if not raw.closed and not raw.broken:
                    return raw
        try:
            return _connect(self.conninfo)
        except psycopg.OperationalError as exc:
            raise WorkspaceError("unavailable", str(exc)) from exc

    def _give(self, raw: psycopg.Connection[Any], reusable: bool) -> None:
        if reusable:
            with self._lock:
                if len(self._idle) < MAX_IDLE:
                    self._idle.append(raw)
                    return
        with suppress(Exception):
            raw.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for raw in idle:
            with suppress(Exception):
                raw.close()


_POOLS: dict[str, _Pool] = {}
_POOLS_GUARD = threading.Lock()
_WRITERS: dict[tuple[str, str], FairLock] = {}


def _pool(conninfo: str) -> _Pool:
    with _POOLS_GUARD:
        return _POOLS.setdefault(conninfo, _Pool(conninfo))


def _writer_lock(conninfo: str, schema: str) -> FairLock:
    with _POOLS_GUARD:
        return _WRITERS.setdefault((conninfo, schema), FairLock())


_CONCURRENT: dict[tuple[str, str], FairLock] = {}


def _concurrent_slots(conninfo: str, schema: str) -> FairLock:
    """Connections this process may use at once for ``concurrent`` write blocks of one workspace (first come, first
    served beyond that)."""
    with _POOLS_GUARD:
        return _CONCURRENT.setdefault((conninfo, schema), FairLock(CONCURRENT_WRITERS))


def close_pools() -> None:
    """Close every idle pooled connection (tests, and the end of a command)."""
    with _POOLS_GUARD:
        pools = list(_POOLS.values())
    for pool in pools:
        pool.close()


# --- connection wrapper ------------------------------------------------------------------------------------


class PgConnection(Connection):
    """:class:`Connection` over psycopg: the same portable SQL, translated once per statement text."""

    def __init__(self, raw: psycopg.Connection[Any], begin: Sequence[str] = ()) -> None:
        self._pg = raw
        #: Statements opening the transaction (BEGIN, the writer lock), sent with the first query of the block in one
        #: round trip (one simple-protocol query): they cannot fail on their own, and the lock still comes first.
        self._begin = list(begin)

    def take_begin(self) -> list[str]:
        """The opening statements not sent yet (and forget them)."""
        begin, self._begin = self._begin, []
        return begin

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        try:
            query = pgsql.translate_query(sql)
            if self._begin:
                # One simple-protocol query: BEGIN, the lock, then this statement with its values bound by psycopg
                # (quoted by the driver, never by us). One round trip and one driver call instead of a pipeline
                # of three: the driver's per-call work is most of a short write's time on the client.
                bound = psycopg.ClientCursor(self._pg).mogrify(query, params or ())
                cursor = self._pg.execute("; ".join([*self.take_begin(), bound]))
                while cursor.nextset():  # the statement's result is the last one
                    pass
                return cursor
            return self._pg.execute(query, params)
        except pg_errors.UniqueViolation as exc:
            raise UniqueViolation(str(exc)) from exc
        except psycopg.OperationalError as exc:
            if self._pg.broken:
                raise WorkspaceError("unavailable", str(exc)) from exc
            raise

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            for statement in self.take_begin():
                self._pg.execute(statement)
            with self._pg.cursor() as cur:
                cur.executemany(pgsql.translate_query(sql), rows)
        except pg_errors.UniqueViolation as exc:
            raise UniqueViolation(str(exc)) from exc


# --- the workspace -----------------------------------------------------------------------------------------


def migration_sql(package: str = MIGRATION_PACKAGE) -> list[tuple[int, str, str, list[str]]]:
    """``(version, name, checksum, statements)`` of every migration for PostgreSQL (override or translation)."""
    from importlib import resources

    out = []
    root = resources.files(package)
    for version, name, sql in migrations(package):
        override = root / f"{version:04d}_{name}{PG_OVERRIDE_SUFFIX}"
        if override.is_file():
            text = override.read_text(encoding="utf-8")
            statements = pgsql.split_sql(text)
            checksum = _checksum(sql + "\n-- pg override --\n" + text)
        else:
            try:
                statements = pgsql.translate_migration(sql)
            except pgsql.TranslationError as exc:
                raise MigrationError(f"migration {version:04d}_{name} cannot be translated: {exc}") from exc
            checksum = _checksum(sql)
        out.append((version, name, checksum, statements))
    return out


class PgWorkspace(Workspace):
    """The workspace in a PostgreSQL schema. Created by ``Workspace.open(url)``; same methods as the SQLite one."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        #: The URL stands where the SQLite backend has its file: ``Workspace.open(ws.path)`` reopens the workspace.
        self.path = url  # type: ignore[assignment]
        self.conninfo, self.schema = parse_url(url)
        digest = hashlib.sha256(f"gtec-workspace:{self.schema}".encode()).digest()
        self.lock_key = int.from_bytes(digest[:8], "big", signed=True)
        self._pool = _pool(self.conninfo)
        self._keeper = None

    def __repr__(self) -> str:
        return f"PgWorkspace({redact(self.url)!r})"

    # -- opening and checking

    def keep_open(self) -> None:
        """Nothing to keep: the pool keeps idle connections for the life of the process."""

    def check(self, *, create: bool = True) -> None:
        """Raise :class:`WorkspaceError` ``unavailable`` (no server, refused login) or ``missing`` (no such schema
        and ``create`` is False); never modifies anything."""
        with self._pool.connection(self.schema) as raw:
            try:
                found = raw.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (self.schema,)).fetchone()
            except psycopg.Error as exc:
                raise WorkspaceError("unavailable", str(exc)) from exc
        if found is None and not create:
            raise WorkspaceError("missing", self.schema)

    @contextmanager
    def _locked(self, audit: Callable[[], tuple] | None = None) -> Iterator[psycopg.Connection[Any]]:
        """A connection inside ``BEGIN`` + this workspace's advisory lock; COMMIT at the end, ROLLBACK on error.

        ``audit`` gives the audit row's values, inserted last and sent with the COMMIT in one round trip (pipeline).
        """
        with _writer_lock(self.conninfo, self.schema), self._pool.connection(self.schema) as raw:
            try:
                raw.execute(f"BEGIN; SELECT pg_advisory_xact_lock({self.lock_key})")
            except psycopg.OperationalError as exc:
                raise WorkspaceError("unavailable", str(exc)) from exc
            try:
                yield raw
                with raw.pipeline():
                    if audit is not None:
                        raw.execute(_AUDIT_SQL, audit())
                    raw.execute("COMMIT")
            except BaseException:
                if not raw.broken:
                    raw.execute("ROLLBACK")
                raise

    @contextmanager
    def _write_block(
        self, audit: Callable[[], tuple] | None = None, *, concurrent: bool = False
    ) -> Iterator[PgConnection]:
        """A write transaction for domain code: like :meth:`_locked`, with BEGIN and the lock sent along with the
        block's first statement, and the audit row (``audit``) and COMMIT in one last round trip (each one query).

        ``concurrent``: the writer lock is taken *shared*, so such blocks run beside each other (up to
        :data:`CONCURRENT_WRITERS` per process) while every ordinary block (exclusive) still runs alone: it waits for
        the shared holders to finish and, once it waits, new shared requests queue behind it. Their COMMIT does not
        wait for the server's disk sync (``synchronous_commit`` off for that transaction only)."""
        if concurrent:
            queue = _concurrent_slots(self.conninfo, self.schema)
            # and the commit returns once written, before the server's disk sync (see the module docstring)
            lock = (
                f"SELECT pg_advisory_xact_lock_shared({self.lock_key}), set_config('synchronous_commit', 'off', true)"
            )
        else:
            queue = _writer_lock(self.conninfo, self.schema)
            lock = f"SELECT pg_advisory_xact_lock({self.lock_key})"
        with queue, self._pool.connection(self.schema) as raw:
            conn = PgConnection(raw, begin=("BEGIN", lock))
            try:
                yield conn
                # a block that ran no statement still writes its audit row; the audit row and COMMIT go as one
                # simple-protocol query (values bound by psycopg), one round trip and one driver call
                ending = [*conn.take_begin()]
                if audit is not None:
                    ending.append(psycopg.ClientCursor(raw).mogrify(_AUDIT_SQL, audit()))
                raw.execute("; ".join([*ending, "COMMIT"]))
            except psycopg.OperationalError as exc:
                if raw.broken:
                    raise WorkspaceError("unavailable", str(exc)) from exc
                raw.execute("ROLLBACK")
                raise
            except BaseException:
                if not raw.broken and raw.info.transaction_status != TransactionStatus.IDLE:
                    raw.execute("ROLLBACK")
                raise

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
        """The one write path (see :meth:`Workspace.write`): permission, one transaction under the writer lock (shared
        when ``concurrent``), the audit row written with the COMMIT."""
        auth.require(actor, action, scope)

        def audit() -> tuple:
            return (now_iso(), actor.name, actor.role, action, target, json.dumps(detail or {}, ensure_ascii=False))

        with self._write_block(audit, concurrent=concurrent) as conn:
            yield conn

    def migrate(self, package: str = MIGRATION_PACKAGE) -> list[int]:
        """Apply pending migrations (translated or overridden), each in its own transaction under the writer lock."""
        wanted = migration_sql(package)
        with self._locked() as raw:
            raw.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(self.schema)}")
            for statement in pgsql.COMPAT_SQL:
                raw.execute(statement)
            raw.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TEXT NOT NULL, checksum TEXT)"
            )
            applied_rows = raw.execute("SELECT version, checksum FROM schema_migrations").fetchall()
        known = {v: checksum for v, _, checksum, _ in wanted}
        for row in applied_rows:
            if row["version"] not in known:
                raise WorkspaceError("newer", f"migration {row['version']} unknown to this version")
            if row["checksum"] != known[row["version"]]:
                raise WorkspaceError("migration_edited", f"migration {row['version']} changed after it was applied")
        done = {row["version"] for row in applied_rows}
        applied: list[int] = []
        for version, name, checksum, statements in wanted:
            if version in done:
                continue
            try:
                with self._locked() as raw:
                    if raw.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (version,)).fetchone():
                        continue  # another process applied it meanwhile (the lock is released by the COMMIT)
                    for statement in statements:
                        raw.execute(statement)  # no parameters: sent as written
                    _resync_identities(raw)
                    raw.execute(
                        "INSERT INTO schema_migrations(version, name, applied_at, checksum) VALUES (%s, %s, %s, %s)",
                        (version, name, now_iso(), checksum),
                    )
            except psycopg.Error as exc:
                raise MigrationError(f"migration {version:04d}_{name} failed on PostgreSQL: {exc}") from exc
            applied.append(version)
        return applied

    def schema_version(self) -> int:
        """Highest applied migration version (0 for a new workspace)."""
        try:
            with self.read() as conn:
                return int(conn.scalar("SELECT MAX(version) FROM schema_migrations") or 0)
        except pg_errors.UndefinedTable:
            return 0

    # -- reading and writing

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot (REPEATABLE READ READ ONLY): no lock, no migration."""
        with self._pool.connection(self.schema) as raw:
            try:
                raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            except psycopg.OperationalError as exc:
                raise WorkspaceError("unavailable", str(exc)) from exc
            try:
                yield PgConnection(raw)
            finally:
                if not raw.broken:
                    raw.execute("ROLLBACK")

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._write_block() as conn:
            yield conn

    # -- recovery

    def _tables(self, raw: psycopg.Connection[Any]) -> list[str]:
        """Tables of the schema in foreign-key order (referenced first), without schema_migrations."""
        names = [
            r[0]
            for r in raw.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                " AND table_type = 'BASE TABLE' ORDER BY table_name"
            ).fetchall()
        ]
        deps: dict[str, set[str]] = {n: set() for n in names}
        for child, parent in raw.execute(
            "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
            " JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = current_schema()"
        ).fetchall():
            child, parent = child.strip('"'), parent.strip('"')
            if child in deps and parent in deps and child != parent:
                deps[child].add(parent)
        ordered: list[str] = []
        while deps:
            ready = sorted(n for n, d in deps.items() if not d - set(ordered))
            if not ready:  # a cycle: keep the rest in name order (not produced by our migrations)
                ready = sorted(deps)
            for n in ready:
                ordered.append(n)
                del deps[n]
        return [n for n in ordered if n != "schema_migrations"]

    def _derived_tables(self, raw: psycopg.Connection[Any]) -> set[str]:
        """Search tables (translated FTS5) filled by triggers: never copied, rebuilt from their source rows."""
        rows = raw.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND column_name = 'search_document' AND is_generated = 'ALWAYS'"
        ).fetchall()
        return {r[0] for r in rows}

    def purge_freed(self) -> None:
        """PostgreSQL keeps dead row versions until VACUUM: left to the server's autovacuum (docs/postgresql.md)."""

    def backup(self, target: Path) -> Path:
        """One SQLite workspace file with this workspace's content, from one consistent snapshot."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".partial")
        tmp.unlink(missing_ok=True)
        lite = Workspace(tmp)
        lite.migrate()
        lite.marker.unlink(missing_ok=True)
        dst = sqlite3.connect(tmp, isolation_level=None)
        try:
            lite_tables = _sqlite_tables(dst)
            dst.execute("PRAGMA foreign_keys = OFF")
            dst.execute("BEGIN")
            with self._pool.connection(self.schema) as raw:
                raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    derived = self._derived_tables(raw)
                    for table in self._tables(raw):
                        if table in derived or table not in lite_tables:
                            continue
                        pg_cols = _pg_columns(raw, table)
                        cols = [c for c in lite_tables[table] if c in pg_cols]
                        column_list = ", ".join(quote_ident(c) for c in cols)
                        insert = (
                            f"INSERT INTO {quote_ident(table)}({column_list}) VALUES ({', '.join('?' for _ in cols)})"
                        )
                        with raw.cursor() as cur:
                            cur.execute(f"SELECT {column_list} FROM {quote_ident(table)}")
                            while batch := cur.fetchmany(1000):
                                dst.executemany(insert, [tuple(r) for r in batch])
                finally:
                    raw.execute("ROLLBACK")
            dst.execute("COMMIT")
        finally:
            dst.close()
        tmp.replace(target)
        return target

    def restore_from(self, backup: Path) -> Path | None:
        """Replace this workspace's content by a SQLite workspace backup, checked and migrated first.

        Raises :class:`WorkspaceError` when the backup is not a usable workspace (nothing changed then). The
        current content is first saved beside the backup; returns that file.
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
        tmp = backup.with_name(backup.name + ".restoring")
        tmp.unlink(missing_ok=True)
        probe.backup(tmp)
        try:
            Workspace(tmp).migrate()
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            aside = self.backup(backup.with_name(f"{self.schema}-before-restore-{stamp}.sqlite"))
            src = sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)
            try:
                lite_tables = _sqlite_tables(src)
                with self._locked() as raw:
                    tables = self._tables(raw)
                    derived = self._derived_tables(raw)
                    raw.execute(f"TRUNCATE {', '.join(quote_ident(t) for t in tables)} RESTART IDENTITY CASCADE")
                    for table in tables:
                        if table in derived or table not in lite_tables:
                            continue
                        pg_cols = _pg_columns(raw, table)
                        cols = [c for c in lite_tables[table] if c in pg_cols]
                        column_list = ", ".join(quote_ident(c) for c in cols)
                        rows = src.execute(f"SELECT {column_list} FROM {quote_ident(table)} ORDER BY rowid")
                        insert = (
                            f"INSERT INTO {quote_ident(table)}({column_list}) VALUES ({', '.join('%s' for _ in cols)})"
                        )
                        with raw.cursor() as cur:
                            while batch := rows.fetchmany(1000):
                                cur.executemany(insert, batch)
                    _resync_identities(raw)
            finally:
                src.close()
        finally:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".created").unlink(missing_ok=True)
        return aside

    def set_aside(self) -> Path | None:
        """SQLite only (a damaged file): a PostgreSQL workspace is recovered with :meth:`restore_from`."""
        raise WorkspaceError("unavailable", "set_aside applies to SQLite workspace files")

    def drop(self) -> None:
        """Drop the whole schema (tests give every case its own schema and drop it afterwards)."""
        with self._pool.connection(self.schema) as raw:
            raw.execute(f"DROP SCHEMA IF EXISTS {quote_ident(self.schema)} CASCADE")


def _pg_columns(raw: psycopg.Connection[Any], table: str) -> set[str]:
    rows = raw.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = %s AND is_generated = 'NEVER'",
        (table,),
    ).fetchall()
    return {r[0] for r in rows}


def _sqlite_tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Ordinary tables of a SQLite workspace and their columns (virtual FTS tables and their shadows left out)."""
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    out = {}
    for name, _sql in rows:
        if name.startswith("sqlite_") or name == "schema_migrations" or name in virtual:
            continue
        if any(name.startswith(v + "_") for v in virtual):
            continue
        out[name] = [r[1] for r in conn.execute(f"PRAGMA table_info({quote_ident(name)})")]
    return out


_RESYNC = """DO $gtec$ DECLARE r record; BEGIN
FOR r IN SELECT c.relname AS t, a.attname AS c FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND a.attidentity <> '' LOOP
  EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), COALESCE((SELECT MAX(%I) FROM %I), 0) + 1, false)',
                 quote_ident(r.t), r.c, r.c, r.t);
END LOOP; END $gtec$"""


def _resync_identities(raw: psycopg.Connection[Any]) -> None:
    """Move every identity sequence past the largest id (rows copied with explicit ids do not advance it)."""
    raw.execute(_RESYNC)  # one round trip for every table
