"""Imported boundary layers as territories: a map level, portrait territories and scenario territory choices.

Each current layer ``WS-LAYER-<n>`` becomes a level of the same name whose territories are its features
(``WS-LAYER-<n>-<code>``). A zone behaves like a custom territory whose members are the communes inside it: a
commune belongs to the zone that holds a point of its surface (``point_on_surface``, always inside the commune).
Its values are the commune values aggregated with each indicator's catalogue rule
(:func:`gtec.territories.aggregation.aggregate_indicators`: sums, weighted means; a value only when every member
commune has one). Each value's source is derived from the weakest input source and names the imported
boundaries; its status is the weakest of the inputs and ``imported``.

:func:`show_layers` puts the rows in the reference connection's TEMP overlay (:func:`gtec.storage.overlay.
add_zones`), so the map, portrait and scenario readers see imported zones through their usual SQL.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pandas as pd
import shapely

from gtec.core.i18n import t
from gtec.core.provenance import weakest_status
from gtec.imports import layers
from gtec.storage import overlay
from gtec.storage.sql import placeholders
from gtec.storage.workspace import Workspace
from gtec.territories import aggregation

IMPORTED_STATUS = "imported"


def stamp(ws: Workspace) -> str:
    """Changes whenever a layer is imported, rolled back or deleted (part of the app's cache keys)."""
    with ws.read() as conn:
        row = conn.one(
            "SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m, COALESCE(SUM(version), 0) AS v FROM boundary_layers"
        )
    return f"L{row['n']}.{row['m']}.{row['v']}" if row else "L0"


def layer_source_id(layer_id: str, version: int) -> str:
    return f"ws-layer-{layer_id.removeprefix(layers.LAYER_PREFIX)}-v{int(version)}"


def assign_communes(ref: sqlite3.Connection, zones: Any) -> dict[str, list[str]]:
    """``{zone territory id: [commune ids]}``: each commune goes to the zone holding a point of its surface.

    Only communes of the départements the layer's extent touches are read (the store has no spatial index)."""
    if zones.empty:
        return {}
    x0, y0, x1, y1 = (float(v) for v in zones.total_bounds)
    box = shapely.box(x0, y0, x1, y1)
    deps = ref.execute(
        "SELECT t.id, g.geojson FROM territories t JOIN geometries g ON g.territory_id = t.id"
        " AND g.resolution = 'national' WHERE t.level = 'departement'"
    ).fetchall()
    dep_geoms = shapely.from_geojson([r[1] for r in deps]) if deps else []
    touched = [r[0] for r, g in zip(deps, dep_geoms, strict=True) if g is not None and g.intersects(box)]
    if not touched:
        return {}
    rows = ref.execute(
        "SELECT t.id, g.geojson FROM territories t JOIN geometries g ON g.territory_id = t.id"
        f" WHERE t.level = 'commune' AND g.resolution = 'detail' AND t.departement_id IN ({placeholders(touched)})",
        touched,
    ).fetchall()
    if not rows:
        return {}
    points = shapely.point_on_surface(shapely.from_geojson([r[1] for r in rows]))
    tree = shapely.STRtree(list(zones.geometry))
    pairs = tree.query(points, predicate="within")
    ids = list(zones["territory_id"])
    out: dict[str, list[str]] = {}
    for commune, zone in sorted(zip(pairs[0], pairs[1], strict=True)):
        out.setdefault(ids[zone], [])
        if not out[ids[zone]] or out[ids[zone]][-1] != rows[commune][0]:
            out[ids[zone]].append(rows[commune][0])
    return out


def zone_values(ref: sqlite3.Connection, members: dict[str, list[str]]) -> pd.DataFrame:
    """Aggregated values of the zones: ``territory_id, indicator_id, year, value, source_id, status`` (the input
    source with the weakest status, and that status)."""
    cols = ["territory_id", "indicator_id", "year", "value", "source_id", "status"]
    communes = sorted({c for m in members.values() for c in m})
    if not communes:
        return pd.DataFrame(columns=cols)
    cat = aggregation.read_catalogue(ref)
    df = pd.read_sql_query(
        "SELECT v.territory_id, v.indicator_id, v.year, v.value, v.source_id, s.status FROM indicator_values v"
        f" JOIN sources s ON s.id = v.source_id WHERE v.territory_id IN ({placeholders(communes)})",
        ref,
        params=communes,
    )
    if df.empty:
        return pd.DataFrame(columns=cols)
    agg = aggregation.aggregate_indicators(df, members, cat)
    agg = agg.loc[agg["value"].notna()]
    if agg.empty:
        return pd.DataFrame(columns=cols)
    mem = aggregation.members_frame(members)
    known = df.dropna(subset=["value"]).merge(mem, left_on="territory_id", right_on="child_id")
    known["rank"] = known["status"].map(lambda s: ("official", "estimate", IMPORTED_STATUS).index(s) if s in
                                        ("official", "estimate", IMPORTED_STATUS) else 3)  # fmt: skip
    known = known.sort_values("rank").drop_duplicates(["parent_id", "indicator_id", "year"], keep="last")
    weakest = known.set_index(["parent_id", "indicator_id", "year"])[["source_id", "status", "rank"]]
    # a weighted mean also rests on its weight: the weaker of the two inputs names the source
    agg["weight"] = agg["indicator_id"].map(lambda i: cat.get(i, {}).get("weight_indicator") if
                                            cat.get(i, {}).get("aggregation") == "weighted_mean" else None)  # fmt: skip
    own = weakest.reindex(list(zip(agg["territory_id"], agg["indicator_id"], agg["year"], strict=True)))
    wgt = weakest.reindex(list(zip(agg["territory_id"], agg["weight"], agg["year"], strict=True)))
    use_w = wgt["rank"].fillna(-1).to_numpy() > own["rank"].fillna(-1).to_numpy()
    agg["source_id"] = [w if u else o for o, w, u in zip(own["source_id"], wgt["source_id"], use_w, strict=True)]
    agg["status"] = [w if u else o for o, w, u in zip(own["status"], wgt["status"], use_w, strict=True)]
    return agg.loc[:, cols].reset_index(drop=True)


def layer_rows(ws: Workspace, ref: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Overlay rows of every current layer: ``territories``, ``memberships``, ``geometries``, ``sources``,
    ``values`` (column orders of :mod:`gtec.storage.overlay`)."""
    out: dict[str, list[tuple]] = {k: [] for k in ("territories", "memberships", "geometries", "sources", "values")}
    srcs = {r[0]: r for r in ref.execute(f"SELECT {', '.join(overlay.SOURCE_COLUMNS)} FROM sources").fetchall()}
    for layer in layers.list_layers(ws):
        if not layer.get("current_version"):
            continue
        feats = layers.layer_features(ws, layer["id"])
        if feats.empty:
            continue
        lsid = layer_source_id(layer["id"], layer["current_version"])
        date = str(layer.get("imported_at") or "")[:10]
        about = {"file": layer.get("file_name") or "", "version": layer["current_version"],
                 "who": layer.get("imported_by") or "", "date": date}  # fmt: skip
        note = {"fr": t("map.imported.note", "fr", **about), "en": t("map.imported.note", "en", **about)}
        out["sources"].append(
            (lsid, layer["name"], layer["name"], layer.get("imported_by") or "", "", "", date, IMPORTED_STATUS,
             note["fr"], note["en"])
        )  # fmt: skip
        for tid, code, name, geom in zip(feats["territory_id"], feats["code"], feats["name"], feats.geometry,
                                         strict=True):  # fmt: skip
            out["territories"].append((tid, code, name, layer["id"], "FR", "FR", None, None, None, None, None, None))
            text = str(shapely.to_geojson(geom))
            out["geometries"].extend([(tid, "national", text, lsid), (tid, "detail", text, lsid)])
        members = assign_communes(ref, feats)
        out["memberships"].extend((zone, c) for zone, cs in members.items() for c in cs)
        vals = zone_values(ref, members)
        made: set[str] = set()
        for r in vals.itertuples(index=False):
            sid = f"{lsid}:{r.source_id}"
            if sid not in made and r.source_id in srcs:
                made.add(sid)
                s = dict(zip(overlay.SOURCE_COLUMNS, srcs[r.source_id], strict=True))
                out["sources"].append(
                    (sid, t("map.imported.source", "fr", source=s["title_fr"], layer=layer["name"]),
                     t("map.imported.source", "en", source=s["title_en"], layer=layer["name"]), s["publisher"],
                     s["url"], s["licence"], s["vintage"], weakest_status([s["status"], IMPORTED_STATUS]),
                     note["fr"], note["en"])
                )  # fmt: skip
            if sid in made:
                out["values"].append((r.territory_id, r.indicator_id, int(r.year), float(r.value), sid, None, None))
    return out


def show_layers(ws: Workspace, ref: sqlite3.Connection) -> int:
    """Add the current imported layers to ``ref``'s overlay (after :func:`gtec.storage.overlay.apply_overlay`:
    commune values imported from files are aggregated too). Returns the number of zones shown."""
    rows = layer_rows(ws, ref)
    if not rows["territories"]:
        return 0
    overlay.add_zones(ref, rows["territories"], rows["memberships"], rows["geometries"], rows["sources"],
                      rows["values"])  # fmt: skip
    return len(rows["territories"])


def level_names(ws: Workspace) -> dict[str, str]:
    """``{level id: layer name}`` of the current imported layers (names are text from a file: escape them)."""
    return {r["id"]: r["name"] for r in layers.list_layers(ws) if r.get("current_version")}
