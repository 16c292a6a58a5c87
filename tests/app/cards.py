"""Read the figure cards (components.figure_card) of an AppTest run: label, value and status of each."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_CARD = re.compile(
    r'<div class="gtec-card[^"]*" data-status="([^"]*)"><div class="lbl">(.*?)</div><div class="val">(.*?)</div>'
    r"(.*?)<details>"
)
_SUB = re.compile(r'<div class="sub[^"]*">(.*?)</div>')


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    status: str
    subs: tuple[str, ...] = ()  # the lines under the value: change, period, comparison, flag


def cards(at) -> list[Card]:
    """Every figure card drawn in ``at``, in page order."""
    out = []
    for element in at.get("html"):
        for status, label, value, rest in _CARD.findall(element.proto.body):
            subs = tuple(html.unescape(x) for x in _SUB.findall(rest))
            out.append(Card(html.unescape(label), html.unescape(value), html.unescape(status), subs))
    return out
