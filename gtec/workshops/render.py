"""The projector wall as one HTML fragment: large type, high contrast, every person's text escaped.

Pure functions (no Streamlit): the page hands the result to ``st.html`` inside a fragment that refreshes every
few seconds; the benchmark times snapshot + rendering as one refresh.
"""

from __future__ import annotations

from gtec.core.i18n import t
from gtec.core.text import html
from gtec.workshops.consensus import Consensus
from gtec.workshops.model import STAKEHOLDERS
from gtec.workshops.wall import Wall

VIEWS: tuple[str, ...] = ("wall", "words", "consensus")

CSS = """
<style>
.gw{font-family:system-ui,'DejaVu Sans',sans-serif;background:#0b0b0b;color:#fff;padding:.6rem 1rem;border-radius:.6rem}
.gw h2{font-size:2.1rem;margin:.2rem 0 .6rem;color:#ffd400}
.gw h3{font-size:1.55rem;margin:.2rem 0;color:#ffd400}
.gw .q{font-size:1.5rem;margin:0 0 .6rem}
.gw .bar{display:flex;flex-wrap:wrap;gap:.5rem 1.2rem;font-size:1.25rem;margin-bottom:.7rem}
.gw .bar b{color:#ffd400}
.gw .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:1rem}
.gw .col{background:#1c1c1c;border:2px solid #444;border-radius:.6rem;padding:.6rem .8rem}
.gw .sub{font-size:1.1rem;color:#bbb;text-transform:uppercase;letter-spacing:.05em;margin:.6rem 0 .2rem}
.gw ol,.gw ul{margin:0;padding-left:1.6rem}
.gw li{font-size:1.35rem;line-height:1.35;margin:.25rem 0;overflow-wrap:anywhere}
.gw .n{display:inline-block;min-width:2.2rem;font-weight:700;color:#0b0b0b;background:#ffd400;border-radius:1rem;
text-align:center;margin-right:.4rem;font-size:1.15rem}
.gw .words span{display:inline-block;margin:.15rem .5rem;line-height:1.1}
.gw table{border-collapse:collapse;width:100%;font-size:1.15rem}
.gw td,.gw th{border-bottom:1px solid #444;padding:.3rem .4rem;text-align:left;vertical-align:top}
.gw th{color:#ffd400}
.gw .small{color:#ff9e7a}
.gw .empty{color:#bbb;font-size:1.2rem}
.gw .fac{font-size:.95rem;color:#0b0b0b;background:#9fd3ff;border-radius:.4rem;padding:0 .4rem;white-space:nowrap}
</style>
"""


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


def group_cell(share, lang: str) -> str:
    """``72 % (n=11)``; a small group is flagged (⚠) and never hidden."""
    if share is None:
        return "<td>·</td>"
    flag = f' <span class="small" title="{html(t("workshop.wall.small_group", lang))}">⚠</span>' if share.small else ""
    return f"<td>{_pct(share.share)} <small>(n={share.voters})</small>{flag}</td>"


def _list(items, lang: str) -> str:
    if not items:
        return f'<p class="empty">{html(t("workshop.wall.empty", lang))}</p>'
    fac = f' <span class="fac">{html(t("workshop.wall.by_facilitator", lang))}</span>'
    lis = "".join(
        f'<li><span class="n">{c.votes}</span>{html(c.text)}{fac if c.by_facilitator else ""}</li>' for c in items
    )
    return f"<ol>{lis}</ol>"


def _header(wall: Wall, lang: str) -> str:
    s = wall.session
    groups = " ".join(
        f"<span>{html(t(f'workshop.group.{g}', lang))} <b>{wall.participants.get(g, 0)}</b></span>"
        for g in STAKEHOLDERS
    )
    total = sum(wall.participants.values())
    phase = html(t(f"workshop.phase.{s.phase}", lang))
    return (
        f"<h2>{html(s.title)}</h2>"
        + (f'<p class="q">{html(s.question)}</p>' if s.question else "")
        + f'<div class="bar"><span>{html(t("workshop.wall.phase", lang))} <b>{phase}</b></span>'
        + f"<span>{html(t('workshop.wall.participants', lang))} <b>{total}</b></span>{groups}</div>"
    )


def _tracks(wall: Wall, lang: str) -> str:
    cols = []
    for tr in wall.tracks:
        cols.append(
            f'<div class="col" data-track="{tr.track_id}"><h3>{html(tr.title)}</h3>'
            + (f"<div>{html(tr.prompt)}</div>" if tr.prompt else "")
            + f'<div class="sub">{html(t("workshop.wall.top", lang))} · {tr.count}</div>{_list(tr.top, lang)}'
            + f'<div class="sub">{html(t("workshop.wall.newest", lang))}</div>{_list(tr.newest, lang)}</div>'
        )
    return f'<div class="grid">{"".join(cols)}</div>'


def _words(wall: Wall, lang: str) -> str:
    cols = []
    for tr in wall.tracks:
        if tr.words:
            top = tr.words[0][1]
            spans = "".join(
                f'<span style="font-size:{1.1 + 2.4 * n / top:.2f}rem">{html(w)}</span>' for w, n in tr.words
            )
        else:
            spans = f'<p class="empty">{html(t("workshop.wall.empty", lang))}</p>'
        cols.append(f'<div class="col"><h3>{html(tr.title)}</h3><div class="words">{spans}</div></div>')
    return f'<div class="grid">{"".join(cols)}</div>'


def consensus_table(wall: Wall, rows: list[Consensus], lang: str) -> str:
    """One row per contribution, one column per declared group: share agreeing (n voters), small groups flagged."""
    if not rows:
        return f'<p class="empty">{html(t("workshop.wall.empty", lang))}</p>'
    present = [g for g in STAKEHOLDERS if any(x.group == g for r in rows for x in r.groups)]
    head = "".join(f"<th>{html(t(f'workshop.group.{g}', lang))}</th>" for g in present)
    body = []
    for r in rows:
        c = wall.contributions.get(r.contribution_id)
        if c is None:
            continue
        shares = {x.group: x for x in r.groups}
        cells = "".join(group_cell(shares.get(g), lang) for g in present)
        body.append(f"<tr><td>{html(c.text)}</td>{cells}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(body)}</table>"


def _consensus(wall: Wall, lang: str) -> str:
    return (
        f'<div class="col"><h3>{html(t("workshop.wall.agreed", lang))}</h3>{consensus_table(wall, wall.agreed(), lang)}'
        f'<h3 style="margin-top:1rem">{html(t("workshop.wall.divisive", lang))}</h3>'
        f"{consensus_table(wall, wall.divisive(), lang)}"
        f'<p class="empty">{html(t("workshop.wall.consensus_help", lang))}</p></div>'
    )


def wall_html(wall: Wall, lang: str, view: str = "wall") -> str:
    """The whole projector fragment for ``view`` (one of :data:`VIEWS`)."""
    body = {"wall": _tracks, "words": _words, "consensus": _consensus}.get(view, _tracks)(wall, lang)
    return f'{CSS}<div class="gw" data-view="{html(view)}">{_header(wall, lang)}{body}</div>'
