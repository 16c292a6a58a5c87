"""The import page's blocks: upload and mapping step, validation report, import, versions (diff, rollback, delete).

Every step calls :mod:`gtec.imports` (the same code path as the CLI and the bad-file corpus); nothing is written
before the user presses the import button on a report without blocking problems. What the user chose lives in
``st.session_state`` (``imp_*`` keys), so a rerun never re-reads the file or re-validates unless the file or the
mapping changed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data
from gtec.core import export, fmt
from gtec.core.auth import Actor
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.core.text import md
from gtec.imports import catalogue as imported
from gtec.imports import draft as drafts
from gtec.imports import store
from gtec.imports.limits import MB, ImportLimits, limits_from_env
from gtec.imports.mapping import AGGREGATIONS, Mapping
from gtec.imports.service import Context, load_context
from gtec.imports.validate import BLOCKING, Report
from gtec.maps import queries
from gtec.storage.workspace import Workspace
from gtec.territories import display

MAX_DIFF_ROWS = 500
_MAPPING_KEYS = ("imp_code", "imp_level", "imp_layout", "imp_value", "imp_period", "imp_period_col", "imp_indicator")
_MAPPING_KEYS += ("imp_agg", "imp_weight", "imp_min", "imp_max")


@data.per_build(resource=True, max_entries=1)
def context() -> Context:
    """Geography and catalogue of the reference store for imports (read once per build and import stamp)."""
    return load_context(data.reference())


def limits() -> ImportLimits:
    """The import limits (environment) capped by the server's upload limit (``server.maxUploadSize``)."""
    return drafts.upload_limits(limits_from_env(), st.get_option("server.maxUploadSize"))


def _error(error: UserError, lang: str) -> None:
    st.error(t(error.key, lang, **error.values), icon=":material/error:")


def _reset(*keys: str) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def upload_step(ws: Workspace, actor: Actor, lang: str) -> None:
    """Upload, recognised profile or mapping step with a preview, validation report, then import or abort."""
    lim = limits()
    up = st.file_uploader(
        t("datasets.imports.file", lang), type=["csv", "txt", "tsv", "xlsx", "xls", "zip"],
        help=t("datasets.imports.file_help", lang), key=f"imp_file_{st.session_state.get('imp_round', 0)}",
    )  # fmt: skip
    st.caption(t("datasets.imports.limit", lang, max_mb=fmt.number(lim.max_bytes / MB, lang, 0)))
    done = st.session_state.get("imp_done")
    if done:
        st.success(t("datasets.imports.done", lang, **done), icon=":material/check_circle:")
    if up is None:
        return
    try:
        draft = _draft(up.file_id, up.name, up.getvalue(), lim)
    except UserError as error:
        _error(error, lang)
        return
    mapping = None
    if draft.profile:
        st.success(t("datasets.imports.profile", lang, profile=md(draft.profile)), icon=":material/verified:")
    else:
        st.info(t("datasets.imports.mapping_intro", lang), icon=":material/table_chart:")
        st.caption(
            t("datasets.imports.detected", lang, encoding=md(draft.encoding or "–"),
              delimiter=md(repr(draft.delimiter) if draft.delimiter else "–"), line=draft.header_line)
        )  # fmt: skip
        st.dataframe(draft.preview, hide_index=True, width="stretch", height=240)
        mapping = _mapping_form(draft, lang)
        if mapping is None:
            return
    try:
        prepared = _prepared(draft, mapping, lim, lang)
    except UserError as error:
        _error(error, lang)
        return
    show_report(prepared.report, lang)
    _commit_step(ws, actor, draft, prepared, lang)


def _draft(file_id: str, name: str, blob: bytes, lim: ImportLimits) -> drafts.Draft:
    held = st.session_state.get("imp_draft")
    if held and held[0] == file_id:
        return held[1]
    draft = drafts.open_draft(blob, name, lim)
    st.session_state["imp_draft"] = (file_id, draft)
    _reset("imp_prepared", "imp_mapping", "imp_done", *_MAPPING_KEYS)
    proposed = draft.proposed
    if proposed is not None:  # the form starts from what the detected shape suggests
        st.session_state.update(
            imp_code=proposed.code, imp_level=proposed.level, imp_layout="wide" if proposed.wide else "long",
            imp_value=proposed.value or None, imp_period=proposed.period, imp_period_col=proposed.period_column,
            imp_indicator=proposed.indicator, imp_agg=proposed.aggregation,
        )  # fmt: skip
        st.session_state["imp_mapping"] = proposed
    st.session_state["imp_name"] = drafts.slug(name.rsplit(".", 1)[0], "import").replace("_", " ").capitalize()
    return draft


