"""The training offer in the workspace: one immutable version per import, rollback, hand mappings.

Every write goes through :meth:`gtec.storage.workspace.Workspace.write` (permission ``training.*``, one
transaction, audit row): an import is all or nothing; a rollback points the offer back to the version before the
current one (versions are kept); a hand mapping is kept by training key, so it applies to later versions too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.provenance import STATUSES, Source
from gtec.storage.workspace import Workspace, now_iso
from gtec.training.offer import Checked

ROW_COLUMNS: tuple[str, ...] = (
    "line", "row_key", "title", "provider", "commune_code", "commune_id", "level", "route", "places", "places_low",
    "places_high", "leavers", "places_text", "formacode", "nsf", "rome", "rncp", "families", "duplicate_of",
)  # fmt: skip
SOURCE_PREFIX = "gtec-training-offer-v"
MAX_TEXT = 200


@dataclass(frozen=True)
class Declared:
    """What the importer says of the file: who produced it, its vintage, its status, a note."""

    producer: str
    vintage: str
    status: str
    note: str = ""

    def cleaned(self) -> Declared:
        producer, vintage = " ".join(self.producer.split())[:MAX_TEXT], " ".join(self.vintage.split())[:40]
        if not producer:
            raise UserError("training.error.producer")
        if not vintage:
            raise UserError("training.error.vintage")
        if self.status not in STATUSES:
            raise UserError("training.error.status")
        return Declared(producer, vintage, self.status, " ".join(self.note.split())[: MAX_TEXT * 2])


def current_version(ws: Workspace) -> int | None:
    with ws.read() as conn:
        value = conn.scalar("SELECT current_version FROM training_offer WHERE id = 1")
    return int(value) if value is not None else None


def commit(ws: Workspace, actor: auth.Actor, checked: Checked, declared: Declared) -> int:
    """Store ``checked`` as the next version and make it current. Returns the version number."""
    declared = declared.cleaned()
    report = checked.report
    detail = {"file": report.file_name[:120], "sha256": report.sha256, "rows": report.rows}
    with ws.write(actor, "training.import", target=report.file_name[:120] or "offer", detail=detail) as conn:
        number = int(conn.scalar("SELECT COALESCE(MAX(number), 0) FROM training_versions")) + 1
        version_id = conn.scalar(
            "INSERT INTO training_versions(number, file_name, sha256, bytes, rows, producer, vintage, status, note,"
            " imported_by, imported_at, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                number, report.file_name[:200], report.sha256, report.size, report.rows, declared.producer,
                declared.vintage, declared.status, declared.note, actor.name, now_iso(),
                json.dumps(report.as_dict(), ensure_ascii=False, default=str),
            ),
        )  # fmt: skip
        cols = ", ".join(ROW_COLUMNS)
        marks = ", ".join("?" for _ in ROW_COLUMNS)
        conn.executemany(
            f"INSERT INTO training_rows(version_id, {cols}) VALUES ({int(version_id)}, {marks})",
            [tuple(r[c] for c in ROW_COLUMNS) for r in checked.rows],
        )
        if conn.one("SELECT id FROM training_offer WHERE id = 1") is None:
            conn.execute("INSERT INTO training_offer(id, current_version) VALUES (1, ?)", (number,))
        else:
            conn.execute("UPDATE training_offer SET current_version = ?, version = version + 1 WHERE id = 1", (number,))
    return number


def versions(ws: Workspace) -> list[dict[str, Any]]:
    """Every version, newest first, with ``current`` and the report's counts."""
    current = current_version(ws)
    with ws.read() as conn:
        rows = conn.all(
            "SELECT id, number, file_name, sha256, bytes, rows, producer, vintage, status, note, imported_by,"
            " imported_at, report FROM training_versions ORDER BY number DESC"
        )
    out = []
    for r in rows:
        item = dict(r)
        item["report"] = json.loads(item["report"])
        item["current"] = r["number"] == current
        out.append(item)
    return out


