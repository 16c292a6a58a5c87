"""Cached readers of the reference store, shared by the pages.

The read-only connection is shared across reruns (``check_same_thread=False`` is safe because it never writes);
query results are cached with ``st.cache_data`` so a rerun after a widget change is cheap.
"""

from __future__ import annotations

import sqlite3

import pandas as pd
import streamlit as st

from components import session
from gtec.core.provenance import Source, load_sources, split_source_ids
from gtec.maps import outline
from gtec.storage.reference import connect_reference
from gtec.territories import custom, indicators


@st.cache_resource(show_spinner=False)
def reference() -> sqlite3.Connection:
    """The shared read-only connection to the reference store."""
    return connect_reference(check_same_thread=False)


@st.cache_data(show_spinner=False)
def territories(levels: tuple[str, ...] | None = None) -> pd.DataFrame:
    return indicators.list_territories(reference(), levels)


def territory(territory_id: str) -> dict | None:
    """A reference territory, or a saved custom one (``WS-<n>``, read from the workspace each time)."""
    if custom.is_custom_id(territory_id):
        saved = custom.get(session.workspace(), territory_id)
        if saved is None:
            return None
        return {
            "id": saved.id,
            "code": saved.id,
            "name": saved.name,
            "level": "custom",
            "country": "FR",
            "parent_id": None,
            "population": None,
            "pop_source_id": None,
            "description": saved.description,
            "members": list(saved.members),
        }
    return _reference_territory(territory_id)


@st.cache_data(show_spinner=False)
def _reference_territory(territory_id: str) -> dict | None:
    return indicators.get_territory(reference(), territory_id)


@st.cache_data(show_spinner=False)
def _custom_values(members: tuple[str, ...]) -> pd.DataFrame:
    """Long values of a custom territory aggregated from its members (catalogue rule), one source per row."""
    agg = custom.aggregate_values(reference(), list(members))
    if agg.empty:
        return pd.DataFrame(columns=["territory_id", "indicator_id", "year", "value", "source_id"])
    srcs = sources()

    def weakest(ids: str, status: str) -> str:
        candidates = split_source_ids(ids)
        return next((i for i in candidates if i in srcs and srcs[i].status == status), candidates[0])

    return pd.DataFrame(
        {
            "territory_id": "custom",
            "indicator_id": agg["indicator_id"],
            "year": agg["year"].astype(int),
            "value": agg["value"],
            "source_id": [weakest(i, st_) for i, st_ in zip(agg["source_ids"], agg["status"], strict=True)],
        }
    )


@st.cache_data(show_spinner=False)
def catalogue() -> dict[str, dict]:
    """The indicator catalogue ``{id: row}`` (:func:`gtec.territories.indicators.catalogue`)."""
    return indicators.catalogue(reference())


@st.cache_data(show_spinner=False)
def sources() -> dict[str, Source]:
    return load_sources(reference())


def portrait(territory_id: str) -> pd.DataFrame:
    """Portrait rows; a custom territory is compared with France (it has no single parent)."""
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        own = _custom_values(tuple(terr["members"]))
        return indicators.compare_figures(reference(), own, None, "FR")
    return _reference_portrait(territory_id)


@st.cache_data(show_spinner=False)
def _reference_portrait(territory_id: str) -> pd.DataFrame:
    return indicators.portrait(reference(), territory_id)


def trend(territory_id: str, indicator_id: str) -> pd.DataFrame:
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        own = _custom_values(tuple(terr["members"]))
        own = own[own["indicator_id"] == indicator_id].assign(territory_id=territory_id)
        nat = indicators.values(reference(), ["FR"], [indicator_id])
        return indicators.index_series(pd.concat([own, nat], ignore_index=True))
    return _reference_trend(territory_id, indicator_id)


@st.cache_data(show_spinner=False)
def _reference_trend(territory_id: str, indicator_id: str) -> pd.DataFrame:
    return indicators.trend_index(reference(), territory_id, indicator_id)


def members(territory_id: str) -> list[str]:
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        return list(terr["members"])
    return _reference_members(territory_id)


@st.cache_data(show_spinner=False)
def _reference_members(territory_id: str) -> list[str]:
    return indicators.members(reference(), territory_id)


def outline_features(territory_id: str) -> dict:
    """FeatureCollection for the portrait map (custom territories: union of their members)."""
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        return _custom_outline(tuple(terr["members"]), terr["name"])
    return _reference_outline(territory_id)


@st.cache_data(show_spinner=False)
def _custom_outline(members: tuple[str, ...], name: str) -> dict:
    return outline.custom_features(reference(), members, name)


@st.cache_data(show_spinner=False)
def _reference_outline(territory_id: str) -> dict:
    """FeatureCollection of the territory and its members (basin -> EPCIs; EPCI -> communes), detail resolution."""
    return outline.reference_features(reference(), territory_id)
