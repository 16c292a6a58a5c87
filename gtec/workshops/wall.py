"""What the projector shows, read in one pass: per workshop the newest and the most dotted contributions, the
words that come back (accents kept), participants per declared group, and the cross-group consensus.

One read connection and four aggregate queries whatever the size of the room (the wall refreshes every few
seconds on every projector). The naive way (one query per contribution) is measured beside it in
``benchmarks/bench_workshops.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from gtec.storage.workspace import Workspace
from gtec.workshops import consensus
from gtec.workshops.consensus import Consensus
from gtec.workshops.contributions import CONTRIBUTION_COLUMNS
from gtec.workshops.model import STAKEHOLDERS, Contribution, Session
from gtec.workshops.sessions import read_session

_WORD = re.compile(r"[^\W\d_]{3,}")  # letters only (any script, accents kept), three or more
#: Words too common to say anything (French and English). Compared after lower-casing, accents kept.
STOPWORDS = frozenset(
    """
    les des une est pour que qui dans par sur pas plus avec son ses aux ont sont mais ou donc car cette ces
    leur leurs nos notre vos votre elle elles ils nous vous tout tous toute toutes faire fait être avoir comme
    entre aussi sans sous très peu bien encore même alors dont été était quand chez ceux celle celui cela ça
    mieux faut peut doit afin lors ainsi
    the and for are but not you all any can her was one our out has have had his how its may new now see
    two who did get let put say she too use with from that this they them their there these those what when
    where which will would should could into more most some such than then very also only over about
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


@dataclass(frozen=True)
class TrackWall:
    """One parallel workshop on the wall."""

    track_id: int
    title: str
    prompt: str
    count: int
    newest: tuple[Contribution, ...]
    top: tuple[Contribution, ...]
    words: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Wall:
    session: Session
    tracks: tuple[TrackWall, ...]
    participants: dict[str, int]  # declared group -> participants, every group present (0 included)
    contributions: dict[int, Contribution]  # visible ones, by id
    consensus: dict[int, Consensus] = field(default_factory=dict)
    pending: int = 0

    def agreed(self, limit: int = 5) -> list[Consensus]:
        """Contributions every group supports, best first."""
        rows = [c for c in self.consensus.values() if c.kind == "consensus"]
        return sorted(rows, key=lambda c: (-c.score, -c.voters, c.contribution_id))[:limit]

    def divisive(self, limit: int = 5) -> list[Consensus]:
        """Contributions that split the groups, widest split first."""
        rows = [c for c in self.consensus.values() if c.kind == "divergent"]
        return sorted(rows, key=lambda c: (-c.spread, -c.voters, c.contribution_id))[:limit]


def words(texts: Iterable[str], limit: int = 20) -> list[tuple[str, int]]:
    """The most frequent meaningful words of ``texts`` (NFC, lower case, accents kept), ties alphabetical."""
    counts: Counter[str] = Counter()
    for text in texts:
        for word in _WORD.findall(unicodedata.normalize("NFC", text).lower()):
            if word not in STOPWORDS:
                counts[word] += 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def snapshot(ws: Workspace, code: str, newest: int = 5, top: int = 5, word_limit: int = 20) -> Wall | None:
    """Everything the projector shows for session ``code`` (None if unknown)."""
    with ws.read() as conn:
        session = read_session(conn, code)
        if session is None:
            return None
        rows = conn.all(
            f"SELECT {CONTRIBUTION_COLUMNS}, COALESCE(v.n, 0) AS votes FROM workshop_contributions c"
            " LEFT JOIN (SELECT w.contribution_id, COUNT(*) AS n FROM workshop_votes w"
            "  JOIN workshop_contributions x ON x.id = w.contribution_id WHERE x.code = ?"
            "  GROUP BY w.contribution_id) v ON v.contribution_id = c.id"
            " WHERE c.code = ? AND c.status IN ('visible', 'pending') ORDER BY c.created_at DESC, c.id DESC",
            (session.code, session.code),
        )
        groups = conn.all(
            "SELECT stakeholder, COUNT(*) AS n FROM workshop_participants WHERE code = ? GROUP BY stakeholder",
            (session.code,),
        )
        reactions = consensus.reaction_rows(conn, session.code)
    visible = [
        Contribution(**(dict(r) | {"by_facilitator": bool(r["by_facilitator"])}))
        for r in rows
        if r["status"] == "visible"
    ]
    tracks = []
    for track in session.tracks:
        mine = [c for c in visible if c.track_id == track.id]  # newest first already
        best = sorted(mine, key=lambda c: (-c.votes, c.created_at, c.id))
        tracks.append(
            TrackWall(
                track.id,
                track.title,
                track.prompt,
                len(mine),
                tuple(mine[:newest]),
                tuple(best[:top]),
                tuple(words((c.text for c in mine), word_limit)),
            )
        )
    per_group = {g: 0 for g in STAKEHOLDERS} | {str(r["stakeholder"]): int(r["n"]) for r in groups}
    return Wall(
        session,
        tuple(tracks),
        per_group,
        {c.id: c for c in visible},
        consensus.compute(reactions),
        pending=sum(1 for r in rows if r["status"] == "pending"),
    )
