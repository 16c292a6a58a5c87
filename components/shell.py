"""Keep every page inside app.py's shell (language, store check, role-filtered navigation).

Streamlit still has a legacy mode for apps with a ``pages/`` folder: until ``st.navigation`` has been called
once in the server process, a direct link such as ``/admin_audit`` runs ``pages/admin_audit.py`` on its own,
without ``app.py``: no language switch, no store check and, worse, no role filtering. Each page therefore
starts with :func:`page_guard`, which sends such a run through ``app.py`` and lets it open the requested page
only if the current role may use it.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import streamlit as st

from components.guards import NOT_FOUND_KEY
from components.registry import PAGES
from gtec.core import auth
from gtec.core.fmt import number
from gtec.core.i18n import t
from gtec.core.text import md

SHELL_FLAG = "_gtec_shell"
DEEP_LINK = "_gtec_deep_link"


def mark_shell() -> bool:
    """Called by app.py at the top of every run. True on a session's first run in the legacy mode.

    On the first runs of a fresh server, Streamlit wraps app.py in its legacy pages/ navigation; a first click
    in a page rendered by such a run (e.g. on the language switch) was lost. app.py then switches to the page
    ``st.navigation`` selected, so the first render the user interacts with is a normal one.
    """
    from streamlit.runtime.pages_manager import PagesManager

    first = not st.session_state.get(SHELL_FLAG)
    st.session_state[SHELL_FLAG] = True
    return first and bool(PagesManager.uses_pages_directory)


def page_guard() -> None:
    """First line of every page: outside the shell, go through app.py and remember where the user wanted to go.

    A session that has run app.py once has left the legacy mode for good on a real server (the mode is
    process-wide and ends with the first st.navigation call); AppTest re-enters it on every run, which is why
    this checks the session, not the mode.
    """
    if st.session_state.get(SHELL_FLAG):
        return
    caller = Path(inspect.stack()[1].filename)
    params = st.query_params.to_dict()  # switch_page would drop them: keep the linked view (territory...)
    st.session_state[DEEP_LINK] = (f"pages/{caller.name}", params)
    st.switch_page(str(Path(__file__).resolve().parents[1] / "app.py"), query_params=params)


def pending_deep_link() -> tuple[str, dict[str, str]] | tuple[None, None]:
    """The page file a guarded direct link asked for, with its query parameters (consumed once)."""
    return st.session_state.pop(DEEP_LINK, (None, None))


def _css_text(text: str) -> str:
    """A catalogue string as a CSS ``content`` value (quoted; backslashes, quotes and ``<`` escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'


def uploader_css(lang: str, limit_mb: float) -> str:
    """Rules that replace the file uploader's built-in English ("Drag and drop file here", "Browse files",
    "Limit 25MB per file", review G4): ``st.file_uploader`` takes no text for them, so they are hidden and the
    catalogue's line, with the size limit in the reader's number format, is drawn in their place."""
    hint = t("upload.hint", lang, limit=number(limit_mb, lang))
    button = t("upload.browse", lang)
    zone = '[data-testid="stFileUploaderDropzone"]'
    return (
        f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] > div > * {{ display: none; }}'
        f' {zone} [data-testid="stFileUploaderDropzoneInstructions"] > div::after {{ content: {_css_text(hint)};'
        " font-size: 0.9rem; color: rgba(49, 51, 63, 0.8); }"
        f' {zone} button [data-testid="stMarkdownContainer"] {{ display: none; }}'
        f" {zone} button > div::after {{ content: {_css_text(button)}; margin-left: 0.35rem; }}"
    )


def no_results_css(lang: str) -> str:
    """The select boxes' built-in empty list ("No results" while typing text that matches no option; in a
    multiselect also "You can only select up to N options": Streamlit takes no text for either) replaced by the
    catalogue's words."""
    empty = '[role="listbox"][data-empty="true"] [role="option"] > span'
    single = f'[data-testid="stSelectboxVirtualDropdown"] {empty}'
    multi = f'[data-testid="stMultiSelectDropdown"] {empty}'
    return (
        f"{single}, {multi} {{ font-size: 0; }}"
        f" {single}::after {{ content: {_css_text(t('select.no_results', lang))}; font-size: 1rem; }}"
        f" {multi}::after {{ content: {_css_text(t('select.no_options', lang))}; font-size: 1rem; }}"
    )


def builtin_text_style(lang: str) -> None:
    """Called by app.py on every run: Streamlit's built-in English texts that CSS can replace, in ``lang``."""
    limit = float(st.get_option("server.maxUploadSize") or 200)
    st.html(f"<style>{uploader_css(lang, limit)} {no_results_css(lang)}</style>")


def page_not_found_notice(actor: auth.Actor, lang: str) -> None:
    """After ``st.navigation``: if the URL named a page that is not registered for this visitor (see
    :func:`components.guards.localise_page_not_found`), say so in ``lang`` above the home page it got instead.

    The home page's own name (``/portrait``, e.g. from a bookmark) says nothing: that page is what shows. A page
    the visitor's role may not use is named by its title, with the way to sign in for an anonymous visitor; any
    other name is quoted as text, never as markup."""
    asked = st.session_state.pop(NOT_FOUND_KEY, None)
    if asked is None:
        return
    asked = asked.strip("/")
    spec = next((p for p in PAGES if p.url_path == asked), None)
    if spec is not None and spec.default:
        return
    if spec is None:
        st.warning(t("nav.not_found", lang, name=md(asked[:80])), icon=":material/travel_explore:")
        return
    title = md(t(spec.title_key, lang))
    if actor == auth.ANONYMOUS:
        st.warning(t("nav.needs_sign_in", lang, title=title), icon=":material/lock:")
        st.page_link("pages/sign_in.py", label=t("nav.sign_in", lang), icon=":material/login:")
    else:
        st.warning(t("nav.not_for_role", lang, title=title), icon=":material/lock:")
