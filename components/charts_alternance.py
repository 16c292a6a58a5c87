"""Alternance / KTP building blocks: cached data, widgets drawn from the parameter table, chart builders.

Chart builders are pure (``-> alt.Chart``) and tested through ``to_dict()``; PNG/SVG come from vl-convert
(offline, imported only when an image is made). Widgets are drawn from
:class:`gtec.alternance.calculator.CalculatorTable`, so labels, units, bounds, steps, help and sources are declared
once, in ``data/wbl_parameters.csv``.
"""

from __future__ import annotations

import html
import json
import textwrap
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from components.data import per_build, reference
from components.figure_card import Figure, figure_cards
from components.number_field import number_field
from gtec.alternance import calculator, compare_view, comparison, costsplit, outcomes, summary
from gtec.alternance.compare_view import eur, pct
from gtec.core import chartstyle
from gtec.core.fmt import long_date, number, plain
from gtec.core.i18n import t
from gtec.core.params import InvalidParams, Param
from gtec.core.provenance import Source
from gtec.core.text import md_values

PARTY_COLOURS = {"learner": "#8c564b", "company": "#1f77b4", "training": "#2ca02c", "public": "#ff7f0e"}
SYSTEM_COLOURS = {"fr_appr": "#1f4e9c", "uk_ktp": "#b42318"}
FONT = 15


@per_build(resource=True, max_entries=2)
def bundle() -> comparison.Bundle:
    """Curated work-based-learning data from the reference store, read once per build (read-only)."""
    return comparison.load_from_store(reference())


@per_build(max_entries=4)
def sources(lang: str) -> dict[str, Source]:
    """The page's sources in the reader's language (publisher, vintage, licence, note: ``wbl_source_text``)."""
    return compare_view.localised_sources(bundle(), compare_view.load_source_text(reference()), lang)


@per_build(max_entries=4)
def comparison_html(lang: str) -> str:
    """The detailed comparison table with its CSS (page font, sources at 14 px, a phone layout)."""
    return "<style>" + compare_view.TABLE_CSS + "</style>" + compare_view.table_html(bundle(), sources(lang), lang)


def _source_line(table_param: Param, lang: str) -> str:
    found = sources(lang)
    parts = []
    for sid in table_param.sources:
        s = found[sid]
        vintage = s.vintage_text(lang)
        parts.append(
            f"{s.title(lang)} ({s.publisher})" + (f", {t('provenance.vintage', lang)} {vintage}" if vintage else "")
            + ", " + t(f"status.{s.status}", lang)
        )  # fmt: skip
    return f"{table_param.help(lang)}\n\n{t('provenance.source', lang)}{t('card.colon', lang)}" + " ; ".join(parts)


def widget_label(p: Param, lang: str) -> str:
    """The input's label with its unit in brackets when it has one (``Durée du KTP (mois)``)."""
    unit = p.unit(lang)
    return p.label(lang) + (f" ({unit})" if unit else "")


def param_widget(p: Param, lang: str, container=None, optional: bool = False) -> object:
    """One widget for one parameter (key ``wbl_<name>``); returns its raw value for validation.

    Decimal inputs are :func:`components.number_field.number_field` (the reader's decimal mark); int inputs stay
    ``st.number_input`` (no decimal shown). Neither carries bounds: Streamlit would silently refuse a value out of
    bounds (red border, English hint, figures unchanged); the table's validation says what is wrong in FR/EN.
    An optional input starts empty (``value=None``): no default figure exists for it."""
    target = container or st
    label, key, help_text = widget_label(p, lang), f"wbl_{p.name}", _source_line(p, lang)
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
    placeholder = t("alternance_page.input.placeholder", lang) if optional else None
    if p.kind == "int":
        return target.number_input(
            label, value=None if optional else int(p.default), step=int(p.step or 1), key=key, help=help_text,
            persist_state="session", placeholder=placeholder,
        )  # fmt: skip
    decimals = 2 if (p.step or 1) < 0.1 else (1 if (p.step or 1) < 1 else 0)
    # decimals in the reader's format ("1,18" in French, review G5); no bounds or step here: the table says
    # what is out of range (number_field only refuses what is not a number, keeping the last value)
    return number_field(
        label, None if optional else float(p.default), lang, key=key, decimals=decimals, optional=optional,
        help=help_text, placeholder=placeholder, container=target,
    )  # fmt: skip


