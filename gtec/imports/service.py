"""The import operation as the page and the CLI call it: context from the reference store, prepare, derive,
commit. One code path, so the bad-file corpus tests exactly what users reach."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from gtec.core import auth
from gtec.imports import store
from gtec.imports.derive import derive
from gtec.imports.limits import ImportLimits
from gtec.imports.mapping import Mapping
from gtec.imports.prepare import Prepared, prepare
from gtec.imports.validate import Geography, load_geography
from gtec.storage.reference import ReferenceConnection
from gtec.storage.workspace import Workspace
from gtec.territories.aggregation import read_catalogue


@dataclass
class Context:
    """What an import needs from the reference store, read once: geography, indicator catalogue, and a reader
    of commune-level weights."""

    geo: Geography
    catalogue: dict[str, dict[str, Any]]
    conn: ReferenceConnection

    def weights(self, indicator: str) -> pd.DataFrame:
        """Latest commune-level values of ``indicator`` (``territory_id, value``)."""
        rows = self.conn.execute(
            "SELECT territory_id, value FROM indicator_values WHERE indicator_id = ? AND territory_id LIKE 'FR-COM-%'"
            " AND year = (SELECT MAX(year) FROM indicator_values WHERE indicator_id = ?"
            " AND territory_id LIKE 'FR-COM-%')",
            (indicator, indicator),
        ).fetchall()
        return pd.DataFrame([tuple(r) for r in rows], columns=["territory_id", "value"])


def load_context(conn: ReferenceConnection) -> Context:
    return Context(load_geography(conn), read_catalogue(conn), conn)


def check_file(
    ctx: Context,
    path: Path,
    limits: ImportLimits,
    *,
    file_name: str = "",
    profile: str | None = None,
    mapping: Mapping | None = None,
    encoding: str | None = None,
) -> Prepared:
    """Read and validate a file; writes nothing (the dry run, the page's report step)."""
    return prepare(
        path,
        ctx.geo,
        limits,
        file_name=file_name,
        profile=profile,
        mapping=mapping,
        catalogue=ctx.catalogue,
        encoding=encoding,
    )


def import_prepared(ws: Workspace, actor: auth.Actor, ctx: Context, prepared: Prepared, dataset: str) -> dict:
    """Derive the levels above a commune-level file and commit one version (see :func:`store.commit`)."""
    weights = {r["weight"]: ctx.weights(r["weight"]) for r in prepared.rules.values() if r.get("weight")}
    derived = derive(prepared.values, ctx.geo, prepared.rules, weights)
    return store.commit(ws, actor, prepared, dataset, derived)
