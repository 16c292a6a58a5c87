"""Placing trainings in territories through their commune (pure SQL on the reference store, parameterised).

A training is placed on one commune; a commune code merged into another since (``commune_successors``) is placed
on its successor and the report says so. A territory's trainings are those of its communes: an EPCI's communes
(``parent_id``), a département's or région's (``departement_id``, ``region_id``), a zone d'emploi's or BMO
bassin's (``memberships``), a project basin's (the communes of its member EPCIs), France's (every French commune).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gtec.storage.reference import ReferenceConnection

_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


@dataclass(frozen=True)
class Communes:
    """French commune codes known to the store and the successor of every merged code."""

    known: frozenset[str]
    successors: dict[str, str]

    def resolve(self, raw: str) -> tuple[str | None, str]:
        """``(commune code or None, how)``: ``how`` is ``ok``, ``merged`` (placed on its successor), ``empty`` or
        ``unknown``. A four-digit code is re-padded (spreadsheets turn ``01001`` into ``1001``)."""
        code = (raw or "").strip().upper()
        if not code:
            return None, "empty"
        if code.isdigit() and len(code) == 4:
            code = "0" + code
        if not _COMMUNE.match(code):
            return None, "unknown"
        if code in self.known:
            return code, "ok"
        seen = 0
        while code in self.successors and seen < 10:  # a chain of mergers, bounded
            code, seen = self.successors[code], seen + 1
        return (code, "merged") if seen and code in self.known else (None, "unknown")


def load_communes(conn: ReferenceConnection) -> Communes:
    known = frozenset(
        r[0] for r in conn.execute("SELECT code FROM territories WHERE level = 'commune' AND country = 'FR'")
    )
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'commune_successors'").fetchone()
    successors = dict(conn.execute("SELECT code, successor FROM commune_successors").fetchall()) if has else {}
    return Communes(known, successors)


def territory_communes(conn: ReferenceConnection, territory_id: str) -> set[str]:
    """The commune codes of a territory (empty for an unknown territory or one outside France)."""
    row = conn.execute("SELECT level, code FROM territories WHERE id = ?", (territory_id,)).fetchone()
    if row is None:
        return set()
    level = row[0]
    base = "SELECT c.code FROM territories c WHERE c.level = 'commune' AND c.country = 'FR'"
    queries = {
        "commune": (base + " AND c.id = ?", (territory_id,)),
        "epci": (base + " AND c.parent_id = ?", (territory_id,)),
        "departement": (base + " AND c.departement_id = ?", (territory_id,)),
        "region": (base + " AND c.region_id = ?", (territory_id,)),
        "zone_emploi": (base + " AND c.id IN (SELECT child_id FROM memberships WHERE parent_id = ?)", (territory_id,)),
        "bmo_bassin": (base + " AND c.id IN (SELECT child_id FROM memberships WHERE parent_id = ?)", (territory_id,)),
        "basin": (base + " AND c.parent_id IN (SELECT child_id FROM memberships WHERE parent_id = ?)", (territory_id,)),
    }
    if level == "country":
        if territory_id != "FR":
            return set()
        return {r[0] for r in conn.execute(base)}
    if level not in queries:
        return set()
    sql, params = queries[level]
    return {r[0] for r in conn.execute(sql, params)}
