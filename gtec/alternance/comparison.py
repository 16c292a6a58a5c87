"""Work-based learning side by side (French apprenticeship, engineering apprenticeship, UK KTP, Belgian
work-based learning) and the transferability matrix that partners edit.

Curated inputs (``data/wbl_*.csv``, declared in ``data/manifest.d/wbl.toml``) reach the reference store at
build time; :func:`load_from_store` reads them back, :func:`load_from_curated` reads the same files directly
(tests, command line). Partners' edits of the matrix live in the workspace (``transferability_edits``,
migration 0003) and are written only through :func:`gtec.storage.workspace.write` (permission + audit log).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gtec.alternance import calculator
from gtec.build import curated
from gtec.core import auth
from gtec.core.errors import EditConflict, UserError
from gtec.core.fmt import number, percent
from gtec.core.i18n import normalise_lang, pick, t
from gtec.core.provenance import Source, public_text
from gtec.storage.reference import ReferenceConnection
from gtec.storage.sql import quote_identifier
from gtec.storage.workspace import Connection, Workspace, now_iso

COMPARED_SYSTEMS: tuple[str, ...] = ("fr_appr", "fr_eng", "uk_ktp", "be_wbl")
DIFFICULTIES: tuple[str, ...] = ("low", "medium", "high")
MAX_TEXT = 1000  # characters per matrix cell
WBL_TABLES = (
    "wbl_parameters",
    "wbl_options",
    "wbl_apprentice_pay",
    "wbl_indicators",
    "wbl_facts",
    "wbl_transferability",
)


@dataclass(frozen=True)
class Bundle:
    """Everything the page reads from the reference data, loaded once (and cached by the page)."""

    table: calculator.CalculatorTable
    indicators: tuple[dict[str, Any], ...]
    facts: tuple[dict[str, Any], ...]
    seeds: tuple[dict[str, Any], ...]
    sources: Mapping[str, Source]


def _bundle(rows: Mapping[str, list[dict[str, Any]]], sources: Mapping[str, Source]) -> Bundle:
    table = calculator.make_table(rows["wbl_parameters"], rows["wbl_options"], rows["wbl_apprentice_pay"])
    used = (
        table.source_ids()
        | {r["source_id"] for r in rows["wbl_facts"]}
        | {r["source_id"] for r in rows["wbl_transferability"]}
    )
    unknown = sorted(used - set(sources))
    if unknown:
        raise ValueError(f"work-based-learning data names unknown sources: {unknown}")
    return Bundle(
        table=table,
        indicators=tuple(sorted(rows["wbl_indicators"], key=lambda r: r["rank"])),
        facts=tuple(sorted(rows["wbl_facts"], key=lambda r: (r["indicator"], r["system"], r["entry"]))),
        seeds=tuple(sorted(rows["wbl_transferability"], key=lambda r: r["rank"])),
        sources=dict(sources),
    )


def load_from_store(conn: ReferenceConnection) -> Bundle:
    """Read the work-based-learning tables and their sources from the reference store."""
    from gtec.core.provenance import load_sources

    def records(name: str) -> list[dict[str, Any]]:
        cur = conn.execute(f"SELECT * FROM {quote_identifier(name)}")
        cols = [c[0] for c in cur.description]  # whatever the connection's row factory (never changed here)
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    rows = {name: records(name) for name in WBL_TABLES}
    return _bundle(rows, load_sources(conn))


def load_from_curated(curated_dir: Path | None = None) -> Bundle:
    """Read the same data straight from ``data/`` through the manifest (validated by :mod:`gtec.build.curated`)."""
    manifest = curated.load_manifest(curated_dir)
    sources = {s["id"]: Source(**s) for s in manifest["sources"]}
    rows: dict[str, list[dict[str, Any]]] = {}
    for ds in manifest["datasets"]:
        if ds["table"] in WBL_TABLES:
            read = curated.read_dataset(ds, manifest["dir"], sources)
            rows[ds["table"]] = [r[1] if isinstance(r, tuple) else r for r in read]
    return _bundle(rows, sources)


# ----------------------------------------------------------------------------------------------------------
# Side-by-side comparison
# ----------------------------------------------------------------------------------------------------------


def fmt_value(value: float, lang: str) -> str:
    """A curated figure in the reader's language, with no spurious decimals."""
    decimals = 0 if float(value).is_integer() else (1 if round(value * 10, 6).is_integer() else 2)
    return number(value, lang, decimals)


