"""The printable exchange report: one self-contained HTML page, every value from people escaped with ``html()``."""

from __future__ import annotations

from typing import Any

from gtec.core.i18n import pick, t
from gtec.core.text import html

CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;line-height:1.45;color:#222}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #bbb;padding:.3rem .5rem;text-align:left}"
    "blockquote{margin:.4rem 0 .4rem 1rem;padding-left:.6rem;border-left:3px solid #ccc}"
    "@media print{body{margin:0}}"
)


def _para(text: str) -> str:
    return "<br>".join(html(line) for line in (text or "").split("\n"))


def exchange_report_html(exchange: dict[str, Any], lang: str) -> str:
    """The report of ``exchange`` (as :func:`gtec.practices.exchanges.load_exchange` returns it) in ``lang``."""
    parts = [f"<h1>{html(exchange['title'])}</h1>"]
    parts.append(
        f"<p><b>{html(t('exchange.report.host', lang))}</b> {html(exchange['host_org'])} "
        f"({html(t('practices.country.' + exchange['host_country'].lower(), lang))}) · "
        f"{html(t('exchange.kind.' + exchange['kind'], lang))}</p>"
    )
    practice = exchange.get("practice")
    if practice:
        parts.append(f"<p><b>{html(t('exchange.report.practice', lang))}</b> {html(pick(practice, 'title', lang))}</p>")
    if exchange.get("challenge"):
        parts.append(f"<p><b>{html(t('exchange.report.challenge', lang))}</b><br>{_para(exchange['challenge'])}</p>")
    peers = ", ".join(
        f"{p['org']} ({t('practices.country.' + p['country'].lower(), lang)})" for p in exchange.get("peers", [])
    )
    parts.append(f"<p><b>{html(t('exchange.report.peers', lang))}</b> {html(peers)}</p>")
    parts.append(f"<h2>{html(t('exchange.report.questions', lang))}</h2>")
    for post in exchange.get("posts", []):
        who = f"{post['author']}" + (f", {post['org']}" if post["org"] else "")
        parts.append(
            f"<blockquote><small>{html(who)} · {html(post['lang'].upper())}</small><br>"
            f"{_para(post['body'])}</blockquote>"
        )
    if exchange.get("meeting_date"):
        mode = t("exchange.mode." + exchange["meeting_mode"], lang) if exchange["meeting_mode"] else ""
        parts.append(f"<h2>{html(t('exchange.report.meeting', lang))}</h2>")
        parts.append(
            f"<p>{html(exchange['meeting_date'])} · {html(mode)}<br>"
            f"{html(', '.join(exchange.get('attendees', [])))}</p>"
        )
        parts.append(f"<h3>{html(t('exchange.report.findings', lang))}</h3><p>{_para(exchange['findings'])}</p>")
    parts.append(f"<h2>{html(t('exchange.report.followups', lang))}</h2>")
    head = "".join(
        f"<th>{html(t('exchange.col.' + c, lang))}</th>" for c in ("recommendation", "owner", "due_on", "state")
    )
    body = "".join(
        f"<tr><td>{_para(f['recommendation'])}</td><td>{html(f['owner'])}</td><td>{html(f['due_on'])}</td>"
        f"<td>{html(t('exchange.state.' + f['state'], lang))}</td></tr>"
        for f in exchange.get("followups", [])
    )
    parts.append(f"<table><tr>{head}</tr>{body}</table>")
    title = html(exchange["title"])
    return (
        f'<!doctype html><html lang="{html(lang)}"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )
