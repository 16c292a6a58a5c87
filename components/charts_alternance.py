"""Alternance / KTP building blocks: cached data, widgets drawn from the parameter table, chart builders.

Chart builders are pure (``-> alt.Chart``) and tested through ``to_dict()``; PNG/SVG come from vl-convert
(offline, imported only when an image is made). Widgets are drawn from
:class:`gtec.alternance.calculator.CalculatorTable`, so labels, units, bounds, steps, help and sources are declared
once, in ``data/wbl_parameters.csv``.
"""

from __future__ import annotations

import base64
import html

import altair as alt
import pandas as pd
import streamlit as st

from components.data import per_build, reference
from components.figure_card import Figure, figure_cards
from gtec.alternance import calculator, comparison, costsplit, outcomes, printable
from gtec.core import chartstyle
from gtec.core.fmt import number, plain
from gtec.core.i18n import t
from gtec.core.params import InvalidParams, Param
from gtec.core.text import md_values

PARTY_COLOURS = {"learner": "#8c564b", "company": "#1f77b4", "training": "#2ca02c", "public": "#ff7f0e"}
SYSTEM_COLOURS = {"fr_appr": "#1f4e9c", "uk_ktp": "#b42318"}
FONT = 15


@per_build(resource=True, max_entries=2)
def bundle() -> comparison.Bundle:
    """Curated work-based-learning data from the reference store, read once per build (read-only)."""
    return comparison.load_from_store(reference())


@per_build()
def comparison_html(lang: str) -> str:
    return "<style>" + comparison.TABLE_CSS + "</style>" + comparison.comparison_html(bundle(), lang)


def _source_line(table_param: Param, lang: str) -> str:
    sources = bundle().sources
    parts = []
    for sid in table_param.sources:
        s = sources[sid]
        parts.append(
            f"{s.title(lang)} ({s.publisher}), {t('provenance.vintage', lang)} {s.vintage_text(lang)}, "
            + t(f"status.{s.status}", lang)
        )
    return f"{table_param.help(lang)}\n\n{t('provenance.source', lang)} : " + " ; ".join(parts)


def param_widget(p: Param, lang: str, container=None) -> object:
    """One widget for one parameter (key ``wbl_<name>``); returns its raw value for validation."""
    target = container or st
    label = p.label(lang) + (f" ({p.unit(lang)})" if p.unit(lang) else "")
    key, help_text = f"wbl_{p.name}", _source_line(p, lang)
    if p.kind == "choice":
        values = [o.value for o in p.options]
        return target.selectbox(
            label,
            values,
            index=values.index(str(p.default)),
            format_func=lambda v: p.option_label(v, lang),
            key=key,
            help=help_text,
            persist_state="session",
            placeholder=t("widget.choose", lang),
        )
    if p.kind == "bool":
        return target.toggle(label, value=bool(p.default), key=key, help=help_text, persist_state="session")
    if p.kind == "int":
        return target.number_input(
            label, min_value=int(p.min), max_value=int(p.max), value=int(p.default), step=int(p.step or 1),
            key=key, help=help_text, persist_state="session"
        )  # fmt: skip
    decimals = 2 if (p.step or 1) < 0.1 else (1 if (p.step or 1) < 1 else 0)
    return target.number_input(
        label, min_value=float(p.min), max_value=float(p.max), value=float(p.default), step=float(p.step or 1),
        format=f"%.{decimals}f", key=key, help=help_text, persist_state="session"
    )  # fmt: skip


def param_widgets(table: calculator.CalculatorTable, sections: tuple[str, ...], lang: str, columns: int = 3) -> dict:
    """Main parameters of ``sections`` in columns, the advanced ones in an expander. Returns raw values."""
    raw: dict[str, object] = {}
    main = [p for s in sections for p in table.section(s, advanced=False)]
    cols = st.columns(columns)
    for i, p in enumerate(main):
        raw[p.name] = param_widget(p, lang, cols[i % columns])
    advanced = [p for s in sections for p in table.section(s, advanced=True)]
    if advanced:
        with st.expander(t("alternance.calc.advanced", lang)):
            cols = st.columns(columns)
            for i, p in enumerate(advanced):
                raw[p.name] = param_widget(p, lang, cols[i % columns])
    return raw


