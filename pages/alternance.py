"""French alternance vs UK Knowledge Transfer Partnerships: facts side by side, who pays what, cost per learner
retained and per job for the territory, exports (CSV, PNG/SVG, printable summary)."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import charts_alternance as ca
from components.charts import show
from components.provenance import badge, sources_list, status_markdown
from components.session import current_lang, intro
from gtec.alternance import calculator, comparison, costsplit, outcomes
from gtec.core.export import to_safe_csv
from gtec.core.fmt import number
from gtec.core.i18n import t
from gtec.core.params import InvalidParams

lang = current_lang()
data = ca.bundle()
table = data.table
st.title(t("alternance.title", lang))
intro(t("alternance.intro", lang))
tab_compare, tab_calc, tab_territory, tab_export = st.tabs(
    [t("alternance.tab.compare", lang), t("alternance.tab.calc", lang), t("alternance.tab.territory", lang),
     t("alternance.tab.export", lang)]
)  # fmt: skip

with tab_compare:
    st.html(ca.comparison_html(lang))
    st.caption(t("alternance.compare.note", lang))
with tab_calc:
    raw = ca.param_widgets(table, ("common", "appr", "ktp"), lang)
with tab_territory:
    raw |= ca.param_widgets(table, ("territory",), lang)

try:
    inputs = table.validate(raw)
except InvalidParams as exc:
    ca.show_issues(exc, table, lang)
    st.stop()

year_splits = costsplit.splits(table, inputs, "year")
illustrative = calculator.illustrative_inputs(table, inputs, {k: s.status for k, s in data.sources.items()})
split_chart = ca.split_chart(year_splits, lang)

with tab_calc:
    st.subheader(t("alternance.calc.result_title", lang))
    status = "illustrative" if illustrative else "estimate"
    st.markdown(f"{status_markdown(status, lang)} {t(f'alternance.calc.status_{status}', lang)}")
    if illustrative:
        names = ", ".join(table[n].label(lang) for n in illustrative)
        st.warning(t("alternance.calc.illustrative_inputs", lang, names=names), icon=":material/science:")
    for col, split in zip(st.columns(2), year_splits, strict=True):
        with col:
            ca.show_split(split, lang, status)
    show(split_chart, lang, theme=None)
    with st.expander(t("alternance.calc.items", lang)):
        st.dataframe(ca.split_table(year_splits, lang), hide_index=True, width="stretch")
    st.info("\n\n".join(t(f"alternance.note.{n}", lang) for s in year_splits for n in s.notes), icon=":material/info:")

results = outcomes.territory_results(table, inputs)
with tab_territory:
    st.subheader(t("alternance.territory.result_title", lang))
    if inputs["appr_retention_basis"] == "territory":
        st.markdown(t("alternance.territory.own_figure", lang))
        badge(data.sources["gtec-territory-retention"], lang)
    for col, system in zip(st.columns(2), costsplit.SYSTEMS, strict=True):
        with col:
            ca.show_territory(results[system], lang, status)
    metric = st.segmented_control(
        t("alternance.territory.metric", lang), list(outcomes.METRICS), default="cost_per_retained",
        format_func=lambda m: t(f"alternance.metric.{m}", lang), key="wbl_metric", required=True,
        persist_state="session",
    )  # fmt: skip
    rows = outcomes.sensitivity(table, inputs, metric or "cost_per_retained")
    sens_chart = ca.sensitivity_chart(rows, table, metric or "cost_per_retained", lang)
    show(sens_chart, lang, width="content", theme=None)
    st.caption(t("alternance.territory.sensitivity_note", lang))

with tab_export:
    st.subheader(t("alternance.export.title", lang))
    c1, c2, c3 = st.columns(3)
    compare_df = comparison.comparison_frame(data, lang)
    c1.download_button(
        t("alternance.export.compare_csv", lang), ("\ufeff" + to_safe_csv(compare_df, lang)).encode("utf-8"),
        file_name="alternance_ktp_comparison.csv", mime="text/csv", icon=":material/table:",
    )  # fmt: skip
    c1.download_button(
        t("alternance.export.split_csv", lang),
        ("\ufeff" + to_safe_csv(ca.split_table(year_splits, lang), lang)).encode(),
        file_name="alternance_ktp_cost_split.csv", mime="text/csv", icon=":material/table:",
    )  # fmt: skip
    split_json, sens_json = split_chart.to_json(), sens_chart.to_json()
    # Images and the summary are made on request (vl-convert takes about a second), then kept for these inputs.
    signature = hash((split_json, sens_json, lang))
    ready = st.session_state.get("alt_exports")
    if ready is None or ready["signature"] != signature:
        ready = None
        if c2.button(t("alternance.export.prepare", lang), icon=":material/autorenew:"):
            ready = {
                "signature": signature,
                "split_png": ca.png_cached(split_json),
                "split_svg": ca.svg_cached(split_json),
                "sens_png": ca.png_cached(sens_json),
                "sens_svg": ca.svg_cached(sens_json),
                "summary": ca.summary_page(data, year_splits, results, split_json, lang),
            }
            st.session_state["alt_exports"] = ready
    if ready is None:
        c3.caption(t("alternance.export.prepare_help", lang))
    else:
        c2.download_button(t("alternance.export.split_png", lang), ready["split_png"],
                           file_name="cost_split.png", mime="image/png", icon=":material/image:")  # fmt: skip
        c2.download_button(t("alternance.export.split_svg", lang), ready["split_svg"],
                           file_name="cost_split.svg", mime="image/svg+xml", icon=":material/image:")  # fmt: skip
        c2.download_button(t("alternance.export.sens_png", lang), ready["sens_png"],
                           file_name="sensitivity.png", mime="image/png", icon=":material/image:")  # fmt: skip
        c2.download_button(t("alternance.export.sens_svg", lang), ready["sens_svg"],
                           file_name="sensitivity.svg", mime="image/svg+xml", icon=":material/image:")  # fmt: skip
        c3.download_button(t("alternance.export.summary", lang), ready["summary"],
                           file_name="alternance_ktp_summary.html", mime="text/html", icon=":material/print:",
                           type="primary")  # fmt: skip
    c3.caption(t("alternance.export.summary_help", lang))
    st.caption(
        t("alternance.export.total_line", lang, appr=number(year_splits[0].total_eur, lang),
          ktp=number(year_splits[1].total_eur, lang))
    )  # fmt: skip

sources_list([data.sources[s] for s in ca.page_source_ids(data)], lang)
