"""Cached readers of the reference store, shared by the pages.

The read-only connection is shared across reruns (``check_same_thread=False`` is safe because it never writes);
query results are cached so a rerun after a widget change is cheap. Every cache of the reference store is keyed
by the store's build stamp (:func:`per_build`): after ``python -m gtec build`` replaces the file while the server
runs, the next rerun opens the new store and recomputes, without a restart and without any client clearing
caches. The stamp also carries the workspace's import stamp: imported indicators are read through the same
connection (:func:`reference`, overlay of :mod:`gtec.storage.overlay`), so an import, a rollback or a deletion
refreshes every cached figure too.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from components import session
from gtec.core import config
from gtec.core.provenance import Source, load_sources, split_source_ids
from gtec.imports import catalogue as imported
from gtec.imports import zones
from gtec.maps import levels, outline
from gtec.storage.overlay import apply_overlay
from gtec.storage.reference import ReferenceConnection, connect_reference
from gtec.storage.workspace import WorkspaceError
from gtec.territories import custom, indicators, occupations

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)
#: How long the workspace's import stamp is trusted before it is read again (an import from the CLI or another
#: server process shows within this delay; one made in this process shows at once, see :func:`imports_changed`).
IMPORT_STAMP_TTL = 2.0
_IMPORTS: dict[str, Any] = {"at": -1e9, "stamp": ""}


def imports_stamp() -> str:
    """The workspace's import stamp (:func:`gtec.imports.catalogue.import_stamp`), read at most every
    :data:`IMPORT_STAMP_TTL` seconds; ``none`` when the workspace cannot be read (the reference alone is shown)."""
    now = time.monotonic()
    if now - _IMPORTS["at"] > IMPORT_STAMP_TTL:
        try:
            stamp = f"{imported.import_stamp(session.workspace())}-{zones.stamp(session.workspace())}"
        except WorkspaceError:
            stamp = "none"
        _IMPORTS.update(at=now, stamp=stamp)
    return str(_IMPORTS["stamp"])


def imports_changed() -> None:
    """Called after an import, rollback or deletion in this process: the next read takes the new stamp."""
    _IMPORTS["at"] = -1e9


def store_stamp() -> str:
    """Identifies one build of the reference store (inode, modification time, size) and the current imports: a
    rebuild or an import changes it."""
    try:
        s = config.reference_path().stat()
    except FileNotFoundError:
        return "missing"
    return f"{s.st_ino}-{s.st_mtime_ns}-{s.st_size}-{imports_stamp()}"


def per_build(*, resource: bool = False, **options: Any) -> Callable[[F], F]:
    """``st.cache_data`` (or ``st.cache_resource``) keyed by the store's build stamp as well as the arguments.

    The stamp is passed as a real (hashed) argument: Streamlit does not hash arguments whose name starts
    with ``_``, which is how the previous per-module ``_stamp`` trick kept serving a replaced store.
    """
    decorator = st.cache_resource if resource else st.cache_data

    def wrap(func: F) -> F:
        def keyed(stamp: str, *args: Any, **kwargs: Any) -> Any:
            return func(*args, **kwargs)

        keyed.__module__, keyed.__name__, keyed.__qualname__ = func.__module__, func.__name__, func.__qualname__
        cached = decorator(show_spinner=False, **options)(keyed)

        @functools.wraps(func)
        def public(*args: Any, **kwargs: Any) -> Any:
            return cached(store_stamp(), *args, **kwargs)

        public.clear = cached.clear  # type: ignore[attr-defined]
        return public  # type: ignore[return-value]

    return wrap


@per_build(resource=True, max_entries=2)
def reference() -> ReferenceConnection:
    """The shared read-only connection to the current build of the reference store, with the current imported
    indicators shown through it (status ``imported``; reference values win on the same key)."""
    conn = connect_reference(check_same_thread=False)
    if imports_stamp() != "none":
        try:
            apply_overlay(conn, *imported.overlay_rows(session.workspace()))
        except WorkspaceError as exc:  # the reference figures still show; the administrator reads the log
            log.error("imported indicators not shown: workspace unusable (%s)", exc.code)
        try:  # imported boundary layers: levels and territories (their values aggregated from the communes)
            zones.show_layers(session.workspace(), conn)
        except Exception:  # a layer that cannot be shown never takes the reference figures down with it
            log.exception("imported boundary layers not shown")
    return conn


@per_build(resource=True)
def territories(levels: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Territories of ``levels`` (:func:`gtec.territories.indicators.list_territories`), one shared frame per
    process and build: read it, never change it in place. Its text columns are plain Python strings (object
    dtype): the territory pickers go through every id and level on each rerun, 4-5 times faster than through
    Arrow-backed strings, and a shared frame is not copied as a ``st.cache_data`` value is (issue 17)."""
    df = indicators.list_territories(reference(), levels)
    return df.astype({c: object for c in df.columns if pd.api.types.is_string_dtype(df[c])})


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


@per_build()
def _reference_territory(territory_id: str) -> dict | None:
    terr = indicators.get_territory(reference(), territory_id)
    if terr and levels.is_imported(str(terr["level"])):  # a zone of an imported layer: named as such on pages
        terr = {**terr, "layer": terr["level"], "level": "imported_zone"}
    return terr


@per_build()
def _custom_values(members: tuple[str, ...]) -> pd.DataFrame:
    """Long values of a custom territory aggregated from its members (catalogue rule), one source per row: the
    weakest one, so that a value built on a demonstration value is itself one (and hidden by default)."""
    agg = custom.aggregate_values(reference(), list(members))
    if agg.empty:
        return pd.DataFrame(columns=indicators.VALUE_COLUMNS)
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


@per_build()
def catalogue() -> dict[str, dict]:
    """The indicator catalogue ``{id: row}`` (:func:`gtec.territories.indicators.catalogue`)."""
    return indicators.catalogue(reference())


@per_build()
def sources() -> dict[str, Source]:
    return load_sources(reference())


def portrait(territory_id: str, show_demo: bool = False) -> pd.DataFrame:
    """Portrait rows; a custom territory is compared with France (it has no single parent). Demonstration
    values only when ``show_demo`` (:mod:`gtec.territories.display`)."""
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        own = _custom_values(tuple(terr["members"]))
        return indicators.compare_figures(reference(), own, None, "FR", show_demo=show_demo)
    return _reference_portrait(territory_id, show_demo)


@per_build()
def _reference_portrait(territory_id: str, show_demo: bool) -> pd.DataFrame:
    return indicators.portrait(reference(), territory_id, show_demo=show_demo)


def trend(territory_id: str, indicator_id: str, show_demo: bool = False) -> pd.DataFrame:
    """Index series of the territory, its parent and nation (values that may be shown only)."""
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        own = _custom_values(tuple(terr["members"]))
        own = own[own["indicator_id"] == indicator_id].assign(territory_id=territory_id)
        nat = indicators.values(reference(), ["FR"], [indicator_id])
        both = indicators.visible(reference(), pd.concat([own, nat], ignore_index=True), show_demo)
        return indicators.index_series(both)
    return _reference_trend(territory_id, indicator_id, show_demo)


@per_build()
def _reference_trend(territory_id: str, indicator_id: str, show_demo: bool) -> pd.DataFrame:
    return indicators.trend_index(reference(), territory_id, indicator_id, show_demo)


def trend_candidates(territory_id: str, table: pd.DataFrame, show_demo: bool = False) -> list[str]:
    """Indicators of a portrait worth a trend chart (custom territories: those with two years or more). ``table`` is
    the territory's portrait (:func:`portrait` with the same ``show_demo``)."""
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        own = indicators.visible(reference(), _custom_values(tuple(terr["members"])), show_demo)
        years = own.dropna(subset=["value"]).groupby("indicator_id")["year"].nunique()
        return [i for i in table["indicator_id"] if years.get(i, 0) >= 2] if not table.empty else []
    return _reference_trend_candidates(territory_id, show_demo)


@per_build()
def _reference_trend_candidates(territory_id: str, show_demo: bool) -> list[str]:
    # keyed on the territory, not on its portrait table: the table is _reference_portrait(territory_id,
    # show_demo) (what the page passes), and hashing a DataFrame for the cache key cost more than the lookup
    table = _reference_portrait(territory_id, show_demo)
    return indicators.trend_candidates(reference(), territory_id, table, show_demo)


@per_build()
def quarterly(territory_id: str, indicator_id: str) -> pd.DataFrame:
    """Quarterly series of a reference territory, its parent and nation (empty for custom territories)."""
    if custom.is_custom_id(territory_id):
        return pd.DataFrame(columns=["territory_id", "period", "year", "quarter", "value", "source_id", "date"])
    return indicators.quarterly_series(reference(), territory_id, indicator_id)


@per_build()
def overlaps(basin_id: str) -> pd.DataFrame:
    """Zones d'emploi and BMO bassins a project basin overlaps (:func:`gtec.territories.occupations.overlaps`)."""
    return occupations.overlaps(reference(), basin_id)


@per_build()
def latest_figure(territory_id: str, indicator_id: str) -> dict | None:
    """The latest official (or estimated) value of one indicator for one territory, with its period, flag and
    source; None when it has none."""
    df = indicators.visible(reference(), indicators.values(reference(), [territory_id], [indicator_id]), False)
    df = df.dropna(subset=["value"])
    return df.sort_values("year").iloc[-1].to_dict() if not df.empty else None


@per_build()
def bassin_for(territory_id: str) -> tuple[str | None, float | None]:
    """The BMO bassin a territory is read through and the share of its population inside it."""
    if custom.is_custom_id(territory_id):
        return None, None
    return occupations.bassin_for(reference(), territory_id)


@per_build()
def bmo_occupations(bassin_id: str) -> pd.DataFrame:
    """Occupations of a BMO bassin, most hiring projects first."""
    return occupations.occupations(reference(), bassin_id)


@per_build()
def bmo_comparison(met_codes: tuple[str, ...], departement_id: str | None) -> pd.DataFrame:
    """The same occupations in the département and in France."""
    return occupations.comparison(reference(), list(met_codes), departement_id)


@per_build()
def bmo_totals(territory_id: str) -> occupations.Totals:
    """BMO headline of a bassin, département or France."""
    return occupations.totals(reference(), territory_id)


def members(territory_id: str) -> list[str]:
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        return list(terr["members"])
    return _reference_members(territory_id)


@per_build()
def _reference_members(territory_id: str) -> list[str]:
    return indicators.members(reference(), territory_id)


def outline_features(territory_id: str) -> dict:
    """FeatureCollection for the portrait map (custom territories: union of their members)."""
    terr = territory(territory_id)
    if terr and terr["level"] == "custom":
        return _custom_outline(tuple(terr["members"]), terr["name"])
    return _reference_outline(territory_id)


@per_build(resource=True)  # read-only GeoJSON, shared: not copied on every rerun
def _custom_outline(members: tuple[str, ...], name: str) -> dict:
    return outline.custom_features(reference(), members, name)


@per_build(resource=True)  # read-only GeoJSON, shared: not copied on every rerun
def _reference_outline(territory_id: str) -> dict:
    """FeatureCollection of the territory and its members (basin -> EPCIs; EPCI -> communes), detail resolution."""
    return outline.reference_features(reference(), territory_id)
