"""Classification of values into coloured classes: quantiles, equal intervals, Fisher-Jenks, diverging.

Pure functions on plain values; missing values (None/NaN) never fall into a class and are counted apart.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from gtec.core.i18n import t
from gtec.maps.legend import LegendEntry, format_value
from gtec.maps.palettes import MISSING_COLOUR, PALETTES, palette_colours

#: Classification methods offered to users (i18n keys ``map.method.<name>``).
METHODS: tuple[str, ...] = ("quantiles", "equal", "jenks")
MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES = 3, 7, 5
#: Share of the territories whose distance to the reference sets the span of diverging classes.
DIVERGING_SPAN_QUANTILE = 0.9


def _finite(values: Iterable[float | None]) -> np.ndarray:
    arr = np.array([v for v in values if v is not None], dtype=float)
    return arr[np.isfinite(arr)]


def _dedupe(edges: Iterable[float]) -> list[float]:
    out: list[float] = []
    for e in edges:
        e = float(e)
        if not out or e > out[-1]:
            out.append(e)
    return out


def quantile_breaks(values: Iterable[float | None], k: int) -> list[float]:
    """Edges (k+1 at most, increasing) so that each class holds about the same number of territories.

    Missing values (None/NaN) are ignored. Tied edges are merged, so fewer classes may come back.
    """
    arr = _finite(values)
    if arr.size == 0:
        return []
    return _dedupe(np.quantile(arr, np.linspace(0, 1, k + 1)))


def equal_breaks(values: Iterable[float | None], k: int) -> list[float]:
    """Edges splitting [min, max] into ``k`` intervals of equal width (one class when all values are equal)."""
    arr = _finite(values)
    if arr.size == 0:
        return []
    lo, hi = float(arr.min()), float(arr.max())
    if lo == hi:
        return [lo, hi]
    return _dedupe(np.linspace(lo, hi, k + 1))


def jenks_breaks(values: Iterable[float | None], k: int) -> list[float]:
    """Fisher-Jenks natural breaks: the optimal split into ``k`` classes minimising within-class variance.

    Exact dynamic programme on the sorted values, vectorised with numpy (O(k n^2) memory-light steps):
    about 30 ms for the 1,253 French EPCIs. Returns increasing edges, min first and max last.
    """
    arr = np.sort(_finite(values))
    n = arr.size
    if n == 0:
        return []
    k = min(k, int(np.unique(arr).size))
    if k <= 1:
        return [float(arr[0]), float(arr[-1])]
    s1 = np.concatenate([[0.0], np.cumsum(arr)])
    s2 = np.concatenate([[0.0], np.cumsum(arr * arr)])
    idx = np.arange(n)

    def ssd(start: np.ndarray, end: int) -> np.ndarray:
        # sum of squared deviations of arr[start..end] (inclusive), vectorised over start
        cnt = end - start + 1
        s = s1[end + 1] - s1[start]
        return (s2[end + 1] - s2[start]) - s * s / cnt

    inf = math.inf
    # cost[j][i]: best cost of splitting arr[0..i] into j+1 classes; back[j][i]: start of the last class
    cost = np.full((k, n), inf)
    back = np.zeros((k, n), dtype=int)
    ends = np.arange(n)
    cost[0] = (s2[ends + 1] - s2[0]) - (s1[ends + 1] - s1[0]) ** 2 / (ends + 1)
    for j in range(1, k):
        for i in range(j, n):
            starts = idx[j : i + 1]
            cand = cost[j - 1][starts - 1] + ssd(starts, i)
            best = int(np.argmin(cand))
            cost[j][i] = cand[best]
            back[j][i] = starts[best]
    edges = [float(arr[-1])]
    end = n - 1
    for j in range(k - 1, 0, -1):
        start = back[j][end]
        edges.append(float(arr[start - 1]))
        end = start - 1
    edges.append(float(arr[0]))
    return _dedupe(sorted(edges))


def diverging_breaks(values: Iterable[float | None], k: int, reference: float) -> list[float]:
    """Edges symmetric around ``reference``: equal steps out to the distance from it that 90 % of the values
    stay within (one far territory, Guyane's unemployment, would otherwise push every other one into the
    middle class: screens review M3). The first and last classes are open: values beyond them are clamped.

    With an odd ``k`` the middle class straddles the reference; with an even ``k`` the reference is an edge.
    """
    arr = _finite(values)
    if arr.size == 0:
        return []
    gaps = np.abs(arr - reference)
    span = float(np.quantile(gaps, DIVERGING_SPAN_QUANTILE)) or float(np.max(gaps))
    if span == 0:
        return [reference, reference]
    return _dedupe(np.linspace(reference - span, reference + span, k + 1))


def breaks(values: Iterable[float | None], method: str, k: int, reference: float | None = None) -> list[float]:
    """Class edges for ``method`` (quantiles/equal/jenks), or symmetric around ``reference`` when given."""
    if method not in METHODS:
        raise ValueError(f"unknown classification {method!r}")
    values = list(values)
    n_unique = int(np.unique(_finite(values)).size)
    if n_unique == 0:
        return []
    k = max(1, min(int(k), MAX_CLASSES, n_unique))
    if reference is not None and math.isfinite(reference):
        return diverging_breaks(values, k, reference)
    return {"quantiles": quantile_breaks, "equal": equal_breaks, "jenks": jenks_breaks}[method](values, k)


def assign_classes(values: Iterable[float | None], edges: Sequence[float]) -> list[int | None]:
    """Class index (0-based) of each value; None for a missing value (never class 0 by default).

    A value equal to an inner edge goes to the lower class (intervals are ``(a, b]`` except the first
    ``[a, b]``); values outside the edges are clamped to the first/last class.
    """
    nclass = max(len(edges) - 1, 1)
    out: list[int | None] = []
    for v in values:
        if v is None or not math.isfinite(float(v)):
            out.append(None)
            continue
        i = int(np.searchsorted(np.asarray(edges[1:-1], dtype=float), float(v), side="left")) if nclass > 1 else 0
        out.append(min(max(i, 0), nclass - 1))
    return out


def decimals_for(edges: Sequence[float]) -> int:
    """Decimals needed so that distinct class edges print distinctly (0 to 3), and no more than the edges have:
    quantile edges of rates published with one decimal read "5,7 – 6,5", not "5,70 – 6,50"."""
    if len(edges) < 2:
        return 0
    needed = _spacing_decimals(edges)
    exact = next((d for d in range(4) if all(abs(e - round(e, d)) < 1e-9 for e in edges)), None)
    return needed if exact is None else min(needed, exact)


def _spacing_decimals(edges: Sequence[float]) -> int:
    step = min((b - a) for a, b in itertools.pairwise(edges) if b > a) if len(set(edges)) > 1 else 1
    span = max(abs(edges[0]), abs(edges[-1]))
    if step >= 10 or span >= 1000:
        return 0
    if step >= 1:
        return 1 if span < 100 else 0
    return min(3, max(1, math.ceil(-math.log10(step)) + 1))


@dataclass(frozen=True)
class Classification:
    """Colours for a set of values: per-value colour and class, the edges, and the legend entries."""

    edges: tuple[float, ...]
    classes: tuple[int | None, ...]
    colours: tuple[str, ...]
    palette: tuple[str, ...]
    entries: tuple[LegendEntry, ...]
    missing: LegendEntry
    decimals: int = 0
    extras: dict = field(default_factory=dict)


def classify(
    values: Sequence[float | None],
    method: str,
    k: int,
    palette: str,
    lang: str,
    reference: float | None = None,
) -> Classification:
    """Classify ``values`` and colour them.

    ``reference`` (e.g. the national rate) makes the classes symmetric around it, for diverging palettes.
    Missing values get :data:`MISSING_COLOUR` and class None and are counted in ``missing``.
    """
    edges = breaks(values, method, k, reference)
    nclass = max(len(edges) - 1, 1) if edges else 0
    pal = palette_colours(palette, nclass)
    if reference is not None and nclass and PALETTES[palette][0] == "diverging":
        pal = _centred_diverging(palette, edges, reference)
    classes = assign_classes(values, edges) if edges else [None] * len(values)
    colours = tuple(MISSING_COLOUR if c is None else pal[c] for c in classes)
    dec = decimals_for(edges)
    counts = [0] * nclass
    for c in classes:
        if c is not None:
            counts[c] += 1
    entries = []
    for i in range(nclass):
        lo, hi = edges[i], edges[i + 1] if len(edges) > 1 else edges[i]
        if lo == hi:
            label = format_value(lo, lang, dec)
        elif reference is not None and nclass > 1 and i == 0:  # open classes (diverging_breaks clamps)
            label = f"≤ {format_value(hi, lang, dec)}"
        elif reference is not None and nclass > 1 and i == nclass - 1:
            label = f"> {format_value(lo, lang, dec)}"
        else:
            label = f"{format_value(lo, lang, dec)} – {format_value(hi, lang, dec)}"
        entries.append(LegendEntry(pal[i], label, lo, hi, counts[i]))
    n_missing = sum(1 for c in classes if c is None)
    missing = LegendEntry(MISSING_COLOUR, t("map.no_data", lang), None, None, n_missing)
    return Classification(tuple(edges), tuple(classes), colours, tuple(pal), tuple(entries), missing, dec)


def _centred_diverging(palette: str, edges: Sequence[float], reference: float) -> list[str]:
    """Diverging colours where the class holding ``reference`` gets the neutral middle colour and the class
    farthest from it the palette's end colour (the whole palette is used: no pale map, screens review M3)."""
    nclass = len(edges) - 1
    ref_class = assign_classes([reference], edges)[0] or 0
    half = max(ref_class, nclass - 1 - ref_class)
    full = palette_colours(palette, 2 * half + 1)
    return [full[half + i - ref_class] for i in range(nclass)]


def colour_table(
    table,
    method: str,
    k: int,
    palette: str,
    lang: str,
    reference: float | None = None,
):
    """Classify a :func:`level_table` and add ``fill`` and ``class`` columns. Returns (table, classification)."""
    values = [None if v != v else float(v) for v in table["value"]]
    cls = classify(values, method, k, palette, lang, reference)
    out = table.assign(fill=list(cls.colours), **{"class": [None if c is None else c + 1 for c in cls.classes]})
    return out, cls