def fmt_range(low: float | None, high: float | None, unit: str, lang: str) -> str:
    """``878 900–889 400 contrats``; a single value when ``high`` is missing or equal; ``""`` when ``low`` is."""
    if low is None:
        return ""
    text = fmt_value(low, lang)
    if high is not None and high != low:
        text += "–" + fmt_value(high, lang)
    if unit:
        text = percent(text, lang) + unit[1:] if unit.startswith("%") else f"{text} {unit}"
    return text


@dataclass(frozen=True)
class Entry:
    """One sourced statement in a cell."""

    figure: str  # formatted value or range ("" when the entry is only text)
    text: str
    source: Source


@dataclass(frozen=True)
class Cell:
    """One indicator for one system: its entries and, when several numeric entries share a unit, their range."""

    entries: tuple[Entry, ...]
    range_text: str  # "" unless several sources give figures in the same unit

    @property
    def missing(self) -> bool:
        return not self.entries


def comparison(bundle: Bundle, lang: str) -> list[tuple[str, dict[str, Cell]]]:
    """Rows ``(indicator label, {system: Cell})`` in display order; a system without a figure has an empty cell."""
    out = []
    for ind in bundle.indicators:
        label = pick(ind, "label", lang)
        cells: dict[str, Cell] = {}
        for system in COMPARED_SYSTEMS:
            facts = [f for f in bundle.facts if f["indicator"] == ind["id"] and f["system"] == system]
            entries = []
            for f in facts:
                unit = pick(f, "unit", lang)
                entries.append(
                    Entry(
                        figure=fmt_range(f["value_low"], f["value_high"], unit, lang),
                        text=public_text(pick(f, "text", lang)),
                        source=bundle.sources[f["source_id"]],
                    )
                )
            numeric = [f for f in facts if f["value_low"] is not None]
            range_text = ""
            if len(numeric) > 1 and len({f["unit_en"] for f in numeric}) == 1:
                lows = [f["value_low"] for f in numeric]
                highs = [f["value_high"] if f["value_high"] is not None else f["value_low"] for f in numeric]
                unit = pick(numeric[0], "unit", lang)
                range_text = fmt_range(min(lows), max(highs), unit, lang)
            cells[system] = Cell(tuple(entries), range_text)
        out.append((label, cells))
    return out


def _status_chip(status: str, lang: str) -> str:
    return f'<span class="chip {html.escape(status)}">{html.escape(t(f"status.{status}", lang))}</span>'


def comparison_html(bundle: Bundle, lang: str) -> str:
    """The comparison as an HTML table (every data string escaped): value, text, then status, source, vintage."""
    esc = html.escape
    head = "".join(f"<th>{esc(t(f'alternance.system.{s}', lang))}</th>" for s in COMPARED_SYSTEMS)
    body = []
    for label, cells in comparison(bundle, lang):
        tds = []
        for system in COMPARED_SYSTEMS:
            cell = cells[system]
            if cell.missing:
                tds.append(f'<td class="missing">{esc(t("alternance.compare.no_figure", lang))}</td>')
                continue
            parts = []
            if cell.range_text:
                parts.append(
                    f'<div class="range">{esc(t("alternance.compare.range", lang))} {esc(cell.range_text)}</div>'
                )
            for e in cell.entries:
                fig = f'<div class="fig">{esc(e.figure)}</div>' if e.figure else ""
                txt = f'<div class="txt">{esc(e.text)}</div>' if e.text else ""
                src = (
                    f'<div class="src">{_status_chip(e.source.status, lang)} {esc(e.source.title(lang))}'
                    f" · {esc(e.source.publisher)} · {esc(t('provenance.vintage', lang))}"
                    f" {esc(e.source.vintage_text(lang))}</div>"
                )
                parts.append(f'<div class="entry">{fig}{txt}{src}</div>')
            tds.append("<td>" + "".join(parts) + "</td>")
        body.append(f"<tr><th scope='row'>{esc(label)}</th>{''.join(tds)}</tr>")
    return f'<table class="wbl"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