def param_widgets(table: calculator.CalculatorTable, sections: tuple[str, ...], lang: str, columns: int = 2) -> dict:
    """Main parameters of ``sections`` in columns (two: labels and options are never cut), the advanced ones in
    an expander. Returns raw values."""
    raw: dict[str, object] = {}
    main = [p for s in sections for p in table.section(s, advanced=False)]
    cols = st.columns(columns)
    for i, p in enumerate(main):
        raw[p.name] = param_widget(p, lang, cols[i % columns], optional=p.name in table.optional)
    advanced = [p for s in sections for p in table.section(s, advanced=True)]
    if advanced:
        with st.expander(t("alternance.calc.advanced", lang)):
            cols = st.columns(columns)
            for i, p in enumerate(advanced):
                raw[p.name] = param_widget(p, lang, cols[i % columns], optional=p.name in table.optional)
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
    """Stacked horizontal bars: per system, the EUR paid by each party (tooltip: line items). Parties that pay
    nothing in either system get no legend entry."""
    df = split_frame(results, lang)
    df = df[df["eur"] != 0]
    paying = [p for p in costsplit.PARTIES if p in set(df["party_code"])]
    order = [t(f"alternance.party.{p}", lang) for p in paying]
    colours = [PARTY_COLOURS[p] for p in paying]
    chart = (  # no title on screen (the section heading says it; a long title is cut on a phone): see export_spec
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("system:N", title=None, sort=None),
            x=alt.X("sum(eur):Q", title=t("alternance.chart.eur", lang), axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "party:N",
                title=t("alternance.chart.party", lang),
                scale=alt.Scale(domain=order, range=colours),
                legend=alt.Legend(columns=1),  # one entry a line: never cut on a 390 px phone
            ),
            order=alt.Order("party_code:N"),
            tooltip=[
                alt.Tooltip("system:N", title=t("alternance.chart.system", lang)),
                alt.Tooltip("party:N", title=t("alternance.chart.party", lang)),
                alt.Tooltip("item:N", title=t("alternance.chart.item", lang)),
                alt.Tooltip("eur:Q", title="EUR", format=",.0f"),
            ],
        )
        .properties(height=alt.Step(48), width="container")
    )
    return chartstyle.finish(chart, lang)


def sensitivity_frame(
    rows: list[outcomes.SensitivityRow], table: calculator.CalculatorTable, lang: str
) -> pd.DataFrame:
    """Tornado data: one row per (system, parameter) with the result at the low and high ends. ``param`` is the
    input's label (wrapped at 32 characters) and its range on lines split by ``|``; ``row`` is unique per system."""
    records = []
    for r in rows:
        p = table[r.param]
        unit = f" {p.unit(lang)}" if p.unit(lang) else ""
        records.append(
            {
                "system": t(f"alternance.system.{r.system}", lang),
                "param": "|".join([*textwrap.wrap(p.label(lang), 32), f"({plain(r.low)}–{plain(r.high)}{unit})"]),
                "row": f"{r.system}:{r.param}",
                "result_low": r.result_low,
                "result_high": r.result_high,
                "base": r.base,
            }
        )
    return pd.DataFrame.from_records(records, columns=["system", "param", "row", "result_low", "result_high", "base"])


def sensitivity_chart(
    rows: list[outcomes.SensitivityRow], table: calculator.CalculatorTable, metric: str, lang: str
) -> alt.Chart:
    """Tornado chart: how the metric moves across each input's range (others kept), both systems on ONE euro
    scale (coloured by system) so that their bars compare; the black tick is the current value."""
    df = sensitivity_frame(rows, table, lang).dropna(subset=["result_low", "result_high"])
    if df.empty:
        return chartstyle.finish(alt.Chart(pd.DataFrame({"x": []})).mark_point(), lang)
    labels = dict(zip(df["row"], df["param"], strict=True))
    present = [c for c in costsplit.SYSTEMS if t(f"alternance.system.{c}", lang) in set(df["system"])]
    names, colours = [t(f"alternance.system.{c}", lang) for c in present], [SYSTEM_COLOURS[c] for c in present]
    y = alt.Y(
        "row:N", title=None, sort=list(df["row"]),
        axis=alt.Axis(labelExpr=f"split({json.dumps(labels)}[datum.value], '|')", labelLimit=300, labelPadding=6),
    )  # fmt: skip
    base = alt.Chart(df).encode(y=y)
    bars = base.mark_bar(opacity=0.8, height=18).encode(
        x=alt.X("result_low:Q", title="EUR", axis=alt.Axis(format=",.0f")),
        x2="result_high:Q",
        color=alt.Color("system:N", title=None, scale=alt.Scale(domain=names, range=colours)),
        tooltip=[
            alt.Tooltip("system:N", title=t("alternance.chart.system", lang)),
            alt.Tooltip("param:N", title=t("alternance.chart.input", lang)),
            alt.Tooltip("result_low:Q", title=t("alternance.chart.at_low", lang), format=",.0f"),
            alt.Tooltip("result_high:Q", title=t("alternance.chart.at_high", lang), format=",.0f"),
        ],
    )
    tick = base.mark_tick(color="black", thickness=2, size=24).encode(x="base:Q")
    # The metric is named by the control above the chart (and in the exported file's title): a long title or
    # axis title would be cut on a phone.
    chart = (bars + tick).properties(width="container", height=alt.Step(54))
    return chartstyle.finish(chart, lang)


