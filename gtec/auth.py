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
    "import.write": frozenset({"admin"}),
    "user.manage": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),
}


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


def can(actor: Actor, action: str) -> bool:
    """True when ``actor`` may perform ``action`` (unknown actions are refused)."""
    allowed = PERMISSIONS.get(action)
    return bool(allowed) and actor.role in allowed


def require(actor: Actor, action: str) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may perform ``action``."""
    if not can(actor, action):
        raise PermissionDenied(actor, action)
