"""The dataset catalogue and the imported figures as the app reads them; the import operations as users may run them.

- :func:`reference_datasets` / :func:`imported_datasets`: every dataset and layer with title, producer, licence,
  vintage, status (official / estimate / illustrative / imported), row count and coverage (levels, years,
  territories); :func:`dataset_table` is what a download of one of them holds (values plus their metadata).
- :func:`overlay_rows`: the current version of every imported dataset as indicators, sources and values
  (:mod:`gtec.storage.overlay` shows them through the reference connection, so the map, the portrait and custom
  territories read imported indicators at every level their aggregation rule allows). :func:`import_stamp`
  changes whenever an import, a rollback or a deletion changes what is current: caches keyed by it refresh.
- :func:`import_file`, :func:`rollback`, :func:`delete`: :mod:`gtec.imports.store` behind one server-side rule:
  admins import, facilitators only while the admin setting ``imports.facilitators_allowed`` is on.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pandas as pd

from gtec.access import settings
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.imports import layers, store
from gtec.imports.boundaries import PreparedLayer
from gtec.imports.prepare import Prepared
from gtec.imports.service import Context, import_prepared
from gtec.storage.overlay import imported_id
from gtec.storage.reference import ReferenceConnection
from gtec.storage.workspace import Workspace

IMPORTED_STATUS = "imported"
_KIND = {"sum": "count", "weighted_mean": "rate", "none": "amount"}
_YEAR = re.compile(r"^((?:19|20)\d{2})")
META_COLUMNS = ("source", "producer", "licence", "vintage", "status")


# -- who may import (checked in every write below, whatever the page shows)


def may_import(ws: Workspace, actor: auth.Actor) -> bool:
    """Admins; facilitators while an admin allows it (setting ``imports.facilitators_allowed``)."""
    if actor.role == "admin":
        return auth.can(actor, "import.write")
    if actor.role == "facilitator" and auth.can(actor, "import.write"):
        return bool(settings.get_value(ws, "imports.facilitators_allowed"))
    return False


def _require(ws: Workspace, actor: auth.Actor) -> None:
    if not may_import(ws, actor):
        raise UserError("datasets.error.not_allowed")


def import_file(ws: Workspace, actor: auth.Actor, ctx: Context, prepared: Prepared, dataset: str) -> dict[str, Any]:
    """Commit a validated file as the next version of ``dataset`` (see :func:`gtec.imports.service.import_prepared`)."""
    _require(ws, actor)
    return import_prepared(ws, actor, ctx, prepared, dataset)


def rollback(ws: Workspace, actor: auth.Actor, dataset: int) -> int:
    """Make the previous version current again (:func:`gtec.imports.store.rollback`)."""
    _require(ws, actor)
    return store.rollback(ws, actor, dataset)


def delete(ws: Workspace, actor: auth.Actor, dataset: int, confirm: str) -> None:
    """Delete a dataset when ``confirm`` repeats its name (:func:`gtec.imports.store.delete`)."""
    _require(ws, actor)
    store.delete(ws, actor, dataset, confirm)


def import_layer(ws: Workspace, actor: auth.Actor, prepared: PreparedLayer, name: str) -> dict[str, Any]:
    """Commit a checked boundary layer as the next version of layer ``name`` (see
    :func:`gtec.imports.layers.commit_layer`)."""
    _require(ws, actor)
    return layers.commit_layer(ws, actor, prepared, name)


def rollback_layer(ws: Workspace, actor: auth.Actor, layer: str) -> int:
    """Make the previous version of a boundary layer current again."""
    _require(ws, actor)
    return layers.rollback_layer(ws, actor, layer)


def delete_layer(ws: Workspace, actor: auth.Actor, layer: str, confirm: str) -> None:
    """Delete a boundary layer when ``confirm`` repeats its name."""
    _require(ws, actor)
    layers.delete_layer(ws, actor, layer, confirm)


# -- imported figures as the app reads them


def import_stamp(ws: Workspace) -> str:
    """Changes whenever what is current changes (an import, a rollback, a deletion of a dataset or a layer): part
    of the cache keys. Every such change writes an ``import.*`` audit row, whose id only grows; the workspace's
    address keeps two workspaces (a restored backup, the tests' fresh workspaces) from sharing cached figures."""
    with ws.read() as conn:
        row = conn.one(
            "SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m, COALESCE(SUM(version), 0) AS v FROM import_datasets"
        )
        last = conn.scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log WHERE action LIKE 'import.%'")
    counts = f"{row['n']}.{row['m']}.{row['v']}" if row else "0"
    where = hashlib.sha256(str(ws.path).encode()).hexdigest()[:12]
    return f"{where}.{last}.{counts}"


def indicator_id(dataset_id: int, indicator: str, profile: str) -> str:
    """The id an imported indicator has in the app: the reference id for profile imports (next year's official
    file continues the official series), ``imp<dataset>_<indicator>`` for any other file."""
    return indicator if profile else imported_id(dataset_id, indicator)


def source_id(dataset_id: int, number: int) -> str:
    return f"ws-import-{int(dataset_id)}-v{int(number)}"


def _current(ws: Workspace) -> list[dict[str, Any]]:
    with ws.read() as conn:
        rows = conn.all(
            "SELECT d.id, d.name, d.profile, d.level, d.producer, d.licence, v.id AS version_id, v.number, v.file_name,"
            " v.imported_by, v.imported_at, v.rules, v.sha256 FROM import_datasets d JOIN import_versions v"
            " ON v.dataset_id = d.id AND v.number = d.current_version ORDER BY d.id"
        )
    return [dict(r) for r in rows]


def _note(row: dict[str, Any], lang: str) -> str:
    return t(
        "datasets.source_note",
        lang,
        file=row["file_name"],
        version=row["number"],
        who=row["imported_by"],
        when=str(row["imported_at"])[:10],
        sha=str(row["sha256"])[:12],
    )


def overlay_rows(ws: Workspace) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """``(indicators, sources, values)`` of the current versions, in :mod:`gtec.storage.overlay`'s column orders.

    A value's year is its period's year; when a file holds several periods of one year (quarters), the latest
    one is shown for that year and named in ``period``. Secret and missing values stay missing (NULL).
    """
    indicators: list[tuple] = []
    sources: list[tuple] = []
    values: list[tuple] = []
    for row in _current(ws):
        frame = store.values(ws, row["id"], row["number"])
        if frame.empty:
            continue
        rules = json.loads(row["rules"] or "{}")
        sid = source_id(row["id"], row["number"])
        periods = sorted(frame["period"].astype(str).unique())
        vintage = periods[-1] if len(periods) == 1 else f"{periods[0]} – {periods[-1]}"
        sources.append(
            (
                sid, row["name"], row["name"], row["producer"] or row["imported_by"], "", row["licence"], vintage,
                IMPORTED_STATUS, _note(row, "fr"), _note(row, "en"),
            )
        )  # fmt: skip
        names = sorted(frame["indicator"].astype(str).unique())
        for ind in names:
            rule = rules.get(ind) or {}
            how = str(rule.get("aggregation") or "none")
            label = row["name"] if len(names) == 1 else f"{row['name']} – {ind}"
            # marked in the label: an imported series is never mistaken for a reference one of the same name
            label_fr = t("datasets.imported_label", "fr", name=label)
            label_en = t("datasets.imported_label", "en", name=label)
            indicators.append(
                (
                    indicator_id(row["id"], ind, row["profile"]), label_fr, label_en, "", "", _note(row, "fr"),
                    _note(row, "en"), _KIND.get(how, "amount"), how, rule.get("weight") or None, None, None, "neutral",
                )
            )  # fmt: skip
        frame = frame.assign(year=frame["period"].astype(str).str.extract(_YEAR, expand=False))
        frame = frame.dropna(subset=["year"]).sort_values("period")
        frame = frame.drop_duplicates(["territory_id", "indicator", "year"], keep="last")
        ids = {ind: indicator_id(row["id"], ind, row["profile"]) for ind in names}
        shown = frame["value"].astype(float).where(~frame["secret"].astype(bool))
        periods_text = frame["period"].astype(str)
        values += list(
            zip(
                frame["territory_id"].astype(str),
                frame["indicator"].astype(str).map(ids),
                frame["year"].astype(int),
                [None if v != v else float(v) for v in shown],  # NaN (missing or secret) -> NULL
                [sid] * len(frame),
                [None if p == y else p for p, y in zip(periods_text, frame["year"].astype(str), strict=True)],
                [None] * len(frame),
                strict=True,
            )
        )
    return indicators, sources, values


# -- the catalogue page


def reference_datasets(conn: ReferenceConnection) -> pd.DataFrame:
    """Every source of the reference store: its values (rows, levels, years, territories) and its layers
    (geometries by level). Columns: ``id, kind (values / layer / document), title_fr, title_en, publisher,
    licence, vintage, status, rows, levels, years, territories``."""
    cols = "s.id, s.title_fr, s.title_en, s.publisher, s.licence, s.vintage, s.status"
    values = conn.execute(
        f"SELECT {cols}, COUNT(*), GROUP_CONCAT(DISTINCT t.level), MIN(v.year), MAX(v.year),"
        " COUNT(DISTINCT v.territory_id) FROM main.indicator_values v JOIN main.sources s ON s.id = v.source_id"
        " JOIN territories t ON t.id = v.territory_id GROUP BY s.id"
    ).fetchall()
    layers = conn.execute(
        f"SELECT {cols}, COUNT(*), GROUP_CONCAT(DISTINCT t.level), NULL, NULL, COUNT(DISTINCT g.territory_id)"
        " FROM geometries g JOIN main.sources s ON s.id = g.source_id JOIN territories t ON t.id = g.territory_id"
        " WHERE g.resolution = 'national' GROUP BY s.id"
    ).fetchall()
    used = {r[0] for r in values} | {r[0] for r in layers}
    docs = [
        (*r, 0, "", None, None, 0)
        for r in conn.execute(f"SELECT {cols} FROM main.sources s ORDER BY s.id").fetchall()
        if r[0] not in used
    ]
    names = [
        "id",
        "title_fr",
        "title_en",
        "publisher",
        "licence",
        "vintage",
        "status",
        "rows",
        "levels",
        "first",
        "last",
    ]
    frames = []
    for kind, rows in (("values", values), ("layer", layers), ("document", docs)):
        df = pd.DataFrame([tuple(r) for r in rows], columns=[*names, "territories"])
        frames.append(df.assign(kind=kind))
    out = pd.concat(frames, ignore_index=True)
    out["years"] = [_years(a, b) for a, b in zip(out["first"], out["last"], strict=True)]
    return out.drop(columns=["first", "last"])


def _years(first: Any, last: Any) -> str:
    if first is None or pd.isna(first):
        return ""
    return str(int(first)) if first == last else f"{int(first)}–{int(last)}"


def imported_datasets(ws: Workspace) -> list[dict[str, Any]]:
    """Imported datasets with their current version's coverage and every version (newest first)."""
    out = []
    for row in store.datasets(ws):
        periods = sorted(filter(None, (row.get("periods") or "").split(",")))
        out.append(
            {
                **row,
                "status": IMPORTED_STATUS,
                "years": periods[0] if len(periods) == 1 else (f"{periods[0]}–{periods[-1]}" if periods else ""),
                "history": store.versions(ws, row["id"]),
            }
        )
    return out


def imported_layers(ws: Workspace) -> list[dict[str, Any]]:
    """Imported boundary layers with their versions (newest first)."""
    return [
        {**row, "status": IMPORTED_STATUS, "history": layers.layer_versions(ws, row["id"])}
        for row in layers.list_layers(ws)
    ]


def layer_table(ws: Workspace, layer: str) -> pd.DataFrame:
    """The features of a layer's current version (territory id, code, name, area in km²) with its metadata."""
    row = next((r for r in layers.list_layers(ws) if r["id"] == layer), None)
    if row is None:
        raise UserError("datasets.error.unknown", name=str(layer)[:80])
    features = layers.layer_features(ws, layer)
    area = features.to_crs(2154).area / 1e6 if len(features) else []
    frame = pd.DataFrame(
        {"territory_id": features["territory_id"], "code": features["code"], "name": features["name"], "area_km2": area}
    )
    meta = (
        f"{row['name']} ({row['file_name']} v{row['current_version']})",
        row["imported_by"],
        "",
        str(row["imported_at"])[:10],
        IMPORTED_STATUS,
    )
    return frame.assign(**dict(zip(META_COLUMNS, meta, strict=True)))


def dataset_table(conn: ReferenceConnection, source: str) -> pd.DataFrame:
    """The values (or the layer's territories) of a reference source with its metadata on every row."""
    meta = conn.execute(
        "SELECT title_fr, publisher, licence, vintage, status FROM main.sources WHERE id = ?", (source,)
    ).fetchone()
    if meta is None:
        raise UserError("datasets.error.unknown", name=source[:80])
    rows = conn.execute(
        "SELECT v.territory_id, t.code, t.name, t.level, v.indicator_id, v.year, v.period, v.value, v.flag"
        " FROM main.indicator_values v JOIN territories t ON t.id = v.territory_id WHERE v.source_id = ?"
        " ORDER BY v.indicator_id, v.year, v.territory_id",
        (source,),
    ).fetchall()
    cols = ["territory_id", "code", "name", "level", "indicator", "year", "period", "value", "flag"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    if frame.empty:
        rows = conn.execute(
            "SELECT t.id, t.code, t.name, t.level FROM geometries g JOIN territories t ON t.id = g.territory_id"
            " WHERE g.source_id = ? AND g.resolution = 'national' ORDER BY t.id",
            (source,),
        ).fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=["territory_id", "code", "name", "level"])
    return frame.assign(**dict(zip(META_COLUMNS, tuple(meta), strict=True)))


def imported_table(ws: Workspace, dataset: int) -> pd.DataFrame:
    """The current values of an imported dataset (file level and derived levels) with its metadata."""
    row = next((r for r in _current(ws) if r["id"] == dataset), None)
    if row is None:
        raise UserError("datasets.error.unknown", name=str(dataset))
    frame = store.values(ws, dataset)
    meta = (
        f"{row['name']} ({row['file_name']} v{row['number']})",
        row["producer"] or row["imported_by"],
        row["licence"],
        str(row["imported_at"])[:10],
        IMPORTED_STATUS,
    )
    return frame.assign(**dict(zip(META_COLUMNS, meta, strict=True)))