TABLE_CSS = """
table.wbl{border-collapse:collapse;width:100%;font-size:15px;line-height:1.35;font-family:sans-serif}
table.wbl th,table.wbl td{border:1px solid #ccc;padding:6px 8px;vertical-align:top;text-align:left}
table.wbl thead th{background:#f0f2f6;font-size:16px}
table.wbl tbody th{background:#fafafa;width:14%}
table.wbl .fig{font-weight:700;font-size:17px}
table.wbl .range{font-weight:700;color:#7a4b00;margin-bottom:4px}
table.wbl .src{font-size:12px;color:#555;margin-top:2px}
table.wbl .entry+.entry{border-top:1px dashed #ddd;margin-top:4px;padding-top:4px}
table.wbl td.missing{color:#888;font-style:italic}
.chip{display:inline-block;border-radius:8px;padding:0 6px;font-size:11px;color:#fff}
.chip.official{background:#1a7f37}.chip.estimate{background:#b35900}.chip.illustrative{background:#7b3fbf}
.chip.low{background:#1a7f37}.chip.medium{background:#b35900}.chip.high{background:#b42318}
"""


# ----------------------------------------------------------------------------------------------------------
# Transferability matrix
# ----------------------------------------------------------------------------------------------------------

MATRIX_COLUMNS = ("row_id", "system", "feature", "difficulty", "barriers", "actions")


def load_edits(ws: Workspace) -> list[dict[str, Any]]:
    """Every edit of the matrix, oldest first (the full history: nothing is overwritten)."""
    with ws.read() as conn:
        rows = conn.all("SELECT * FROM transferability_edits ORDER BY id")
    return [dict(r) for r in rows]


def current_matrix(seeds: Sequence[Mapping[str, Any]], edits: Iterable[Mapping[str, Any]], lang: str) -> list[dict]:
    """The matrix as partners see it: curated seeds in ``lang``, each overlaid by its latest edit; rows added
    by partners after them; deleted rows left out. Each row says who edited it last and when (``""`` for seeds)
    and carries its ``version`` (the id of its latest edit, 0 for an unedited seed) for optimistic concurrency."""
    latest: dict[str, Mapping[str, Any]] = {}
    for e in edits:
        latest[e["row_id"]] = e
    rows = []
    for s in seeds:
        row = {
            "row_id": s["row_id"],
            "system": s["system"],
            "feature": pick(s, "feature", lang),
            "difficulty": s["difficulty"],
            "barriers": pick(s, "barriers", lang),
            "actions": pick(s, "actions", lang),
            "edited_by": "",
            "edited_at": "",
            "source_id": s["source_id"],
            "version": 0,
        }
        rows.append(_overlay(row, latest.pop(s["row_id"], None)))
    for row_id, e in sorted(latest.items(), key=lambda kv: kv[1]["id"]):
        base = {"row_id": row_id, "source_id": ""}
        rows.append(_overlay(base, e))
    return [r for r in rows if not r.get("deleted")]


def _overlay(row: dict[str, Any], edit: Mapping[str, Any] | None) -> dict[str, Any]:
    if edit is None:
        return row
    out = dict(row)
    for key in ("system", "feature", "difficulty", "barriers", "actions", "edited_by", "edited_at", "deleted"):
        out[key] = edit[key]
    out["lang"] = edit["lang"]
    out["version"] = int(edit["id"])
    return out


@dataclass(frozen=True)
class MatrixChange:
    """One row to write: an edit of an existing row, a new row (``row_id`` None) or a deletion."""

    row_id: str | None
    system: str
    feature: str
    difficulty: str
    barriers: str
    actions: str
    deleted: bool = False
    version: int = 0  # the version of the row the editor started from (0: an unedited seed or a new row)


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _change(row_id: str | None, fields: Mapping[str, str], *, deleted: bool = False, version: int = 0) -> MatrixChange:
    return MatrixChange(
        row_id,
        fields["system"],
        fields["feature"],
        fields["difficulty"],
        fields["barriers"],
        fields["actions"],
        deleted=deleted,
        version=version,
    )


def diff_matrix(before: Sequence[Mapping[str, Any]], after: Sequence[Mapping[str, Any]]) -> list[MatrixChange]:
    """Changes between the matrix shown and the one edited: changed rows, new rows (no ``row_id``), rows removed.

    Only the editable columns are compared; whitespace around text is ignored.
    """
    old = {r["row_id"]: r for r in before}
    changes: list[MatrixChange] = []
    seen: set[str] = set()
    for r in after:
        row_id = _clean(r.get("row_id")) or None
        fields = {k: _clean(r.get(k)) for k in ("system", "feature", "difficulty", "barriers", "actions")}
        if row_id is None:
            if any(fields[k] for k in ("feature", "barriers", "actions")):
                changes.append(_change(None, fields))
            continue
        seen.add(row_id)
        prev = old.get(row_id)
        if prev is None:
            continue  # a row id the editor invented: ignore rather than guess
        if any(fields[k] != _clean(prev.get(k)) for k in fields):
            changes.append(_change(row_id, fields, version=int(prev.get("version") or 0)))
    for row_id, prev in old.items():
        if row_id not in seen:
            fields = {k: _clean(prev.get(k)) for k in ("system", "feature", "difficulty", "barriers", "actions")}
            changes.append(_change(row_id, fields, deleted=True, version=int(prev.get("version") or 0)))
    return changes


