"""Import data (admins; facilitators when an admin allows it): upload, mapping, validation report, import, versions.

The steps are blocks of components.import_ui over gtec.imports (the code path the CLI and the bad-file corpus use);
who may import is checked again by gtec.imports.catalogue in every write, whatever this page shows.
"""

from components.shell import page_guard

page_guard()  # first: keep the page inside app.py (components/shell.py)

import streamlit as st

from components import import_ui, layer_ui, session
from components.session import current_actor, current_lang
from components.session import intro as session_intro
from gtec.core.i18n import t
from gtec.imports import catalogue as imported

lang = current_lang()
actor = current_actor()
ws = session.workspace()
st.title(t("datasets.imports.title", lang))
session_intro(t("datasets.imports.intro", lang))

if not imported.may_import(ws, actor):
    st.warning(t("datasets.imports.not_allowed", lang), icon=":material/lock:")
    st.stop()

tabs = st.tabs([t(f"datasets.imports.tab_{k}", lang) for k in ("file", "versions", "layers", "layer_versions")])
with tabs[0]:
    import_ui.upload_step(ws, actor, lang)
with tabs[1]:
    import_ui.versions_step(ws, actor, lang)
with tabs[2]:
    layer_ui.layer_step(ws, actor, lang)
with tabs[3]:
    layer_ui.layer_versions_step(ws, actor, lang)
st.page_link("pages/datasets.py", label=t("datasets.imports.to_catalogue", lang), icon=":material/dataset:")
