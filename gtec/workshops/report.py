"""The end-of-session report, in the session's language: printable HTML, a real PDF (fpdf2) and the raw CSV.

Contents: the session (question, date, place, code), participation by declared group, per workshop the
recommendations ranked by dots and by cross-group consensus (each with its stable id, so a roadmap action can
point at it later), the consensus/divergence tables with the voters behind each share, and the moderation
summary. Every person's text is escaped in HTML (:func:`gtec.core.text.html`), written as text in the PDF and
formula-neutralised in the CSV (:func:`gtec.core.export.to_safe_csv_bytes`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gtec.core import auth
from gtec.core.errors import UserError
from gtec.core.export import to_safe_csv_bytes
from gtec.core.i18n import t
from gtec.core.text import html
from gtec.storage.workspace import Workspace
from gtec.workshops import moderation, wall
from gtec.workshops.consensus import Consensus
from gtec.workshops.contributions import list_contributions
from gtec.workshops.model import STAKEHOLDERS, Contribution

#: Unicode TrueType fonts tried for the PDF (Debian's fonts-dejavu); without one, the PDF uses a core font and
#: characters outside Latin-1 are replaced.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
TOP = 10


@dataclass(frozen=True)
class Report:
    lang: str
    wall: wall.Wall
    all_items: tuple[Contribution, ...]  # every status, for the CSV and the summary
    moderation: dict[str, int]
    links: dict[str, str]

    def ranked_by_votes(self, track_id: int) -> list[Contribution]:
        items = [c for c in self.wall.contributions.values() if c.track_id == track_id]
        return sorted(items, key=lambda c: (-c.votes, c.created_at, c.id))

    def ranked_by_consensus(self, track_id: int) -> list[tuple[Contribution, Consensus]]:
        rows = [
            (c, self.wall.consensus[c.id])
            for c in self.wall.contributions.values()
            if c.track_id == track_id
            and c.id in self.wall.consensus
            and self.wall.consensus[c.id].kind != "insufficient"
        ]
        return sorted(rows, key=lambda r: (-r[1].score, -r[1].voters, r[0].id))


def build(
    ws: Workspace, actor: auth.Actor, code: str, labels: Callable[[str, list[str | None]], dict[str, str]] | None = None
) -> Report:
    """Gather the report of session ``code`` (facilitators and admins). ``labels`` names linked ids."""
    auth.require(actor, "workshop.report")
    snap = wall.snapshot(ws, code, newest=0, top=0)
    if snap is None:
        raise UserError("auth.error.code_unknown")
    items = list_contributions(ws, snap.session.code, statuses=("pending", "visible", "hidden", "merged"))
    log = moderation.moderation_log(ws, actor, snap.session.code)
    summary = Counter(
        json.loads(r["detail"] or "{}").get("action", "") for r in log if r["action"] == "workshop.moderate"
    )
    summary.update(Counter(f"status_{c.status}" for c in items))
    ids = [x for c in items for x in (c.family_id, c.territory_id)]
    names = labels(snap.session.lang, ids) if labels else {i: i for i in ids if i}
    return Report(snap.session.lang, snap, tuple(items), dict(summary), names)


# --- HTML ------------------------------------------------------------------------------------------------


def _h(key: str, lang: str, **kw: object) -> str:
    return html(t(key, lang, **kw))


def _link_text(r: Report, c: Contribution) -> str:
    return " · ".join(r.links.get(x, x) for x in (c.family_id, c.territory_id) if x)


def _shares_html(con: Consensus, lang: str) -> str:
    parts = []
    for g in con.groups:
        pct = "–" if g.share is None else f"{round(g.share * 100)} %"
        flag = " ⚠" if g.small else ""
        parts.append(f"{_h(f'workshop.group.{g.group}', lang)} {pct} (n={g.voters}){flag}")
    return "<br>".join(parts)


def to_html(r: Report) -> str:
    """A standalone printable HTML document (no external file, prints on A4)."""
    lang, s = r.lang, r.wall.session
    out = [
        f'<!doctype html><html lang="{html(lang)}"><head><meta charset="utf-8"><title>{html(s.title)}</title>',
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:1.5rem auto;color:#111}"
        "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.2rem}td,th{border:1px solid #999;padding:.3rem;"
        "vertical-align:top;text-align:left}th{background:#eee}h2{border-bottom:2px solid #111}"
        ".meta{color:#444}@media print{h2{break-before:auto}}</style></head><body>",
        f"<h1>{_h('workshop.report.title', lang)} · {html(s.title)}</h1>",
        f'<p class="meta">{_h("workshop.report.meta", lang, date=s.held_on or "–", place=s.place or "–", code=s.code)}'
        "</p>",
    ]
    if s.question:
        out.append(f"<p><strong>{_h('workshop.report.question', lang)}</strong> {html(s.question)}</p>")
    out.append(f"<h2>{_h('workshop.report.participation', lang)}</h2><table><tr>")
    out.append("".join(f"<th>{_h(f'workshop.group.{g}', lang)}</th>" for g in STAKEHOLDERS) + "</tr><tr>")
    out.append("".join(f"<td>{r.wall.participants.get(g, 0)}</td>" for g in STAKEHOLDERS) + "</tr></table>")
    for tr in s.tracks:
        out.append(f"<h2>{html(tr.title)}</h2>")
        if tr.prompt:
            out.append(f"<p><em>{html(tr.prompt)}</em></p>")
        out.append(f"<h3>{_h('workshop.report.by_votes', lang)}</h3>")
        rows = r.ranked_by_votes(tr.id)[:TOP]
        out.append(_recommendations(r, [(c, r.wall.consensus.get(c.id)) for c in rows], lang))
        out.append(f"<h3>{_h('workshop.report.by_consensus', lang)}</h3>")
        out.append(_recommendations(r, list(r.ranked_by_consensus(tr.id)[:TOP]), lang))
    out.append(f"<h2>{_h('workshop.wall.agreed', lang)}</h2>")
    out.append(_consensus_rows(r, r.wall.agreed(TOP), lang))
    out.append(f"<h2>{_h('workshop.wall.divisive', lang)}</h2>")
    out.append(_consensus_rows(r, r.wall.divisive(TOP), lang))
    out.append(f"<p class='meta'>{_h('workshop.wall.consensus_help', lang)}</p>")
    out.append(f"<h2>{_h('workshop.report.moderation', lang)}</h2><p>{html(moderation_line(r))}</p></body></html>")
    return "".join(out)


def _recommendations(r: Report, rows: Sequence[tuple[Contribution, Consensus | None]], lang: str) -> str:
    if not rows:
        return f"<p>{_h('workshop.wall.empty', lang)}</p>"
    head = (
        f"<tr><th>#</th><th>{_h('workshop.report.col_text', lang)}</th><th>{_h('workshop.report.col_dots', lang)}</th>"
        f"<th>{_h('workshop.report.col_groups', lang)}</th><th>{_h('workshop.report.col_id', lang)}</th></tr>"
    )
    body = []
    for i, (c, con) in enumerate(rows, 1):
        links = _link_text(r, c)
        kind = _h(f"workshop.kind.{con.kind}", lang) + "<br>" + _shares_html(con, lang) if con else "–"
        text = html(c.text) + (f"<br><small>{html(links)}</small>" if links else "")
        if c.by_facilitator:
            text += f" <small>({_h('workshop.wall.by_facilitator', lang)})</small>"
        body.append(f"<tr><td>{i}</td><td>{text}</td><td>{c.votes}</td><td>{kind}</td><td>{html(c.uid)}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _consensus_rows(r: Report, rows: list[Consensus], lang: str) -> str:
    pairs = [(r.wall.contributions[c.contribution_id], c) for c in rows if c.contribution_id in r.wall.contributions]
    return _recommendations(r, pairs, lang)


def moderation_line(r: Report) -> str:
    """One sentence of moderation counts in the report's language."""
    m = r.moderation
    return t(
        "workshop.report.moderation_line",
        r.lang,
        total=len(r.all_items),
        approved=m.get("approve", 0),
        hidden=m.get("status_hidden", 0),
        edited=m.get("edit", 0),
        merged=m.get("status_merged", 0),
        tagged=m.get("tag", 0),
    )


