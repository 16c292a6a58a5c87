"""Colour-blind-safe palettes (ColorBrewer schemes marked safe, and viridis) and the fixed map colours."""

from __future__ import annotations

import math

import numpy as np

#: name -> (kind, 9 anchor colours from low to high). ColorBrewer (Brewer, Penn State) and viridis (matplotlib).
PALETTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "blues": (
        "sequential",
        ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"),
    ),
    "ylgnbu": (
        "sequential",
        ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"),
    ),
    "viridis": (
        "sequential",
        ("#fde725", "#b5de2b", "#6ece58", "#35b779", "#1f9e89", "#26828e", "#31688e", "#3e4989", "#482878"),
    ),
    "purples": (
        "sequential",
        ("#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"),
    ),
    "rdbu": (
        "diverging",
        ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"),
    ),
    "puor": (
        "diverging",
        ("#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb", "#b2abd2", "#8073ac", "#542788"),
    ),
    "brbg": (
        "diverging",
        ("#8c510a", "#bf812d", "#dfc27d", "#f6e8c3", "#f5f5f5", "#c7eae5", "#80cdc1", "#35978f", "#01665e"),
    ),
}
SEQUENTIAL_DEFAULT, DIVERGING_DEFAULT = "blues", "rdbu"
#: Missing values: mid grey (distinct from every palette's ends) with a dashed outline.
MISSING_COLOUR = "#a6a6a6"
OUTLINE_COLOUR = "#4d4d4d"
SELECTED_COLOUR = "#111111"


def palette_names(kind: str | None = None) -> list[str]:
    """Palette names, optionally only ``sequential`` or ``diverging`` ones."""
    return [name for name, (k, _) in PALETTES.items() if kind is None or k == kind]


def _hex_to_rgb(c: str) -> tuple[int, int, int]:
    c = c.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def palette_colours(name: str, n: int) -> list[str]:
    """``n`` colours of palette ``name`` from low to high, sampled evenly across its anchors.

    Sequential palettes skip the near-white first anchor so that the lowest class never looks like paper.
    """
    if name not in PALETTES:
        raise ValueError(f"unknown palette {name!r}")
    kind, anchors = PALETTES[name]
    if n <= 0:
        return []
    stops = anchors[1:] if kind == "sequential" and name != "viridis" else anchors
    if n == 1:
        return [stops[len(stops) // 2]]
    rgb = np.array([_hex_to_rgb(c) for c in stops], dtype=float)
    pos = np.linspace(0, len(stops) - 1, n)
    out = []
    for p in pos:
        lo = math.floor(p)
        hi = min(lo + 1, len(stops) - 1)
        frac = p - lo
        r, g, b = (rgb[lo] * (1 - frac) + rgb[hi] * frac).round().astype(int)
        out.append(f"#{r:02x}{g:02x}{b:02x}")
    return out


def ink_colour(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (relative luminance)."""
    r, g, b = (c / 255 for c in _hex_to_rgb(fill))
    return "#111111" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "#ffffff"