# ----------------------------------------------------------------------------------------------------------
# Pure chart builders
# ----------------------------------------------------------------------------------------------------------


def split_frame(results: tuple[costsplit.CostSplit, ...], lang: str) -> pd.DataFrame:
    """One row per line item: system, party, item labels, EUR and native amounts, share of the total."""
    rows = []
    for r in results:
        for item in r.items:
            rows.append(
                {
                    "system": t(f"alternance.system.{r.system}", lang),
                    "party": t(f"alternance.party.{item.party}", lang),
                    "party_code": item.party,
                    "item": t(f"alternance.item.{item.item}", lang),
                    "eur": round(item.amount_eur, 2),
                    "native": round(item.amount_native, 2),
                    "currency": item.currency,
                    "share": (item.amount_eur / r.total_eur) if r.total_eur else None,
                }
            )
    return pd.DataFrame.from_records(rows)


def split_chart(results: tuple[costsplit.CostSplit, ...], lang: str) -> alt.Chart:
    """Stacked horizontal bars: per system, the EUR paid by each party (tooltip: line items)."""
    df = split_frame(results, lang)
    df = df[df["eur"] != 0]
    order = [t(f"alternance.party.{p}", lang) for p in costsplit.PARTIES]
    colours = [PARTY_COLOURS[p] for p in costsplit.PARTIES]
    chart = (
        alt.Chart(df, title=t("alternance.chart.split_title", lang))
        .mark_bar()
        .encode(
            y=alt.Y("system:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("sum(eur):Q", title=t("alternance.chart.eur", lang), axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "party:N",
                title=t("alternance.chart.party", lang),
                scale=alt.Scale(domain=order, range=colours),
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=360),
            ),
            order=alt.Order("party_code:N"),
            tooltip=[
                alt.Tooltip("system:N", title=t("alternance.chart.system", lang)),
                alt.Tooltip("party:N", title=t("alternance.chart.party", lang)),
                alt.Tooltip("item:N", title=t("alternance.chart.item", lang)),
                alt.Tooltip("eur:Q", title="EUR", format=",.0f"),
            ],
        )
        .properties(height=alt.Step(56), width=640)
    )
    return chartstyle.finish(chart, lang)


def sensitivity_frame(
    rows: list[outcomes.SensitivityRow], table: calculator.CalculatorTable, lang: str
) -> pd.DataFrame:
    """Tornado data: one row per (system, parameter) with the result at the low and high ends."""
    records = []
    for r in rows:
        p = table[r.param]
        unit = f" {p.unit(lang)}" if p.unit(lang) else ""
        records.append(
            {
                "system": t(f"alternance.system.{r.system}", lang),
                "param": f"{p.label(lang)} ({plain(r.low)}–{plain(r.high)}{unit})",
                "result_low": r.result_low,
                "result_high": r.result_high,
                "base": r.base,
            }
        )
    return pd.DataFrame.from_records(records, columns=["system", "param", "result_low", "result_high", "base"])