def _mapping_form(draft: drafts.Draft, lang: str) -> Mapping | None:
    """The mapping step; returns the mapping last checked (the detected one until the user changes it)."""
    labels = draft.labels
    with st.form("imp_mapping_form", border=True):
        st.markdown(f"**{t('datasets.imports.mapping_title', lang)}**")
        c1, c2, c3 = st.columns(3)
        code = c1.selectbox(
            t("datasets.imports.code", lang),
            labels,
            key="imp_code",
            persist_state="session",
            placeholder=t("widget.choose", lang),
        )
        level = c2.selectbox(
            t("datasets.imports.level", lang), drafts.LEVELS, key="imp_level", persist_state="session",
            format_func=lambda v: t(f"level.{v}", lang) if v else t("datasets.imports.level_auto", lang),
            placeholder=t("widget.choose", lang),
        )  # fmt: skip
        indicator = c3.text_input(
            t("datasets.imports.indicator", lang), key="imp_indicator", persist_state="session",
            help=t("datasets.imports.indicator_help", lang), max_chars=63,
        )  # fmt: skip
        layout = st.radio(
            t("datasets.imports.layout", lang), ("long", "wide"), horizontal=True, key="imp_layout",
            format_func=lambda v: t(f"datasets.imports.layout_{v}", lang), persist_state="session",
        )  # fmt: skip
        c4, c5, c6 = st.columns(3)
        value = c4.selectbox(
            t("datasets.imports.value", lang), labels, key="imp_value", persist_state="session", index=None,
            placeholder=t("widget.choose", lang),
        )  # fmt: skip
        period = c5.text_input(t("datasets.imports.period", lang), key="imp_period", persist_state="session")
        period_col = c6.selectbox(
            t("datasets.imports.period_column", lang), ["", *labels], key="imp_period_col", persist_state="session",
            format_func=lambda v: v or t("datasets.imports.none", lang), placeholder=t("widget.choose", lang),
        )  # fmt: skip
        c7, c8, c9, c10 = st.columns([2, 2, 1, 1])
        agg = c7.radio(
            t("datasets.imports.aggregation", lang), AGGREGATIONS, key="imp_agg", persist_state="session",
            format_func=lambda v: t(f"datasets.imports.agg_{v}", lang), help=t("datasets.imports.agg_help", lang),
        )  # fmt: skip
        weight = c8.selectbox(
            t("datasets.imports.weight", lang), drafts.WEIGHTS, key="imp_weight", persist_state="session",
            format_func=lambda i: _indicator_label(i, lang), placeholder=t("widget.choose", lang),
        )  # fmt: skip
        low = c9.text_input(t("datasets.imports.min", lang), key="imp_min", persist_state="session")
        high = c10.text_input(t("datasets.imports.max", lang), key="imp_max", persist_state="session")
        if st.form_submit_button(t("datasets.imports.check", lang), icon=":material/fact_check:"):
            try:
                bounds = [fmt.parse_number(b) if str(b or "").strip() else None for b in (low, high)]
            except ValueError:
                st.error(t("datasets.imports.bad_bound", lang))
                return None
            st.session_state["imp_mapping"] = Mapping(
                code=code or "", indicator=(indicator or "").strip(), value=(value or "") if layout == "long" else "",
                period=(period or "").strip() if layout == "long" else "", period_column=period_col or "",
                wide=layout == "wide", level=level or "", aggregation=agg or "sum",
                weight=(weight or "") if agg == "weighted_mean" else "", min_value=bounds[0], max_value=bounds[1],
            )  # fmt: skip
    return st.session_state.get("imp_mapping")


def _indicator_label(indicator: str, lang: str) -> str:
    row = data.catalogue().get(indicator)
    return display.indicator_label(row, lang) if row else indicator


def _prepared(draft: drafts.Draft, mapping: Mapping | None, lim: ImportLimits, lang: str):
    key = (draft.sha256, mapping)
    held = st.session_state.get("imp_prepared")
    if held and held[0] == key:
        return held[1]
    with st.spinner(t("datasets.imports.checking", lang)):
        prepared = drafts.check_draft(context(), draft, lim, mapping)
    st.session_state["imp_prepared"] = (key, prepared)
    return prepared


