"""``python -m gtec import``: next year's official file of every importable profile imports in one command and
shows what changed against this year's; the dry run prints the report and exits non-zero on a bad file; list,
versions, rollback, delete, export, backup and restore; boundary layers.

"Next year's file" is made by each test from this year's official file in ``data/sources`` (values revised, a new
vintage, quarter or year where the producer's format carries one), with the producer's layout kept.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from gtec.build import readers
from gtec.cli.main import main
from gtec.imports import layers, store
from gtec.imports.profiles import IMPORTABLE
from gtec.storage.workspace import Workspace
from tests.unit.imports_files import write_xlsx

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["import", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _sheet(path: Path, name: str | int = 0) -> list[list[object]]:
    book = CalamineWorkbook.from_path(str(path))
    sheet = name if isinstance(name, str) else book.sheet_names[name]
    return [list(r) for r in book.get_sheet_by_name(sheet).to_python()]


def _bump(value: object, by: float) -> object:
    return round(value + by, 1) if isinstance(value, float) else value


# -- next year's file of each profile ---------------------------------------------------------------------------


def next_legal_population(tmp: Path) -> tuple[Path, Path]:
    src = SOURCES / "insee" / "donnees_communes_PL2023.csv"
    rows = list(csv.reader(io.StringIO(src.read_text(encoding="utf-8")), delimiter=";"))
    col = rows[0].index("PMUN")
    for r in rows[1:]:
        r[col] = str(int(r[col]) + 7)
    out = tmp / "donnees_communes_PL2024.csv"  # INSEE's name carries the vintage: PL2024 -> period 2024
    with open(out, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    return src, out


def next_comparateur(tmp: Path) -> tuple[Path, Path]:
    src = SOURCES / "insee" / "base_cc_comparateur_csv.zip"
    with zipfile.ZipFile(src) as zf:
        member = next(n for n in zf.namelist() if n.lower() == "base_cc_comparateur.csv")
        text = zf.read(member).decode("ascii")
    lines = text.split("\r\n")
    lines[0] = lines[0].replace("P18_", "P21_")  # the next census edition (RP 2021)
    head = lines[0].split(";")
    col = head.index("P21_EMPLT")
    for i in range(1, len(lines)):
        cells = lines[i].split(";")
        if len(cells) > col and cells[col]:
            cells[col] = f"{float(cells[col]) * 1.02:.4f}"
            lines[i] = ";".join(cells)
    out = tmp / "base_cc_comparateur_csv.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, "\r\n".join(lines))
    return src, out


def next_unemployment_dep(tmp: Path) -> tuple[Path, Path]:
    """The legacy .xls republished one quarter later (T4_2025 added, T3_2025 revised), saved as xlsx."""
    src = SOURCES / "insee" / "sl_etc_2025T3.xls"
    rows = _sheet(src)
    h = next(i for i, r in enumerate(rows) if r and r[0] == "Code")
    last = len(rows[h]) - 1
    while not rows[h][last]:
        last -= 1
    for i, r in enumerate(rows):
        if i == h:
            r.insert(last + 1, "T4_2025")
        elif i > h and isinstance(r[last], float):
            r[last] = _bump(r[last], 0.2)
            r.insert(last + 1, _bump(r[last], 0.1))
    return src, write_xlsx(tmp / "sl_etc_2025T4.xlsx", {"Département": rows})


def next_unemployment_ze(tmp: Path) -> tuple[Path, Path]:
    src = SOURCES / "insee" / "chomage-zone-t1-2003-t3-2023.xlsx"
    book = CalamineWorkbook.from_path(str(src))
    sheets = {n: [list(r) for r in book.get_sheet_by_name(n).to_python()] for n in book.sheet_names}
    rows = sheets["txcho_ze"]
    h = next(i for i, r in enumerate(rows) if r and r[0] == "ZE2020")
    rows[h - 1].append("4e trimestre 2023")
    rows[h].append("2023-T4")
    for r in rows[h + 1 :]:
        if isinstance(r[-1], float):
            r[-1] = _bump(r[-1], -0.1)
            r.append(_bump(r[-1], 0.3))
    return src, write_xlsx(tmp / "chomage-zone-t1-2003-t4-2023.xlsx", sheets)


def next_bmo(tmp: Path) -> tuple[Path, Path]:
    """The 2026 survey: sheet BMO_2026_open_data, bassins of the 2026 zoning (BE26), other hiring projects."""
    src = SOURCES / "france-travail" / "Base_open_data_BMO_2025.xlsx"
    book = CalamineWorkbook.from_path(str(src))
    sheets = {n: [list(r) for r in book.get_sheet_by_name(n).to_python()] for n in book.sheet_names}
    rows = sheets.pop("BMO_2025_open_data")
    rows[0] = [{"BE25": "BE26", "NOMBE25": "NOMBE26"}.get(str(c).strip(), c) for c in rows[0]]
    col = rows[0].index("met")
    for r in rows[1:]:
        if str(r[col]).isdigit():
            r[col] = str(int(r[col]) + 3)
    sheets["BMO_2026_open_data"] = rows
    return src, write_xlsx(tmp / "Base_open_data_BMO_2026.xlsx", sheets)


def next_dares(tmp: Path) -> tuple[Path, Path]:
    """A year later: 2022 complete (31 December instead of 31 October), 2021 revised, 2023 to 31 October."""
    src = SOURCES / "dares" / "apprentissage_departements_2017_2022.csv"
    rows = list(csv.DictReader(io.StringIO(src.read_text(encoding="utf-8"))))
    extra = []
    for r in rows:
        if r["date"] == "2021-12-31":
            r["valeur"] = f"{float(r['valeur']) + 10:.1f}"
        if r["date"] == "2022-10-31":
            r["date"], r["valeur"] = "2022-12-31", f"{float(r['valeur']) * 1.2:.1f}"
            extra.append({**r, "date": "2023-10-31", "valeur": f"{float(r['valeur']) * 0.9:.1f}"})
    out = tmp / "apprentissage_departements_2017_2023.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + extra)
    return src, out


def next_lfs(tmp: Path) -> tuple[Path, Path]:
    """The ONS table of the next quarter (period Oct-Dec 2022, every rate moved)."""
    src = SOURCES / "ons" / "uk_itl1_labour_2022Q3.csv"
    rows = list(csv.DictReader(io.StringIO(src.read_text(encoding="utf-8"))))
    for r in rows:
        r["period"] = "2022-10/2022-12 (Oct-Dec 2022)"
        r["value"] = f"{float(r['value']) + 0.3:.1f}"
    out = tmp / "uk_itl1_labour_2022Q4.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return src, out


NEXT_YEAR: dict[str, Callable[[Path], tuple[Path, Path]]] = {
    "insee_legal_population": next_legal_population,
    "insee_comparateur": next_comparateur,
    "insee_localised_unemployment_dep": next_unemployment_dep,
    "insee_localised_unemployment_ze": next_unemployment_ze,
    "ft_bmo": next_bmo,
    "dares_barometre": next_dares,
    "lfs_regions": next_lfs,
}


def test_every_importable_profile_has_a_next_year_case():
    assert set(NEXT_YEAR) == set(IMPORTABLE)


@pytest.mark.parametrize("profile", sorted(NEXT_YEAR))
def test_next_years_official_file_imports_in_one_command(profile, built_data_dir, workspace_path, tmp_path, capsys):
    this_year, next_year = NEXT_YEAR[profile](tmp_path)
    code, out, err = _cli(capsys, str(this_year))
    assert code == 0, err
    assert profile in out and "version 1" in out
    code, out, err = _cli(capsys, str(next_year), "--lang", "en")  # one command, no profile or mapping given
    assert code == 0, err
    assert f"Recognised profile: {profile}" in out and "version 2" in out and "Against version 1:" in out
    ws = Workspace(workspace_path)
    (ds,) = store.datasets(ws)
    assert ds["profile"] == profile and ds["current_version"] == 2 and ds["versions"] == 2
    change = store.diff(ws, ds["id"])
    assert len(change) > 0
    revised = change.dropna(subset=["old", "new"])
    added = change.loc[change["old"].isna()]
    assert len(revised) + len(added) > 0
    if len(revised):
        assert (revised["change"].abs() > 0).all()
    printed = re.findall(r"^  (\S+) · (\S+) · (\S+): ", out, flags=re.M)  # the largest changes are printed
    assert len(printed) == min(20, len(change))
    keys = set(zip(change["territory_id"], change["indicator"], change["period"], strict=True))
    assert set(printed) <= keys
    assert not (change["old"].isna() & change["new"].isna()).any()


def test_dry_run_prints_the_report_and_fails_on_a_bad_file(built_data_dir, workspace_path, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("code;valeur;annee\n56260;douze;2024\n56260;13;2024\n99999;1;2024\n", encoding="utf-8")
    code, out, _err = _cli(
        capsys, str(bad), "--dry-run", "--mapping", "code=code,value=valeur,period_column=annee,indicator=x"
    )
    assert code == 1
    assert "Valeurs non numériques" in out and "ligne 2, colonne valeur" in out and "ne peut pas être importé" in out
    good = tmp_path / "good.csv"
    good.write_text("code;valeur\n56260;12\n56261;13\n", encoding="utf-8")
    mapping = json.dumps({"code": "code", "value": "valeur", "period": "2024", "indicator": "jobs"})
    code, out, _err = _cli(capsys, str(good), "--dry-run", "--mapping", mapping, "--lang", "en")
    assert code == 0 and "Dry run: nothing was written." in out
    assert store.datasets(Workspace(workspace_path)) == []
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _out, err = _cli(capsys, str(empty), "--dry-run", "--lang", "en")
    assert code == 2 and err.strip() == "Error: The file is empty."
    code, _out, err = _cli(capsys, str(tmp_path / "missing.csv"))
    assert code == 2 and "Fichier introuvable" in err and str(tmp_path) not in err
    code, out, _err = _cli(capsys, "-h")
    assert code == 0 and "import boundaries FILE --code-col" in out


def test_manage_export_backup_restore(built_data_dir, workspace_path, tmp_path, capsys):
    for bump in (0, 5):
        f = tmp_path / f"v{bump}.csv"
        f.write_text(f"code;valeur\n56260;{12 + bump}\n56261;=1+2\n29019;{7 + bump},5\n", encoding="utf-8")
        code, out, err = _cli(
            capsys,
            str(f),
            "--mapping",
            "code=code,value=valeur,period=2024,indicator=jobs",
            "--name",
            "Emplois <b>test</b>",
        )
        assert code == 1 and "Valeurs non numériques" in out  # a formula is not a number: refused
        f.write_text(f"code;valeur\n56260;{12 + bump}\n29019;{7 + bump},5\n", encoding="utf-8")
        code, out, err = _cli(
            capsys, str(f), "--mapping", "code=code,value=valeur,period=2024,indicator=jobs", "--name", "=Emplois test"
        )
        assert code == 0, err
    code, out, _ = _cli(capsys, "datasets")
    assert code == 0 and "=Emplois test · version 2/2" in out
    code, out, _ = _cli(capsys, "versions", "=emplois TEST")
    assert code == 0 and out.splitlines()[0].startswith("v2 (courante)")
    export = tmp_path / "export.csv"
    code, out, _ = _cli(capsys, "export", "=Emplois test", "--out", str(export))
    assert code == 0
    text = export.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["dataset"] for r in rows} == {"'=Emplois test"}  # formula-safe
    assert {r["status"] for r in rows} == {"imported"} and all(len(r["sha256"]) == 64 for r in rows)
    assert {(r["territory_id"], r["value"]) for r in rows if r["derived"] == "0"} == {
        ("FR-COM-56260", "17.0"),
        ("FR-COM-29019", "12.5"),
    }
    backup = tmp_path / "backup.sqlite"
    assert _cli(capsys, "backup", str(backup))[0] == 0
    code, out, _ = _cli(capsys, "rollback", "=Emplois test", "--lang", "en")
    assert code == 0 and "version 1 is current again" in out
    code, _, err = _cli(capsys, "rollback", "=Emplois test", "--lang", "en")
    assert code == 2 and "no previous version" in err
    code, _, err = _cli(capsys, "rollback", "=Emplois test", "7")
    assert code == 2 and "pas de version 7" in err
    code, _, err = _cli(capsys, "delete", "=Emplois test", "--confirm", "Emplois")
    assert code == 2 and "pour confirmer" in err
    assert _cli(capsys, "delete", "=Emplois test", "--confirm", "=EMPLOIS TEST")[0] == 0
    assert store.datasets(Workspace(workspace_path)) == []
    not_a_backup = tmp_path / "junk.sqlite"
    not_a_backup.write_bytes(b"not a database at all" * 100)
    assert _cli(capsys, "restore", str(not_a_backup))[0] == 2
    assert store.datasets(Workspace(workspace_path)) == []  # nothing changed
    assert _cli(capsys, "restore", str(backup))[0] == 0
    (ds,) = store.datasets(Workspace(workspace_path))
    assert ds["current_version"] == 2
    actions = [e["action"] for e in Workspace(workspace_path).audit_entries()]
    assert actions.count("import.write") == 2 and all(
        e["actor"].startswith("cli:")
        for e in Workspace(workspace_path).audit_entries()
        if e["action"].startswith("import.")
    )


def _lambert_layer(path: Path, shift: float = 0.0) -> Path:
    import geopandas as gpd
    import shapely

    boxes = [shapely.box(260000 + i * 5000 + shift, 6740000, 265000 + i * 5000, 6745000) for i in range(4)]
    gdf = gpd.GeoDataFrame(
        {"CODE_ZONE": ["Z1", "Z2", "Z3", "Z4"], "NOM": ["Vannes <b>ouest</b>", "Auray", "[x](http://e)", "Pontivy"]},
        geometry=boxes,
        crs="EPSG:2154",
    )
    gdf.to_file(path, driver="GPKG")
    return path


def test_boundaries_command(built_data_dir, workspace_path, tmp_path, capsys):
    gpkg = _lambert_layer(tmp_path / "zones.gpkg")
    code, out, err = _cli(
        capsys,
        "boundaries",
        str(gpkg),
        "--code-col",
        "CODE_ZONE",
        "--name-col",
        "NOM",
        "--name",
        "Zones d'étude",
        "--dry-run",
        "--lang",
        "en",
    )
    assert code == 0, err
    assert "4 features; file projection: EPSG:2154" in out and "Dry run" in out
    code, out, err = _cli(
        capsys, "boundaries", str(gpkg), "--code-col", "CODE_ZONE", "--name-col", "NOM", "--name", "Zones d'étude"
    )
    assert code == 0, err
    assert "WS-LAYER-1" in out
    ws = Workspace(workspace_path)
    (layer,) = layers.list_layers(ws)
    gdf = layers.layer_features(ws, layer["id"])
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == 4
    minx, miny, maxx, maxy = gdf.total_bounds
    assert -3.5 < minx < maxx < -2.0 and 47.0 < miny < maxy < 48.5  # Morbihan, reprojected from Lambert-93
    assert gdf.loc[gdf["code"] == "Z1", "name"].item() == "Vannes <b>ouest</b>"  # stored as data, escaped on show
    code, out, err = _cli(capsys, "boundaries", str(gpkg), "--code-col", "NOPE", "--name", "x", "--lang", "en")
    assert code == 2 and "Columns missing from the file: NOPE" in err
    assert (
        _cli(
            capsys,
            "boundaries",
            str(_lambert_layer(tmp_path / "z2.gpkg", 100.0)),
            "--code-col",
            "CODE_ZONE",
            "--name-col",
            "NOM",
            "--name",
            "zones d'étude",
        )[0]
        == 0
    )
    code, out, _ = _cli(capsys, "layers")
    assert "WS-LAYER-1 · Zones d'étude · version 2/2" in out
    assert _cli(capsys, "rollback", "Zones d'étude", "--layer")[0] == 0
    assert layers.list_layers(ws)[0]["current_version"] == 1
    assert _cli(capsys, "delete", "WS-LAYER-1", "--layer", "--confirm", "zones d'étude")[0] == 0
    assert layers.list_layers(ws) == []


def test_python_m_gtec_import_dry_run_exit_code(built_data_dir, workspace_path, tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"\x00\x01\x02\x03binary")
    proc = subprocess.run(
        [sys.executable, "-m", "gtec", "import", str(bad), "--dry-run", "--lang", "en"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "not a readable table" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout


def test_bmo_of_a_later_year_is_read_with_its_own_year(built_data_dir, workspace_path, tmp_path, capsys):
    """A 2026 survey (its sheet, its BE26 bassin columns) is read as 2026, never filed under 2025."""
    header = ["annee", "Code métier BMO", "Nom métier BMO", "Famille_met", "Lbl_fam_met", "REG", "NOM_REG", "Dept"]
    header += ["NomDept", "BE26", "NOMBE26", "met", "xmet", "smet"]
    row = [2026.0, "A0X40", "Agriculteurs", "Z", "Autres", "53", "Bretagne", "56", "Morbihan", 5301.0, "VANNES"]
    path = write_xlsx(
        tmp_path / "Base_open_data_BMO_2026.xlsx", {"BMO_2026_open_data": [header, [*row, "1", "0", "0"]]}
    )
    rows = readers.read_ft_bmo_rows(path)
    assert rows["bassin"].tolist() == ["5301"] and rows["period"].tolist() == ["2026"]
    assert set(readers.read_ft_bmo(path)["period"]) == {"2026"}
    _code, out, err = _cli(capsys, str(path), "--dry-run", "--lang", "en")
    assert "Recognised profile: ft_bmo" in out and "Traceback" not in out + err
