"""Curated inputs of the reference store: the manifest of sources and the small CSV files in ``data/``.

``data/manifest.toml`` (plus optional fragments ``data/manifest.d/*.toml``, read in name order) declares
every source and every curated CSV file. :func:`load_curated` validates them and writes them into the
reference store: sources, the indicator catalogue, official national figures, occupation families,
their crosswalk and any extra dataset whose table is not in ``gtec/schema.sql`` (created from the
manifest's column declarations). It also turns the legal population held by ``territories`` into
``population`` indicator values.

Every validation problem raises :class:`CuratedDataError` (a ``ValueError``) naming the file and line.
"""

from __future__ import annotations

import csv
import math
import re
import sqlite3
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from gtec.core import config
from gtec.storage.sql import placeholders, quote_identifier

Progress = Callable[[str, float], None]

STATUSES: tuple[str, ...] = ("official", "estimate", "illustrative")
COLUMN_TYPES: dict[str, str] = {"text": "TEXT", "integer": "INTEGER", "real": "REAL"}
SQLITE_UTILS_TYPES: dict[str, type] = {"text": str, "integer": int, "real": float}
SOURCE_FIELDS: tuple[str, ...] = (
    "id",
    "title_fr",
    "title_en",
    "publisher",
    "url",
    "licence",
    "vintage",
    "status",
    "note_fr",
    "note_en",
)
REQUIRED_SOURCE_FIELDS: tuple[str, ...] = ("id", "title_fr", "title_en", "publisher", "vintage", "status")
#: Tables of gtec/schema.sql that a curated dataset may fill. Others (territories, geometries...) belong to
#: other build steps and are refused.
SCHEMA_TARGETS: tuple[str, ...] = ("indicators", "indicator_values", "occupation_families", "occupation_crosswalk")
#: Table describing every curated column (type, unit, source): per-column provenance for generic tables.
COLUMNS_TABLE = "curated_columns"
KINDS = ("count", "rate", "amount")
AGGREGATIONS = ("sum", "weighted_mean", "none")
POLARITIES = ("higher_better", "higher_worse", "neutral")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")


class CuratedDataError(ValueError):
    """A curated file or the manifest is invalid. The message names the file and, when known, the line."""


def _noop(_step: str, _fraction: float) -> None:
    return None


def _fail(origin: str, message: str, line: int | None = None) -> CuratedDataError:
    where = f"{origin}, line {line}" if line is not None else origin
    return CuratedDataError(f"{where}: {message}")


# ----------------------------------------------------------------------------------------------------------
# Manifest
# ----------------------------------------------------------------------------------------------------------


def manifest_paths(curated_dir: Path | None = None) -> list[Path]:
    """``manifest.toml`` then the fragments ``manifest.d/*.toml`` (name order) of ``curated_dir``."""
    curated_dir = curated_dir or config.CURATED_DIR
    main = curated_dir / "manifest.toml"
    if not main.exists():
        raise CuratedDataError(f"{main}: manifest not found")
    return [main, *sorted((curated_dir / "manifest.d").glob("*.toml"))]


