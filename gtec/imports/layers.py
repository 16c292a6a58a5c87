"""Imported boundary layers in the workspace: commit one immutable version per import, list, read, compare, roll
back, delete. The read side is what the map, the portrait and the scenario territory choices call.

A layer's id is ``WS-LAYER-<n>``; each feature's territory id is ``WS-LAYER-<n>-<code>`` (the code as imported),
so they never clash with the reference store's ids (``FR-...``, ``BE-...``, ``UK-...``) nor with custom territories
(``WS-<n>``). Every write goes through :meth:`gtec.storage.workspace.Workspace.write` (permissions
``import.write``, ``import.rollback``, ``import.delete``, as indicator imports) in one transaction.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd
import shapely

from gtec.build import geometry
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.imports.boundaries import PreparedLayer
from gtec.storage.workspace import UniqueViolation, Workspace, name_key, now_iso

LAYER_PREFIX = "WS-LAYER-"
_LAYER_ID = re.compile(r"^WS-LAYER-(\d{1,12})$")
_FEATURE_ID = re.compile(r"^WS-LAYER-(\d{1,12})-(.+)$")


def layer_ref(number: int) -> str:
    """The app-wide id of layer row ``number``: ``WS-LAYER-<n>``."""
    return f"{LAYER_PREFIX}{int(number)}"


def feature_ref(layer: str, code: str) -> str:
    """The territory id of one feature of a layer: ``WS-LAYER-<n>-<code>``."""
    return f"{layer}-{code}"


def parse_feature_ref(territory_id: str) -> tuple[str, str] | None:
    """``(layer id, code)`` of a feature's territory id, else None."""
    m = _FEATURE_ID.match(territory_id or "")
    return (layer_ref(int(m.group(1))), m.group(2)) if m else None


def _row_id(layer: str) -> int:
    m = _LAYER_ID.match(layer or "")
    if not m:
        raise UserError("imports.error.no_layer", name=str(layer)[:80])
    return int(m.group(1))


def commit_layer(ws: Workspace, actor: auth.Actor, prepared: PreparedLayer, name: str) -> dict[str, Any]:
    """Write ``prepared`` as the next version of layer ``name`` (created on first import) and make it current.

    Refuses a report with blocking problems (``imports.error.not_valid``) before touching the file. Returns
    ``{"layer_id": "WS-LAYER-<n>", "version", "features"}``.
    """
    report = prepared.report
    if not report.ok:
        raise UserError("imports.error.not_valid")
    label = " ".join((name or "").split())[:120]
    if not label:
        raise UserError("imports.error.dataset_name")
    keep = [i for i, g in enumerate(prepared.geometries) if g is not None and not g.is_empty]
    if not keep:
        raise UserError("imports.error.boundary_empty")
    texts = geometry.to_geojson(prepared.geometries[keep])
    rows = [(prepared.codes[i], prepared.names[i], str(text)) for i, text in zip(keep, texts, strict=True)]
    box: list[float | None] = list(report.bounds) if report.bounds else [None, None, None, None]
    detail = {"layer": label, "sha256": report.sha256, "file": prepared.file_name, "features": len(rows)}
    with ws.write(actor, "import.write", target=label, detail=detail) as conn:
        row = conn.one("SELECT id FROM boundary_layers WHERE name_key = ?", (name_key(label),))
        if row is None:
            try:
                layer_id = conn.scalar(
                    "INSERT INTO boundary_layers(name, name_key, created_at, created_by) VALUES (?, ?, ?, ?)"
                    " RETURNING id",
                    (label, name_key(label), now_iso(), actor.name),
                )
            except UniqueViolation as exc:
                raise UserError("imports.error.dataset_name") from exc
        else:
            layer_id = row["id"]
        number = (
            int(conn.scalar("SELECT COALESCE(MAX(number), 0) FROM boundary_versions WHERE layer_id = ?", (layer_id,)))
            + 1
        )
        version_id = conn.scalar(
            "INSERT INTO boundary_versions(layer_id, number, file_name, sha256, bytes, features, vertices, source_crs,"
            " code_column, name_column, min_lon, min_lat, max_lon, max_lat, imported_by, imported_at, report)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                layer_id,
                number,
                prepared.file_name,
                report.sha256,
                prepared.size,
                len(rows),
                report.vertices_out,
                report.source_crs,
                report.code_column,
                report.name_column,
                *box,
                actor.name,
                now_iso(),
                json.dumps(report.as_dict(), ensure_ascii=False, default=str),
            ),
        )
        conn.executemany(
            f"INSERT INTO boundary_features(version_id, code, name, geometry) VALUES ({int(version_id)}, ?, ?, ?)",
            rows,
        )
        conn.execute(
            "UPDATE boundary_layers SET current_version = ?, version = version + 1 WHERE id = ?", (number, layer_id)
        )
    return {"layer_id": layer_ref(int(layer_id)), "version": number, "features": len(rows)}


