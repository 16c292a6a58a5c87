"""French alternance vs UK Knowledge Transfer Partnerships: headline comparison and sourced facts side by side,
who pays what, cost per learner retained and per job for the territory, exports (CSV, PNG/SVG, one-page summary)."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import charts_alternance as ca
from components.charts import show
from components.provenance import sources_list, status_markdown
from components.session import current_lang, intro
from gtec.alternance import calculator, compare_view, costsplit, outcomes
from gtec.core.export import to_safe_csv_bytes
from gtec.core.fmt import number
from gtec.core.i18n import t

lang = current_lang()
data = ca.bundle()
table = data.table
found = ca.sources(lang)
st.title(t("alternance.title", lang))
tab_compare, tab_calc, tab_territory, tab_export = st.tabs(
    [t("alternance.tab.compare", lang), t("alternance.tab.calc", lang), t("alternance.tab.territory", lang),
     t("alternance.tab.export", lang)]
)  # fmt: skip

with tab_compare:
    head = st.container()  # the headline cards, filled once the calculator has run: the first screen's figures
    intro(t("alternance.intro", lang))
    st.subheader(t("alternance_page.table.title", lang))
    st.html(ca.comparison_html(lang))
    st.caption(t("alternance_page.table.note", lang))
with tab_calc:
    raw = ca.param_widgets(table, ("common", "appr", "ktp"), lang)
    calc_issues = st.container()
with tab_territory:
    raw |= ca.param_widgets(table, ("territory",), lang)
    territory_issues = st.container()

inputs, problems = ca.validated(table, raw, lang)
for box in (calc_issues, territory_issues):
    with box:
        ca.show_issues(problems, lang)

year_splits = costsplit.splits(table, inputs, "year")
illustrative = calculator.illustrative_inputs(table, inputs, {k: s.status for k, s in data.sources.items()})
statuses = ca.system_statuses(table, illustrative)
split_chart = ca.split_chart(year_splits, lang)
with head:
    ca.show_headline(compare_view.headline(data, year_splits, statuses, lang), lang)

with tab_calc:
    st.subheader(t("alternance.calc.result_title", lang))
    status = "illustrative" if illustrative else "estimate"
    st.markdown(f"{status_markdown(status, lang)} {t(f'alternance.calc.status_{status}', lang)}")
    if illustrative:
        names = ", ".join(table[n].label(lang) for n in illustrative)
        st.warning(t("alternance.calc.illustrative_inputs", lang, names=names), icon=":material/science:")
    for col, split in zip(st.columns(2), year_splits, strict=True):
        with col:
            ca.show_split(split, lang, statuses[split.system])
    show(split_chart, lang, theme=None)
    with st.expander(t("alternance.calc.items", lang)):
        st.dataframe(ca.split_table(year_splits, lang), hide_index=True, width="stretch")
    st.info("\n\n".join(t(f"alternance.note.{n}", lang) for s in year_splits for n in s.notes), icon=":material/info:")

results = outcomes.territory_results(table, inputs)
with tab_territory:
    st.subheader(t("alternance.territory.result_title", lang))
    if results["fr_appr"].missing:
        st.info(t("alternance_page.result.retention_help", lang), icon=":material/edit:")
    for col, system in zip(st.columns(2), costsplit.SYSTEMS, strict=True):
        with col:
            ca.show_territory(results[system], table, lang, statuses[system])
    metric = st.segmented_control(
        t("alternance.territory.metric", lang), list(outcomes.METRICS), default="cost_per_retained",
        format_func=lambda m: t(f"alternance.metric.{m}", lang), key="wbl_metric", required=True,
        persist_state="session",
    ) or "cost_per_retained"  # fmt: skip
    sens_chart = ca.sensitivity_chart(outcomes.sensitivity(table, inputs, metric), table, metric, lang)
    show(sens_chart, lang, theme=None)
    st.caption(t("alternance_page.chart.sens_note", lang))

with tab_export:
    st.subheader(t("alternance.export.title", lang))
    left, right = st.columns(2)
    left.download_button(
        t("alternance.export.compare_csv", lang),
        to_safe_csv_bytes(compare_view.csv_frame(data, found, lang), lang),
        file_name="alternance_ktp_comparison.csv", mime="text/csv", icon=":material/table:", on_click="ignore",
    )  # fmt: skip
    left.download_button(
        t("alternance.export.split_csv", lang), to_safe_csv_bytes(ca.split_table(year_splits, lang), lang),
        file_name="alternance_ktp_cost_split.csv", mime="text/csv", icon=":material/table:", on_click="ignore",
    )  # fmt: skip
    lines = ca.export_lines("illustrative" if illustrative else "estimate", ca.page_source_ids(data), lang)
    sens_title = t("alternance_page.chart.sens_title", lang, metric=t(f"alternance.metric.{metric}", lang))
    split_spec = ca.export_spec(split_chart, lines, t("alternance.chart.split_title", lang))
    sens_spec = ca.export_spec(sens_chart, lines, sens_title)
    # Images and the summary are made when their button is clicked (vl-convert takes about a second).
    for key, spec, name in (("split", split_spec, "cost_split"), ("sens", sens_spec, "sensitivity")):
        right.download_button(t(f"alternance.export.{key}_png", lang), lambda spec=spec: ca.png_cached(spec),
                              file_name=f"{name}.png", mime="image/png", icon=":material/image:",
                              on_click="ignore")  # fmt: skip
        right.download_button(t(f"alternance.export.{key}_svg", lang), lambda spec=spec: ca.svg_cached(spec),
                              file_name=f"{name}.svg", mime="image/svg+xml", icon=":material/image:",
                              on_click="ignore")  # fmt: skip
    right.download_button(
        t("alternance.export.summary", lang),
        lambda: ca.summary_page(data, inputs, illustrative, year_splits, results, ca.png_cached(split_spec), lang),
        file_name="alternance_ktp_summary.html", mime="text/html", icon=":material/print:", type="primary",
        on_click="ignore",  # no rerun: a rerun revokes the callable the click is about to run
    )  # fmt: skip
    right.caption(t("alternance_page.export.summary_help", lang))
    st.caption(
        t("alternance.export.total_line", lang, appr=number(year_splits[0].total_eur, lang),
          ktp=number(year_splits[1].total_eur, lang))
    )  # fmt: skip

sources_list([found[s] for s in ca.page_source_ids(data)], lang)
