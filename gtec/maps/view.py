"""The map view kept in the URL: parsed from query parameters (plain strings checked against patterns)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from gtec.core.i18n import DEFAULT_LANG
from gtec.maps.levels import MAP_LEVELS, MEASURES, is_imported


@dataclass(frozen=True)
class View:
    """What the URL holds: indicator, level, year, selected territory (plain validated strings/ints)."""

    indicator: str | None = None
    level: str | None = None
    year: int | None = None
    selected: str | None = None
    measure: str = "total"


_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def parse_view(params: Mapping[str, object]) -> tuple[View, list[tuple[str, str]]]:
    """Read a view from query parameters. Never evaluates anything: plain strings, checked against patterns.

    Returns the view and the list of ``(name, raw value)`` that were rejected (the page says so). Whether an
    indicator or territory actually exists is checked by the page against the store.
    """
    bad: list[tuple[str, str]] = []

    def get(name: str) -> str | None:
        raw = params.get(name)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        if raw is None or raw == "":
            return None
        return str(raw)[:200]

    indicator, level, year_s, sel, measure = get("ind"), get("level"), get("year"), get("sel"), get("measure")
    if indicator is not None and not _ID_RE.match(indicator):
        bad.append(("ind", indicator))
        indicator = None
    if level is not None and level not in MAP_LEVELS and not is_imported(level):
        bad.append(("level", level))
        level = None
    year = None
    if year_s is not None:
        if year_s.isdigit() and 1900 <= int(year_s) <= 2100:
            year = int(year_s)
        else:
            bad.append(("year", year_s))
    if sel is not None and not _ID_RE.match(sel):
        bad.append(("sel", sel))
        sel = None
    if measure is not None and measure not in MEASURES:
        bad.append(("measure", measure))
        measure = None
    return View(indicator, level, year, sel, measure or "total"), bad


def view_params(view: View) -> dict[str, str]:
    """The query parameters that reproduce ``view`` (inverse of :func:`parse_view`)."""
    out = {}
    if view.indicator:
        out["ind"] = view.indicator
    if view.level:
        out["level"] = view.level
    if view.year is not None:
        out["year"] = str(view.year)
    if view.selected:
        out["sel"] = view.selected
    if view.measure != "total":
        out["measure"] = view.measure
    return out


def page_params(view: View, lang: str) -> dict[str, str]:
    """The whole query string of the map page: the view, plus the language when it is not the default."""
    return {**({"lang": lang} if lang != DEFAULT_LANG else {}), **view_params(view)}