def load_manifest(curated_dir: Path | None = None) -> dict[str, Any]:
    """Read and validate the manifest. Returns ``{"sources": [...], "datasets": [...], "dir": Path}``.

    Sources are dicts with every field of :data:`SOURCE_FIELDS` (missing optional fields become ``""``).
    Datasets are dicts with ``file``, ``table``, ``columns`` (list of dicts: name, type, required, source,
    unit, description_fr, description_en), ``key`` (list of column names) and ``origin`` (manifest file).
    Raises :class:`CuratedDataError` on an unknown status, a duplicate id, a missing field, an unknown
    column type or a column ``source`` that names no source.
    """
    curated_dir = curated_dir or config.CURATED_DIR
    sources: list[dict[str, str]] = []
    datasets: list[dict[str, Any]] = []
    seen_sources: dict[str, str] = {}
    seen_files: dict[str, str] = {}
    for path in manifest_paths(curated_dir):
        origin = path.name if path.parent == curated_dir else f"{path.parent.name}/{path.name}"
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise _fail(origin, f"invalid TOML ({exc})") from exc
        unknown = set(doc) - {"sources", "datasets"}
        if unknown:
            raise _fail(origin, f"unknown top-level keys {sorted(unknown)}")
        for i, raw in enumerate(doc.get("sources", []), start=1):
            src = _validate_source(raw, f"{origin} [[sources]] #{i}")
            if src["id"] in seen_sources:
                raise _fail(origin, f"duplicate source id {src['id']!r} (also in {seen_sources[src['id']]})")
            seen_sources[src["id"]] = origin
            sources.append(src)
        for i, raw in enumerate(doc.get("datasets", []), start=1):
            ds = _validate_dataset(raw, f"{origin} [[datasets]] #{i}")
            if ds["file"] in seen_files:
                raise _fail(origin, f"file {ds['file']!r} declared twice (also in {seen_files[ds['file']]})")
            seen_files[ds["file"]] = origin
            ds["origin"] = origin
            datasets.append(ds)
    for ds in datasets:
        for col in ds["columns"]:
            if col["source"] and col["source"] not in seen_sources:
                raise _fail(
                    ds["origin"], f"{ds['file']}: column {col['name']!r} names unknown source {col['source']!r}"
                )
    return {"sources": sources, "datasets": datasets, "dir": curated_dir}


