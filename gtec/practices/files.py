"""Checks on uploaded documents before anything is stored: size, type by content (never by the name alone), file
name, archive bombs, active content.

Accepted: PDF, PNG, JPEG, plain text and CSV (UTF-8), Office Open XML (docx, xlsx, pptx) and OpenDocument (odt,
ods, odp), ZIP. Refused: HTML and SVG (they can carry script; the space never needs them), anything whose
content does not match its extension, empty or oversized files, archives that expand too much. Every document
is served as an attachment (never inline), whatever its type.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from gtec.core.errors import UserError

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 120
MAX_UNZIPPED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 2000

#: extension -> (kind, MIME type served)
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "txt": ("text", "text/plain"),
    "csv": ("text", "text/csv"),
    "docx": ("ooxml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("ooxml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pptx": ("ooxml", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "odt": ("odf", "application/vnd.oasis.opendocument.text"),
    "ods": ("odf", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ("odf", "application/vnd.oasis.opendocument.presentation"),
    "zip": ("zip", "application/zip"),
}
_ACTIVE = re.compile(rb"<\s*(script|svg|html|iframe|object|embed)\b|javascript:", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[/\\:*?\"<>|]")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check: its safe name, extension, kind and MIME type to serve it with."""

    name: str
    ext: str
    kind: str
    mime: str


def sanitise_name(name: str) -> str:
    """A safe file name or :class:`UserError` (``space.error.name``).

    Names with path separators, control characters, ``..`` or a leading dot are refused rather than silently
    rewritten (the person learns their name was odd); other characters are NFC-normalised and kept.
    """
    name = unicodedata.normalize("NFC", name or "")
    if (
        not name.strip()
        or _UNSAFE_NAME.search(name)
        or any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in name)
        or name.startswith(".")
        or ".." in name
        or len(name) > MAX_NAME
    ):
        raise UserError("space.error.name", max=MAX_NAME)
    return name.strip()


def _zip_checks(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UserError("space.error.mismatch") from None
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UserError("space.error.bomb")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_UNZIPPED or total > MAX_UNZIPPED:
            raise UserError("space.error.bomb")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UserError("space.error.bomb")
        if info.filename.lower().endswith((".zip", ".svg", ".html", ".htm", ".js")):
            raise UserError("space.error.active")
    return archive


def _sniff(data: bytes, kind: str) -> bool:
    if kind == "pdf":
        return data.startswith(b"%PDF-")
    if kind == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if kind == "text":
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    if not data.startswith(b"PK\x03\x04"):
        return False
    names = set(_zip_checks(data).namelist())
    if kind == "ooxml":
        return "[Content_Types].xml" in names
    if kind == "odf":
        return "mimetype" in names
    return True


def check_upload(name: str, data: bytes) -> CheckedFile:
    """Check an upload (name and bytes); raises :class:`UserError` with a ``space.error.*`` key when refused.

    ``empty``, ``too_big`` (max in MB), ``name``, ``type`` (extension not accepted, e.g. html, svg, exe),
    ``mismatch`` (content is not what the extension says), ``bomb`` (archive expands too much), ``active``
    (script or markup in a text file, or an archive carrying HTML/SVG/JS).
    """
    safe = sanitise_name(name)
    if not data:
        raise UserError("space.error.empty")
    if len(data) > MAX_BYTES:
        raise UserError("space.error.too_big", max=MAX_BYTES // (1024 * 1024))
    ext = safe.rsplit(".", 1)[-1].lower() if "." in safe else ""
    if ext not in TYPES:
        raise UserError("space.error.type", types=", ".join(sorted(TYPES)))
    kind, mime = TYPES[ext]
    if not _sniff(data, kind):
        raise UserError("space.error.mismatch")
    if kind == "text" and _ACTIVE.search(data[:MAX_BYTES]):
        raise UserError("space.error.active")
    return CheckedFile(safe, ext, kind, mime)
