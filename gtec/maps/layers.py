"""Folium builders of the choropleth: offline base map, served Leaflet assets, GeoJSON layers, export map.

Nothing here imports streamlit. The functions take plain values and GeoJSON dicts and return text or folium
objects, so they are tested by rendering HTML (``m.get_root().render()``).

Safety: every data string that reaches the map (territory names, labels) is escaped with
:func:`gtec.core.text.html` *before* it is put in feature properties, because folium's tooltips insert
property values as HTML. Leaflet is served by the app itself (:func:`ensure_static_assets`), so maps draw
offline.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import branca.element
import folium

from gtec.core import config
from gtec.core.text import html as esc
from gtec.maps.legend import Legend, format_value, legend_html, with_unit
from gtec.maps.levels import FRANCE_CENTER, FRANCE_ZOOM
from gtec.maps.palettes import MISSING_COLOUR, SELECTED_COLOUR

STATIC_URL = "/app/static/vendor/leaflet"
#: Only Leaflet: no jQuery, Bootstrap or awesome-markers (the choropleth uses none of them).
LEAFLET_JS = [("leaflet", f"{STATIC_URL}/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/leaflet.css")]


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


class MetricScale(branca.element.MacroElement):
    """Leaflet's scale bar in kilometres only (folium's ``control_scale`` adds miles as well)."""

    _template = branca.element.Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


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
        zoom_start=zoom,  # type: ignore[arg-type]  # fractional zoom (zoom_snap 0.25): Leaflet takes floats
        tiles="OpenStreetMap" if tiles else None,
        control_scale=False,  # MetricScale below: kilometres only
        prefer_canvas=False,
        zoom_snap=0.25,
        height=height,
    )
    # Paper-coloured background instead of Leaflet's grey when no tiles are drawn; large tooltip text.
    m.get_root().header.add_child(  # type: ignore[attr-defined]  # the root is a branca Figure
        folium.Element(
            "<style>.leaflet-container{background:#f4f4ef !important}"
            ".gtec-tooltip{font-size:16px;line-height:1.35}</style>"
        ),
        name="gtec_style",
    )
    MetricScale().add_to(m)
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
        text = format_value(value, lang, decimals)
        if not missing:
            text = with_unit(text, unit, lang)
        props = {
            "id": tid,
            "name": esc(name),
            "value": esc(text),
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

    def render(self, **kwargs) -> None:  # type: ignore[override]  # MacroElement.render returns None too
        figure = self.get_root()
        figure.script.add_child(_RawScript(self._template.module.script(self, kwargs)), name=self.get_name())  # type: ignore[attr-defined]


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
        self.alias_json = _js_json(esc(value_alias))


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
    group = folium.FeatureGroup(name=esc(name), overlay=True, control=False)
    if background:
        group.add_child(BackgroundGeoJson(background))
    group.add_child(ChoroplethGeoJson(data_json, value_alias))
    for outline in outlines:
        group.add_child(OutlineGeoJson(outline))
    return group


def fit_bounds(fc: Mapping) -> list[list[float]] | None:
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


#: Sans-serif text in exported maps (Leaflet's default is the browser's serif font).
EXPORT_FONT = 'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif'


class _Box(folium.MacroElement):
    """A fixed box inside a standalone map (exported HTML): ``style`` places it, ``body`` is escaped HTML."""

    _template = folium.template.Template(
        """{% macro html(this, kwargs) %}
