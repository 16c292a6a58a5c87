"""Provenance badge: status, source and vintage next to every figure; the demonstration-values switch."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from gtec.core.i18n import t
from gtec.core.provenance import STATUS_COLOURS, Source
from gtec.core.text import md
from gtec.territories import display

#: Session key of the one switch that shows demonstration values (shared by every page).
DEMO_KEY = "show_demo"


def demo_switch(lang: str, *, container=None) -> bool:
    """The visible switch "Afficher les valeurs de démonstration" (off by default, kept for the session).

    Returns whether demonstration values may be shown. Every page that shows figures draws it with the same
    key, so the choice follows the user from page to page."""
    target = container or st
    return bool(
        target.toggle(t("demo.switch", lang), key=DEMO_KEY, help=t("demo.switch_help", lang), persist_state="session")
    )


def status_markdown(status: str, lang: str) -> str:
    """Inline Markdown badge for a status (``:green-badge[officiel]``); a demonstration value's badge reads
    "valeur de démonstration, non officielle"."""
    return f":{STATUS_COLOURS.get(status, 'gray')}-badge[{display.status_text(status, lang)}]"


def badge(source: Source, lang: str, *, container=None) -> None:
    """Status badge + one caption line with the source title, publisher and vintage."""
    target = container or st
    target.markdown(
        f"{status_markdown(source.status, lang)} {md(source.title(lang))}" + _vintage(source, lang),
        help=md(f"{source.publisher} · {source.licence} {source.url}".strip()),
        unsafe_allow_html=False,
    )


def _vintage(source: Source, lang: str) -> str:
    """`` · millésime 2024`` (nothing when the source has no public vintage)."""
    text = source.vintage_text(lang)
    return f" · {t('provenance.vintage', lang)} {md(text)}" if text else ""


def source_line(sources: Iterable[Source], lang: str, status: str | None = None) -> str:
    """One Markdown line for under a chart or a figure: the status badge (``status``, else the weakest of the
    sources), then each source's title, publisher and vintage ("Source : … · millésime 2022 ; …")."""
    from gtec.core.provenance import weakest_status

    srcs = list({s.id: s for s in sources}.values())
    status = status or (weakest_status(s.status for s in srcs) if srcs else "estimate")
    parts = [md(s.title(lang)) + (f" ({md(s.publisher)})" if s.publisher else "") + _vintage(s, lang) for s in srcs]
    text = f" {t('card.source', lang)} " + t("provenance.list_sep", lang).join(parts) if parts else ""
    return f"{status_markdown(status, lang)}{text}"


def illustrative_notice(sources: Iterable[Source], lang: str) -> None:
    """A visible warning, placed before the figures, when any of them is illustrative."""
    if any(display.is_demo(s.status) for s in sources):
        st.warning(t("provenance.illustrative_warning", lang), icon=":material/science:")


def flag_caption(flag: str, lang: str, *, container=None) -> None:
    """A figure's flag in plain words ("minimum : cellules secrètes non comptées"), nothing when empty."""
    if flag:
        (container or st).caption(f":material/info: {flag}")


def sources_list(sources: Iterable[Source], lang: str, *, expanded: bool = False, warn: bool = True) -> None:
    """An expander listing every source used on the page, with licence, address and note."""
    sources = sorted({s.id: s for s in sources}.values(), key=lambda s: (s.status, s.id))
    if not sources:
        return
    if warn:
        illustrative_notice(sources, lang)
    with st.expander(t("provenance.sources_title", lang), expanded=expanded):
        for s in sources:
            line = f"{status_markdown(s.status, lang)} **{md(s.title(lang))}**, {md(s.publisher)}"
            line += _vintage(s, lang)
            if s.licence:
                line += f" · {md(s.licence)}"
            st.markdown(line)
            if s.url:
                st.caption(md(s.url))
            if s.note(lang):
                st.caption(md(s.note(lang), multiline=True))