def list_layers(ws: Workspace) -> list[dict[str, Any]]:
    """Every imported layer: ``id`` (``WS-LAYER-<n>``), ``name``, ``current_version``, ``versions``,
    ``features``, ``file_name``, ``sha256``, ``imported_at``, ``imported_by``, ``source_crs``, ``bounds``
    (``[min_lon, min_lat, max_lon, max_lat]``), ``created_at``, ``created_by``; by name."""
    with ws.read() as conn:
        rows = conn.all(
            "SELECT l.id, l.name, l.current_version, l.created_at, l.created_by,"
            " (SELECT COUNT(*) FROM boundary_versions x WHERE x.layer_id = l.id) AS versions,"
            " v.features, v.file_name, v.sha256, v.imported_at, v.imported_by, v.source_crs,"
            " v.min_lon, v.min_lat, v.max_lon, v.max_lat FROM boundary_layers l"
            " LEFT JOIN boundary_versions v ON v.layer_id = l.id AND v.number = l.current_version ORDER BY l.name_key"
        )
    out = []
    for r in rows:
        d = dict(r)
        d["bounds"] = [d.pop("min_lon"), d.pop("min_lat"), d.pop("max_lon"), d.pop("max_lat")]
        d["id"] = layer_ref(d["id"])
        out.append(d)
    return out


def layer_id(ws: Workspace, name: str) -> str:
    """The id of the layer called ``name`` (case-insensitive) or given by its id, else ``imports.error.no_layer``."""
    if _LAYER_ID.match(name or ""):
        with ws.read() as conn:
            found = conn.scalar("SELECT id FROM boundary_layers WHERE id = ?", (_row_id(name),))
    else:
        with ws.read() as conn:
            found = conn.scalar("SELECT id FROM boundary_layers WHERE name_key = ?", (name_key(name),))
    if found is None:
        raise UserError("imports.error.no_layer", name=(name or "")[:80])
    return layer_ref(int(found))


def layer_versions(ws: Workspace, layer: str) -> list[dict[str, Any]]:
    """Versions of ``layer``, newest first: ``number, file_name, sha256, bytes, features, vertices, source_crs,
    imported_by, imported_at, report`` (JSON text) and ``current``."""
    rid = _row_id(layer)
    with ws.read() as conn:
        current = conn.scalar("SELECT current_version FROM boundary_layers WHERE id = ?", (rid,))
        rows = conn.all(
            "SELECT number, file_name, sha256, bytes, features, vertices, source_crs, imported_by, imported_at, report"
            " FROM boundary_versions WHERE layer_id = ? ORDER BY number DESC",
            (rid,),
        )
    return [{**dict(r), "current": r["number"] == current} for r in rows]


def _feature_rows(ws: Workspace, layer: str, number: int | None) -> list[Any]:
    rid = _row_id(layer)
    with ws.read() as conn:
        if number is None:
            number = conn.scalar("SELECT current_version FROM boundary_layers WHERE id = ?", (rid,))
        if number is None:
            raise UserError("imports.error.no_layer", name=layer[:80])
        return conn.all(
            "SELECT f.code, f.name, f.geometry FROM boundary_features f JOIN boundary_versions v ON v.id = f.version_id"
            " WHERE v.layer_id = ? AND v.number = ? ORDER BY f.code",
            (rid, number),
        )


