"""Boundary import: a GeoJSON, GeoPackage or zipped Shapefile read into a checked, map-ready layer.

The one path shared by the import page and ``python -m gtec import boundaries``; nothing here writes (the
workspace side is :mod:`gtec.imports.layers`):

1. :func:`inspect_layer` checks the size (:mod:`~gtec.imports.limits`), recognises the format from the first
   bytes (never the file name), checks a zip archive's directory before anything is decompressed (path traversal,
   zip bomb), and reads the layer's fields, feature count and CRS with pyogrio (GDAL) without its geometry, so the
   page can ask which columns hold the code and the name (:class:`BoundaryMapping`);
2. :func:`prepare_layer` reads the features (refused over ``max_features`` / ``max_vertices`` first), reprojects
   to WGS84 (Lambert-93 is common). A file without CRS is accepted as lon/lat, with a warning, only when its
   coordinates plainly are; a GeoJSON whose coordinates are not lon/lat (RFC 7946 has no CRS member: GDAL
   assumes WGS84) is refused. Invalid polygons are repaired (``make_valid``, polygonal part kept) and reported;
   what cannot be repaired, empty or non-polygonal features, empty and duplicate codes block the import.
   Geometry is snapped to the build's grid and simplified with the build's topology-preserving coverage
   simplification (:mod:`gtec.build.geometry`) until it fits the map budget (``layer_vertices``).

Every problem a user causes is a :class:`gtec.core.errors.UserError` (``imports.error.*``); problems found in a
readable file go into the :class:`BoundaryReport` (``ok`` False blocks the commit).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from gtec.build import geometry
from gtec.core.errors import UserError
from gtec.core.text import clean
from gtec.imports.limits import ImportLimits
from gtec.imports.prepare import safe_name, sha256_file
from gtec.imports.reading import check_size, open_zip

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Archive members that hold a layer, by extension (a zipped Shapefile, or a zipped GeoPackage or GeoJSON).
LAYER_EXTENSIONS: tuple[str, ...] = (".shp", ".gpkg", ".geojson", ".json")
SHAPEFILE_PARTS: tuple[str, ...] = (".shx", ".dbf")
#: Problem kinds of a boundary report and whether they block the import.
BLOCKING: dict[str, bool] = {
    "repaired": False,
    "no_crs": False,
    "empty_name": False,
    "simplified": False,
    "empty_code": True,
    "duplicate": True,
    "invalid_geometry": True,
    "not_polygon": True,
    "no_geometry": True,
}
MAX_LISTED = 200
#: Simplification tolerances tried in turn (degrees) until the layer fits the budget.
TOLERANCES: tuple[float, ...] = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02, 0.05)
_POLYGONAL = (3, 6)  # shapely type ids of Polygon and MultiPolygon


@dataclass(frozen=True)
class BoundaryMapping:
    """Which fields of the layer hold the feature's ``code`` and ``name`` (``layer``: which layer of a
    GeoPackage holding several; empty = the first polygon layer)."""

    code: str
    name: str
    layer: str = ""


@dataclass(frozen=True)
class LayerInfo:
    """What :func:`inspect_layer` saw: ``driver`` (GeoJSON, GPKG, ESRI Shapefile), the ``layer`` read, its
    ``fields``, ``features``, ``crs`` (empty when the file declares none), ``bounds`` as stored, every
    polygon ``layers`` of the file, and the GDAL path of the data (``source``, internal)."""

    driver: str
    layer: str
    fields: list[str]
    features: int
    crs: str
    bounds: tuple[float, float, float, float]
    layers: list[str]
    source: str
    geometry_type: str = ""


@dataclass
class BoundaryReport:
    """What a boundary import would write. ``problems``: dicts ``kind, feature (1-based), code, detail`` (at
    most :data:`MAX_LISTED`; ``counts`` has every kind's total)."""

    source: str
    sha256: str
    driver: str
    layer: str
    source_crs: str
    features: int
    vertices_in: int = 0
    vertices_out: int = 0
    tolerance: float = 0.0
    bounds: list[float] = field(default_factory=list)
    code_column: str = ""
    name_column: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(BLOCKING[k] and n for k, n in self.counts.items())

    def add(self, kind: str, feature: int | None = None, code: str = "", detail: str = "", n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n
        if len(self.problems) < MAX_LISTED:
            self.problems.append({"kind": kind, "feature": feature, "code": code[:60], "detail": detail[:120]})

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


@dataclass
class PreparedLayer:
    """A read and checked layer: ``report``, and the features to write (``codes``, ``names``, ``geometries``
    as WGS84 shapely polygons, simplified and snapped), ``file_name`` and ``size`` of the upload."""

    report: BoundaryReport
    codes: list[str]
    names: list[str]
    geometries: np.ndarray
    file_name: str
    size: int


def _pyogrio():
    import pyogrio

    return pyogrio


def _gdal_errors() -> tuple[type[BaseException], ...]:
    errors = _pyogrio().errors
    return (
        errors.DataSourceError,
        errors.DataLayerError,
        errors.FieldError,
        errors.GeometryError,
        errors.FeatureError,
        errors.CRSError,
        ValueError,
        OSError,
        RuntimeError,
    )


def _source(path: Path, limits: ImportLimits) -> tuple[str, str]:
    """``(GDAL path, kind)`` of an upload: ``geojson``, ``gpkg`` or ``zip`` (a layer inside an archive)."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    if head.startswith(SQLITE_MAGIC):
        return str(path), "gpkg"
    if head.startswith(b"PK\x03\x04"):
        zf, infos = open_zip(path, limits)
        zf.close()
        names = [i.filename for i in infos if not i.is_dir()]
        layers = [n for n in names if n.lower().endswith(LAYER_EXTENSIONS) and not n.startswith("__MACOSX")]
        if not layers:
            raise UserError("imports.error.boundary_format")
        if len(layers) > 1:
            raise UserError("imports.error.boundary_several", names=", ".join(n[:40] for n in layers[:5]))
        member = layers[0]
        if member.lower().endswith(".shp"):
            stem = member[:-4].lower()
            lower = {n.lower() for n in names}
            missing = [ext for ext in SHAPEFILE_PARTS if stem + ext not in lower]
            if missing:
                raise UserError("imports.error.shapefile_parts", parts=", ".join(missing))
        return f"/vsizip/{path.resolve()}/{member}", "zip"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{"):
        if b"\x00" in head:
            raise UserError("imports.error.binary")
        return str(path), "geojson"
    raise UserError("imports.error.boundary_format")


def inspect_layer(path: Path, limits: ImportLimits, layer: str = "") -> LayerInfo:
    """The fields, feature count and CRS of the layer in ``path``, read without its geometry (see the module
    docstring). Raises :class:`UserError` for a file that is not a readable polygon layer within the limits."""
    path = Path(path)
    check_size(path, limits)
    source, _kind = _source(path, limits)
    og = _pyogrio()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            listed = og.list_layers(source)
            polygons = [str(n) for n, t in listed if t is None or "polygon" in str(t).lower() or t == "Unknown"]
            if layer and layer not in [str(n) for n, _t in listed]:
                raise UserError("imports.error.boundary_layer", layer=layer[:40])
            chosen = layer or (polygons[0] if polygons else (str(listed[0][0]) if len(listed) else ""))
            if not chosen:
                raise UserError("imports.error.boundary_empty")
            info = og.read_info(source, layer=chosen, force_feature_count=True)
    except UserError:
        raise
    except _gdal_errors() as exc:
        raise UserError("imports.error.boundary_unreadable") from exc
    gtype = str(info.get("geometry_type") or "")
    if gtype and "polygon" not in gtype.lower() and gtype.lower() not in ("unknown", "geometry", "geometrycollection"):
        raise UserError("imports.error.boundary_not_polygons", kind=gtype[:30])
    features = int(info.get("features") or 0)
    if features <= 0:
        raise UserError("imports.error.boundary_empty")
    if features > limits.max_features:
        raise UserError("imports.error.boundary_too_many", features=features, max_features=limits.max_features)
    bounds = info.get("total_bounds")
    box = tuple(float(b) for b in bounds) if bounds is not None else (np.nan,) * 4
    return LayerInfo(
        driver=str(info.get("driver") or ""),
        layer=chosen,
        fields=[str(f) for f in info.get("fields", [])],
        features=features,
        crs=str(info.get("crs") or ""),
        bounds=box,  # type: ignore[arg-type]
        layers=polygons,
        source=source,
        geometry_type=gtype,
    )


def _lonlat(bounds: tuple[float, ...] | np.ndarray) -> bool:
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    return all(np.isfinite([minx, miny, maxx, maxy])) and -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def _code_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(value).strip()


def prepare_layer(path: Path, mapping: BoundaryMapping, limits: ImportLimits, *, file_name: str = "") -> PreparedLayer:
    """Read, reproject, repair, check and simplify the layer of ``path`` (see the module docstring); writes
    nothing. Raises :class:`UserError` for a file that cannot be used at all; a readable layer with problems
    gives a report with ``ok`` False."""
    path = Path(path)
    info = inspect_layer(path, limits, mapping.layer)
    size = path.stat().st_size
    missing = [c for c in (mapping.code, mapping.name) if c and c not in info.fields]
    if not mapping.code or missing:
        raise UserError("imports.error.missing_columns", columns=", ".join(m[:40] for m in missing) or "code")
    name = safe_name(file_name or path.name)
    report = BoundaryReport(
        name, sha256_file(path), info.driver, info.layer, info.crs, info.features,
        code_column=mapping.code, name_column=mapping.name,
    )  # fmt: skip
    columns = list(dict.fromkeys(c for c in (mapping.code, mapping.name) if c))
    og = _pyogrio()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = og.read_dataframe(info.source, layer=info.layer, columns=columns, on_invalid="ignore")
    except _gdal_errors() as exc:
        raise UserError("imports.error.boundary_unreadable") from exc
    geoms = np.asarray(frame.geometry.array, dtype=object) if frame.geometry is not None else np.array([])
    report.vertices_in = int(shapely.get_num_coordinates(geoms).sum()) if len(geoms) else 0
    if report.vertices_in > limits.max_vertices:
        raise UserError(
            "imports.error.boundary_vertices", vertices=report.vertices_in, max_vertices=limits.max_vertices
        )
    geoms = _to_wgs84(frame, info, report)
    codes = [_code_text(v) for v in frame[mapping.code].tolist()]
    names = (
        [clean(v).strip()[:200] if v is not None else "" for v in frame[mapping.name].tolist()]
        if (mapping.name)
        else list(codes)
    )
    geoms = _repair(geoms, codes, report)
    _check_codes(codes, names, report)
    keep = np.array([g is not None and not shapely.is_empty(g) for g in geoms], dtype=bool)
    out = np.empty(len(geoms), dtype=object)
    if keep.any():
        snapped = geometry.snap(geoms[keep])
        for i, g in zip(np.flatnonzero(keep), snapped, strict=True):
            if g is None or g.is_empty:  # smaller than the grid (about 10 m): nothing left to draw
                report.add("invalid_geometry", int(i) + 1, codes[i], "< 1e-4")
                keep[i] = False
        snapped = np.array([g for g in snapped if g is not None and not g.is_empty], dtype=object)
        if len(snapped):
            out[keep] = _fit_budget(snapped, limits, report)
    report.vertices_out = int(shapely.get_num_coordinates(out[keep]).sum()) if keep.any() else 0
    if keep.any():
        report.bounds = [round(float(b), 5) for b in shapely.total_bounds(out[keep])]
    return PreparedLayer(report, codes, names, out, name, size)


def _to_wgs84(frame: Any, info: LayerInfo, report: BoundaryReport) -> np.ndarray:
    """The frame's geometries in WGS84 lon/lat (see the module docstring for files without a usable CRS)."""
    present = frame.geometry.notna() & ~frame.geometry.is_empty
    bounds = frame.geometry[present].total_bounds if present.any() else np.array([np.nan] * 4)
    if frame.crs is None:
        if not _lonlat(bounds):
            raise UserError("imports.error.boundary_no_crs")
        report.add("no_crs")
        return np.asarray(frame.geometry.array, dtype=object)
    try:
        geographic = bool(frame.crs.is_geographic)
        if geographic and not _lonlat(bounds):
            raise UserError("imports.error.boundary_not_lonlat")
        projected = frame if frame.crs.to_epsg() == 4326 else frame.to_crs(4326)
    except UserError:
        raise
    except Exception as exc:  # pyproj raises its own error types for unknown or unusable CRS
        raise UserError("imports.error.boundary_crs") from exc
    gs = projected.geometry
    out_bounds = gs[present].total_bounds if present.any() else bounds
    if present.any() and not _lonlat(out_bounds):
        raise UserError("imports.error.boundary_crs")
    return np.asarray(gs.array, dtype=object)


def _repair(geoms: np.ndarray, codes: list[str], report: BoundaryReport) -> np.ndarray:
    out = geoms.copy()
    for i, g in enumerate(geoms):
        if g is None or shapely.is_empty(g):
            report.add("no_geometry", i + 1, codes[i])
            out[i] = None
            continue
        if shapely.get_type_id(g) not in (*_POLYGONAL, 7):
            report.add("not_polygon", i + 1, codes[i], g.geom_type)
            out[i] = None
            continue
        if not shapely.is_valid(g):
            reason = shapely.is_valid_reason(g)
            fixed = geometry.make_valid(g)
            if fixed is None or fixed.is_empty or shapely.area(fixed) <= 0:
                report.add("invalid_geometry", i + 1, codes[i], reason)
                out[i] = None
                continue
            report.add("repaired", i + 1, codes[i], reason)
            out[i] = fixed
        elif shapely.get_type_id(g) == 7:
            poly = geometry.polygonal(g)
            if poly.is_empty:
                report.add("not_polygon", i + 1, codes[i], g.geom_type)
                out[i] = None
                continue
            out[i] = poly
    return out


def _check_codes(codes: list[str], names: list[str], report: BoundaryReport) -> None:
    seen: dict[str, int] = {}
    for i, code in enumerate(codes):
        if not code:
            report.add("empty_code", i + 1)
            continue
        if len(code) > 60:
            report.add("empty_code", i + 1, code, "> 60")
            continue
        if code in seen:
            report.add("duplicate", i + 1, code, str(seen[code]))
        else:
            seen[code] = i + 1
        if not names[i]:
            names[i] = code
            report.add("empty_name", i + 1, code)


def _fit_budget(geoms: np.ndarray, limits: ImportLimits, report: BoundaryReport) -> np.ndarray:
    """Simplify until the layer holds at most ``limits.layer_vertices`` vertices: the build's coverage
    simplification (shared borders stay shared) when the polygons form a coverage, else topology-preserving
    simplification of each polygon. The lightest tolerance that fits is kept; the last one tried otherwise."""
    total = int(shapely.get_num_coordinates(geoms).sum())
    if total <= limits.layer_vertices:
        return geoms
    coverage = bool(shapely.coverage_is_valid(geoms))
    out = geoms
    for tol in TOLERANCES:
        if coverage:
            out = np.array(geometry.simplify_coverage(list(geoms), tol), dtype=object)
        else:
            out = shapely.simplify(geoms, tol, preserve_topology=True)
        bad = ~shapely.is_valid(out) | shapely.is_empty(out)
        out[bad] = [geometry.make_valid(g) for g in geoms[bad]]
        report.tolerance = tol
        if int(shapely.get_num_coordinates(out).sum()) <= limits.layer_vertices:
            break
    report.add("simplified", detail=f"{total} -> {int(shapely.get_num_coordinates(out).sum())}")
    return out


def _upload(data: bytes, file_name: str, limits: ImportLimits, work: Any) -> Any:
    """Run ``work(path)`` on an upload held in memory, refused over the size limit before any copy."""
    import tempfile

    if len(data) > limits.max_bytes:
        raise UserError(
            "imports.error.too_large", size_mb=round(len(data) / 1048576, 1), max_mb=limits.max_bytes // 1048576
        )
    with tempfile.TemporaryDirectory(prefix="gtec-layer-") as tmp:
        path = Path(tmp) / safe_name(file_name)
        path.write_bytes(data)
        return work(path)


def inspect_layer_bytes(data: bytes, file_name: str, limits: ImportLimits, layer: str = "") -> LayerInfo:
    """:func:`inspect_layer` for an upload held in memory (the page: which fields hold code and name?)."""
    return _upload(data, file_name, limits, lambda p: inspect_layer(p, limits, layer))


def prepare_layer_bytes(data: bytes, file_name: str, mapping: BoundaryMapping, limits: ImportLimits) -> PreparedLayer:
    """:func:`prepare_layer` for an upload held in memory (the page)."""
    return _upload(data, file_name, limits, lambda p: prepare_layer(p, mapping, limits, file_name=file_name))