def _validate_source(raw: Any, origin: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise _fail(origin, "a source must be a table")
    unknown = set(raw) - set(SOURCE_FIELDS)
    if unknown:
        raise _fail(origin, f"unknown source fields {sorted(unknown)}")
    src = {k: str(raw.get(k, "")).strip() for k in SOURCE_FIELDS}
    for k in REQUIRED_SOURCE_FIELDS:
        if not src[k]:
            raise _fail(origin, f"source {src['id'] or '?'!r} lacks {k!r}")
    if src["status"] not in STATUSES:
        raise _fail(origin, f"source {src['id']!r} has status {src['status']!r}; expected one of {', '.join(STATUSES)}")
    return src


def _validate_dataset(raw: Any, origin: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(origin, "a dataset must be a table")
    for k in ("file", "table", "columns"):
        if k not in raw:
            raise _fail(origin, f"dataset lacks {k!r}")
    file, table = str(raw["file"]), str(raw["table"])
    if "/" in file or "\\" in file or not file.endswith(".csv"):
        raise _fail(origin, f"dataset file {file!r} must be a .csv name inside data/")
    if not _NAME.match(table):
        raise _fail(origin, f"{file}: table name {table!r} must match {_NAME.pattern}")
    columns: list[dict[str, Any]] = []
    for c in raw["columns"]:
        if not isinstance(c, dict) or "name" not in c:
            raise _fail(origin, f"{file}: each column needs a name")
        name, ctype = str(c["name"]), str(c.get("type", "text"))
        if not _NAME.match(name):
            raise _fail(origin, f"{file}: column name {name!r} must match {_NAME.pattern}")
        if ctype not in COLUMN_TYPES:
            raise _fail(origin, f"{file}: column {name!r} has type {ctype!r}; expected text, integer or real")
        columns.append(
            {
                "name": name,
                "type": ctype,
                "required": bool(c.get("required", True)),
                "source": str(c.get("source", "")),
                "unit": str(c.get("unit", "")),
                "description_fr": str(c.get("description_fr", "")),
                "description_en": str(c.get("description_en", c.get("description", ""))),
            }
        )
    names = [c["name"] for c in columns]
    if len(set(names)) != len(names):
        raise _fail(origin, f"{file}: duplicate column names")
    key = [str(k) for k in raw.get("key", [])]
    if any(k not in names for k in key):
        raise _fail(origin, f"{file}: key {key} names undeclared columns")
    return {
        "file": file,
        "table": table,
        "columns": columns,
        "key": key,
        "description_fr": str(raw.get("description_fr", "")),
        "description_en": str(raw.get("description_en", raw.get("description", ""))),
    }


# ----------------------------------------------------------------------------------------------------------
# CSV reading
# ----------------------------------------------------------------------------------------------------------


def read_dataset(
    dataset: dict[str, Any], curated_dir: Path, known_sources: Iterable[str]
) -> list[tuple[int, dict[str, Any]]]:
    """Read one declared CSV file and return ``(line number, typed row)`` pairs (``None`` for empty cells).

    Checks: header equals the declared columns (any order), required cells present, integers and reals
    parse (a decimal comma is refused: curated files use ``.``), the key is unique, every ``source_id`` cell
    names a known source. Errors name the file and the line (line 1 is the header).
    """
    path = curated_dir / dataset["file"]
    name = dataset["file"]
    if not path.exists():
        raise _fail(name, "file declared in the manifest is missing")
    known = set(known_sources)
    declared = {c["name"]: c for c in dataset["columns"]}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        except StopIteration:
            raise _fail(name, "empty file") from None
        if sorted(header) != sorted(declared):
            missing = sorted(set(declared) - set(header))
            extra = sorted(set(header) - set(declared))
            raise _fail(name, f"header does not match the manifest (missing {missing}, undeclared {extra})", 1)
        rows: list[tuple[int, dict[str, Any]]] = []
        keys: dict[tuple, int] = {}
        for cells in reader:
            line_no = reader.line_num  # physical line where the record ends (quoted cells may span lines)
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise _fail(name, f"{len(cells)} cells, expected {len(header)}", line_no)
            row: dict[str, Any] = {}
            for col_name, cell in zip(header, cells, strict=True):
                row[col_name] = _parse_cell(cell, declared[col_name], name, line_no)
            if "source_id" in row and row["source_id"] is not None and row["source_id"] not in known:
                raise _fail(name, f"unknown source id {row['source_id']!r}", line_no)
            if dataset["key"]:
                key = tuple(row[k] for k in dataset["key"])
                if key in keys:
                    raise _fail(name, f"duplicate key {key} (first on line {keys[key]})", line_no)
                keys[key] = line_no
            rows.append((line_no, row))
    return rows


def _parse_cell(cell: str, column: dict[str, Any], name: str, line_no: int) -> Any:
    text = cell.strip()
    if text == "":
        if column["required"]:
            raise _fail(name, f"column {column['name']!r} is empty", line_no)
        return None
    if column["type"] == "text":
        return text
    try:
        if column["type"] == "integer":
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError(text)
            return int(text)
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(text)
        return value
    except ValueError:
        raise _fail(name, f"column {column['name']!r}: {text!r} is not a valid {column['type']}", line_no) from None


# ----------------------------------------------------------------------------------------------------------
# Loading into the store
# ----------------------------------------------------------------------------------------------------------


def load_curated(
    conn: sqlite3.Connection, progress: Progress | None = None, curated_dir: Path | None = None
) -> dict[str, int]:
    """Validate the manifest and the curated CSV files, then write them into the reference store.

    Expects the schema (``gtec.build.pipeline.create_schema``) and, normally, the geography step already run on
    ``conn``; runs inside the caller's transaction (no commit here). Sources already present (inserted by
    the geography step) are kept. Returns counts: ``sources_curated``, ``indicators``,
    ``indicator_values_official``, ``population_values``, ``occupation_families``, ``occupation_crosswalk``
    and one ``curated_<table>`` count per generic table. Raises :class:`CuratedDataError` on invalid data.
    """
    progress = progress or _noop
    progress("build.step.curated", 0.65)
    manifest = load_manifest(curated_dir)
    cdir: Path = manifest["dir"]
    counts: dict[str, int] = {}

    existing = {r[0] for r in conn.execute("SELECT id FROM sources")}
    new_sources = [s for s in manifest["sources"] if s["id"] not in existing]
    conn.executemany(
        f"INSERT INTO sources ({', '.join(SOURCE_FIELDS)}) VALUES ({placeholders(SOURCE_FIELDS)})",
        [tuple(s[k] for k in SOURCE_FIELDS) for s in new_sources],
    )
    counts["sources_curated"] = len(new_sources)
    known_sources = existing | {s["id"] for s in manifest["sources"]}

    schema_tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    # Schema tables first, in dependency order; generic tables after, in manifest order.
    order = {t: i for i, t in enumerate(SCHEMA_TARGETS)}
    datasets = sorted(manifest["datasets"], key=lambda d: order.get(d["table"], len(order)))
    _create_columns_table(conn)
    generic_created: set[str] = set()
    for ds in datasets:
        rows = read_dataset(ds, cdir, known_sources)
        table = ds["table"]
        if table in SCHEMA_TARGETS:
            _check_schema_rows(conn, ds, rows)
        elif (table in schema_tables or table == COLUMNS_TABLE) and table not in generic_created:
            raise _fail(ds["file"], f"table {table!r} belongs to another build step; choose another name")
        else:
            _create_generic_table(conn, ds, exists=table in generic_created)
            generic_created.add(table)
        _insert_rows(conn, table, [c["name"] for c in ds["columns"]], rows, ds["file"])
        _record_columns(conn, ds)
        key = {
            "indicators": "indicators",
            "indicator_values": "indicator_values_official",
            "occupation_families": "occupation_families",
            "occupation_crosswalk": "occupation_crosswalk",
        }.get(table, f"curated_{table}")
        counts[key] = counts.get(key, 0) + len(rows)

    counts["population_values"] = insert_population_values(conn)
    return counts


def _check_schema_rows(conn: sqlite3.Connection, ds: dict[str, Any], rows: list[tuple[int, dict[str, Any]]]) -> None:
    """Semantic checks for the schema tables (references and allowed values), before insertion."""
    name = ds["file"]
    table = ds["table"]
    if table == "indicators":
        ids = {r["id"] for _, r in rows} | {r[0] for r in conn.execute("SELECT id FROM indicators")}
        for line_no, r in rows:
            if not _NAME.match(r["id"]):
                raise _fail(name, f"indicator id {r['id']!r} must match {_NAME.pattern}", line_no)
            for field, allowed in (("kind", KINDS), ("aggregation", AGGREGATIONS), ("polarity", POLARITIES)):
                if r[field] not in allowed:
                    raise _fail(name, f"{field} {r[field]!r} not in {allowed}", line_no)
            for field in ("weight_indicator", "denominator_indicator"):
                if r.get(field) and r[field] not in ids:
                    raise _fail(name, f"{field} {r[field]!r} is not an indicator of the catalogue", line_no)
            if r["aggregation"] == "weighted_mean" and not r.get("weight_indicator"):
                raise _fail(name, f"indicator {r['id']!r}: weighted_mean needs a weight_indicator", line_no)
            if r["kind"] == "rate" and not r.get("rate_per"):
                raise _fail(name, f"indicator {r['id']!r}: a rate needs rate_per (100 for %)", line_no)
    elif table == "indicator_values":
        indicators = {r[0] for r in conn.execute("SELECT id FROM indicators")}
        territories = {r[0] for r in conn.execute("SELECT id FROM territories")}
        for line_no, r in rows:
            if r["indicator_id"] not in indicators:
                raise _fail(name, f"unknown indicator {r['indicator_id']!r}", line_no)
            if r["territory_id"] not in territories:
                raise _fail(name, f"unknown territory {r['territory_id']!r} (is the geography built?)", line_no)
            if r.get("source_id") is None:
                raise _fail(name, "every value needs a source_id", line_no)
    elif table == "occupation_crosswalk":
        families = {r[0] for r in conn.execute("SELECT id FROM occupation_families")}
        valid = {"isco08": {str(i) for i in range(10)}, "soc2020": {str(i) for i in range(1, 10)}}
        for line_no, r in rows:
            if r["family_id"] not in families:
                raise _fail(name, f"unknown occupation family {r['family_id']!r}", line_no)
            if r["scheme"] not in valid:
                raise _fail(name, f"scheme {r['scheme']!r} not in {sorted(valid)}", line_no)
            if r["code"] not in valid[r["scheme"]]:
                raise _fail(name, f"{r['scheme']} major group {r['code']!r} does not exist", line_no)


def _create_columns_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {quote_identifier(COLUMNS_TABLE)} ("
        "table_name TEXT NOT NULL, column_name TEXT NOT NULL, type TEXT NOT NULL, unit TEXT NOT NULL, "
        "source_id TEXT REFERENCES sources(id), description_fr TEXT NOT NULL, description_en TEXT NOT NULL, "
        "file TEXT NOT NULL, PRIMARY KEY (table_name, column_name))"
    )


def _record_columns(conn: sqlite3.Connection, ds: dict[str, Any]) -> None:
    conn.executemany(
        f"INSERT OR REPLACE INTO {quote_identifier(COLUMNS_TABLE)} "
        "(table_name, column_name, type, unit, source_id, description_fr, description_en, file) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                ds["table"],
                c["name"],
                c["type"],
                c["unit"],
                c["source"] or None,
                c["description_fr"],
                c["description_en"],
                ds["file"],
            )
            for c in ds["columns"]
        ],
    )


