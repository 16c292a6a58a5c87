"""Build the reference store from ``data/`` and installed packages, atomically.

The store is written to a temporary file beside the target and renamed over it only when complete, so a
failed or interrupted build leaves the previous store intact.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from gtec.core import config
from gtec.storage import reference

#: progress(step_message_key, fraction 0..1)
Progress = Callable[[str, float], None]


@dataclass
class BuildReport:
    path: Path
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)


def _noop(_step: str, _fraction: float) -> None:
    return None


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the reference tables (``gtec/schema.sql``) in an empty database."""
    conn.executescript(resources.files("gtec.build").joinpath("schema.sql").read_text(encoding="utf-8"))


def populate(
    conn: sqlite3.Connection, progress: Progress = _noop, departements: Sequence[str] | None = None
) -> dict[str, int]:
    """Fill an empty schema: geography, curated data, illustrative values. Returns the counts.

    ``departements`` restricts French geography to a few département codes (tests build small stores).
    """
    from gtec.build import curated, geography, illustrative

    counts: dict[str, int] = {}
    counts.update(geography.build_geography(conn, progress=progress, departements=departements))
    counts.update(curated.load_curated(conn, progress=progress))
    counts.update(illustrative.generate_illustrative(conn, progress=progress))
    return counts


def build_reference(
    path: Path | None = None,
    progress: Progress | None = None,
    departements: Sequence[str] | None = None,
    _fail_after: Callable[[sqlite3.Connection], None] | None = None,
) -> BuildReport:
    """Build the reference store at ``path`` (default :func:`gtec.core.config.reference_path`).

    ``_fail_after`` is a test hook called just before the rename (to simulate an interruption).
    """
    progress = progress or _noop
    path = path or config.reference_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    started = time.perf_counter()
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
                counts = populate(conn, progress, departements)
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
    return BuildReport(path=path, seconds=time.perf_counter() - started, counts=counts)


def ensure_reference(progress: Progress | None = None) -> reference.StoreStatus:
    """Build the store if it is missing or outdated; a corrupt store is rebuilt too. Returns the new status."""
    status = reference.check_reference()
    if not status.ok:
        build_reference(progress=progress)
        status = reference.check_reference()
    return status