def validate_change(change: MatrixChange) -> list[str]:
    """i18n keys of the problems of one change (empty list when it can be saved)."""
    if change.deleted:
        return []
    problems = []
    if change.system not in COMPARED_SYSTEMS:
        problems.append("alternance.matrix.error.system")
    if not change.feature:
        problems.append("alternance.matrix.error.feature")
    if change.difficulty not in DIFFICULTIES:
        problems.append("alternance.matrix.error.difficulty")
    if any(len(v) > MAX_TEXT for v in (change.feature, change.barriers, change.actions)):
        problems.append("alternance.matrix.error.too_long")
    return problems


def _conflicts(conn: Connection, changes: Sequence[MatrixChange]) -> list[dict[str, object]]:
    """The changes whose row was saved by someone else since the editor loaded it, with both values."""
    out: list[dict[str, object]] = []
    for c in changes:
        if c.row_id is None:
            continue
        latest = conn.one("SELECT * FROM transferability_edits WHERE row_id = ? ORDER BY id DESC LIMIT 1", (c.row_id,))
        if latest is None or int(latest["id"]) == c.version:
            continue
        for field in ("feature", "difficulty", "barriers", "actions"):
            yours = "" if c.deleted else getattr(c, field)
            out.append(
                {
                    "id": c.row_id,
                    "field": field,
                    "yours": yours,
                    "theirs": "" if latest["deleted"] else latest[field],
                    "by": latest["edited_by"],
                    "at": latest["edited_at"],
                }
            )
    return [x for x in out if x["yours"] != x["theirs"]] or [x for x in out if x["field"] == "feature"]


def save_changes(ws: Workspace, actor: auth.Actor, changes: Sequence[MatrixChange], lang: str) -> list[str]:
    """Append ``changes`` in one transaction through :meth:`Workspace.write` (``transferability.edit``:
    permission check and audit row). Returns the row ids written (new rows get ``WS-<n>``).

    Optimistic concurrency: a change of a row that someone else saved since the editor loaded it (its
    ``version`` moved) refuses the whole save with :class:`gtec.core.errors.EditConflict`, listing both
    values; nothing is written and the editor's text is still on screen. Raises
    :class:`gtec.core.auth.PermissionDenied` for a reader, :class:`UserError` when a change is invalid.
    """
    bad = sorted({k for c in changes for k in validate_change(c)})
    if bad:
        raise UserError(bad[0], problems=bad)
    if not changes:
        return []
    lang = normalise_lang(lang)
    written: list[str] = []
    detail = {"edited": [c.row_id for c in changes if c.row_id and not c.deleted], "deleted": [], "added": 0}
    detail["deleted"] = [c.row_id for c in changes if c.deleted]
    detail["added"] = sum(1 for c in changes if c.row_id is None)
    target = ",".join(c.row_id or "new" for c in changes)[:200]
    with ws.write(actor, "transferability.edit", target=target, detail=detail) as conn:
        conflicts = _conflicts(conn, changes)
        if conflicts:
            raise EditConflict("alternance.matrix.error.conflict", conflicts)
        now = now_iso()
        for c in changes:
            edit_id = conn.scalar(
                "INSERT INTO transferability_edits(row_id, system, feature, difficulty, barriers, actions, lang,"
                " deleted, edited_at, edited_by, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    c.row_id or "",
                    c.system,
                    c.feature,
                    c.difficulty,
                    c.barriers,
                    c.actions,
                    lang,
                    int(c.deleted),
                    now,
                    actor.name,
                    actor.role,
                ),
            )
            row_id = c.row_id or f"WS-{edit_id}"
            if c.row_id is None:
                conn.execute("UPDATE transferability_edits SET row_id = ? WHERE id = ?", (row_id, edit_id))
            written.append(row_id)
    return written
