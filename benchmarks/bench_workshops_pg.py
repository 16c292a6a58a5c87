"""``workshop_write_p95_ms_pg``: the workshop write benchmark (100 concurrent participants posting then putting dots,
through ``Workspace.write``) against a PostgreSQL workspace.

The same load as ``workshop_write_p95_ms`` (``benchmarks/bench_workshops.py``, ``_concurrent_writes``), on a fresh
schema of the server named by ``GTEC_BENCH_PG_URL`` (or ``GTEC_TEST_PG_URL``), dropped afterwards. Baseline: the same
load on a SQLite workspace in the same run (one host, no network: what PostgreSQL costs for being reachable from
several hosts). Without a URL the figure is skipped with a note (nothing is written for it).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from pathlib import Path

from benchmarks.bench_workshops import burst_p95s
from benchmarks.run import entry
from gtec.storage.workspace import Workspace


def pg_url() -> str | None:
    """The server to measure, or None."""
    return os.environ.get("GTEC_BENCH_PG_URL") or os.environ.get("GTEC_TEST_PG_URL") or None


def _rows(ws: Workspace) -> tuple[int, int]:
    with ws.read() as conn:
        return (
            int(conn.scalar("SELECT COUNT(*) FROM workshop_contributions")),
            int(conn.scalar("SELECT COUNT(*) FROM workshop_votes")),
        )


def run(context: dict) -> dict:
    url = pg_url()
    if url is None:
        print("   workshop_write_p95_ms_pg skipped: set GTEC_BENCH_PG_URL (or GTEC_TEST_PG_URL) to a PostgreSQL server")
        return {}
    lite = Workspace.open(Path(tempfile.mkdtemp(prefix="gtec-bench-pg-")) / "writes.sqlite", keep_open=True)
    baseline = statistics.median(burst_p95s(lite))
    target = f"{url}{'&' if '?' in url else '?'}schema=gtec_bench_{uuid.uuid4().hex[:10]}"
    ws = Workspace.open(target, keep_open=True)
    try:
        writes = burst_p95s(ws)
        load = os.getloadavg()[0]
        posts, dots = _rows(ws)
    finally:
        ws.drop()  # type: ignore[attr-defined]
    return {
        "workshop_write_p95_ms_pg": entry(
            statistics.median(writes), "ms", baseline, 100,
            note=f"p95 of 700 writes by 100 concurrent participants, median of 3 rooms "
            f"({', '.join(f'{v:.1f}' for v in writes)} ms; {posts} posts, {dots} dots kept of 1,500 attempts in all) "
            "through Workspace.write on PostgreSQL (local server over TCP, fresh schema; posts and dots "
            "are concurrent blocks: advisory writer lock shared, up to 6 in flight, commit without waiting for the "
            "disk sync; phase changes exclusive); baseline = the same load on SQLite in the same run; load average "
            f"{load:.1f} on {os.cpu_count()} cores",
        ),
    }  # fmt: skip
