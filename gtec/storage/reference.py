"""Reference store: read-only access and health checks.

The reference store is a SQLite file rebuilt from ``data/`` and installed packages by
:func:`gtec.build.pipeline.build_reference`. At run time it is only read, through connections opened
``mode=ro`` so that nothing in the app can damage it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gtec.core import config

#: What readers of the reference store receive (read-only, rows as mappings). Only gtec/storage and the build know
#: it is SQLite; capability modules annotate with this name.
ReferenceConnection = sqlite3.Connection

#: Bumped whenever the reference schema changes; a store of another version is rebuilt.
SCHEMA_VERSION = "2"  # 2: official sources (periods, flags, source files, BMO, Métiers 2030, ZE/BMO levels)

REQUIRED_TABLES = (
    "meta",
    "sources",
    "territories",
    "memberships",
    "geometries",
    "indicators",
    "indicator_values",
    "occupation_families",
    "occupation_crosswalk",
    "commune_successors",
    "indicator_periods",
    "source_files",
    "bmo_occupations",
    "metiers_2030_regions",
    "basin_overlaps",
)


class StoreError(RuntimeError):
    """The reference store cannot be used. ``code`` is an i18n key suffix: ``missing``/``corrupt``/``outdated``."""

    def __init__(self, code: str, path: Path, detail: str = "") -> None:
        super().__init__(f"reference store {code}: {path} {detail}".strip())
        self.code = code
        self.path = path
        self.detail = detail


@dataclass(frozen=True)
class StoreStatus:
    ok: bool
    code: str  # "ok", "missing", "corrupt", "outdated"
    path: Path
    detail: str = ""


def check_reference(path: Path | None = None) -> StoreStatus:
    """Tell whether the reference store at ``path`` is usable, without raising."""
    path = path or config.reference_path()
    if not path.exists():
        return StoreStatus(False, "missing", path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            missing = [t for t in REQUIRED_TABLES if t not in names]
            if missing:
                return StoreStatus(False, "corrupt", path, "missing tables: " + ", ".join(missing))
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if not row or row[0] != SCHEMA_VERSION:
                return StoreStatus(False, "outdated", path, f"schema {row[0] if row else '?'}")
            check = conn.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                return StoreStatus(False, "corrupt", path, str(check[0] if check else ""))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return StoreStatus(False, "corrupt", path, str(exc))
    return StoreStatus(True, "ok", path)


def connect_reference(path: Path | None = None, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open the reference store read-only. Raises :class:`StoreError` when it is missing or unusable."""
    path = path or config.reference_path()
    if not path.exists():
        raise StoreError("missing", path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=check_same_thread)
        conn.row_factory = sqlite3.Row
        conn.execute("SELECT 1 FROM meta LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise StoreError("corrupt", path, str(exc)) from exc
    return conn
