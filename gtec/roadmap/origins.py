"""Where an action can come from, and the three-click path from there to an action.

:func:`candidates` lists, for one kind of origin, what an action may be created from: the visible recommendations
of the co-creation workshops (each contribution's stable ``uid``), the follow-up items of the peer exchanges, the
published cells of the needs matrices, the practices of the library. :func:`create_from` turns one into a planned
action (title from the origin, territory and group when the origin has them, six months from today) that keeps a
link to it (``origin_kind``, ``origin_ref``, ``origin_label``). The editor then adjusts it like any other action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gtec.core import auth, fmt
from gtec.core.i18n import pick, t
from gtec.needs import matrix, surveys
from gtec.practices import exchanges, library
from gtec.roadmap.actions import MAX_TITLE, ActionDraft, create_action
from gtec.storage.workspace import Workspace
from gtec.workshops import contributions, sessions

KINDS: tuple[str, ...] = ("workshop", "exchange", "needs_cell", "practice")
DEFAULT_MONTHS = 6


@dataclass(frozen=True)
class Origin:
    kind: str
    ref: str  # contribution uid, exchange:<id>:followup:<id>, survey:<id>:<group>:<theme>, practice:<id>
    label: str  # what it said, shown beside the action
    group_code: str = "public_authorities"
    territory_id: str = ""


def _short(text: str, limit: int = MAX_TITLE) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _workshops(ws: Workspace, actor: auth.Actor) -> list[Origin]:
    out = []
    for s in sessions.list_sessions(ws, actor):
        for c in contributions.list_contributions(ws, s.code):
            out.append(Origin("workshop", c.uid, _short(c.text), territory_id=c.territory_id or ""))
    return out


def _exchanges(ws: Workspace) -> list[Origin]:
    out = []
    for ex in exchanges.list_exchanges(ws):
        full = exchanges.load_exchange(ws, int(ex["id"])) or {}
        for f in full.get("followups", []):
            ref = (
                f.get("uid") or f"exchange:{ex['id']}:followup:{f['id']}"
            )  # the follow-up's stable uid when it has one
            out.append(Origin("exchange", str(ref), _short(f["recommendation"])))
        if full.get("findings"):
            out.append(Origin("exchange", f"exchange:{ex['id']}:findings", _short(full["findings"])))
    return out


def _needs_cells(ws: Workspace, lang: str) -> list[Origin]:
    out = []
    for s in surveys.list_surveys(ws, kind="needs"):
        cells = matrix.survey_matrix(ws, s)
        for row in cells.loc[~cells["suppressed"]].sort_values("mean", ascending=False).to_dict("records"):
            label = t(
                "roadmap.origin.cell_label",
                lang,
                group=t(f"needs.group.{row['group']}", lang),
                theme=t(f"needs.theme.{row['theme']}", lang),
                survey=s.title,
                mean=fmt.number(row["mean"], lang, 1),
                n=row["n"],
            )
            ref = f"survey:{s.id}:{row['group']}:{row['theme']}"
            out.append(Origin("needs_cell", ref, _short(label), group_code=row["group"], territory_id=s.territory_id))
    return out


def _practices(ws: Workspace, lang: str) -> list[Origin]:
    return [
        Origin(
            "practice", f"practice:{p['id']}", _short(pick(p, "title", lang)), territory_id=p.get("territory_id") or ""
        )
        for p in library.find_practices(ws)
    ]


def candidates(ws: Workspace, actor: auth.Actor, kind: str, lang: str) -> list[Origin]:
    """What an action of origin ``kind`` may be created from (facilitators and admins)."""
    auth.require(actor, "roadmap.edit")
    if kind == "workshop":
        return _workshops(ws, actor)
    if kind == "exchange":
        return _exchanges(ws)
    if kind == "needs_cell":
        return _needs_cells(ws, lang)
    if kind == "practice":
        return _practices(ws, lang)
    return []


def draft_from(origin: Origin, today: dt.date | None = None) -> ActionDraft:
    """A planned action from an origin: its text as title, six months from today, linked to the origin."""
    start = today or dt.date.today()
    end = start + dt.timedelta(days=round(DEFAULT_MONTHS * 30.5))
    return ActionDraft(
        title=origin.label, group_code=origin.group_code, start_on=start.isoformat(), end_on=end.isoformat(),
        territory_id=origin.territory_id, origin_kind=origin.kind, origin_ref=origin.ref, origin_label=origin.label,
    )  # fmt: skip


def create_from(ws: Workspace, actor: auth.Actor, origin: Origin, today: dt.date | None = None) -> int:
    """Create the planned action of :func:`draft_from`; returns its id."""
    return create_action(ws, actor, draft_from(origin, today))
