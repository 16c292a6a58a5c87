"""Map data from the reference store: indicators and years of a level, values of a level, national value.

SQL is built by small pure functions named ``*_sql`` that return ``(sql, params)`` (tested without a database);
the functions that run it take a connection and return plain values or DataFrames. Missing values stay missing
(NaN/None), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gtec.core.provenance import weakest_status
from gtec.storage.reference import ReferenceConnection
from gtec.storage.sql import placeholders
from gtec.territories.indicators import catalogue

Query = tuple[str, list]
VALUE_COLUMNS = ["territory_id", "code", "name", "value", "source_id", "status", "vintage", "period", "flag"]


def rate_available(indicator: Mapping) -> bool:
    """A totals/rate toggle makes sense for counts that have a denominator in the catalogue."""
    return indicator.get("kind") == "count" and bool(indicator.get("denominator_indicator"))


def _demo_filter(show_demo: bool) -> str:
    # Demonstration values (status illustrative) count only when the user shows them.
    return "" if show_demo else " AND v.source_id NOT IN (SELECT id FROM sources WHERE status = 'illustrative')"


def indicators_at_level_sql(level: str, show_demo: bool = True) -> Query:
    """Indicator ids with at least one non-missing value at ``level`` (official ones only unless
    ``show_demo``)."""
    return (
        "SELECT DISTINCT v.indicator_id FROM indicator_values v JOIN territories t ON t.id = v.territory_id"
        " WHERE t.level = ? AND v.value IS NOT NULL" + _demo_filter(show_demo),
        [level],
    )


def years_sql(indicator_id: str, level: str, show_demo: bool = True) -> Query:
    """Years with at least one non-missing value of the indicator at ``level``, ascending (official ones only
    unless ``show_demo``)."""
    return (
        "SELECT DISTINCT v.year FROM indicator_values v JOIN territories t ON t.id = v.territory_id"
        " WHERE v.indicator_id = ? AND t.level = ? AND v.value IS NOT NULL"
        + _demo_filter(show_demo)
        + " ORDER BY v.year",
        [indicator_id, level],
    )


def values_sql(indicator_id: str, year: int, *, level: str | None = None, territory_id: str | None = None) -> Query:
    """Every territory of ``level`` (or the one ``territory_id``) with its value, source, status and vintage.

    A LEFT JOIN, so territories without a value come back with NULLs (drawn as missing, never as 0).
    """
    if (level is None) == (territory_id is None):
        raise ValueError("give exactly one of level and territory_id")
    where, param = ("t.level = ?", level) if level is not None else ("t.id = ?", territory_id)
    return (
        "SELECT t.id, t.code, t.name, v.value, v.source_id, s.status, s.vintage, v.period, v.flag FROM territories t"
        " LEFT JOIN indicator_values v ON v.territory_id = t.id AND v.indicator_id = ? AND v.year = ?"
        " LEFT JOIN sources s ON s.id = v.source_id"
        f" WHERE {where} ORDER BY t.id",
        [indicator_id, year, param],
    )


def series_sql(territory_ids: Iterable[str], indicator_ids: Iterable[str]) -> Query:
    """Non-missing yearly values with their status of some indicators for some territories (both non-empty)."""
    tids, iids = list(territory_ids), list(indicator_ids)
    return (
        "SELECT v.territory_id, v.indicator_id, v.year, v.value, v.source_id, s.status FROM indicator_values v"
        f" JOIN sources s ON s.id = v.source_id WHERE v.territory_id IN ({placeholders(tids)})"
        f" AND v.indicator_id IN ({placeholders(iids)}) AND v.value IS NOT NULL",
        [*tids, *iids],
    )


def communes_sql(departement_ids: Iterable[str]) -> Query:
    """Communes (id, name) of some départements, by département then name."""
    ids = list(departement_ids)
    return (
        "SELECT id, name FROM territories WHERE level = 'commune'"
        f" AND departement_id IN ({placeholders(ids) if ids else 'NULL'}) ORDER BY departement_id, name",
        ids,
    )


def names_sql(ids: Iterable[str]) -> Query:
    """``(id, name)`` of the given territories."""
    ids = list(ids)
    return f"SELECT id, name FROM territories WHERE id IN ({placeholders(ids) if ids else 'NULL'})", ids


def grid_positions_sql(level: str) -> Query:
    """Tile positions (id, code, name, grid_row, grid_col) of the territories of a tile-grid level."""
    return "SELECT id, code, name, grid_row, grid_col FROM territories WHERE level = ? ORDER BY id", [level]


def grid_positions(conn: ReferenceConnection, level: str):
    """Tile positions of a tile-grid level as a DataFrame (see :func:`grid_positions_sql`)."""
    import pandas as pd

    sql, params = grid_positions_sql(level)
    return pd.DataFrame(
        [tuple(r) for r in conn.execute(sql, params)], columns=["id", "code", "name", "grid_row", "grid_col"]
    )


def indicators_for_level(conn: ReferenceConnection, level: str, show_demo: bool = True) -> list[str]:
    """Indicator ids with at least one non-missing value at ``level`` that may be shown, in catalogue order."""
    sql, params = indicators_at_level_sql(level, show_demo)
    present = {r[0] for r in conn.execute(sql, params)}
    return [i for i in catalogue(conn) if i in present]


def years_for(conn: ReferenceConnection, indicator_id: str, level: str, show_demo: bool = True) -> list[int]:
    """Years with at least one non-missing value of the indicator at ``level`` that may be shown (ascending)."""
    sql, params = years_sql(indicator_id, level, show_demo)
    return [int(r[0]) for r in conn.execute(sql, params)]


def communes(conn: ReferenceConnection, departement_ids: Iterable[str]):
    """Communes of some départements as a DataFrame (id, name): the pool of the custom basin builder."""
    import pandas as pd

    sql, params = communes_sql(departement_ids)
    return pd.DataFrame([tuple(r) for r in conn.execute(sql, params)], columns=["id", "name"])


def territory_names(conn: ReferenceConnection, ids: Iterable[str]) -> dict[str, str]:
    """``{id: name}`` of the given territories (unknown ids are absent)."""
    sql, params = names_sql(ids)
    return {r[0]: r[1] for r in conn.execute(sql, params)}


def join_values(a: object, b: object, status: bool) -> str | None:
    """Provenance of a figure computed from two: the weakest status, or the source ids joined with `` + ``."""
    vals = [str(x) for x in (a, b) if x is not None and x == x]
    if status:
        return weakest_status(vals)
    return " + ".join(dict.fromkeys(vals)) or None


def level_table(
    conn: ReferenceConnection,
    indicator_id: str,
    year: int,
    level: str,
    measure: str = "total",
    show_demo: bool = True,
):
    """Every territory of ``level`` with its value for ``indicator_id`` in ``year``.

    A demonstration value is shown as missing unless ``show_demo`` (:func:`gtec.territories.display.
    visible_mask`); ``period`` and ``flag`` say what the value stands for (``2023-T3``, ``lower_bound``).

    ``measure="rate"`` divides a count by its catalogue denominator (same year) times ``rate_per``; it is
    missing when either is missing or the denominator is 0. Returns a DataFrame with columns
    territory_id, code, name, value (NaN = missing), source_id, status, vintage (several sources are
    joined with " + "; the status is the weakest one).
    """
    import pandas as pd

    from gtec.territories.display import visible_mask

    sql, params = values_sql(indicator_id, year, level=level)
    df = pd.DataFrame(conn.execute(sql, params).fetchall(), columns=VALUE_COLUMNS)
    hidden = ~visible_mask(df, show_demo)
    df.loc[hidden, ["value", "source_id", "status", "vintage", "period", "flag"]] = None
    if measure == "rate":
        ind = catalogue(conn).get(indicator_id, {})
        if not rate_available(ind):
            raise ValueError(f"{indicator_id} has no rate")
        sql, params = values_sql(ind["denominator_indicator"], year, level=level)
        d = pd.DataFrame(
            conn.execute(sql, params).fetchall(),
            columns=["territory_id", "code", "name", "den", "den_source", "den_status", "den_vintage", "p", "f"],
        )
        d.loc[~visible_mask(d.rename(columns={"den_status": "status"}), show_demo), "den"] = None
        df = df.merge(d[["territory_id", "den", "den_source", "den_status", "den_vintage"]], on="territory_id")
        ok = df["value"].notna() & df["den"].notna() & (df["den"] > 0)
        df["value"] = (df["value"].astype(float) / df["den"].where(ok).astype(float) * float(ind["rate_per"])).where(ok)
        for col, other in (("source_id", "den_source"), ("status", "den_status"), ("vintage", "den_vintage")):
            df[col] = [
                join_values(a, b, col == "status") if k else None
                for a, b, k in zip(df[col], df[other], ok, strict=True)
            ]
        df = df.drop(columns=["den", "den_source", "den_status", "den_vintage"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype(float)
    return df


def _one_value(conn: ReferenceConnection, indicator_id: str, year: int, territory_id: str) -> tuple | None:
    sql, params = values_sql(indicator_id, year, territory_id=territory_id)
    row = conn.execute(sql, params).fetchone()
    return row if row and row[3] is not None else None


def national_value(
    conn: ReferenceConnection, indicator_id: str, year: int, country: str, measure: str = "total"
) -> tuple[float | None, str | None, str | None]:
    """``(value, source_id, status)`` of the country root (``FR``, ``BE``, ``UK``), missing -> (None, None, None)."""
    row = _one_value(conn, indicator_id, year, country)
    if row is None:
        return None, None, None
    value, source, status = float(row[3]), row[4], row[5]
    if measure == "rate":
        ind = catalogue(conn).get(indicator_id, {})
        den = _one_value(conn, ind.get("denominator_indicator") or "", year, country)
        if den is None or den[3] == 0:
            return None, None, None
        return value / float(den[3]) * float(ind["rate_per"]), f"{source} + {den[4]}", weakest_status([status, den[5]])
    return value, source, status