def rollback(ws: Workspace, actor: auth.Actor) -> int:
    """Make the version before the current one current again. Returns its number."""
    current = current_version(ws)
    if current is None or current <= 1:
        raise UserError("training.error.no_previous")
    target = current - 1
    with ws.write(actor, "training.rollback", target="offer", detail={"from": current, "to": target}) as conn:
        conn.execute(
            "UPDATE training_offer SET current_version = ?, version = version + 1 WHERE id = 1 AND current_version = ?",
            (target, current),
        )
    return target


def rows(ws: Workspace, number: int | None = None) -> pd.DataFrame:
    """The rows of a version (default: the current one; empty frame when there is none), with ``families`` as
    lists: hand mappings replace the crosswalk's families where an admin gave them (``mapped_by_hand``)."""
    number = current_version(ws) if number is None else number
    cols = [*ROW_COLUMNS, "mapped_by_hand"]
    if number is None:
        return pd.DataFrame(columns=cols)
    with ws.read() as conn:
        got = conn.all(
            f"SELECT {', '.join('r.' + c for c in ROW_COLUMNS)}, m.families AS hand FROM training_rows r"
            " JOIN training_versions v ON v.id = r.version_id LEFT JOIN training_mappings m ON m.row_key = r.row_key"
            " WHERE v.number = ? ORDER BY r.line",
            (number,),
        )
    # By position (the SELECT lists ROW_COLUMNS, then hand): a row read by column name scans the names each
    # time, which was half of the training page's time for a 5,000-row offer.
    n, families_at = len(ROW_COLUMNS), ROW_COLUMNS.index("families")
    records = []
    for r in got:
        values = tuple(r)
        hand = values[n]
        item = dict(zip(ROW_COLUMNS, values[:n], strict=True))
        item["mapped_by_hand"] = hand is not None
        item["families"] = (hand if hand is not None else values[families_at] or "").split()
        records.append(item)
    return pd.DataFrame(records, columns=cols)


def mappings(ws: Workspace) -> dict[str, list[str]]:
    """Training key -> families given by hand."""
    with ws.read() as conn:
        return {
            r["row_key"]: r["families"].split() for r in conn.all("SELECT row_key, families FROM training_mappings")
        }


def map_by_hand(
    ws: Workspace, actor: auth.Actor, row_key: str, families: list[str], known: set[str], title: str = ""
) -> None:
    """Give a training its families by hand (audited; replaces an earlier hand mapping). ``known``: the family
    ids of the reference store; an empty list removes the hand mapping."""
    chosen = list(dict.fromkeys(f for f in families if f))
    bad = [f for f in chosen if f not in known]
    if bad:
        raise UserError("training.error.unknown_family", family=bad[0][:20])
    detail = {"families": chosen}
    with ws.write(actor, "training.map", target=title[:120] or row_key[:60], detail=detail) as conn:
        conn.execute("DELETE FROM training_mappings WHERE row_key = ?", (row_key,))
        if chosen:
            conn.execute(
                "INSERT INTO training_mappings(row_key, families, title, mapped_by, mapped_at) VALUES (?, ?, ?, ?, ?)",
                (row_key, " ".join(chosen), title[:MAX_TEXT], actor.name, now_iso()),
            )


def source_of(version: dict[str, Any]) -> Source:
    """The provenance of a version: the producer's declaration, the file and the import."""
    note = " · ".join(
        (version["file_name"], f"SHA-256 {version['sha256'][:12]}", version["imported_by"], version["imported_at"])
    )
    if version.get("note"):
        note = f"{version['note']} ({note})"
    return Source(
        f"{SOURCE_PREFIX}{version['number']}", f"Offre de formation importée (version {version['number']})",
        f"Imported training offer (version {version['number']})", version["producer"], "", "", version["vintage"],
        version["status"], note, note,
    )  # fmt: skip
