"""One choropleth figure, composed from a level table: classes, legend, title, unit, labels and sources.

This is what the map page used to compute inline (legend rules, reference value, weakest status, vintages,
which outlines go with a level). The page reads widgets, asks :func:`compose` and renders the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gtec.core.i18n import pick, t
from gtec.core.provenance import split_source_ids, vintage_text, weakest_status
from gtec.maps.classify import Classification, colour_table
from gtec.maps.legend import Legend, format_value, unit_for, with_unit
from gtec.maps.palettes import PALETTES, palette_names
from gtec.maps.table import unique_labels
from gtec.territories.display import flag_text, indicator_label, period_text, status_text


@dataclass(frozen=True)
class Options:
    """How the user asked the map to be coloured."""

    method: str
    k: int
    kind: str  # "sequential" or "diverging"
    palette: str


@dataclass(frozen=True)
class Figure:
    """A coloured level: ``table`` (level table + ``fill`` and ``class``), its classification and legend."""

    table: Any  # pandas.DataFrame (kept out of the import graph of this light module)
    classification: Classification
    legend: Legend
    label: str
    unit: str
    status: str
    source_ids: tuple[str, ...]
    names: dict[str, str]

    @property
    def values(self) -> dict[str, float]:
        return dict(zip(self.table["territory_id"], self.table["value"], strict=True))

    @property
    def colours(self) -> dict[str, str]:
        return dict(zip(self.table["territory_id"], self.table["fill"], strict=True))

    @property
    def missing_count(self) -> int:
        return int(self.table["value"].isna().sum())


#: The palette a diverging choice falls back to when the indicator has no meaningful centre.
SEQUENTIAL_DEFAULT = palette_names("sequential")[0]


def diverging_allowed(indicator: Mapping, measure: str) -> bool:
    """A diverging palette means something only for a rate (%, per thousand): the map then shows the signed
    gap to a reference rate. Counts (population, jobs) get the sequential palette (screens review M3)."""
    return unit_for(indicator, measure, "en") in ("%", "‰")


def diverging_reference(table, national: float | None) -> tuple[float, str] | None:
    """``(value, kind)`` the gaps are measured from: the national rate (``"national"``) when it is known, else
    the median of the territories shown (``"median"``); None when no territory has a value."""
    if national is not None:
        return float(national), "national"
    if table["value"].notna().any():
        return float(table["value"].median()), "median"
    return None


def is_total(indicator: Mapping, measure: str) -> bool:
    """True when the map colours absolute numbers (a count summed over the area): colour then follows the
    size of the territories as much as anything else, which the legend says (screens review M10)."""
    return measure == "total" and indicator.get("aggregation") == "sum"


def period_label(shown, year: int, lang: str) -> str:
    """What the coloured values stand for: their one quarter (``2023 T3``) when they share it, else the year."""
    periods = {p for p in shown.get("period", []) if isinstance(p, str)} if len(shown) else set()
    if len(periods) == 1:
        return period_text(year, periods.pop(), None, lang)
    return str(year)


def flags_label(shown, lang: str) -> str:
    """The flags of the coloured values in words, with how many territories carry each ("" when none)."""
    if not len(shown) or "flag" not in shown:
        return ""
    counts = shown["flag"].dropna().value_counts()
    parts = [
        t("map.legend.flag", lang, flag=flag_text(f, lang), n=int(n)) for f, n in counts.items() if flag_text(f, lang)
    ]
    return " · ".join(parts)


def title_label(indicator: Mapping, measure: str, lang: str) -> str:
    """The indicator's label, marked as a rate when the map shows one."""
    label = indicator_label(indicator, lang)
    return label if measure == "total" else f"{label} ({t('map.measure.rate', lang).lower()})"


def rate_help(indicator: Mapping, catalogue: Mapping[str, Mapping], lang: str) -> str:
    """The help of the totals/rate toggle: what the rate divides by, per how many."""
    den = pick(catalogue[indicator["denominator_indicator"]], "label", lang).lower()
    return t("map.rate_label", lang, label=pick(indicator, "label", lang), per=indicator["rate_per"], denominator=den)


def compose(
    table,
    indicator: Mapping,
    year: int,
    measure: str,
    options: Options,
    lang: str,
    national: float | None = None,
    extra_names: Mapping[str, str] | None = None,
) -> Figure:
    """Colour ``table`` (a :func:`gtec.maps.queries.level_table`) and describe it.

    ``national`` is the country's value (for a diverging palette's centre). The legend carries the weakest
    status and every vintage of the territories that have a value; ``names`` are distinct labels per territory
    (plus ``extra_names``, e.g. saved custom territories).
    """
    centre = diverging_reference(table, national) if diverging_allowed(indicator, measure) else None
    diverging = options.kind == "diverging" and centre is not None
    unit = unit_for(indicator, measure, lang)
    if diverging:  # classes of the signed gap to the reference rate, symmetric around 0
        ref, ref_kind = centre  # type: ignore[misc]  # diverging: not None
        gaps = table.assign(value=table["value"] - ref)
        coloured, cls = colour_table(gaps, options.method, options.k, options.palette, lang, 0.0)
        coloured = coloured.assign(value=table["value"])
    else:
        palette = options.palette if PALETTES[options.palette][0] == "sequential" else SEQUENTIAL_DEFAULT
        coloured, cls = colour_table(table, options.method, options.k, palette, lang, None)
    shown = coloured.dropna(subset=["value"])
    status = weakest_status(shown["status"])
    vintages = {vintage_text(v, lang) for v in set(shown["vintage"].dropna())}  # a few distinct vintages
    vintage = " / ".join(sorted(v for v in vintages if v)) or "–"
    label = title_label(indicator, measure, lang)
    if diverging:
        national_text = with_unit(format_value(ref, lang, 1), unit, lang)  # a rate: one decimal
        method = t(f"map.legend.diverging_{ref_kind}", lang, value=national_text)
        legend_unit = t("map.unit.points", lang)
    else:
        method, legend_unit = t(f"map.method.{options.method}", lang), unit
    legend = Legend(
        f"{label}, {period_label(shown, year, lang)}",
        legend_unit,
        vintage,
        status,
        status_text(status, lang),
        cls.entries,
        cls.missing,
        method,
        "",
        flags_label(shown, lang),
        t("map.legend.totals", lang) if is_total(indicator, measure) else "",
    )
    names = unique_labels(list(coloured["territory_id"]), list(coloured["name"]), list(coloured["code"]))
    names |= dict(extra_names or {})
    sources = tuple(sorted({s for v in shown["source_id"] for s in split_source_ids(v)}))
    return Figure(coloured, cls, legend, label, unit, status, sources, names)


def selectable(table_ids: Sequence[str], custom_ids: Sequence[str]) -> list[str]:
    """Territories offered for the profile: those of the level, then saved custom territories not among them."""
    present = set(table_ids)
    return list(table_ids) + [c for c in custom_ids if c not in present]


def export_name(indicator_id: str, level: str, year: int, ext: str) -> str:
    """File name of a map export."""
    return f"gtec-{indicator_id}-{level}-{year}.{ext}"
