"""Territory choice shared by the pages: a level, then a territory of that level; kept in the URL."""

from __future__ import annotations

import streamlit as st

from components import data
from gtec.i18n import t
from gtec.indicators import PICKABLE_LEVELS

DEFAULT_TERRITORY = "FR-BASIN-VANNES"


def pick_territory(
    lang: str,
    *,
    key: str = "territory",
    default: str = DEFAULT_TERRITORY,
    levels: tuple[str, ...] = PICKABLE_LEVELS,
    container=None,
) -> str:
    """Level + territory selectors. The choice is kept in the query parameter ``key`` (validated id)."""
    box = container or st
    all_terr = data.territories(levels)
    valid = set(all_terr["id"])
    state_key = f"_{key}_id"
    if state_key not in st.session_state:
        wanted = st.query_params.get(key, default)
        st.session_state[state_key] = (
            wanted if wanted in valid else (default if default in valid else all_terr["id"].iloc[0])
        )
    current = st.session_state[state_key]
    current_level = all_terr.loc[all_terr["id"] == current, "level"].iloc[0]
    present = [lvl for lvl in levels if lvl in set(all_terr["level"])]
    col_level, col_terr = box.columns([1, 2])
    level = col_level.selectbox(
        t("picker.level", lang),
        present,
        index=present.index(current_level),
        format_func=lambda lvl: t(f"level.{lvl}", lang),
        key=f"{key}_level",
    )
    options = all_terr[all_terr["level"] == level]
    ids = list(options["id"])
    labels = dict(zip(options["id"], options["name"], strict=True))
    index = ids.index(current) if current in ids else 0
    chosen = col_terr.selectbox(
        t("picker.territory", lang),
        ids,
        index=index,
        format_func=labels.__getitem__,
        key=f"{key}_select_{level}",
    )
    st.session_state[state_key] = chosen
    if st.query_params.get(key) != chosen:
        st.query_params[key] = chosen
    return chosen
