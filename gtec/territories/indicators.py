"""Territories and indicator values: the queries every page uses (pure; SQL parameterised).

Values are returned with their source id so that every figure can carry its provenance. Missing values are
``None``/NaN, never 0.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from gtec.storage.sql import placeholders

#: Levels a user can pick a territory from, in the order shown.
PICKABLE_LEVELS: tuple[str, ...] = ("basin", "epci", "departement", "region", "country", "be_province", "uk_itl1")
#: Indicators of the portrait, in display order (those absent from the store are skipped).
PORTRAIT_INDICATORS: tuple[str, ...] = (
    "population",
    "employment",
    "jobseekers",
    "unemployment_rate",
    "hiring_projects",
    "hiring_difficult_share",
    "apprenticeship_contracts",
    "seniors_share",
)
COUNTRY_ROOTS = {"FR": "FR", "BE": "BE", "UK": "UK"}


def list_territories(conn: sqlite3.Connection, levels: Sequence[str] | None = None) -> pd.DataFrame:
    """Territories (id, code, name, level, country, parent_id, population) sorted by level then name."""
    sql = "SELECT id, code, name, level, country, parent_id, population FROM territories"
    params: list[object] = []
    if levels:
        sql += f" WHERE level IN ({placeholders(levels)})"
        params.extend(levels)
    df = pd.read_sql_query(sql, conn, params=params)
    order = {lvl: i for i, lvl in enumerate(PICKABLE_LEVELS)}
    df["_o"] = df["level"].map(order).fillna(99)
    return df.sort_values(["_o", "name"], key=_sort_key).drop(columns="_o").reset_index(drop=True)


def _sort_key(col: pd.Series) -> pd.Series:
    if col.dtype == object or pd.api.types.is_string_dtype(col):
        import unicodedata

        return col.map(lambda s: unicodedata.normalize("NFKD", str(s)).encode("ascii", "ignore").decode().lower())
    return col


def get_territory(conn: sqlite3.Connection, territory_id: str) -> dict | None:
    """One territory as a dict, or None when the id is unknown."""
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM territories WHERE id = ?", (territory_id,)).fetchone()
    return dict(row) if row else None


def members(conn: sqlite3.Connection, territory_id: str) -> list[str]:
    """Member ids of a composite territory (basin -> EPCIs); empty for a plain one."""
    rows = conn.execute("SELECT child_id FROM memberships WHERE parent_id = ? ORDER BY child_id", (territory_id,))
    return [r[0] for r in rows]


def children(conn: sqlite3.Connection, territory_id: str, level: str | None = None) -> list[str]:
    """Direct children by ``parent_id`` (optionally of one level)."""
    sql, params = "SELECT id FROM territories WHERE parent_id = ?", [territory_id]
    if level:
        sql += " AND level = ?"
        params.append(level)
    return [r[0] for r in conn.execute(sql + " ORDER BY id", params)]


def catalogue(conn: sqlite3.Connection) -> pd.DataFrame:
    """The indicator catalogue, indexed by id."""
    return pd.read_sql_query("SELECT * FROM indicators", conn).set_index("id", drop=False)


def values(
    conn: sqlite3.Connection,
    territory_ids: Sequence[str],
    indicator_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Long table of values (territory_id, indicator_id, year, value, source_id) for the given territories."""
    if not territory_ids:
        return pd.DataFrame(columns=["territory_id", "indicator_id", "year", "value", "source_id"])
    sql = (
        "SELECT territory_id, indicator_id, year, value, source_id FROM indicator_values"
        f" WHERE territory_id IN ({placeholders(territory_ids)})"
    )
    params: list[object] = list(territory_ids)
    if indicator_ids:
        sql += f" AND indicator_id IN ({placeholders(indicator_ids)})"
        params.extend(indicator_ids)
    return pd.read_sql_query(sql + " ORDER BY territory_id, indicator_id, year", conn, params=params)


def level_values(conn: sqlite3.Connection, indicator_id: str, year: int, level: str) -> pd.DataFrame:
    """Values of one indicator and year for every territory of a level (missing territories are absent)."""
    sql = (
        "SELECT t.id AS territory_id, t.name, v.value, v.source_id FROM territories t"
        " LEFT JOIN indicator_values v ON v.territory_id = t.id AND v.indicator_id = ? AND v.year = ?"
        " WHERE t.level = ? ORDER BY t.id"
    )
    return pd.read_sql_query(sql, conn, params=[indicator_id, year, level])


def available_years(conn: sqlite3.Connection, indicator_id: str, level: str | None = None) -> list[int]:
    """Years with at least one value of the indicator (at a level if given)."""
    sql = "SELECT DISTINCT v.year FROM indicator_values v"
    params: list[object] = [indicator_id]
    if level:
        sql += " JOIN territories t ON t.id = v.territory_id WHERE v.indicator_id = ? AND t.level = ?"
        params.append(level)
    else:
        sql += " WHERE v.indicator_id = ?"
    return [int(r[0]) for r in conn.execute(sql + " ORDER BY v.year", params)]


@dataclass(frozen=True)
class Figure:
    """One value with its provenance; ``value`` None means missing."""

    value: float | None
    year: int | None
    source_id: str | None


