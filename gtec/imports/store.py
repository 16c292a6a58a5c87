"""Imported datasets in the workspace: commit one immutable version per import, list, compare, roll back, delete.

Every write goes through :meth:`gtec.storage.workspace.Workspace.write` (permission, one transaction, audit row):
an import is all or nothing. Versions are never edited; a rollback points the dataset back to the version before
its current one; deleting needs the dataset's name typed again.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.imports.prepare import Prepared
from gtec.storage.workspace import UniqueViolation, Workspace, name_key, now_iso


def commit(
    ws: Workspace,
    actor: auth.Actor,
    prepared: Prepared,
    dataset: str,
    derived: pd.DataFrame | None = None,
    *,
    producer: str = "",
    licence: str = "",
) -> dict[str, Any]:
    """Write ``prepared`` as the next version of ``dataset`` (created on first import) and make it current.

    Refuses a report with blocking problems (``imports.error.not_valid``) before touching the file. Returns
    ``{"dataset_id", "version", "values"}``.
    """
    report = prepared.report
    if not report.ok:
        raise UserError("imports.error.not_valid")
    name = " ".join((dataset or "").split())[:120]
    if not name:
        raise UserError("imports.error.dataset_name")
    rows = _rows(prepared.values, 0)
    if derived is not None and not derived.empty:
        key = ["territory_id", "indicator", "period"]
        base = pd.MultiIndex.from_frame(prepared.values.loc[:, key].astype(str))
        extra = derived.loc[~pd.MultiIndex.from_frame(derived.loc[:, key].astype(str)).isin(base)]
        rows += _rows(extra, 1)
    rows.sort(key=lambda r: r[:3])  # primary-key order: each insert lands next to the previous one in the B-tree
    detail = {"dataset": name, "sha256": report.sha256, "file": prepared.file_name, "values": len(rows)}
    with ws.write(actor, "import.write", target=name, detail=detail) as conn:
        row = conn.one("SELECT id, level FROM import_datasets WHERE name_key = ?", (name_key(name),))
        if row is None:
            try:
                dataset_id = conn.scalar(
                    "INSERT INTO import_datasets(name, name_key, profile, level, producer, licence, created_at,"
                    " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (name, name_key(name), report.profile, report.level, producer, licence, now_iso(), actor.name),
                )
            except UniqueViolation as exc:
                raise UserError("imports.error.dataset_name") from exc
        else:
            dataset_id = row["id"]
            if row["level"] != report.level:
                raise UserError("imports.error.level_changed", old=row["level"], new=report.level)
        number = (
            int(conn.scalar("SELECT COALESCE(MAX(number), 0) FROM import_versions WHERE dataset_id = ?", (dataset_id,)))
            + 1
        )
        version_id = conn.scalar(
            "INSERT INTO import_versions(dataset_id, number, file_name, sha256, bytes, rows, imported_by, imported_at,"
            " report, mapping, rules) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                dataset_id,
                number,
                prepared.file_name,
                report.sha256,
                prepared.size,
                report.rows,
                actor.name,
                now_iso(),
                json.dumps(report.as_dict(), ensure_ascii=False, default=str),
                json.dumps(prepared.mapping.as_dict() if prepared.mapping else {}),
                json.dumps(prepared.rules),
            ),
        )
        conn.executemany(
            f"INSERT INTO import_values(version_id, territory_id, indicator, period, value, secret, derived)"
            f" VALUES ({int(version_id)}, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute(
            "UPDATE import_datasets SET current_version = ?, version = version + 1 WHERE id = ?", (number, dataset_id)
        )
    return {"dataset_id": int(dataset_id), "version": number, "values": len(rows)}


def _rows(frame: pd.DataFrame, derived: int) -> list[tuple]:
    # plain Python lists first: iterating pandas' Arrow-backed string columns element by element is ~10x slower
    values = frame["value"].astype(float).to_numpy()
    boxed = values.astype(object)
    boxed[np.isnan(values)] = None
    clean = boxed.tolist()
    return list(
        zip(
            frame["territory_id"].astype(str).tolist(),
            frame["indicator"].astype(str).tolist(),
            frame["period"].astype(str).tolist(),
            clean,
            frame["secret"].astype(bool).astype(int).tolist(),
            [derived] * len(frame),
            strict=True,
        )
    )


def datasets(ws: Workspace) -> list[dict[str, Any]]:
    """Every imported dataset with its current version, number of versions, values and territories."""
    with ws.read() as conn:
        rows = conn.all(
            "SELECT d.id, d.name, d.profile, d.level, d.producer, d.licence, d.current_version, d.created_at,"
            " d.created_by, (SELECT COUNT(*) FROM import_versions v WHERE v.dataset_id = d.id) AS versions,"
            " v.imported_at, v.file_name, v.id AS version_id,"
            " (SELECT COUNT(*) FROM import_values x WHERE x.version_id = v.id AND x.derived = 0) AS n_values,"
            " (SELECT COUNT(DISTINCT territory_id) FROM import_values x WHERE x.version_id = v.id AND x.derived = 0)"
            " AS territories, (SELECT GROUP_CONCAT(DISTINCT period) FROM import_values x WHERE x.version_id = v.id)"
            " AS periods FROM import_datasets d"
            " LEFT JOIN import_versions v ON v.dataset_id = d.id AND v.number = d.current_version ORDER BY d.name"
        )
    return [dict(r) for r in rows]


def dataset_id(ws: Workspace, name: str) -> int:
    """The id of the dataset called ``name`` (case-insensitive), else ``imports.error.no_dataset``."""
    with ws.read() as conn:
        found = conn.scalar("SELECT id FROM import_datasets WHERE name_key = ?", (name_key(name),))
    if found is None:
        raise UserError("imports.error.no_dataset", name=name[:80])
    return int(found)


def versions(ws: Workspace, dataset: int) -> list[dict[str, Any]]:
    """The versions of ``dataset``, newest first (``number, file_name, sha256, rows, imported_by, imported_at,
    current``)."""
    with ws.read() as conn:
        current = conn.scalar("SELECT current_version FROM import_datasets WHERE id = ?", (dataset,))
        rows = conn.all(
            "SELECT id, number, file_name, sha256, bytes, rows, imported_by, imported_at, report FROM import_versions"
            " WHERE dataset_id = ? ORDER BY number DESC",
            (dataset,),
        )
    return [{**dict(r), "current": r["number"] == current} for r in rows]


def values(ws: Workspace, dataset: int, number: int | None = None, *, derived: bool = True) -> pd.DataFrame:
    """Values of a version (default: the current one): ``territory_id, indicator, period, value, secret,
    derived``."""
    with ws.read() as conn:
        if number is None:
            number = conn.scalar("SELECT current_version FROM import_datasets WHERE id = ?", (dataset,))
        rows = conn.all(
            "SELECT x.territory_id, x.indicator, x.period, x.value, x.secret, x.derived FROM import_values x"
            " JOIN import_versions v ON v.id = x.version_id WHERE v.dataset_id = ? AND v.number = ?"
            + ("" if derived else " AND x.derived = 0"),
            (dataset, number),
        )
    cols = ["territory_id", "indicator", "period", "value", "secret", "derived"]
    frame = pd.DataFrame([tuple(r) for r in rows], columns=cols)
    frame["value"] = frame["value"].astype(float)
    return frame


def diff(ws: Workspace, dataset: int, number: int | None = None) -> pd.DataFrame:
    """What version ``number`` (default: current) changed against the version before it, at the file's level:
    ``territory_id, indicator, period, old, new, change`` (``change`` = new - old; added and removed values have
    one side missing). Unchanged values are left out."""
    with ws.read() as conn:
        if number is None:
            number = conn.scalar("SELECT current_version FROM import_datasets WHERE id = ?", (dataset,))
    key = ["territory_id", "indicator", "period"]
    new = values(ws, dataset, number, derived=False).loc[:, [*key, "value"]]
    old = values(ws, dataset, int(number or 0) - 1, derived=False).loc[:, [*key, "value"]]
    both = old.merge(new, on=key, how="outer", suffixes=("_old", "_new")).rename(
        columns={"value_old": "old", "value_new": "new"}
    )
    both["change"] = both["new"] - both["old"]
    same = (both["old"] == both["new"]) | (both["old"].isna() & both["new"].isna())
    return both.loc[~same].sort_values(key).reset_index(drop=True)


def rollback(ws: Workspace, actor: auth.Actor, dataset: int, to: int | None = None) -> int:
    """Make version ``to`` (default: the one before the current one) current again (versions are kept).
    Returns its number; ``imports.error.no_version`` when the dataset has no such version."""
    with ws.read() as conn:
        row = conn.one("SELECT name, current_version FROM import_datasets WHERE id = ?", (dataset,))
        numbers = {r[0] for r in conn.all("SELECT number FROM import_versions WHERE dataset_id = ?", (dataset,))}
    if row is None:
        raise UserError("imports.error.no_dataset", name=str(dataset))
    target = int(row["current_version"] or 0) - 1 if to is None else int(to)
    if target < 1:
        raise UserError("imports.error.no_previous")
    if target not in numbers:
        raise UserError("imports.error.no_version", version=target)
    with ws.write(actor, "import.rollback", target=row["name"], detail={"to": target}) as conn:
        conn.execute(
            "UPDATE import_datasets SET current_version = ?, version = version + 1 WHERE id = ?"
            " AND current_version = ?",
            (target, dataset, row["current_version"]),
        )
    return target


def delete(ws: Workspace, actor: auth.Actor, dataset: int, confirm: str) -> None:
    """Delete a dataset, its versions and values; ``confirm`` must repeat its name (``imports.error.confirm``)."""
    with ws.read() as conn:
        name = conn.scalar("SELECT name FROM import_datasets WHERE id = ?", (dataset,))
    if name is None:
        raise UserError("imports.error.no_dataset", name=str(dataset))
    if name_key(confirm or "") != name_key(name):
        raise UserError("imports.error.confirm", name=name)
    with ws.write(actor, "import.delete", target=name) as conn:
        conn.execute(
            "DELETE FROM import_values WHERE version_id IN (SELECT id FROM import_versions WHERE dataset_id = ?)",
            (dataset,),
        )
        conn.execute("DELETE FROM import_versions WHERE dataset_id = ?", (dataset,))
        conn.execute("DELETE FROM import_datasets WHERE id = ?", (dataset,))