def _create_generic_table(conn: sqlite3.Connection, ds: dict[str, Any], *, exists: bool) -> None:
    """``CREATE TABLE`` from the manifest's column declarations (codes stay TEXT; key -> PRIMARY KEY).

    The DDL is made by sqlite-utils (``Table.create``: typed columns, NOT NULL, composite primary key, the
    ``source_id`` foreign key), so a new curated file needs only its CSV and its manifest entry.
    """
    table = ds["table"]
    db = sqlite_utils.Database(conn)
    if exists:
        have = list(db.table(table).columns_dict)
        if sorted(have) != sorted(c["name"] for c in ds["columns"]):
            raise _fail(ds["file"], f"table {table!r} already filled by another file with other columns {have}")
        return
    names = [c["name"] for c in ds["columns"]]
    db.table(table).create(
        {c["name"]: SQLITE_UTILS_TYPES[c["type"]] for c in ds["columns"]},
        pk=tuple(ds["key"]) if len(ds["key"]) > 1 else (ds["key"][0] if ds["key"] else None),
        not_null={c["name"] for c in ds["columns"] if c["required"]},
        foreign_keys=[("source_id", "sources", "id")] if "source_id" in names else None,
        column_order=names,
    )


def _insert_rows(
    conn: sqlite3.Connection, table: str, columns: list[str], rows: list[tuple[int, dict[str, Any]]], origin: str
) -> None:
    sql = (
        f"INSERT INTO {quote_identifier(table)} ({', '.join(quote_identifier(c) for c in columns)}) "
        f"VALUES ({placeholders(columns)})"
    )
    for line_no, r in rows:
        try:
            conn.execute(sql, tuple(r[c] for c in columns))
        except sqlite3.IntegrityError as exc:
            raise _fail(origin, f"cannot insert into {table}: {exc}", line_no) from exc


