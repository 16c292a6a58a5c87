"""Reading an uploaded file into a grid of text cells, safely.

- The kind comes from the first bytes, never from the file name: ``PK`` (zip: xlsx or an archive), the OLE
  signature (legacy xls), else text. Text with NUL bytes or other control characters is binary and refused.
- Text is decoded by strict attempts in a fixed order: UTF-8 with BOM, UTF-8, cp1252, latin-1. Nothing is guessed
  statistically (a detector reads French files as mac_latin2 or similar); latin-1 is only kept when no byte falls
  in its C1 control range, else the file is refused.
- The delimiter is the one of ``; , TAB |`` that splits the most lines into the same number of fields.
- Archives are checked from their central directory before anything is decompressed: path traversal, absolute
  names, too many members, too large once decompressed, suspicious compression ratio (zip bomb); reads are then
  bounded again, in case the directory lies. Nothing is ever extracted to disk.
- xlsx workbooks with macros (``vbaProject.bin``), external links or formulas are refused: their cached values may
  not be what the producer meant, and formulas are a way in for spreadsheet injection.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from gtec.core.errors import UserError
from gtec.imports.limits import ImportLimits

ENCODINGS: tuple[str, ...] = ("utf-8-sig", "utf-8", "cp1252", "latin-1")
DELIMITERS: tuple[str, ...] = (";", ",", "\t", "|")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")
_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


@dataclass
class Grid:
    """A table of text cells as read: ``rows`` (every cell a ``str``, empty cells ``""``), where it came from
    (``kind``: csv, xlsx, xls; ``encoding`` and ``delimiter`` for text; ``sheet`` for workbooks), and
    ``line_numbers`` (the 1-based line or row of each entry of ``rows`` in the file)."""

    rows: list[list[str]]
    kind: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)


def check_size(path: Path, limits: ImportLimits) -> int:
    """The file size in bytes; refuses an empty file or one over ``limits.max_bytes`` without reading it."""
    size = Path(path).stat().st_size
    if size == 0:
        raise UserError("imports.error.empty")
    if size > limits.max_bytes:
        raise UserError("imports.error.too_large", size_mb=round(size / 1048576, 1), max_mb=limits.max_bytes // 1048576)
    return size


def sniff_kind(head: bytes) -> str:
    """``zip``, ``xls`` or ``text`` from the first bytes of a file."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "xls"
    return "text"


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)``: strict decoding in the order of :data:`ENCODINGS` (or ``declared`` only).

    Raises ``imports.error.encoding`` when the declared encoding does not decode the file, ``imports.error.binary``
    for NUL bytes or control characters.
    """
    if b"\x00" in data[:1_000_000]:
        raise UserError("imports.error.binary")
    order = (declared,) if declared else ENCODINGS
    for enc in order:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if enc == "latin-1" and _C1.search(text):
            continue  # only control characters there: not a text file in any encoding people use
        if enc == "utf-8" and declared is None and text.startswith("\ufeff"):
            enc = "utf-8-sig"
        if _CONTROL.search(text[:1_000_000]):
            raise UserError("imports.error.binary")
        return text.removeprefix("\ufeff"), enc
    if declared:
        raise UserError("imports.error.encoding", encoding=declared)
    raise UserError("imports.error.binary")


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter splitting the most of ``lines`` into the same number (>= 2) of fields; ``;`` wins ties (a
    French file with decimal commas splits inconsistently on ``,``)."""
    best, best_score = ";", (-1, 0)
    for delim in DELIMITERS:
        counts: dict[int, int] = {}
        try:
            for row in csv.reader(lines, delimiter=delim):
                if len(row) >= 2:
                    counts[len(row)] = counts.get(len(row), 0) + 1
        except csv.Error:  # a field over the csv module's limit: read_text_grid reports the line
            continue
        if not counts:
            continue
        width, lines_at_width = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        score = (lines_at_width, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def read_text_grid(data: bytes, limits: ImportLimits, declared: str | None = None) -> Grid:
    """A CSV/TSV file as a :class:`Grid` (see :func:`decode`, :func:`sniff_delimiter`)."""
    text, encoding = decode(data, declared)
    if not text.strip():
        raise UserError("imports.error.empty")
    sample = [line for line in text[:200_000].splitlines()[:60] if line.strip()]
    delimiter = sniff_delimiter(sample)
    rows: list[list[str]] = []
    numbers: list[int] = []
    if text.count("\n") > limits.max_rows + 1000:  # refused before parsing (blank lines may be many: a margin)
        raise UserError("imports.error.too_many_rows", max_rows=limits.max_rows)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line_num = 0
    try:
        if '"' not in text and "\r" not in text.replace("\r\n", "\n"):
            # no quoting and no bare carriage return: the csv module would split each line on the delimiter and
            # nothing else, so str.split does it (several times faster); the line of a row is its position
            lines = text.split("\n")
            if re.search(
                rf"[^\S\r\n]{re.escape(delimiter)}|{re.escape(delimiter)}[^\S\r\n]|^[^\S\r\n]|[^\S\r\n]\r?$", text, re.M
            ):
                strip = str.strip
                split = [list(map(strip, line.split(delimiter))) for line in lines]
            else:  # no cell starts or ends with a space: nothing to strip
                split = [line.removesuffix("\r").split(delimiter) for line in lines]
            numbers = [n for n, cells in enumerate(split, 1) if any(cells)]
            rows = [split[n - 1] for n in numbers]
            line_num = len(lines)
        else:
            for row in reader:
                cells = [cell.strip() for cell in row]
                if any(cells):
                    rows.append(cells)
                    numbers.append(reader.line_num)
                    if len(rows) > limits.max_rows + 100:
                        raise UserError("imports.error.too_many_rows", max_rows=limits.max_rows)
    except csv.Error as exc:
        raise UserError("imports.error.malformed", line=max(reader.line_num, line_num)) from exc
    if len(rows) > limits.max_rows + 100:
        raise UserError("imports.error.too_many_rows", max_rows=limits.max_rows)
    if not rows:  # only blank lines or empty cells (";;")
        raise UserError("imports.error.empty")
    return Grid(rows, "csv", encoding=encoding, delimiter=delimiter, line_numbers=numbers)


def check_archive(zf: zipfile.ZipFile, limits: ImportLimits) -> list[zipfile.ZipInfo]:
    """The members of an archive after checking names and sizes from its central directory (nothing decompressed).

    Refuses path traversal (``..``, absolute names, drive letters), too many members, a total decompressed size
    over ``limits.max_unzipped_bytes`` and a compression ratio over ``limits.max_ratio`` (zip bomb).
    """
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise UserError("imports.error.zip_bomb")
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in name.split("/"):
            raise UserError("imports.error.zip_path", name=info.filename[:80])
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > limits.max_ratio:
            raise UserError("imports.error.zip_bomb")
    if total > limits.max_unzipped_bytes:
        raise UserError("imports.error.zip_bomb")
    return infos


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ImportLimits) -> bytes:
    """One member, decompressed in chunks and stopped past ``limits.max_unzipped_bytes`` (a forged directory)."""
    out = io.BytesIO()
    with zf.open(info) as handle:
        while chunk := handle.read(1 << 20):
            out.write(chunk)
            if out.tell() > limits.max_unzipped_bytes:
                raise UserError("imports.error.zip_bomb")
    return out.getvalue()