def sensitivity_chart(
    rows: list[outcomes.SensitivityRow], table: calculator.CalculatorTable, metric: str, lang: str
) -> alt.Chart:
    """Tornado chart per system: how the metric moves across each input's range (others kept)."""
    df = sensitivity_frame(rows, table, lang).dropna(subset=["result_low", "result_high"])
    charts = []
    for code in costsplit.SYSTEMS:
        name = t(f"alternance.system.{code}", lang)
        part = df[df["system"] == name]
        if part.empty:
            continue
        base = alt.Chart(part).encode(y=alt.Y("param:N", title=None, sort=None, axis=alt.Axis(labelLimit=330)))
        bars = base.mark_bar(color=SYSTEM_COLOURS[code], opacity=0.75, height=16).encode(
            x=alt.X(
                "result_low:Q", title=t(f"alternance.metric.{metric}", lang) + " (EUR)", axis=alt.Axis(format=",.0f")
            ),
            x2="result_high:Q",
            tooltip=[
                alt.Tooltip("param:N", title=t("alternance.chart.input", lang)),
                alt.Tooltip("result_low:Q", title=t("alternance.chart.at_low", lang), format=",.0f"),
                alt.Tooltip("result_high:Q", title=t("alternance.chart.at_high", lang), format=",.0f"),
            ],
        )
        rule = base.mark_tick(color="black", thickness=2, size=22).encode(x="base:Q")
        charts.append((bars + rule).properties(title=name, width=380, height=alt.Step(28)))
    if not charts:
        return alt.Chart(pd.DataFrame({"x": []})).mark_point()
    return chartstyle.finish(alt.vconcat(*charts), lang)


def to_png(spec_json: str) -> bytes:
    """PNG of a Vega-Lite spec (offline, vl-convert, imported here so that opening the app does not load it)."""
    import vl_convert

    return vl_convert.vegalite_to_png(spec_json, scale=2)


def to_svg(spec_json: str) -> str:
    """SVG of a Vega-Lite spec (offline, vl-convert, imported on first use)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec_json)


@st.cache_data(show_spinner=False, max_entries=32)
def png_cached(spec_json: str) -> bytes:
    return to_png(spec_json)


@st.cache_data(show_spinner=False, max_entries=32)
def svg_cached(spec_json: str) -> str:
    return to_svg(spec_json)


# ----------------------------------------------------------------------------------------------------------
# Page pieces
# ----------------------------------------------------------------------------------------------------------


def issue_messages(exc: InvalidParams, table: calculator.CalculatorTable, lang: str) -> list[str]:
    """Each validation problem in plain language, naming the input by its label."""
    out = []
    for error in exc.errors:
        name = str(error.values.get("name", ""))
        label = table[name].label(lang) if name in table else name
        out.append(t(error.key, lang, **{**md_values(error.values), "label": label}))
    return out


def show_issues(exc: InvalidParams, table: calculator.CalculatorTable, lang: str) -> None:
    """Each validation problem as a plain-language error naming the input."""
    for message in issue_messages(exc, table, lang):
        st.error(message, icon=":material/error:")


def _eur(value: float | None, lang: str) -> str:
    return t("common.missing", lang) if value is None else f"{number(value, lang)} EUR"


def _pct(share: float | None, lang: str) -> str:
    return t("common.missing", lang) if share is None else f"{number(share * 100, lang)} %"


def show_split(split: costsplit.CostSplit, lang: str, status: str = "estimate") -> None:
    """Total, company and public amounts (with shares) for one system, and what the learner is paid."""
    st.markdown(f"#### {t(f'alternance.system.{split.system}', lang)}")
    by_party, shares = split.by_party(), split.shares()
    method = t("alternance.calc.method", lang)
    figure_cards(
        [
            Figure(t("alternance.calc.total_year", lang, months=split.months), _eur(split.total_eur, lang),
                   status=status, method=method),
            Figure(t("alternance.party.company", lang), _eur(by_party["company"], lang), status=status, method=method,
                   compare=t("alternance.calc.share", lang, share=_pct(shares["company"], lang))),
            Figure(t("alternance.party.public", lang), _eur(by_party["public"], lang), status=status, method=method,
                   compare=t("alternance.calc.share", lang, share=_pct(shares["public"], lang))),
        ],
        lang,
    )  # fmt: skip
    others = [f"{t(f'alternance.party.{p}', lang)} : {_eur(by_party[p], lang)}" for p in ("training", "learner")]
    st.caption(" · ".join(others))
    if split.system == "fr_appr":
        st.caption(
            t("alternance.calc.appr_pay", lang, pay=_eur(split.learner_pay_eur, lang), pct=number(split.rate, lang))
        )
    else:
        st.caption(t("alternance.calc.ktp_rate", lang, rate=number(split.rate * 100, lang),
                     native=number(split.total_native, lang), pay=_eur(split.learner_pay_eur, lang)))  # fmt: skip


def split_table(results: tuple[costsplit.CostSplit, ...], lang: str) -> pd.DataFrame:
    """Line items with translated headers, for display and CSV."""
    df = split_frame(results, lang)
    df["share"] = (df["share"] * 100).round(1)
    df = df.drop(columns=["party_code"])
    df.columns = [t(f"alternance.table.{c}", lang) for c in df.columns]
    return df


def show_territory(result: outcomes.TerritoryResult, lang: str, status: str = "estimate") -> None:
    """Cost per learner retained and per job created (total and public) for one system."""
    st.markdown(f"#### {t(f'alternance.system.{result.system}', lang)}")
    source = bundle().sources[result.retention_source]
    colon = t("card.colon", lang)
    method = t("alternance.calc.method", lang)
    figure_cards(
        [
            Figure(t("alternance.metric.cost_per_retained", lang), _eur(result.cost_per_retained, lang),
                   compare=t("alternance.metric.public_per_retained", lang) + colon
                   + _eur(result.public_per_retained, lang), sources=(source,), status=status, method=method),
            Figure(t("alternance.metric.cost_per_job", lang), _eur(result.cost_per_job, lang),
                   compare=t("alternance.metric.public_per_job", lang) + colon + _eur(result.public_per_job, lang),
                   sources=(source,), status=status, method=method),
        ],
        lang,
    )  # fmt: skip
    st.caption(
        t("alternance.territory.basis", lang, total=_eur(result.total_eur, lang),
          retention=_pct(result.retention, lang), jobs=number(result.jobs, lang, 2), source=source.title(lang),
          status=t(f"status.{source.status}", lang))
    )  # fmt: skip


def page_source_ids(data: comparison.Bundle) -> list[str]:
    """Every source the page's figures and defaults rely on."""
    ids = data.table.source_ids() | {f["source_id"] for f in data.facts}
    return sorted(ids)


