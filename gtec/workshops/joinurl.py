"""The address participants open from their phones, and its QR code, made offline.

The room's network usually has no internet: the address is the laptop's own on the local network (detected) or a
configured public URL (a reverse proxy, a domain), and the QR code is drawn locally by ``segno``.
"""

from __future__ import annotations

import io
import socket
from urllib.parse import urlencode, urlsplit

import segno

from gtec.core.i18n import DEFAULT_LANG

#: URL path of the participant page (components/registry.py).
PARTICIPANT_PATH = "workshop"


def lan_address() -> str:
    """This machine's address on the local network (the interface of the default route), else ``127.0.0.1``.

    A UDP socket "connected" to a private address sends nothing; it only makes the system choose an interface.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = str(s.getsockname()[0])
        except OSError:
            return "127.0.0.1"
    return address or "127.0.0.1"


def base_url(public_url: str | None, port: int, address: str | None = None) -> str:
    """The server's base URL: ``public_url`` when configured (http/https only), else ``http://<LAN>:<port>``."""
    if public_url:
        parts = urlsplit(public_url.strip())
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return f"http://{address or lan_address()}:{int(port)}"


def join_url(base: str, code: str, lang: str | None = None) -> str:
    """The participant page of session ``code`` under ``base`` (``?code=K7M4QP``, ``&lang=en`` if asked)."""
    query = {"code": code, **({"lang": lang} if lang and lang != DEFAULT_LANG else {})}
    return f"{base.rstrip('/')}/{PARTICIPANT_PATH}?{urlencode(query)}"


def qr_png(url: str, scale: int = 10) -> bytes:
    """A QR code of ``url`` as PNG bytes (error correction M, a quiet zone of 4 modules, black on white)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
