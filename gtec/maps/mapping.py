"""Choropleth maps: classification, colour-blind-safe palettes, legend model and folium builders (pure).

Nothing here imports streamlit. The functions take plain values and GeoJSON dicts and return numbers,
dataclasses or folium objects, so they are tested by rendering HTML (``m.get_root().render()``).

Safety: every data string that reaches the map (territory names, labels) is escaped with
:func:`html.escape` *before* it is put in feature properties, because folium's tooltips insert property
values as HTML. Leaflet is served by the app itself (:func:`ensure_static_assets`), so maps draw offline.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
import shutil
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import branca.element
import folium
import numpy as np

from gtec.core import config
from gtec.core.i18n import t

# --------------------------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------------------------

#: Classification methods offered to users (i18n keys ``map.method.<name>``).
METHODS: tuple[str, ...] = ("quantiles", "equal", "jenks")
MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES = 3, 7, 5


def _finite(values: Iterable[float | None]) -> np.ndarray:
    arr = np.array([v for v in values if v is not None], dtype=float)
    return arr[np.isfinite(arr)]


def _dedupe(edges: Sequence[float]) -> list[float]:
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
    """Edges symmetric around ``reference``: equal steps out to the largest distance from it.

    With an odd ``k`` the middle class straddles the reference; with an even ``k`` the reference is an edge.
    """
    arr = _finite(values)
    if arr.size == 0:
        return []
    span = float(np.max(np.abs(arr - reference)))
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


# --------------------------------------------------------------------------------------------------------------
# Palettes (ColorBrewer schemes marked colour-blind safe, and viridis)
# --------------------------------------------------------------------------------------------------------------

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
NNBSP = "\u202f"


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


# --------------------------------------------------------------------------------------------------------------
# Numbers and legend
# --------------------------------------------------------------------------------------------------------------


def format_number(value: float | None, lang: str, decimals: int | None = None) -> str:
    """``12 345,6`` in French, ``12,345.6`` in English; ``None``/NaN -> the "no data" label."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return t("map.no_data", lang)
    v = float(value)
    if decimals is None:
        decimals = 0 if abs(v) >= 1000 or float(v).is_integer() else (1 if abs(v) >= 10 else 2)
    text = f"{v:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def decimals_for(edges: Sequence[float]) -> int:
    """Decimals needed so that distinct class edges print distinctly (0 to 3)."""
    if len(edges) < 2:
        return 0
    step = min((b - a) for a, b in itertools.pairwise(edges) if b > a) if len(set(edges)) > 1 else 1
    span = max(abs(edges[0]), abs(edges[-1]))
    if step >= 10 or span >= 1000:
        return 0
    if step >= 1:
        return 1 if span < 100 else 0
    return min(3, max(1, math.ceil(-math.log10(step)) + 1))


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
            label = format_number(lo, lang, dec)
        else:
            label = f"{format_number(lo, lang, dec)} – {format_number(hi, lang, dec)}"
        entries.append(LegendEntry(pal[i], label, lo, hi, counts[i]))
    n_missing = sum(1 for c in classes if c is None)
    missing = LegendEntry(MISSING_COLOUR, t("map.no_data", lang), None, None, n_missing)
    return Classification(tuple(edges), tuple(classes), colours, tuple(pal), tuple(entries), missing, dec)


def _centred_diverging(palette: str, edges: Sequence[float], reference: float) -> list[str]:
    """Diverging colours where the class holding ``reference`` gets the neutral middle colour."""
    nclass = len(edges) - 1
    full = palette_colours(palette, 2 * nclass + 1)
    mid = nclass
    ref_class = assign_classes([reference], edges)[0] or 0
    return [
        full[mid + (i - ref_class) * 1] if 0 <= mid + (i - ref_class) < len(full) else full[-1] for i in range(nclass)
    ]


# --------------------------------------------------------------------------------------------------------------
# GeoJSON properties (escaped) and folium builders
# --------------------------------------------------------------------------------------------------------------

STATIC_URL = "/app/static/vendor/leaflet"
#: Only Leaflet: no jQuery, Bootstrap or awesome-markers (the choropleth uses none of them).
LEAFLET_JS = [("leaflet", f"{STATIC_URL}/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet.css")]
FRANCE_CENTER = (46.45, 2.4)
FRANCE_ZOOM = 5.75


