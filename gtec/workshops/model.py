"""Co-creation workshops: the shapes (session, parallel workshop, participant, contribution) and their limits.

A *session* is one meeting in a room, joined with the 6-character code of :mod:`gtec.access.workshops`. It runs up
to :data:`MAX_TRACKS` parallel *workshops* (called tracks in the code, so that "workshop" keeps meaning the session
code's table). Its *phase* moves ``waiting -> contribute -> vote -> closed`` at the facilitator's command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gtec.core import auth

#: Declared stakeholder groups (the consensus view compares them). Order = display order.
STAKEHOLDERS: tuple[str, ...] = (
    "institution",
    "company",
    "jobseeker_learner",
    "training_body",
    "elected_official",
    "other",
)
PHASES: tuple[str, ...] = ("waiting", "contribute", "vote", "closed")
REACTIONS: tuple[str, ...] = ("agree", "disagree", "pass")
MODERATIONS: tuple[str, ...] = ("post", "pre")
STATUSES: tuple[str, ...] = ("pending", "visible", "hidden", "merged")
SESSION_LANGS: tuple[str, ...] = ("fr", "en")

MAX_TRACKS = 6
MAX_TEXT = 280  # a contribution: a recommendation in a sentence or two, readable on the wall
MIN_TEXT = 3
MAX_NICKNAME = 30
MAX_TITLE = 120
MAX_QUESTION = 300
MAX_PROMPT = 300
MAX_PLACE = 120
MAX_TAG = 30
MAX_VOTE_BUDGET = 50


@dataclass(frozen=True)
class Track:
    """One of the parallel workshops of a session."""

    id: int
    position: int
    title: str
    prompt: str = ""
    facilitator: str = ""


@dataclass(frozen=True)
class Session:
    """A co-creation session: the code's row plus its details, phase and parallel workshops."""

    code: str
    title: str
    created_by: str
    created_at: str
    closes_at: str
    held_on: str = ""
    place: str = ""
    question: str = ""
    lang: str = "fr"
    vote_budget: int = 5
    moderation: str = "post"
    phase: str = "waiting"
    phase_ends_at: str | None = None
    version: int = 1
    tracks: tuple[Track, ...] = field(default_factory=tuple)

    def track(self, track_id: int | None) -> Track | None:
        return next((t for t in self.tracks if t.id == track_id), None)


@dataclass(frozen=True)
class Participant:
    """Someone in the room, known by a random token (only its SHA-256 is stored)."""

    id: int
    code: str
    nickname: str
    stakeholder: str
    track_id: int | None
    votes_used: int

    @property
    def actor(self) -> auth.Actor:
        """The actor of this participant's writes: a participant scoped to the session code."""
        return auth.Actor(f"participant-{self.id}", "participant", scope=self.code)


@dataclass(frozen=True)
class Contribution:
    """An idea or recommendation. ``uid`` is stable (a roadmap action can point at it later)."""

    id: int
    uid: str
    code: str
    track_id: int
    participant_id: int | None
    author_label: str
    text: str
    family_id: str | None
    territory_id: str | None
    status: str
    merged_into: int | None
    created_at: str
    version: int
    votes: int = 0
    tags: tuple[str, ...] = ()
    by_facilitator: bool = False  # posted by a facilitator from the console (marked as such everywhere)