def layer_features(ws: Workspace, layer: str, number: int | None = None):
    """The features of a version of ``layer`` (default: current) as a GeoDataFrame in WGS84 (EPSG:4326):
    ``territory_id`` (``WS-LAYER-<n>-<code>``), ``code``, ``name`` (text from a file: escape it before showing),
    ``geometry``."""
    import geopandas as gpd

    rows = _feature_rows(ws, layer, number)
    geoms = shapely.from_geojson([r["geometry"] for r in rows]) if rows else []
    return gpd.GeoDataFrame(
        {
            "territory_id": [feature_ref(layer, r["code"]) for r in rows],
            "code": [r["code"] for r in rows],
            "name": [r["name"] for r in rows],
        },
        geometry=list(geoms),
        crs="EPSG:4326",
    )


def layer_geojson(ws: Workspace, layer: str, number: int | None = None) -> dict[str, Any]:
    """The features of ``layer`` as a GeoJSON FeatureCollection dict (properties ``territory_id``, ``code``,
    ``name``): what a folium layer takes directly (faster than a GeoDataFrame)."""
    rows = _feature_rows(ws, layer, number)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"territory_id": feature_ref(layer, r["code"]), "code": r["code"], "name": r["name"]},
                "geometry": json.loads(r["geometry"]),
            }
            for r in rows
        ],
    }


def layer_changes(ws: Workspace, layer: str, number: int | None = None) -> pd.DataFrame:
    """What version ``number`` (default: current) changed against the version before it: one row per code
    ``code, change`` (``added``, ``removed``, ``renamed``, ``geometry``), ``old_name``, ``new_name``."""
    rid = _row_id(layer)
    with ws.read() as conn:
        if number is None:
            number = conn.scalar("SELECT current_version FROM boundary_layers WHERE id = ?", (rid,))
    number = int(number or 0)
    new = {r["code"]: r for r in _feature_rows(ws, layer, number)}
    old = {r["code"]: r for r in _feature_rows(ws, layer, number - 1)} if number > 1 else {}
    out = []
    for code in sorted(set(new) | set(old)):
        a, b = old.get(code), new.get(code)
        if a is None or b is None:
            kind = "added" if a is None else "removed"
        elif a["name"] != b["name"]:
            kind = "renamed"
        elif a["geometry"] != b["geometry"]:
            kind = "geometry"
        else:
            continue
        out.append(
            {"code": code, "change": kind, "old_name": a["name"] if a else None, "new_name": b["name"] if b else None}
        )
    return pd.DataFrame(out, columns=["code", "change", "old_name", "new_name"])


def rollback_layer(ws: Workspace, actor: auth.Actor, layer: str, to: int | None = None) -> int:
    """Make version ``to`` (default: the one before the current) current again; versions are kept."""
    rid = _row_id(layer)
    with ws.read() as conn:
        row = conn.one("SELECT name, current_version FROM boundary_layers WHERE id = ?", (rid,))
        numbers = {r[0] for r in conn.all("SELECT number FROM boundary_versions WHERE layer_id = ?", (rid,))}
    if row is None:
        raise UserError("imports.error.no_layer", name=layer[:80])
    target = int(row["current_version"] or 0) - 1 if to is None else int(to)
    if target < 1:
        raise UserError("imports.error.no_previous")
    if target not in numbers:
        raise UserError("imports.error.no_version", version=target)
    with ws.write(actor, "import.rollback", target=row["name"], detail={"layer": layer, "to": target}) as conn:
        conn.execute(
            "UPDATE boundary_layers SET current_version = ?, version = version + 1 WHERE id = ?"
            " AND current_version = ?",
            (target, rid, row["current_version"]),
        )
    return target


def delete_layer(ws: Workspace, actor: auth.Actor, layer: str, confirm: str) -> None:
    """Delete a layer, its versions and features; ``confirm`` must repeat its name (``imports.error.confirm``)."""
    rid = _row_id(layer)
    with ws.read() as conn:
        name = conn.scalar("SELECT name FROM boundary_layers WHERE id = ?", (rid,))
    if name is None:
        raise UserError("imports.error.no_layer", name=layer[:80])
    if name_key(confirm or "") != name_key(name):
        raise UserError("imports.error.confirm", name=name)
    with ws.write(actor, "import.delete", target=name, detail={"layer": layer}) as conn:
        conn.execute(
            "DELETE FROM boundary_features WHERE version_id IN (SELECT id FROM boundary_versions WHERE layer_id = ?)",
            (rid,),
        )
        conn.execute("DELETE FROM boundary_versions WHERE layer_id = ?", (rid,))
        conn.execute("DELETE FROM boundary_layers WHERE id = ?", (rid,))
