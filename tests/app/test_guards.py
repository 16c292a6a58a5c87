"""A browser's clear_cache message must not clear the caches every user of the process shares."""

from __future__ import annotations

import types

import streamlit as st
from streamlit.runtime.app_session import AppSession

from components.guards import protect_server_caches


def test_a_client_clear_cache_message_leaves_the_shared_caches_alone():
    computed: list[int] = []

    @st.cache_data(show_spinner=False)
    def expensive(x: int) -> int:
        computed.append(x)
        return x

    expensive(1)
    expensive(1)
    assert computed == [1]
    protect_server_caches()
    protect_server_caches()  # idempotent
    cleared: list[bool] = []
    fake_session = types.SimpleNamespace(_session_state=types.SimpleNamespace(clear=lambda: cleared.append(True)))
    AppSession._handle_clear_cache_request(fake_session)  # what Streamlit runs for a client's clear_cache
    expensive(1)
    assert computed == [1], "the shared cache was cleared by a client"
    assert cleared == [True]  # the sender's own session state only
