"""One CSV format for the roadmap, read and written the same way.

Columns (:data:`COLUMNS`): ``id`` (empty for a new action; an existing id updates that action, based on its
``version``), ``title``, ``group`` (a code of :data:`gtec.roadmap.actions.GROUPS`), ``owner_org_id``,
``owner_name``, ``territory_id``, ``start``, ``end`` (ISO dates), ``status``, ``progress`` (0-100), ``indicator``,
``baseline``, ``target`` (numbers, French or English decimals, empty when missing), ``origin_kind``, ``origin_ref``,
``origin_label``, ``version``. Export neutralises formula-like cells; import reads the file through the import
machinery's reading layer (:mod:`gtec.imports.reading`), validates every row and writes all of them in one
transaction, or none (:func:`import_file`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.export import to_safe_csv_bytes
from gtec.imports import reading
from gtec.imports.limits import ImportLimits
from gtec.roadmap import actions
from gtec.storage.workspace import Workspace

COLUMNS: tuple[str, ...] = ("id", "title", "group", "owner_org_id", "owner_name", "territory_id", "start", "end",
                            "status", "progress", "indicator", "baseline", "target", "origin_kind", "origin_ref",
                            "origin_label", "version")  # fmt: skip
REQUIRED: tuple[str, ...] = ("title", "group", "start", "end", "status")
_TO_FIELD = {"group": "group_code", "start": "start_on", "end": "end_on"}


def export_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """Actions (as :func:`gtec.roadmap.actions.list_actions` returns them) in the roadmap CSV format."""
    out = pd.DataFrame([{c: r.get(_TO_FIELD.get(c, c)) for c in COLUMNS} for r in rows], columns=list(COLUMNS)).astype(
        object
    )
    return to_safe_csv_bytes(out.where(out.notna(), None))


@dataclass
class ImportReport:
    creates: list[actions.ActionDraft] = field(default_factory=list)
    updates: list[tuple[int, int, actions.ActionDraft]] = field(default_factory=list)  # (id, version, draft)
    problems: list[tuple[int, str, UserError]] = field(default_factory=list)  # (line, column, error)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.creates or self.updates)


def _int_or_none(text: str) -> int | None:
    text = text.strip().lstrip("'")
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(text)
    return int(text)


def validate_grid(grid: reading.Grid) -> ImportReport:
    """Every row of a grid checked (nothing written)."""
    report = ImportReport()
    if not grid.rows:
        report.problems.append((0, "", UserError("imports.error.empty")))
        return report
    header = [h.strip().lstrip("\ufeff") for h in grid.rows[0]]
    lines = grid.line_numbers or list(range(1, len(grid.rows) + 1))
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        report.problems.append(
            (lines[0], ", ".join(missing + unknown), UserError("roadmap.import.columns", missing=", ".join(missing),
                                                              unknown=", ".join(unknown)))
        )  # fmt: skip
        return report
    for raw, line in zip(grid.rows[1:], lines[1:], strict=True):
        cells = dict(zip(header, [*raw, *[""] * (len(header) - len(raw))], strict=False))
        text = {c: (cells.get(c) or "").strip() for c in COLUMNS}
        for c in ("title", "owner_name", "indicator", "origin_label", "origin_ref"):
            text[c] = text[c].removeprefix("'")  # undo the export's formula neutralisation
        try:
            action_id, version, org = (_int_or_none(text["id"]), _int_or_none(text["version"]),
                                       _int_or_none(text["owner_org_id"]))  # fmt: skip
        except ValueError as exc:
            report.problems.append((line, "id", UserError("roadmap.error.number", field="id", value=str(exc)[:20])))
            continue
        draft = actions.ActionDraft(
            title=text["title"], group_code=text["group"], start_on=text["start"], end_on=text["end"],
            status=text["status"], progress=text["progress"] or 0, owner_org_id=org,  # type: ignore[arg-type]
            owner_name=text["owner_name"], territory_id=text["territory_id"], indicator=text["indicator"],
            baseline=text["baseline"] or None, target=text["target"] or None,  # type: ignore[arg-type]
            origin_kind=text["origin_kind"] or "import", origin_ref=text["origin_ref"],
            origin_label=text["origin_label"],
        )  # fmt: skip
        try:
            clean = actions.validate(draft)
        except UserError as error:
            report.problems.append((line, "", error))
            continue
        if action_id is None:
            report.creates.append(clean)
        elif version is None:
            report.problems.append((line, "version", UserError("roadmap.import.version")))
        else:
            report.updates.append((action_id, version, clean))
    return report


def read_file(path: Path, limits: ImportLimits) -> reading.Grid:
    """The uploaded file as a grid (CSV or XLSX) through the import machinery's reading layer."""
    reading.check_size(path, limits)
    with open(path, "rb") as handle:
        kind = reading.sniff_kind(handle.read(8))
    if kind == "text":
        return reading.read_text_grid(Path(path).read_bytes(), limits)
    if kind == "zip" and reading.workbook_kind(path, limits) == "xlsx":
        return reading.read_workbook_grid(path, "xlsx", limits)
    raise UserError("imports.error.unsupported")


def commit(ws: Workspace, actor: auth.Actor, report: ImportReport) -> tuple[int, int]:
    """Write a clean report in one transaction: (created, updated). Any refused row (an unknown id, a version
    that moved on, an unknown owner organisation) rolls everything back."""
    if not report.ok:
        raise UserError("roadmap.import.has_problems", count=len(report.problems))
    detail = {"create": len(report.creates), "update": len(report.updates)}
    with ws.write(actor, "roadmap.import", target="roadmap", detail=detail) as conn:
        for draft in report.creates:
            actions.insert(conn, actor, draft)
        for action_id, version, draft in report.updates:
            actions.apply_update(conn, action_id, draft, version)
    return len(report.creates), len(report.updates)


def import_file(ws: Workspace, actor: auth.Actor, path: Path, limits: ImportLimits) -> tuple[ImportReport, int, int]:
    """Read, validate and (when clean) write a roadmap file: all rows or none."""
    auth.require(actor, "roadmap.import")
    report = validate_grid(read_file(path, limits))
    if not report.ok:
        return report, 0, 0
    created, updated = commit(ws, actor, report)
    return report, created, updated
