"""Imported values seen through the reference connection: the workspace as a second source of indicators.

The app reads every indicator (map, portrait, custom territories, exports) through one read-only connection to the
reference store. :func:`apply_overlay` adds, in that connection's TEMP schema, three tables holding the current
imported indicators, their sources and their values, and three TEMP views named like the reference tables
(``indicators``, ``sources``, ``indicator_values``) that read the reference rows then the imported ones. SQLite
resolves an unqualified name in the TEMP schema first, so every existing query sees imported figures without a
special case, while the store file itself stays untouched (``mode=ro``: TEMP objects live in memory).

The rows come from the workspace (:mod:`gtec.imports.catalogue` reads them through ``Workspace.read``); only this
module knows how they are shown to the SQLite readers. A key the reference store already has (same territory,
indicator and year) keeps the reference value: an imported file adds figures, it never hides an official one.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence

#: Ids of indicators read from a file with a mapping (``imp<dataset>_<indicator>``); profile imports keep the
#: reference indicator's id.
IMPORTED_ID = re.compile(r"^imp\d+_")


def imported_id(dataset_id: int, indicator: str) -> str:
    """The app's id of an indicator a mapping read from a file of imported dataset ``dataset_id``."""
    return f"imp{int(dataset_id)}_{indicator}"[:80]


def is_imported(indicator_id: str) -> bool:
    """True for the id of an indicator read from a file with a mapping (see :func:`imported_id`)."""
    return bool(IMPORTED_ID.match(indicator_id))


#: Columns of the overlay rows, in the order of the reference tables.
INDICATOR_COLUMNS: tuple[str, ...] = (
    "id", "label_fr", "label_en", "unit_fr", "unit_en", "description_fr", "description_en", "kind", "aggregation",
    "weight_indicator", "denominator_indicator", "rate_per", "polarity",
)  # fmt: skip
SOURCE_COLUMNS: tuple[str, ...] = (
    "id", "title_fr", "title_en", "publisher", "url", "licence", "vintage", "status", "note_fr", "note_en",
)  # fmt: skip
VALUE_COLUMNS: tuple[str, ...] = ("territory_id", "indicator_id", "year", "value", "source_id", "period", "flag")
_TABLES = {"indicators": INDICATOR_COLUMNS, "sources": SOURCE_COLUMNS, "indicator_values": VALUE_COLUMNS}


def apply_overlay(
    conn: sqlite3.Connection,
    indicators: Iterable[Sequence[object]],
    sources: Iterable[Sequence[object]],
    values: Iterable[Sequence[object]],
) -> int:
    """Show ``indicators``, ``sources`` and ``values`` (tuples in the column orders above) through ``conn``.

    Replaces a previous overlay of the same connection. Reference rows win over imported rows for the same key
    (indicator id, source id, or territory/indicator/year). Returns the number of imported values shown.
    """
    for name in _TABLES:
        conn.execute(f"DROP VIEW IF EXISTS temp.{name}")
        conn.execute(f"DROP TABLE IF EXISTS temp.ws_{name}")
    for name, cols in _TABLES.items():
        conn.execute(f"CREATE TEMP TABLE ws_{name} AS SELECT {', '.join(cols)} FROM main.{name} WHERE 0")
    rows = {"indicators": list(indicators), "sources": list(sources), "indicator_values": list(values)}
    for name, cols in _TABLES.items():
        if rows[name]:
            marks = ", ".join("?" for _ in cols)
            conn.executemany(f"INSERT INTO temp.ws_{name} ({', '.join(cols)}) VALUES ({marks})", rows[name])
    conn.execute("DELETE FROM temp.ws_indicators WHERE id IN (SELECT id FROM main.indicators)")
    conn.execute("DELETE FROM temp.ws_sources WHERE id IN (SELECT id FROM main.sources)")
    conn.execute(
        "DELETE FROM temp.ws_indicator_values WHERE EXISTS (SELECT 1 FROM main.indicator_values v"
        " WHERE v.territory_id = ws_indicator_values.territory_id AND v.indicator_id = ws_indicator_values.indicator_id"
        " AND v.year = ws_indicator_values.year)"
    )
    conn.execute("CREATE INDEX temp.ws_values_ind ON ws_indicator_values(indicator_id, year)")
    conn.execute("CREATE INDEX temp.ws_values_terr ON ws_indicator_values(territory_id)")
    for name, cols in _TABLES.items():
        listed = ", ".join(cols)
        conn.execute(
            f"CREATE TEMP VIEW {name} AS SELECT {listed} FROM main.{name} UNION ALL SELECT {listed} FROM temp.ws_{name}"
        )
    return int(conn.execute("SELECT COUNT(*) FROM temp.ws_indicator_values").fetchone()[0])


