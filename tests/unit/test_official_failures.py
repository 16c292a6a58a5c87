"""A missing, altered or malformed source file fails the build with a message naming the file; the previous store
stays usable (the sources are checked before the temporary store is written)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from gtec.build import official, pipeline
from gtec.storage import reference

SOURCES = Path(__file__).resolve().parents[2] / "data" / "sources"


@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    target = tmp_path / "sources"
    shutil.copytree(SOURCES, target)
    return target


@pytest.fixture
def previous_store(tmp_path: Path) -> Path:
    """A stand-in for a previous, usable store: the test checks it is left byte for byte as it was."""
    path = tmp_path / "build" / "reference.sqlite"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE marker (x)")
    conn.execute("INSERT INTO marker VALUES (42)")
    conn.commit()
    conn.close()
    return path


def _reseal(directory: Path, rel: str) -> None:
    """Update SHA256SUMS for ``rel`` so that only the reader (not the checksum) can refuse the file."""
    sums = directory / "SHA256SUMS"
    digest = hashlib.sha256((directory / rel).read_bytes()).hexdigest()
    lines = [
        f"{digest}  ./{rel}" if line.endswith(rel) else line for line in sums.read_text(encoding="utf-8").splitlines()
    ]
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _assert_untouched(path: Path) -> None:
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT x FROM marker").fetchone() == (42,)
    conn.close()
    assert not list(path.parent.glob("*.tmp-*"))


def test_checked_sources_pass():
    hashes = official.verify_sources()
    assert len(hashes) == len(official.SOURCE_FILES)


def test_altered_file_fails_and_keeps_previous_store(sources_copy, previous_store):
    with (sources_copy / "dares" / "apprentissage_national.csv").open("a", encoding="utf-8") as fh:
        fh.write("x\n")
    with pytest.raises(official.SourceFileError, match=r"apprentissage_national\.csv: checksum mismatch"):
        pipeline.build_reference(previous_store, sources_dir=sources_copy)
    _assert_untouched(previous_store)


def test_missing_file_fails(sources_copy, previous_store):
    (sources_copy / "insee" / "sl_etc_2025T3.xls").unlink()
    with pytest.raises(official.SourceFileError, match=r"sl_etc_2025T3\.xls: file missing"):
        pipeline.build_reference(previous_store, sources_dir=sources_copy)
    _assert_untouched(previous_store)


def test_malformed_file_fails_with_reason(sources_copy, previous_store):
    rel = "insee/donnees_communes_PL2023.csv"
    (sources_copy / rel).write_text("REG;DEP\n53;56\n", encoding="utf-8")
    _reseal(sources_copy, rel)
    with pytest.raises(official.SourceFileError, match=r"donnees_communes_PL2023\.csv: malformed .*COM"):
        pipeline.build_reference(previous_store, sources_dir=sources_copy)
    _assert_untouched(previous_store)


def test_malformed_spreadsheet_fails(sources_copy, previous_store):
    rel = "insee/sl_etc_2025T3.xls"
    (sources_copy / rel).write_bytes(b"not a spreadsheet")
    _reseal(sources_copy, rel)
    with pytest.raises(official.SourceFileError, match=r"sl_etc_2025T3\.xls: malformed"):
        pipeline.build_reference(previous_store, sources_dir=sources_copy)
    _assert_untouched(previous_store)
    assert reference.check_reference(previous_store).code != "missing"
