"""Occupations in demand: France Travail's BMO survey by bassin and occupation, for the "Métiers qui recrutent"
page (pure; SQL parameterised).

``bmo_occupations`` holds one row per bassin x occupation x département; a cell the survey keeps secret is
NULL with its ``*_secret`` flag set. Sums over secret cells are lower bounds; a share is computed only from
cells that are both published; a secret figure is reported as secret (``None`` + flag), never as zero.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd

from gtec.storage.reference import ReferenceConnection
from gtec.storage.sql import placeholders

SOURCE_ID = "ft-bmo-2025-open-data"
#: Levels the page lets a user start from (each is read through one BMO bassin, :func:`bassin_for`).
PICK_LEVELS: tuple[str, ...] = ("bmo_bassin", "basin", "epci", "zone_emploi")
OCCUPATION_COLUMNS = [
    "met_code",
    "met_label",
    "family_id",
    "family_fr",
    "family_en",
    "projects",
    "projects_secret",
    "difficult_share",
    "difficult_secret",
    "seasonal_share",
    "seasonal_secret",
]


def fold(text: object) -> str:
    """Text for accent-, case- and punctuation-insensitive search: ``"Aides-Soignants"`` -> ``"aides soignants"``,
    ``"Électricien"`` -> ``"electricien"``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def bassin_for(conn: ReferenceConnection, territory_id: str) -> tuple[str | None, float | None]:
    """The BMO bassin a territory is read through, and the share (%) of its population inside it.

    A bassin is itself (100 %); a project basin goes through ``basin_overlaps`` (the bassin holding most of
    its population); a commune through its membership; an EPCI or a zone d'emploi through its communes (the
    bassin holding most of their population). ``(None, None)`` when none applies (département and above).
    """
    row = conn.execute("SELECT level FROM territories WHERE id = ?", (territory_id,)).fetchone()
    if row is None:
        return None, None
    level = row[0]
    if level == "bmo_bassin":
        return territory_id, 100.0
    if level == "basin":
        hit = conn.execute(
            "SELECT zone_id, population_share FROM basin_overlaps WHERE basin_id = ? AND zone_level = 'bmo_bassin'"
            " ORDER BY population_share DESC LIMIT 1",
            (territory_id,),
        ).fetchone()
        return (hit[0], float(hit[1]) if hit[1] is not None else None) if hit else (None, None)
    if level == "commune":
        communes_sql, params = "SELECT ?", [territory_id]
    elif level == "epci":
        communes_sql, params = "SELECT id FROM territories WHERE level = 'commune' AND parent_id = ?", [territory_id]
    elif level == "zone_emploi":
        communes_sql, params = "SELECT child_id FROM memberships WHERE parent_id = ?", [territory_id]
    else:
        return None, None
    rows = conn.execute(
        "SELECT m.parent_id, SUM(COALESCE(c.population, 0)) FROM memberships m"
        " JOIN territories b ON b.id = m.parent_id AND b.level = 'bmo_bassin'"
        " JOIN territories c ON c.id = m.child_id"
        f" WHERE m.child_id IN ({communes_sql}) GROUP BY m.parent_id ORDER BY 2 DESC",
        params,
    ).fetchall()
    total = sum(r[1] for r in rows)
    if not rows:
        return None, None
    return rows[0][0], (100.0 * rows[0][1] / total if total else None)


def overlaps(conn: ReferenceConnection, basin_id: str) -> pd.DataFrame:
    """The zones d'emploi and BMO bassins a project basin overlaps, largest first.

    Columns: zone_id, zone_level, code, name, population, population_share (%), source_id."""
    return pd.read_sql_query(
        "SELECT o.zone_id, o.zone_level, t.code, t.name, o.population, o.population_share, o.source_id"
        " FROM basin_overlaps o JOIN territories t ON t.id = o.zone_id WHERE o.basin_id = ?"
        " ORDER BY o.zone_level DESC, o.population_share DESC",
        conn,
        params=[basin_id],
    )


