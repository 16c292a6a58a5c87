"""The printable one-page summary of the alternance page: a standalone HTML page and its escaped tables.

Every string from the data or the catalogue is escaped here (``html.escape``); section bodies come from these
builders, :func:`gtec.alternance.comparison.comparison_html` or an ``<img>`` of a chart.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from gtec.alternance.comparison import TABLE_CSS, _status_chip
from gtec.alternance.costsplit import PARTIES, CostSplit
from gtec.alternance.outcomes import METRICS, TerritoryResult
from gtec.core.fmt import long_date, number
from gtec.core.i18n import t
from gtec.core.provenance import Source


def printable_html(
    title: str,
    sections: Sequence[tuple[str, str]],
    sources: Iterable[Source],
    lang: str,
    *,
    lead: Source | None = None,
    dated: date | None = None,
    css: str = "",
) -> str:
    """A standalone, print-ready HTML page. ``sections`` are ``(heading, html body)`` where the body was built
    by this module's escaping builders (or is an ``<img>`` of a chart); headings and sources are escaped here.

    ``lead``: the source whose status, title and vintage are printed under the title, in ``lang`` (a reader
    sees at once whether the page is official); ``dated``: the document's date, printed there too; ``css``:
    extra rules of the section builders."""
    esc = html.escape
    meta = []
    if lead is not None:
        meta.append(
            f"{_status_chip(lead.status, lang)} {esc(lead.title(lang))} · {esc(t('provenance.vintage', lang))}"
            f" {esc(lead.vintage_text(lang))}"
        )
    if dated is not None:
        meta.append(esc(t("alternance.print.dated", lang, date=long_date(dated, lang))))
    parts = [
        "<!doctype html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{esc(title)}</title>',
        "<style>body{font-family:sans-serif;margin:1.2cm;color:#111}h1{font-size:22px}h2{font-size:17px;"
        "margin-top:14px}img{max-width:100%}.sources{font-size:11px;color:#444}"
        "@page{size:A4 landscape;margin:1cm}@media print{body{margin:0}table.wbl{font-size:11px}"
        "table.wbl .fig{font-size:12px}}.meta{font-size:15px;margin:-6px 0 12px 0}.meta .chip{font-size:14px}"
        + TABLE_CSS
        + css
        + "</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    if meta:
        parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    for heading, body in sections:
        parts.append((f"<h2>{esc(heading)}</h2>" if heading else "") + body)
    items = "".join(
        f"<li>{esc(s.title(lang))} · {esc(s.publisher)} · {esc(t('provenance.vintage', lang))}"
        f" {esc(s.vintage_text(lang))}"
        f" · {esc(t(f'status.{s.status}', lang))}{(' · ' + esc(s.url)) if s.url else ''}</li>"
        for s in sorted({s.id: s for s in sources}.values(), key=lambda s: s.id)
    )
    parts.append(f'<h2>{esc(t("provenance.sources_title", lang))}</h2><ul class="sources">{items}</ul>')
    parts.append("</body></html>")
    return "\n".join(parts)


def split_html(results: Sequence[CostSplit], lang: str) -> str:
    """The cost split table (EUR per party for each system) as escaped HTML."""
    esc = html.escape
    head = "".join(f"<th>{esc(t(f'alternance.system.{r.system}', lang))}</th>" for r in results)
    rows = []
    for party in PARTIES:
        cells = "".join(f"<td>{esc(number(r.by_party()[party], lang))} EUR</td>" for r in results)
        rows.append(f"<tr><th scope='row'>{esc(t(f'alternance.party.{party}', lang))}</th>{cells}</tr>")
    total = "".join(f"<td><b>{esc(number(r.total_eur, lang))} EUR</b></td>" for r in results)
    rows.append(f"<tr><th scope='row'>{esc(t('alternance.calc.total', lang))}</th>{total}</tr>")
    return f'<table class="wbl"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def territory_html(results: Mapping[str, TerritoryResult], lang: str) -> str:
    """Cost per learner retained / per job created, both systems, as escaped HTML."""
    esc = html.escape
    missing = t("common.missing", lang)
    systems = list(results)
    head = "".join(f"<th>{esc(t(f'alternance.system.{s}', lang))}</th>" for s in systems)
    rows = []
    for metric in METRICS:
        cells = "".join(f"<td>{esc(_eur(results[s].metric(metric), lang, missing))}</td>" for s in systems)
        rows.append(f"<tr><th scope='row'>{esc(t(f'alternance.metric.{metric}', lang))}</th>{cells}</tr>")
    return f'<table class="wbl"><thead><tr><th></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _eur(value: float | None, lang: str, missing: str) -> str:
    return missing if value is None else f"{number(value, lang)} EUR"
