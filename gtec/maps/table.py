"""The accessible and exported table of a coloured level table, and distinct territory labels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gtec.core.i18n import t
from gtec.core.provenance import vintage_text
from gtec.core.text import md
from gtec.maps.classify import assign_classes, quantile_breaks
from gtec.maps.legend import format_value
from gtec.territories.display import flag_text, period_text, status_text


def export_table(
    table,
    lang: str,
    sources: Mapping,
    formatted: bool = False,
    decimals: int | None = None,
    about: tuple[str, str, int] | None = None,
) -> object:
    """The values table of a coloured :func:`level_table`, localised headers, one row per territory.

    ``formatted=False`` is the CSV: territory, code, then (with ``about`` = indicator label, unit, year) the
    indicator, unit and year, the numeric value (missing stays empty, never 0), a quintile that does not
    depend on the map's display options (screens review M13), period, status, vintage, note and source.
    ``formatted=True`` is the screen's table (``st.dataframe``: plain text cells): the value in the language's
    format (``12 345,6``, "no data"), the map's class, period, status and note; the source and vintage, the
    same for the whole level, are said once above it (screens review M11)."""
    import pandas as pd

    memo: dict[str, str] = {}  # a level shares a few source ids: each is described once, not per row

    def source_text(ids: object) -> str:
        if not isinstance(ids, str):
            return ""
        if ids not in memo:
            parts = []
            for sid in ids.split(" + "):
                src = sources.get(sid)
                parts.append(src.cited(lang) if src else sid)
            memo[ids] = " + ".join(parts)
        return memo[ids]

    periods = [period_text(None, p, None, lang) if isinstance(p, str) else "" for p in _col(table, "period")]
    statuses = [status_text(s, lang) for s in table["status"]]
    notes = [flag_text(f, lang) for f in _col(table, "flag")]
    head = {t("map.col.name", lang): list(table["name"]), t("map.col.code", lang): list(table["code"])}
    if formatted:
        return pd.DataFrame(
            head
            | {
                t("map.col.value", lang): [format_value(v, lang, decimals) for v in table["value"]],
                t("map.col.class", lang): table["class"].astype("Int64"),
                t("map.col.period", lang): periods,
                t("map.col.status", lang): statuses,
                t("map.col.note", lang): notes,
            }
        )
    values = table["value"].astype(float)
    edges = quantile_breaks(list(values), 5)
    quintiles = [None if c is None else c + 1 for c in assign_classes(list(values), edges)] if edges else None
    meta = {}
    if about is not None:
        label, unit, year = about
        meta = {t("map.col.indicator", lang): label, t("map.col.unit", lang): unit, t("map.col.year", lang): year}
    return pd.DataFrame(
        head
        | meta
        | {
            t("map.col.value", lang): values.round(3),
            t("map.col.quintile", lang): pd.array(quintiles or [None] * len(table), dtype="Int64"),
            t("map.col.period", lang): periods,
            t("map.col.status", lang): statuses,
            t("map.col.vintage", lang): [vintage_text(v, lang) for v in _col(table, "vintage")],
            t("map.col.note", lang): notes,
            t("map.col.source", lang): [source_text(s) for s in table["source_id"]],
        }
    )


def _col(table, name: str) -> list:
    return list(table[name]) if name in table else [None] * len(table)


def unique_labels(ids: Sequence[str], names: Sequence[str], codes: Sequence[str]) -> dict[str, str]:
    """``{id: label}`` where every label is distinct: a name shared by several territories gets its code
    appended (two EPCIs are called "Communauté de communes des Deux Vallées"). Widgets match choices by label,
    so duplicate labels would make some territories impossible to pick."""
    from collections import Counter

    seen = Counter(names)
    out = {
        tid: (f"{name} ({code})" if seen[name] > 1 else str(name))
        for tid, name, code in zip(ids, names, codes, strict=True)
    }
    if len(set(out.values())) < len(out):  # still ambiguous: fall back to the id itself
        out = {tid: f"{label} [{tid}]" for tid, label in out.items()}
    return out


def latest_per_indicator(agg, show_demo: bool = False):
    """Each indicator's latest year with a value in an aggregated table (``custom.aggregate_values`` output);
    an indicator without any value keeps its latest row (shown as "no data", never 0). Demonstration values
    (status ``illustrative``) are left out unless ``show_demo``."""
    import pandas as pd

    from gtec.territories.display import is_demo

    if not show_demo and not agg.empty:
        agg = agg[~agg["status"].map(is_demo).astype(bool)]

    latest = agg.dropna(subset=["value"]).sort_values("year").groupby("indicator_id").tail(1)
    return pd.concat([latest, agg[~agg["indicator_id"].isin(latest["indicator_id"])].groupby("indicator_id").tail(1)])


def custom_figures_table(latest, catalogue: Mapping[str, Mapping], lang: str):
    """The custom basin builder's table (for ``st.table``: cells escaped for Markdown): indicator, year, value
    with unit, aggregation rule, coverage of members and status; indexed by the indicator label."""
    import pandas as pd

    from gtec.core.i18n import pick
    from gtec.maps.legend import unit_for, with_unit

    def value_text(v: float, ind: str) -> str:
        if v != v:
            return t("map.no_data", lang)
        return with_unit(format_value(v, lang), md(unit_for(catalogue[ind], "total", lang)), lang)

    df = pd.DataFrame(
        {
            t("custom.col.indicator", lang): [md(pick(catalogue[i], "label", lang)) for i in latest["indicator_id"]],
            t("map.col.year", lang): [str(y) for y in latest["year"]],
            t("custom.col.value", lang): [
                value_text(v, i) for v, i in zip(latest["value"], latest["indicator_id"], strict=True)
            ],
            t("custom.col.rule", lang): [t(f"map.rule.{r}", lang) for r in latest["aggregation"]],
            t("custom.col.coverage", lang): [
                t("custom.coverage", lang, n=a, total=b)
                for a, b in zip(latest["n_with_value"], latest["n_members"], strict=True)
            ],
            t("map.col.status", lang): [status_text(s, lang) for s in latest["status"]],
        }
    )
    return df.set_index(df.columns[0])


def member_labels(pool) -> dict[str, str]:
    """Distinct labels of the territories a custom basin can be made of (``id``, ``name`` columns); the code is
    the last part of the id (``FR-EPCI-200067932`` -> ``200067932``)."""
    return unique_labels(list(pool["id"]), list(pool["name"]), [i.rsplit("-", 1)[-1] for i in pool["id"]])


#: Above this many territories the profile pickers search instead of listing every territory on each rerun.
SEARCH_THRESHOLD = 80
#: How many matches a search lists.
SEARCH_LIMIT = 30


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("-", " ").replace("'", " ")


def search_choices(
    ids: Sequence[str], labels: Mapping[str, str], query: str, keep: str = "", limit: int = SEARCH_LIMIT
) -> list[str]:
    """The territories whose label (or id) contains every word of ``query``, accents and case ignored.

    At most ``limit`` matches, names starting with the query first; ``keep`` (the current choice) is always
    kept in first place so that a search never drops what is selected. An empty query lists nothing but
    ``keep``: a level of 1,253 EPCIs is never sent whole to the browser."""
    words = _fold(query).split()
    found: list[str] = []
    if words:
        scored = []
        for tid in ids:
            label = _fold(labels.get(tid, tid))
            hay = f"{label} {tid.casefold()}"
            if all(w in hay for w in words):
                scored.append((0 if label.startswith(words[0]) else 1, label, tid))
        found = [tid for _, _, tid in sorted(scored)[:limit]]
    if keep and keep in ids:
        found = [keep, *[f for f in found if f != keep]]
    return found


#: Rows per page of a large values table on screen (the CSV download keeps every row).
PAGE_ROWS = 50
