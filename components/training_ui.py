"""Streamlit side of the "Training and needs" page: scenario carried over, template downloads, the admin's import
(report, versions, rollback) and hand mapping. The logic is in :mod:`gtec.training` (plain Python)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from components import data, scenario_ui, session
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import pick, t
from gtec.core.text import md, md_values
from gtec.imports.limits import limits_from_env
from gtec.scenarios import params
from gtec.scenarios import store as scenario_store
from gtec.training import display, service, store, template
from gtec.training.offer import Checked

PAGE_SETTINGS = 0  # the scenario choice "settings of the Scenarios page"
STATUSES = ("imported", "official", "estimate", "illustrative")


def _error(error: UserError, lang: str) -> None:
    st.error(t(error.key, lang, **md_values(error.values)), icon=":material/error:")


def scenario_settings(lang: str, base_year: int) -> tuple[params.Settings, str]:
    """The scenario whose settings apply: those of the Scenarios page (kept for the session) or a saved one, and
    the horizon (starting from that of the Scenarios page). Returns the settings and the scenario's name."""
    saved = {s.id: s for s in scenario_store.list_scenarios(session.workspace())}
    cols = st.columns([2, 1])
    choice = cols[0].selectbox(
        t("training.scenario", lang), [PAGE_SETTINGS, *saved], key="tr_scenario", persist_state="session",
        format_func=lambda i: t("training.scenario_page", lang) if i == PAGE_SETTINGS else saved[i].name,
        placeholder=t("widget.choose", lang),
    )  # fmt: skip
    chosen = saved.get(choice) if choice != PAGE_SETTINGS else None
    settings = chosen.settings if chosen else scenario_ui.current_settings(base_year)
    horizons = sorted({*params.HORIZONS, settings.horizon})
    if st.session_state.get("tr_horizon") not in horizons:
        st.session_state["tr_horizon"] = settings.horizon
    horizon = cols[1].segmented_control(
        t("scenario.horizon", lang), horizons, key="tr_horizon", required=True, persist_state="session"
    )
    name = chosen.name if chosen else t("training.scenario_page", lang)
    return params.Settings(settings.values, int(horizon or settings.horizon)), name


