"""The bad-import corpus: every file goes through the same code path as the import page and ``python -m gtec
import`` (:func:`gtec.imports.service.check_file` then :func:`~gtec.imports.service.import_prepared`; for layers
:func:`gtec.imports.boundaries.prepare_layer` then :func:`gtec.imports.layers.commit_layer`) and must end in a
:class:`UserError` with the expected catalogue key, whose French and English messages are non-empty and show no
path; the workspace file stays byte-for-byte the same, and memory stays bounded.

The small files are in ``tests/data/bad_imports`` (``make_corpus.py`` there writes them); the big ones are made
here in a temporary folder: a 200 MB file, a zip bomb, an archive of too many members, a layer of more than a
million vertices, and a layer of too many features.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from gtec.core.auth import Actor
from gtec.core.errors import UserError
from gtec.core.i18n import catalogue, t
from gtec.imports import boundaries, layers
from gtec.imports.limits import ImportLimits
from gtec.imports.mapping import Mapping
from gtec.imports.service import check_file, import_prepared, load_context
from gtec.storage.reference import connect_reference
from gtec.storage.workspace import Workspace

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_imports"
ADMIN = Actor("admin", "admin")
MAPPING = Mapping(code="code", value="valeur", period_column="annee", indicator="corpus_value")
LAYER = boundaries.BoundaryMapping("code", "nom")
PEAK_MB = 400  # Python allocations of one case (tracemalloc); the 200 MB file must never be read into memory

#: file -> (path, expected key, options). ``table``: statistics import; ``layer``: boundary import.
CASES: dict[str, tuple[str, str, dict]] = {
    "empty.csv": ("table", "imports.error.empty", {}),
    "blank_lines.csv": ("table", "imports.error.empty", {}),
    "binary.csv": ("table", "imports.error.binary", {}),
    "png_named_csv.csv": ("table", "imports.error.binary", {}),
    "utf16.csv": ("table", "imports.error.binary", {}),
    "c1_controls.csv": ("table", "imports.error.binary", {}),
    "header_only.csv": ("table", "imports.error.header_only", {}),
    "title_and_header_only.csv": ("table", "imports.error.header_only", {}),
    "cp1252_declared_utf8.csv": ("table", "imports.error.encoding", {"encoding": "utf-8"}),
    "mixed_code_types.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "duplicate_keys.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "formulas_in_cells.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "html_in_codes.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "markdown_in_codes.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "unknown_codes.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "negative_counts.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "text_values.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "all_secret.csv": ("table", "imports.error.not_valid", {"mapping": MAPPING}),
    "no_code_column.csv": ("table", "imports.error.needs_mapping", {}),
    "missing_mapped_column.csv": (
        "table",
        "imports.error.missing_columns",
        {"mapping": Mapping(code="CODGEO", value="valeur", period="2024", indicator="x")},
    ),
    "legal_population_broken.csv": ("table", "imports.error.profile_format", {}),
    "huge_field.csv": ("table", "imports.error.malformed", {}),
    "too_many_rows.csv": ("table", "imports.error.too_many_rows", {"limits": ImportLimits(max_rows=100)}),
    "formulas.xlsx": ("table", "imports.error.formulas", {}),
    "external_links.xlsx": ("table", "imports.error.external_links", {}),
    "macros.xlsm": ("table", "imports.error.macros", {}),
    "truncated.xlsx": ("table", "imports.error.truncated", {}),
    "fake_legacy.xls": ("table", "imports.error.truncated", {}),
    "zip_path_traversal.zip": ("table", "imports.error.zip_path", {}),
    "zip_absolute_path.zip": ("table", "imports.error.zip_path", {}),
    "zip_of_csv.zip": ("table", "imports.error.unsupported", {}),
    "zip_truncated.zip": ("table", "imports.error.truncated", {}),
    "lambert_no_crs.geojson": ("layer", "imports.error.boundary_not_lonlat", {}),
    "points.geojson": ("layer", "imports.error.boundary_not_polygons", {}),
    "no_features.geojson": ("layer", "imports.error.boundary_empty", {}),
    "duplicate_codes.geojson": ("layer", "imports.error.not_valid", {}),
    "empty_codes.geojson": ("layer", "imports.error.not_valid", {}),
    "zero_area.geojson": ("layer", "imports.error.not_valid", {}),
    "null_geometry.geojson": ("layer", "imports.error.not_valid", {}),
    "unknown_crs.geojson": ("layer", "imports.error.boundary_not_lonlat", {}),
    "truncated.geojson": ("layer", "imports.error.boundary_unreadable", {}),
    "nul_bytes.geojson": ("layer", "imports.error.binary", {}),
    "corrupt.gpkg": ("layer", "imports.error.boundary_unreadable", {}),
    "not_a_layer.kml": ("layer", "imports.error.boundary_format", {}),
    "shapefile_no_prj.zip": ("layer", "imports.error.boundary_no_crs", {}),
    "shapefile_no_dbf.zip": ("layer", "imports.error.shapefile_parts", {}),
    "shapefile_twice.zip": ("layer", "imports.error.boundary_several", {}),
    "duplicate_keys.csv#layer": ("layer", "imports.error.boundary_format", {}),
    "missing_column.geojson": (
        "layer",
        "imports.error.missing_columns",
        {"mapping": boundaries.BoundaryMapping("CODE_ZE", "nom")},
    ),
    "too_many_features.geojson": ("layer", "imports.error.boundary_too_many", {"limits": ImportLimits(max_features=1)}),
    # made at test time (too big to commit)
    "big_200mb.csv": ("table", "imports.error.too_large", {}),
    "zip_bomb.zip": ("table", "imports.error.zip_bomb", {}),
    "zip_bomb_layer.zip": ("layer", "imports.error.zip_bomb", {}),
    "zip_many_members.zip": ("table", "imports.error.zip_bomb", {}),
    "million_vertices.geojson": ("layer", "imports.error.boundary_vertices", {}),
}
GENERATED = {"big_200mb.csv", "zip_bomb.zip", "zip_bomb_layer.zip", "zip_many_members.zip", "million_vertices.geojson"}
ALIASES = {"missing_column.geojson": "duplicate_codes.geojson", "too_many_features.geojson": "duplicate_codes.geojson"}


@pytest.fixture(scope="module")
def ctx(built_data_dir: Path):
    return load_context(connect_reference(built_data_dir / "reference.sqlite"))


def _generate(name: str, tmp: Path) -> Path:
    path = tmp / name
    if name == "big_200mb.csv":
        with open(path, "wb") as fh:  # sparse: 200 MB on paper, refused from its size before any byte is read
            fh.truncate(200 * 1024 * 1024)
    elif name in ("zip_bomb.zip", "zip_bomb_layer.zip"):
        member = "base_cc_comparateur.CSV" if name == "zip_bomb.zip" else "zones.geojson"
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
            zf.open(member, "w", force_zip64=True) as fh,
        ):
            block = b"0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros -> about 300 KB compressed
                fh.write(block)
    elif name == "zip_many_members.zip":
        with zipfile.ZipFile(path, "w") as zf:
            for i in range(1500):
                zf.writestr(f"part{i}.csv", "a")
    elif name == "million_vertices.geojson":
        import math

        n = 1_100_000
        ring = [
            [
                round(-2.75 + 0.05 * math.cos(2 * math.pi * i / n), 7),
                round(47.65 + 0.05 * math.sin(2 * math.pi * i / n), 7),
            ]
            for i in range(n)
        ]
        ring.append(ring[0])
        doc = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": "A", "nom": "Cercle"},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            ],
        }
        path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in (path, path.with_name(path.name + "-wal")):
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


def test_the_corpus_is_complete():
    files = {p.name for p in CORPUS.iterdir() if p.suffix != ".py"}
    named = {n for n in CASES if n not in GENERATED and "#" not in n and n not in ALIASES}
    assert files == named, "every committed bad file has an expected outcome, and every listed file exists"
    assert len(CASES) >= 30 and all(key in catalogue() for _, key, _ in CASES.values())


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_refused_with_a_message_and_changes_nothing(name, ctx, workspace_path, tmp_path):
    path_kind, expected, options = CASES[name]
    limits = options.get("limits", ImportLimits())
    path = _generate(name, tmp_path) if name in GENERATED else CORPUS / ALIASES.get(name, name.split("#")[0])
    ws = Workspace(workspace_path)
    before = _digest(workspace_path)
    tracemalloc.start()
    try:
        with pytest.raises(UserError) as caught:
            if path_kind == "table":
                prepared = check_file(
                    ctx,
                    path,
                    limits,
                    file_name=path.name,
                    mapping=options.get("mapping"),
                    encoding=options.get("encoding"),
                )
                import_prepared(ws, ADMIN, ctx, prepared, "Corpus")
            else:
                layer = boundaries.prepare_layer(path, options.get("mapping", LAYER), limits, file_name=path.name)
                layers.commit_layer(ws, ADMIN, layer, "Corpus")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    error = caught.value
    assert error.key == expected, f"{name}: {error.key} {error.values}"
    for lang in ("fr", "en"):
        message = t(error.key, lang, **error.values)
        assert (
            message.strip()
            and str(CORPUS) not in message
            and str(tmp_path) not in message
            and "Traceback" not in message
        )
    assert _digest(workspace_path) == before, "the workspace file changed"
    assert peak < PEAK_MB * 1024 * 1024, f"{name}: peak {peak / 1e6:.0f} MB"
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert rss_mb < 3000, f"process peak {rss_mb:.0f} MB"


def test_hostile_names_in_a_valid_layer_are_stored_as_text(ctx, workspace_path, tmp_path):
    """HTML and Markdown in feature names are data: imported verbatim (the page escapes them on display)."""
    names = ["<img src=x onerror=alert(1)>", "![x](http://evil.example/p.png)", ":red[Zone] $$x$$", '=HYPERLINK("x")']
    features = [
        {
            "type": "Feature",
            "properties": {"code": f"Z{i}", "nom": n},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [-2.8 + i * 0.1, 47.6],
                        [-2.7 + i * 0.1, 47.6],
                        [-2.7 + i * 0.1, 47.7],
                        [-2.8 + i * 0.1, 47.7],
                        [-2.8 + i * 0.1, 47.6],
                    ]
                ],
            },
        }
        for i, n in enumerate(names)
    ]
    path = tmp_path / "hostile.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    ws = Workspace(workspace_path)
    layer = boundaries.prepare_layer(path, LAYER, ImportLimits(), file_name=path.name)
    assert layer.report.ok, layer.report.counts
    result = layers.commit_layer(ws, ADMIN, layer, "<b>Zones</b>")
    gdf = layers.layer_features(ws, result["layer_id"])
    assert sorted(gdf["name"]) == sorted(names)
    assert layers.list_layers(ws)[0]["name"] == "<b>Zones</b>"


def test_upload_over_the_size_limit_is_refused_before_any_copy(ctx):
    from gtec.imports.prepare import prepare_bytes

    limits = ImportLimits(max_bytes=1024)
    with pytest.raises(UserError) as caught:
        prepare_bytes(b"x" * 2048, "big.csv", ctx.geo, limits)
    assert caught.value.key == "imports.error.too_large"
    with pytest.raises(UserError) as caught:
        boundaries.prepare_layer(CORPUS / "duplicate_codes.geojson", LAYER, ImportLimits(max_bytes=100))
    assert caught.value.key == "imports.error.too_large"
    assert os.environ.get("GTEC_DATA_DIR")  # the shared reference build, never the user's data