def show_report(report: Report, lang: str) -> None:
    """The validation report: verdict, coverage, problems by kind with their line, column and value."""
    st.subheader(t("datasets.report.title", lang))
    if report.ok:
        st.success(t("datasets.report.ok", lang), icon=":material/task_alt:")
    else:
        st.error(t("datasets.report.blocked", lang), icon=":material/block:")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("datasets.report.rows", lang), fmt.number(report.rows, lang))
    m2.metric(t("datasets.report.values", lang), fmt.number(report.values, lang))
    m3.metric(t("datasets.report.level", lang), t(f"level.{report.level}", lang))
    m4.metric(
        t("datasets.report.coverage", lang), f"{fmt.number(100 * report.coverage, lang, 1)} %",
        help=t("datasets.report.coverage_help", lang, matched=fmt.number(report.matched, lang),
               total=fmt.number(report.territories_in_level, lang)),
    )  # fmt: skip
    st.caption(
        t("datasets.report.periods", lang, periods=md(", ".join(report.periods[:12])),
          indicators=md(", ".join(report.indicators[:12])))
    )  # fmt: skip
    for kind, count in sorted(report.counts.items()):
        text = t(f"datasets.problem.{kind}", lang) + f" : {fmt.number(count, lang)}"
        if BLOCKING.get(kind):
            st.error(text + " · " + t("datasets.report.blocking", lang), icon=":material/error:")
        else:
            st.warning(text + " · " + t("datasets.report.not_blocking", lang), icon=":material/warning:")
    if report.problems:
        rows = pd.DataFrame(report.problems)
        shown = pd.DataFrame(
            {
                t("datasets.report.col_kind", lang): [t(f"datasets.problem.{k}", lang) for k in rows["kind"]],
                t("datasets.report.col_line", lang): rows["line"].astype("Int64"),
                t("datasets.report.col_column", lang): rows["column"],
                t("datasets.report.col_value", lang): rows["value"],
                t("datasets.report.col_detail", lang): rows.get("detail", pd.Series([""] * len(rows))).fillna(""),
            }
        )
        st.dataframe(shown, hide_index=True, width="stretch", height=min(400, 40 + 35 * len(shown)))


def _commit_step(ws: Workspace, actor: Actor, draft: drafts.Draft, prepared, lang: str) -> None:
    names = [d["name"] for d in store.datasets(ws)]
    st.text_input(
        t("datasets.imports.name", lang), key="imp_name", persist_state="session", max_chars=120,
        help=t("datasets.imports.name_help", lang, names=md(", ".join(names[:20])) or "–"),
    )  # fmt: skip
    c1, c2 = st.columns(2)
    go = c1.button(
        t("datasets.imports.import", lang), type="primary", disabled=not prepared.report.ok,
        icon=":material/upload:", width="stretch",
    )  # fmt: skip
    if c2.button(t("datasets.imports.abort", lang), icon=":material/close:", width="stretch"):
        _abandon()
        st.rerun()
    if not go:
        return
    try:
        done = imported.import_file(ws, actor, context(), prepared, st.session_state.get("imp_name") or "")
    except UserError as error:
        _error(error, lang)
        return
    data.imports_changed()
    _abandon()
    st.session_state["imp_done"] = {
        "name": md(st.session_state.get("imp_name") or ""),
        "version": done["version"],
        "values": fmt.number(done["values"], lang),
    }
    st.session_state["imp_ds"] = done["dataset_id"]
    st.rerun()


def _abandon() -> None:
    """Forget the upload (a new uploader widget, so the browser's file is dropped too)."""
    _reset("imp_draft", "imp_prepared", "imp_mapping", "imp_done")
    st.session_state["imp_round"] = st.session_state.get("imp_round", 0) + 1


