"""The transferability matrix as people read it: an overview grid (system x transfer difficulty), the barriers
and actions of each feature, and its CSV frame. Every string from the data or from partners is escaped here.

Screens review T1-T3: the grid fits the first screen at 1280x720 with difficulty as coloured 16 px cells; the
details give barriers and actions side by side at full width (one column on phones), so no cell runs 5-7 lines;
a row says who edited it and when only when a partner did (seeds carry the assessment's vintage instead).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from gtec.alternance.comparison import COMPARED_SYSTEMS, DIFFICULTIES
from gtec.core.fmt import long_date
from gtec.core.i18n import t

#: Colours of the three difficulties (text on them is white; the words say the level too).
DIFFICULTY_COLOURS: dict[str, str] = {"low": "#1a7f37", "medium": "#a35200", "high": "#b42318"}
_TINTS: dict[str, str] = {"low": "#eaf6ee", "medium": "#fff4e5", "high": "#fdecea"}

MATRIX_CSS = """
.tm-grid{border-collapse:separate;border-spacing:4px;width:100%;font-family:inherit;font-size:16px;
  line-height:1.3;table-layout:fixed}
.tm-grid th,.tm-grid td{padding:6px 8px;vertical-align:top;text-align:left;border-radius:6px}
.tm-grid thead th{color:#fff;font-size:16px;font-weight:700}
.tm-grid thead th::first-letter{text-transform:uppercase}
.tm-grid tbody th{background:#f0f2f6;font-weight:700}
.tm-grid thead th:first-child{width:17%}
.tm-grid ul{margin:0;padding-left:1.1em}.tm-grid li{margin:0 0 3px 0}
.tm-grid td.empty{color:#777}
.tm-chip{display:inline-block;border-radius:6px;padding:1px 8px;font-size:16px;font-weight:700;color:#fff;
  white-space:nowrap}
.tm-row{border:1px solid #d5d8de;border-left-width:6px;border-radius:6px;padding:8px 12px;margin:0 0 8px 0;
  font-family:inherit;font-size:16px;line-height:1.4;break-inside:avoid}
.tm-row h4{margin:0 0 4px 0;font-size:17px;line-height:1.35}
.tm-cols{display:grid;grid-template-columns:1fr 1fr;gap:4px 20px}
.tm-cols b{display:block;font-size:14px;color:#444;text-transform:uppercase;letter-spacing:.03em}
.tm-cols p{margin:0}
.tm-edit{font-size:14px;color:#555;margin-top:4px}
.tm-system{font-family:inherit;font-size:19px;margin:14px 0 6px 0}
@media (max-width:640px){
  .tm-grid,.tm-grid tbody,.tm-grid tr,.tm-grid th,.tm-grid td{display:block;width:auto!important}
  .tm-grid thead{display:none}.tm-grid tr{margin-bottom:10px}
  .tm-grid td::before{content:attr(data-label);display:inline-block;color:#fff;font-weight:700;
    border-radius:6px;padding:0 8px;margin-bottom:3px}
  .tm-grid td.empty{display:none}
  .tm-cols{grid-template-columns:1fr}
}
""" + "".join(
    f".tm-grid thead th.{d},.tm-chip.{d},.tm-grid td.{d}::before{{background:{c}}}"
    f".tm-grid td.{d}{{background:{_TINTS[d]}}}.tm-row.{d}{{border-left-color:{c}}}"
    for d, c in DIFFICULTY_COLOURS.items()
)


def _system_label(system: object, lang: str) -> str:
    system = str(system)
    return t(f"alternance.system.{system}", lang) if system in COMPARED_SYSTEMS else system


def _difficulty_label(difficulty: object, lang: str) -> str:
    difficulty = str(difficulty)
    return t(f"alternance.difficulty.{difficulty}", lang) if difficulty in DIFFICULTIES else difficulty


def edited_text(row: Mapping[str, Any], lang: str) -> str:
    """ "Edited by Alice on 2 December 2026" for a row a partner changed; ``""`` for the project's seed rows."""
    if not row.get("edited_by"):
        return ""
    when = long_date(str(row.get("edited_at") or ""), lang)
    return t("alternance.matrix.edited_by", lang, name=str(row["edited_by"]), date=when or "–")


def _systems(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Systems in the comparison's order, then any other system partners typed, in order of appearance."""
    seen = [str(r["system"]) for r in rows]
    others = dict.fromkeys(s for s in seen if s not in COMPARED_SYSTEMS)
    return [s for s in COMPARED_SYSTEMS if s in seen] + list(others)


def overview_html(rows: Sequence[Mapping[str, Any]], lang: str) -> str:
    """The matrix at a glance: one row per system, one coloured column per transfer difficulty, each cell
    listing that system's features of that difficulty."""
    esc = html.escape
    head = "".join(
        f'<th class="{d}" scope="col">{esc(t("alternance.matrix.grid_head", lang, level=_difficulty_label(d, lang)))}'
        "</th>"
        for d in DIFFICULTIES
    )
    body = []
    for system in _systems(rows):
        cells = []
        for d in DIFFICULTIES:
            features = [esc(str(r["feature"])) for r in rows if str(r["system"]) == system and r["difficulty"] == d]
            label = esc(_difficulty_label(d, lang))
            if features:
                items = "".join(f"<li>{f}</li>" for f in features)
                cells.append(f'<td class="{d}" data-label="{label}"><ul>{items}</ul></td>')
            else:
                cells.append(f'<td class="{d} empty" data-label="{label}">–</td>')
        body.append(f'<tr><th scope="row">{esc(_system_label(system, lang))}</th>{"".join(cells)}</tr>')
    return (
        f'<table class="tm-grid"><thead><tr><th style="background:none"></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def details_html(rows: Sequence[Mapping[str, Any]], lang: str) -> str:
    """Each feature under its system: difficulty chip and name, then barriers and actions side by side (stacked
    on phones), and who edited it and when if a partner did."""
    esc = html.escape
    barriers, actions = t("alternance.matrix.col.barriers", lang), t("alternance.matrix.col.actions", lang)
    parts = []
    for system in _systems(rows):
        parts.append(f'<h3 class="tm-system">{esc(_system_label(system, lang))}</h3>')
        for r in (r for r in rows if str(r["system"]) == system):
            d = str(r["difficulty"])
            d_class = d if d in DIFFICULTIES else ""
            chip = f'<span class="tm-chip {d_class}">{esc(_difficulty_label(d, lang))}</span>'
            edited = edited_text(r, lang)
            parts.append(
                f'<section class="tm-row {d_class}"><h4>{chip} {esc(str(r["feature"]))}</h4><div class="tm-cols">'
                f"<div><b>{esc(barriers)}</b><p>{esc(str(r['barriers'] or '–'))}</p></div>"
                f"<div><b>{esc(actions)}</b><p>{esc(str(r['actions'] or '–'))}</p></div></div>"
                + (f'<div class="tm-edit">{esc(edited)}</div>' if edited else "")
                + "</section>"
            )
    return "".join(parts)


def matrix_frame(rows: Sequence[Mapping[str, Any]], lang: str, seed_vintage: str = "") -> pd.DataFrame:
    """The matrix with translated system and difficulty labels, for the CSV export. "Last edited" gives the
    partner and the date in words, or the project's assessment and its vintage for seed rows."""
    seed = t("alternance.matrix.seed", lang) + (f", {seed_vintage}" if seed_vintage else "")
    records = [
        {
            t("alternance.matrix.col.system", lang): _system_label(r["system"], lang),
            t("alternance.matrix.col.feature", lang): r["feature"],
            t("alternance.matrix.col.difficulty", lang): _difficulty_label(r["difficulty"], lang),
            t("alternance.matrix.col.barriers", lang): r["barriers"],
            t("alternance.matrix.col.actions", lang): r["actions"],
            t("alternance.matrix.col.edited", lang): edited_text(r, lang) or seed,
        }
        for r in rows
    ]
    return pd.DataFrame.from_records(records)
