"""Streamlit side of the scenario page: cached inputs, sliders drawn from the parameter table, URL sync,
presets and the saved-scenarios panel. The model and the charts are pure (gtec.scenarios.engine,
gtec.scenarios.charts)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data, session
from components.charts import show
from components.provenance import source_line, status_markdown
from gtec.core import auth, fmt
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.provenance import Source, weakest_status
from gtec.core.text import html, md_values
from gtec.maps.layers import round_geometry
from gtec.scenarios import charts, engine, loader, params, store
from gtec.storage.workspace import name_key
from gtec.territories import geometry as territory_geometry

PREFIX = "sc_"  # session-state keys of the sliders
URL_KEYS = (*(p.name for p in params.PARAMETERS), "horizon")
TERRITORY_KEY = "territory"  # shared with components.territory_picker (same URL parameter as the other pages)


@data.per_build(resource=True, max_entries=2)
def base() -> loader.ScenarioBase:
    """Engine inputs for every EPCI (read once per reference build, shared read-only by all sessions)."""
    return loader.load_base(data.reference())


@data.per_build(max_entries=32)
def features(level: str, ids: tuple[str, ...], resolution: str = "national") -> dict:
    """GeoJSON of some territories at ``resolution``, coordinates rounded (cached per selection)."""
    fc = territory_geometry.layer_feature_collection(data.reference(), level, resolution, ids=ids)
    for feat in fc["features"]:
        feat["geometry"] = round_geometry(feat["geometry"], 3)
    return fc


def init_state(base_year: int, lang: str) -> None:
    """First visit of the page in this session: slider values from the URL (validated; bad values are reported
    and replaced by defaults)."""
    if st.session_state.get(f"{PREFIX}ready"):
        return
    settings, errors = params.settings_from_query(st.query_params.to_dict(), base_year)
    apply_settings(settings)
    st.session_state[f"{PREFIX}url_errors"] = [t(e.key, lang, **md_values(e.values)) for e in errors]
    st.session_state[f"{PREFIX}ready"] = True


def apply_settings(settings: params.Settings) -> None:
    """Put settings into the widgets' session state (callbacks only: before the widgets are drawn)."""
    for p in params.PARAMETERS:
        value = settings[p.name]
        st.session_state[PREFIX + p.name] = round(value) if _is_int(p) else _snap(value)
    st.session_state[f"{PREFIX}horizon"] = settings.horizon


def current_settings(base_year: int) -> params.Settings:
    """Settings from the widgets, validated again by the parameter table."""
    values = {p.name: st.session_state.get(PREFIX + p.name, p.default) for p in params.PARAMETERS}
    horizon = st.session_state.get(f"{PREFIX}horizon", params.DEFAULT_HORIZON)
    return params.settings_from_mapping(values, horizon, base_year)


def sync_url(settings: params.Settings) -> None:
    """Keep the settings in the URL as plain values (only those that differ from the defaults)."""
    wanted = params.settings_to_query(settings)
    for key in URL_KEYS:
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def _apply_preset(lang: str) -> None:
    preset = st.session_state.get(f"{PREFIX}preset")
    if preset:
        horizon = st.session_state.get(f"{PREFIX}horizon", params.DEFAULT_HORIZON)
        apply_settings(params.preset_settings(preset, horizon))


def preset_picker(lang: str) -> None:
    """Preset buttons; choosing one sets every slider."""
    st.pills(
        t("scenario.presets", lang),
        list(params.PRESET_IDS),
        format_func=lambda p: t(f"scenario.preset.{p}.label", lang),
        key=f"{PREFIX}preset",
        on_change=_apply_preset,
        args=(lang,),
        persist_state="session",
    )
    preset = st.session_state.get(f"{PREFIX}preset")
    if preset:
        st.caption(t(f"scenario.preset.{preset}.description", lang))


