"""Admin settings: a small declared set of switches an admin may change, stored in the workspace and audited.

Each setting is declared once in :data:`SETTINGS` (key, type, default, FR/EN label keys). A setting nobody
changed reads as its default; :func:`set_value` goes through the single write path (action ``setting.change``,
admins only) and records who changed it and when. Unknown keys and values of the wrong type are refused with a
:class:`~gtec.core.errors.UserError`, never stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gtec.core.auth import Actor
from gtec.core.errors import UserError
from gtec.storage.workspace import Workspace


@dataclass(frozen=True)
class Setting:
    key: str
    kind: type  # bool, int or str
    default: Any
    label_key: str  # i18n key of the label shown on the admin page
    help_key: str  # i18n key of the one-line explanation
    minimum: int | None = None  # bounds of an int setting (inclusive), None when unbounded
    maximum: int | None = None


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "imports.facilitators_allowed",
            bool,
            False,
            "settings.imports_facilitators",
            "settings.help.imports_facilitators",
        ),
        Setting("practices.public_reading", bool, True, "settings.practices_public", "settings.help.practices_public"),
        Setting(
            "network.inactive_months",
            int,
            24,
            "network.setting.inactive_months",
            "network.setting.inactive_months_help",
            minimum=1,
            maximum=120,
        ),
    )
}


def _declared(key: str) -> Setting:
    setting = SETTINGS.get(key)
    if setting is None:
        raise UserError("settings.error.unknown", name=key)
    return setting


def _coerce(setting: Setting, value: Any) -> Any:
    if setting.kind is bool:
        if isinstance(value, bool):
            return value
    elif setting.kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            low = setting.minimum if setting.minimum is not None else value
            high = setting.maximum if setting.maximum is not None else value
            if not low <= value <= high:
                raise UserError("settings.error.range", name=setting.key, min=low, max=high)
            return value
    elif isinstance(value, setting.kind):
        return value
    raise UserError("settings.error.type", name=setting.key)


def get_value(ws: Workspace, key: str) -> Any:
    """The current value of a declared setting (its default when nobody changed it)."""
    setting = _declared(key)
    with ws.read() as conn:
        row = conn.one("SELECT value FROM settings WHERE key = ?", (key,))
    if row is None:
        return setting.default
    try:
        return _coerce(setting, json.loads(row[0]))
    except (ValueError, UserError):  # a value edited by hand into something else: the default, not a crash
        return setting.default


def all_values(ws: Workspace) -> dict[str, Any]:
    """Every declared setting with its current value, in declaration order."""
    return {key: get_value(ws, key) for key in SETTINGS}


def set_value(ws: Workspace, actor: Actor, key: str, value: Any) -> None:
    """Change a setting (admins only, audited with the old and new values)."""
    setting = _declared(key)
    value = _coerce(setting, value)
    old = get_value(ws, key)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with ws.write(actor, "setting.change", target=key, detail={"old": old, "new": value}) as conn:
        conn.execute(
            "INSERT INTO settings (key, value, changed_by, changed_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_by = excluded.changed_by, "
            "changed_at = excluded.changed_at, version = settings.version + 1",
            (key, json.dumps(value), actor.name, now),
        )
