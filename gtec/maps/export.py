"""Standalone map export: a folium map as one HTML file that opens offline (Leaflet inlined, no CDN)."""

from __future__ import annotations

import re
from pathlib import Path


def _inline_script(js: str) -> str:
    # "</script" inside the library text would close the element early: break it up (it never occurs in
    # Leaflet 1.9 itself; this keeps the guarantee if the vendored file changes).
    return "<script>" + js.replace("</script", "<\\/script") + "</script>"


def map_to_html(m: object, leaflet_dir: Path | None = None) -> bytes:
    """A folium map rendered as one standalone HTML file with Leaflet *inlined*: it opens offline.

    Every ``<script src>`` / ``<link rel=stylesheet>`` that points at the app's vendored Leaflet
    (``/app/static/vendor/leaflet/...``) is replaced by the file's content; any other external reference
    is refused with ``ValueError`` so that an exported map never depends on a CDN.
    """
    from gtec.maps.layers import ensure_static_assets

    leaflet_dir = leaflet_dir or ensure_static_assets()
    page = m.get_root().render()  # type: ignore[attr-defined]
    js = (leaflet_dir / "leaflet.js").read_text(encoding="utf-8")
    css = (leaflet_dir / "leaflet.css").read_text(encoding="utf-8")
    page = re.sub(
        r'<script src="/app/static/vendor/leaflet/leaflet\.js"></script>', lambda _m: _inline_script(js), page
    )
    page = re.sub(
        r'<link rel="stylesheet" href="/app/static/vendor/leaflet/leaflet\.css"\s*/>',
        lambda _m: "<style>" + css.replace("</style", "<\\/style") + "</style>",
        page,
    )
    external = re.findall(r'<script[^>]+src=|<link[^>]+href=["\'](?:https?:)?//', page)
    if external:
        raise ValueError(f"standalone map still references external files: {external[:3]}")
    return page.encode("utf-8")
