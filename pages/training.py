"""Training and needs: is the territory training people for the jobs it will have to fill? (issue 18)."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import data, scenario_ui, session, training_ui
from components.figure_card import Figure, figure_cards
from components.provenance import sources_list
from components.session import current_actor, current_lang
from components.territory_picker import pick_territory
from gtec.core import auth, export, fmt
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.scenarios import loader
from gtec.training import crosswalk, display, needs, service, store

lang, actor = current_lang(), current_actor()
st.title(t("training.title", lang))
session.intro(t("training.intro", lang))
base = scenario_ui.base()
territory_id = pick_territory(lang, levels=loader.SCENARIO_LEVELS)
settings, scenario_name = training_ui.scenario_settings(lang, base.base_year)
if not base.coverage(territory_id)[0]:
    st.info(t("training.no_scenario_data", lang))
    st.stop()
if store.current_version(session.workspace()) is None:  # nothing imported: the switch shows off and cannot move
    use_offer = st.toggle(
        t("training.use_offer", lang), value=False, disabled=True, key="tr_use_offer_none", persist_state="session",
        help=t("training.use_offer_help", lang),
    )  # fmt: skip
else:
    use_offer = st.toggle(
        t("training.use_offer", lang), value=True, key="tr_use_offer", persist_state="session",
        help=t("training.use_offer_help", lang),
    )  # fmt: skip
analysis = service.analyse(data.reference(), session.workspace(), base, territory_id, settings, use_offer=use_offer)
version = analysis.version
srcs = data.sources()
used = [i for i in base.source_ids if i != scenario_ui.SENSITIVITIES_SOURCE or scenario_ui.drivers_moved(settings)]
scenario_sources = tuple(srcs[i] for i in used if i in srcs)  # sensitivities count only when a driver is set
offer_sources = (store.source_of(version), crosswalk.load().source) if version else ()
bmo_sources = tuple(srcs[i] for i in (needs.BMO_SOURCE,) if i in srcs)

st.markdown(f"### {md(base.name(territory_id))} · {base.base_year} → {settings.horizon}")
entrants_note = (
    t("training.entrants_from_offer", lang, version=version["number"], producer=version["producer"])
    if analysis.use_offer and version
    else t("training.entrants_default", lang)
)
st.caption(f"{t('training.scenario_used', lang, name=md(scenario_name))} · {md(entrants_note)}")

table = analysis.table
totals = table[["output", "openings", "entrants_offer", "entrants_default"]].sum(min_count=1)
short = table.loc[table["gap_class"] == "short"]
figure_cards(
    [
        Figure(t("training.kpi.output", lang), fmt.number(totals["output"], lang), sources=offer_sources,
               method=t("training.kpi_help.output", lang)),
        Figure(t("training.kpi.entrants", lang),
               fmt.number(totals["entrants_offer"] if analysis.use_offer else totals["entrants_default"], lang),
               sources=(*offer_sources, *scenario_sources) if analysis.use_offer else scenario_sources,
               method=t("training.kpi_help.entrants", lang)),
        Figure(t("training.kpi.openings", lang), fmt.number(totals["openings"], lang), sources=scenario_sources,
               method=t("training.kpi_help.openings", lang)),
        Figure(t("training.kpi.short", lang), fmt.number(len(short) if analysis.use_offer else None, lang),
               note=", ".join(short["label_" + lang].head(3)) if analysis.use_offer else None,
               sources=(*offer_sources, *scenario_sources), method=t("training.kpi_help.short", lang)),
    ],
    lang, columns=4,
)  # fmt: skip
# what is missing comes after the cards, so that the first screen holds the figures (issue 11)
if version is None:
    st.info(t("training.no_offer", lang), icon=":material/school:")
    training_ui.template_downloads(lang)
    if not auth.can(actor, "training.import"):
        st.caption(t("training.no_offer_reader", lang))
elif analysis.offer.empty:
    st.warning(t("training.no_offer_here", lang, version=version["number"]))

st.markdown(f"**{t('training.table_title', lang)}**")
st.dataframe(
    display.gap_rows(table, lang), hide_index=True, width="stretch", height=42 + 36 * len(table),
    column_config={t("training.col.family", lang): st.column_config.TextColumn(width="medium", pinned=True)},
)  # fmt: skip
declared_title = str(analysis.declared["title"]) if analysis.declared else None
st.caption(md(display.column_sources(scenario_sources, offer_sources, bmo_sources, declared_title, lang)))
st.markdown("\n".join(f"- {md(display.caveat_text(k, v, lang))}" for k, v in analysis.caveats))
with st.expander(t("training.breakdown_title", lang)):
    st.dataframe(display.breakdown_rows(table, lang), hide_index=True, width="stretch")
provenance = {
    "openings": " + ".join(f"{s.id} ({s.status})" for s in scenario_sources),
    "offer": " + ".join(f"{s.id} ({s.status})" for s in offer_sources) or t("training.no_offer_short", lang),
    "bmo": " + ".join(f"{s.id} ({s.status})" for s in bmo_sources),
    "declared": declared_title or t("training.no_declared_short", lang),
}
st.download_button(
    t("common.download_csv", lang),
    export.to_safe_csv_bytes(needs.export_frame(table, lang, provenance)),
    file_name=f"training-needs-{territory_id}-{settings.horizon}.csv", mime="text/csv", on_click="ignore",
)  # fmt: skip

with st.expander(t("training.unmapped.title", lang), expanded=False):
    training_ui.unmapped_panel(lang, actor, base.families)
if auth.can(actor, "training.import"):
    with st.expander(t("training.admin.title", lang), expanded=version is None, icon=":material/upload_file:"):
        if version is not None:
            training_ui.template_downloads(lang)
        training_ui.import_panel(lang, actor)
sources_list([*offer_sources, *scenario_sources, *bmo_sources], lang)
