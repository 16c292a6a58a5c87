"""Cached readers of the reference store, shared by the pages.

The read-only connection is shared across reruns (``check_same_thread=False`` is safe because it never writes);
query results are cached with ``st.cache_data`` so a rerun after a widget change is cheap.
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import streamlit as st

from gtec import indicators, store
from gtec.provenance import Source, load_sources


@st.cache_resource(show_spinner=False)
def reference() -> sqlite3.Connection:
    """The shared read-only connection to the reference store."""
    return store.connect_reference(check_same_thread=False)


@st.cache_data(show_spinner=False)
def territories(levels: tuple[str, ...] | None = None) -> pd.DataFrame:
    return indicators.list_territories(reference(), levels)


@st.cache_data(show_spinner=False)
def territory(territory_id: str) -> dict | None:
    return indicators.get_territory(reference(), territory_id)


@st.cache_data(show_spinner=False)
def catalogue() -> pd.DataFrame:
    return indicators.catalogue(reference())


@st.cache_data(show_spinner=False)
def sources() -> dict[str, Source]:
    return load_sources(reference())


@st.cache_data(show_spinner=False)
def portrait(territory_id: str) -> pd.DataFrame:
    return indicators.portrait(reference(), territory_id)


@st.cache_data(show_spinner=False)
def trend(territory_id: str, indicator_id: str) -> pd.DataFrame:
    return indicators.trend_index(reference(), territory_id, indicator_id)


@st.cache_data(show_spinner=False)
def members(territory_id: str) -> list[str]:
    return indicators.members(reference(), territory_id)


@st.cache_data(show_spinner=False)
def outline_features(territory_id: str) -> dict:
    """FeatureCollection of the territory and its members (basin -> EPCIs; EPCI -> communes), detail resolution."""
    from gtec.geography import territory_geometry

    conn = reference()
    feats = []
    terr = indicators.get_territory(conn, territory_id)
    parts = indicators.members(conn, territory_id)
    if not parts and terr and terr["level"] in ("epci", "departement", "region"):
        child_level = {"epci": "commune", "departement": "epci", "region": "departement"}[terr["level"]]
        parts = indicators.children(conn, territory_id, child_level)
    names = dict(
        conn.execute(
            "SELECT id, name FROM territories WHERE level != 'commune' OR parent_id = ?", (territory_id,)
        ).fetchall()
    )
    for pid in parts:
        geom = territory_geometry(conn, pid, "detail")
        if geom:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": geom,
                    "properties": {"id": pid, "name": names.get(pid, pid), "role": "member"},
                }
            )
    geom = territory_geometry(conn, territory_id, "detail")
    if geom:
        feats.append(
            {
                "type": "Feature",
                "geometry": geom,
                "properties": {"id": territory_id, "name": terr["name"] if terr else territory_id, "role": "outline"},
            }
        )
    return {"type": "FeatureCollection", "features": feats}
