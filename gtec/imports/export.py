"""An imported dataset as a CSV file handed to people: its values with their metadata on every row, formula-safe.

Every row carries where the figure comes from (dataset, version, source file and its SHA-256, who imported it and
when, status ``imported``), so a copy of the file keeps its provenance; missing values stay empty cells (with
``secret`` 1 where the producer withheld them), never zero. Text cells that a spreadsheet would evaluate as a
formula are neutralised (:func:`gtec.core.export.to_safe_csv_bytes`).
"""

from __future__ import annotations

import pandas as pd

from gtec.core.errors import UserError
from gtec.core.export import to_safe_csv_bytes
from gtec.imports import store
from gtec.storage.workspace import Workspace

EXPORT_COLUMNS: tuple[str, ...] = (
    "territory_id",
    "indicator",
    "period",
    "value",
    "secret",
    "derived",
    "status",
    "dataset",
    "version",
    "profile",
    "producer",
    "licence",
    "source_file",
    "sha256",
    "imported_by",
    "imported_at",
)


def export_frame(ws: Workspace, dataset: int, number: int | None = None) -> pd.DataFrame:
    """The values of a version (default: current) with the columns of :data:`EXPORT_COLUMNS`."""
    meta = next((d for d in store.datasets(ws) if d["id"] == dataset), None)
    if meta is None:
        raise UserError("imports.error.no_dataset", name=str(dataset))
    number = int(number or meta["current_version"] or 0)
    version = next((v for v in store.versions(ws, dataset) if v["number"] == number), None)
    if version is None:
        raise UserError("imports.error.no_version", version=number)
    frame = store.values(ws, dataset, number)
    frame["secret"] = frame["secret"].astype(int)
    frame["derived"] = frame["derived"].astype(int)
    frame = frame.assign(
        status="imported",
        dataset=meta["name"],
        version=number,
        profile=meta["profile"],
        producer=meta["producer"],
        licence=meta["licence"],
        source_file=version["file_name"],
        sha256=version["sha256"],
        imported_by=version["imported_by"],
        imported_at=version["imported_at"],
    )
    return frame.loc[:, list(EXPORT_COLUMNS)].sort_values(["indicator", "period", "territory_id"])


def export_csv(ws: Workspace, dataset: int, number: int | None = None) -> bytes:
    """:func:`export_frame` as a formula-safe UTF-8 CSV (with a byte-order mark, so spreadsheets read accents)."""
    return to_safe_csv_bytes(export_frame(ws, dataset, number))