def source_year(vintage: str) -> int | None:
    """The year a source's vintage names (``"2017"`` -> 2017, ``"February 2025 release"`` -> 2025), or None."""
    found = _YEAR.findall(vintage or "")
    return int(found[0]) if len(found) == 1 else None


def insert_population_values(conn: sqlite3.Connection) -> int:
    """Copy ``territories.population`` into ``indicator_values`` (indicator ``population``).

    The year is the vintage of each territory's ``pop_source_id`` (2017 for ``insee-pop-2017``); territories
    without population, without source or whose source vintage names no single year are skipped, and an
    existing value for the same key is never overwritten. Returns the number of rows written.
    """
    if not conn.execute("SELECT 1 FROM indicators WHERE id = 'population'").fetchone():
        return 0
    years = {sid: source_year(v) for sid, v in conn.execute("SELECT id, vintage FROM sources")}
    rows = [
        (tid, years[sid], float(pop), sid)
        for tid, pop, sid in conn.execute(
            "SELECT id, population, pop_source_id FROM territories "
            "WHERE population IS NOT NULL AND pop_source_id IS NOT NULL"
        )
        if years.get(sid) is not None
    ]
    before = conn.total_changes
    conn.executemany(
        "INSERT OR IGNORE INTO indicator_values (territory_id, indicator_id, year, value, source_id) "
        "VALUES (?, 'population', ?, ?, ?)",
        rows,
    )
    return conn.total_changes - before
