"""Server-side guards against what any browser may send.

Streamlit's protocol lets every client send ``clear_cache``, which clears ``st.cache_data`` and
``st.cache_resource`` for *all* users of the process: one anonymous visitor looping on it turns every
reader's rerun into a cold one (measured: the 95th-percentile rerun under load went from 4.0 s to 7.6 s).
:func:`protect_server_caches` makes that message clear only the sender's own session state. Caches are
refreshed by what they depend on (the reference store's stamp, see ``components.data``), never by a client.
"""

from __future__ import annotations

import logging

log = logging.getLogger("gtec")
_FLAG = "_gtec_cache_guard"


def protect_server_caches() -> None:
    """Idempotent: patch the app session's ``clear_cache`` handler to leave the shared caches alone."""
    from streamlit.runtime.app_session import AppSession

    if getattr(AppSession, _FLAG, False):
        return

    def _handle_clear_cache_request(self: AppSession) -> None:
        log.info("ignored a client's clear_cache request (shared caches are refreshed by the store stamp)")
        self._session_state.clear()

    AppSession._handle_clear_cache_request = _handle_clear_cache_request  # type: ignore[method-assign]
    setattr(AppSession, _FLAG, True)


#: Session key where the patched navigation leaves the page name a URL asked for and no registered page has.
NOT_FOUND_KEY = "_gtec_page_not_found"
_NOT_FOUND_FLAG = "_gtec_not_found_patched"


def localise_page_not_found() -> None:
    """Idempotent: ``st.navigation`` no longer sends the browser Streamlit's English "Page not found … Running the
    app's main page" dialog (its text is in the browser code, in English only). It leaves the asked name in the
    session instead, and :func:`components.shell.page_not_found_notice` says it in the reader's language: the
    home page's own name (``/portrait``) shows the home page silently, a page the role may not use says so."""
    from streamlit.commands import navigation

    if getattr(navigation, _NOT_FOUND_FLAG, False):
        return

    def _record(ctx) -> None:  # same signature as streamlit.commands.navigation.send_page_not_found
        try:
            ctx.session_state[NOT_FOUND_KEY] = str(ctx.pages_manager.intended_page_name or "")
        except Exception:  # never worse than Streamlit's own: the home page runs either way
            log.warning("could not record a page not found", exc_info=True)

    navigation.send_page_not_found = _record  # type: ignore[assignment]
    setattr(navigation, _NOT_FOUND_FLAG, True)
