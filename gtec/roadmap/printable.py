"""The printable roadmap: a standalone FR/EN HTML page (A4 landscape), actions grouped by stakeholder group, local
authorities first. Every string from the data is escaped (:func:`gtec.core.text.html`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gtec.core.fmt import number
from gtec.core.i18n import t
from gtec.core.text import html
from gtec.roadmap.actions import GROUPS

CSS = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:1.2cm;color:#111}h1{font-size:22px}"
    "h2{font-size:17px;margin-top:16px;border-bottom:2px solid #111}table{border-collapse:collapse;width:100%}"
    "td,th{border:1px solid #999;padding:4px;vertical-align:top;text-align:left;font-size:12px}th{background:#eee}"
    ".bar{background:#ddd;height:8px;width:80px}.bar i{display:block;height:8px;background:#3182bd}"
    ".meta{color:#444;font-size:12px}@page{size:A4 landscape;margin:1cm}@media print{body{margin:0}}"
)


def _h(key: str, lang: str, **kw: object) -> str:
    return html(t(key, lang, **kw))


def _indicator(row: dict[str, Any], lang: str) -> str:
    if not row.get("indicator"):
        return "–"
    return html(row["indicator"]) + "<br>" + _h(
        "roadmap.print.baseline_target", lang, baseline=number(row.get("baseline"), lang, 1),
        target=number(row.get("target"), lang, 1),
    )  # fmt: skip


def to_html(rows: Sequence[dict[str, Any]], lang: str, generated_on: str, filters_text: str = "") -> str:
    """The roadmap of ``rows`` (as :func:`gtec.roadmap.actions.list_actions` returns them) as printable HTML."""
    out = [
        f'<!doctype html><html lang="{html(lang)}"><head><meta charset="utf-8">'
        f"<title>{_h('roadmap.print.title', lang)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_h('roadmap.print.title', lang)}</h1>",
        f'<p class="meta">{_h("roadmap.print.meta", lang, date=generated_on, n=len(rows))}'
        + (f" · {html(filters_text)}" if filters_text else "")
        + "</p>",
    ]
    if not rows:
        out.append(f"<p>{_h('roadmap.empty', lang)}</p>")
    heads = ("title", "owner", "territory", "start", "end", "status", "progress", "indicator", "origin")
    for group in GROUPS:
        part = [r for r in rows if r["group_code"] == group]
        if not part:
            continue
        out.append(f"<h2>{_h(f'needs.group.{group}', lang)}</h2><table><tr>")
        out.append("".join(f"<th>{_h(f'roadmap.col.{h}', lang)}</th>" for h in heads) + "</tr>")
        for r in part:
            pct = int(r["progress"])
            origin = _h(f"roadmap.origin.{r['origin_kind']}", lang)
            status = _h(f"roadmap.status.{r['status']}", lang)
            if r.get("origin_label"):
                origin += "<br>" + html(r["origin_label"])
            out.append(
                f"<tr><td>{html(r['title'])}</td><td>{html(r.get('owner') or '–')}</td>"
                f"<td>{html(r.get('territory_name') or r['territory_id'] or '–')}</td><td>{html(r['start_on'])}</td>"
                f"<td>{html(r['end_on'])}</td><td>{status}</td>"
                f'<td>{pct} %<div class="bar"><i style="width:{pct}%"></i></div></td>'
                f"<td>{_indicator(r, lang)}</td><td>{origin}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "".join(out)
