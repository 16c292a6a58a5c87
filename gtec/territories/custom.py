"""Custom territories: a named set of EPCIs or communes, saved in the workspace (id ``WS-<n>``).

Members are reference-store ids (``FR-EPCI-...`` or ``FR-COM-...``). Nothing derived is stored: the
outline (union of the members' ``detail`` geometries) and the indicator values (aggregated with the
catalogue's rule: sums for counts, weighted means for rates) are computed from the reference store, so a
rebuild of the reference store never makes a saved territory stale.

Writes go through :meth:`Workspace.write` with the actions ``custom_territory.save`` and
``custom_territory.delete`` (permission check + audit row in the same transaction). Names are unique without
regard to case or spacing (``name_key``); a save over a territory someone else changed meanwhile is refused
(``version``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
import shapely

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.provenance import STATUS_RANK as STATUS_ORDER  # the one status ranking
from gtec.storage.reference import ReferenceConnection
from gtec.storage.sql import placeholders
from gtec.storage.workspace import UniqueViolation, Workspace, name_key, now_iso
from gtec.territories import aggregation

ID_PREFIX = "WS-"
MEMBER_LEVELS: tuple[str, ...] = ("epci", "commune")
MAX_NAME = 80
MAX_MEMBERS = 2000


@dataclass(frozen=True)
class CustomTerritory:
    id: str  # "WS-<n>"
    name: str
    description: str
    member_level: str
    members: tuple[str, ...]
    created_at: str
    created_by: str
    updated_at: str
    version: int = 1


def is_custom_id(territory_id: object) -> bool:
    """True for ``WS-<digits>``."""
    return isinstance(territory_id, str) and territory_id.startswith(ID_PREFIX) and territory_id[3:].isdigit()


def _row_id(territory_id: str) -> int:
    if not is_custom_id(territory_id):
        raise UserError("custom.error.not_found")
    return int(territory_id[len(ID_PREFIX) :])


def clean_name(name: object) -> str:
    """The name with surrounding and repeated whitespace removed and control characters dropped."""
    text = "".join(ch for ch in str(name or "") if ch.isprintable())
    return " ".join(text.split())


def validate(
    ref: ReferenceConnection,
    name: str,
    member_ids: Sequence[str],
    existing_names: Iterable[str] = (),
) -> tuple[str, str, list[str]]:
    """Check a proposed territory against the reference store. Returns ``(clean name, level, members)``.

    Raises :class:`UserError` for an empty/long/duplicate name, no members, too many members,
    an unknown member or members of mixed levels. Members are de-duplicated and sorted.
    """
    cleaned = clean_name(name)
    if not cleaned:
        raise UserError("custom.error.name_empty")
    if len(cleaned) > MAX_NAME:
        raise UserError("custom.error.name_long")
    if name_key(cleaned) in {name_key(n) for n in existing_names}:
        raise UserError("custom.error.name_taken")
    members = sorted({str(m) for m in member_ids})
    if not members:
        raise UserError("custom.error.no_members")
    if len(members) > MAX_MEMBERS:
        raise UserError("custom.error.too_many")
    found = dict(
        ref.execute(f"SELECT id, level FROM territories WHERE id IN ({placeholders(members)})", members).fetchall()
    )
    for m in members:
        if m not in found or found[m] not in MEMBER_LEVELS:
            raise UserError("custom.error.unknown_member", member=m)
    levels = set(found.values())
    if len(levels) != 1:
        raise UserError("custom.error.mixed_levels")
    return cleaned, levels.pop(), members


def list_custom(ws: Workspace) -> list[CustomTerritory]:
    """Every saved custom territory, sorted by name (without regard to case)."""
    with ws.read() as conn:
        rows = conn.all(
            "SELECT id, name, description, member_level, created_at, created_by, updated_at, version"
            " FROM custom_territories ORDER BY name_key"
        )
        members: dict[int, list[str]] = {}
        for tid, mid in conn.all("SELECT territory_id, member_id FROM custom_territory_members ORDER BY member_id"):
            members.setdefault(tid, []).append(mid)
    return [
        CustomTerritory(
            f"{ID_PREFIX}{r['id']}",
            r["name"],
            r["description"],
            r["member_level"],
            tuple(members.get(r["id"], [])),
            r["created_at"],
            r["created_by"],
            r["updated_at"],
            int(r["version"]),
        )
        for r in rows
    ]


def get(ws: Workspace, territory_id: str) -> CustomTerritory | None:
    """One custom territory, or None when the id is unknown or malformed."""
    if not is_custom_id(territory_id):
        return None
    return next((c for c in list_custom(ws) if c.id == territory_id), None)


def save(
    ws: Workspace,
    actor: auth.Actor,
    ref: ReferenceConnection,
    name: str,
    member_ids: Sequence[str],
    description: str = "",
    territory_id: str | None = None,
    version: int | None = None,
) -> str:
    """Create (or, with ``territory_id``, replace) a custom territory. Returns its id ``WS-<n>``.

    Replacing needs the ``version`` the editor started from: if someone saved it meanwhile, the save is
    refused (``custom.error.conflict``) and nothing is lost. Raises :class:`gtec.core.auth.PermissionDenied`
    when ``actor`` may not ``custom_territory.save`` (nothing is written) and :class:`UserError` for invalid
    input, including a name already taken without regard to case (also when two saves race).
    """
    auth.require(actor, "custom_territory.save")
    others = [c.name for c in list_custom(ws) if c.id != territory_id]
    cleaned, level, members = validate(ref, name, member_ids, others)
    desc = clean_name(description)[:500]
    now = now_iso()
    detail = {"members": len(members), "level": level}
    try:
        with ws.write(actor, "custom_territory.save", target=cleaned, detail=detail) as conn:
            if territory_id is not None:
                row_id = _row_id(territory_id)
                current = conn.scalar("SELECT version FROM custom_territories WHERE id = ?", (row_id,))
                if current is None:
                    raise UserError("custom.error.not_found")
                if version is not None and int(current) != int(version):
                    raise UserError("custom.error.conflict", name=cleaned)
                conn.execute(
                    "UPDATE custom_territories SET name = ?, name_key = ?, description = ?, member_level = ?,"
                    " updated_at = ?, version = version + 1 WHERE id = ?",
                    (cleaned, name_key(cleaned), desc, level, now, row_id),
                )
                conn.execute("DELETE FROM custom_territory_members WHERE territory_id = ?", (row_id,))
            else:
                row_id = int(
                    conn.scalar(
                        "INSERT INTO custom_territories(name, name_key, description, member_level, created_at,"
                        " created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        (cleaned, name_key(cleaned), desc, level, now, actor.name, now),
                    )
                )
            conn.executemany(
                "INSERT INTO custom_territory_members(territory_id, member_id) VALUES (?, ?)",
                [(row_id, m) for m in members],
            )
    except UniqueViolation as exc:
        raise UserError("custom.error.name_taken") from exc
    return f"{ID_PREFIX}{row_id}"


def delete(ws: Workspace, actor: auth.Actor, territory_id: str) -> None:
    """Delete a custom territory (and its member list). Raises when unknown or not allowed."""
    auth.require(actor, "custom_territory.delete")
    row_id = _row_id(territory_id)
    with ws.write(actor, "custom_territory.delete", target=territory_id) as conn:
        cur = conn.execute("DELETE FROM custom_territories WHERE id = ?", (row_id,))
        if cur.rowcount == 0:
            raise UserError("custom.error.not_found")


def list_for_choices(ws: Workspace) -> pd.DataFrame:
    """Saved custom territories shaped like :func:`gtec.territories.indicators.list_territories` rows.

    Columns: id, code, name, level (``custom``), country (``FR``), parent_id (None), population (None).
    Pages append these rows to their territory choices.
    """
    rows = [
        {
            "id": c.id,
            "code": c.id,
            "name": c.name,
            "level": "custom",
            "country": "FR",
            "parent_id": None,
            "population": None,
        }
        for c in list_custom(ws)
    ]
    return pd.DataFrame(rows, columns=["id", "code", "name", "level", "country", "parent_id", "population"])


# ----------------------------------------------------------------------------------------------------------
# Derived from the reference store: outline and aggregated values
# ----------------------------------------------------------------------------------------------------------


def outline(ref: ReferenceConnection, member_ids: Sequence[str], resolution: str = "detail") -> dict | None:
    """The GeoJSON geometry of the union of the members' geometries (None when none has a geometry).

    Shared borders come from one simplified coverage, so the union has no slivers; coordinates are
    rounded to 1e-4 degree.
    """
    members = list(member_ids)
    if not members:
        return None
    rows = ref.execute(
        f"SELECT territory_id, geojson, resolution FROM geometries WHERE territory_id IN ({placeholders(members)})",
        members,
    ).fetchall()
    best: dict[str, str] = {}
    for tid, gj, res in rows:
        if tid not in best or res == resolution:
            best[tid] = gj
    if not best:
        return None
    geoms = shapely.from_geojson([gj for gj in best.values()])
    union = shapely.union_all(shapely.make_valid(geoms))
    union = shapely.set_precision(union, 1e-4)
    return json.loads(shapely.to_geojson(union))


def aggregate_values(
    ref: ReferenceConnection,
    member_ids: Sequence[str],
    indicator_ids: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Indicator values of the union of ``member_ids``, following each indicator's catalogue rule.

    Uses :func:`gtec.territories.aggregation.aggregate_indicators` (the same rule as the built basins): ``sum`` for
    counts, ``weighted_mean`` by the catalogue's ``weight_indicator`` for rates, ``none`` left out.
    A value is computed only when *every* member has it (and its weight): a partial sum would be presented
    as a total, so it stays missing (``value`` NaN) and ``n_with_value`` tells the coverage.

    Columns: indicator_id, year, value, n_members, n_with_value, status (the weakest status among the
    member values used), source_ids (comma-separated), aggregation.
    """
    cols = ["indicator_id", "year", "value", "n_members", "n_with_value", "status", "source_ids", "aggregation"]
    members = sorted(set(member_ids))
    if not members:
        return pd.DataFrame(columns=cols)
    cat = pd.read_sql_query("SELECT * FROM indicators", ref)
    by_id = cat.set_index("id")
    wanted = [i for i in (indicator_ids or list(by_id.index)) if i in by_id.index]
    weights = {by_id.loc[i, "weight_indicator"] for i in wanted if by_id.loc[i, "aggregation"] == "weighted_mean"}
    fetch = sorted(set(wanted) | {w for w in weights if isinstance(w, str) and w in by_id.index})
    if not fetch:
        return pd.DataFrame(columns=cols)
    sql = (
        "SELECT v.territory_id, v.indicator_id, v.year, v.value, v.source_id, s.status"
        " FROM indicator_values v JOIN sources s ON s.id = v.source_id"
        f" WHERE v.territory_id IN ({placeholders(members)}) AND v.indicator_id IN ({placeholders(fetch)})"
    )
    params: list[object] = [*members, *fetch]
    if years:
        sql += f" AND v.year IN ({placeholders(list(years))})"
        params.extend(int(y) for y in years)
    df = pd.read_sql_query(sql, ref, params=params)
    if df.empty:
        return pd.DataFrame(columns=cols)
    agg = aggregation.aggregate_indicators(df, {"custom": members}, cat)
    agg = agg[agg["indicator_id"].isin(wanted)]
    rows = []
    known = df.dropna(subset=["value"])
    for r in agg.itertuples(index=False):
        used_ids = [r.indicator_id]
        if by_id.loc[r.indicator_id, "aggregation"] == "weighted_mean":
            used_ids.append(by_id.loc[r.indicator_id, "weight_indicator"])
        used = known[known["indicator_id"].isin(used_ids) & (known["year"] == r.year)]
        statuses = list(used["status"]) or ["illustrative"]
        rows.append(
            {
                "indicator_id": r.indicator_id,
                "year": int(r.year),
                "value": float(r.value) if pd.notna(r.value) else float("nan"),
                "n_members": len(members),
                "n_with_value": int(r.n_values),
                "status": max(statuses, key=lambda s: STATUS_ORDER.get(s, 3)),
                "source_ids": ",".join(sorted(set(used["source_id"]))),
                "aggregation": str(by_id.loc[r.indicator_id, "aggregation"]),
            }
        )
    return pd.DataFrame(rows, columns=cols).sort_values(["indicator_id", "year"]).reset_index(drop=True)