<div class="{{ this.css_class }}" style="position:fixed;z-index:9999;background:rgba(255,255,255,.95);
padding:8px 12px;border:1px solid #999;border-radius:4px;{{ this.style }}">{{ this.body }}</div>
{% endmacro %}"""
    )

    def __init__(self, body: str, style: str, css_class: str = "") -> None:
        super().__init__()
        self.body = body
        self.style = style
        self.css_class = css_class


@dataclass(frozen=True)
class ExportText:
    """What an exported map states besides its legend, plain text (escaped here): its title, the source
    line (source, vintage, status), when it was made, the boundaries' attribution and, for demonstration
    values, the band in plain words ("" when official)."""

    title: str
    source: str
    made: str
    boundaries: str
    demo: str = ""


def _header_html(text: ExportText) -> str:
    parts = [f'<div style="font-size:1.25rem;font-weight:700">{esc(text.title)}</div>']
    if text.demo:
        parts.append(
            '<div style="background:#5b2a86;color:#fff;font-weight:600;padding:2px 8px;margin:4px 0;'
            f'display:inline-block;border-radius:3px">{esc(text.demo)}</div>'
        )
    parts.append(f'<div style="font-size:.9rem">{esc(text.source)}</div>')
    parts.append(f'<div style="font-size:.8rem;color:#444">{esc(text.made)} · {esc(text.boundaries)}</div>')
    return "".join(parts)


def inset_geojson(frames: Sequence[Sequence]) -> str:
    """The overseas boxes (:func:`gtec.maps.insets.frames`) as a FeatureCollection of rectangles."""
    feats = []
    for _label, ((s, w), (n, e)) in frames:
        ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        feats.append({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return _js_json({"type": "FeatureCollection", "features": feats})


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
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    text: ExportText | None = None,
    frames: Sequence[Sequence] = (),
    outline_label: str = "",
) -> OfflineMap:
    """A complete map (base + coloured layer + outlines + legend) for export as one HTML file.

    The map fits ``bounds`` (the app's view of the level: mainland France with the overseas boxes ``frames``,
    Belgium, the basins), else ``view`` (``(center, zoom)``), else the layer's bounds. ``text`` adds a header
    (title, source/vintage/status, date, boundaries' attribution, demonstration band); the legend sits on the
    right so that it never covers the scale bar (bottom left); every text is sans-serif.
    """
    m = base_map(*view, tiles=tiles) if view else base_map(tiles=tiles)
    m.get_root().header.add_child(  # type: ignore[attr-defined]
        folium.Element(f"<style>body,.leaflet-container{{font-family:{EXPORT_FONT}}}</style>"), name="gtec_font"
    )
    if frames:
        group = folium.FeatureGroup(name="insets", control=False)
        group.add_child(OutlineGeoJson(inset_geojson(frames), colour="#8a8a8a", weight=1))
        for label, ((_s, w), (n, _e)) in frames:
            folium.Marker(
                [n, w],
                icon=folium.DivIcon(
                    html=f'<span style="font-size:12px;white-space:nowrap;background:#fff;padding:0 3px">'
                    f"{esc(label)}</span>",
                    icon_size=(1, 1),
                    icon_anchor=(-3, -2),
                ),
            ).add_to(group)
        group.add_to(m)
    choropleth_layer(data_json, value_alias, outlines, background=background).add_to(m)
    target = bounds or (None if view else (layer.bounds and [list(layer.bounds[0]), list(layer.bounds[1])]))
    if target:
        corners = [list(target[0]), list(target[1])]
        if text is not None:  # room for the header (top) and the legend (right)
            m.fit_bounds(corners, padding_top_left=(10, 170), padding_bottom_right=(310, 10))
        else:
            m.fit_bounds(corners)
    top = "12px"
    if text is not None and text.demo:  # demonstration values: hatched canvas, as in the app
        m.get_root().header.add_child(  # type: ignore[attr-defined]
            folium.Element(
                "<style>.leaflet-container::after{content:'';position:absolute;inset:0;z-index:450;"
                "pointer-events:none;background:repeating-linear-gradient(135deg,rgba(91,42,134,.16) 0 2px,"
                "transparent 2px 14px)}</style>"
            ),
            name="gtec_demo",
        )
    if text is not None:
        m.add_child(_Box(_header_html(text), "top:10px;left:60px;max-width:min(70vw,720px)", "gtec-export-header"))
        top = "140px"
    m.add_child(
        _Box(legend_html(legend, lang, outline_label), f"top:{top};right:12px;max-width:300px", "gtec-export-legend")
    )
    return m
