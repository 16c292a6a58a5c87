"""Where the data lives. Read once at the edge (environment) and passed inward."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CURATED_DIR = REPO_ROOT / "data"
REFERENCE_NAME = "reference.sqlite"
WORKSPACE_NAME = "workspace.sqlite"


def data_dir() -> Path:
    """Directory of the built reference store and the workspace store.

    ``GTEC_DATA_DIR`` overrides the default ``<repo>/data/build``. The directory is created if missing.
    """
    path = Path(os.environ.get("GTEC_DATA_DIR") or (CURATED_DIR / "build")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def reference_path() -> Path:
    """Path of the reference SQLite store (rebuilt by ``python -m gtec build``)."""
    return data_dir() / REFERENCE_NAME


def workspace_path() -> Path:
    """Path of the workspace SQLite store (what people create; never touched by a rebuild).

    ``GTEC_WORKSPACE`` overrides it (tests give each case a fresh workspace beside a shared reference build).
    """
    override = os.environ.get("GTEC_WORKSPACE")
    if override:
        path = Path(override).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
    return data_dir() / WORKSPACE_NAME


def workspace_target() -> Path | str:
    """The workspace to open: ``GTEC_WORKSPACE_URL`` when set (a ``postgresql://`` URL: the workspace lives in
    PostgreSQL, docs/postgresql.md), else the SQLite file of :func:`workspace_path`."""
    url = os.environ.get("GTEC_WORKSPACE_URL", "").strip()
    return url or workspace_path()