def export_spec(chart: alt.Chart, lines: list[str], title: str | None = None) -> str:
    """``chart`` as a Vega-Lite JSON for a PNG/SVG file: a fixed width (no container to fill) and, under its
    title (``title``, else the chart's own), the lines that say its source, status and date (screens review A11)."""
    spec = chart.to_dict()
    own = spec.get("title")
    text = title or (own.get("text", "") if isinstance(own, dict) else (own or ""))
    spec["title"] = {"text": text, "subtitle": lines, "subtitleFontSize": 13, "subtitleColor": "#31333f"}
    spec["width"] = 760
    return json.dumps(spec)


def export_lines(status: str, source_ids: list[str], lang: str) -> list[str]:
    """Source, status and date lines for an exported chart."""
    found = sources(lang)
    names = " ; ".join(dict.fromkeys(f"{found[s].publisher}" for s in source_ids if s in found))
    return [
        t("alternance_page.export.chart_source", lang, sources=names),
        t("alternance_page.export.chart_status", lang, status=t(f"status.{status}", lang),
          date=long_date(date.today(), lang)),
    ]  # fmt: skip


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


def validated(table: calculator.CalculatorTable, raw: dict, lang: str) -> tuple[calculator.Inputs, list[str]]:
    """The inputs to compute with and the problems to show. A value out of its bounds is not used: the figures
    keep the last valid inputs of this session (or the defaults) and the page says they did not update."""
    try:
        inputs = table.validate(raw)
    except InvalidParams as exc:
        last = st.session_state.get("alt_last_valid")
        return (last if isinstance(last, calculator.Inputs) else table.defaults()), issue_messages(exc, table, lang)
    st.session_state["alt_last_valid"] = inputs
    return inputs, []


def show_issues(messages: list[str], lang: str) -> None:
    """The problems, then one line saying the figures shown are those of the last valid inputs."""
    if messages:
        st.error("\n\n".join(messages) + "\n\n" + t("alternance_page.input.not_updated", lang), icon=":material/error:")


def system_statuses(table: calculator.CalculatorTable, illustrative: list[str]) -> dict[str, str]:
    """Each system's result status: ``illustrative`` while an input it uses is still a demonstration value."""
    out = dict.fromkeys(costsplit.SYSTEMS, "estimate")
    for name in illustrative:
        for system in outcomes.relevant_systems(table[name]):
            out[system] = "illustrative"
    return out


def show_headline(items: list[compare_view.HeadlineItem], lang: str) -> None:
    """The first screen of the page: four cards per system (see :func:`gtec.alternance.compare_view.headline`)."""
    found = sources(lang)
    st.html(HEAD_CSS)
    with st.container(key="alt_head"):
        for system in compare_view.HEADLINE_SYSTEMS:
            st.html(f'<div class="alt-sys">{html.escape(t(f"alternance.system.{system}", lang))}</div>')
            figure_cards(
                [Figure(i.label, i.value, note=i.note or None, sources=tuple(found[s] for s in i.source_ids),
                        status=i.status, method=i.method or None) for i in items if i.system == system],
                lang, columns=3,
            )  # fmt: skip


HEAD_CSS = """<style>
.st-key-alt_head .alt-sys{font-size:1.15rem;font-weight:600;margin:0.1rem 0 -0.45rem 0}
.st-key-alt_head .gtec-cards{margin:0.2rem 0 0.3rem 0;grid-template-columns:repeat(auto-fit,minmax(13.5rem,1fr))}
@media (max-width: 640px){.st-key-alt_head .gtec-cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
.st-key-alt_head .gtec-card{padding:0.45rem 0.75rem 0.4rem}
.st-key-alt_head .gtec-card .val{font-size:1.65rem}
.st-key-alt_head .gtec-card .lbl{min-height:0}
.st-key-alt_head .gtec-card summary{font-size:0.8rem}
.st-key-alt_head [data-testid="stVerticalBlock"]{gap:0.3rem}
</style>"""


