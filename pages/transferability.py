"""Transferability matrix (apprenticeship / KTP / Belgian work-based learning): partners edit it, every save goes
through the audited write path; readers see it read-only. Exports: CSV and a printable page."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from components import charts_alternance as ca
from components import session
from components.provenance import badge
from components.session import current_actor, current_lang
from components.session import intro as session_intro
from gtec.alternance import comparison, matrix_view, printable
from gtec.core import auth
from gtec.core.errors import EditConflict
from gtec.core.export import to_safe_csv
from gtec.core.i18n import t
from gtec.core.text import md_values

lang = current_lang()
actor = current_actor()
ws = session.workspace()
data = ca.bundle()
st.title(t("alternance.matrix.title", lang))
session_intro(t("alternance.matrix.intro", lang))
assessment = data.sources["gtec-wbl-assessment"]
badge(assessment, lang)

edits = comparison.load_edits(ws)
rows = comparison.current_matrix(data.seeds, edits, lang)
systems, levels = list(comparison.COMPARED_SYSTEMS), list(comparison.DIFFICULTIES)
style = "<style>" + matrix_view.MATRIX_CSS + "</style>"
st.html(style + matrix_view.overview_html(rows, lang))  # the matrix at a glance, in the first screen

if auth.can(actor, "transferability.edit"):
    st.caption(t("alternance.matrix.edit_help", lang))
    shown = pd.DataFrame.from_records(rows, columns=list(comparison.MATRIX_COLUMNS))
    edited = st.data_editor(
        shown,
        key="wbl_matrix_editor",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_order=["system", "feature", "difficulty", "barriers", "actions"],
        column_config={
            "system": st.column_config.SelectboxColumn(
                t("alternance.matrix.col.system", lang), options=systems, required=True, default="fr_appr",
                format_func=lambda s: t(f"alternance.system.{s}", lang),
            ),
            "feature": st.column_config.TextColumn(t("alternance.matrix.col.feature", lang), required=True,
                                                   max_chars=comparison.MAX_TEXT, width="medium"),
            "difficulty": st.column_config.SelectboxColumn(
                t("alternance.matrix.col.difficulty", lang), options=levels, required=True, default="medium",
                format_func=lambda d: t(f"alternance.difficulty.{d}", lang),
            ),
            "barriers": st.column_config.TextColumn(t("alternance.matrix.col.barriers", lang),
                                                    max_chars=comparison.MAX_TEXT, width="large"),
            "actions": st.column_config.TextColumn(t("alternance.matrix.col.actions", lang),
                                                   max_chars=comparison.MAX_TEXT, width="large"),
        },
    )  # fmt: skip
    if st.button(t("alternance.matrix.save", lang), type="primary", icon=":material/save:"):
        changes = comparison.diff_matrix(rows, edited.to_dict("records"))
        problems = sorted({k for c in changes for k in comparison.validate_change(c)})
        if not changes:
            st.info(t("alternance.matrix.no_change", lang))
        elif problems:
            for key in problems:
                st.error(t(key, lang))
            st.caption(t("alternance.matrix.nothing_lost", lang))
        else:
            try:
                written = comparison.save_changes(ws, actor, changes, lang)
            except auth.PermissionDenied:
                st.error(t("alternance.matrix.denied", lang))
            except EditConflict as conflict:  # someone saved these rows meanwhile: show both values, write nothing
                st.error(t(conflict.key, lang, **md_values(conflict.values)))
                st.dataframe(ca.conflict_frame(conflict.conflicts, lang), hide_index=True, width="stretch")
                st.caption(t("alternance.matrix.nothing_lost", lang))
            else:
                st.toast(t("alternance.matrix.saved", lang, count=len(written)), icon=":material/check:")
                st.session_state.pop("wbl_matrix_editor", None)
                st.rerun()
else:
    st.subheader(t("alternance.matrix.details", lang))
    st.caption(t("alternance.matrix.seed_note", lang, vintage=assessment.vintage_text(lang)))
    st.html(style + matrix_view.details_html(rows, lang))
    st.info(t("alternance.matrix.read_only", lang), icon=":material/lock:")
st.caption(t("alternance.matrix.lang_note", lang))

frame = matrix_view.matrix_frame(rows, lang, seed_vintage=assessment.vintage_text(lang))
c1, c2 = st.columns(2)
c1.download_button(
    t("alternance.matrix.export_csv", lang), ("\ufeff" + to_safe_csv(frame, lang)).encode("utf-8"),
    file_name="transferability_matrix.csv", mime="text/csv", icon=":material/table:", on_click="ignore",
)  # fmt: skip
summary = printable.printable_html(
    t("alternance.matrix.title", lang),
    [("", matrix_view.overview_html(rows, lang)), (t("alternance.matrix.details", lang),
     matrix_view.details_html(rows, lang))],
    [assessment], lang, lead=assessment, dated=datetime.now(UTC).date(), css=matrix_view.MATRIX_CSS,
)  # fmt: skip
c2.download_button(
    t("alternance.matrix.export_html", lang), summary.encode("utf-8"),
    file_name="transferability_matrix.html", mime="text/html", icon=":material/print:", on_click="ignore",
)  # fmt: skip

with st.expander(t("alternance.matrix.history", lang)):
    if edits:
        history = pd.DataFrame.from_records(edits)[["edited_at", "edited_by", "role", "row_id", "feature", "deleted"]]
        history.columns = [t(f"alternance.history.{c}", lang) for c in history.columns]
        st.dataframe(history.iloc[::-1], hide_index=True, width="stretch")
    else:
        st.caption(t("alternance.matrix.no_history", lang))