def static_dir() -> Path:
    """Where Streamlit serves ``/app/static`` from (``<repo>/static``)."""
    return config.REPO_ROOT / "static"


def ensure_static_assets(target: Path | None = None) -> Path:
    """Copy Leaflet (from the installed ``xstatic-leaflet`` package) to ``static/vendor/leaflet``.

    Idempotent and cheap when already done (compares file sizes). Returns the directory.
    """
    import xstatic.pkg.leaflet as xleaflet

    src = Path(xleaflet.BASE_DIR)
    target = target or static_dir() / "vendor" / "leaflet"
    wanted = ["leaflet.js", "leaflet.css"]
    ok = all((target / f).exists() and (target / f).stat().st_size == (src / f).stat().st_size for f in wanted)
    if ok and (target / "images").is_dir():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for f in wanted:
        tmp = target / f"{f}.tmp"
        shutil.copyfile(src / f, tmp)
        tmp.replace(target / f)
    shutil.copytree(src / "images", target / "images", dirs_exist_ok=True)
    return target


class OfflineMap(folium.Map):
    """A folium map that loads Leaflet from the app itself and nothing else."""

    default_js = LEAFLET_JS
    default_css = LEAFLET_CSS


def base_map(
    center: tuple[float, float] = FRANCE_CENTER,
    zoom: float = FRANCE_ZOOM,
    tiles: bool = False,
    height: int | str = "100%",
) -> OfflineMap:
    """The base map: no tiles by default (reads offline); OpenStreetMap tiles when ``tiles`` is True.

    Built identically on every rerun so that streamlit-folium keeps the same component (zoom survives).
    """
    m = OfflineMap(
        location=list(center),
        zoom_start=zoom,
        tiles="OpenStreetMap" if tiles else None,
        control_scale=True,
        prefer_canvas=False,
        zoom_snap=0.25,
        height=height,
    )
    # Paper-coloured background instead of Leaflet's grey when no tiles are drawn; large tooltip text.
    m.get_root().header.add_child(
        folium.Element(
            "<style>.leaflet-container{background:#f4f4ef !important}"
            ".gtec-tooltip{font-size:16px;line-height:1.35}</style>"
        ),
        name="gtec_style",
    )
    return m


def _round_coords(coords, decimals: int):
    if coords and isinstance(coords[0], (int, float)):
        return [round(float(coords[0]), decimals), round(float(coords[1]), decimals)]
    out = [_round_coords(c, decimals) for c in coords]
    if out and isinstance(out[0], list) and out[0] and isinstance(out[0][0], float):
        # a ring: drop points that rounding made identical to the previous one
        ring = [out[0]]
        for pt in out[1:]:
            if pt != ring[-1]:
                ring.append(pt)
        if len(ring) < 4:  # degenerate ring after rounding: keep the unrounded-duplicate-free version
            return out
        return ring
    return out