def open_zip(path: Path, limits: ImportLimits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The archive and its checked members (see :func:`check_archive`); refuses a damaged archive."""
    try:
        zf = zipfile.ZipFile(path)
        infos = check_archive(zf, limits)
    except UserError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UserError("imports.error.truncated") from exc
    return zf, infos


def check_workbook(path: Path, limits: ImportLimits) -> None:
    """Refuse an xlsx with macros, external links or formulas (see the module docstring)."""
    zf, infos = open_zip(path, limits)
    with zf:
        names = {i.filename.lower(): i for i in infos}
        if not any(n == "xl/workbook.xml" or n.endswith("/workbook.xml") for n in names):
            raise UserError("imports.error.unsupported")
        if any(n.endswith("vbaproject.bin") for n in names):
            raise UserError("imports.error.macros")
        if any("externallink" in n for n in names):
            raise UserError("imports.error.external_links")
        for name, info in names.items():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                try:
                    data = read_member(zf, info, limits)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    raise UserError("imports.error.truncated") from exc
                if _FORMULA.search(data):
                    raise UserError("imports.error.formulas")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool):
        return str(int(value))
    return str(value).strip()


def read_workbook_grid(path: Path, kind: str, limits: ImportLimits, sheet: str | None = None) -> Grid:
    """The first non-empty sheet (or ``sheet``) of an xlsx/xls workbook as a :class:`Grid`, read with calamine.

    Cells become text: whole floats lose their ``.0`` (codes stored as numbers), dates their ISO form.
    """
    from python_calamine import CalamineWorkbook

    if kind == "xlsx":
        check_workbook(path, limits)
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise UserError("imports.error.sheet", sheet=sheet)
        candidates = [sheet] if sheet else names
        rows: list[list[str]] = []
        chosen = ""
        for name in candidates:
            raw = book.get_sheet_by_name(name).to_python()
            if any(any(c not in (None, "") for c in r) for r in raw):
                chosen = name
                rows = [[_cell_text(c) for c in r] for r in raw]
                break
    except UserError:
        raise
    except Exception as exc:  # python-calamine raises its own error types on damaged workbooks
        raise UserError("imports.error.truncated") from exc
    if not chosen:
        raise UserError("imports.error.empty")
    numbers = [i + 1 for i, r in enumerate(rows) if any(c for c in r)]
    rows = [r for r in rows if any(c for c in r)]
    if len(rows) > limits.max_rows + 100:
        raise UserError("imports.error.too_many_rows", max_rows=limits.max_rows)
    return Grid(rows, kind, sheet=chosen, sheets=names, line_numbers=numbers)


def workbook_kind(path: Path, limits: ImportLimits) -> str:
    """``xlsx`` for a workbook archive, ``zip`` for another archive (after :func:`check_archive`)."""
    zf, infos = open_zip(path, limits)
    with zf:
        names = {i.filename.lower() for i in infos}
    return "xlsx" if "xl/workbook.xml" in names or "[content_types].xml" in names else "zip"
