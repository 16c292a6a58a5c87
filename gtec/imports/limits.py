"""Limits of an import, read once at the edge from the environment and passed inward.

Every limit is checked *before* the work it bounds: the file size from ``stat`` before reading, the members of a
zip archive from its central directory before anything is decompressed (and again while decompressing, since a
forged directory can lie), the row count while parsing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """``max_bytes``: the uploaded file; ``max_unzipped_bytes``: all members of an archive once decompressed;
    ``max_ratio``: compression ratio beyond which an archive is a zip bomb; ``max_rows``: data rows;
    ``max_members``: entries of an archive. Boundary layers: ``max_features`` features and ``max_vertices``
    vertices as read (a heavier layer is refused before any geometry work: simplify it first), and
    ``layer_vertices``, the map budget a layer is simplified to (about 1 MB of GeoJSON at 1e-4 degrees)."""

    max_bytes: int = 50 * MB
    max_unzipped_bytes: int = 200 * MB
    max_ratio: float = 200.0
    max_rows: int = 1_000_000
    max_members: int = 1000
    max_features: int = 20_000
    max_vertices: int = 1_000_000
    layer_vertices: int = 60_000


def limits_from_env(env: dict[str, str] | None = None) -> ImportLimits:
    """Limits from ``GTEC_IMPORT_MAX_MB`` (uploaded file, default 50), ``GTEC_IMPORT_MAX_ROWS`` (1,000,000) and
    ``GTEC_IMPORT_MAX_VERTICES`` (boundary vertices as read, 1,000,000); unreadable values give the defaults."""
    env = dict(os.environ) if env is None else env
    defaults = ImportLimits()
    try:
        max_mb = float(env.get("GTEC_IMPORT_MAX_MB") or defaults.max_bytes / MB)
        max_rows = int(env.get("GTEC_IMPORT_MAX_ROWS") or defaults.max_rows)
        max_vertices = int(env.get("GTEC_IMPORT_MAX_VERTICES") or defaults.max_vertices)
    except ValueError:
        return defaults
    if max_mb <= 0 or max_rows <= 0 or max_vertices <= 0:
        return defaults
    return ImportLimits(
        max_bytes=int(max_mb * MB),
        max_unzipped_bytes=max(int(max_mb * MB) * 4, 200 * MB),
        max_rows=max_rows,
        max_vertices=max_vertices,
    )
