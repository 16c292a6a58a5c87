"""Training offer: ``training_check_ms``, the median time to read and check a 5,000-row training-offer file (the
import report step: reading layers, communes with their successors, crosswalk, copies, against the current
version) as :func:`gtec.training.service.check_file` does it, communes and successors loaded once as sets.
Baseline: the same check with one reference-store query per row for its commune and successors (the naive way),
in the same run. ``training_page_ms``: the median time of :func:`gtec.training.service.analyse` for the Pays de
Vannes with that offer current (placement, output by family, two scenario runs, BMO, gap), no baseline."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.run import entry, median_ms
from gtec.core import auth
from gtec.imports.limits import ImportLimits
from gtec.scenarios import loader, params
from gtec.storage.reference import connect_reference
from gtec.storage.workspace import Workspace
from gtec.training import places, service, store, template

ADMIN = auth.Actor("bench", "admin")
N_ROWS = 5000


def _rows(conn) -> list[list[str]]:
    communes = [
        r[0]
        for r in conn.execute(
            "SELECT c.code FROM territories c WHERE c.level = 'commune' AND c.parent_id IN (SELECT child_id FROM"
            " memberships WHERE parent_id IN ('FR-BASIN-VANNES', 'FR-BASIN-SAINT-MALO', 'FR-BASIN-COEUR-HDF'))"
        )
    ]
    rnd = random.Random(18)
    routes, romes = ("scolaire", "apprentissage", "formation continue"), ("G1602", "D1401", "J1506", "F1703", "M1805")
    return [
        [f"Formation {i}", f"Organisme {i % 97}", rnd.choice(communes), str(rnd.randint(3, 8)), rnd.choice(routes),
         str(rnd.randint(5, 40)), "", "", "", rnd.choice(romes), ""]
        for i in range(N_ROWS)
    ]  # fmt: skip


class _NaiveCommunes(places.Communes):
    """Communes resolved by one query per row (the baseline)."""

    def __init__(self, conn) -> None:
        super().__init__(frozenset(), {})
        object.__setattr__(self, "conn", conn)

    def resolve(self, raw: str) -> tuple[str | None, str]:
        code = (raw or "").strip().upper()
        if not code:
            return None, "empty"
        conn = self.conn  # type: ignore[attr-defined]
        if conn.execute("SELECT 1 FROM territories WHERE level = 'commune' AND code = ?", (code,)).fetchone():
            return code, "ok"
        hit = conn.execute("SELECT successor FROM commune_successors WHERE code = ?", (code,)).fetchone()
        return (hit[0], "merged") if hit else (None, "unknown")


def run(context: dict) -> dict:
    conn = connect_reference()
    tmp = Path(tempfile.mkdtemp(prefix="gtec-bench-training-"))
    ws = Workspace.open(tmp / "workspace.sqlite")
    path = tmp / "offre.csv"
    path.write_bytes(template.csv_bytes("fr", _rows(conn)))
    limits = ImportLimits()
    fast = median_ms(lambda: service.check_file(ws, conn, path, limits), repeat=5)
    original = places.load_communes
    try:
        places.load_communes = lambda c: _NaiveCommunes(c)  # type: ignore[assignment]
        service.places.load_communes = places.load_communes  # the service reads it through the module
        naive = median_ms(lambda: service.check_file(ws, conn, path, limits), repeat=1, warmup=0)
    finally:
        places.load_communes = original
        service.places.load_communes = original
    store.commit(ws, ADMIN, service.check_file(ws, conn, path, limits), store.Declared("bench", "2026", "illustrative"))
    base = loader.load_base(conn)
    settings = params.Settings.default(2030)
    started = time.perf_counter()
    page = median_ms(lambda: service.analyse(conn, ws, base, "FR-BASIN-VANNES", settings), repeat=5)
    conn.close()
    note = (
        f"{N_ROWS} rows, median of 5 (baseline: one run; territories has no index on code, so each lookup scans it);"
        f" page measured in {time.perf_counter() - started:.1f} s"
    )
    return {
        "training_check_ms": entry(fast, "ms", naive, target=2000, note=note),
        "training_page_ms": entry(
            page, "ms", page, target=1000, note="analyse() for the Pays de Vannes, 5,000 trainings"
        ),
    }
