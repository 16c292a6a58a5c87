"""Streamlit blocks of the peer-learning pages: the practices map, one practice card, the space key read at the
edge, and the one way these pages show a refused action."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from components import data
from components.provenance import status_markdown
from gtec.core import auth, fmt
from gtec.core.errors import UserError
from gtec.core.i18n import pick, t
from gtec.core.text import md, md_values
from gtec.practices import library, mapping, outcomes, space

STATUS_COLOURS = {"project_document": "blue", "partner": "orange", "peer_reviewed": "green"}


def show_error(error: Exception, lang: str) -> None:
    """A refused action, in words: a UserError's message, or the permission message."""
    if isinstance(error, UserError):
        st.error(t(error.key, lang, **md_values(error.values)))
    elif isinstance(error, auth.PermissionDenied):
        st.error(t("practices.denied", lang))
    else:  # pragma: no cover - programming error: log, never show the text
        raise error


def space_key() -> bytes | None:
    """The secure spaces' key: ``GTEC_SPACE_KEY`` or the ``[gtec] space_key`` secret (None when neither is set)."""
    try:
        gtec_secrets = dict(st.secrets.get("gtec", {}))
    except Exception:  # no secrets file at all
        gtec_secrets = {}
    return space.resolve_key(os.environ, gtec_secrets)


def text_in(practice: Mapping[str, Any], field: str, lang: str) -> tuple[str, bool]:
    """The field in ``lang``, else in the other language; True when it is the other language's text."""
    own = practice.get(f"{field}_{lang}") or ""
    if own:
        return own, False
    other = next((practice.get(f"{field}_{x}") for x in library.LANGS if practice.get(f"{field}_{x}")), "")
    return other or "", bool(other)


def practice_card(practice: Mapping[str, Any], lang: str, family_labels: Mapping[str, str]) -> None:
    """Title, status, territory, summary, details and sources of one practice (all text escaped)."""
    summary, other = text_in(practice, "summary", lang)
    colour = STATUS_COLOURS.get(practice["status"], "gray")
    st.markdown(
        f":{colour}-badge[{t('practices.status.' + practice['status'], lang)}] "
        f"· {t('practices.country.' + practice['country'].lower(), lang)} "
        f"· {t('practices.theme.' + practice['theme'], lang)}"
    )
    missing = library.missing_languages(practice)
    if missing:
        st.caption(t("practices.missing_lang", lang, langs=", ".join(x.upper() for x in missing)))
    if other:
        st.caption(t("practices.other_lang", lang))
    st.markdown(md(summary, multiline=True))
    description, _ = text_in(practice, "description", lang)
    if description:
        st.markdown(md(description, multiline=True))
    rows = [
        ("practices.field.territory", practice["territory_id"]),
        (
            "practices.field.stakeholders",
            ", ".join(t("practices.stakeholder." + s, lang) for s in practice["stakeholders"]),
        ),
        ("practices.field.families", ", ".join(family_labels.get(f, f) for f in practice["families"])),
        ("practices.field.results", practice["results"]),
        ("practices.field.conditions", practice["conditions"]),
        ("practices.field.barriers", practice["barriers"]),
        ("practices.field.contact_org", practice["contact_org"]),
        ("practices.field.sources", practice["sources"]),
    ]
    for key, value in rows:
        if value:
            st.markdown(f"**{t(key, lang)}** " + md(value, multiline=True))
    show_change(practice, lang)


def show_change(practice: Mapping[str, Any], lang: str) -> None:
    """The practice's indicator before and after, read from the store, with its source status; missing shown."""
    change = outcomes.indicator_change(data.reference(), dict(practice))
    if change is None:
        return
    info = data.catalogue().get(change.indicator_id, {})
    source = data.sources().get(change.source_id or "")
    line = t(
        "practices.change",
        lang,
        indicator=md(pick(info, "label", lang) or change.indicator_id),
        before=fmt.number(change.before, lang, 1),
        before_year=change.before_year,
        after=fmt.number(change.after, lang, 1),
        after_year=change.after_year,
    )
    if source is not None:
        line += f" {status_markdown(source.status, lang)} " + md(source.title(lang))
    st.markdown(line)


def show_practice_map(practices: list[dict], lang: str) -> None:
    """The practices at their territories' outlines; those without an outline are named under the map."""
    group, unmapped, points = mapping.practice_layer(data.reference(), practices, lang)
    if points:
        st_folium(mapping.practice_map(group, points), height=440, use_container_width=True, returned_objects=[])
    else:
        st.info(t("practices.map.empty", lang))
    if unmapped:
        names = ", ".join(text_in(p, "title", lang)[0] for p in unmapped)
        st.caption(t("practices.map.unmapped", lang, names=md(names)))
