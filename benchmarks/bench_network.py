"""Reciprocity indicator: ``reciprocity_ms``, the median time of :func:`gtec.network.reciprocity.compute` (one
aggregate query) for 2,000 partners and 20,000 interactions (one to three organisations each, 60 % of them
meetings, spread over three years). Baseline: :func:`gtec.network.reciprocity.compute_naive`, one query per partner,
measured in the same run on the same workspace; both give the same result (checked)."""

from __future__ import annotations

import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from benchmarks.run import entry, median_ms
from gtec.core import auth
from gtec.network import organisations, reciprocity, vocab
from gtec.storage.workspace import Workspace, name_key, now_iso

ADMIN = auth.Actor("bench", "admin")
PARTNERS = 2_000
INTERACTIONS = 20_000
TODAY = date(2026, 12, 1)
TARGET_MS = 200.0


def populate(ws: Workspace, partners: int = PARTNERS, n_interactions: int = INTERACTIONS, seed: int = 16) -> None:
    """Fill ``ws`` with ``partners`` organisations and ``n_interactions`` interactions (deterministic)."""
    rng = random.Random(seed)
    types = list(vocab.INTERACTION_TYPES)
    weights = [30, 15, 10, 5, 25, 15]  # meeting, visit, event, workshop, call, email: 60 % meetings
    now = now_iso()
    with ws.write(ADMIN, "network.edit", target="bench", detail={"op": "bench"}) as conn:
        for i in range(partners):
            name = f"Partenaire {i:04d} {rng.choice(['SAS', 'SARL', 'Ltd', 'Association', ''])}".strip()
            conn.execute(
                "INSERT INTO organisations(name, name_key, match_key, org_type, country, territory_id, created_by, "
                "created_at) VALUES (?, ?, ?, ?, 'FR', ?, 'bench', ?)",
                (
                    name,
                    name_key(name),
                    organisations.match_key(name),
                    rng.choice(vocab.ORG_TYPES),
                    f"FR-COM-56{rng.randint(1, 260):03d}",
                    now,
                ),
            )
        ids = [r[0] for r in conn.all("SELECT id FROM organisations ORDER BY id")]
        links = []
        for n in range(1, n_interactions + 1):
            day = TODAY - timedelta(days=rng.randint(0, 3 * 365))
            conn.execute(
                "INSERT INTO interactions(id, occurred_on, interaction_type, created_by, created_at) "
                "VALUES (?, ?, ?, 'bench', ?)",
                (n, day.isoformat(), rng.choices(types, weights)[0], now),
            )
            for org in rng.sample(ids, rng.choice([1, 1, 2, 2, 3])):
                links.append((n, org))
        conn.executemany("INSERT INTO interaction_organisations(interaction_id, organisation_id) VALUES (?, ?)", links)


def run(context: dict) -> dict[str, dict]:
    with tempfile.TemporaryDirectory(prefix="gtec-bench-network-") as tmp:
        ws = Workspace.open(Path(tmp) / "workspace.sqlite", keep_open=True)
        populate(ws)
        fast = reciprocity.compute(ws, TODAY)
        slow = reciprocity.compute_naive(ws, TODAY)
        if fast != slow:
            raise AssertionError("the aggregate and the per-partner loop disagree")
        value = median_ms(lambda: reciprocity.compute(ws, TODAY))
        baseline = median_ms(lambda: reciprocity.compute_naive(ws, TODAY), repeat=3)
    note = (
        f"{PARTNERS} partners, {INTERACTIONS} interactions; share at two or more "
        f"{fast.share:.2f}; baseline: one query per partner"
    )
    return {"reciprocity_ms": entry(value, "ms", baseline, TARGET_MS, note)}