#: Columns of imported zones (:mod:`gtec.imports.zones`), in the order of the reference tables.
TERRITORY_COLUMNS: tuple[str, ...] = (
    "id", "code", "name", "level", "country", "parent_id", "departement_id", "region_id", "population",
    "pop_source_id", "grid_row", "grid_col",
)  # fmt: skip
_ZONE_TABLES = {
    "territories": TERRITORY_COLUMNS,
    "memberships": ("parent_id", "child_id"),
    "geometries": ("territory_id", "resolution", "geojson", "source_id"),
}


def add_zones(
    conn: sqlite3.Connection,
    territories: Iterable[Sequence[object]],
    memberships: Iterable[Sequence[object]],
    geometries: Iterable[Sequence[object]],
    sources: Iterable[Sequence[object]],
    values: Iterable[Sequence[object]],
) -> None:
    """Show imported zones (territories, their member communes, geometries) and their aggregated values and
    sources through ``conn``, on top of :func:`apply_overlay` (applied empty first when it was not).

    The TEMP views ``territories``, ``memberships`` and ``geometries`` exist only while zones are shown, so a
    workspace without imported layers reads the reference tables directly. Zone ids (``WS-LAYER-...``) never
    clash with reference ids.
    """
    if conn.execute("SELECT 1 FROM sqlite_temp_master WHERE name = 'ws_sources'").fetchone() is None:
        apply_overlay(conn, (), (), ())
    for name, cols in _ZONE_TABLES.items():
        conn.execute(f"DROP VIEW IF EXISTS temp.{name}")
        conn.execute(f"DROP TABLE IF EXISTS temp.ws_{name}")
        conn.execute(f"CREATE TEMP TABLE ws_{name} AS SELECT {', '.join(cols)} FROM main.{name} WHERE 0")
    rows = {"territories": list(territories), "memberships": list(memberships), "geometries": list(geometries)}
    for name, cols in _ZONE_TABLES.items():
        if rows[name]:
            marks = ", ".join("?" for _ in cols)
            conn.executemany(f"INSERT INTO temp.ws_{name} ({', '.join(cols)}) VALUES ({marks})", rows[name])
    conn.execute("CREATE INDEX temp.ws_territories_level ON ws_territories(level)")
    conn.execute("CREATE INDEX temp.ws_memberships_parent ON ws_memberships(parent_id)")
    conn.execute("CREATE INDEX temp.ws_geometries_terr ON ws_geometries(territory_id)")
    src_marks = ", ".join("?" for _ in SOURCE_COLUMNS)
    conn.executemany(
        f"INSERT INTO temp.ws_sources ({', '.join(SOURCE_COLUMNS)}) VALUES ({src_marks})",
        [s for s in sources if conn.execute("SELECT 1 FROM sources WHERE id = ?", (s[0],)).fetchone() is None],
    )
    conn.executemany(
        f"INSERT INTO temp.ws_indicator_values ({', '.join(VALUE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        list(values),
    )
    for name, cols in _ZONE_TABLES.items():
        listed = ", ".join(cols)
        conn.execute(
            f"CREATE TEMP VIEW {name} AS SELECT {listed} FROM main.{name} UNION ALL SELECT {listed} FROM temp.ws_{name}"
        )