def round_geometry(geometry: Mapping, decimals: int = 3) -> dict:
    """A copy of a GeoJSON geometry with coordinates rounded (3 decimals = about 100 m, well under the
    0.01 degree simplification of national layers) and repeated points removed."""
    return {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"], decimals)}


@dataclass(frozen=True)
class PreparedLayer:
    """A layer's geometry serialised once (cache it): per feature its id, code, name and geometry JSON text.

    Recolouring then only writes small property objects around the cached geometry text.
    """

    ids: tuple[str, ...]
    codes: tuple[str, ...]
    names: tuple[str, ...]
    geometry_json: tuple[str, ...]
    bounds: tuple[tuple[float, float], tuple[float, float]] | None

    @property
    def nbytes(self) -> int:
        return sum(len(g) for g in self.geometry_json)


def prepare_layer(fc: Mapping, decimals: int | None = 3) -> PreparedLayer:
    """Serialise a FeatureCollection (features with ``id`` and properties ``id``, ``code``, ``name``)."""
    ids, codes, names, geoms = [], [], [], []
    for feat in fc.get("features", []):
        props = feat.get("properties") or {}
        geometry = feat.get("geometry")
        if not geometry:
            continue
        if decimals is not None:
            geometry = round_geometry(geometry, decimals)
        ids.append(str(props.get("id", feat.get("id", ""))))
        codes.append(str(props.get("code", "")))
        names.append(str(props.get("name", ids[-1])))
        geoms.append(json.dumps(geometry, separators=(",", ":")))
    bounds = fit_bounds(fc)
    return PreparedLayer(
        tuple(ids),
        tuple(codes),
        tuple(names),
        tuple(geoms),
        (tuple(bounds[0]), tuple(bounds[1])) if bounds else None,  # type: ignore[arg-type]
    )


def _js_json(obj: object) -> str:
    """JSON safe to embed in a <script> element or eval'ed JavaScript (no ``<``, ``>``, ``&`` characters)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def layer_json(
    layer: PreparedLayer,
    values: Mapping[str, float | None],
    colours: Mapping[str, str],
    lang: str,
    unit: str = "",
    decimals: int | None = None,
    selected: str | None = None,
) -> str:
    """The FeatureCollection JSON text of a coloured layer, built around the cached geometry text.

    Properties per feature: ``id``, ``name`` (HTML-escaped), ``value`` (escaped display text, "no data" when
    missing), ``fill`` (colour), ``missing`` (bool), ``sel`` (bool). Territories absent from ``values`` are
    drawn as missing, never as zero.
    """
    parts = []
    for tid, name, geom in zip(layer.ids, layer.names, layer.geometry_json, strict=True):
        value = values.get(tid)
        missing = value is None or (isinstance(value, float) and not math.isfinite(value))
        text = format_number(value, lang, decimals)
        if unit and not missing:
            text = f"{text}{NNBSP if unit == '%' and lang == 'fr' else ('' if unit == '%' else ' ')}{unit}"
        props = {
            "id": tid,
            "name": html.escape(name),
            "value": html.escape(text),
            "fill": colours.get(tid, MISSING_COLOUR) if not missing else MISSING_COLOUR,
            "missing": missing,
            "sel": tid == selected,
        }
        parts.append(f'{{"type":"Feature","id":{_js_json(tid)},"properties":{_js_json(props)},"geometry":{geom}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def outline_json(layer: PreparedLayer) -> str:
    """A FeatureCollection JSON text of the geometry only (outlines carry no data strings)."""
    parts = [
        f'{{"type":"Feature","id":{_js_json(tid)},"properties":{{}},"geometry":{geom}}}'
        for tid, geom in zip(layer.ids, layer.geometry_json, strict=True)
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


class _RawScript(branca.element.Element):
    """Script text added to a figure without compiling it as a Jinja template (1 MB would take 100 ms)."""

    _template = folium.template.Template("{{ this.text }}")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class _FastScriptElement(folium.MacroElement):
    """A macro element whose script is rendered once and added as raw text (see :class:`_RawScript`)."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        figure.script.add_child(_RawScript(self._template.module.script(self, kwargs)), name=self.get_name())


class ChoroplethGeoJson(_FastScriptElement):
    """A Leaflet GeoJSON layer coloured from its ``fill`` property, with a tooltip and hover highlight.

    The tooltip is built from properties that are already HTML-escaped; the alias is escaped here. The
    data is pre-serialised JSON text (see :func:`layer_json`), so a rerun does no per-feature Python work.
    """

    _template = folium.template.Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
  smoothFactor: 0.5,
  style: function(f) {
    var p = f.properties;
    return {fillColor: p.fill, fillOpacity: 0.85, color: p.sel ? "#111111" : (p.missing ? "#4d4d4d" : "#ffffff"),
            weight: p.sel ? 3.5 : 0.6, dashArray: p.missing ? "3 3" : null};
  },
  onEachFeature: function(f, layer) {
    var p = f.properties;
    layer.bindTooltip("<b>" + p.name + "</b><br>" + {{ this.alias_json }} + " : " + p.value,
                      {sticky: true, className: "gtec-tooltip"});
    layer.on({
      mouseover: function(e) { e.target.setStyle({weight: 3, color: "#111111", fillOpacity: 0.95}); },
      mouseout: function(e) { {{ this.get_name() }}.resetStyle(e.target); }
    });
  }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, data_json: str, value_alias: str) -> None:
        super().__init__()
        self._name = "choropleth"
        self.data_json = data_json
        self.alias_json = _js_json(html.escape(value_alias))


