"""The portrait's comparison table drawn to fit: territory vs parent vs nation, with status and source in view.

``st.dataframe`` keeps one line per cell, so nine columns ran off a 1280 px screen (screens review P3: "Statut"
half visible, Source reduced to "S…") and showed three cut columns on a 390 px phone (F2). This table wraps its
cells instead: the source, vintage and note sit on a small second line under the indicator's name, so every
row carries its provenance without a column of its own; on a phone each row becomes a small block with the
column names beside the values (CSS only, no rerun). The CSV download keeps one column per field.

Every string is escaped (``gtec.core.text.html``): names and titles come from data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from gtec.core.i18n import t
from gtec.core.text import html

CSS = """
.gtec-cmp { width: 100%; border-collapse: collapse; font-size: 0.95rem; line-height: 1.3; margin: 0.2rem 0 0.6rem; }
.gtec-cmp th { text-align: left; font-weight: 600; border-bottom: 2px solid rgba(49,51,63,.25);
  padding: .35rem .45rem; }
.gtec-cmp td { vertical-align: top; border-bottom: 1px solid rgba(49,51,63,.12); padding: .35rem .45rem;
  overflow-wrap: anywhere; }
.gtec-cmp td.num { white-space: nowrap; }
.gtec-cmp td.nw { overflow-wrap: normal; }
.gtec-cmp td.yr { overflow-wrap: normal; hyphens: auto; }
.gtec-cmp .src { display: block; font-size: 0.82rem; color: #4a4d57; margin-top: .1rem; }
.gtec-cmp .demo { color: #5b2a86; font-weight: 600; }
@media (max-width: 640px) {
  .gtec-cmp thead { display: none; }
  .gtec-cmp, .gtec-cmp tbody, .gtec-cmp tr, .gtec-cmp td { display: block; width: 100%; }
  .gtec-cmp tr { border: 1px solid rgba(49,51,63,.2); border-radius: .5rem; margin-bottom: .5rem;
    padding: .3rem .5rem; }
  .gtec-cmp td { border: none; padding: .1rem 0; }
  .gtec-cmp td.num { white-space: normal; }
  .gtec-cmp td[data-label]:not(.first)::before { content: attr(data-label) ": "; color: #4a4d57; }
  .gtec-cmp.fr td[data-label]:not(.first)::before { content: attr(data-label) "\\00a0: "; }
  .gtec-cmp td.first { font-weight: 600; }
}
"""

#: The columns drawn (catalogue keys of ``gtec.territories.indicators.comparison_rows``'s headers), in order.
_VALUE_COLS = ("portrait.col.year", "portrait.col.territory", "portrait.col.parent", "portrait.col.national")


def table_html(rows: Sequence[Mapping[str, str]], lang: str, demo_text: str = "", national: bool = True) -> str:
    """The HTML of the table from :func:`gtec.territories.indicators.comparison_rows` rows (localised headers).

    The parent column is left out when no row has a parent value (a country); the national status is shown
    beside the territory's only when it differs. ``demo_text`` (the words of a demonstration status) is drawn
    in the demonstration colour. ``national=False`` leaves the national column out (the territory is a country:
    the column would repeat it)."""
    h = {k: t(k, lang) for k in (*_VALUE_COLS, "portrait.col.indicator", "portrait.col.status")}
    h.update({k: t(k, lang) for k in ("portrait.col.national_status", "portrait.col.note", "portrait.col.source")})
    cols = [c for c in _VALUE_COLS if c != "portrait.col.parent" or any(r.get(h[c]) for r in rows)]
    cols = [c for c in cols if national or c != "portrait.col.national"]
    head = "".join(f"<th>{html(h[c])}</th>" for c in ("portrait.col.indicator", *cols, "portrait.col.status"))
    body = []
    for r in rows:
        extra = " · ".join(x for x in (r.get(h["portrait.col.note"], ""), r.get(h["portrait.col.source"], "")) if x)
        first = f"{html(r[h['portrait.col.indicator']])}" + (f'<span class="src">{html(extra)}</span>' if extra else "")
        cells = [f'<td class="first" data-label="{html(h["portrait.col.indicator"])}">{first}</td>']
        for c in cols:
            cls = ' class="num"' if c != "portrait.col.year" else ' class="yr"'
            cells.append(f'<td{cls} data-label="{html(h[c])}">{html(r.get(h[c], ""))}</td>')
        status, national = r.get(h["portrait.col.status"], ""), r.get(h["portrait.col.national_status"], "")
        shown = _status(status, demo_text)
        if national and national != status:
            cls = "src demo" if demo_text and national == demo_text else "src"
            shown += f'<span class="{cls}">{html(t("portrait.national_status_line", lang, status=national))}</span>'
        cells.append(f'<td class="nw" data-label="{html(h["portrait.col.status"])}">{shown}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="gtec-cmp {html(lang)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _status(text: str, demo_text: str) -> str:
    return f'<span class="demo">{html(text)}</span>' if demo_text and text == demo_text else html(text)


def comparison_table(rows: Sequence[Mapping[str, str]], lang: str, demo_text: str = "", national: bool = True) -> None:
    """Draw the table (its CSS comes with it: the block is self-contained)."""
    st.html(f"<style>{CSS}</style>" + table_html(rows, lang, demo_text, national))
