"""Streamlit blocks shared by the workshop pages: phone and projector chrome, join address and QR, errors."""

from __future__ import annotations

import os

import streamlit as st

from components import data
from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.i18n import LANGS, t
from gtec.workshops import joinurl, links

PHONE_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"] {display:none !important}
/* no app header on the phone (no sidebar to open): it covered the language switch and the session's title */
.block-container {max-width: 40rem; padding: 1rem .8rem 4rem}
.stButton button, .stFormSubmitButton button, .stDownloadButton button {min-height: 3.2rem; font-size: 1.1rem}
[data-testid="stRadio"] label {min-height: 2.6rem; align-items: center; font-size: 1.1rem}
textarea, input {font-size: 1.1rem !important}
</style>
"""
PROJECTOR_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"] {display:none !important}
.stApp {background:#0b0b0b; color:#fff}
.block-container {max-width: 100%; padding: .6rem 1.2rem}
.stApp p, .stApp label, .stApp h1, .stApp h2, .stApp h3 {color:#fff}
.stApp a, .stApp a p {color:#9fd3ff}
/* notices keep their pale background: their text stays dark (white on pale blue could not be read) */
.stApp [data-testid="stAlert"] p, .stApp [data-testid="stAlert"] li {color:#0b0b0b !important}
/* view switch (1.67 marks the buttons data-variant, the chosen one data-selected): light buttons, the selected
   one yellow with black bold text, readable from the back of the room */
[data-testid="stButtonGroup"] [data-variant='segmented_control'] {background:#f2f2f2 !important;
border-color:#888 !important; color:#111 !important}
[data-testid="stButtonGroup"] [data-variant='segmented_control'] * {color:#111 !important}
[data-testid="stButtonGroup"] [data-variant='segmented_control'][data-selected] {background:#ffd400 !important;
border-color:#ffd400 !important; color:#0b0b0b !important}
[data-testid="stButtonGroup"] [data-variant='segmented_control'][data-selected] * {color:#0b0b0b !important;
font-weight:700}
</style>
"""


def chrome(kind: str) -> None:
    """Hide the app's sidebar and enlarge touch targets (``phone``), or go full-screen dark (``projector``)."""
    st.html(PHONE_CSS if kind == "phone" else PROJECTOR_CSS)


def language_buttons(lang: str, key: str) -> str:
    """A compact FR/EN switch for pages without sidebar; keeps the choice in the session and the URL."""
    choice = st.segmented_control(
        "Langue / Language",
        options=list(LANGS),
        format_func=str.upper,
        default=lang,
        key=key,
        persist_state="session",
        label_visibility="collapsed",
    )
    if choice and choice != lang:
        st.session_state["lang"] = choice
        st.rerun()
    return lang


def show_error(error: UserError | auth.PermissionDenied, lang: str) -> None:
    """A refused action in the reader's language (never an exception text)."""
    if isinstance(error, UserError):
        st.error(t(error.key, lang, **error.values))
    else:
        st.error(t("auth.error.denied", lang))


def public_base_url() -> str:
    """Base URL for phones: ``GTEC_PUBLIC_URL`` or ``[gtec] public_url`` in secrets, else the LAN address."""
    configured = os.environ.get("GTEC_PUBLIC_URL", "")
    if not configured:
        try:
            configured = str(st.secrets.get("gtec", {}).get("public_url", ""))
        except Exception:  # no secrets file: Streamlit raises instead of answering "none"
            configured = ""
    return joinurl.base_url(configured, int(st.get_option("server.port") or 8501))


@st.cache_data(show_spinner=False, max_entries=32)
def qr_png(url: str) -> bytes:
    """The QR code of ``url`` (cached: the wall redraws every few seconds, the address does not change)."""
    return joinurl.qr_png(url)


@data.per_build()
def family_choices(lang: str) -> list[tuple[str, str]]:
    return links.families(data.reference(), lang)


@data.per_build()
def territory_choices() -> list[tuple[str, str]]:
    return links.territories(data.reference())


def link_labels(lang: str, ids: list[str | None]) -> dict[str, str]:
    """Readable names of linked families and territories (ids as given when the store is unavailable)."""
    try:
        return links.labels(data.reference(), lang, ids)
    except Exception:  # the report still comes out without the reference store
        return links.labels(None, lang, ids)