def show_split(split: costsplit.CostSplit, lang: str, status: str = "estimate") -> None:
    """Total, company and public amounts (with shares) for one system, and what the learner is paid."""
    st.markdown(f"#### {t(f'alternance.system.{split.system}', lang)}")
    by_party, shares = split.by_party(), split.shares()
    method = t("alternance.calc.method", lang)
    figure_cards(
        [
            Figure(t("alternance.calc.total_year", lang, months=split.months), eur(split.total_eur, lang),
                   status=status, method=method),
            Figure(t("alternance.party.company", lang), eur(by_party["company"], lang), status=status, method=method,
                   compare=t("alternance.calc.share", lang, share=pct(shares["company"], lang))),
            Figure(t("alternance.party.public", lang), eur(by_party["public"], lang), status=status, method=method,
                   compare=t("alternance.calc.share", lang, share=pct(shares["public"], lang))),
        ],
        lang,
    )  # fmt: skip
    colon = t("card.colon", lang)
    others = [f"{t(f'alternance.party.{p}', lang)}{colon}{eur(by_party[p], lang)}" for p in ("training", "learner")]
    st.caption(" · ".join(others))
    if split.system == "fr_appr":
        st.caption(
            t("alternance.calc.appr_pay", lang, pay=eur(split.learner_pay_eur, lang), pct=number(split.rate, lang))
        )
    else:
        st.caption(t("alternance.calc.ktp_rate", lang, rate=number(split.rate * 100, lang),
                     native=number(split.total_native, lang), pay=eur(split.learner_pay_eur, lang)))  # fmt: skip


def split_table(results: tuple[costsplit.CostSplit, ...], lang: str) -> pd.DataFrame:
    """Line items with translated headers, for display and CSV."""
    df = split_frame(results, lang)
    df["share"] = (df["share"] * 100).round(1)
    df = df.drop(columns=["party_code"])
    df.columns = [t(f"alternance.table.{c}", lang) for c in df.columns]
    return df


def show_territory(result: outcomes.TerritoryResult, table: calculator.CalculatorTable, lang: str,
                   status: str = "estimate") -> None:  # fmt: skip
    """Cost per learner retained and per job created (total and public) for one system, each card with its
    status; while the retention is not entered the retention card says what is missing."""
    st.markdown(f"#### {t(f'alternance.system.{result.system}', lang)}")
    source = sources(lang)[result.retention_source]
    colon = t("card.colon", lang)
    method = t("alternance.calc.method", lang)
    if result.missing:
        needed = ", ".join(t("alternance_page.result.input_name", lang, label=table[n].label(lang))
                           for n in result.missing)  # fmt: skip
        retained = Figure(t("alternance.metric.cost_per_retained", lang), t("alternance_page.result.to_enter", lang),
                          note=t("alternance_page.result.missing", lang, inputs=needed), sources=(source,),
                          status="estimate", method=method)  # fmt: skip
    else:
        retained = Figure(
            t("alternance.metric.cost_per_retained", lang),
            eur(result.cost_per_retained, lang),
            compare=t("alternance.metric.public_per_retained", lang) + colon + eur(result.public_per_retained, lang),
            sources=(source,),
            status=status,
            method=method,
        )
    figure_cards(
        [
            retained,
            Figure(t("alternance.metric.cost_per_job", lang), eur(result.cost_per_job, lang),
                   compare=t("alternance.metric.public_per_job", lang) + colon + eur(result.public_per_job, lang),
                   status=status, method=method),
        ],
        lang,
    )  # fmt: skip
    retention = pct(result.retention, lang) if result.retention is not None else t("alternance_page.result.no", lang)
    st.caption(
        t("alternance.territory.basis", lang, total=eur(result.total_eur, lang), retention=retention,
          jobs=number(result.jobs, lang, 2), source=source.title(lang), status=t(f"status.{source.status}", lang))
    )  # fmt: skip


def page_source_ids(data: comparison.Bundle) -> list[str]:
    """Every source the page's figures and defaults rely on."""
    ids = data.table.source_ids() | {f["source_id"] for f in data.facts}
    return sorted(ids)


def summary_page(
    data: comparison.Bundle,
    inputs: calculator.Inputs,
    illustrative: list[str],
    splits: tuple[costsplit.CostSplit, ...],
    results: dict[str, outcomes.TerritoryResult],
    split_png: bytes | None,
    lang: str,
) -> str:
    """The one-page printable summary (:func:`gtec.alternance.summary.summary_html`) for the current inputs."""
    statuses = system_statuses(data.table, illustrative)
    return summary.summary_html(
        table=data.table, inputs=inputs, illustrative=illustrative, splits=splits, results=results,
        statuses=statuses, items=compare_view.headline(data, splits, statuses, lang), sources=sources(lang),
        source_ids=page_source_ids(data), notes=[t(f"alternance.note.{n}", lang) for s in splits for n in s.notes],
        chart_png=split_png, lang=lang, dated=date.today(),
    )  # fmt: skip


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
