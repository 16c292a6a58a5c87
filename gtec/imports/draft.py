"""An uploaded file on its way to an import: what the page shows before the validation report.

:func:`open_draft` reads the file within the limits (the same reader as :func:`gtec.imports.prepare.prepare`),
recognises an official profile or proposes a :class:`~gtec.imports.mapping.Mapping` from the detected shape, and
keeps a preview of the first data rows. :func:`check_draft` then validates it with the mapping the user settled
on; nothing is written before :func:`gtec.imports.catalogue.import_file`. :func:`open_layer_draft` and
:func:`check_layer_draft` do the same for boundary files (:mod:`gtec.imports.boundaries`).
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from gtec.core.errors import UserError
from gtec.imports import boundaries, profiles
from gtec.imports.limits import MB, ImportLimits
from gtec.imports.mapping import Mapping, mapping_from_shape
from gtec.imports.prepare import Prepared, inspect, prepare_bytes, safe_name, sha256_file
from gtec.imports.reading import check_size
from gtec.imports.service import Context
from gtec.imports.shape import detect_shape

PREVIEW_ROWS = 8
#: Levels a mapped file's codes may be read at (i18n keys ``level.<level>``); empty = the level most codes match.
LEVELS: tuple[str, ...] = (
    "", "commune", "epci", "departement", "region", "zone_emploi", "bmo_bassin", "country", "be_province", "uk_itl1",
)  # fmt: skip
#: Reference indicators a weighted mean may be weighted by (counts of people).
WEIGHTS: tuple[str, ...] = ("population", "population_15_64", "active_population", "employment")


@dataclass
class Draft:
    """``profile``: the recognised official profile (None: the mapping step); ``labels``: column labels;
    ``preview``: the first data rows as text; ``proposed``: the mapping the detected shape suggests."""

    data: bytes = field(repr=False)
    file_name: str
    sha256: str
    profile: str | None
    labels: list[str]
    preview: pd.DataFrame
    proposed: Mapping | None
    encoding: str = ""
    delimiter: str = ""
    header_line: int = 0


def upload_limits(limits: ImportLimits, max_upload_mb: float | None) -> ImportLimits:
    """The library limits capped by the server's upload limit (``server.maxUploadSize``, in MB)."""
    if max_upload_mb and max_upload_mb > 0:
        return replace(limits, max_bytes=min(limits.max_bytes, int(max_upload_mb * MB)))
    return limits


def slug(text: str, default: str = "imported_indicator") -> str:
    """An indicator id from a label: lower case ASCII, ``_``, no year (``Emplois 2024`` -> ``emplois``)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    words = re.sub(r"(?<!\d)(?:19|20)\d{2}(?!\d)", " ", ascii_text.lower())
    out = re.sub(r"[^a-z0-9]+", "_", words).strip("_")[:40].strip("_")
    if not out or not out[0].isalpha():
        return default
    return out


def open_draft(data: bytes, file_name: str, limits: ImportLimits) -> Draft:
    """Read an upload far enough to show its profile or its columns (refused over the size limit first)."""
    if len(data) > limits.max_bytes:
        raise UserError(
            "imports.error.too_large", size_mb=round(len(data) / MB, 1), max_mb=round(limits.max_bytes / MB, 1)
        )
    name = safe_name(file_name)
    with tempfile.TemporaryDirectory(prefix="gtec-draft-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        check_size(path, limits)
        sha = sha256_file(path)
        _kind, grid, seen = inspect(path, limits)
    profile = profiles.recognise(seen)
    if grid is None:
        if profile:
            return Draft(data, name, sha, profile, [], pd.DataFrame(), None)
        raise UserError("imports.error.unsupported")
    shape = detect_shape(grid)
    body = grid.rows[shape.first_row : shape.first_row + PREVIEW_ROWS]
    if not body and not profile:
        raise UserError("imports.error.header_only")
    width = len(shape.labels)
    preview = pd.DataFrame([(r + [""] * width)[:width] for r in body], columns=shape.labels, dtype=object)
    indicator = slug(shape.value_column or "") if shape.value_column else slug(Path(name).stem)
    proposed = mapping_from_shape(shape, indicator)
    header = grid.line_numbers[shape.first_row - 1] if shape.first_row else 0
    return Draft(data, name, sha, profile, shape.labels, preview, proposed, grid.encoding, grid.delimiter, header)


def check_draft(ctx: Context, draft: Draft, limits: ImportLimits, mapping: Mapping | None = None) -> Prepared:
    """The validation report of a draft: with its profile when ``mapping`` is None and one was recognised,
    else with ``mapping`` (``imports.error.needs_mapping`` without either). Writes nothing."""
    if mapping is None and not draft.profile:
        raise UserError("imports.error.needs_mapping")
    options: dict[str, object] = {"catalogue": ctx.catalogue}
    if mapping is not None:
        options["mapping"] = mapping
    return prepare_bytes(draft.data, draft.file_name, ctx.geo, limits, **options)


@dataclass
class LayerDraft:
    """An uploaded boundary file: what :func:`gtec.imports.boundaries.inspect_layer` saw (fields, features, CRS)
    and the proposed code and name fields."""

    data: bytes = field(repr=False)
    file_name: str
    sha256: str
    info: boundaries.LayerInfo
    code: str
    name: str


_CODE_FIELDS = re.compile(r"^(code|cod|insee|id|siren|ze|epci|dep|reg)", re.I)
_NAME_FIELDS = re.compile(r"^(nom|name|lib|label)", re.I)


def open_layer_draft(data: bytes, file_name: str, limits: ImportLimits) -> LayerDraft:
    """Read an uploaded GeoJSON, GeoPackage or zipped Shapefile far enough to ask for its code and name fields."""
    if len(data) > limits.max_bytes:
        raise UserError(
            "imports.error.too_large", size_mb=round(len(data) / MB, 1), max_mb=round(limits.max_bytes / MB, 1)
        )
    name = safe_name(file_name)
    with tempfile.TemporaryDirectory(prefix="gtec-layer-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        info = boundaries.inspect_layer(path, limits)
        sha = sha256_file(path)
    fields = info.fields
    code = next((f for f in fields if _CODE_FIELDS.match(f)), fields[0] if fields else "")
    label = next((f for f in fields if _NAME_FIELDS.match(f) and f != code), code)
    return LayerDraft(data, name, sha, info, code, label)


def check_layer_draft(draft: LayerDraft, mapping: boundaries.BoundaryMapping, limits: ImportLimits):
    """Read, reproject, repair and simplify the layer with the chosen fields (its report); writes nothing."""
    with tempfile.TemporaryDirectory(prefix="gtec-layer-") as tmp:
        path = Path(tmp) / draft.file_name
        path.write_bytes(draft.data)
        return boundaries.prepare_layer(path, mapping, limits, file_name=draft.file_name)
