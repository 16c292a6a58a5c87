"""Per-session shell: language, reference store readiness, current actor, sidebar footer."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import streamlit as st

from gtec.build import pipeline
from gtec.core import auth, config
from gtec.core.i18n import DEFAULT_LANG, LANGS, normalise_lang, t
from gtec.storage import reference
from gtec.storage.workspace import Workspace, WorkspaceError

log = logging.getLogger("gtec")

_BUILD_LOCK = threading.Lock()
_LANG_NAMES = {"fr": "Français", "en": "English"}


_CLOSE_MENU, _CLOSED_MENU = "_gtec_lang_switches", "_gtec_menu_closed_after"
#: Closes the phone's sidebar drawer (its own close button, so Streamlit keeps its state); NONCE makes each
#: switch a new element, whose script runs again.
_CLOSE_MENU_JS = """<script data-switch="NONCE">
if (window.matchMedia("(max-width: 640px)").matches) {
  const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (close) close.click();
}
</script>"""

#: On a phone a page picked in the drawer opened under it, the drawer still covering it: a tap on a menu entry
#: also closes the drawer (one listener per browser tab, set by the first run).
_NAV_CLOSES_MENU_JS = """<script>
(() => { if (window.gtecNavClosesMenu) return; window.gtecNavClosesMenu = true;
  document.addEventListener("click", (event) => {
    if (!window.matchMedia("(max-width: 640px)").matches) return;
    if (!event.target.closest('[data-testid="stSidebarNav"] a')) return;
    setTimeout(() => {
      const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (close) close.click();
    }, 50);
  }, true);
})();
</script>"""


def language_switch() -> str:
    """FR/EN switch in the sidebar; the choice is kept in the URL (``?lang=en``). Returns the language.

    The language lives in ``st.session_state["lang"]`` (a plain key, not the widget's): widget state does not
    survive a page switch, the language must.
    """
    if "lang" not in st.session_state:
        st.session_state["lang"] = normalise_lang(st.query_params.get("lang", DEFAULT_LANG))
    lang = normalise_lang(st.session_state["lang"])

    def on_change() -> None:
        st.session_state["lang"] = normalise_lang(st.session_state.get("lang_switch"))
        st.session_state[_CLOSE_MENU] = st.session_state.get(_CLOSE_MENU, 0) + 1

    st.sidebar.segmented_control(
        "Langue / Language",
        options=list(LANGS),
        format_func=_LANG_NAMES.__getitem__,
        default=lang,
        key="lang_switch",
        required=True,
        on_change=on_change,
        persist_state="session",
    )
    st.sidebar.html(_NAV_CLOSES_MENU_JS, unsafe_allow_javascript=True)
    if st.session_state.get(_CLOSE_MENU, 0) > st.session_state.get(_CLOSED_MENU, 0):
        # On a phone the sidebar is a drawer over the page: after a language switch it stayed open over the page
        # in the new language (review F3). The run after the switch closes it; wide screens keep their sidebar.
        st.session_state[_CLOSED_MENU] = st.session_state[_CLOSE_MENU]
        script = _CLOSE_MENU_JS.replace("NONCE", str(st.session_state[_CLOSE_MENU]))
        st.sidebar.html(script, unsafe_allow_javascript=True)
    if lang == DEFAULT_LANG:
        st.query_params.pop("lang", None)
    else:
        st.query_params["lang"] = lang
    return lang


def current_lang() -> str:
    """The language chosen in this session (French by default)."""
    return normalise_lang(st.session_state.get("lang"))


def current_actor() -> auth.Actor:
    """Who is using this session; the public reader unless signed in (and not expired: see auth_ui)."""
    from components import auth_ui  # local import: auth_ui must stay importable without this module

    return auth_ui.resolve_actor()


def _build_with_progress(lang: str) -> None:
    bar = st.progress(0.0, text=t("build.step.schema", lang))

    def progress(step: str, fraction: float) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=t(step, lang))

    with _BUILD_LOCK:  # one build per process; build_lock (a file lock) serialises processes and the CLI
        if not reference.check_reference().ok:
            pipeline.build_reference(progress=progress, wait_s=600)
    bar.empty()
    st.cache_data.clear()
    st.cache_resource.clear()


_STORE_OK: dict[str, tuple] = {}  # reference path -> stat signature of the file last checked and found usable


def _store_status() -> reference.StoreStatus:
    """:func:`gtec.storage.reference.check_reference`, once per file version: the check reads the whole store
    (``PRAGMA quick_check`` of >100 MB took ~100 ms, a third of a rerun's server time under load), so a usable
    result is remembered per process against the file's identity (inode, size, mtime). A rebuild renames a new
    file into place (new inode) and is checked again; an unusable store is checked on every rerun."""
    path = config.reference_path()
    try:
        stat = path.stat()
    except OSError:
        return reference.check_reference(path)
    signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if _STORE_OK.get(str(path)) == signature:
        return reference.StoreStatus(True, "ok", path)
    status = reference.check_reference(path)
    if status.ok:
        _STORE_OK[str(path)] = signature
    else:
        _STORE_OK.pop(str(path), None)
    return status


def ensure_store(lang: str) -> None:
    """Make sure the reference store is usable before any page runs.

    Missing (first start): build it with a visible progress bar. Corrupt or outdated: say so plainly and
    offer a rebuild button; the page stops there instead of showing a traceback.
    """
    status = _store_status()
    if status.ok:
        return
    if status.code == "missing":
        st.info(t("store.first_build", lang))
        _build_with_progress(lang)
        st.rerun()
    log.error("reference store %s: %s %s", status.code, status.path, status.detail)  # the path: for the log only
    st.error(t(f"store.{status.code}", lang))
    st.caption(t("store.rebuild_hint", lang))
    if st.button(t("store.rebuild", lang), type="primary"):
        _build_with_progress(lang)
        st.rerun()
    st.stop()


@st.cache_resource(show_spinner=False)
def _open_workspace(target: str) -> Workspace:
    # Once per process and target: checks the store and applies pending migrations (reads never migrate).
    return Workspace.open(
        target if target.startswith(("postgresql://", "postgres://")) else Path(target), keep_open=True
    )


def workspace() -> Workspace:
    """The workspace object of this deployment, opened once per process (``GTEC_WORKSPACE_URL`` for PostgreSQL,
    else ``GTEC_WORKSPACE`` or the data dir)."""
    return _open_workspace(str(config.workspace_target()))


def workspace_failure(error: WorkspaceError, lang: str) -> None:
    """Say plainly that the workspace cannot be used, log the details for the administrator, stop the page.

    Nothing is overwritten; the recovery commands (restore a backup, or set the file aside and start anew) are
    in the server log and in docs/security.md, never on the public page.
    """
    log.error(
        "workspace unusable (%s): %s. Nothing was changed. Recovery: `python -m gtec workspace restore FILE`"
        " or `python -m gtec workspace reset` (sets the damaged file aside, never deletes it).",
        error.code,
        error.detail,
    )
    _open_workspace.clear()
    st.error(t(error.key, lang))
    st.caption(t("workspace.error.help", lang))
    st.stop()


def ensure_workspace(lang: str) -> Workspace:
    """The workspace, checked; a corrupt, emptied or vanished one stops the page with a plain message."""
    try:
        return workspace()
    except WorkspaceError as error:
        workspace_failure(error, lang)
        raise  # st.stop() raised already; keeps type checkers aware


#: Streamlit leaves about 100 px empty above the title: on a 720 px projector that is a seventh of the screen.
#: Navigation entries wrap instead of ending in "…" (long French and English page names). Streamlit's English
#: "Press Enter to apply" under inputs is hidden (it cannot be translated; inputs also apply on leaving the field).
#: Pills and segmented controls wrap onto several rows instead of scrolling sideways (review S2).
#: On a phone every touch target is 44 px or more (review F4): buttons, tabs, expanders, checkboxes, radio options
#: and menu entries grow; the 17 px help "?" icons keep their size but get a 44 px hit area (a transparent
#: ``::before`` 14 px around them: a larger icon would push the label onto a second line).
_PAGE_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; }
.stElementContainer:has(> .stHtml > style:first-child + script:last-child),
.stElementContainer:has(> .stHtml > script:only-child) { display: none; }
[data-testid="stSidebarUserContent"] { padding-top: 1rem; }
[data-testid="stSidebarNav"] a span { white-space: normal; overflow: visible; text-overflow: clip; line-height: 1.25; }
[data-testid="stSidebarNav"] a { height: auto; min-height: 2rem; }
[data-testid="stSidebarNav"] a > span:has(> [data-testid="stMarkdownContainer"]) { min-width: 0; }
[data-testid="stSidebarNav"] a [data-testid="stMarkdownContainer"], [data-testid="stSidebarNav"] a p {
  white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricValue"] > div { white-space: normal; overflow: visible; text-overflow: clip; }
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; }
[data-testid="InputInstructions"] { display: none; }
[data-testid="stButtonGroup"] > div { flex-wrap: wrap; overflow-x: visible; row-gap: 0.4rem; }
[data-testid="stButtonGroup"] button p { white-space: normal; }
@media (max-width: 640px) { .st-key-gtec_intro { display: none; } h1 { font-size: 2rem !important; } }
@media (max-width: 640px) { [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button
  { min-width: 44px; min-height: 44px; } }
@media (max-width: 640px) {
  [data-testid="stTooltipHoverTarget"] button { position: relative; }
  [data-testid="stTooltipHoverTarget"] button::before { content: ""; position: absolute; inset: -14px; }
  [data-testid="stSidebarCollapseButton"] button { min-width: 44px; min-height: 44px; }
  [data-testid="stSidebarNav"] a { min-height: 44px; }
  [data-testid="stMain"] button:not([data-testid="stTooltipHoverTarget"] button,
    [data-testid="stElementToolbar"] button),
  [data-testid="stSidebar"] [data-testid="stButtonGroup"] button { min-height: 44px; }
  [data-testid="stTabs"] [role="tab"], [data-testid="stExpander"] summary { min-height: 44px; }
  [data-testid="stSelectbox"] [role="group"], [data-testid="stMultiSelect"] [role="group"],
  [data-testid="stTextInput"] input, [data-testid="stNumberInput"] input { min-height: 44px; }
  [data-testid="stCheckbox"] label, [data-testid="stRadio"] [role="radiogroup"] label { min-height: 44px;
    align-items: center; }
}
"""

#: Presentation mode: one block of large type for the back of a room (body 20 px, headings and cards larger,
#: less space above the title); charts get their large sizes from gtec.core.chartstyle.
_PRESENT_CSS = """
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { padding-top: 4.2rem; max-width: 100%; padding-left: 2rem; padding-right: 2rem; }
h1 { font-size: 2rem !important; padding-top: 0 !important; }
h2 { font-size: 1.5rem !important; } h3 { font-size: 1.25rem !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { font-size: 0.9rem; color: #31333f; }
.gtec-intro { display: none; }
"""

PRESENT_KEY = "present"


def presenting() -> bool:
    """True when this session is in presentation mode (sidebar toggle or ``?present=1``)."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def presentation_switch(lang: str) -> bool:
    """The sidebar toggle of presentation mode; ``?present=1`` turns it on and stays in the URL while on.

    Like the language, the state lives in a plain session key (widget state does not survive a page switch)."""
    if PRESENT_KEY not in st.session_state:
        st.session_state[PRESENT_KEY] = st.query_params.get("present") == "1"

    def on_change() -> None:
        st.session_state[PRESENT_KEY] = bool(st.session_state.get("present_switch"))

    st.session_state["present_switch"] = st.session_state[PRESENT_KEY]
    st.sidebar.toggle(
        t("present.toggle", lang), key="present_switch", help=t("present.help", lang), on_change=on_change,
        persist_state="session",
    )  # fmt: skip
    on = presenting()
    if on:
        st.query_params["present"] = "1"
    else:
        st.query_params.pop("present", None)
    return on


def page_style(lang: str = DEFAULT_LANG) -> None:
    """The app's layout rules (less empty space above the first heading, no cut navigation, figure cards) and,
    in presentation mode, the large-type block with the sidebar folded."""
    from components.figure_card import CSS as CARD_CSS

    on = presentation_switch(lang)
    st.set_page_config(initial_sidebar_state="collapsed" if on else "auto")
    css = "<style>" + _PAGE_CSS + CARD_CSS + (_PRESENT_CSS if on else "") + _menu_css(lang) + "</style>"
    # the document's language follows the page's (Streamlit's index.html says "en"): screen readers and the
    # browser's hyphenation and translation offers then read French as French (WCAG 3.1.1)
    html_lang = "<script>document.documentElement.lang = " + json.dumps(normalise_lang(lang)) + ";</script>"
    st.html(css + html_lang, unsafe_allow_javascript=True)


def _menu_css(lang: str) -> str:
    """On a phone the sidebar opens from an unlabelled "»" icon (review F3): the button gets a visible label
    ("Menu et langue") and a 44 px touch target. The label is a catalogue string, quoted for CSS."""
    label = t("menu.phone_label", lang).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return (
        '@media (max-width: 640px) { [data-testid="stExpandSidebarButton"] { width: auto !important; gap: .3rem;'
        " padding: 0 .6rem !important; border: 1px solid rgba(49,51,63,.3) !important; border-radius: .5rem; }"
        f' [data-testid="stExpandSidebarButton"]::after {{ content: "{label}"; font-size: 1rem; }} }}'
    )


def intro(text: str) -> None:
    """A page's grey introduction under its title; hidden in presentation mode (the room needs the figure)."""
    if not presenting():  # hidden on phones too (CSS): the first screen is for the figures
        st.container(key="gtec_intro").caption(text)


def sidebar_footer(lang: str) -> None:
    """Data attribution, shown on every page."""
    st.sidebar.divider()
    st.sidebar.caption(t("footer.attribution", lang))
