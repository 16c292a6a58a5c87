"""The reciprocity indicator: a partnership lasts when each party meets the others "au moins deux à trois fois par
an". For each live partner, the meetings (interaction types in :data:`gtec.network.vocab.MEETING_TYPES`) of the
last 12 months, flagged under :data:`THRESHOLD`; the network's share of partners at the threshold or above; and
who works with whom (organisations meeting in the same interaction, or parties to the same collaboration).

The window is ``(today - 12 months, today]``: a meeting exactly one year ago no longer counts. One aggregate query
serves the whole network (:func:`compute`); :func:`compute_naive` is the per-partner loop it replaces (benchmark
baseline, and a cross-check in the tests). The figures are counts of what people logged in this workspace: their
source (:func:`source`) says so, with status ``estimate`` (a meeting nobody logged is not counted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from gtec.core.i18n import t
from gtec.core.provenance import Source
from gtec.network import vocab
from gtec.network.dates import months_before
from gtec.storage.workspace import Workspace

THRESHOLD = 2
WINDOW_MONTHS = 12


@dataclass(frozen=True)
class PartnerCount:
    id: int
    name: str
    org_type: str
    territory_id: str
    meetings: int

    @property
    def below(self) -> bool:
        """True when the partner met the network fewer than :data:`THRESHOLD` times in the window."""
        return self.meetings < THRESHOLD


@dataclass(frozen=True)
class Reciprocity:
    partners: tuple[PartnerCount, ...]
    window_start: date  # excluded
    window_end: date  # included

    @property
    def n_partners(self) -> int:
        return len(self.partners)

    @property
    def n_at_threshold(self) -> int:
        return sum(1 for p in self.partners if not p.below)

    @property
    def share(self) -> float | None:
        """Share of partners with at least :data:`THRESHOLD` meetings; None (missing, not zero) with no partner."""
        return self.n_at_threshold / self.n_partners if self.partners else None


def window(today: date | None = None) -> tuple[date, date]:
    """``(start excluded, end included)`` of the 12-month window ending ``today``."""
    end = today or date.today()
    return months_before(end, WINDOW_MONTHS), end


def source(result: Reciprocity) -> Source:
    """The provenance of the reciprocity figures: the workspace's interaction log over the window, an estimate."""
    vintage = f"{result.window_start.isoformat()} / {result.window_end.isoformat()}"
    return Source(
        id="workspace-interactions",
        title_fr=t("network.source.title", "fr"),
        title_en=t("network.source.title", "en"),
        publisher=t("network.source.publisher", "fr"),
        url="",
        licence="",
        vintage=vintage,
        status="estimate",
        note_fr=t("network.source.note", "fr"),
        note_en=t("network.source.note", "en"),
    )


def _meeting_marks() -> tuple[str, list[str]]:
    types = sorted(vocab.MEETING_TYPES)
    return ", ".join("?" for _ in types), types


def compute(ws: Workspace, today: date | None = None) -> Reciprocity:
    """The indicator for every live partner in one aggregate query (partners with no meeting count 0)."""
    start, end = window(today)
    marks, types = _meeting_marks()
    # Count the window's meetings per organisation first (the date index narrows the scan to one year), then
    # attach every live partner, with 0 when it met nobody.
    sql = (
        "SELECT o.id, o.name, o.org_type, o.territory_id, COALESCE(m.n, 0) AS meetings FROM organisations o "
        "LEFT JOIN (SELECT io.organisation_id AS org_id, COUNT(*) AS n FROM interactions i "
        "JOIN interaction_organisations io ON io.interaction_id = i.id "
        f"WHERE i.occurred_on > ? AND i.occurred_on <= ? AND i.interaction_type IN ({marks}) "
        "GROUP BY io.organisation_id) m ON m.org_id = o.id WHERE o.merged_into IS NULL"
    )
    with ws.read() as conn:
        rows = conn.all(sql, [start.isoformat(), end.isoformat(), *types])
    partners = sorted(
        (PartnerCount(r["id"], r["name"], r["org_type"], r["territory_id"], int(r["meetings"])) for r in rows),
        key=lambda p: (p.meetings, p.name.casefold(), p.id),
    )
    return Reciprocity(tuple(partners), start, end)


def compute_naive(ws: Workspace, today: date | None = None) -> Reciprocity:
    """The same indicator with one query per partner (the benchmark's baseline)."""
    start, end = window(today)
    marks, types = _meeting_marks()
    out = []
    with ws.read() as conn:
        for o in conn.all("SELECT id, name, org_type, territory_id FROM organisations WHERE merged_into IS NULL"):
            n = conn.scalar(
                "SELECT COUNT(*) FROM interactions i JOIN interaction_organisations io ON io.interaction_id = i.id "
                f"WHERE io.organisation_id = ? AND i.occurred_on > ? AND i.occurred_on <= ? "
                f"AND i.interaction_type IN ({marks})",
                [o["id"], start.isoformat(), end.isoformat(), *types],
            )
            out.append(PartnerCount(o["id"], o["name"], o["org_type"], o["territory_id"], int(n)))
    out.sort(key=lambda p: (p.meetings, p.name.casefold(), p.id))
    return Reciprocity(tuple(out), start, end)


@dataclass(frozen=True)
class Link:
    first_id: int
    second_id: int
    interactions: int  # interactions of the window where both took part (any type)
    collaborations: int  # collaborations where both are parties (any date)

    @property
    def weight(self) -> int:
        return self.interactions + self.collaborations


def links(ws: Workspace, today: date | None = None) -> list[Link]:
    """Who works with whom: pairs of live organisations with their shared interactions and collaborations."""
    start, end = window(today)
    pairs: dict[tuple[int, int], list[int]] = {}
    with ws.read() as conn:
        live = {r[0] for r in conn.all("SELECT id FROM organisations WHERE merged_into IS NULL")}
        for row in conn.all(
            "SELECT a.organisation_id, b.organisation_id, COUNT(*) FROM interaction_organisations a "
            "JOIN interaction_organisations b ON b.interaction_id = a.interaction_id "
            "AND a.organisation_id < b.organisation_id JOIN interactions i ON i.id = a.interaction_id "
            "WHERE i.occurred_on > ? AND i.occurred_on <= ? GROUP BY a.organisation_id, b.organisation_id",
            (start.isoformat(), end.isoformat()),
        ):
            pairs.setdefault((row[0], row[1]), [0, 0])[0] += int(row[2])
        for row in conn.all(
            "SELECT a.organisation_id, b.organisation_id, COUNT(*) FROM collaboration_parties a "
            "JOIN collaboration_parties b ON b.collaboration_id = a.collaboration_id "
            "AND a.organisation_id < b.organisation_id GROUP BY a.organisation_id, b.organisation_id"
        ):
            pairs.setdefault((row[0], row[1]), [0, 0])[1] += int(row[2])
    return sorted(
        (Link(a, b, n[0], n[1]) for (a, b), n in pairs.items() if a in live and b in live),
        key=lambda link: (-link.weight, link.first_id, link.second_id),
    )


def by_territory(result: Reciprocity) -> dict[str, dict[str, Any]]:
    """``{territory_id: {"partners": n, "below": n, "names": [...]}}`` for partners that have a territory."""
    out: dict[str, dict[str, Any]] = {}
    for p in result.partners:
        if not p.territory_id:
            continue
        entry = out.setdefault(p.territory_id, {"partners": 0, "below": 0, "names": []})
        entry["partners"] += 1
        entry["below"] += int(p.below)
        entry["names"].append(p.name)
    return out
