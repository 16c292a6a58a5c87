"""Exports handed to users: CSV that spreadsheets open without running anything."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

#: A cell starting with one of these is read as a formula by Excel/LibreOffice (CSV formula injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: object) -> object:
    """``value`` with a leading apostrophe when it is text a spreadsheet would evaluate as a formula.

    Numbers (including negative ones) are left alone: only strings are ever evaluated as formulas.
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_safe_csv(df: pd.DataFrame) -> str:
    """``df`` as CSV text (UTF-8, comma-separated, no index) with formula-like text cells neutralised.

    Column names are neutralised too; missing values stay empty cells.
    """
    safe = df.copy()
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell, na_action="ignore")
    # CRLF (RFC 4180): the csv writer then quotes any cell holding a bare \r or \n, so a stray carriage return
    # inside a value can never start a new row in a spreadsheet.
    return safe.to_csv(index=False, lineterminator="\r\n")


def to_safe_csv_bytes(df: pd.DataFrame) -> bytes:
    """:func:`to_safe_csv` encoded for a download: UTF-8 with a byte-order mark, so Excel reads accents."""
    return ("\ufeff" + to_safe_csv(df)).encode("utf-8")


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
