"""Roles and permissions. Every write checks them again here, server-side, whatever the UI showed.

Roles, from least to most: ``reader`` (anonymous), ``participant`` (one workshop session, no account),
``facilitator``, ``admin``. Permissions are declared once in :data:`PERMISSIONS`.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = ("reader", "participant", "facilitator", "admin")

#: action -> roles allowed. Actions are "area.verb"; the audit log records them.
PERMISSIONS: dict[str, frozenset[str]] = {
    "custom_territory.save": frozenset({"facilitator", "admin"}),
    "custom_territory.delete": frozenset({"facilitator", "admin"}),
    "transferability.edit": frozenset({"facilitator", "admin"}),
    "scenario.save": frozenset({"facilitator", "admin"}),
    "scenario.delete": frozenset({"facilitator", "admin"}),
    # facilitators only while the admin setting imports.facilitators_allowed is on (gtec.imports.catalogue)
    "import.write": frozenset({"facilitator", "admin"}),
    "import.rollback": frozenset({"facilitator", "admin"}),
    "import.delete": frozenset({"facilitator", "admin"}),
    "user.manage": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),
    "setting.change": frozenset({"admin"}),
    # Access control (gtec.access.accounts): sign-ins are audited; workshop session codes scope participants.
    "session.sign_in": frozenset({"facilitator", "admin"}),
    "workshop.create": frozenset({"facilitator", "admin"}),
    "workshop.close": frozenset({"facilitator", "admin"}),
    "workshop.contribute": frozenset({"participant", "facilitator", "admin"}),
    # Co-creation workshops (gtec.workshops): participants join, vote and react inside their session code only.
    "workshop.join": frozenset({"participant"}),
    "workshop.vote": frozenset({"participant"}),
    "workshop.react": frozenset({"participant"}),
    "workshop.manage": frozenset({"facilitator", "admin"}),
    "workshop.phase": frozenset({"facilitator", "admin"}),
    "workshop.moderate": frozenset({"facilitator", "admin"}),
    "workshop.report": frozenset({"facilitator", "admin"}),
    # Peer learning (gtec.practices): reading the library is public; contributing and exchanging need an account.
    "practice.create": frozenset({"facilitator", "admin"}),
    "practice.comment": frozenset({"facilitator", "admin"}),
    "practice.edit": frozenset({"facilitator", "admin"}),  # versioned: a stale edit is refused (EditConflict)
    "practice.review": frozenset({"facilitator", "admin"}),
    "practice.seed": frozenset({"admin"}),
    "exchange.manage": frozenset({"facilitator", "admin"}),
    "exchange.post": frozenset({"facilitator", "admin"}),
    # Secure spaces: the role opens the door, membership of the space (checked in gtec.practices.space) decides.
    "space.create": frozenset({"facilitator", "admin"}),
    "space.manage": frozenset({"facilitator", "admin"}),
    "space.post": frozenset({"facilitator", "admin"}),
    "space.upload": frozenset({"facilitator", "admin"}),
    "space.read": frozenset({"facilitator", "admin"}),
    # Needs surveys (gtec.needs): anyone with a survey's link answers it as an anonymous respondent, a participant
    # scoped to that survey (one answer per token); building surveys, handing out tokens and importing answers need
    # an account. Roadmap (gtec.roadmap): reading is public, editing needs an account.
    "needs.answer": frozenset({"participant"}),
    "needs.manage": frozenset({"facilitator", "admin"}),
    "needs.import": frozenset({"facilitator", "admin"}),
    "roadmap.edit": frozenset({"facilitator", "admin"}),
    "roadmap.import": frozenset({"facilitator", "admin"}),
    # Training offer (gtec.training): importing a version, rolling back, mapping a training to families by hand.
    "training.import": frozenset({"admin"}),
    "training.rollback": frozenset({"admin"}),
    "training.map": frozenset({"admin"}),
    # Partner network (gtec.network): organisations and the reciprocity indicator are public; contacts are personal
    # data, read and written by signed-in roles only; exports and erasures of a person are audited (ids only).
    "network.edit": frozenset({"facilitator", "admin"}),
    "network.merge": frozenset({"facilitator", "admin"}),
    "network.contact_read": frozenset({"facilitator", "admin"}),
    "network.contact_edit": frozenset({"facilitator", "admin"}),
    "network.contact_export": frozenset({"facilitator", "admin"}),
    "network.contact_erase": frozenset({"facilitator", "admin"}),
}

#: Roles whose permissions only hold inside their ``Actor.scope`` (a workshop session code).
SCOPED_ROLES: frozenset[str] = frozenset({"participant"})


class PermissionDenied(PermissionError):
    """Raised when an actor attempts an action its role does not allow."""

    def __init__(self, actor: Actor, action: str) -> None:
        super().__init__(f"{actor.role} '{actor.name}' may not {action}")
        self.actor = actor
        self.action = action


@dataclass(frozen=True)
class Actor:
    """Who acts: a display name and a role. ``ANONYMOUS`` is the public reader."""

    name: str
    role: str = "reader"
    scope: str | None = None  # e.g. a workshop session code for participants

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")


ANONYMOUS = Actor("anonymous", "reader")


def can(actor: Actor, action: str, scope: str | None = None) -> bool:
    """True when ``actor`` may perform ``action`` (unknown actions are refused).

    A scoped role (participant) needs a scope of its own, and when ``scope`` is given (the workshop session
    the action touches) it must be the actor's: a participant of session A may not write into session B.
    """
    allowed = PERMISSIONS.get(action)
    if not allowed or actor.role not in allowed:
        return False
    if actor.role in SCOPED_ROLES:
        return bool(actor.scope) and (scope is None or scope == actor.scope)
    return True


def require(actor: Actor, action: str, scope: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may perform ``action`` (in ``scope``, if given)."""
    if not can(actor, action, scope):
        raise PermissionDenied(actor, action)
