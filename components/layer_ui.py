"""The import page's boundary tab: upload a GeoJSON, GeoPackage or zipped Shapefile, choose its code and name
fields, read the report (reprojection, repairs, simplification) before anything is written, import; then the
versions of each layer, what changed, rollback, deletion with the name typed again.

Same path as ``python -m gtec import boundaries`` (:mod:`gtec.imports.boundaries`, :mod:`gtec.imports.layers`),
behind the server-side rule of :mod:`gtec.imports.catalogue` (admins; facilitators when allowed).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data, import_ui
from gtec.core import fmt
from gtec.core.auth import Actor
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.imports import catalogue as imported
from gtec.imports import draft as drafts
from gtec.imports import layers
from gtec.imports.boundaries import BLOCKING, BoundaryMapping, BoundaryReport
from gtec.storage.workspace import Workspace


def _error(error: UserError, lang: str) -> None:
    st.error(t(error.key, lang, **error.values), icon=":material/error:")


def _forget() -> None:
    for key in ("lay_draft", "lay_prepared"):
        st.session_state.pop(key, None)
    st.session_state["lay_round"] = st.session_state.get("lay_round", 0) + 1


def layer_step(ws: Workspace, actor: Actor, lang: str) -> None:
    """Upload, fields, report, import (one version per import)."""
    lim = import_ui.limits()
    up = st.file_uploader(
        t("datasets.layers.file", lang), type=["geojson", "json", "gpkg", "zip"],
        help=t("datasets.layers.file_help", lang), key=f"lay_file_{st.session_state.get('lay_round', 0)}",
    )  # fmt: skip
    st.caption(t("datasets.imports.limit", lang, max_mb=fmt.number(lim.max_bytes / (1024 * 1024), lang, 0)))
    done = st.session_state.get("lay_done")
    if done:
        st.success(t("datasets.layers.done", lang, **done), icon=":material/check_circle:")
    if up is None:
        return
    held = st.session_state.get("lay_draft")
    try:
        if not held or held[0] != up.file_id:
            held = (up.file_id, drafts.open_layer_draft(up.getvalue(), up.name, lim))
            st.session_state.update(lay_draft=held, lay_code=held[1].code, lay_label=held[1].name)
            st.session_state.pop("lay_prepared", None)
            st.session_state.pop("lay_done", None)
            st.session_state["lay_name"] = held[1].file_name.rsplit(".", 1)[0].replace("_", " ")[:120]
    except UserError as error:
        _error(error, lang)
        return
    draft = held[1]
    info = draft.info
    st.caption(
        t("datasets.layers.seen", lang, driver=md(info.driver), features=fmt.number(info.features, lang),
          crs=md(info.crs or t("datasets.imports.none", lang)), layer=md(info.layer))
    )  # fmt: skip
    c1, c2 = st.columns(2)
    code = c1.selectbox(
        t("datasets.layers.code", lang),
        info.fields,
        key="lay_code",
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    label = c2.selectbox(
        t("datasets.layers.name_field", lang),
        info.fields,
        key="lay_label",
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    key = (draft.sha256, code, label)
    prepared = (st.session_state.get("lay_prepared") or (None, None))[1]
    if (st.session_state.get("lay_prepared") or (None,))[0] != key:
        try:
            with st.spinner(t("datasets.layers.checking", lang)):
                prepared = drafts.check_layer_draft(draft, BoundaryMapping(code or "", label or code or ""), lim)
        except UserError as error:
            _error(error, lang)
            return
        st.session_state["lay_prepared"] = (key, prepared)
    show_report(prepared.report, lang)
    st.text_input(t("datasets.layers.name", lang), key="lay_name", persist_state="session", max_chars=120)
    b1, b2 = st.columns(2)
    go = b1.button(
        t("datasets.layers.import", lang), type="primary", disabled=not prepared.report.ok, icon=":material/upload:",
        width="stretch",
    )  # fmt: skip
    if b2.button(t("datasets.imports.abort", lang), icon=":material/close:", width="stretch", key="lay_abort"):
        _forget()
        st.rerun()
    if go:
        try:
            result = imported.import_layer(ws, actor, prepared, st.session_state.get("lay_name") or "")
        except UserError as error:
            _error(error, lang)
            return
        data.imports_changed()  # the map, portrait and scenario choices show the layer at once
        _forget()
        st.session_state["lay_done"] = {
            "name": md(st.session_state.get("lay_name") or ""),
            "version": result["version"],
            "features": fmt.number(result["features"], lang),
        }
        st.rerun()


def show_report(report: BoundaryReport, lang: str) -> None:
    """The boundary report: verdict, features, vertices before and after simplification, problems by kind."""
    st.subheader(t("datasets.report.title", lang))
    if report.ok:
        st.success(t("datasets.report.ok", lang), icon=":material/task_alt:")
    else:
        st.error(t("datasets.report.blocked", lang), icon=":material/block:")
    m1, m2, m3 = st.columns(3)
    m1.metric(t("datasets.layers.features", lang), fmt.number(report.features, lang))
    m2.metric(
        t("datasets.layers.vertices", lang),
        f"{fmt.number(report.vertices_in, lang)} → {fmt.number(report.vertices_out, lang)}",
    )
    m3.metric(t("datasets.layers.crs", lang), md(report.source_crs) or t("datasets.imports.none", lang))
    for kind, count in sorted(report.counts.items()):
        text = f"{t(f'imports.problem.{kind}', lang)} : {fmt.number(count, lang)}"
        if BLOCKING.get(kind):
            st.error(text + " · " + t("datasets.report.blocking", lang), icon=":material/error:")
        else:
            st.warning(text + " · " + t("datasets.report.not_blocking", lang), icon=":material/warning:")
    if report.problems:
        rows = pd.DataFrame(report.problems)
        st.dataframe(
            pd.DataFrame(
                {
                    t("datasets.report.col_kind", lang): [t(f"imports.problem.{k}", lang) for k in rows["kind"]],
                    t("datasets.layers.col_feature", lang): rows["feature"].astype("Int64"),
                    t("datasets.layers.col_code", lang): rows["code"],
                    t("datasets.report.col_detail", lang): rows["detail"],
                }
            ),
            hide_index=True,
            width="stretch",
        )


def layer_versions_step(ws: Workspace, actor: Actor, lang: str) -> None:
    """Imported layers: versions, what the current one changed, rollback, deletion."""
    message = st.session_state.pop("lay_versions_done", None)
    if message:
        st.success(message, icon=":material/check_circle:")
    found = layers.list_layers(ws)
    if not found:
        st.info(t("datasets.layers.none", lang))
        return
    by_id = {d["id"]: d for d in found}
    if st.session_state.get("lay_pick") not in by_id:
        st.session_state["lay_pick"] = found[0]["id"]
    layer = st.selectbox(
        t("datasets.layers.pick", lang), list(by_id), key="lay_pick", persist_state="session",
        format_func=lambda i: by_id[i]["name"], placeholder=t("widget.choose", lang),
    )  # fmt: skip
    row = by_id[layer]
    history = layers.layer_versions(ws, layer)
    st.dataframe(
        pd.DataFrame(
            {
                t("datasets.versions.col_number", lang): [h["number"] for h in history],
                t("datasets.versions.col_current", lang): ["✓" if h["current"] else "" for h in history],
                t("datasets.versions.col_file", lang): [h["file_name"] for h in history],
                t("datasets.layers.features", lang): [fmt.number(h["features"], lang) for h in history],
                t("datasets.versions.col_who", lang): [h["imported_by"] for h in history],
                t("datasets.versions.col_when", lang): [str(h["imported_at"])[:16].replace("T", " ") for h in history],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    current = int(row["current_version"] or 0)
    if current > 1:
        changes = layers.layer_changes(ws, layer)
        st.caption(t("datasets.layers.changes", lang, n=fmt.number(len(changes), lang)))
        if not changes.empty:
            shown = pd.DataFrame(
                {
                    t("datasets.layers.col_code", lang): changes["code"],
                    t("datasets.layers.col_change", lang): [
                        t(f"datasets.layers.change.{c}", lang) for c in changes["change"]
                    ],
                    t("datasets.layers.col_old", lang): changes["old_name"],
                    t("datasets.layers.col_new", lang): changes["new_name"],
                }
            )
            st.dataframe(shown, hide_index=True, width="stretch", height=min(300, 40 + 35 * len(shown)))
    c1, c2 = st.columns(2)
    with c1, st.container(border=True):
        st.markdown(f"**{t('datasets.versions.rollback_title', lang)}**")
        if st.button(
            t("datasets.versions.rollback", lang), disabled=current <= 1, icon=":material/undo:", key="lay_rollback"
        ):
            _run(lambda: imported.rollback_layer(ws, actor, layer), "datasets.versions.rolled_back", lang)
    with c2, st.container(border=True):
        st.markdown(f"**{t('datasets.layers.delete_title', lang)}**")
        typed = st.text_input(
            t("datasets.versions.delete_confirm", lang, name=md(row["name"])), key="lay_delete_name",
            persist_state="session",
        )  # fmt: skip
        if st.button(t("datasets.versions.delete", lang), icon=":material/delete:", key="lay_delete"):
            _run(lambda: imported.delete_layer(ws, actor, layer, typed or ""), "datasets.versions.deleted", lang)


def _run(action, done_key: str, lang: str) -> None:
    try:
        result = action()
    except UserError as error:
        _error(error, lang)
        return
    data.imports_changed()
    st.session_state.pop("lay_delete_name", None)
    st.session_state["lay_versions_done"] = t(done_key, lang, number=result or 0)
    st.rerun()
