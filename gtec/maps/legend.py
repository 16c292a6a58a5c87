"""What a legend and a value label show: value text, units, legend entries and the legend's HTML.

Value text goes through :func:`gtec.core.fmt.number` (the one number formatter); every string put into the
legend's HTML is escaped with :func:`gtec.core.text.html`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gtec.core import fmt
from gtec.core.i18n import pick, t
from gtec.core.text import html as esc

#: What separates a number from ``%`` in each language (French sets a narrow no-break space before it).
_PERCENT_GAP = {"fr": fmt.NNBSP}


def auto_decimals(value: float) -> int:
    """Decimals for a value printed alone: none for large or whole numbers, 1 above 10, else 2."""
    v = float(value)
    return 0 if abs(v) >= 1000 or v.is_integer() else (1 if abs(v) >= 10 else 2)


def shared_decimals(values: Iterable[float | None]) -> int | None:
    """One number of decimals for values shown side by side (a profile's column: "6,00 %" beside "7,25 %", not
    "6 %"): the most :func:`auto_decimals` gives any of them; None when there is no value."""
    found = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return max((auto_decimals(v) for v in found), default=None)


def format_value(value: float | None, lang: str, decimals: int | None = None) -> str:
    """``12 345,6`` in French, ``12,345.6`` in English (:func:`gtec.core.fmt.number`); ``None``/NaN -> the
    "no data" label. ``decimals=None`` picks them from the value (:func:`auto_decimals`)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return t("map.no_data", lang)
    return fmt.number(float(value), lang, auto_decimals(value) if decimals is None else decimals)


def with_unit(text: str, unit: str, lang: str) -> str:
    """``text`` followed by ``unit``: ``12,5 %`` (narrow space) in French, ``12.5%`` in English, ``3 k€``."""
    if not unit:
        return text
    if unit == "%":
        return f"{text}{_PERCENT_GAP.get(lang, '')}%"
    return f"{text} {unit}"


def unit_for(indicator: Mapping, measure: str, lang: str) -> str:
    """The unit shown for an indicator: its catalogue unit for totals, % or ‰ for a rate."""
    if measure == "rate":
        return "%" if int(indicator.get("rate_per") or 100) == 100 else "‰"
    return pick(indicator, "unit", lang)


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str
    lower: float | None
    upper: float | None
    count: int


@dataclass(frozen=True)
class Legend:
    """What a legend shows: title, unit, vintage, status, one entry per class and the missing entry."""

    title: str
    unit: str
    vintage: str
    status: str
    status_label: str
    entries: tuple[LegendEntry, ...]
    missing: LegendEntry
    method_label: str = ""
    reference_label: str = ""
    flags_label: str = ""
    note: str = ""  # a plain-words warning shown under the entries (totals coloured by size)


def legend_html(legend: Legend, lang: str, outline_label: str = "", inset_label: str = "") -> str:
    """The legend as a small HTML block: every string escaped. Used in the app and in exported maps.

    ``outline_label`` adds an entry for the outlines drawn over the level (the partner basins over EPCIs),
    ``inset_label`` one for the grey boxes of the overseas territories. Entry labels never wrap inside
    (``9,10 – 30,00`` stays on one line, screens review M8)."""
    e = esc
    rows = []
    for entry in (*legend.entries, legend.missing):
        dash = "border:1px dashed #333;" if entry is legend.missing else "border:1px solid #777;"
        rows.append(
            f'<div style="display:flex;align-items:center;gap:.5em;margin:.15em 0">'
            '<span style="display:inline-block;flex:none;width:1.6em;height:1.1em;'
            f'background:{e(entry.colour)};{dash}"></span>'
            f'<span style="white-space:nowrap">{e(entry.label)}</span>'
            f'<span style="color:#555;font-size:.85em;white-space:nowrap">({entry.count})</span></div>'
        )
    if outline_label:
        rows.append(
            '<div style="display:flex;align-items:center;gap:.5em;margin:.15em 0">'
            '<span style="display:inline-block;width:1.6em;height:1.1em;border:2.5px solid #111111;flex:none"></span>'
            f"<span>{e(outline_label)}</span></div>"
        )
    if inset_label:
        rows.append(
            '<div style="display:flex;align-items:center;gap:.5em;margin:.15em 0">'
            '<span style="display:inline-block;width:1.6em;height:1.1em;border:1px solid #8a8a8a;flex:none"></span>'
            f"<span>{e(inset_label)}</span></div>"
        )
    unit = f" ({e(legend.unit)})" if legend.unit else ""
    meta = [f"{e(t('map.legend.vintage', lang))} {e(legend.vintage)}", e(legend.status_label)]
    if legend.method_label:
        meta.append(e(legend.method_label))
    if legend.reference_label:
        meta.append(e(legend.reference_label))
    if legend.flags_label:
        meta.append(f"<strong>{e(legend.flags_label)}</strong>")
    note = f'<div style="margin-top:.3em;font-size:.9em">{e(legend.note)}</div>' if legend.note else ""
    return (
        '<div class="gtec-legend" style="font-size:1rem;line-height:1.3">'
        f'<div style="font-weight:600">{e(legend.title)}{unit}</div>'
        + "".join(rows)
        + f'<div style="color:#444;font-size:.85em;margin-top:.3em">{" · ".join(meta)}</div>{note}</div>'
    )
