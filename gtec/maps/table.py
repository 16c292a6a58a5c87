"""The accessible and exported table of a coloured level table, and distinct territory labels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gtec.core.i18n import t
from gtec.core.text import md
from gtec.maps.legend import format_value
from gtec.territories.display import flag_text, period_text, status_text

#: Up to this many rows the table is drawn as a real HTML table (read by screen readers); larger ones (EPCIs)
#: use the scrollable grid.
HTML_TABLE_MAX_ROWS = 120


def export_table(table, lang: str, sources: Mapping, formatted: bool = False, decimals: int | None = None) -> object:
    """The accessible/exported table of a coloured :func:`level_table`: localised headers, class number,
    status and source with its vintage. Values stay numeric for the CSV (missing stays empty, never 0);
    ``formatted=True`` gives display text for ``st.table`` instead (``12 345,6``, "no data"), with the names,
    codes and source titles escaped for Markdown (:func:`gtec.core.text.md`): ``st.table`` renders cells as
    Markdown."""
    import pandas as pd

    text = md if formatted else (lambda v: v)

    memo: dict[str, str] = {}  # a level shares a few source ids: each is described once, not per row

    def source_text(ids: object) -> str:
        if not isinstance(ids, str):
            return ""
        if ids not in memo:
            parts = []
            for sid in ids.split(" + "):
                src = sources.get(sid)
                parts.append(f"{src.title(lang)} ({src.vintage_text(lang)})" if src else sid)
            memo[ids] = " + ".join(parts)
        return memo[ids]

    return pd.DataFrame(
        {
            t("map.col.name", lang): [text(v) for v in table["name"]],
            t("map.col.code", lang): [text(v) for v in table["code"]],
            t("map.col.value", lang): [format_value(v, lang, decimals) for v in table["value"]]
            if formatted
            else table["value"].astype(float).round(3),
            t("map.col.class", lang): table["class"].astype("Int64"),
            t("map.col.period", lang): [
                period_text(None, p, None, lang) if isinstance(p, str) else "" for p in _col(table, "period")
            ],
            t("map.col.status", lang): [status_text(s, lang) for s in table["status"]],
            t("map.col.note", lang): [flag_text(f, lang) for f in _col(table, "flag")],
            t("map.col.source", lang): [text(source_text(s)) for s in table["source_id"]],
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
