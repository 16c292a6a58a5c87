"""Light maps: geometry as static, content-hashed files, and the small per-rerun payload of the map.

The browser fetches a layer's geometry once from ``/app/static/vendor/geo/<level>-<hash>.json`` (Streamlit's
static serving; the hash in the name changes with the geometry, so the file can be cached for good), and a
rerun only sends :func:`map_payload`: per territory a class index and a display value, the class colours, the
selection and the labels. Nothing here imports streamlit.

Names go into the geometry file as plain JSON strings; the map script shows them with ``textContent`` only
(never as HTML), and :func:`_json_text` keeps ``<``, ``>`` and ``&`` out of the file's text anyway.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from gtec.maps.layers import PreparedLayer, _js_json, static_dir
from gtec.maps.legend import format_value, with_unit
from gtec.maps.palettes import MISSING_COLOUR, SELECTED_COLOUR

GEO_URL = "/app/static/vendor/geo"
LEAFLET_URL = "/app/static/vendor/leaflet"
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_ATTRIBUTION = "© OpenStreetMap"


def geo_dir() -> Path:
    """Where the geometry files are written (``<repo>/static/vendor/geo``, git-ignored, rebuilt on demand)."""
    return static_dir() / "vendor" / "geo"


def geometry_text(layer: PreparedLayer, with_names: bool = True) -> str:
    """The FeatureCollection text of a layer: feature ``id``, property ``name`` (plain text), the geometry."""
    parts = []
    for tid, name, geom in zip(layer.ids, layer.names, layer.geometry_json, strict=True):
        props = _js_json({"name": name}) if with_names else "{}"
        parts.append(f'{{"type":"Feature","id":{_js_json(tid)},"properties":{props},"geometry":{geom}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def write_geometry(layer: PreparedLayer, stem: str, with_names: bool = True, directory: Path | None = None) -> str:
    """Write the layer's geometry file if it is not there yet; return its URL (``/app/static/vendor/geo/...``).

    The name carries the first 16 hex digits of the text's SHA-256, so a changed geometry gets a new URL and a
    browser never keeps a stale one. Written to a temporary file and renamed: several app processes may
    write the same file at once, and a reader never sees half a file.
    """
    text = geometry_text(layer, with_names).encode("utf-8")
    digest = hashlib.sha256(text).hexdigest()[:16]
    name = f"{stem}-{digest}.json"
    target_dir = directory or geo_dir()
    target = target_dir / name
    if not (target.exists() and target.stat().st_size == len(text)):
        target_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=f".{stem}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(text)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return f"{GEO_URL}/{name}"


def map_payload(
    ids: Sequence[str],
    values: Mapping[str, float | None],
    colours: Mapping[str, str],
    lang: str,
    unit: str = "",
    decimals: int | None = None,
) -> tuple[list[str], list[list]]:
    """What a rerun sends: ``(class colours, [[colour index, display value], ...])`` in the order of ``ids``
    (the layer's features, the order of its geometry file), so no territory id is re-sent.

    A territory without a value gets ``[-1, "no data"]`` (drawn hatched grey, never as zero); values of
    territories outside the layer are not sent.
    """
    palette: list[str] = []
    index: dict[str, int] = {}
    out: list[list] = []
    for tid in ids:
        value = values.get(tid)
        missing = value is None or (isinstance(value, float) and not math.isfinite(value))
        if missing:
            out.append([-1, format_value(None, lang)])
            continue
        colour = colours.get(tid, MISSING_COLOUR)
        if colour not in index:
            index[colour] = len(palette)
            palette.append(colour)
        out.append([index[colour], with_unit(format_value(value, lang, decimals), unit, lang)])
    return palette, out


def provenance_text(source_titles: Sequence[str], vintage: str, status_label: str) -> str:
    """The line shown in the map's corner: sources, vintage and status (plain text, shown with textContent)."""
    sources = " + ".join(s for s in source_titles if s)
    return " · ".join(p for p in (sources, vintage, status_label) if p)


OUTLINE_COLOUR = SELECTED_COLOUR


def write_script(source: Path, directory: Path | None = None) -> str:
    """Copy the map's JavaScript module to ``static/vendor/gtec/<name>-<hash>.js`` (once); return its URL.

    The browser then loads it once and caches it, instead of receiving its text with every rerun."""
    text = source.read_bytes()
    digest = hashlib.sha256(text).hexdigest()[:16]
    target_dir = directory or static_dir() / "vendor" / "gtec"
    name = f"{source.stem}-{digest}.js"
    target = target_dir / name
    if not target.exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=f".{source.stem}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    return f"/app/static/vendor/gtec/{name}"
