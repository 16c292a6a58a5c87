"""Consensus and divergence between declared stakeholder groups (the Pol.is idea, on declared groups).

For each contribution and each group: how many agreed, disagreed, passed, and the share agreeing among those who
took a side (``agree / (agree + disagree)``; passes are counted and shown, not in the share). A group with fewer
than :data:`MIN_GROUP_VOTERS` voters is *flagged* (``small``), never hidden.

- **consensus**: at least two groups took a side and in every such group at least :data:`SUPPORT` agree;
- **divergent** (splits the groups): at least two groups, one at or above :data:`SUPPORT`, one at or below
  :data:`OPPOSE`;
- **mixed**: the rest with two groups or more; **insufficient**: fewer than two groups took a side.

The ranking score is the lowest smoothed share across the groups (``(agree + 1) / (voters + 2)``), so that a
contribution supported by every group ranks above one loved by one group only, and a group of two voters
cannot carry a contribution alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gtec.workshops.model import STAKEHOLDERS

MIN_GROUP_VOTERS = 5
SUPPORT = 0.6
OPPOSE = 0.4
KINDS: tuple[str, ...] = ("consensus", "divergent", "mixed", "insufficient")


@dataclass(frozen=True)
class GroupShare:
    """One group's reactions to one contribution."""

    group: str
    agree: int
    disagree: int
    passed: int

    @property
    def voters(self) -> int:
        """Those who took a side (agree or disagree)."""
        return self.agree + self.disagree

    @property
    def share(self) -> float | None:
        """Share agreeing among those who took a side; None when nobody did."""
        return self.agree / self.voters if self.voters else None

    @property
    def small(self) -> bool:
        """Fewer than :data:`MIN_GROUP_VOTERS` voters: shown with a warning."""
        return self.voters < MIN_GROUP_VOTERS

    @property
    def smoothed(self) -> float:
        return (self.agree + 1) / (self.voters + 2)


@dataclass(frozen=True)
class Consensus:
    """The cross-group reading of one contribution."""

    contribution_id: int
    groups: tuple[GroupShare, ...]  # groups that reacted at all, in STAKEHOLDERS order
    kind: str
    score: float  # lowest smoothed share across groups that took a side (0 when insufficient)

    @property
    def voters(self) -> int:
        return sum(g.voters for g in self.groups)

    @property
    def spread(self) -> float:
        """Highest minus lowest share across groups that took a side (0 with fewer than two)."""
        shares = [g.share for g in self.groups if g.share is not None]
        return max(shares) - min(shares) if len(shares) >= 2 else 0.0


def classify(groups: Iterable[GroupShare]) -> tuple[str, float]:
    """``(kind, score)`` of one contribution from its groups' reactions."""
    sided = [g for g in groups if g.voters]
    if len(sided) < 2:
        return "insufficient", 0.0
    shares = [g.share for g in sided if g.share is not None]
    score = min(g.smoothed for g in sided)
    if min(shares) >= SUPPORT:
        return "consensus", score
    if max(shares) >= SUPPORT and min(shares) <= OPPOSE:
        return "divergent", score
    return "mixed", score


def compute(rows: Iterable[tuple[int, str, str, int]]) -> dict[int, Consensus]:
    """Consensus per contribution from ``(contribution_id, group, reaction, count)`` rows."""
    counts: dict[int, dict[str, dict[str, int]]] = {}
    for cid, group, reaction, n in rows:
        counts.setdefault(int(cid), {}).setdefault(group, {"agree": 0, "disagree": 0, "pass": 0})[reaction] += int(n)
    out: dict[int, Consensus] = {}
    order = {g: i for i, g in enumerate(STAKEHOLDERS)}
    for cid, per_group in counts.items():
        groups = tuple(
            GroupShare(g, c["agree"], c["disagree"], c["pass"])
            for g, c in sorted(per_group.items(), key=lambda kv: order.get(kv[0], len(order)))
        )
        kind, score = classify(groups)
        out[cid] = Consensus(cid, groups, kind, score)
    return out


def reaction_rows(conn, code: str) -> list[tuple[int, str, str, int]]:
    """``(contribution_id, group, reaction, count)`` for the visible contributions of a session."""
    rows = conn.all(
        "SELECT r.contribution_id, p.stakeholder, r.reaction, COUNT(*) AS n FROM workshop_reactions r"
        " JOIN workshop_participants p ON p.id = r.participant_id"
        " JOIN workshop_contributions c ON c.id = r.contribution_id"
        " WHERE c.code = ? AND c.status = 'visible' GROUP BY r.contribution_id, p.stakeholder, r.reaction",
        (code,),
    )
    return [(int(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]
