"""Imports: detection, profiles, validation, atomic versions (gtec.imports)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from gtec.core.auth import Actor
from gtec.core.errors import UserError
from gtec.core.i18n import t
from gtec.imports import store
from gtec.imports.limits import ImportLimits
from gtec.imports.service import check_file, import_prepared, load_context
from gtec.storage.reference import connect_reference

ADMIN = Actor("admin", "admin")


@pytest.fixture(scope="module")
def ctx(built_data_dir: Path):
    return load_context(connect_reference(built_data_dir / "reference.sqlite"))


def _french_csv(path: Path, codes: list[str], bump: float = 0.0) -> Path:
    lines = ["Observatoire;;", "Emplois par commune;;", "Code commune;Nom;Emplois 2024"]
    lines += [
        f"{c};Commune é;{1000 + i + bump:.1f}".replace(".", ",").replace("1", "1", 1) for i, c in enumerate(codes)
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path


def test_french_csv_imports_versions_diff_rollback(ctx, ws, tmp_path):
    codes = [r[0] for r in ctx.conn.execute("SELECT code FROM territories WHERE level='commune' LIMIT 500")]
    p = check_file(ctx, _french_csv(tmp_path / "a.csv", codes), ImportLimits())
    assert p.report.ok and p.report.level == "commune" and p.report.shape["encoding"] == "cp1252"
    assert import_prepared(ws, ADMIN, ctx, p, "Emplois")["version"] == 1
    p2 = check_file(ctx, _french_csv(tmp_path / "b.csv", codes, bump=2), ImportLimits())
    assert import_prepared(ws, ADMIN, ctx, p2, "Emplois")["version"] == 2
    ds = store.dataset_id(ws, "emplois")
    change = store.diff(ws, ds)
    assert len(change) == 500 and (change["change"].round(6) == 2).all()
    assert store.rollback(ws, ADMIN, ds) == 1
    assert any(e["action"] == "import.write" for e in ws.audit_entries())


@pytest.mark.parametrize(
    "name,data",
    [
        ("empty.csv", b""),
        ("binary.csv", b"\x00\x01\x02abc"),
        ("header.csv", b"code;value\r\n"),
        ("bad.xlsx", b"PK\x03\x04garbage"),
    ],
)
def test_bad_files_raise_user_errors_and_leave_workspace(ctx, ws, workspace_path, tmp_path, name, data):
    before = hashlib.sha256(workspace_path.read_bytes()).hexdigest()
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UserError) as err:
        check_file(ctx, path, ImportLimits())
    assert t(err.value.key, "fr", **err.value.values) and t(err.value.key, "en", **err.value.values)
    assert hashlib.sha256(workspace_path.read_bytes()).hexdigest() == before


def test_zip_traversal_refused(ctx, tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../evil.csv", "a;b\n1;2\n")
    with pytest.raises(UserError, match="zip_path"):
        check_file(ctx, path, ImportLimits())
