"""Foresight scenarios: openings, young entrants and potential imbalances by occupation family, live sliders."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import pandas as pd
import streamlit as st

from components import data, scenario_ui, session
from components.figure_card import Figure, figure_cards
from components.provenance import source_line, sources_list, status_markdown
from components.session import current_actor, current_lang
from components.territory_picker import custom_choices, pick_territory
from gtec.core import export, fmt
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.scenarios import charts, engine, loader, params
from gtec.scenarios import kpi as kpi_
from gtec.territories import custom
from gtec.territories.display import status_text

lang, actor = current_lang(), current_actor()
st.title(t("scenario.title", lang))
session.intro(t("scenario.intro", lang))
customs = [(c.id, c.name, c.members) for c in custom.list_custom(session.workspace()) if c.member_level == "epci"]
base = loader.with_custom(scenario_ui.base(), customs)
scenario_ui.init_state(base.base_year, lang)
for message in st.session_state.pop("sc_url_errors", []):
    st.warning(message)
territory_id = pick_territory(lang, levels=loader.SCENARIO_LEVELS, extra=custom_choices("epci"), imported=True)
with_data, total = base.coverage(territory_id)
if not with_data:
    st.info(t("scenario.no_data", lang))
    st.stop()
if with_data < total:
    st.warning(t("scenario.partial", lang, n=with_data, total=total))


@st.fragment
def workbench() -> None:
    head = st.container()
    left, right = st.columns([1, 2.3], gap="large")
    with left:
        st.segmented_control(
            t("scenario.horizon", lang), list(params.HORIZONS), key="sc_horizon", required=True, persist_state="session"
        )
        scenario_ui.preset_picker(lang)
        scenario_ui.sliders(lang)
    settings = scenario_ui.current_settings(base.base_year)
    scenario_ui.sync_url(settings)
    inputs = base.territory_inputs(territory_id).collapse(territory_id)
    result, reference = (
        engine.compute(inputs, settings),
        engine.compute(inputs, params.Settings.default(settings.horizon)),
    )
    fam = charts.family_frame(result, base.families, lang)
    tot, ref = result.territory_totals().iloc[0], reference.territory_totals().iloc[0]
    status, used = scenario_ui.figure_status(base, settings), scenario_ui.used_sources(base, settings)
    with head:
        st.markdown(f"### {md(base.name(territory_id))} · {base.base_year} → {settings.horizon}")
        st.markdown(scenario_ui.status_line(lang, base, settings))
        headline = [*kpi_.kpis(tot, ref, lang), kpi_.worst_year_kpi(result.yearly(), reference.yearly(), lang)]
        st.html(scenario_ui.CARDS_CSS)
        figure_cards(
            [
                Figure(
                    t(f"scenario.kpi.{k.key}", lang), k.value, delta=k.delta, delta_sign=k.sign, period=k.period,
                    sources=tuple(used), status=status, method=t(f"scenario.kpi_help.{k.key}", lang),
                )
                for k in headline
            ],
            lang, columns=4, container=st.container(key="sc_cards"),
        )  # fmt: skip
        share = kpi_.departures_share(tot)
        st.caption(
            f"{status_markdown(status, lang)} "
            + t("scenario.kpi.departures_share", lang, share=fmt.number(share, lang, 0))
        )
        if note := kpi_.crisis_note(settings, base.base_year):
            st.info(t(note, lang), icon=":material/trending_down:")
    src = data.sources()
    with right:
        tab_keys = ("families", "territories", "compare", "sensitivity", "table", "method")
        tabs = st.tabs([t(f"scenario.tab.{k}", lang) for k in tab_keys], key="sc_tab", on_change="rerun")
        opened = {k: tab for k, tab in zip(tab_keys, tabs, strict=True)}
        if opened["families"].open is not False:
            with opened["families"]:
                st.markdown(f"**{t('scenario.chart.openings', lang)}**")
                scenario_ui.chart(charts.openings_chart(fam, lang), lang, used, status)
                st.markdown(f"**{t('scenario.chart.imbalance', lang)}**")
                scenario_ui.chart(charts.imbalance_chart(fam, lang), lang, used, status)
        if opened["territories"].open is not False:
            with opened["territories"]:
                level, groups = base.units(territory_id)
                agg = engine.compute(base.inputs, settings).aggregate(groups)
                names = base.territories.set_index("id")["name"]
                rates = agg.territory_totals().set_index("territory_id")["imbalance_rate"]
                heat = pd.concat(
                    [charts.family_frame(agg, base.families, lang, i).assign(territory=names.get(u, u))
                     for i, u in enumerate(agg.territory_ids)]
                )  # fmt: skip
                bound = charts.rate_bound(rates, heat["imbalance_rate"])  # one colour scale for map and heatmap
                st.markdown(f"**{t('scenario.chart.map', lang, level=t(f'level.{level}', lang))}**")
                fc = scenario_ui.features_for(level, tuple(sorted(groups)))
                geo = [src[i] for i in scenario_ui.GEOMETRY_SOURCES if i in src]
                scenario_ui.chart(charts.map_chart(fc, rates, names, lang, bound=bound), lang, [*used, *geo], status)
                st.markdown(f"**{t('scenario.chart.heatmap', lang)}**")
                scenario_ui.chart(charts.heatmap_chart(heat, lang, bound=bound), lang, used, status)
        if opened["compare"].open is not False:
            with opened["compare"]:
                table = engine.tornado(inputs, settings)
                band = engine.band(inputs, settings, table)
                st.markdown(f"**{t('scenario.chart.band', lang)}**")
                scenario_ui.chart(charts.band_chart(band, reference.yearly(), lang), lang, used, status)
                st.caption(t("scenario.band_help", lang))
        if opened["sensitivity"].open is not False:
            with opened["sensitivity"]:
                st.markdown(f"**{t('scenario.chart.tornado', lang)}**")
                bands = [src[i] for i in (params.BANDS_SOURCE,) if i in src]  # the -/+ bands are assumptions
                tornado = charts.tornado_chart(engine.tornado(inputs, settings), lang)
                scenario_ui.chart(tornado, lang, [*used, *bands], status)
                st.caption(t("scenario.tornado_help", lang))
        if opened["table"].open is not False:
            with opened["table"]:
                st.html(scenario_ui.results_html(charts.display_table(fam, lang), lang))
                st.caption(source_line(used, lang, status))
                csv = charts.export_table(
                    fam, lang, territory=base.name(territory_id), base_year=base.base_year, settings=settings,
                    status=status_text(status, lang), sources=scenario_ui.sources_text(used, lang),
                )  # fmt: skip
                st.download_button(
                    t("common.download_csv", lang),
                    export.to_safe_csv_bytes(csv, lang),
                    file_name=f"scenario-{territory_id}-{settings.horizon}.csv",
                    mime="text/csv",
                    on_click="ignore",
                )
        if opened["method"].open is not False:
            with opened["method"]:
                st.markdown(t("scenario.method", lang))
                st.dataframe(charts.parameter_frame(lang), hide_index=True, width="stretch")


workbench()
with st.expander(t("scenario.saved.title", lang), icon=":material/bookmark:"):
    current = scenario_ui.current_settings(base.base_year)
    saved = scenario_ui.saved_panel(lang, actor, territory_id, current)
    if len(saved) >= 2:
        scenario_ui.compare_panel(lang, base, saved)
src = data.sources()
ids = kpi_.page_source_ids(base.source_ids, (p.source for p in params.PARAMETERS))
sources_list([src[i] for i in ids if i in src], lang)