def sliders(lang: str) -> None:
    """One slider per declared parameter, grouped; labels, units, ranges, steps and help from the table."""
    for group in params.PARAMETER_GROUPS:
        with st.expander(t(f"scenario.group.{group}", lang), expanded=group == "drivers"):
            for p in params.PARAMETERS:
                if p.group != group:
                    continue
                label = f"{p.label(lang)} ({p.unit(lang)})"
                if _is_int(p):
                    st.slider(
                        label, min_value=int(p.min), max_value=int(p.max), step=int(p.step), key=PREFIX + p.name,
                        help=p.help(lang), format="%d", persist_state="session",
                    )  # fmt: skip
                    continue
                # A decimal driver: its steps as options, so the value reads "-0,10" in French (st.slider's printf
                # format always draws a dot: screens review S10).
                st.select_slider(
                    label, options=_steps(p), key=PREFIX + p.name, help=p.help(lang), persist_state="session",
                    format_func=lambda v, p=p: fmt.number(v, lang, p.decimals),
                )  # fmt: skip


def _is_int(p: params.Param) -> bool:
    return float(p.step).is_integer() and float(p.min).is_integer()


def _steps(p: params.Param) -> list[float]:
    """Every value a decimal parameter may take (its min to its max by its step), rounded like the settings."""
    n = round((float(p.max) - float(p.min)) / float(p.step))
    return [_snap(float(p.min) + i * float(p.step)) for i in range(n + 1)]


def _snap(value: float) -> float:
    """A decimal value as the sliders' options hold it (so that a value from the URL or a preset is one of them)."""
    return round(float(value), 6) + 0.0  # + 0.0: no "-0.0" option


def _load_saved(lang: str) -> None:
    sid = st.session_state.get(f"{PREFIX}load_choice")
    saved = store.get_scenario(session.workspace(), int(sid)) if sid is not None else None
    if saved is None:
        st.session_state[f"{PREFIX}flash"] = ("error", t("scenario.saved.missing", lang))
        return
    apply_settings(saved.settings)
    st.session_state[f"{PREFIX}preset"] = saved.preset or None
    terr = data.territory(saved.territory_id)
    if terr:  # move the shared territory picker (same keys as components.territory_picker)
        st.session_state[f"_{TERRITORY_KEY}_id"] = saved.territory_id
        st.session_state[f"{TERRITORY_KEY}_level"] = terr["level"]
        st.session_state[f"{TERRITORY_KEY}_select_{terr['level']}"] = saved.territory_id
        st.query_params[TERRITORY_KEY] = saved.territory_id
    st.session_state[f"{PREFIX}loaded"] = (saved.name, saved.version)  # a later overwrite checks this version
    st.session_state[f"{PREFIX}flash"] = ("success", t("scenario.saved.loaded", lang, name=saved.name))


def saved_panel(
    lang: str, actor: auth.Actor, territory_id: str, settings: params.Settings
) -> list[store.SavedScenario]:
    """Save the current settings (facilitators and admins), reload or delete a saved scenario. Returns the list."""
    flash = st.session_state.pop(f"{PREFIX}flash", None)
    if flash:
        getattr(st, flash[0])(flash[1])
    may_save = auth.can(actor, "scenario.save")
    with st.form(f"{PREFIX}save_form", clear_on_submit=False, border=True):
        st.markdown(f"**{t('scenario.saved.save_title', lang)}**")
        name = st.text_input(t("scenario.saved.name", lang), max_chars=params.MAX_NAME_LENGTH, disabled=not may_save)
        overwrite = st.checkbox(t("scenario.saved.overwrite", lang), disabled=not may_save)
        submitted = st.form_submit_button(t("scenario.saved.save", lang), type="primary", disabled=not may_save)
    if not may_save:
        st.caption(t("scenario.saved.sign_in_hint", lang))
    elif submitted:
        try:
            preset = st.session_state.get(f"{PREFIX}preset") or ""
            loaded_name, loaded_version = st.session_state.get(f"{PREFIX}loaded") or ("", None)
            version = loaded_version if name_key(loaded_name) == name_key(name or "") else None
            ws = session.workspace()
            sid = store.save_scenario(
                ws, actor, name, territory_id, settings, preset, overwrite=overwrite, version=version
            )
            mine = store.get_scenario(ws, sid)
            if mine is not None:
                st.session_state[f"{PREFIX}loaded"] = (mine.name, mine.version)
            st.success(t("scenario.saved.done", lang, name=store.validate_name(name)))
        except UserError as exc:
            st.error(t(exc.key, lang, **md_values(exc.values)))
        except auth.PermissionDenied:
            st.error(t("scenario.saved.denied", lang))
    saved = store.list_scenarios(session.workspace())
    if not saved:
        st.caption(t("scenario.saved.none", lang))
        return saved

    def label(s: store.SavedScenario) -> str:
        terr = data.territory(s.territory_id)
        return f"{s.name} · {terr['name'] if terr else s.territory_id} · {s.settings.horizon}"

    labels = {s.id: label(s) for s in saved}
    cols = st.columns([3, 1, 1], vertical_alignment="bottom")
    cols[0].selectbox(
        t("scenario.saved.choose", lang),
        list(labels),
        format_func=labels.__getitem__,
        key=f"{PREFIX}load_choice",
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    cols[1].button(t("scenario.saved.load", lang), on_click=_load_saved, args=(lang,), key=f"{PREFIX}load_btn")
    if auth.can(actor, "scenario.delete") and cols[2].button(t("scenario.saved.delete", lang), key=f"{PREFIX}del"):
        sid = st.session_state.get(f"{PREFIX}load_choice")
        if sid is not None and store.delete_scenario(session.workspace(), actor, int(sid)):
            st.session_state[f"{PREFIX}flash"] = ("success", t("scenario.saved.deleted", lang))
            st.rerun()
    return saved


def used_sources(base: loader.ScenarioBase, settings: params.Settings) -> list[Source]:
    """The sources the scenario figures are made from: the base (census jobs, regional family structure) always;
    the drivers' sensitivities (project assumptions) only when a driver is moved away from zero."""
    srcs = data.sources()
    return [srcs[s] for s in base.source_ids if s in srcs and (s != SENSITIVITIES_SOURCE or drivers_moved(settings))]


def figure_status(base: loader.ScenarioBase, settings: params.Settings) -> str:
    """The status of the scenario figures: the weakest status of what they were made from."""
    srcs = data.sources()
    used = [s for s in base.source_ids if s != SENSITIVITIES_SOURCE or drivers_moved(settings)]
    return weakest_status(srcs[s].status if s in srcs else None for s in used)


def status_line(lang: str, base: loader.ScenarioBase, settings: params.Settings) -> str:
    """The status badge of the scenario figures (:func:`figure_status`) and what they are made from."""
    status = figure_status(base, settings)
    note = "scenario.status_note.illustrative" if status == "illustrative" else "scenario.status_note.estimate"
    return f"{status_markdown(status, lang)} {t(note, lang)}"


#: Five headline cards in one row on a wide screen (the grid's default fits four), two a row on a phone.
CARDS_CSS = """<style>
@media (min-width: 900px) { .st-key-sc_cards .gtec-cards.cols-4 {
  grid-template-columns: repeat(auto-fit, minmax(8.6rem, 1fr)); } }
</style>"""


def chart(chart_: object, lang: str, sources: list[Source], status: str) -> None:
    """A scenario chart and, under it, its source line: status badge, sources and vintages (screens review S12)."""
    show(chart_, lang)
    st.caption(source_line(sources, lang, status))


def results_html(table: pd.DataFrame, lang: str) -> str:
    """The results table as a wrapping HTML table (``components.compare_table`` styles): it fits 1280 px without
    a sideways scroll, and on a phone each family becomes a block with the column names beside the values.
    ``table``: text cells, the first column is the family."""
    from components.compare_table import CSS

    cols = list(table.columns)
    head = "".join(f"<th>{html(c)}</th>" for c in cols)
    rows = []
    for rec in table.itertuples(index=False):
        cells = [f'<td class="first" data-label="{html(cols[0])}">{html(rec[0])}</td>']
        cells += [
            f'<td class="num" data-label="{html(c)}">{html(v)}</td>' for c, v in zip(cols[1:], rec[1:], strict=True)
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = "".join(rows)
    table_ = (
        f'<table class="gtec-cmp sc-results {html(lang)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )
    return f"<style>{CSS}{RESULTS_CSS}</style>{table_}"


#: The family column wide enough for whole words, the figures right-aligned (on a wide screen).
RESULTS_CSS = """
@media (min-width: 641px) {
  .sc-results td.first { width: 34%; overflow-wrap: normal; hyphens: auto; }
  .sc-results td.num, .sc-results th:not(:first-child) { text-align: right; }
}
"""


def features_for(level: str, ids: tuple[str, ...]) -> dict:
    """The map's geometry: detailed outlines for a close-up of a few territories (the national layer's coarse
    simplification drew white triangles in the Golfe du Morbihan), the national layer otherwise."""
    return features(level, ids, charts.map_resolution(len(ids)))


SENSITIVITIES_SOURCE = "gtec-scenario-sensitivities"
#: Sources of the outlines drawn on the scenario map (France, Belgium).
GEOMETRY_SOURCES: tuple[str, ...] = ("ign-admin-express",)


def sources_text(sources: list[Source], lang: str) -> str:
    """Sources in plain text for an exported file: "title (publisher, vintage)" joined by "; "."""
    parts = []
    for s in sources:
        extra = ", ".join(x for x in (s.publisher, s.vintage_text(lang)) if x)
        parts.append(f"{s.title(lang)} ({extra})" if extra else s.title(lang))
    return t("provenance.list_sep", lang).join(parts)


def drivers_moved(settings: params.Settings) -> bool:
    """True when a growth driver or the crisis is set (they act through the declared sensitivities)."""
    return any(settings[name] != 0 for name in (*params.GROWTH_DRIVERS, "crisis_depth"))


def compare_panel(lang: str, base: loader.ScenarioBase, saved: list[store.SavedScenario]) -> None:
    """Two saved scenarios side by side: key figures (each on its own territory) and the settings that differ."""
    st.markdown(f"**{t('scenario.compare.title', lang)}**")
    by_id = {s.id: s for s in saved}
    cols = st.columns(2)
    a = cols[0].selectbox(
        "A",
        list(by_id),
        format_func=lambda i: by_id[i].name,
        key=f"{PREFIX}cmp_a",
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    b = cols[1].selectbox(
        "B",
        list(by_id),
        index=1,
        format_func=lambda i: by_id[i].name,
        key=f"{PREFIX}cmp_b",
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    rows = {}
    for label, sid in (("A", a), ("B", b)):
        s = by_id[sid]
        if not base.group(s.territory_id):
            rows[label] = {t("scenario.col.territory", lang): s.territory_id}
            continue
        inputs = base.territory_inputs(s.territory_id).collapse(s.territory_id)
        tot = engine.compute(inputs, s.settings).territory_totals().iloc[0]
        rows[f"{label} · {s.name}"] = {
            t("scenario.col.territory", lang): base.name(s.territory_id),
            t("scenario.horizon", lang): str(s.settings.horizon),
            t("scenario.kpi.openings", lang): fmt.number(tot["openings_per_year"], lang),
            t("scenario.kpi.entrants", lang): fmt.number(tot["entrants_per_year"], lang),
            t("scenario.kpi.imbalance", lang): fmt.number(tot["imbalance_per_year"], lang),
            t("scenario.kpi.rate", lang): fmt.percent(fmt.number(tot["imbalance_rate"], lang, 1), lang),
        }
    st.dataframe(pd.DataFrame(rows), width="stretch")
    diff = store.compare_settings(by_id[a].settings, by_id[b].settings)
    if diff.empty:
        st.caption(t("scenario.compare.same", lang))
        return
    diff["parameter"] = [
        params.PARAM_BY_NAME[p].label(lang) if p in params.PARAM_BY_NAME else t("scenario.horizon", lang)
        for p in diff["parameter"]
    ]
    st.dataframe(
        diff.rename(columns={"parameter": t("scenario.col.parameter", lang)}), hide_index=True, width="stretch"
    )
