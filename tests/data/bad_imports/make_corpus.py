"""Writes the small files of the bad-import corpus into this folder (they are committed; run again to refresh):
``.venv/bin/python tests/data/bad_imports/make_corpus.py``. The big ones (a 200 MB file, a zip bomb, an archive of
too many members, a 1-million-vertex layer) are made by tests/unit/test_imports_corpus.py in a temporary folder.
What each file must produce is listed in that test (``CASES``).
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.unit.imports_files import write_xlsx  # noqa: E402

COMMUNES = ["56260", "56003", "56007", "56008", "56009", "56010", "56011", "56013", "56015", "56018"]


def _csv(name: str, lines: list[str], encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes("\r\n".join(lines).encode(encoding) + b"\r\n")


def _geojson(name: str, features: list[dict], extra: dict | None = None) -> None:
    doc = {"type": "FeatureCollection", **(extra or {}), "features": features}
    (HERE / name).write_text(json.dumps(doc), encoding="utf-8")


def _feature(code: object, name: str, coords: list, kind: str = "Polygon") -> dict:
    return {
        "type": "Feature",
        "properties": {"code": code, "nom": name},
        "geometry": {"type": kind, "coordinates": coords},
    }


def _square(x: float, y: float, d: float) -> list:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def _shapefile_zip(name: str, *, prj: bool, drop: tuple[str, ...] = (), twice: bool = False) -> None:
    import geopandas as gpd
    import shapely

    gdf = gpd.GeoDataFrame(
        {"code": ["A", "B"], "nom": ["Zone A", "Zone B"]},
        geometry=[shapely.box(260000, 6740000, 265000, 6745000), shapely.box(265000, 6740000, 270000, 6745000)],
        crs="EPSG:2154" if prj else None,
    )
    tmp = HERE / "_tmp_shp"
    tmp.mkdir(exist_ok=True)
    gdf.to_file(tmp / "zones.shp")
    with zipfile.ZipFile(HERE / name, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(tmp.iterdir()):
            if part.suffix not in drop and part.suffix != ".cpg":
                zf.write(part, part.name)
                if twice:
                    zf.write(part, "copy/" + part.name)
    for part in tmp.iterdir():
        part.unlink()
    tmp.rmdir()


def main() -> None:
    # -- statistics files (CSV / workbooks) --------------------------------------------------------------
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "blank_lines.csv").write_bytes(b"\r\n   \r\n;;\r\n")
    (HERE / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (HERE / "png_named_csv.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64)
    (HERE / "utf16.csv").write_bytes("code;valeur\r\n56260;12\r\n".encode("utf-16"))
    (HERE / "c1_controls.csv").write_bytes(b"code;valeur\r\n56260;1\x81\x8d\x8f\x90\x9d2\r\n")
    _csv("header_only.csv", ["code;valeur;annee"])
    _csv(
        "title_and_header_only.csv",
        ["Observatoire du Morbihan;;", "Emplois par commune;;", "Code commune;Nom;Emplois 2024"],
    )
    _csv(
        "cp1252_declared_utf8.csv",
        ["Code commune;Nom;Emplois 2024", *(f"{c};Sérent é;{i},5" for i, c in enumerate(COMMUNES))],
        "cp1252",
    )
    _csv(
        "mixed_code_types.csv", ["code;valeur;annee", "56003;1;2024", "56003.0;2;2024", "56260;3;2024", "56 260;4;2024"]
    )
    _csv(
        "duplicate_keys.csv", ["code;valeur;annee", *(f"{c};{i};2024" for i, c in enumerate(COMMUNES)), "56260;99;2024"]
    )
    _csv(
        "formulas_in_cells.csv",
        [
            "code;valeur;annee",
            "56260;=1+2;2024",
            '56003;=HYPERLINK("http://x");2024',
            "56007;@SUM(A1);2024",
            "56008;+cmd|' /C calc'!A0;2024",
        ],
    )
    _csv(
        "html_in_codes.csv",
        [
            "code;valeur;annee",
            "<script>alert(1)</script>;1;2024",
            "<img src=x onerror=alert(1)>;2;2024",
            "<b>56260</b>;3;2024",
        ],
    )
    _csv(
        "markdown_in_codes.csv",
        ["code;valeur;annee", "![x](http://evil.example/p.png);1;2024", ":red[56260];2;2024", "$$x$$;3;2024"],
    )
    _csv("unknown_codes.csv", ["code;valeur;annee", "99991;1;2024", "99992;2;2024", "99993;3;2024"])
    _csv("negative_counts.csv", ["code;valeur;annee", *(f"{c};-{i + 1};2024" for i, c in enumerate(COMMUNES))])
    _csv("text_values.csv", ["code;valeur;annee", *(f"{c};beaucoup;2024" for c in COMMUNES)])
    _csv("all_secret.csv", ["code;valeur;annee", *(f"{c};s;2024" for c in COMMUNES)])
    _csv("no_code_column.csv", ["nom;commentaire", "Vannes;très bien", "Auray;bien"])
    _csv("missing_mapped_column.csv", ["code;valeur;annee", "56260;1;2024"])
    _csv(
        "legal_population_broken.csv", ["REG;DEP;COM;Commune;PMUN", "53;56;VANNES;Vannes;54000", "53;56;XX;Auray;14000"]
    )
    (HERE / "huge_field.csv").write_bytes(b'code;valeur\r\n56260;"' + b"1" * 200_000 + b'"\r\n')
    _csv("too_many_rows.csv", ["code;valeur;annee", *(f"{c};{i};2024" for i in range(30) for c in COMMUNES)])
    rows = [["Code", "Valeur 2024"], *([c, float(i)] for i, c in enumerate(COMMUNES))]
    write_xlsx(HERE / "formulas.xlsx", {"Feuil1": [*rows, ["56099", "=B2*2"]]})
    write_xlsx(HERE / "external_links.xlsx", {"Feuil1": rows}, external_link=True)
    write_xlsx(HERE / "macros.xlsm", {"Feuil1": rows}, macros=True)
    data = (HERE / "formulas.xlsx").read_bytes()
    (HERE / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    (HERE / "fake_legacy.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\xff" * 300)
    with zipfile.ZipFile(HERE / "zip_path_traversal.zip", "w") as zf:
        zf.writestr("../../evil.csv", "code;valeur\r\n56260;1\r\n")
    with zipfile.ZipFile(HERE / "zip_absolute_path.zip", "w") as zf:
        zf.writestr("/etc/cron.d/evil", "* * * * * root true\n")
    with zipfile.ZipFile(HERE / "zip_of_csv.zip", "w") as zf:
        zf.writestr("data.csv", "code;valeur\r\n56260;1\r\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("base_cc_comparateur.CSV", "CODGEO;P18_POP\r\n56260;1\r\n" * 50)
    (HERE / "zip_truncated.zip").write_bytes(buf.getvalue()[:-40])
    # -- boundary files ---------------------------------------------------------------------------------
    _geojson("lambert_no_crs.geojson", [_feature("A", "Zone A", _square(260000, 6740000, 5000))])
    _geojson(
        "points.geojson",
        [
            {
                "type": "Feature",
                "properties": {"code": "A", "nom": "x"},
                "geometry": {"type": "Point", "coordinates": [-2.7, 47.6]},
            }
        ],
    )
    _geojson("no_features.geojson", [])
    _geojson(
        "duplicate_codes.geojson",
        [_feature("A", "Zone A", _square(-2.8, 47.6, 0.05)), _feature("A", "Zone A bis", _square(-2.7, 47.6, 0.05))],
    )
    _geojson(
        "empty_codes.geojson",
        [_feature("", "Sans code", _square(-2.8, 47.6, 0.05)), _feature(None, "Nul", _square(-2.7, 47.6, 0.05))],
    )
    _geojson(
        "zero_area.geojson",
        [
            _feature("A", "Ligne", [[[-2.8, 47.6], [-2.7, 47.6], [-2.6, 47.6], [-2.8, 47.6]]]),
            _feature("B", "Zone B", _square(-2.7, 47.7, 0.05)),
        ],
    )
    _geojson(
        "null_geometry.geojson",
        [
            {"type": "Feature", "properties": {"code": "A", "nom": "x"}, "geometry": None},
            _feature("B", "Zone B", _square(-2.7, 47.7, 0.05)),
        ],
    )
    _geojson(
        "unknown_crs.geojson",
        [_feature("A", "Zone A", _square(260000, 6740000, 5000))],
        {"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}},
    )
    text = (HERE / "duplicate_codes.geojson").read_text(encoding="utf-8")
    (HERE / "truncated.geojson").write_text(text[: len(text) // 2], encoding="utf-8")
    (HERE / "nul_bytes.geojson").write_bytes(b'{"type": "FeatureCollection", \x00\x00\x00\x00')
    (HERE / "corrupt.gpkg").write_bytes(b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + b"\xff" * 2000)
    (HERE / "not_a_layer.kml").write_bytes(b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"></kml>')
    _shapefile_zip("shapefile_no_prj.zip", prj=False)
    _shapefile_zip("shapefile_no_dbf.zip", prj=True, drop=(".dbf",))
    _shapefile_zip("shapefile_twice.zip", prj=True, twice=True)


if __name__ == "__main__":
    main()
