"""Build the reference store from ``data/`` and installed packages, atomically.

The store is written to a temporary file beside the target and renamed over it only when complete, so a
failed or interrupted build leaves the previous store intact. One build at a time per store: an exclusive lock
(``reference.sqlite.lock``, ``flock``) is taken before anything is touched; a second build waits for it up to
``wait_s`` seconds, then refuses with :class:`BuildBusy` (it never deletes the running build's file).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from gtec.core import config
from gtec.core.errors import UserError
from gtec.storage import reference

#: progress(step_message_key, fraction 0..1)
Progress = Callable[[str, float], None]


@dataclass
class BuildReport:
    path: Path
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    #: per official source file: rows read, territories matched, codes not matched, secret cells
    coverage: list[Any] = field(default_factory=list)


def _noop(_step: str, _fraction: float) -> None:
    return None


class BuildBusy(UserError):
    """Another build of the same store is running (``build.error.busy``)."""

    def __init__(self, pid: str) -> None:
        super().__init__("build.error.busy", pid=pid or "?")


@contextmanager
def build_lock(path: Path, wait_s: float = 0.0, poll_s: float = 0.2) -> Iterator[None]:
    """Hold the exclusive build lock of the store at ``path``; wait up to ``wait_s`` s, else :class:`BuildBusy`.

    The lock is the kernel's (``flock``): a killed build releases it, so a stale lock file never blocks.
    """
    lock = path.with_name(f"{path.name}.lock")
    with lock.open("a+") as handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    raise BuildBusy(handle.read().strip()) from None
                time.sleep(poll_s)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the reference tables (``gtec/schema.sql``) in an empty database."""
    conn.executescript(resources.files("gtec.build").joinpath("schema.sql").read_text(encoding="utf-8"))


def populate(
    conn: sqlite3.Connection,
    progress: Progress = _noop,
    departements: Sequence[str] | None = None,
    sources: Any = None,
    coverage: list[Any] | None = None,
) -> dict[str, int]:
    """Fill an empty schema: geography (with zones d'emploi and BMO bassins), curated data, official figures,
    illustrative values where no official figure exists. Returns the counts.

    ``departements`` restricts French geography to a few département codes (tests build small stores).
    ``sources`` is the :class:`gtec.build.official.OfficialData` read beforehand (read here when None);
    ``coverage`` receives the coverage report of the official files.
    """
    from gtec.build import curated, geography, illustrative, official

    if sources is None:
        progress("build.step.sources", 0.01)
        sources = official.read_sources()
    counts: dict[str, int] = {}
    geo_report: dict[str, Any] = {}
    counts.update(
        geography.build_geography(
            conn,
            progress=progress,
            departements=departements,
            zonings=official.zonings(sources),
            report=geo_report,
        )
    )
    counts.update(curated.load_curated(conn, progress=progress))
    official_counts, report = official.load_official(conn, sources, progress, geo_report)
    counts.update(official_counts)
    if coverage is not None:
        coverage.extend(report)
    counts.update(illustrative.generate_illustrative(conn, progress=progress))
    return counts


def build_reference(
    path: Path | None = None,
    progress: Progress | None = None,
    departements: Sequence[str] | None = None,
    _fail_after: Callable[[sqlite3.Connection], None] | None = None,
    sources_dir: Path | None = None,
    wait_s: float = 0.0,
) -> BuildReport:
    """Build the reference store at ``path`` (default :func:`gtec.core.config.reference_path`).

    The official source files (``sources_dir``, default ``data/sources/``) are verified and read first: a
    missing, altered or malformed file raises :class:`gtec.build.official.SourceFileError` before the
    temporary store is even created, so the previous store stays as it was.
    ``_fail_after`` is a test hook called just before the rename (to simulate an interruption). ``wait_s``: how
    long to wait for another build of the same store before raising :class:`BuildBusy`.
    """
    path = path or config.reference_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(path, wait_s):
        return _build_locked(path, progress, departements, _fail_after, sources_dir)


def _build_locked(
    path: Path,
    progress: Progress | None,
    departements: Sequence[str] | None,
    _fail_after: Callable[[sqlite3.Connection], None] | None,
    sources_dir: Path | None,
) -> BuildReport:
    from gtec.build import official

    progress = progress or _noop
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    started = time.perf_counter()
    progress("build.step.sources", 0.0)
    sources = official.read_sources(sources_dir)
    coverage: list[Any] = []
    for stale in path.parent.glob(f"{path.name}.tmp-*"):
        stale.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            progress("build.step.schema", 0.0)
            create_schema(conn)
            with conn:
                counts = populate(conn, progress, departements, sources, coverage)
                conn.executemany(
                    "INSERT INTO meta(key, value) VALUES (?, ?)",
                    [
                        ("schema_version", reference.SCHEMA_VERSION),
                        ("built_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
                        ("partial", "1" if departements else "0"),
                        *((f"count_{k}", str(v)) for k, v in counts.items()),
                    ],
                )
            progress("build.step.finish", 0.98)
            conn.execute("ANALYZE")
            if _fail_after:
                _fail_after(conn)
        finally:
            conn.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    progress("build.step.done", 1.0)
    return BuildReport(path=path, seconds=time.perf_counter() - started, counts=counts, coverage=coverage)
