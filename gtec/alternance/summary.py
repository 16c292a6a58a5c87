"""The printable summary of the apprenticeship / KTP page: ONE landscape A4 page (screens review A6).

It states every calculator input (with the ones still at a demonstration value marked), the date, the results
of both systems with their status, the cost chart (an image made by the page), the headline comparison and every
source in readable type (10 px at the smallest, 11 px for sources). ``tests/browser/test_alternance.py`` prints
it with chromium and counts the pages. Every string from the data or the catalogue is escaped here.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from gtec.alternance.calculator import CalculatorTable, Inputs
from gtec.alternance.compare_view import HeadlineItem, eur
from gtec.alternance.costsplit import PARTIES, CostSplit
from gtec.alternance.outcomes import METRICS, TerritoryResult
from gtec.core.fmt import long_date, number, percent
from gtec.core.i18n import t
from gtec.core.params import Param
from gtec.core.provenance import Source

CSS = """
@page{size:A4 landscape;margin:6mm 7mm}
*{box-sizing:border-box}
body{font-family:"Source Sans Pro","Source Sans 3",Arial,sans-serif;color:#111;margin:0 auto;max-width:1075px;
  font-size:12px;line-height:1.2}
h1{font-size:18px;margin:0 0 1px 0}
.meta{font-size:12px;color:#333;margin:0 0 3px 0}
h2{font-size:13.5px;margin:5px 0 2px 0}
.grid{display:grid;grid-template-columns:1.2fr 1fr 0.9fr;gap:0 12px}
.grid>div{min-width:0}
table{border-collapse:collapse;width:100%;font-size:11.5px}
th,td{border:1px solid #c9ccd3;padding:1px 4px;text-align:left;vertical-align:top}
thead th{background:#eef0f5}
td.num{text-align:right;white-space:nowrap}
.inputs{column-count:3;column-gap:14px;font-size:10.5px;margin:2px 0;padding-left:12px}
.inputs li{break-inside:avoid}
.demo{color:#5b2a86;font-weight:600}
.chip{display:inline-block;border-radius:6px;padding:0 5px;font-size:10.5px;font-weight:600}
.chip.official{background:#d8f0dd;color:#0b5d1e}.chip.estimate{background:#fde7c8;color:#7a4100}
.chip.illustrative{background:#ece0f7;color:#5b2a86}
img{width:100%;height:auto;max-height:120px;object-fit:contain;object-position:left;margin-top:3px}
ul{margin:2px 0;padding-left:14px}
.notes li{font-size:10.5px;margin-bottom:2px}
.sources{column-count:4;column-gap:14px;font-size:10px;line-height:1.2;margin-top:2px;padding-left:12px}
.sources li{break-inside:avoid}
"""


def input_value(p: Param, value: object, lang: str) -> str:
    """One calculator input as the reader writes it: the option's label, oui/non, or the number and its unit."""
    if value is None:
        return t("alternance_page.summary.not_entered", lang)
    if p.kind == "choice":
        return p.option_label(str(value), lang)
    if p.kind == "bool":
        return t("alternance.doc.yes" if value else "alternance.doc.no", lang)
    text = number(float(value), lang, p.decimals if float(value) % 1 else 0)  # type: ignore[arg-type]
    unit = p.unit(lang)
    if unit.startswith("%"):
        return percent(text, lang) + unit[1:]
    return f"{text} {unit}".strip()


def _inputs_html(table: CalculatorTable, inputs: Inputs, illustrative: Iterable[str], lang: str) -> str:
    esc = html.escape
    demo = set(illustrative)
    colon = t("card.colon", lang)
    items = []
    for p in table.params:
        value = esc(input_value(p, inputs.maybe(p.name), lang))
        if p.name in demo:
            value = f'<span class="demo">{value} ({esc(t("alternance_page.summary.demo", lang))})</span>'
        items.append(f"<li>{esc(p.label(lang))}{esc(colon)}<b>{value}</b></li>")
    return f'<ul class="inputs">{"".join(items)}</ul>'


def _chip(status: str, lang: str) -> str:
    return f'<span class="chip {html.escape(status)}">{html.escape(t(f"status.{status}", lang))}</span>'


def _head(systems: Sequence[str], statuses: Mapping[str, str] | None, lang: str) -> str:
    esc = html.escape
    cells = ""
    for s in systems:
        chip = f" {_chip(statuses[s], lang)}" if statuses else ""
        cells += f"<th>{esc(t(f'alternance.system.{s}', lang))}{chip}</th>"
    return f"<thead><tr><th></th>{cells}</tr></thead>"


def _split_html(splits: Sequence[CostSplit], statuses: Mapping[str, str], lang: str) -> str:
    esc = html.escape
    rows = []
    for party in PARTIES:
        cells = "".join(f'<td class="num">{esc(eur(s.by_party()[party], lang))}</td>' for s in splits)
        rows.append(f"<tr><td>{esc(t(f'alternance.party.{party}', lang))}</td>{cells}</tr>")
    total = "".join(f'<td class="num"><b>{esc(eur(s.total_eur, lang))}</b></td>' for s in splits)
    rows.append(f"<tr><td><b>{esc(t('alternance.calc.total', lang))}</b></td>{total}</tr>")
    return f"<table>{_head([s.system for s in splits], statuses, lang)}<tbody>{''.join(rows)}</tbody></table>"


def _territory_html(results: Mapping[str, TerritoryResult], statuses: Mapping[str, str], lang: str) -> str:
    esc = html.escape
    systems = list(results)
    rows = []
    for metric in METRICS:
        cells = ""
        for s in systems:
            value = results[s].metric(metric)
            text = (
                eur(value, lang)
                if value is not None or not results[s].missing
                else t("alternance_page.result.needs_retention", lang)
            )
            cells += f'<td class="num">{esc(text)}</td>'
        rows.append(f"<tr><td>{esc(t(f'alternance.metric.{metric}', lang))}</td>{cells}</tr>")
    return f"<table>{_head(systems, statuses, lang)}<tbody>{''.join(rows)}</tbody></table>"


def _headline_html(items: Sequence[HeadlineItem], sources: Mapping[str, Source], lang: str) -> str:
    esc = html.escape
    systems = list(dict.fromkeys(i.system for i in items))
    labels = list(dict.fromkeys(i.label for i in items))
    rows = []
    for label in labels:
        cells = ""
        for s in systems:
            item = next((i for i in items if i.system == s and i.label == label), None)
            if item is None:
                cells += "<td></td>"
                continue
            status = item.status or sources[item.source_ids[0]].status
            cells += f"<td><b>{esc(item.value)}</b> {esc(item.note)} {_chip(status, lang)}</td>"
        rows.append(f"<tr><td>{esc(label)}</td>{cells}</tr>")
    return f"<table>{_head(systems, None, lang)}<tbody>{''.join(rows)}</tbody></table>"


def summary_html(
    *,
    table: CalculatorTable,
    inputs: Inputs,
    illustrative: Iterable[str],
    splits: Sequence[CostSplit],
    results: Mapping[str, TerritoryResult],
    statuses: Mapping[str, str],
    items: Sequence[HeadlineItem],
    sources: Mapping[str, Source],
    source_ids: Iterable[str],
    notes: Iterable[str],
    chart_png: bytes | None,
    lang: str,
    dated: date,
) -> str:
    """The standalone HTML page (see the module docstring). ``sources`` are localised; ``notes`` are the
    simplifications in plain text; ``statuses`` give each system's status; ``chart_png`` the cost chart."""
    esc = html.escape
    title = t("alternance.title", lang)
    image = ""
    if chart_png:
        data = base64.b64encode(chart_png).decode("ascii")
        image = f'<img alt="{esc(t("alternance.chart.split_title", lang))}" src="data:image/png;base64,{data}">'
    listed = sorted({sid: sources[sid] for sid in source_ids}.values(), key=lambda s: (s.status, s.id))
    source_items = "".join(
        f"<li>{_chip(s.status, lang)} {esc(s.title(lang))} · {esc(s.publisher)}"
        + (f" · {esc(t('provenance.vintage', lang))} {esc(s.vintage_text(lang))}" if s.vintage_text(lang) else "")
        + "</li>"
        for s in listed
    )
    note_items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    meta = t("alternance_page.summary.meta", lang, date=long_date(dated, lang))
    return "\n".join(
        [
            "<!doctype html>",
            f'<html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{esc(title)}</title>',
            f"<style>{CSS}</style></head><body>",
            f"<h1>{esc(title)}</h1><p class='meta'>{esc(meta)}</p>",
            '<div class="grid"><div>',
            f"<h2>{esc(t('alternance.calc.result_title', lang))}</h2>",
            _split_html(splits, statuses, lang),
            f"<h2>{esc(t('alternance.territory.result_title', lang))}</h2>",
            _territory_html(results, statuses, lang),
            "</div><div>",
            f"<h2>{esc(t('alternance_page.summary.compare', lang))}</h2>",
            _headline_html(items, sources, lang),
            image,
            "</div><div>",
            f"<h2>{esc(t('alternance.calc.simplifications', lang))}</h2>",
            f'<ul class="notes">{note_items}</ul>',
            "</div></div>",
            f"<h2>{esc(t('alternance_page.summary.inputs', lang))}</h2>",
            _inputs_html(table, inputs, illustrative, lang),
            f"<h2>{esc(t('provenance.sources_title', lang))}</h2>",
            f'<ul class="sources">{source_items}</ul>',
            "</body></html>",
        ]
    )