# --- PDF -------------------------------------------------------------------------------------------------


def _font(pdf) -> tuple[str, bool]:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu", True
    return "Helvetica", False


def to_pdf(r: Report) -> bytes:
    """The report as an A4 PDF (fpdf2): text written as text, never interpreted as markup."""
    from fpdf import FPDF

    lang, s = r.lang, r.wall.session
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(s.title)
    pdf.add_page()
    family, unicode_ok = _font(pdf)

    def txt(value: object) -> str:
        text = str(value)
        return text if unicode_ok else text.encode("latin-1", "replace").decode("latin-1")

    def para(value: object, size: float = 10, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font(family, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, txt(value), align="L", new_x="LMARGIN", new_y="NEXT")  # ragged right:
        # fpdf2 justifies by default, which spread a two-line title into gaps
        pdf.ln(gap)

    para(f"{t('workshop.report.title', lang)} · {s.title}", 16, True, 3)
    para(t("workshop.report.meta", lang, date=s.held_on or "–", place=s.place or "–", code=s.code), 10)
    if s.question:
        para(f"{t('workshop.report.question', lang)} {s.question}", 11, True, 3)
    para(t("workshop.report.participation", lang), 13, True)
    para(
        " · ".join(f"{t(f'workshop.group.{g}', lang)} : {r.wall.participants.get(g, 0)}" for g in STAKEHOLDERS),
        10,
        gap=3,
    )
    for tr in s.tracks:
        para(tr.title, 13, True)
        para(t("workshop.report.by_votes", lang), 11, True)
        rows = r.ranked_by_votes(tr.id)[:TOP]
        if not rows:
            para(t("workshop.wall.empty", lang))
        for i, c in enumerate(rows, 1):
            con = r.wall.consensus.get(c.id)
            kind = f" · {t(f'workshop.kind.{con.kind}', lang)}" if con else ""
            fac = f" · {t('workshop.wall.by_facilitator', lang)}" if c.by_facilitator else ""
            para(f"{i}. [{c.votes}] {c.text}  ({c.uid}{kind}{fac})", 10, gap=1)
        para(t("workshop.report.by_consensus", lang), 11, True)
        ranked = r.ranked_by_consensus(tr.id)[:TOP]
        if not ranked:
            para(t("workshop.wall.empty", lang))
        for i, (c, con) in enumerate(ranked, 1):
            shares = ", ".join(
                f"{t(f'workshop.group.{g.group}', lang)} {'–' if g.share is None else round(g.share * 100)} % "
                f"(n={g.voters}){' ⚠' if g.small and unicode_ok else ''}"
                for g in con.groups
            )
            para(f"{i}. {c.text}  ({c.uid} · {t(f'workshop.kind.{con.kind}', lang)}: {shares})", 10, gap=1)
        pdf.ln(2)
    para(t("workshop.report.moderation", lang), 13, True)
    para(moderation_line(r), 10)
    para(t("workshop.wall.consensus_help", lang), 8)
    return bytes(pdf.output())


# --- CSV -------------------------------------------------------------------------------------------------


def to_csv(r: Report) -> bytes:
    """One row per contribution (every status), with dots, reactions per group and links; formula-safe."""
    by_id = {c.id: c for c in r.all_items}
    rows = []
    for c in r.all_items:
        con = r.wall.consensus.get(c.id)
        track = r.wall.session.track(c.track_id)
        row = {
            "id": c.uid,
            "workshop": track.title if track else "",
            "status": c.status,
            "merged_into": by_id[c.merged_into].uid if c.merged_into in by_id else "",
            "text": c.text,
            "author": c.author_label,
            "by_facilitator": int(c.by_facilitator),
            "dots": c.votes,
            "consensus": con.kind if con else "",
            "family_id": c.family_id or "",
            "territory_id": c.territory_id or "",
            "tags": ", ".join(c.tags),
            "created_at": c.created_at,
        }
        shares = {g.group: g for g in con.groups} if con else {}
        for g in STAKEHOLDERS:
            share = shares.get(g)
            row[f"agree_{g}"] = share.agree if share else 0
            row[f"disagree_{g}"] = share.disagree if share else 0
            row[f"pass_{g}"] = share.passed if share else 0
        rows.append(row)
    return to_safe_csv_bytes(pd.DataFrame(rows))
