"""What a figure may show and how its period, flag and status read: the one rule for demonstration values.

Demonstration values are the generated ones (source status ``illustrative``). They are hidden unless the user
asks for them, and a generated value is never shown for a territory and indicator that has an official (or
estimated) value, whatever the years: a published figure is never replaced by a generated one. Pages,
maps, exports and the CLI all ask :func:`visible_values` / :func:`visible_mask`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from gtec.core.chartstyle import short_name
from gtec.core.i18n import pick, t

DEMO_STATUS = "illustrative"
_QUARTER = re.compile(r"^(\d{4})-T([1-4])$")
_MONTHS = re.compile(r"^(\d{4})-(\d{2})/(\d{4})-(\d{2})$")
#: Sources whose year is a census year: their period reads "recensement 2018".
CENSUS_SOURCES: frozenset[str] = frozenset({"insee-rp2018-comparateur"})
#: Labels used on screen where the catalogue label alone would not tell two measures apart.
LABEL_KEYS: dict[str, str] = {
    "unemployment_rate": "portrait.label.unemployment_rate",
    "census_unemployment_rate": "portrait.label.census_unemployment_rate",
    "unemployed_15_64": "portrait.label.unemployed_15_64",
}
FLAG_KEYS: dict[str, str] = {"lower_bound": "figure.flag.lower_bound", "partial": "figure.flag.partial"}


def is_demo(status: object) -> bool:
    """True for a demonstration (generated, non-official) value's status."""
    return status == DEMO_STATUS


def visible_mask(df: pd.DataFrame, show_demo: bool, status_col: str = "status") -> pd.Series:
    """Which rows of a long table (``territory_id``, ``indicator_id``, ``status_col``) may be shown.

    Rows without a status (missing values of a LEFT JOIN) stay: they are shown as missing. Demonstration rows
    go when ``show_demo`` is False, and always when the same territory and indicator has a non-demonstration
    value (any year). Without an ``indicator_id`` column the table is taken as one indicator.
    """
    if df.empty:
        return pd.Series(True, index=df.index, dtype=bool)
    demo = df[status_col].map(is_demo).astype(bool)
    if not show_demo:
        return ~demo
    keys = ["territory_id", "indicator_id"] if "indicator_id" in df.columns else ["territory_id"]
    real = df[~demo & df[status_col].notna()]
    if real.empty:
        return pd.Series(True, index=df.index, dtype=bool)
    has_real = pd.MultiIndex.from_frame(df[keys]).isin(pd.MultiIndex.from_frame(real[keys]))
    return ~(demo & has_real)


def visible_values(df: pd.DataFrame, statuses: Mapping[str, str], show_demo: bool) -> pd.DataFrame:
    """Rows of a long values table (``territory_id``, ``indicator_id``, ``source_id``, ...) that may be shown,
    the status of each row read from ``statuses`` (``{source_id: status}``; an unknown source counts as
    demonstration: never presented as official)."""
    if df.empty:
        return df
    status = df["source_id"].map(lambda s: statuses.get(s, DEMO_STATUS) if isinstance(s, str) else None)
    keep = visible_mask(df.assign(_status=status), show_demo, "_status")
    return df[keep.to_numpy()].reset_index(drop=True)


def status_text(status: object, lang: str) -> str:
    """A status in words; a demonstration value reads "valeur de démonstration, non officielle"."""
    if not isinstance(status, str) or not status:
        return ""
    return t("demo.mark", lang) if is_demo(status) else t(f"status.{status}", lang)


def period_text(year: object, period: object, source_id: object, lang: str) -> str:
    """The period a figure stands for: ``2025 T3`` (``Q3 2025``), ``recensement 2018``, ``2022-01 – 2022-10``,
    or the year."""
    if isinstance(period, str) and (m := _QUARTER.match(period)):
        return t("figure.quarter", lang, year=m[1], quarter=m[2])
    if isinstance(period, str) and (m := _MONTHS.match(period)):
        return t("figure.months", lang, start=f"{m[2]}/{m[1]}", end=f"{m[4]}/{m[3]}")
    if year is None or (isinstance(year, float) and year != year):
        return ""
    if source_id in CENSUS_SOURCES:
        return t("figure.census", lang, year=int(year))  # type: ignore[call-overload]
    return str(int(year))  # type: ignore[call-overload]


def flag_text(flag: object, lang: str) -> str:
    """A flag in plain words ("minimum : cellules secrètes non comptées"); "" when there is none."""
    key = FLAG_KEYS.get(flag) if isinstance(flag, str) else None
    return t(key, lang) if key else ""


def indicator_label(indicator: Mapping, lang: str) -> str:
    """The label shown for an indicator (the census and ILO unemployment rates are named apart)."""
    key = LABEL_KEYS.get(str(indicator.get("id")))
    return t(key, lang) if key else pick(indicator, "label", lang)


def quarter_date(period: str) -> str | None:
    """First day of a quarterly period (``2025-T3`` -> ``2025-07-01``), for a time axis; None otherwise."""
    m = _QUARTER.match(period)
    return f"{m[1]}-{3 * int(m[2]) - 2:02d}-01" if m else None


#: The figure a basin's portrait quotes for each zone it overlaps.
ZONE_FIGURES: dict[str, str] = {"zone_emploi": "unemployment_rate", "bmo_bassin": "hiring_projects"}


def figure_text(figure: Mapping | None, indicator: Mapping, lang: str) -> str:
    """One figure in a sentence: ``Taux de chômage localisé (BIT), 2023 T3 : 6,4 %`` (with its flag in words);
    "" when there is none."""
    from gtec.core import fmt

    if not figure or figure.get("value") is None:
        return ""
    unit = pick(indicator, "unit", lang)
    value = fmt.figure(float(figure["value"]), indicator["kind"], unit, lang)
    period = period_text(figure.get("year"), figure.get("period"), figure.get("source_id"), lang)
    text = t("figure.sentence", lang, label=indicator_label(indicator, lang), period=period, value=value)
    flag = flag_text(figure.get("flag"), lang)
    return f"{text} ({flag})" if flag else text


def overlap_text(zone_level: str, name: str, code: str, share: float | None, lang: str) -> str:
    """``Zone d'emploi Vannes (5318) : 96,9 % de la population`` (plain text: the page escapes it)."""
    from gtec.core import fmt

    share_text = fmt.figure(share, "rate", "%", lang, t("common.missing", lang))
    return t(f"portrait.overlap.{zone_level}", lang, name=name, code=code, share=share_text)


def series_names(table: pd.DataFrame, names: Mapping[str, str], territory_id: str, lang: str) -> dict[str, str]:
    """Legend labels of the portrait's comparison charts (review P6), in this order: the territory's name, then
    "<name> (échelon supérieur)" for the parent and "<name> (niveau national)" for the country, so the legend
    says which line is which; legal forms shortened ("CA Golfe du Morbihan - ...": one legend line each).
    ``names`` maps ids to names (:func:`gtec.territories.indicators.comparison_names`);
    ``table`` has the ``parent_id`` and ``national_id`` columns of the portrait table."""
    out = {territory_id: short_name(names.get(territory_id, territory_id))}
    for col, key in (("parent_id", "portrait.series.parent"), ("national_id", "portrait.series.national")):
        ids = table[col].dropna() if col in table and not table.empty else pd.Series(dtype=object)
        other = ids.iloc[0] if not ids.empty else None
        if isinstance(other, str) and other in names and other not in out:
            out[other] = t(key, lang, name=short_name(names[other]))
    for other, name in names.items():  # anything else the caller named keeps its name, after these
        out.setdefault(other, short_name(name))
    return out


def index_base_year(trend: pd.DataFrame) -> int | None:
    """The year an index series (:func:`gtec.territories.indicators.index_series`) equals 100: the first year
    every territory has, named on the chart's axis (review P10: "2017 = 100", not an unnamed "first year")."""
    if trend.empty:
        return None
    years = set.intersection(*(set(g["year"]) for _, g in trend.groupby("territory_id")))
    return int(min(years)) if years else None