def _aggregate(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum BMO rows per ``keys``: published cells summed, secret ones left out (flagged); shares computed from
    the rows where both the count and the projects are published."""

    def one(g: pd.DataFrame) -> pd.Series:
        proj = g["projects"]
        out = {
            "projects": float(proj.sum()) if proj.notna().any() else None,
            "projects_secret": bool(g["projects_secret"].any()),
        }
        for col in ("difficult", "seasonal"):
            ok = g[col].notna() & proj.notna() & (proj > 0)
            out[f"{col}_share"] = 100.0 * float(g.loc[ok, col].sum()) / float(proj[ok].sum()) if ok.any() else None
            out[f"{col}_secret"] = bool(g[f"{col}_secret"].any())
        return pd.Series(out)

    if df.empty:
        return pd.DataFrame(columns=[*keys, "projects", "projects_secret", "difficult_share", "difficult_secret",
                                     "seasonal_share", "seasonal_secret"])  # fmt: skip
    # dropna=False: an occupation without a family (NULL family_id) is still listed
    return df.groupby(keys, sort=False, dropna=False).apply(one, include_groups=False).reset_index()


def _rows(conn: ReferenceConnection, where: str, params: list[object]) -> pd.DataFrame:
    return pd.read_sql_query(
        "SELECT o.met_code, o.met_label, o.family_id, f.label_fr AS family_fr, f.label_en AS family_en,"
        " o.projects, o.difficult, o.seasonal, o.projects_secret, o.difficult_secret, o.seasonal_secret"
        f" FROM bmo_occupations o LEFT JOIN occupation_families f ON f.id = o.family_id WHERE {where}",
        conn,
        params=params,
    )


def occupations(conn: ReferenceConnection, bassin_id: str) -> pd.DataFrame:
    """The occupations of one bassin, most hiring projects first (secret counts last).

    Columns :data:`OCCUPATION_COLUMNS`: shares in %, ``None`` when secret (the ``*_secret`` flag says so)."""
    df = _rows(conn, "o.bassin_id = ?", [bassin_id])
    keys = ["met_code", "met_label", "family_id", "family_fr", "family_en"]
    out = _aggregate(df, keys)
    if out.empty:
        return pd.DataFrame(columns=OCCUPATION_COLUMNS)
    out = out.sort_values(["projects", "met_label"], ascending=[False, True], na_position="last")
    return out[OCCUPATION_COLUMNS].reset_index(drop=True)


def comparison(conn: ReferenceConnection, met_codes: list[str], departement_id: str | None) -> pd.DataFrame:
    """The same occupations in a département and in France (sums over their bassins): one row per
    ``met_code`` and ``scope`` (``departement``, ``national``) with projects and shares as in
    :func:`occupations`."""
    if not met_codes:
        return pd.DataFrame(columns=["met_code", "scope", "projects", "difficult_share", "seasonal_share"])
    frames = []
    codes = f"o.met_code IN ({placeholders(met_codes)})"
    if departement_id:
        dep = _aggregate(_rows(conn, f"{codes} AND o.departement_id = ?", [*met_codes, departement_id]), ["met_code"])
        frames.append(dep.assign(scope="departement"))
    nat = _aggregate(_rows(conn, codes, list(met_codes)), ["met_code"])
    frames.append(nat.assign(scope="national"))
    return pd.concat(frames, ignore_index=True)


def search(df: pd.DataFrame, query: str) -> pd.DataFrame:
    """The occupations whose label, code or family (in either language) contains every word of ``query``,
    accents, case and punctuation ignored."""
    words = fold(query).split()
    if not words:
        return df
    family = df["family_fr"].fillna("") + " " + df["family_en"].fillna("")
    text = (df["met_label"] + " " + df["met_code"] + " " + family).map(fold)
    keep = text.map(lambda s: all(w in s for w in words))
    return df[keep.astype(bool)].reset_index(drop=True)


@dataclass(frozen=True)
class Totals:
    """A territory's BMO headline: hiring projects, shares difficult and seasonal, with their flags."""

    territory_id: str
    projects: float | None
    projects_flag: str | None
    difficult_share: float | None
    seasonal_share: float | None
    source_id: str | None


def totals(conn: ReferenceConnection, territory_id: str, year: int = 2025) -> Totals:
    """The BMO totals of a bassin, département or France as the store publishes them (official sources only)."""
    rows = conn.execute(
        "SELECT v.indicator_id, v.value, v.flag, v.source_id FROM indicator_values v"
        " JOIN sources s ON s.id = v.source_id WHERE v.territory_id = ? AND v.year = ? AND s.status != 'illustrative'"
        " AND v.indicator_id IN ('hiring_projects', 'hiring_difficult_share', 'hiring_seasonal_share')",
        (territory_id, year),
    ).fetchall()
    got = {r[0]: r for r in rows}

    def value(ind: str) -> float | None:
        r = got.get(ind)
        return float(r[1]) if r and r[1] is not None else None

    proj = got.get("hiring_projects")
    return Totals(
        territory_id,
        value("hiring_projects"),
        proj[2] if proj else None,
        value("hiring_difficult_share"),
        value("hiring_seasonal_share"),
        proj[3] if proj else None,
    )


#: Occupations listed before the user asks for all of them.
TOP_SHOWN = 20


def _count_text(value: object, secret: object, lang: str) -> str:
    from gtec.core import fmt
    from gtec.core.i18n import t

    if value is None or value != value:
        return t("occ.secret", lang)
    text = fmt.number(float(value), lang)  # type: ignore[arg-type]
    return t("occ.at_least", lang, value=text) if secret else text


def _share_text(value: object, lang: str) -> str:
    from gtec.core import fmt
    from gtec.core.i18n import t

    if value is None or value != value:
        return t("occ.secret", lang)
    return fmt.figure(float(value), "rate", "%", lang)  # type: ignore[arg-type]


@dataclass(frozen=True)
class OccupationText:
    """What one occupation's card says, in plain words (plain text: the page escapes it)."""

    title: str
    family: str
    figures: str
    compare: str


def describe(row: dict, compared: pd.DataFrame, scope_names: dict[str, str], lang: str) -> OccupationText:
    """The card of one occupation (a row of :func:`occupations`): projects and shares in words, secret cells
    said "secret" (never 0), and the share difficult in the département and in France (:func:`comparison`)."""
    from gtec.core.i18n import pick, t

    figures = t(
        "occ.figures",
        lang,
        projects=_count_text(row["projects"], row["projects_secret"], lang),
        difficult=_share_text(row["difficult_share"], lang),
        seasonal=_share_text(row["seasonal_share"], lang),
    )
    parts = []
    mine = compared[compared["met_code"] == row["met_code"]] if not compared.empty else compared
    for scope in ("departement", "national"):
        hit = mine[mine["scope"] == scope] if not mine.empty else mine
        if scope in scope_names and not hit.empty:
            share = _share_text(hit.iloc[0]["difficult_share"], lang)
            parts.append(t("occ.compare_scope", lang, name=scope_names[scope], difficult=share))
    family = ""
    if isinstance(row.get("family_fr"), str):
        family = pick({"label_fr": row["family_fr"], "label_en": row["family_en"]}, "label", lang)
    return OccupationText(str(row["met_label"]), family, figures, " · ".join(parts))


def headline_values(totals: Totals, lang: str) -> tuple[str, str, str]:
    """A territory's three BMO headline values as cards show them: projects (their flag is said by
    ``occ.flag_note``, as in :func:`totals_text`), share expected to be difficult, share seasonal;
    ``occ.secret`` where a value is secret."""
    return (
        _count_text(totals.projects, False, lang),
        _share_text(totals.difficult_share, lang),
        _share_text(totals.seasonal_share, lang),
    )


def totals_text(totals: Totals, lang: str) -> str:
    """A bassin's, département's or France's BMO headline ("10 518 projets · 60,3 % jugés difficiles · 42,0 %
    saisonniers"), then, on a second Markdown line, the flag of the count in words when it has one."""
    from gtec.core.i18n import t
    from gtec.territories.display import flag_text

    flag = flag_text(totals.projects_flag, lang)
    text = t(
        "occ.totals",
        lang,
        projects=_count_text(totals.projects, False, lang),
        difficult=_share_text(totals.difficult_share, lang),
        seasonal=_share_text(totals.seasonal_share, lang),
    )
    return f"{text}  \n{t('occ.flag_note', lang, flag=flag)}" if flag else text
