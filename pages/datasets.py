"""Datasets (public): every dataset and layer - curated, official, imported - with producer, licence, vintage,
status, rows and coverage; the details, version history and CSV download (with its metadata) of any of them."""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import dataset_ui
from components.session import current_lang
from components.session import intro as session_intro
from gtec.core.i18n import t

lang = current_lang()
st.title(t("datasets.title", lang))
session_intro(t("datasets.intro", lang))

found = dataset_ui.reference_datasets(), dataset_ui.imported_datasets(), dataset_ui.imported_layers()
items = dataset_ui.ordered(dataset_ui.entries(*found, lang))
statuses = [s for s in dataset_ui.STATUS_ORDER if any(i["status"] == s for i in items)]
chosen = st.pills(
    t("datasets.filter", lang), statuses, selection_mode="multi", default=statuses, key="ds_status",
    format_func=lambda s: t(f"status.{s}", lang), persist_state="session",
)  # fmt: skip
shown = [i for i in items if i["status"] in (chosen or statuses)]
st.caption(t("datasets.count", lang, n=len(shown), total=len(items)))
picked = dataset_ui.show_table(shown, lang)

if shown:  # the table is the picker (a select box cut the long titles); the first dataset until a row is ticked
    st.markdown(f"#### {t('datasets.pick', lang)}")
    st.caption(t("datasets.pick_help", lang))
    dataset_ui.show_details(shown[picked or 0], lang)