def template_downloads(lang: str, container=None) -> None:
    box = container or st
    cols = box.columns(2)
    cols[0].download_button(
        t("training.template.csv", lang), template.csv_bytes(lang), mime="text/csv", on_click="ignore",
        file_name=t("training.template.file", lang) + ".csv", icon=":material/download:",
    )  # fmt: skip
    cols[1].download_button(
        t("training.template.xlsx", lang), template.template_xlsx(lang),
        file_name=t("training.template.file", lang) + ".xlsx", on_click="ignore", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip


def _checked(file_id: str, name: str, blob: bytes) -> Checked:
    held = st.session_state.get("tr_checked")
    if held and held[0] == file_id:
        return held[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        path.write_bytes(blob)
        checked = service.check_file(session.workspace(), data.reference(), path, limits_from_env(), file_name=name)
    st.session_state["tr_checked"] = (file_id, checked)
    return checked


def show_report(report: dict, lang: str) -> None:
    """The validation report: headline counts, then every problem with its line."""
    st.markdown("\n".join(f"- {md(line)}" for line in display.report_counts(report, lang)))
    problems = display.problem_rows(report, lang)
    if len(problems):
        st.dataframe(problems, hide_index=True, width="stretch", height=min(320, 38 + 35 * len(problems)))


def import_panel(lang: str, actor: auth.Actor) -> None:
    """Upload, report, import (admins); versions and rollback."""
    ws = session.workspace()
    flash = st.session_state.pop("tr_flash", None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    up = st.file_uploader(
        t("training.admin.file", lang), type=["csv", "txt", "tsv", "xlsx", "xls"],
        key=f"tr_file_{st.session_state.get('tr_round', 0)}", help=t("training.admin.file_help", lang),
    )  # fmt: skip
    cols = st.columns([2, 1, 1])
    producer = cols[0].text_input(t("training.admin.producer", lang), key="tr_producer", persist_state="session")
    vintage = cols[1].text_input(t("training.admin.vintage", lang), key="tr_vintage", persist_state="session")
    status = cols[2].selectbox(
        t("training.admin.status", lang), STATUSES, format_func=lambda s: t(f"status.{s}", lang), key="tr_status",
        persist_state="session", placeholder=t("widget.choose", lang),
    )  # fmt: skip
    note = st.text_input(t("training.admin.note", lang), key="tr_note", persist_state="session")
    if up is not None:
        try:
            checked = _checked(up.file_id, up.name, up.getvalue())
        except UserError as error:
            _error(error, lang)
            checked = None
        if checked is not None:
            show_report(checked.report.as_dict(), lang)
            if st.button(t("training.admin.import", lang), type="primary", key="tr_import"):
                try:
                    number = service.import_file(
                        ws, actor, checked, store.Declared(producer, vintage, status or "", note)
                    )
                except UserError as error:
                    _error(error, lang)
                else:
                    st.session_state["tr_round"] = st.session_state.get("tr_round", 0) + 1
                    st.session_state.pop("tr_checked", None)
                    st.session_state["tr_flash"] = t("training.admin.done", lang, number=number)
                    st.rerun()
    versions = store.versions(ws)
    if versions:
        shown = pd.DataFrame(
            [
                {
                    t("training.col.version", lang): v["number"], t("training.col.file", lang): v["file_name"],
                    t("training.col.rows", lang): v["rows"], t("training.admin.producer", lang): v["producer"],
                    t("training.admin.status", lang): t(f"status.{v['status']}", lang),
                    t("training.col.imported", lang): f"{v['imported_at'][:16]} · {v['imported_by']}",
                    t("training.col.current", lang): "✓" if v["current"] else "",
                }
                for v in versions
            ]
        )  # fmt: skip
        st.dataframe(shown, hide_index=True, width="stretch")
        if len(versions) > 1 and st.button(t("training.admin.rollback", lang), key="tr_rollback"):
            try:
                number = store.rollback(ws, actor)
            except UserError as error:
                _error(error, lang)
            else:
                st.session_state["tr_flash"] = t("training.admin.rolled_back", lang, number=number)
                st.rerun()


def unmapped_panel(lang: str, actor: auth.Actor, families: pd.DataFrame) -> None:
    """Every unmapped training with its codes; admins give one its families by hand (kept, audited)."""
    ws = session.workspace()
    left = service.unmapped(ws)
    if left.empty:
        st.caption(t("training.unmapped.none", lang))
    else:
        st.caption(t("training.unmapped.intro", lang, n=len(left)))
        st.dataframe(display.unmapped_rows(left, lang), hide_index=True, width="stretch")
    if not auth.can(actor, "training.map"):
        return
    candidates = pd.concat([left, service.mapped_by_hand(ws)], ignore_index=True)
    if candidates.empty:
        return
    labels = {
        r["row_key"]: f"{r['title']} · {r['provider']} · {r['commune_code']}" for r in candidates.to_dict("records")
    }
    names = {f: pick(r, "label", lang) for f, r in families.set_index("id").to_dict("index").items()}
    with st.form("tr_map_form", border=True):
        st.markdown(f"**{t('training.unmapped.map_title', lang)}**")
        key = st.selectbox(
            t("training.unmapped.training", lang), list(labels), format_func=labels.__getitem__, key="tr_map_row",
            persist_state="session", placeholder=t("widget.choose", lang),
        )  # fmt: skip
        chosen = st.multiselect(
            t("training.unmapped.families", lang), list(names), format_func=names.__getitem__, key="tr_map_families",
            persist_state="session", placeholder=t("widget.choose", lang),
        )  # fmt: skip
        if st.form_submit_button(t("training.unmapped.save", lang), type="primary") and key:
            try:
                store.map_by_hand(ws, actor, key, chosen, set(names), title=labels[key])
            except UserError as error:
                _error(error, lang)
            else:
                st.session_state["tr_flash"] = t("training.unmapped.saved", lang, title=md(labels[key]))
                st.rerun()
