"""GTEC Observatory: entry point only (page config, language, reference store, navigation)."""

from pathlib import Path

import streamlit as st

from components import auth_ui, guards, session, shell
from components.registry import pages_for
from gtec.core.i18n import t
from gtec.storage.workspace import WorkspaceError

st.set_page_config(
    page_title="GTEC Observatory", page_icon=str(Path(__file__).parent / "static" / "favicon.png"), layout="wide"
)

guards.protect_server_caches()  # no client may clear the caches every user shares
guards.localise_page_not_found()  # an unknown or forbidden page is said in the reader's language
legacy_first_run = shell.mark_shell()
lang = session.language_switch()
session.page_style(lang)
shell.builtin_text_style(lang)  # the file uploader's English texts, in the reader's language
session.ensure_store(lang)
session.ensure_workspace(lang)
actor = session.current_actor()

sections: dict[str, list] = {}
by_path: dict[str, st.Page] = {}
for spec in pages_for(actor):
    page = st.Page(
        spec.path, title=t(spec.title_key, lang), icon=spec.icon, url_path=spec.url_path, default=spec.default
    )
    by_path[spec.path] = page
    sections.setdefault(t(spec.section_key, lang), []).append(page)

navigation = st.navigation(sections, expanded=True)  # every page visible: no "View more" behind which admin pages hide
deep_link, deep_params = shell.pending_deep_link()
if deep_link in by_path:  # a direct link that reached a page before app.py ran (see components/shell.py)
    st.switch_page(by_path[deep_link], query_params=deep_params)
elif legacy_first_run:
    st.switch_page(navigation, query_params=st.query_params.to_dict())
auth_ui.sidebar_status(lang)  # after st.navigation: it links to the sign-in page
shell.page_not_found_notice(actor, lang)
session.sidebar_footer(lang)
try:
    navigation.run()
except WorkspaceError as error:  # damaged while the server runs: a plain message, nothing overwritten
    session.workspace_failure(error, lang)
