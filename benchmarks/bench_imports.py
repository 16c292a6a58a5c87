"""Imports (issue 13): a 100,000-row commune-level file validated and imported, and the memory it takes.

- ``import_rows_per_s``: rows per second of :func:`gtec.imports.service.check_file` then
  :func:`~gtec.imports.service.import_prepared` (read a French-style CSV: cp1252, ``;``, decimal commas, a title
  block; detect its shape, validate every code and value against the reference store, derive the EPCI,
  département, région, zone d'emploi, BMO bassin and France values, write one version in one transaction).
  Higher is better: ``ratio`` is baseline / value, so < 1 means faster than the baseline. Baseline: the same file
  read, validated, derived and written row by row (``csv`` reader, :func:`gtec.core.fmt.parse_number`, a code
  lookup and the parents' running sums per row, one INSERT per row and per derived value), in the same run.
  Target: >= 20,000 rows/s.
- ``import_peak_mb``: peak of Python allocations (tracemalloc) during that import; baseline: the row-by-row
  import's peak. GDAL and calamine allocations are outside Python and not counted.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import tempfile
import time
import tracemalloc
from pathlib import Path

from gtec.core import fmt
from gtec.core.auth import Actor
from gtec.imports.limits import ImportLimits
from gtec.imports.service import check_file, import_prepared, load_context
from gtec.imports.validate import Geography
from gtec.storage import reference
from gtec.storage.workspace import Workspace

ROWS = 100_000
TARGET_ROWS_PER_S = 20_000
ADMIN = Actor("bench", "admin")


def make_file(path: Path, codes: list[str], rows: int = ROWS) -> Path:
    """A French-style long file: title rows, ``Code commune;Nom;Année;Emplois`` and ``rows`` data rows (every
    commune, then the next year), cp1252 with decimal commas and no-break spaces in thousands."""
    lines = ["Observatoire territorial;;;", "Emplois salariés par commune;;;", "Code commune;Nom;Année;Emplois"]
    for i in range(rows):
        code = codes[i % len(codes)]
        year = 2021 + i // len(codes)
        value = f"{1000 + (i * 37) % 90000:,}".replace(",", "\u00a0") + f",{i % 10}"
        lines.append(f"{code};Commune é;{year};{value}")
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def row_by_row(path: Path, geo: Geography, db: Path) -> int:
    """The naive import of the same file to the same result: one row at a time, parsed, checked, added to each of
    its parents' sums and inserted on its own; then one INSERT per derived value (a parent gets a sum only when
    every member commune has a value, as in :mod:`gtec.imports.derive`)."""
    lookup = geo.codes("commune")
    parents: dict[str, list[str]] = {}
    members: dict[str, int] = {}
    for parent, child in zip(geo.parents["parent_id"].tolist(), geo.parents["child_id"].tolist(), strict=True):
        parents.setdefault(child, []).append(parent)
        members[parent] = members.get(parent, 0) + 1
    text = path.read_bytes().decode("cp1252")
    conn = sqlite3.connect(db)
    conn.execute(  # the same table and keys as the workspace's import_values
        "CREATE TABLE v (version_id INTEGER, territory_id TEXT, indicator TEXT, period TEXT, value REAL,"
        " secret INTEGER, derived INTEGER, PRIMARY KEY (version_id, territory_id, indicator, period))"
    )
    conn.execute("CREATE INDEX v_indicator ON v(version_id, indicator, period)")
    sums: dict[tuple[str, str], float] = {}
    counts: dict[tuple[str, str], int] = {}
    n = 0
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if len(row) < 4 or row[0] == "Code commune" or not row[0]:
            continue
        tid = lookup.get(row[0].strip().zfill(5))
        try:
            value = fmt.parse_number(row[3])
        except ValueError:
            continue
        if tid is None or value < 0:
            continue
        period = row[2].strip()
        conn.execute("INSERT OR REPLACE INTO v VALUES (1, ?, 'jobs', ?, ?, 0, 0)", (tid, period, value))
        for parent in parents.get(tid, ()):
            key = (parent, period)
            sums[key] = sums.get(key, 0.0) + value
            counts[key] = counts.get(key, 0) + 1
        n += 1
    for (parent, period), total in sums.items():
        if counts[(parent, period)] == members[parent]:
            conn.execute("INSERT OR REPLACE INTO v VALUES (1, ?, 'jobs', ?, ?, 0, 1)", (parent, period, total))
    conn.commit()
    conn.close()
    return n


def run(context: dict) -> dict[str, dict]:
    tmp = Path(tempfile.mkdtemp(prefix="gtec-bench-imports-"))
    conn = reference.connect_reference()
    try:
        ctx = load_context(conn)
        lookup = ctx.geo.codes("commune")
        path = make_file(tmp / "emplois.csv", sorted(lookup))
        ws = Workspace.open(tmp / "workspace.sqlite")
        limits = ImportLimits()

        def ours(name: str) -> dict:
            prepared = check_file(ctx, path, limits, file_name=path.name)
            assert prepared.report.ok and prepared.report.rows == ROWS, prepared.report.counts
            return import_prepared(ws, ADMIN, ctx, prepared, name)

        start = time.perf_counter()
        result = ours("Emplois bench")
        seconds = time.perf_counter() - start
        assert result["version"] == 1
        start = time.perf_counter()
        naive_rows = row_by_row(path, ctx.geo, tmp / "naive.sqlite")
        naive_seconds = time.perf_counter() - start
        assert naive_rows == ROWS
        # memory, measured apart: tracing slows Python down, so it is kept out of the timings
        tracemalloc.start()
        ours("Emplois bench")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        tracemalloc.start()
        row_by_row(path, ctx.geo, tmp / "naive2.sqlite")
        _, naive_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        conn.close()
    rate, naive_rate = ROWS / seconds, ROWS / naive_seconds
    mb, naive_mb = peak / 1024 / 1024, naive_peak / 1024 / 1024
    return {
        "import_rows_per_s": {
            "value": round(rate, 1),
            "unit": "rows/s",
            "baseline": round(naive_rate, 1),
            "ratio": round(naive_rate / rate, 2),
            "target": TARGET_ROWS_PER_S,
            "reached": rate >= TARGET_ROWS_PER_S,
            "note": f"{ROWS:,} commune rows (3 years) validated, derived to every level above ({result['values']:,}"
            f" values written) and committed in {seconds:.2f} s; higher is better (ratio < 1: faster than"
            " the baseline). Baseline: the same import row by row (parse, lookup, add to each parent's sum, one"
            " INSERT per row and per derived value), same file, same run.",
        },
        "import_peak_mb": {
            "value": round(mb, 1),
            "unit": "MB",
            "baseline": round(naive_mb, 1),
            "ratio": round(naive_mb / mb, 2) if mb else None,
            "note": "peak of Python allocations (tracemalloc) during the same import (a second version, traced"
            " apart); baseline: the row-by-row import's peak (it holds the decoded text and little else).",
        },
    }
