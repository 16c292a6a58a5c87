"""The one way charts reach the screen: the app's Altair defaults, large in presentation mode."""

from __future__ import annotations

import streamlit as st

from components.session import presenting
from gtec.core import chartstyle


def show(chart, lang: str, **kwargs) -> object:
    """``st.altair_chart`` with :func:`gtec.core.chartstyle.finish` (large type in presentation mode)."""
    kwargs.setdefault("width", "stretch")
    return st.altair_chart(chartstyle.finish(chart, lang, large=presenting()), **kwargs)
