"""Saved foresight scenarios in the workspace: save, list, reload, compare, delete.

Every write goes through :meth:`Workspace.write` (permission + audit). Names are unique without regard to case
(``name_key``); overwriting a scenario someone else saved meanwhile is refused (``version``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.fmt import parse_number
from gtec.scenarios.params import MAX_NAME_LENGTH, PARAM_BY_NAME, PARAMETERS, Settings
from gtec.storage.workspace import UniqueViolation, Workspace, name_key, now_iso

# ---------------------------------------------------------------------------------------------------------------
# Saved scenarios (workspace; every write through Workspace.write)
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedScenario:
    id: int
    name: str
    territory_id: str
    settings: Settings
    preset: str
    created_by: str
    created_at: str
    updated_at: str
    version: int = 1


def validate_name(raw: object) -> str:
    """A scenario name: trimmed, 1..80 printable characters. Raises :class:`UserError`."""
    name = " ".join(str(raw or "").split())
    if not name:
        raise UserError("scenario.error.name_empty")
    if len(name) > MAX_NAME_LENGTH or any(not ch.isprintable() for ch in name):
        raise UserError("scenario.error.name_invalid", max=MAX_NAME_LENGTH)
    return name


def save_scenario(
    ws: Workspace,
    actor: auth.Actor,
    name: str,
    territory_id: str,
    settings: Settings,
    preset: str = "",
    *,
    overwrite: bool = False,
    version: int | None = None,
) -> int:
    """Save (or, with ``overwrite``, replace) a named scenario. Returns its id.

    Names compare without regard to case or spacing. Replacing with ``version`` (the version the user
    loaded) is refused if someone saved that scenario meanwhile (``scenario.error.conflict``). Raises
    :class:`gtec.core.auth.PermissionDenied` for a reader, :class:`UserError` (``scenario.error.name_taken``)
    when the name exists and ``overwrite`` is false, also when two saves of a new name race.
    """
    name = validate_name(name)
    key = name_key(name)
    values = ";".join(f"{p.name}={v:g}" for p, v in zip(PARAMETERS, settings.values, strict=True))
    now = now_iso()
    try:
        with ws.write(actor, "scenario.save", target=name, detail={"territory": territory_id}) as conn:
            row = conn.one("SELECT id, name, version FROM scenarios WHERE name_key = ?", (key,))
            if row and not overwrite:
                raise UserError("scenario.error.name_taken", name=row["name"])
            if row:
                if version is not None and int(row["version"]) != int(version):
                    raise UserError("scenario.error.conflict", name=row["name"])
                conn.execute(
                    "UPDATE scenarios SET name = ?, territory_id = ?, horizon = ?, params = ?, preset = ?,"
                    " updated_at = ?, created_by = ?, version = version + 1 WHERE id = ?",
                    (name, territory_id, settings.horizon, values, preset, now, actor.name, row["id"]),
                )
                return int(row["id"])
            return int(
                conn.scalar(
                    "INSERT INTO scenarios(name, name_key, territory_id, horizon, params, preset, created_by,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (name, key, territory_id, settings.horizon, values, preset, actor.name, now, now),
                )
            )
    except UniqueViolation as exc:
        raise UserError("scenario.error.name_taken", name=name) from exc


def _decode_params(text: str, horizon: int) -> Settings:
    values: dict[str, object] = {}
    for part in text.split(";"):
        if "=" in part:
            key, _, raw = part.partition("=")
            if key in PARAM_BY_NAME:  # a parameter removed since the save is ignored; new ones take defaults
                values[key] = raw
    settings = Settings.default(horizon)
    changes: dict[str, float] = {k: parse_number(v) for k, v in values.items()}
    return settings.replace(None, **changes)


def list_scenarios(ws: Workspace) -> list[SavedScenario]:
    """Saved scenarios, most recently updated first."""
    with ws.read() as conn:
        rows = conn.all(
            "SELECT id, name, territory_id, horizon, params, preset, created_by, created_at, updated_at, version"
            " FROM scenarios ORDER BY updated_at DESC, id DESC"
        )
    out = []
    for r in rows:
        try:
            settings = _decode_params(r["params"], int(r["horizon"]))
        except (UserError, ValueError):
            continue  # a row edited by hand to an invalid value is skipped rather than breaking the page
        out.append(
            SavedScenario(
                int(r["id"]),
                r["name"],
                r["territory_id"],
                settings,
                r["preset"],
                r["created_by"],
                r["created_at"],
                r["updated_at"],
                int(r["version"]),
            )
        )
    return out


def get_scenario(ws: Workspace, scenario_id: int) -> SavedScenario | None:
    """One saved scenario by id, or None."""
    return next((s for s in list_scenarios(ws) if s.id == scenario_id), None)


def delete_scenario(ws: Workspace, actor: auth.Actor, scenario_id: int) -> bool:
    """Delete a saved scenario. Returns False when it did not exist. Raises PermissionDenied for a reader."""
    with ws.write(actor, "scenario.delete", target=str(scenario_id)) as conn:
        cur = conn.execute("DELETE FROM scenarios WHERE id = ?", (scenario_id,))
        return cur.rowcount > 0


def compare_settings(a: Settings, b: Settings) -> pd.DataFrame:
    """Parameters (and horizon) whose values differ between two settings: parameter, a, b."""
    rows = [{"parameter": "horizon", "a": float(a.horizon), "b": float(b.horizon)}] if a.horizon != b.horizon else []
    rows += [
        {"parameter": p.name, "a": va, "b": vb}
        for p, va, vb in zip(PARAMETERS, a.values, b.values, strict=True)
        if va != vb
    ]
    return pd.DataFrame(rows, columns=["parameter", "a", "b"])