def latest(df: pd.DataFrame, territory_id: str, indicator_id: str) -> Figure:
    """Most recent non-missing value of an indicator for a territory in a long ``values`` table."""
    sub = df[(df["territory_id"] == territory_id) & (df["indicator_id"] == indicator_id)].dropna(subset=["value"])
    if sub.empty:
        return Figure(None, None, None)
    row = sub.sort_values("year").iloc[-1]
    return Figure(float(row["value"]), int(row["year"]), str(row["source_id"]))


def at_year(df: pd.DataFrame, territory_id: str, indicator_id: str, year: int | None) -> Figure:
    """Value for an exact year (missing -> Figure(None, year, None))."""
    if year is None:
        return Figure(None, None, None)
    sub = df[(df["territory_id"] == territory_id) & (df["indicator_id"] == indicator_id) & (df["year"] == year)]
    sub = sub.dropna(subset=["value"])
    if sub.empty:
        return Figure(None, year, None)
    row = sub.iloc[0]
    return Figure(float(row["value"]), year, str(row["source_id"]))


def comparison_chain(conn: sqlite3.Connection, territory_id: str) -> list[str]:
    """The territory, its parent (if any, and not the country) and its national root, without duplicates."""
    terr = get_territory(conn, territory_id)
    if terr is None:
        raise KeyError(territory_id)
    chain = [territory_id]
    parent = terr.get("parent_id")
    root = COUNTRY_ROOTS.get(terr["country"], terr["country"])
    if parent and parent not in chain and parent != root:
        chain.append(parent)
    if root not in chain and get_territory(conn, root) is not None:
        chain.append(root)
    return chain


def portrait(
    conn: sqlite3.Connection, territory_id: str, indicator_ids: Sequence[str] = PORTRAIT_INDICATORS
) -> pd.DataFrame:
    """Key figures of a territory against its parent and national level, at the territory's latest year.

    One row per indicator present in the catalogue with columns: indicator_id, kind, year, value, source_id,
    parent_value, parent_source_id, national_value, national_source_id, share_of_national (counts only, %).
    The parent and national values are taken at the same year as the territory's, so the comparison is fair.
    """
    chain = comparison_chain(conn, territory_id)
    parent_id = chain[1] if len(chain) == 3 else None
    national_id = chain[-1] if len(chain) > 1 else None
    own = values(conn, [territory_id], list(indicator_ids))
    return compare_figures(conn, own, parent_id, national_id, indicator_ids)


def compare_figures(
    conn: sqlite3.Connection,
    own: pd.DataFrame,
    parent_id: str | None,
    national_id: str | None,
    indicator_ids: Sequence[str] = PORTRAIT_INDICATORS,
) -> pd.DataFrame:
    """Portrait rows for a territory's own long values (indicator_id, year, value, source_id): its latest
    year per indicator, against ``parent_id`` and ``national_id`` at that same year. Also used for custom
    territories, whose values are aggregated from their members."""
    cat = catalogue(conn)
    wanted = [i for i in indicator_ids if i in cat.index]
    others = values(conn, [i for i in (parent_id, national_id) if i], wanted)
    rows = []
    for ind in wanted:
        sub = own[(own["indicator_id"] == ind)].dropna(subset=["value"])
        if sub.empty:
            continue
        last = sub.sort_values("year").iloc[-1]
        year, value = int(last["year"]), float(last["value"])
        par = at_year(others, parent_id, ind, year) if parent_id else Figure(None, None, None)
        nat = at_year(others, national_id, ind, year) if national_id else Figure(None, None, None)
        share = None
        if cat.loc[ind, "kind"] == "count" and nat.value:
            share = 100.0 * value / nat.value
        rows.append(
            {
                "indicator_id": ind,
                "kind": cat.loc[ind, "kind"],
                "year": year,
                "value": value,
                "source_id": str(last["source_id"]),
                "parent_id": parent_id,
                "parent_value": par.value,
                "parent_source_id": par.source_id,
                "national_id": national_id,
                "national_value": nat.value,
                "national_source_id": nat.source_id,
                "share_of_national": share,
            }
        )
    return pd.DataFrame(rows)


def trend_index(conn: sqlite3.Connection, territory_id: str, indicator_id: str) -> pd.DataFrame:
    """Series of the territory, its parent and its national level as an index (first common year = 100).

    Columns: territory_id, year, value, index. Lets areas of very different sizes be compared on one chart.
    """
    chain = comparison_chain(conn, territory_id)
    return index_series(values(conn, chain, [indicator_id]))


def index_series(df: pd.DataFrame) -> pd.DataFrame:
    """Index each territory's series on the first year that every territory has (= 100)."""
    df = df.dropna(subset=["value"])
    if df.empty:
        return df.assign(index=pd.Series(dtype=float))
    years = set.intersection(*(set(g["year"]) for _, g in df.groupby("territory_id")))
    if not years:
        return df.iloc[0:0].assign(index=pd.Series(dtype=float))
    base_year = min(years)
    base = df[df["year"] == base_year].set_index("territory_id")["value"]
    df = df[df["territory_id"].isin(base.index)]
    df = df.assign(index=df.apply(lambda r: _index(r["value"], base[r["territory_id"]]), axis=1))
    return df.reset_index(drop=True)


def _index(value: float, base: float) -> float:
    return math.nan if not base else 100.0 * value / base