class OutlineGeoJson(_FastScriptElement):
    """Outlines only (no fill, not interactive): basins drawn over the choropleth."""

    _template = folium.template.Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
  interactive: false,
  style: function(f) { return {fill: false, color: {{ this.colour_json }}, weight: {{ this.weight }}, opacity: 0.95}; }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, data_json: str, colour: str = SELECTED_COLOUR, weight: float = 2.5) -> None:
        super().__init__()
        self._name = "outline"
        self.data_json = data_json
        self.colour_json = _js_json(colour)
        self.weight = float(weight)


class BackgroundGeoJson(_FastScriptElement):
    """Context drawn under the choropleth (light fill, white borders, not interactive)."""

    _template = folium.template.Template(
        """{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
  interactive: false,
  style: function(f) { return {fillColor: "#e4e4df", fillOpacity: 1, color: "#ffffff", weight: 1}; }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, data_json: str) -> None:
        super().__init__()
        self._name = "background"
        self.data_json = data_json


def choropleth_layer(
    data_json: str,
    value_alias: str,
    outlines: Sequence[str] = (),
    name: str = "choropleth",
    background: str | None = None,
) -> folium.FeatureGroup:
    """The feature group swapped on every rerun: optional background, the coloured layer, outlines."""
    group = folium.FeatureGroup(name=html.escape(name), overlay=True, control=False)
    if background:
        group.add_child(BackgroundGeoJson(background))
    group.add_child(ChoroplethGeoJson(data_json, value_alias))
    for outline in outlines:
        group.add_child(OutlineGeoJson(outline))
    return group


def fit_bounds(fc: dict) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of a FeatureCollection, or None when it has no coordinates."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords:
                walk(c)

    for f in fc.get("features", []):
        g = f.get("geometry") or {}
        walk(g.get("coordinates") or [])
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def legend_html(legend: Legend, lang: str) -> str:
    """The legend as a small HTML block: every string escaped. Used in the app and in exported maps."""
    e = html.escape
    rows = []
    for entry in (*legend.entries, legend.missing):
        dash = "border:1px dashed #333;" if entry is legend.missing else "border:1px solid #777;"
        rows.append(
            f'<div style="display:flex;align-items:center;gap:.5em;margin:.15em 0">'
            f'<span style="display:inline-block;width:1.6em;height:1.1em;background:{e(entry.colour)};{dash}"></span>'
            f"<span>{e(entry.label)}</span>"
            f'<span style="color:#555;font-size:.85em">({entry.count})</span></div>'
        )
    unit = f" ({e(legend.unit)})" if legend.unit else ""
    meta = [f"{e(t('map.legend.vintage', lang))} {e(legend.vintage)}", e(legend.status_label)]
    if legend.method_label:
        meta.append(e(legend.method_label))
    if legend.reference_label:
        meta.append(e(legend.reference_label))
    return (
        '<div class="gtec-legend" style="font-size:1rem;line-height:1.3">'
        f'<div style="font-weight:600">{e(legend.title)}{unit}</div>'
        + "".join(rows)
        + f'<div style="color:#444;font-size:.85em;margin-top:.3em">{" · ".join(meta)}</div></div>'
    )


class _LegendControl(folium.MacroElement):
    """A fixed legend box inside a standalone map (exported HTML)."""

    _template = folium.template.Template(
        """{% macro html(this, kwargs) %}
<div style="position:fixed;bottom:24px;left:12px;z-index:9999;background:#fff;padding:8px 10px;
border:1px solid #999;border-radius:4px;max-width:320px">{{ this.body }}</div>
{% endmacro %}"""
    )

    def __init__(self, body: str) -> None:
        super().__init__()
        self.body = body


def standalone_map(
    layer: PreparedLayer,
    data_json: str,
    value_alias: str,
    legend: Legend,
    lang: str,
    outlines: Sequence[str] = (),
    tiles: bool = False,
    background: str | None = None,
    view: tuple[tuple[float, float], float] | None = None,
) -> OfflineMap:
    """A complete map (base + coloured layer + outlines + legend) for export as one HTML file.

    ``view`` is ``(center, zoom)`` (the app's view of the level: mainland France, the basins, Belgium); without
    it the map fits the layer's bounds (which, for French layers, include the overseas départements).
    """
    m = base_map(*view, tiles=tiles) if view else base_map(tiles=tiles)
    choropleth_layer(data_json, value_alias, outlines, background=background).add_to(m)
    if layer.bounds and not view:
        m.fit_bounds([list(layer.bounds[0]), list(layer.bounds[1])])
    m.add_child(_LegendControl(legend_html(legend, lang)))
    return m


# --------------------------------------------------------------------------------------------------------------
# Map data: values of a level, totals vs rate, national reference, view parameters from the URL
# --------------------------------------------------------------------------------------------------------------

#: Levels offered on the map page, in order (i18n keys ``map.level.<level>``). UK regions use a tile grid.
MAP_LEVELS: tuple[str, ...] = ("region", "departement", "epci", "basin", "be_province", "uk_itl1")
GRID_LEVELS: frozenset[str] = frozenset({"uk_itl1"})
LEVEL_COUNTRY = {"region": "FR", "departement": "FR", "epci": "FR", "basin": "FR", "be_province": "BE", "uk_itl1": "UK"}
LEVEL_VIEW: dict[str, tuple[tuple[float, float], float]] = {
    "be_province": ((50.55, 4.6), 7.5),
    "basin": ((48.8, -0.2), 6.5),
}
MEASURES: tuple[str, ...] = ("total", "rate")
STATUS_RANK = {"official": 0, "estimate": 1, "illustrative": 2}


def weakest_status(statuses: Iterable[str]) -> str:
    """The least reliable of several statuses (official < estimate < illustrative)."""
    found = [s for s in statuses if s]
    return max(found, key=lambda s: STATUS_RANK.get(s, 3)) if found else "illustrative"


def indicator_catalogue(conn: sqlite3.Connection) -> dict[str, dict]:
    """The ``indicators`` table as ``{id: row dict}``."""
    conn.row_factory = sqlite3.Row
    return {r["id"]: dict(r) for r in conn.execute("SELECT * FROM indicators ORDER BY rowid")}


def rate_available(indicator: Mapping) -> bool:
    """A totals/rate toggle makes sense for counts that have a denominator in the catalogue."""
    return indicator.get("kind") == "count" and bool(indicator.get("denominator_indicator"))


def indicators_for_level(conn: sqlite3.Connection, level: str) -> list[str]:
    """Indicator ids with at least one non-missing value at ``level``, in catalogue order."""
    present = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT v.indicator_id FROM indicator_values v JOIN territories t ON t.id = v.territory_id"
            " WHERE t.level = ? AND v.value IS NOT NULL",
            (level,),
        )
    }
    return [i for i in indicator_catalogue(conn) if i in present]


def years_for(conn: sqlite3.Connection, indicator_id: str, level: str) -> list[int]:
    """Years with at least one non-missing value of the indicator at ``level`` (ascending)."""
    rows = conn.execute(
        "SELECT DISTINCT v.year FROM indicator_values v JOIN territories t ON t.id = v.territory_id"
        " WHERE v.indicator_id = ? AND t.level = ? AND v.value IS NOT NULL ORDER BY v.year",
        (indicator_id, level),
    )
    return [int(r[0]) for r in rows]


def _values_with_sources(conn: sqlite3.Connection, indicator_id: str, year: int, where: str, params: list) -> list:
    return conn.execute(
        "SELECT t.id, t.code, t.name, v.value, v.source_id, s.status, s.vintage FROM territories t"
        " LEFT JOIN indicator_values v ON v.territory_id = t.id AND v.indicator_id = ? AND v.year = ?"
        " LEFT JOIN sources s ON s.id = v.source_id"
        f" WHERE {where} ORDER BY t.id",
        [indicator_id, year, *params],
    ).fetchall()


def level_table(conn: sqlite3.Connection, indicator_id: str, year: int, level: str, measure: str = "total"):
    """Every territory of ``level`` with its value for ``indicator_id`` in ``year``.

    ``measure="rate"`` divides a count by its catalogue denominator (same year) times ``rate_per``; it is
    missing when either is missing or the denominator is 0. Returns a DataFrame with columns
    territory_id, code, name, value (NaN = missing), source_id, status, vintage (several sources are
    joined with " + "; the status is the weakest one).
    """
    import pandas as pd

    rows = _values_with_sources(conn, indicator_id, year, "t.level = ?", [level])
    df = pd.DataFrame(rows, columns=["territory_id", "code", "name", "value", "source_id", "status", "vintage"])
    if measure == "rate":
        ind = indicator_catalogue(conn).get(indicator_id, {})
        if not rate_available(ind):
            raise ValueError(f"{indicator_id} has no rate")
        den = _values_with_sources(conn, ind["denominator_indicator"], year, "t.level = ?", [level])
        d = pd.DataFrame(
            den, columns=["territory_id", "code", "name", "den", "den_source", "den_status", "den_vintage"]
        )
        df = df.merge(d[["territory_id", "den", "den_source", "den_status", "den_vintage"]], on="territory_id")
        ok = df["value"].notna() & df["den"].notna() & (df["den"] > 0)
        df["value"] = (df["value"].astype(float) / df["den"].where(ok).astype(float) * float(ind["rate_per"])).where(ok)
        for col, other in (("source_id", "den_source"), ("status", "den_status"), ("vintage", "den_vintage")):
            df[col] = [
                _join(a, b, col == "status") if k else None for a, b, k in zip(df[col], df[other], ok, strict=True)
            ]
        df = df.drop(columns=["den", "den_source", "den_status", "den_vintage"])
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype(float)
    return df


def _join(a: object, b: object, status: bool) -> str | None:
    vals = [str(x) for x in (a, b) if x is not None and x == x]
    if status:
        return weakest_status(vals)
    return " + ".join(dict.fromkeys(vals)) or None


def national_value(
    conn: sqlite3.Connection, indicator_id: str, year: int, country: str, measure: str = "total"
) -> tuple[float | None, str | None, str | None]:
    """``(value, source_id, status)`` of the country root (``FR``, ``BE``, ``UK``), missing -> (None, None, None)."""
    rows = _values_with_sources(conn, indicator_id, year, "t.id = ?", [country])
    if not rows or rows[0][3] is None:
        return None, None, None
    value, source, status = float(rows[0][3]), rows[0][4], rows[0][5]
    if measure == "rate":
        ind = indicator_catalogue(conn).get(indicator_id, {})
        den = _values_with_sources(conn, ind.get("denominator_indicator") or "", year, "t.id = ?", [country])
        if not den or den[0][3] in (None, 0):
            return None, None, None
        return (
            value / float(den[0][3]) * float(ind["rate_per"]),
            f"{source} + {den[0][4]}",
            weakest_status([status, den[0][5]]),
        )
    return value, source, status


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
    if level is not None and level not in MAP_LEVELS:
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


# --------------------------------------------------------------------------------------------------------------
# Territory profile: value against parent and nation, trend, location quotient (store or custom territories)
# --------------------------------------------------------------------------------------------------------------


def _store_series(conn: sqlite3.Connection, territory_ids: Sequence[str], indicator_ids: Sequence[str]):
    import pandas as pd

    if not territory_ids or not indicator_ids:
        return pd.DataFrame(columns=["territory_id", "indicator_id", "year", "value", "source_id", "status"])
    tph, iph = ", ".join("?" * len(territory_ids)), ", ".join("?" * len(indicator_ids))
    return pd.read_sql_query(
        "SELECT v.territory_id, v.indicator_id, v.year, v.value, v.source_id, s.status FROM indicator_values v"
        f" JOIN sources s ON s.id = v.source_id WHERE v.territory_id IN ({tph}) AND v.indicator_id IN ({iph})"
        " AND v.value IS NOT NULL",
        conn,
        params=[*territory_ids, *indicator_ids],
    )


def series(
    conn: sqlite3.Connection,
    territory_ids: Sequence[str],
    indicator_id: str,
    measure: str = "total",
    custom_members: Mapping[str, Sequence[str]] | None = None,
):
    """Yearly values of one indicator (or its rate) for several territories, missing years left out.

    ``custom_members`` maps custom territory ids (``WS-n``) to their member ids: their values are aggregated
    with the catalogue rule (:func:`gtec.territories.custom.aggregate_values`). Columns: territory_id, year,
    value, source_id, status.
    """
    import pandas as pd

    from gtec.territories import custom

    cat = indicator_catalogue(conn)
    ind = cat[indicator_id]
    wanted = [indicator_id]
    if measure == "rate":
        if not rate_available(ind):
            raise ValueError(f"{indicator_id} has no rate")
        wanted.append(ind["denominator_indicator"])
    custom_members = custom_members or {}
    plain = [t for t in territory_ids if t not in custom_members]
    frames = [_store_series(conn, plain, wanted)]
    for cid, mem in custom_members.items():
        if cid not in territory_ids:
            continue
        agg = custom.aggregate_values(conn, mem, wanted).dropna(subset=["value"])
        frames.append(
            pd.DataFrame(
                {
                    "territory_id": cid,
                    "indicator_id": agg["indicator_id"],
                    "year": agg["year"],
                    "value": agg["value"],
                    "source_id": agg["source_ids"],
                    "status": agg["status"],
                }
            )
        )
    df = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else frames[0]
    )
    num = df[df["indicator_id"] == indicator_id].drop(columns="indicator_id")
    if measure == "rate":
        den = df[df["indicator_id"] == ind["denominator_indicator"]].drop(columns="indicator_id")
        num = num.merge(den, on=["territory_id", "year"], suffixes=("", "_d"))
        num = num[num["value_d"] > 0]
        num = num.assign(
            value=num["value"] / num["value_d"] * float(ind["rate_per"]),
            source_id=[_join(a, b, False) for a, b in zip(num["source_id"], num["source_id_d"], strict=True)],
            status=[weakest_status([a, b]) for a, b in zip(num["status"], num["status_d"], strict=True)],
        )[["territory_id", "year", "value", "source_id", "status"]]
    num = num.assign(year=num["year"].astype(int), value=num["value"].astype(float))
    return num.sort_values(["territory_id", "year"]).reset_index(drop=True)


def index_series(df):
    """``series`` output as an index: each territory's first year shared by all = 100 (counts of very
    different sizes on one chart). Territories without that year are dropped."""
    if df.empty:
        return df
    common = set.intersection(*(set(g["year"]) for _, g in df.groupby("territory_id")))
    if not common:
        return df.iloc[0:0]
    base_year = min(common)
    base = df[df["year"] == base_year].set_index("territory_id")["value"]
    out = df[df["territory_id"].isin(base.index[base != 0])]
    return out.assign(value=100.0 * out["value"] / out["territory_id"].map(base))


def profile_chain(conn: sqlite3.Connection, territory_id: str, is_custom: bool = False) -> list[str]:
    """The territory, its parent (if any) and its national root: the rows of a profile."""
    from gtec.territories import indicators

    if is_custom:
        return [territory_id, "FR"]
    return indicators.comparison_chain(conn, territory_id)


def location_quotient(
    conn: sqlite3.Connection,
    chain: Sequence[str],
    indicator_id: str,
    year: int,
    custom_members: Mapping[str, Sequence[str]] | None = None,
) -> tuple[float | None, str | None]:
    """Location quotient of a count: its share of the denominator here over the same share in a reference.

    The reference is the highest level of ``chain`` (nation first, then parent) that has both figures for
    ``year``. Returns ``(lq, reference_id)``; ``(None, None)`` when it is not relevant or not computable.
    """
    ind = indicator_catalogue(conn).get(indicator_id, {})
    if not rate_available(ind):
        return None, None
    df = series(conn, chain, indicator_id, "rate", custom_members)
    at = df[df["year"] == int(year)].set_index("territory_id")["value"]
    own = at.get(chain[0])
    if own is None:
        return None, None
    for ref in reversed(chain[1:]):
        base = at.get(ref)
        if base:
            return float(own) / float(base), ref
    return None, None


# --------------------------------------------------------------------------------------------------------------
# Altair builders: trend of a profile, UK tile grid
# --------------------------------------------------------------------------------------------------------------


def trend_chart(df, names: Mapping[str, str], lang: str, height: int = 240, indexed: bool = False):
    """Lines of the yearly values (``series`` output) of a territory, its parent and its nation.

    Missing years are simply absent (no line is drawn through a gap as if it were zero).
    """
    import altair as alt

    data = df.assign(name=df["territory_id"].map(lambda i: names.get(i, i)))
    order = list(dict.fromkeys(data["name"]))
    return (
        alt.Chart(data)
        .mark_line(point=True, strokeWidth=3)
        .encode(
            x=alt.X("year:O", title=t("map.chart.year", lang)),
            y=alt.Y(
                "value:Q",
                title=t("map.chart.index" if indexed else "map.chart.value", lang),
                scale=alt.Scale(zero=False),
            ),
            color=alt.Color(
                "name:N", title=t("map.chart.territory", lang), sort=order, scale=alt.Scale(scheme="dark2")
            ),
            tooltip=[alt.Tooltip("name:N"), alt.Tooltip("year:O"), alt.Tooltip("value:Q", format=",.1f")],
        )
        .properties(height=height)
    )


def tile_grid_chart(tiles, lang: str, height: int = 420):
    """The UK ITL1 tile grid: one square per region at (grid_row, grid_col), filled with its class colour.

    ``tiles`` columns: territory_id, code, name, grid_row, grid_col, fill (colour), ink (text colour),
    value_text. Missing values carry :data:`MISSING_COLOUR` and the "no data" text, like on the maps.
    """
    import altair as alt

    base = alt.Chart(tiles).encode(
        x=alt.X("grid_col:O", axis=None),
        y=alt.Y("grid_row:O", axis=None),
    )
    pick = alt.selection_point(name="pick", fields=["territory_id"], on="click", empty=False)
    rect = (
        base.mark_rect(stroke="#ffffff", strokeWidth=3, cornerRadius=4, cursor="pointer")
        .add_params(pick)
        .encode(
            color=alt.Color("fill:N", scale=None),
            tooltip=[
                alt.Tooltip("name:N", title=t("map.tooltip.territory", lang)),
                alt.Tooltip("value_text:N", title=t("map.col.value", lang)),
            ],
        )
    )
    ink = alt.Color("ink:N", scale=None)
    code = base.mark_text(fontSize=18, fontWeight="bold", dy=-8).encode(text="code:N", color=ink)
    value = base.mark_text(fontSize=13, dy=12).encode(text="value_text:N", color=ink)
    return (rect + code + value).properties(height=height, width=5 * 90)


def ink_colour(fill: str) -> str:
    """Black or white text, whichever reads better on ``fill`` (relative luminance)."""
    r, g, b = (c / 255 for c in _hex_to_rgb(fill))
    return "#111111" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "#ffffff"


def unit_for(indicator: Mapping, measure: str, lang: str) -> str:
    """The unit shown for an indicator: its catalogue unit for totals, % or ‰ for a rate."""
    if measure == "rate":
        return "%" if int(indicator.get("rate_per") or 100) == 100 else "‰"
    return str(indicator.get(f"unit_{lang}") or indicator.get("unit_fr") or "")


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


def export_table(table, lang: str, sources: Mapping, formatted: bool = False, decimals: int | None = None) -> object:
    """The accessible/exported table of a coloured :func:`level_table`: localised headers, class number,
    status and source with its vintage. Values stay numeric for the CSV (missing stays empty, never 0);
    ``formatted=True`` gives display text instead (``12 345,6``, "no data")."""
    import pandas as pd

    def source_text(ids: object) -> str:
        if not isinstance(ids, str):
            return ""
        parts = []
        for sid in ids.split(" + "):
            src = sources.get(sid)
            parts.append(f"{src.title(lang)} ({src.vintage})" if src else sid)
        return " + ".join(parts)

    return pd.DataFrame(
        {
            t("map.col.name", lang): table["name"],
            t("map.col.code", lang): table["code"],
            t("map.col.value", lang): [format_number(v, lang, decimals) for v in table["value"]]
            if formatted
            else table["value"].astype(float).round(3),
            t("map.col.class", lang): table["class"].astype("Int64"),
            t("map.col.status", lang): [t(f"status.{s}", lang) if isinstance(s, str) else "" for s in table["status"]],
            t("map.col.source", lang): [source_text(s) for s in table["source_id"]],
        }
    )


def unique_labels(ids: Sequence[str], names: Sequence[str], codes: Sequence[str]) -> dict[str, str]:
    """``{id: label}`` where every label is distinct: a name shared by several territories gets its code
    appended (two EPCIs are called "Communauté de communes des Deux Vallées"). Widgets match choices by label,
    so duplicate labels would make some territories impossible to pick."""
    from collections import Counter

    seen = Counter(names)
    out = {
        tid: (f"{name} ({code})" if seen[name] > 1 else str(name))
        for tid, name, code in zip(ids, names, codes, strict=True)
    }
    if len(set(out.values())) < len(out):  # still ambiguous: fall back to the id itself
        out = {tid: f"{label} [{tid}]" for tid, label in out.items()}
    return out
