"""Figure cards: a value with its label, comparison and a compact status chip that opens its provenance.

Used instead of ``st.metric`` wherever a key figure is shown (portrait, occupations, scenarios, alternance):

- the label wraps on up to two lines (never an ellipsis), the value is already formatted in the reader's
  language, the comparison and period sit under it;
- the status chip (officiel / estimation / valeur de démonstration) is a ``<details>`` element: a click opens
  source, publisher, vintage, licence and how the value was made, without a rerun and without a widget;
- a demonstration value is hatched, outlined in dashes and says "valeur de démonstration, non officielle";
- cards flow in a CSS grid: as many columns as fit at 1280 px, two a row on a 390 px phone.

Every string is escaped here (``gtec.core.text.html``): labels and names come from data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st

from gtec.core.i18n import t
from gtec.core.provenance import Source
from gtec.core.text import html
from gtec.territories import display

#: Chip colours per status (text, background), readable on a projector.
_CHIP = {"official": ("#0b5d1e", "#d8f0dd"), "estimate": ("#7a4100", "#fde7c8"), "illustrative": ("#5b2a86", "#ece0f7")}
_CHIP["imported"] = ("#0b3d91", "#dce8fb")  # a user's file (gtec.imports)

CSS = """
.gtec-cards { display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fill, minmax(13.5rem, 1fr));
  margin: 0.25rem 0 0.75rem 0; }
.gtec-cards.cols-4 { grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); }
.gtec-card { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; padding: 0.6rem 0.8rem 0.5rem;
  background: #fff; min-width: 0; display: flex; flex-direction: column; gap: 0.15rem; }
.gtec-card .lbl { font-size: 0.95rem; line-height: 1.25; color: #31333f; overflow-wrap: anywhere;
  min-height: 2.5em; }
.gtec-card .val { font-size: 2rem; line-height: 1.15; font-weight: 600; color: #0e1117; overflow-wrap: anywhere; }
.gtec-card .sub { font-size: 0.9rem; color: #4a4d57; line-height: 1.3; overflow-wrap: anywhere; }
.gtec-card .delta-up { color: #0b5d1e; } .gtec-card .delta-down { color: #a11d1d; }
.gtec-card details { font-size: 0.85rem; margin-top: auto; padding-top: 0.2rem; }
.gtec-card summary { cursor: pointer; list-style: none; display: inline-block; border-radius: 0.4rem;
  padding: 0.1rem 0.5rem; font-weight: 600; min-height: 1.6rem; }
.gtec-card summary::-webkit-details-marker { display: none; }
.gtec-card summary::after { content: " \\25BE"; font-weight: normal; }
.gtec-card details[open] > div { margin-top: 0.3rem; color: #31333f; line-height: 1.35; overflow-wrap: anywhere; }
.gtec-card.demo { border: 2px dashed #7b3fb3;
  background: repeating-linear-gradient(135deg, #fff, #fff 10px, #f4ecfb 10px, #f4ecfb 20px); }
.gtec-card.demo .val { color: #5b2a86; }
@media (max-width: 640px) {
  .gtec-cards, .gtec-cards.cols-4 { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem; }
  .gtec-card { padding: 0.45rem 0.55rem; }
  .gtec-card .val { font-size: 1.45rem; }
  .gtec-card .lbl { font-size: 0.85rem; }
  .gtec-card .sub, .gtec-card details { font-size: 0.78rem; }
}
"""


@dataclass(frozen=True)
class Figure:
    """One card. ``label``/``value``/``compare``/``period``/``note`` are plain text (escaped when drawn);
    ``value`` is already formatted for the reader's language; ``delta_sign`` colours ``delta`` (+1 good,
    -1 bad, 0 neutral); ``sources`` give the chip; ``status`` overrides their weakest status; ``method`` says
    how the value was made."""

    label: str
    value: str
    compare: str | None = None
    period: str | None = None
    note: str | None = None
    delta: str | None = None
    delta_sign: int = 0
    sources: tuple[Source, ...] = ()
    status: str | None = None
    method: str | None = None


def _status(fig: Figure) -> str:
    if fig.status:
        return fig.status
    from gtec.core.provenance import weakest_status

    return weakest_status(s.status for s in fig.sources) if fig.sources else "estimate"


def _provenance(fig: Figure, lang: str) -> str:
    parts = []
    for s in fig.sources:
        line = f"<b>{html(t('card.source', lang))}</b> {html(s.title(lang))}"
        line += f" ({html(s.publisher)})" if s.publisher else ""
        line += f" · {html(t('provenance.vintage', lang))} {html(s.vintage_text(lang))}" if s.vintage_text(lang) else ""
        line += f" · {html(s.licence)}" if s.licence else ""
        parts.append(line)
    if not fig.sources:
        parts.append(html(t("card.no_source", lang)))
    if fig.method:
        parts.append(f"<b>{html(t('card.method', lang))}</b> {html(fig.method)}")
    return "<br>".join(parts)


def card_html(fig: Figure, lang: str) -> str:
    """The HTML of one card (escaped)."""
    status = _status(fig)
    demo = display.is_demo(status)
    fg, bg = _CHIP.get(status, ("#31333f", "#eeeeee"))
    out = [f'<div class="gtec-card{" demo" if demo else ""}" data-status="{html(status)}">']
    out.append(f'<div class="lbl">{html(fig.label)}</div>')
    out.append(f'<div class="val">{html(fig.value)}</div>')
    if fig.delta:
        cls = {1: " delta-up", -1: " delta-down"}.get(fig.delta_sign, "")
        out.append(f'<div class="sub{cls}">{html(fig.delta)}</div>')
    for extra in (fig.period, fig.compare, fig.note):
        if extra:
            out.append(f'<div class="sub">{html(extra)}</div>')
    out.append(
        f'<details><summary style="color:{fg};background:{bg}">{html(display.status_text(status, lang))}</summary>'
        f"<div>{_provenance(fig, lang)}</div></details></div>"
    )
    return "".join(out)


def cards_html(figures: Iterable[Figure], lang: str, columns: int = 3) -> str:
    """A grid of cards (``columns`` only sets the minimum width: 3 -> wider cards, 4 -> narrower)."""
    body = "".join(card_html(f, lang) for f in figures)
    return f'<div class="gtec-cards{" cols-4" if columns >= 4 else ""}">{body}</div>'


def figure_cards(figures: Iterable[Figure], lang: str, columns: int = 3, container=None) -> None:
    """Draw the cards (the CSS comes with :func:`components.session.page_style`)."""
    (container or st).html(cards_html(list(figures), lang, columns))