def summary_page(
    data: comparison.Bundle,
    splits: tuple[costsplit.CostSplit, ...],
    results: dict[str, outcomes.TerritoryResult],
    split_json: str,
    lang: str,
) -> str:
    """The one-page printable summary: comparison, cost split (table + chart as an image), territory results."""
    png = base64.b64encode(png_cached(split_json)).decode("ascii")
    image = f'<img alt="{html.escape(t("alternance.chart.split_title", lang))}" src="data:image/png;base64,{png}">'
    sections = [
        (t("alternance.tab.compare", lang), comparison.comparison_html(data, lang)),
        (t("alternance.calc.result_title", lang), printable.split_html(splits, lang) + image),
        (t("alternance.territory.result_title", lang), printable.territory_html(results, lang)),
        (t("alternance.calc.simplifications", lang),
         "<ul>" + "".join(f"<li>{html.escape(t(f'alternance.note.{n}', lang))}</li>" for s in splits for n in s.notes)
         + "</ul>"),
    ]  # fmt: skip
    sources = [data.sources[s] for s in page_source_ids(data)]
    return printable.printable_html(t("alternance.title", lang), sections, sources, lang)


def conflict_frame(conflicts: list[dict], lang: str) -> pd.DataFrame:
    """A refused save's conflicts as a table: row, field, the editor's value and the stored one, who and when."""
    return pd.DataFrame(
        {
            t("alternance.conflict.row", lang): [c["id"] for c in conflicts],
            t("alternance.conflict.field", lang): [t(f"alternance.matrix.col.{c['field']}", lang) for c in conflicts],
            t("alternance.conflict.yours", lang): [c["yours"] for c in conflicts],
            t("alternance.conflict.theirs", lang): [c["theirs"] for c in conflicts],
            t("alternance.conflict.by", lang): [f"{c['by']} · {c['at']}" for c in conflicts],
        }
    )