def versions_step(ws: Workspace, actor: Actor, lang: str) -> None:
    """Imported datasets: versions, what the current version changed, rollback, deletion (name typed again)."""
    message = st.session_state.pop("imp_versions_done", None)
    if message:
        st.success(message, icon=":material/check_circle:")
    found = store.datasets(ws)
    if not found:
        st.info(t("datasets.versions.none", lang))
        return
    by_id = {d["id"]: d for d in found}
    if st.session_state.get("imp_ds") not in by_id:
        st.session_state["imp_ds"] = found[0]["id"]
    ds_id = st.selectbox(
        t("datasets.versions.dataset", lang), list(by_id), key="imp_ds", persist_state="session",
        format_func=lambda i: by_id[i]["name"], placeholder=t("widget.choose", lang),
    )  # fmt: skip
    ds = by_id[ds_id]
    history = store.versions(ws, ds_id)
    st.dataframe(_history_table(history, lang), hide_index=True, width="stretch")
    current = int(ds["current_version"] or 0)
    st.markdown(f"**{t('datasets.versions.diff_title', lang, number=current)}**")
    if current <= 1:
        st.caption(t("datasets.versions.first", lang))
    else:
        show_diff(store.diff(ws, ds_id), lang, f"gtec-import-{ds_id}-v{current}-diff.csv")
    c1, c2 = st.columns(2)
    with c1, st.container(border=True):
        st.markdown(f"**{t('datasets.versions.rollback_title', lang)}**")
        if current > 1:
            st.caption(t("datasets.versions.rollback_help", lang, number=current - 1))
        else:
            st.caption(t("datasets.versions.first", lang))
        if st.button(t("datasets.versions.rollback", lang), disabled=current <= 1, icon=":material/undo:"):
            _run(lambda: imported.rollback(ws, actor, ds_id), "datasets.versions.rolled_back", lang)
    with c2, st.container(border=True):
        st.markdown(f"**{t('datasets.versions.delete_title', lang)}**")
        typed = st.text_input(
            t("datasets.versions.delete_confirm", lang, name=md(ds["name"])), key="imp_delete_name",
            persist_state="session",
        )  # fmt: skip
        if st.button(t("datasets.versions.delete", lang), icon=":material/delete:", type="secondary"):
            _run(lambda: imported.delete(ws, actor, ds_id, typed or ""), "datasets.versions.deleted", lang)


def _run(action, done_key: str, lang: str) -> None:
    try:
        result = action()
    except UserError as error:
        _error(error, lang)
        return
    data.imports_changed()
    _reset("imp_delete_name")
    st.session_state["imp_versions_done"] = t(done_key, lang, number=result or 0)
    st.rerun()


def _history_table(history: list[dict], lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("datasets.versions.col_number", lang): [h["number"] for h in history],
            t("datasets.versions.col_current", lang): ["✓" if h["current"] else "" for h in history],
            t("datasets.versions.col_file", lang): [h["file_name"] for h in history],
            t("datasets.versions.col_rows", lang): [fmt.number(h["rows"], lang) for h in history],
            t("datasets.versions.col_who", lang): [h["imported_by"] for h in history],
            t("datasets.versions.col_when", lang): [str(h["imported_at"])[:16].replace("T", " ") for h in history],
            t("datasets.versions.col_sha", lang): [str(h["sha256"])[:12] for h in history],
        }
    )


def show_diff(diff: pd.DataFrame, lang: str, file_name: str) -> None:
    """Which values the version changed and by how much (first :data:`MAX_DIFF_ROWS` shown, all downloadable)."""
    if diff.empty:
        st.caption(t("datasets.versions.no_change", lang))
        return
    changed = int((diff["old"].notna() & diff["new"].notna()).sum())
    added, removed = int(diff["old"].isna().sum()), int(diff["new"].isna().sum())
    st.caption(
        t("datasets.versions.diff_summary", lang, changed=fmt.number(changed, lang), added=fmt.number(added, lang),
          removed=fmt.number(removed, lang))
    )  # fmt: skip
    head = diff.head(MAX_DIFF_ROWS)
    names = queries.territory_names(data.reference(), head["territory_id"].unique().tolist())
    table = pd.DataFrame(
        {
            t("datasets.versions.col_territory", lang): [names.get(i, i) for i in head["territory_id"]],
            t("datasets.versions.col_indicator", lang): head["indicator"],
            t("datasets.versions.col_period", lang): head["period"],
            t("datasets.versions.col_old", lang): [fmt.number(v, lang, 2) for v in head["old"]],
            t("datasets.versions.col_new", lang): [fmt.number(v, lang, 2) for v in head["new"]],
            t("datasets.versions.col_change", lang): [fmt.number(v, lang, 2) for v in head["change"]],
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", height=min(360, 40 + 35 * len(table)))
    st.download_button(
        t("datasets.versions.diff_download", lang), export.to_safe_csv_bytes(diff), file_name, "text/csv",
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip
