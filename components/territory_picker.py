"""Territory choice shared by the pages: a level, then a territory of that level; kept in the URL."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import data, session
from gtec.core.i18n import t
from gtec.imports import zones
from gtec.territories import custom, related
from gtec.territories.indicators import PICKABLE_LEVELS

DEFAULT_TERRITORY = "FR-BASIN-VANNES"


def custom_choices(member_level: str | None = None) -> pd.DataFrame:
    """Saved custom territories as picker rows (read each run: another session may have saved one)."""
    customs = custom.list_custom(session.workspace())
    if member_level:
        keep = {c.id for c in customs if c.member_level == member_level}
        return custom.list_for_choices(session.workspace())[lambda df: df["id"].isin(keep)]
    return custom.list_for_choices(session.workspace())


@data.per_build(resource=True)  # one read-only frame per process and build: never changed in place
def _hierarchy() -> pd.DataFrame:
    return related.load_hierarchy(data.reference())


@data.per_build(resource=True)
def _overlaps() -> pd.DataFrame:
    return related.load_overlaps(data.reference())


def related_choice(current: str, ids: list[str], default: str) -> str:
    """The territory of the newly chosen level to open: related to ``current`` (review P7, S11), never simply
    the first name in the alphabet (:func:`gtec.territories.related.related_territory`)."""
    found = related.related_territory(
        _hierarchy(), current, ids, members=data.members(current),
        overlapping=related.overlapping_ids(_overlaps(), current), default=default,
    )  # fmt: skip
    return found if found in ids else ids[0]


def pick_territory(
    lang: str,
    *,
    key: str = "territory",
    default: str = DEFAULT_TERRITORY,
    levels: tuple[str, ...] = PICKABLE_LEVELS,
    extra: pd.DataFrame | None = None,
    container=None,
    imported: bool | None = None,
) -> str:
    """Level + territory selectors. The choice is kept in the query parameter ``key`` (validated id).

    ``extra`` adds rows shaped like :func:`gtec.territories.indicators.list_territories` (e.g. saved custom territories,
    level ``custom``). ``imported`` adds the zones of imported boundary layers (default: on the portrait's
    levels, :data:`PICKABLE_LEVELS`). A remembered or linked id that this page does not offer falls back to ``default``.
    """
    box = container or st
    offer = imported if imported is not None else levels == PICKABLE_LEVELS
    names = zones.level_names(session.workspace()) if offer else {}
    levels = (*levels, *names)  # imported boundary layers (their zones), after the reference levels
    all_terr = data.territories(levels)
    if extra is not None and not extra.empty:
        all_terr = pd.concat([all_terr, extra], ignore_index=True)
    valid = set(all_terr["id"])
    state_key = f"_{key}_id"
    current = st.session_state.get(state_key)
    if current not in valid:
        wanted = st.query_params.get(key, default)
        current = wanted if wanted in valid else (default if default in valid else all_terr["id"].iloc[0])
    current_level = all_terr.loc[all_terr["id"] == current, "level"].iloc[0]
    present = list(dict.fromkeys(lvl for lvl in all_terr["level"] if lvl in (*levels, "custom")))
    present.sort(key=lambda lvl: (*levels, "custom").index(lvl))
    col_level, col_terr = box.columns([1, 2])
    level_key = f"{key}_level"
    if st.session_state.get(level_key) not in present:
        st.session_state.pop(level_key, None)
    level = col_level.selectbox(
        t("picker.level", lang),
        present,
        index=present.index(current_level),
        format_func=lambda lvl: (
            t("map.imported.level", lang, name=names[lvl]) if lvl in names else t(f"level.{lvl}", lang)
        ),
        key=level_key,
        persist_state="session",
        placeholder=t("widget.choose", lang),
    )
    options = all_terr[all_terr["level"] == level]
    ids = list(options["id"])
    labels = dict(zip(options["id"], options["name"], strict=True))
    index = ids.index(current) if current in ids else ids.index(related_choice(current, ids, default))
    select_key = f"{key}_select_{level}"
    if level != current_level or st.session_state.get(select_key) not in ids:  # a new level: a related one
        st.session_state.pop(select_key, None)
    chosen = col_terr.selectbox(
        t("picker.territory", lang),
        ids,
        index=index,
        format_func=labels.__getitem__,
        key=select_key,
        persist_state="session",
        placeholder=t("widget.choose", lang),
        filter_mode="contains",  # typing "Golfe" offers names containing it, not fuzzy neighbours (review P8)
    )
    st.session_state[state_key] = chosen
    if st.query_params.get(key) != chosen:
        st.query_params[key] = chosen
    return chosen
